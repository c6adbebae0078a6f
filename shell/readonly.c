/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lookups start at the project's descriptor (project_open()), so they are beneath the directory
 * that was checked. A race remains between them and the bind mounts made from the same paths: a
 * concurrent session of the account could swap a checked directory for a symlink in between. The
 * launcher inside the container (shell/landlock/main.c) closes it: it compares the mounted inode
 * with the device and inode recorded here, and refuses the session on a mismatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "readonly.h"

typedef enum Found {
        FOUND_ABSENT,
        FOUND_FILE,
        FOUND_DIRECTORY,
        FOUND_SYMLINK,
        FOUND_OTHER, /* a fifo, socket or device */
} Found;

static int type_of(int fd, Found *ret, ReadonlyId *ret_id) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        *ret_id = (ReadonlyId){.dev = (uint64_t)st.st_dev, .ino = (uint64_t)st.st_ino};
        *ret = S_ISLNK(st.st_mode)   ? FOUND_SYMLINK
               : S_ISDIR(st.st_mode) ? FOUND_DIRECTORY
               : S_ISREG(st.st_mode) ? FOUND_FILE
                                     : FOUND_OTHER;
        return 0;
}

static int lookup_openat2(int root_fd, const char *rel, Found *ret, ReadonlyId *ret_id) {
        struct open_how how = {
                .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        _cleanup_close_ int fd = (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof how);

        if (fd >= 0) /* a trailing symlink is opened itself (O_PATH|O_NOFOLLOW) */
                return type_of(fd, ret, ret_id);
        switch (errno) {
        case ELOOP: /* a symlink in a directory component */
                *ret = FOUND_SYMLINK;
                return 0;
        case ENOENT:
        case ENOTDIR:
                *ret = FOUND_ABSENT;
                return 0;
        default:
                return negative_errno(); /* EXDEV (escapes the root), ENOSYS, EPERM, ... */
        }
}

/* One component at a time with O_PATH|O_NOFOLLOW, for kernels without openat2 (< 5.6). */
static int lookup_components(int root_fd, const char *rel, Found *ret, ReadonlyId *ret_id) {
        _cleanup_close_ int fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        char name[NAME_MAX + 1];

        if (fd < 0)
                return negative_errno();
        for (const char *c = rel; *c;) {
                size_t len = strcspn(c, "/");
                Found f;
                int r;

                if (len > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, c, len);
                name[len] = '\0';
                c += len;
                c += strspn(c, "/");
                if (len == 0 || strcmp(name, ".") == 0)
                        continue;
                if (strcmp(name, "..") == 0)
                        return -EXDEV;

                int next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0) {
                        if (errno != ENOENT && errno != ENOTDIR)
                                return negative_errno();
                        *ret = FOUND_ABSENT;
                        return 0;
                }
                safe_close(fd);
                fd = next;
                if ((r = type_of(fd, &f, ret_id)) < 0)
                        return r;
                if (f == FOUND_SYMLINK || !*c) {
                        *ret = f;
                        return 0;
                }
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return negative_errno();
                if (!S_ISDIR(st.st_mode)) {
                        *ret = FOUND_ABSENT; /* "a/b" where a is a file: b cannot exist */
                        return 0;
                }
        }
        return type_of(fd, ret, ret_id);
}

static int lookup(int root_fd, const char *rel, ReadonlyLookup how, Found *ret, ReadonlyId *ret_id) {
        if (how == READONLY_LOOKUP_AUTO) {
                int r = lookup_openat2(root_fd, rel, ret, ret_id);
                if (r != -ENOSYS)
                        return r;
        }
        return lookup_components(root_fd, rel, ret, ret_id);
}

int readonly_check(
        int root_fd, const char *root, const char *const *paths, size_t n, ReadonlyLookup how,
        const char **ret_present, size_t *ret_n, RccDiag *diag) {
        return readonly_check_ids(root_fd, root, paths, n, how, ret_present, NULL, ret_n, diag);
}

