/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Undoing the manifest, newest entry first, dropping each entry once it is undone (so an
 * interrupted run resumes where it stopped): what uninstall and account remove share. A file is
 * removed only while it still has content rcc-setup wrote, a directory only when empty, rcc's
 * lines in a PAM stack only while they are as install wrote them (leaving the file as it was
 * before); an edited file is kept and reported.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl.h"
#include "config.h"
#include "context.h"
#include "files.h"
#include "firewall.h"
#include "log.h"
#include "manifest.h"
#include "pam-stack.h"
#include "paths.h"
#include "run.h"
#include "sshd.h"
#include "storage.h"
#include "undo.h"
#include "users.h"

typedef struct Undo {
        Setup *s;
        bool sshd_changed;
        unsigned kept;
} Undo;

static int run_quiet(const char *const *argv) {
        return run_argv(argv, &(RunOptions){.quiet = true});
}

static bool entry_is(const ManifestEntry *e, const char *kind, size_t n_args) {
        return strcmp(e->kind, kind) == 0 && e->n_args >= n_args;
}

/* Whether the file has any content recorded for it. */
static int undo_file(Undo *u, const ManifestEntry *e) {
        const char *path = e->args[0];

        if (access(path, F_OK) < 0)
                return 0;
        if (!file_is_ours(u->s, path)) {
                /* An edited account file is the admin's work, but left where it is it would name a
                 * user that no longer exists and make the whole policy fail to load (every session
                 * refused). Set it aside as a dotfile, which the policy loader skips. */
                const char *base = strrchr(path, '/');
                if (base && strstr(path, "/accounts.d/")) {
                        _cleanup_free_ char *aside = NULL;
                        if (asprintf(&aside, "%.*s/.%s.removed", (int)(base - path), path, base + 1) < 0)
                                return log_errno(-ENOMEM, "out of memory");
                        if (rename(path, aside) < 0)
                                return log_errno(-errno, "cannot set '%s' aside: %m", path);
                        step("kept", "%s as %s (changed since rcc-setup wrote it)", path, aside);
                } else
                        step("kept", "%s (changed since rcc-setup wrote it)", path);
                u->kept++;
                return 0;
        }
        if (unlink(path) < 0)
                return log_errno(-errno, "cannot remove '%s': %m", path);
        if (strcmp(path, SSHD_DROPIN) == 0)
                u->sshd_changed = true;
        step("removed", "%s", path);
        return 0;
}

/* rcc's block out of a PAM service file, exactly as install put it in; an edited block is kept. */
static int undo_pam(Undo *u, const ManifestEntry *e) {
        _cleanup_free_ char *text = NULL, *out = NULL;
        const char *path = e->args[0], *module = e->args[1];
        struct stat st;
        size_t len;
        int r;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : log_errno(-errno, "cannot stat '%s': %m", path);
        r = read_file(path, 1024 * 1024, &text, &len);
        if (r < 0)
                return log_errno(r, "cannot read '%s': %s", path, strerror(-r));
        r = strlen(text) == len ? pam_stack_remove(text, module, &out) : -EEXIST;
        if (r == 0)
                return 0; /* no pam_rcc there any more */
        if (r == -EEXIST) {
                step("kept",
                     "%s: its pam_rcc lines were changed since rcc-setup added them; remove them by hand",
                     path);
                u->kept++;
                return 0;
        }
        if (r < 0)
                return log_errno(r, "cannot remove pam_rcc from '%s': %s", path, strerror(-r));
        r = write_file_atomic(path, out, strlen(out), st.st_mode & 07777, st.st_uid, st.st_gid);
        if (r < 0)
                return log_errno(r, "cannot write '%s': %s", path, strerror(-r));
        step("removed", "pam_rcc from %s", path);
        return 0;
}

static int undo_user(const ManifestEntry *e) {
        const char *argv[] = {USERDEL_PATH, "-r", e->account, NULL};
        int r;

        if (!getpwnam(e->account))
                return 0;
        r = run_quiet(argv);
        /* 12: the home directory could not be removed entirely; the user is gone. */
        if (r != 0 && r != 12)
                return log_errno(r < 0 ? r : -EIO, "userdel -r '%s' failed (%d)", e->account, r);
        step("removed", "user %s and its home", e->account);
        return 0;
}

