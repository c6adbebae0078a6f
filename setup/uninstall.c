/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup uninstall: undo the manifest, newest entry first, dropping each entry once it is
 * undone (so an interrupted uninstall resumes where it stopped). Removes exactly what install and
 * account add created: a file is removed only while it still has content rcc-setup wrote, a
 * directory only when empty, rcc's lines in a PAM stack only while they are as install wrote them
 * (leaving the file as it was before); an edited file is kept and reported.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apparmor.h"
#include "config.h"
#include "log.h"
#include "pam-stack.h"
#include "selinux.h"
#include "paths.h"
#include "sha256.h"
#include "system.h"
#include "util.h"

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
                                return log_err(-ENOMEM, "out of memory");
                        if (rename(path, aside) < 0)
                                return log_err(-errno, "cannot set '%s' aside: %m", path);
                        step("kept", "%s as %s (changed since rcc-setup wrote it)", path, aside);
                } else
                        step("kept", "%s (changed since rcc-setup wrote it)", path);
                u->kept++;
                return 0;
        }
        if (unlink(path) < 0)
                return log_err(-errno, "cannot remove '%s': %m", path);
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
                return errno == ENOENT ? 0 : log_err(-errno, "cannot stat '%s': %m", path);
        r = read_file(path, 1024 * 1024, &text, &len);
        if (r < 0)
                return log_err(r, "cannot read '%s': %s", path, strerror(-r));
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
                return log_err(r, "cannot remove pam_rcc from '%s': %s", path, strerror(-r));
        r = write_file_atomic(path, out, strlen(out), st.st_mode & 07777, st.st_uid, st.st_gid);
        if (r < 0)
                return log_err(r, "cannot write '%s': %s", path, strerror(-r));
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
                return log_err(r < 0 ? r : -EIO, "userdel -r '%s' failed (%d)", e->account, r);
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

static int undo_acl(Undo *u, const ManifestEntry *e, size_t index) {
        _cleanup_free_ char *spec = NULL;
        const char *path = e->args[0], *human = e->n_args > 1 ? e->args[1] : NULL;
        bool human_shared = false;

        if (access(path, F_OK) < 0)
                return 0;
        /* Another account granted the same human here keeps the human's default entry. */
        for (size_t i = 0; i < u->s->manifest->n_entries; i++) {
                const ManifestEntry *o = &u->s->manifest->entries[i];
                if (i != index && entry_is(o, "acl", 2) && strcmp(o->args[0], path) == 0 && human &&
                    strcmp(o->args[1], human) == 0 && strcmp(o->account, e->account) != 0)
                        human_shared = true;
        }
        if (human && !human_shared) {
                if (asprintf(&spec, "u:%s,d:u:%s,d:u:%s", e->account, e->account, human) < 0)
                        return log_err(-ENOMEM, "out of memory");
        } else if (asprintf(&spec, "u:%s,d:u:%s", e->account, e->account) < 0)
                return log_err(-ENOMEM, "out of memory");
        const char *argv[] = {SETFACL_PATH, "-R", "-P", "-x", spec, path, NULL};
        if (run_argv(argv, NULL) != 0) {
                log_warning("setfacl -x %s '%s' failed; check its ACLs with getfacl", spec, path);
                return 0;
        }
        step("removed", "ACLs of %s on %s", e->account, path);
        /* The tree had no ACLs before install: drop the default ACLs and the now-empty masks that
         * setfacl added with ours. Files the agent wrote keep their entry for the human (they
         * belong to a uid that no longer exists; that entry is how the human still reads them),
         * and setfacl leaves their mask alone, failing for them, which is expected. */
        if (!human_shared && e->n_args > 2 && strcmp(e->args[2], "fresh") == 0) {
                const char *defaults[] = {SETFACL_PATH, "-R", "-P", "-k", path, NULL};
                const char *masks[] = {SETFACL_PATH, "-R", "-P", "-x", "m::", path, NULL};
                (void)run_argv(defaults, &(RunOptions){.quiet = true, .quiet_stderr = true});
                (void)run_argv(masks, &(RunOptions){.quiet = true, .quiet_stderr = true});
        }
        return 0;
}

