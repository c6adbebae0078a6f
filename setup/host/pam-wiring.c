/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "context.h"
#include "files.h"
#include "log.h"
#include "manifest.h"
#include "pam-stack.h"
#include "pam-wiring.h"

int check_pam_module(void) {
        struct stat st;

        if (stat(RCC_PAM_MODULE, &st) < 0)
                return log_errno(
                        -errno,
                        "%s: %m; install rcc first (meson install), then run rcc-setup install again",
                        RCC_PAM_MODULE);
        if (!S_ISREG(st.st_mode))
                return log_errno(
                        -EINVAL, "%s is not a regular file; install rcc first (meson install)",
                        RCC_PAM_MODULE);
        /* sshd and sudo load it as root: whoever can write it runs code as root at every login. */
        if (st.st_uid != 0 || (st.st_mode & 022))
                return log_errno(
                        -EPERM,
                        "%s is owned by uid %u, mode %04o: it must be root-owned and writable by root alone; "
                        "install rcc as root (meson install), or: chown root: %s && chmod go-w %s",
                        RCC_PAM_MODULE, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), RCC_PAM_MODULE,
                        RCC_PAM_MODULE);
        return 0;
}

/* path names pam_rcc, but not in rcc's block: say how it stands, and leave it. */
static void pam_left_alone(const Setup *s, const char *path, const char *text) {
        if (pam_stack_examine(text, RCC_PAM_MODULE) == PAM_STACK_HAND) {
                step("pam", "%s: pam_rcc wired by hand (account, session, before every other rule); kept",
                     path);
                return;
        }
        /* rcc rebuilt with another prefix: the lines an earlier install recorded name another path. */
        FOREACH_ARRAY (e, s->manifest->entries, s->manifest->n_entries)
                if (strcmp(e->kind, "pam") == 0 && e->n_args >= 2 && strcmp(e->args[0], path) == 0 &&
                    strcmp(e->args[1], RCC_PAM_MODULE) != 0) {
                        log_warning(
                                "%s has the pam_rcc lines an earlier install wrote for %s, not %s: run "
                                "rcc-setup uninstall, then install again",
                                path, e->args[1], RCC_PAM_MODULE);
                        return;
                }
        log_warning(
                "%s already names pam_rcc, but not as rcc-setup or rcc-setup(8) would (wired by hand?): left "
                "as it is. It needs these two lines before its first rule:\n"
                "    account    requisite    %s\n"
                "    session    requisite    %s",
                path, RCC_PAM_MODULE, RCC_PAM_MODULE);
}

static int wire_pam_stack(Setup *s, const char *path) {
        _cleanup_free_ char *text = NULL, *out = NULL;
        struct stat st;
        size_t len;
        int r;

        if (lstat(path, &st) < 0)
                return log_errno(-errno, "cannot stat '%s': %m", path);
        if (!S_ISREG(st.st_mode))
                return log_errno(
                        -EINVAL,
                        "'%s' is not a regular file: rcc-setup edits only regular files; add the lines of "
                        "rcc-setup(8), PAM, to the file it stands for by hand",
                        path);
        r = read_file(path, 1024 * 1024, &text, &len);
        if (r < 0)
                return log_errno(r, "cannot read '%s': %s", path, strerror(-r));
        if (strlen(text) != len)
                return log_errno(-EINVAL, "'%s' contains a NUL byte: not a PAM service file", path);
        r = pam_stack_add(text, RCC_PAM_MODULE, &out);
        if (r == -EEXIST) {
                pam_left_alone(s, path, text);
                return 0;
        }
        if (r < 0)
                return log_errno(r, "cannot add pam_rcc to '%s': %s", path, strerror(-r));
        if (r == 0) {
                if (pam_stack_examine(text, RCC_PAM_MODULE) == PAM_STACK_LATE)
                        log_warning(
                                "%s: rcc's pam_rcc lines come after other rules, which can act first; move the "
                                "three lines that start with '# rcc:' above the first rule",
                                path);
                step("pam", "%s: pam_rcc already wired", path);
                return 0;
        }
        if (!manifest_find(s->manifest, "pam", NULL, path, RCC_PAM_MODULE, NULL)) {
                r = manifest_add(s->manifest, "pam", NULL, path, RCC_PAM_MODULE, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record '%s' in the manifest: %s", path, strerror(-r));
        }
        r = write_file_atomic(path, out, strlen(out), st.st_mode & 07777, st.st_uid, st.st_gid);
        if (r < 0)
                return log_errno(r, "cannot write '%s': %s", path, strerror(-r));
        step("pam", "%s: pam_rcc gates account and session, before every other rule", path);
        return 0;
}

int wire_pam_stacks(Setup *s) {
        static const struct {
                const char *path, *service;
                bool expected; /* when its program is installed */
        } stacks[] = {
                {PAM_STACK_SSHD, "sshd", true},
                {PAM_STACK_SUDO, "sudo", true},
                {PAM_STACK_SUDO_I, "sudo -i", false},
        };
        int r;

        r = check_pam_module();
        if (r < 0)
                return r;
        FOREACH_ARRAY (st, stacks, ELEMENTSOF(stacks)) {
                bool installed = st == &stacks[0] ? s->have_sshd : s->have_sudo;

                if (access(st->path, F_OK) < 0 && errno == ENOENT) {
                        if (st->expected && installed)
                                log_warning(
                                        "%s is missing: %s falls back to /etc/pam.d/other, which does not run "
                                        "pam_rcc, and rcc-shell refuses a session pam_rcc did not record",
                                        st->path, st->service);
                        continue;
                }
                r = wire_pam_stack(s, st->path);
                if (r < 0)
                        return r;
        }
        return 0;
}