static int undo_subid(const ManifestEntry *e) {
        char range[64];

        if (!getpwnam(e->account))
                return 0; /* userdel took its ranges */
        snprintf(
                range, sizeof range, "%s-%llu", e->args[0],
                strtoull(e->args[0], NULL, 10) + strtoull(e->args[1], NULL, 10) - 1);
        const char *argv[] = {USERMOD_PATH, "--del-subuids", range, "--del-subgids",
                              range,        e->account,      NULL};
        if (run_quiet(argv) != 0)
                log_warning("usermod --del-subuids %s '%s' failed", range, e->account);
        return 0;
}

static int undo_one(Undo *u, size_t index) {
        const ManifestEntry *e = &u->s->manifest->entries[index];

        if (entry_is(e, "file", 2))
                return undo_file(u, e);
        if (entry_is(e, "dir", 1)) {
                if (rmdir(e->args[0]) < 0 && errno != ENOENT) {
                        if (errno != ENOTEMPTY && errno != EEXIST)
                                return log_errno(-errno, "cannot remove '%s': %m", e->args[0]);
                        step("kept", "%s (not empty)", e->args[0]);
                        u->kept++;
                }
                return 0;
        }
        if (entry_is(e, "user", 0))
                return undo_user(e);
        if (entry_is(e, "storage", 1)) {
                int r = remove_storage(e->args[0], e->n_args > 1 ? e->args[1] : NULL);
                if (r == 0)
                        step("removed", "%s (the account's storage: its image, containers and homes)",
                             e->args[0]);
                return r;
        }
        if (entry_is(e, "line", 2)) {
                int r = file_remove_line(e->args[0], e->args[1]);
                if (r < 0 && r != -ENOENT)
                        return log_errno(
                                r, "cannot remove '%s' from '%s': %s", e->args[1], e->args[0], strerror(-r));
                return 0;
        }
        if (entry_is(e, "subid", 2))
                return undo_subid(e);
        if (entry_is(e, "linger", 0)) {
                const char *argv[] = {LOGINCTL_PATH, "disable-linger", e->account, NULL};
                if (run_quiet(argv) != 0)
                        log_warning("loginctl disable-linger '%s' failed", e->account);
                return 0;
        }
        if (entry_is(e, "acl", 1))
                return acl_revoke(u->s, index);
        if (entry_is(e, "traverse", 1)) {
                _cleanup_free_ char *spec = NULL;
                if (asprintf(&spec, "u:%s", e->account) < 0)
                        return log_errno(-ENOMEM, "out of memory");
                const char *argv[] = {SETFACL_PATH, "-x", spec, e->args[0], NULL};
                if (access(e->args[0], F_OK) == 0 && run_argv(argv, NULL) != 0)
                        log_warning("setfacl -x %s '%s' failed", spec, e->args[0]);
                return 0;
        }
        if (entry_is(e, "unit", 1)) {
                const char *argv[] = {SYSTEMCTL_PATH, "disable", "--now", e->args[0], NULL};
                if (run_quiet(argv) != 0)
                        log_warning("systemctl disable --now %s failed", e->args[0]);
                return 0;
        }
        if (entry_is(e, "firewalld", 1))
                return stop_firewalld();
        if (entry_is(e, "firewall", 1)) {
                const char *argv[] = {RCC_FIREWALL_PATH, "--config", e->args[0], "remove", NULL};
                int r = access(RCC_FIREWALL_PATH, X_OK) == 0 ? run_argv(argv, NULL) : -ENOENT;
                if (r != 0)
                        return log_errno(
                                r < 0 ? r : -EIO, "%s remove failed; the table inet rcc may still be loaded",
                                RCC_FIREWALL_PATH);
                step("removed", "firewall table");
                return 0;
        }
        if (entry_is(e, "pam", 2))
                return undo_pam(u, e);
        if (entry_is(e, "account", 0))
                return 0;
        log_warning("unknown manifest entry '%s'; skipped", e->kind);
        return 0;
}

/* A lingering account's user manager (user@UID.service) is systemd's: started at boot and
 * whenever lingering asks for it, and perhaps still starting now. Until it has setuid to the
 * account it is no process of the account's, so a look at the account's processes can miss it,
 * and userdel then finds it running and refuses (seen once in tests/vm, issue 13). So
 * lingering goes off first (nothing starts it again), then systemd stops the unit and waits for
 * the stop job, which replaces a pending start. The manifest's "linger" entry stays: undoing it
 * again later changes nothing. */
