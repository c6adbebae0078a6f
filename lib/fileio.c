/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

int file_open_trusted(
        int dirfd, const char *name, const char *path, const TrustOptions *opts, int *ret_fd,
        RccDiag *diag) {
        bool directory = opts->kind == FILE_DIRECTORY;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
        if (fd < 0) {
                int r = negative_errno();

                /* O_NOFOLLOW|O_DIRECTORY on a symlink fails with ENOTDIR: say what it really is. */
                if ((r == -ELOOP || r == -ENOTDIR) && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISLNK(st.st_mode))
                        return diag_set(
                                diag, -ELOOP, path, 0, 0, "is a symbolic link; expected a %s",
                                directory ? "directory" : "regular file");
                if (r == -ENOTDIR)
                        return diag_set(diag, r, path, 0, 0, "not a directory");
                return diag_set(diag, r, path, 0, 0, "cannot open: %s", strerror(-r));
        }
        if (fstat(fd, &st) < 0)
                return diag_set(diag, negative_errno(), path, 0, 0, "cannot stat: %m");
        if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
                return diag_set(
                        diag, -EINVAL, path, 0, 0, "not a %s", directory ? "directory" : "regular file");
        if (st.st_uid != 0 && !(opts->allow_own && st.st_uid == geteuid()))
                return diag_set(
                        diag, -EPERM, path, 0, 0, "owned by uid %u; expected root (uid 0)%s",
                        (unsigned)st.st_uid, opts->allow_own ? " or the calling user" : "");
        if (st.st_mode & (S_IWGRP | S_IWOTH))
                return diag_set(
                        diag, -EPERM, path, 0, 0,
                        "writable by group or others (mode %04o); fix with chmod go-w",
                        (unsigned)(st.st_mode & 07777));
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int file_read_fd(int fd, size_t max, char **ret, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, size = 0;

        /* Read to the end, bounded by max, not by st_size: files of /proc and securityfs say 0
         * bytes, those of /sys 4096, whatever they hold. */
        for (;;) {
                ssize_t n;

                if (len == size) {
                        size_t nsize = size == 0 ? 4096 : size * 2;
                        char *nbuf;

                        if (size > max)
                                break;
                        nbuf = realloc(buf, nsize + 1);
                        if (!nbuf)
                                return -ENOMEM;
                        buf = nbuf;
                        size = nsize;
                }
                n = read(fd, buf + len, size - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (len > max)
                return -EFBIG;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int file_read_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd =
                openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        return file_read_fd(fd, max, ret, ret_len);
}

int file_read_bounded(
        int fd, size_t max, const char *path, const char *what, char **ret, size_t *ret_len, RccDiag *diag) {
        int r = file_read_fd(fd, max, ret, ret_len);

        if (r == -EFBIG)
                return diag_set(
                        diag, r, path, 0, 0, "larger than %zu bytes; expected a small %s", max,
                        what ? what : "file");
        if (r == -ENOMEM)
                return diag_set(diag, r, path, 0, 0, "out of memory");
        if (r < 0)
                return diag_set(diag, r, path, 0, 0, "cannot read: %s", strerror(-r));
        return 0;
}

int file_read_trusted(
        const char *path, size_t max, bool allow_own, const char *what, char **ret, size_t *ret_len,
        RccDiag *diag) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = file_open_trusted(
                AT_FDCWD, path, path, &(TrustOptions){.kind = FILE_REGULAR, .allow_own = allow_own}, &fd,
                diag);
        if (r < 0)
                return r;
        return file_read_bounded(fd, max, path, what, ret, ret_len, diag);
}

int file_write_all(int fd, const void *buf, size_t len) {
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                p += n;
                len -= (size_t)n;
        }
        return 0;
}