int readonly_check_ids(
        int root_fd, const char *root, const char *const *paths, size_t n, ReadonlyLookup how,
        const char **ret_present, ReadonlyId *ret_ids, size_t *ret_n, RccDiag *diag) {
        size_t n_present = 0;

        for (size_t i = 0; i < n; i++) {
                const char *rel = paths[i];
                ReadonlyId id = {};
                Found f = FOUND_ABSENT;
                int r;

                if (!rel[0] || rel[0] == '/' || strpbrk(rel, ",:\n"))
                        return diag_set(
                                diag, -EINVAL, NULL, 0, 0,
                                "the read-only path '%s' in the policy cannot be mounted; an admin must fix "
                                "files.readonly",
                                rel);
                r = lookup(root_fd, rel, how, &f, &id);
                if (r < 0)
                        return diag_set(
                                diag, r, NULL, 0, 0, "cannot check %s/%s, which must be read-only: %s", root,
                                rel, strerror(-r));
                switch (f) {
                case FOUND_ABSENT:
                        break;
                case FOUND_FILE:
                case FOUND_DIRECTORY:
                        if (ret_ids)
                                ret_ids[n_present] = id;
                        ret_present[n_present++] = rel;
                        break;
                case FOUND_SYMLINK:
                        return diag_set(
                                diag, -ELOOP, NULL, 0, 0,
                                "%s/%s is or lies under a symbolic link; rcc only protects a real file or "
                                "directory; replace the link",
                                root, rel);
                case FOUND_OTHER:
                        return diag_set(
                                diag, -EPERM, NULL, 0, 0,
                                "%s/%s is neither a file nor a directory, so rcc cannot make it read-only; "
                                "remove it",
                                root, rel);
                }
        }
        *ret_n = n_present;
        return 0;
}

/* The next non-empty component of *p (its length in *ret_len), advancing *p past it; NULL at the
 * end. "a//b/" has the components "a" and "b". */
static const char *next_component(const char **p, size_t *ret_len) {
        const char *c = *p + strspn(*p, "/");

        *ret_len = strcspn(c, "/");
        *p = c + *ret_len;
        return *c ? c : NULL;
}

bool readonly_path_within(const char *path, const char *base, bool strictly) {
        const char *p = path, *b = base, *pc, *bc;
        size_t pl, bl;

        while ((bc = next_component(&b, &bl))) {
                pc = next_component(&p, &pl);
                if (!pc || pl != bl || memcmp(pc, bc, bl) != 0)
                        return false;
        }
        return !strictly || next_component(&p, &pl);
}

static void free_list(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int readonly_ancestors(const char *const *present, size_t n, char ***ret, size_t *ret_n) {
        size_t cap = 1, k = 0, len;
        const char *p, *c;
        char **v;

        for (size_t i = 0; i < n; i++)
                for (p = present[i]; next_component(&p, &len);)
                        cap++;
        v = calloc(cap, sizeof *v);
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char buf[PATH_MAX];
                size_t blen = 0;

                for (p = present[i]; (c = next_component(&p, &len));) {
                        const char *rest = p;
                        size_t rest_len;
                        bool skip = false;

                        if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.')) {
                                free_list(v, k);
                                return -EINVAL;
                        }
                        if (!next_component(&rest, &rest_len))
                                break; /* the carve-out itself */
                        if (blen + 1 + len >= sizeof buf) {
                                free_list(v, k);
                                return -ENAMETOOLONG;
                        }
                        if (blen)
                                buf[blen++] = '/';
                        memcpy(buf + blen, c, len);
                        blen += len;
                        buf[blen] = '\0';

                        for (size_t j = 0; j < k && !skip; j++)
                                skip = strcmp(v[j], buf) == 0;
                        /* At or beneath a carve-out: read-only already, and a read-write bind there
                         * would make it writable again. */
                        for (size_t j = 0; j < n && !skip; j++)
                                skip = readonly_path_within(buf, present[j], false);
                        if (skip)
                                continue;
                        if (!(v[k] = strdup(buf))) {
                                free_list(v, k);
                                return -ENOMEM;
                        }
                        k++;
                }
        }
        *ret = v;
        *ret_n = k;
        return 0;
}

int readonly_check_pinned(
        int root_fd, const char *root, const char *const *paths, size_t n, ReadonlyLookup how,
        ReadonlyId *ret_ids, RccDiag *diag) {
        for (size_t i = 0; i < n; i++) {
                Found f = FOUND_ABSENT;
                int r = lookup(root_fd, paths[i], how, &f, &ret_ids[i]);

                if (r < 0)
                        return diag_set(
                                diag, r, NULL, 0, 0, "cannot check %s/%s, which holds a read-only path: %s",
                                root, paths[i], strerror(-r));
                switch (f) {
                case FOUND_DIRECTORY:
                        break;
                case FOUND_SYMLINK:
                        return diag_set(
                                diag, -ELOOP, NULL, 0, 0,
                                "%s/%s, which holds a read-only path, is or lies under a symbolic link; "
                                "replace the link",
                                root, paths[i]);
                case FOUND_ABSENT:
                case FOUND_FILE:
                case FOUND_OTHER:
                        return diag_set(
                                diag, -ESTALE, NULL, 0, 0,
                                "%s/%s, which holds a read-only path, is no longer a directory; it changed "
                                "while the session started",
                                root, paths[i]);
                }
        }
        return 0;
}