static void stop_user_manager(const Setup *s, const char *account, uid_t uid) {
        const char *linger[] = {LOGINCTL_PATH, "disable-linger", account, NULL};
        char unit[64];

        if (!s->systemd)
                return;
        snprintf(unit, sizeof unit, "user@%u.service", (unsigned)uid);
        const char *stop[] = {SYSTEMCTL_PATH, "stop", unit, NULL};
        if (run_quiet(linger) != 0)
                log_warning("loginctl disable-linger '%s' failed", account);
        if (run_quiet(stop) != 0)
                log_warning("systemctl stop %s failed", unit);
        else
                step("stopped", "%s (the user manager of '%s')", unit, account);
}

int check_no_processes(const Setup *s, const char *account) {
        for (size_t i = 0; i < s->manifest->n_entries; i++) {
                const ManifestEntry *e = &s->manifest->entries[i];
                struct passwd *pw;
                char list[1024];
                int sessions = 0;

                if (strcmp(e->kind, "user") != 0 || (account && strcmp(e->account, account) != 0))
                        continue;
                pw = getpwnam(e->account);
                if (!pw)
                        continue;
                uid_t uid = pw->pw_uid;
                if (user_processes(uid, list, sizeof list, &sessions) > 0 && sessions > 0)
                        return log_errno(
                                -EBUSY,
                                "'%s' has live sessions (%s); end them first (pkill -u %s), then run this "
                                "again. Nothing was removed.",
                                e->account, list, e->account);
                /* No session: what runs is systemd's user manager and podman's own (the rootless
                 * pause process, a container's conmon), which would keep userdel from working. */
                stop_user_manager(s, e->account, uid);
                if (user_processes(uid, list, sizeof list, NULL) <= 0)
                        continue;
                step("stopping", "podman processes of '%s': %s", e->account, list);
                if (stop_user_processes(uid) < 0)
                        return log_errno(
                                -EBUSY, "processes of '%s' did not end: %s. Nothing was removed%s.",
                                e->account, list, s->systemd ? " but its lingering" : "");
        }
        return 0;
}

int undo_entries(Setup *s, const char *account) {
        _cleanup_free_ char *state = strdup(RCC_INSTALL_MANIFEST);
        Manifest *m = s->manifest;
        Undo u = {.s = s};
        char state_dirs[8][256];
        size_t n_state = 0;
        int r;

        if (!state)
                return log_errno(-ENOMEM, "out of memory");
        *strrchr(state, '/') = '\0';
        for (size_t i = m->n_entries; i > 0;) {
                ManifestEntry *e = &m->entries[--i];
                /* The manifest's own directory and its parents: removed after the manifest. */
                bool is_state = entry_is(e, "dir", 1) &&
                                strncmp(state, e->args[0], strlen(e->args[0])) == 0 &&
                                (state[strlen(e->args[0])] == '/' || state[strlen(e->args[0])] == '\0');

                if (account && strcmp(e->account, account) != 0)
                        continue;
                if (is_state) {
                        /* Removed once the manifest is gone, deepest first (the order met here). */
                        if (n_state < ELEMENTSOF(state_dirs))
                                snprintf(state_dirs[n_state++], sizeof state_dirs[0], "%s", e->args[0]);
                        r = manifest_drop(m, i);
                        if (r < 0)
                                return log_errno(r, "cannot update the manifest: %s", strerror(-r));
                        continue;
                }
                r = undo_one(&u, i);
                if (r < 0)
                        return r;
                if (strcmp(e->kind, "file") == 0) {
                        /* Earlier digests of the same file were handled with this one. */
                        _cleanup_free_ char *path = strdup(e->args[0]);
                        if (!path)
                                return log_errno(-ENOMEM, "out of memory");
                        for (size_t j = i + 1; j > 0;) {
                                ManifestEntry *o = &m->entries[--j];
                                if (entry_is(o, "file", 1) && strcmp(o->args[0], path) == 0 &&
                                    (!account || strcmp(o->account, account) == 0)) {
                                        r = manifest_drop(m, j);
                                        if (r < 0)
                                                return log_errno(
                                                        r, "cannot update the manifest: %s", strerror(-r));
                                        if (j < i)
                                                i--;
                                }
                        }
                        continue;
                }
                r = manifest_drop(m, i);
                if (r < 0)
                        return log_errno(r, "cannot update the manifest: %s", strerror(-r));
        }
        for (size_t k = 0; k < n_state; k++)
                if (rmdir(state_dirs[k]) < 0 && errno != ENOENT)
                        step("kept", "%s (not empty)", state_dirs[k]);
        if (u.sshd_changed)
                reload_sshd();
        if (u.kept > 0)
                printf("rcc-setup: %u item(s) kept because they were changed or are not empty; see above.\n",
                       u.kept);
        return 0;
}
