/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "placeholder.h"

/* Whether rel names a directory that is not to be made: .git, or a path ending in '/'. */
static bool is_directory_entry(const char *rel) {
        size_t n = strlen(rel);
        const char *base = strrchr(rel, '/');

        return (n > 0 && rel[n - 1] == '/') || strcmp(base ? base + 1 : rel, ".git") == 0;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int record(Placeholders *p, const char *path, size_t len, bool is_dir, int fd) {
        struct stat st;
        Placeholder *m;

        if (p->n >= PLACEHOLDER_MAX || len >= sizeof p->made[0].path)
                return -E2BIG;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        m = &p->made[p->n++];
        *m = (Placeholder){
                .is_dir = is_dir,
                .dev = st.st_dev,
                .ino = st.st_ino,
                .size = (uint64_t)st.st_size,
                .ctime = st.st_ctim,
        };
        memcpy(m->path, path, len);
        m->path[len] = '\0';
        return 0;
}

/* One missing carve-out: its missing parents, then the file. 0 when it was there already. */
static int make_one(int root_fd, const char *root, const char *rel, Placeholders *p, RccDiag *diag) {
        _cleanup_close_ int dir = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        const char *c = rel;
        int r;

        if (dir < 0)
                return diag_set(diag, negative_errno(), NULL, 0, 0, "cannot duplicate a descriptor: %m");
        for (;;) {
                size_t len = strcspn(c, "/");
                char name[NAME_MAX + 1];

                if (len == 0 || len > NAME_MAX || (len == 1 && c[0] == '.') ||
                    (len == 2 && c[0] == '.' && c[1] == '.'))
                        return diag_set(
                                diag, -EINVAL, NULL, 0, 0,
                                "the read-only path '%s' in the policy cannot be made; an admin must fix "
                                "files.readonly",
                                rel);
                memcpy(name, c, len);
                name[len] = '\0';
                bool last = c[len] == '\0';

                if (!last) {
                        bool made = mkdirat(dir, name, 0755) == 0;
                        if (!made && errno != EEXIST)
                                return diag_set(
                                        diag, negative_errno(), NULL, 0, 0,
                                        "cannot make %s/%.*s, above the read-only '%s': %m", root,
                                        (int)(c + len - rel), rel, rel);
                        int next = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (next < 0)
                                return 0; /* a symlink or a file on the way: the check says so */
                        safe_close(dir);
                        dir = next;
                        if (made && (r = record(p, rel, (size_t)(c + len - rel), true, dir)) < 0)
                                return diag_set(diag, r, NULL, 0, 0, "too many read-only placeholders");
                        c += len + 1;
                        continue;
                }

                _cleanup_close_ int fd =
                        openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0)
                        return errno == EEXIST ? 0
                                               : diag_set(
                                                         diag, negative_errno(), NULL, 0, 0,
                                                         "cannot make %s/%s, which must be read-only in the "
                                                         "session: %m; make it yourself",
                                                         root, rel);
                if (ends_with(name, ".json") && write(fd, "{}\n", 3) != 3)
                        return diag_set(
                                diag, negative_errno(), NULL, 0, 0, "cannot write %s/%s: %m", root, rel);
                if ((r = record(p, rel, strlen(rel), false, fd)) < 0)
                        return diag_set(diag, r, NULL, 0, 0, "too many read-only placeholders");
                return 0;
        }
}

int placeholders_make(
        int root_fd, const char *root, const char *const *paths, size_t n, Placeholders *ret,
        RccDiag *diag) {
        *ret = (Placeholders){};
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                int r;

                if (is_directory_entry(paths[i]) || paths[i][0] == '/')
                        continue;
                if (fstatat(root_fd, paths[i], &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
                        continue; /* there (or not a plain absence: the check says what it is) */
                r = make_one(root_fd, root, paths[i], ret, diag);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The parent of rel beneath root_fd (its last component in *ret_name), no symlink followed. */
static int open_parent(int root_fd, const char *rel, const char **ret_name) {
        const char *slash = strrchr(rel, '/'), *c = rel;
        int dir = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);

        while (dir >= 0 && slash && c < slash) {
                char name[NAME_MAX + 1];
                size_t len = strcspn(c, "/");

                if (len > NAME_MAX)
                        return safe_close(dir);
                memcpy(name, c, len);
                name[len] = '\0';
                int next = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                safe_close(dir);
                dir = next;
                c += len + 1;
        }
        *ret_name = slash ? slash + 1 : rel;
        return dir;
}

void placeholders_remove(int root_fd, const Placeholders *p) {
        for (size_t i = p->n; i-- > 0;) {
                const Placeholder *m = &p->made[i];
                const char *name;
                struct stat st;
                _cleanup_close_ int dir = open_parent(root_fd, m->path, &name);

                /* Still the one made, untouched: anything else is someone's now and stays. */
                if (dir < 0 || fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    (uint64_t)st.st_dev != m->dev || (uint64_t)st.st_ino != m->ino ||
                    (!m->is_dir &&
                     ((uint64_t)st.st_size != m->size || st.st_ctim.tv_sec != m->ctime.tv_sec ||
                      st.st_ctim.tv_nsec != m->ctime.tv_nsec)))
                        continue;
                (void)unlinkat(dir, name, m->is_dir ? AT_REMOVEDIR : 0);
        }
}
