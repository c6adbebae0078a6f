/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "acl.h"
#include "context.h"
#include "log.h"
#include "manifest.h"
#include "policy.h"
#include "run.h"

#define TEST_PATH "/usr/bin/test"

static int setfacl(const char *const *argv) {
        size_t n = 0;
        int r;

        while (argv[n])
                n++;
        r = run_argv(argv, NULL);
        if (r != 0)
                return log_errno(r < 0 ? r : -EIO, "setfacl %s '%s' failed", argv[n - 2], argv[n - 1]);
        return 0;
}

/* Let the account traverse every ancestor of path it cannot: u:ACCOUNT:--x, top down. */
static int grant_traverse(Setup *s, const char *account, uid_t uid, const char *path) {
        _cleanup_free_ char *dir = strdup(path);
        char *slash;
        int r;

        if (!dir)
                return log_errno(-ENOMEM, "out of memory");
        for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                const char *test[] = {TEST_PATH, "-x", dir, NULL};
                if (run_argv(test, &(RunOptions){.as_user = true, .uid = uid}) != 0) {
                        _cleanup_free_ char *spec = NULL;
                        if (asprintf(&spec, "u:%s:--x", account) < 0)
                                return log_errno(-ENOMEM, "out of memory");
                        if (!manifest_find(s->manifest, "traverse", account, dir, NULL)) {
                                r = manifest_add(s->manifest, "traverse", account, dir, NULL);
                                if (r < 0)
                                        return log_errno(r, "cannot record an ACL: %s", strerror(-r));
                        }
                        const char *argv[] = {SETFACL_PATH, "-m", spec, dir, NULL};
                        r = setfacl(argv);
                        if (r < 0)
                                return r;
                }
                *slash = '/';
        }
        return 0;
}

static int grant_one(Setup *s, const Account *a, const char *human, const char *path) {
        _cleanup_free_ char *acc = NULL, *dflt = NULL;
        int r;

        r = grant_traverse(s, a->name, a->uid, path);
        if (r < 0)
                return r;
        if (asprintf(&acc, "u:%s:rwX", a->name) < 0 ||
            asprintf(&dflt, "u:%s:rwX,u:%s:rwX", a->name, human) < 0)
                return log_errno(-ENOMEM, "out of memory");
        if (!manifest_find(s->manifest, "acl", a->name, path, human, NULL)) {
                /* "fresh": the directory had no ACL of its own before, so uninstall may take away
                 * the base entries setfacl adds along with ours, leaving no trace. */
                bool fresh = getxattr(path, "system.posix_acl_access", NULL, 0) < 0 && errno == ENODATA &&
                             getxattr(path, "system.posix_acl_default", NULL, 0) < 0 && errno == ENODATA;
                r = manifest_add(s->manifest, "acl", a->name, path, human, fresh ? "fresh" : "kept", NULL);
                if (r < 0)
                        return log_errno(r, "cannot record an ACL: %s", strerror(-r));
        }
        /* -P: never follow a symlink out of the project. */
        const char *access_argv[] = {SETFACL_PATH, "-R", "-P", "-m", acc, path, NULL};
        const char *default_argv[] = {SETFACL_PATH, "-R", "-P", "-d", "-m", dflt, path, NULL};
        r = setfacl(access_argv);
        if (r < 0)
                return r;
        return setfacl(default_argv);
}

int acl_for_each_grant(
        const Account *a, int (*fn)(const char *human, const char *path, void *userdata), void *userdata) {
        const UserGrant *users;
        size_t n;
        int r;

        account_humans(a, &users, &n);
        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < users[i].n_projects; k++) {
                        glob_t g = {};

                        if (glob(users[i].projects[k], GLOB_NOSORT, NULL, &g) != 0) {
                                globfree(&g);
                                continue; /* nothing there yet */
                        }
                        for (size_t j = 0; j < g.gl_pathc; j++) {
                                struct stat st;

                                if (lstat(g.gl_pathv[j], &st) < 0 || !S_ISDIR(st.st_mode))
                                        continue;
                                r = fn(users[i].user, g.gl_pathv[j], userdata);
                                if (r != 0) {
                                        globfree(&g);
                                        return r;
                                }
                        }
                        globfree(&g);
                }
        return 0;
}

typedef struct GrantAll {
        Setup *s;
        const Account *a;
        size_t granted;
} GrantAll;

static int grant_each(const char *human, const char *path, void *userdata) {
        GrantAll *g = userdata;
        int r = grant_one(g->s, g->a, human, path);

        g->granted += r == 0;
        return r;
}

int grant_project_acls(Setup *s, const Account *a) {
        const UserGrant *users;
        size_t n;
        GrantAll g = {.s = s, .a = a};
        int r;

        r = acl_for_each_grant(a, grant_each, &g);
        if (r < 0)
                return r;
        account_humans(a, &users, &n);
        step("acl", "%s: %zu project director%s shared with %zu human(s)", a->name, g.granted,
             g.granted == 1 ? "y" : "ies", n);
        return 0;
}

typedef struct GrantLookup {
        const char *human, *path;
} GrantLookup;

static int grant_matches(const char *human, const char *path, void *userdata) {
        const GrantLookup *l = userdata;
        return strcmp(human, l->human) == 0 && strcmp(path, l->path) == 0;
}

bool acl_granted(const Account *a, const char *human, const char *path) {
        GrantLookup l = {.human = human, .path = path};
        return acl_for_each_grant(a, grant_matches, &l) > 0;
}

static bool is_acl_entry(const ManifestEntry *e) {
        return strcmp(e->kind, "acl") == 0 && e->n_args >= 1;
}

int acl_revoke(Setup *s, size_t index) {
        const ManifestEntry *e = &s->manifest->entries[index];
        _cleanup_free_ char *spec = NULL;
        /* Entries of early installs name no human. */
        const char *path = e->args[0], *human = e->n_args > 1 ? e->args[1] : NULL;
        bool human_shared = false;

        if (access(path, F_OK) < 0)
                return 0;
        /* Another account granted the same human here keeps the human's default entry. */
        for (size_t i = 0; i < s->manifest->n_entries; i++) {
                const ManifestEntry *o = &s->manifest->entries[i];
                if (i != index && is_acl_entry(o) && o->n_args > 1 && human &&
                    strcmp(o->args[0], path) == 0 && strcmp(o->args[1], human) == 0 &&
                    strcmp(o->account, e->account) != 0)
                        human_shared = true;
        }
        if (human && !human_shared) {
                if (asprintf(&spec, "u:%s,d:u:%s,d:u:%s", e->account, e->account, human) < 0)
                        return log_errno(-ENOMEM, "out of memory");
        } else if (asprintf(&spec, "u:%s,d:u:%s", e->account, e->account) < 0)
                return log_errno(-ENOMEM, "out of memory");
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

int revoke_stale_acls(Setup *s, const Account *a) {
        int r;

        /* From the end: dropping an entry moves none before it. */
        for (size_t i = s->manifest->n_entries; i-- > 0;) {
                const ManifestEntry *e = &s->manifest->entries[i];

                if (!is_acl_entry(e) || e->n_args < 2 || strcmp(e->account, a->name) != 0 ||
                    acl_granted(a, e->args[1], e->args[0]))
                        continue;
                if ((r = acl_revoke(s, i)) < 0)
                        return r;
                if ((r = manifest_drop(s->manifest, i)) < 0)
                        return log_errno(r, "cannot update the manifest: %s", strerror(-r));
        }
        return 0;
}