static int undo_one(Undo *u, size_t index) {
        const ManifestEntry *e = &u->s->manifest->entries[index];

        if (entry_is(e, "file", 2))
                return undo_file(u, e);
        if (entry_is(e, "dir", 1)) {
                if (rmdir(e->args[0]) < 0 && errno != ENOENT) {
                        if (errno != ENOTEMPTY && errno != EEXIST)
                                return log_err(-errno, "cannot remove '%s': %m", e->args[0]);
                        step("kept", "%s (not empty)", e->args[0]);
                        u->kept++;
                }
                return 0;
        }
        if (entry_is(e, "user", 0))
                return undo_user(e);
        if (entry_is(e, "line", 2)) {
                int r = file_remove_line(e->args[0], e->args[1]);
                if (r < 0 && r != -ENOENT)
                        return log_err(
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
                return undo_acl(u, e, index);
        if (entry_is(e, "traverse", 1)) {
                _cleanup_free_ char *spec = NULL;
                if (asprintf(&spec, "u:%s", e->account) < 0)
                        return log_err(-ENOMEM, "out of memory");
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
        if (entry_is(e, "firewall", 1)) {
                const char *argv[] = {RCC_FIREWALL_PATH, "--config", e->args[0], "remove", NULL};
                int r = access(RCC_FIREWALL_PATH, X_OK) == 0 ? run_argv(argv, NULL) : -ENOENT;
                if (r != 0)
                        return log_err(
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

int check_no_processes(const Setup *s, const char *account) {
        for (size_t i = 0; i < s->manifest->n_entries; i++) {
                const ManifestEntry *e = &s->manifest->entries[i];
                struct passwd *pw;
                char list[1024];
                int sessions = 0;

                if (strcmp(e->kind, "user") != 0 || (account && strcmp(e->account, account) != 0))
                        continue;
                pw = getpwnam(e->account);
                if (!pw || user_processes(pw->pw_uid, list, sizeof list, &sessions) <= 0)
                        continue;
                if (sessions > 0)
                        return log_err(
                                -EBUSY,
                                "'%s' has live sessions (%s); end them first (pkill -u %s), then run this "
                                "again. Nothing was removed.",
                                e->account, list, e->account);
                /* No session: what runs is podman's own, which would keep userdel from working. */
                step("stopping", "podman processes of '%s': %s", e->account, list);
                if (stop_user_processes(pw->pw_uid) < 0)
                        return log_err(
                                -EBUSY, "processes of '%s' did not end: %s. Nothing was removed.",
                                e->account, list);
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
                return log_err(-ENOMEM, "out of memory");
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
                                return log_err(r, "cannot update the manifest: %s", strerror(-r));
                        continue;
                }
                r = undo_one(&u, i);
                if (r < 0)
                        return r;
                if (strcmp(e->kind, "file") == 0) {
                        /* Earlier digests of the same file were handled with this one. */
                        _cleanup_free_ char *path = strdup(e->args[0]);
                        if (!path)
                                return log_err(-ENOMEM, "out of memory");
                        for (size_t j = i + 1; j > 0;) {
                                ManifestEntry *o = &m->entries[--j];
                                if (entry_is(o, "file", 1) && strcmp(o->args[0], path) == 0 &&
                                    (!account || strcmp(o->account, account) == 0)) {
                                        r = manifest_drop(m, j);
                                        if (r < 0)
                                                return log_err(
                                                        r, "cannot update the manifest: %s", strerror(-r));
                                        if (j < i)
                                                i--;
                                }
                        }
                        continue;
                }
                r = manifest_drop(m, i);
                if (r < 0)
                        return log_err(r, "cannot update the manifest: %s", strerror(-r));
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

static bool confirm(void) {
        char answer[16] = "";

        printf("Remove everything rcc-setup installed (listed in %s)? [y/N] ", RCC_INSTALL_MANIFEST);
        fflush(stdout);
        if (!fgets(answer, sizeof answer, stdin))
                return false;
        return answer[0] == 'y' || answer[0] == 'Y';
}

int verb_uninstall(const SetupArgs *args, int argc, char **argv) {
        _cleanup_(setup_done) Setup s = {};
        int r;

        if (argc > 1) {
                log_error("'%s' takes no arguments; see rcc-setup --help", argv[0]);
                return -EINVAL;
        }
        r = setup_init(&s, args->config_dir);
        if (r < 0)
                return r;
        if (s.manifest->n_entries == 0) {
                printf("rcc-setup: nothing to uninstall (%s is empty or absent)\n", RCC_INSTALL_MANIFEST);
                return 0;
        }
        if (!args->yes && isatty(STDIN_FILENO) && !confirm()) {
                printf("rcc-setup: nothing removed\n");
                return -ECANCELED;
        }
        r = check_no_processes(&s, NULL);
        if (r < 0)
                return r;
        r = apparmor_uninstall(&s);
        if (r < 0)
                return r;
        r = selinux_uninstall(&s, NULL);
        if (r < 0)
                return r;
        r = undo_entries(&s, NULL);
        if (r < 0)
                return r;
        printf("rcc-setup: uninstalled\n");
        return 0;
}
