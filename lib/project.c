/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"
#include "project.h"

/* Characters podman's --mount syntax cannot carry in a source path (',' separates options, ':'
 * is the -v separator some podman versions still split on), and a newline, which would forge a
 * line in every log record that names the project. */
#define PROJECT_BAD_CHARS ",:\n"

static bool is_glob(const char *pattern) {
        return strpbrk(pattern, "*?[\\") != NULL;
}

/* "GRANT, GRANT, ..." of g into buf, truncated with "..." when long. */
static const char *grants_text(const UserGrant *g, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < g->n_projects && len < size; i++) {
                int n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", g->projects[i]);
                if (n < 0 || (size_t)n >= size - len) {
                        if (size > 4)
                                memcpy(buf + size - 4, "...", 4);
                        break;
                }
                len += (size_t)n;
        }
        return buf;
}

/* Whether path matches one of g's patterns. A pattern's trailing slashes are ignored: the paths
 * tried here have none. */
static bool grant_matches(const UserGrant *g, const char *path) {
        for (size_t i = 0; i < g->n_projects; i++) {
                char pattern[PATH_MAX];
                size_t len = strlen(g->projects[i]);

                if (len >= sizeof pattern)
                        continue;
                memcpy(pattern, g->projects[i], len + 1);
                while (len > 1 && pattern[len - 1] == '/')
                        pattern[--len] = '\0';
                if (fnmatch(pattern, path, FNM_PATHNAME) == 0)
                        return true;
        }
        return false;
}

static const UserGrant *find_grant(const Settings *s, const char *user, RccDiag *diag, int *ret_r) {
        const UserGrant *g = settings_find_user(s, user);

        if (!g || g->n_projects == 0) {
                *ret_r = diag_set(
                        diag, -EACCES, NULL, 0, 0,
                        "'%s' has no project granted on this account; an admin adds one under "
                        "users.%s.projects in the account's policy file",
                        user, user);
                return NULL;
        }
        return g;
}

int project_resolve(const Settings *s, const char *user, const char *path, Project *ret, RccDiag *diag) {
        _cleanup_free_ char *resolved = NULL;
        char grants[256];
        struct stat st;
        int r = 0;

        const UserGrant *g = find_grant(s, user, diag, &r);
        if (!g)
                return r;

        resolved = realpath(path, NULL);
        if (!resolved)
                return diag_set(
                        diag, negative_errno(), NULL, 0, 0, "cannot resolve the project '%s': %s", path,
                        strerror(errno));
        if (stat(resolved, &st) < 0)
                return diag_set(
                        diag, negative_errno(), NULL, 0, 0, "cannot use the project '%s': %s", resolved,
                        strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return diag_set(
                        diag, -ENOTDIR, NULL, 0, 0, "the project '%s' is not a directory; name a directory",
                        resolved);
        if (strcmp(resolved, "/") == 0)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "'/' cannot be a project: it would expose the whole machine; use a project directory");

        /* The shortest ancestor-or-self that a grant matches is the root: walk the prefixes of the
         * resolved path from the top, "/a", "/a/b", ..., the path itself. */
        size_t len = strlen(resolved), root_len = 0;
        for (size_t i = 1; i <= len && root_len == 0; i++) {
                if (resolved[i] != '/' && resolved[i] != '\0')
                        continue;
                char saved = resolved[i];
                resolved[i] = '\0';
                if (grant_matches(g, resolved))
                        root_len = i;
                resolved[i] = saved;
        }
        if (root_len == 0)
                return diag_set(
                        diag, -EACCES, NULL, 0, 0,
                        "'%s' is not in a project granted to '%s' (granted: %s); work in one of those, or "
                        "ask an admin to add it to users.%s.projects",
                        resolved, user, grants_text(g, grants, sizeof grants), user);

        if (root_len >= sizeof ret->root || len - root_len >= sizeof ret->subdir)
                return diag_set(
                        diag, -ENAMETOOLONG, NULL, 0, 0, "the project path '%s' is too long", resolved);
        if (strpbrk(resolved, PROJECT_BAD_CHARS))
                return diag_set(
                        diag, -EINVAL, NULL, 0, 0,
                        "the project path '%s' contains ',', ':' or a newline, which podman cannot mount; "
                        "rename the directory",
                        resolved);

        memcpy(ret->root, resolved, root_len);
        ret->root[root_len] = '\0';
        /* Past the '/' that separates root and subdir, or "" when the path is the root. */
        snprintf(ret->subdir, sizeof ret->subdir, "%s", resolved[root_len] ? resolved + root_len + 1 : "");
        return 0;
}

int project_default(const Settings *s, const char *user, char *buf, size_t size, RccDiag *diag) {
        char grants[256];
        int r = 0;

        const UserGrant *g = find_grant(s, user, diag, &r);
        if (!g)
                return r;

        for (size_t i = 0; i < g->n_projects; i++) {
                const char *p = g->projects[i];
                if (is_glob(p))
                        continue;
                if (strlen(p) >= size)
                        return diag_set(diag, -ENOBUFS, NULL, 0, 0, "the project path '%s' is too long", p);
                memcpy(buf, p, strlen(p) + 1);
                return 0;
        }
        return diag_set(
                diag, -ENOENT, NULL, 0, 0,
                "no project named and no default: pass one with ssh -o SetEnv=%s=PATH (granted to '%s': %s)",
                RCC_PROJECT_ENV, user, grants_text(g, grants, sizeof grants));
}
