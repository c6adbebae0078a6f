/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* rcc's own directories: no project may be one of them, lie within one, or hold one (a grant of
 * "/var" would mount every account's podman storage). */
static const char *const rcc_dirs[] = {RCC_CONFIG_DIR, RCC_STATE_DIR, RCC_RUN_DIR};

/* Whether a is b or lies beneath it, component-wise ("/var/lib" is not beneath "/var/li"). */
static bool path_within(const char *a, const char *b) {
        size_t n = strlen(b);

        while (n > 1 && b[n - 1] == '/')
                n--;
        return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/' || (n == 1 && b[0] == '/'));
}

static int refuse_rcc_dirs(const char *root, RccDiag *diag) {
        FOREACH_ARRAY (d, rcc_dirs, ELEMENTSOF(rcc_dirs))
                if (path_within(root, *d) || path_within(*d, root))
                        return diag_set(
                                diag, -EPERM, NULL, 0, 0,
                                "'%s' cannot be a project: it %s rcc's own directory %s (policy, podman storage "
                                "or session records); use a project directory elsewhere",
                                root, path_within(root, *d) ? "lies within" : "holds", *d);
        return 0;
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

        char saved = resolved[root_len];
        resolved[root_len] = '\0';
        int r_dirs = refuse_rcc_dirs(resolved, diag);
        resolved[root_len] = saved;
        if (r_dirs < 0)
                return r_dirs;

        *ret = (Project){};
        memcpy(ret->root, resolved, root_len);
        ret->root[root_len] = '\0';
        /* Past the '/' that separates root and subdir, or "" when the path is the root. */
        snprintf(ret->subdir, sizeof ret->subdir, "%s", resolved[root_len] ? resolved + root_len + 1 : "");
        return 0;
}

/* Whether the directory dir (its stat st), at path, may lie above a project of human's: see
 * project_open(). next is the entry below it on the way to the project, for sticky directories. */
static int check_above(
        const char *path, const struct stat *st, int dir_fd, const char *next, uid_t human, RccDiag *diag) {
        struct stat below;

        if (st->st_uid != 0 && st->st_uid != human)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "'%s', above the project, belongs to uid %u, who could move the project away and put "
                        "another directory in its place; a grant must lie below directories that only root and "
                        "its human can change: move the project, or an admin runs chown root '%s'",
                        path, (unsigned)st->st_uid, path);
        if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
                return 0;
        /* A sticky directory lets others add entries but not rename or remove ours. */
        if ((st->st_mode & S_ISVTX) && fstatat(dir_fd, next, &below, AT_SYMLINK_NOFOLLOW) == 0 &&
            (below.st_uid == 0 || below.st_uid == human))
                return 0;
        return diag_set(
                diag, -EPERM, NULL, 0, 0,
                "'%s', above the project, can be written by others (mode %04o), who could move the project "
                "away and put another directory in its place; an admin runs chmod go-w '%s', or the project "
                "moves elsewhere",
                path, (unsigned)(st->st_mode & 07777), path);
}

int project_open(Project *p, uid_t human, int *ret_fd, RccDiag *diag) {
        _cleanup_close_ int fd = -EBADF;
        char walked[PATH_MAX] = "", at[64], now[PATH_MAX];
        struct stat st;
        size_t len = 0;
        ssize_t n;
        int r;

        if (p->root[0] != '/')
                return diag_set(
                        diag, -EINVAL, NULL, 0, 0, "the project '%s' is not an absolute path", p->root);
        fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return diag_set(diag, negative_errno(), NULL, 0, 0, "cannot open '/': %m");

        for (const char *c = p->root + 1; *c;) {
                char name[NAME_MAX + 1];
                size_t clen = strcspn(c, "/");

                if (clen == 0 || clen > NAME_MAX)
                        return diag_set(
                                diag, -EINVAL, NULL, 0, 0, "the project path '%s' is malformed", p->root);
                memcpy(name, c, clen);
                name[clen] = '\0';
                r = check_above(len ? walked : "/", &st, fd, name, human, diag);
                if (r < 0)
                        return r;

                /* O_NOFOLLOW with O_PATH opens a symlink itself, which the S_ISDIR check refuses. */
                int next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return diag_set(
                                diag, negative_errno(), NULL, 0, 0,
                                "cannot open the project '%s' at '%s': %m; it changed while the session started",
                                p->root, name);
                safe_close(fd);
                fd = next;
                if (fstat(fd, &st) < 0)
                        return diag_set(diag, negative_errno(), NULL, 0, 0, "cannot stat '%s': %m", p->root);
                if (!S_ISDIR(st.st_mode))
                        return diag_set(
                                diag, -ESTALE, NULL, 0, 0,
                                "'%s/%s' is no longer a directory (a symlink?); the project changed while the "
                                "session started",
                                len ? walked : "", name);
                if (len + 1 + clen >= sizeof walked)
                        return diag_set(diag, -ENAMETOOLONG, NULL, 0, 0, "the project path is too long");
                walked[len++] = '/';
                memcpy(walked + len, name, clen + 1);
                len += clen;
                c += clen;
                c += strspn(c, "/");
        }

        /* A rename above the project during the walk would leave the descriptor somewhere else. */
        snprintf(at, sizeof at, "/proc/self/fd/%d", fd);
        n = readlink(at, now, sizeof now - 1);
        if (n < 0)
                return diag_set(
                        diag, negative_errno(), NULL, 0, 0,
                        "cannot tell where the project's descriptor is (%s): %m; is /proc mounted?", at);
        now[n] = '\0';
        if (strcmp(now, p->root) != 0)
                return diag_set(
                        diag, -ESTALE, NULL, 0, 0,
                        "the project '%s' moved to '%s' while the session started; start it again", p->root,
                        now);

        p->dev = (uint64_t)st.st_dev;
        p->ino = (uint64_t)st.st_ino;
        *ret_fd = TAKE_FD(fd);
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
