/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading files the way doas reads doas.conf: opened without following a symlink at the last
 * component, checked on the descriptor (the kind of file; for a trusted one, root's and writable by
 * no one else), and read to a bound. Every error says which file and what to do about it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef enum FileKind {
        FILE_REGULAR,
        FILE_DIRECTORY,
} FileKind;

typedef struct TrustOptions {
        FileKind kind;
        bool allow_own; /* the calling user's own files are trusted too (tests, unprivileged tools) */
} TrustOptions;

/* Open name in dirfd (or an absolute name with AT_FDCWD) read-only, O_NOFOLLOW|O_CLOEXEC, and check
 * it is the kind asked for, owned by root (or the caller, with allow_own) and not writable by group
 * or others. path names it in messages. */
int file_open_trusted(
        int dirfd, const char *name, const char *path, const TrustOptions *opts, int *ret_fd, RccDiag *diag);

/* The one read loop: all of fd, to its end, into a NUL-terminated malloc()ed buffer. -EFBIG past
 * max bytes (whatever fstat() says: /proc and /sys files report 0 or 4096), -ENOMEM, -errno. */
int file_read_fd(int fd, size_t max, char **ret, size_t *ret_len);

/* A regular file name in dirfd (or a path with AT_FDCWD), opened without following a symlink at
 * the last component, read with file_read_fd(). -EINVAL for anything but a regular file. */
int file_read_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len);

/* file_read_fd() with its errors in diag: -EFBIG says it should be a small WHAT ("policy file"). */
int file_read_bounded(
        int fd, size_t max, const char *path, const char *what, char **ret, size_t *ret_len, RccDiag *diag);

/* file_open_trusted() of a regular file, then file_read_bounded(). */
int file_read_trusted(
        const char *path, size_t max, bool allow_own, const char *what, char **ret, size_t *ret_len,
        RccDiag *diag);

/* The one write loop: all of buf to fd, through short writes and EINTR. 0 or -errno. */
int file_write_all(int fd, const void *buf, size_t len);
