/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers every rcc-setup verb uses: running programs by argument vector, and writing files so
 * that a crash leaves either the old file or the new one, never half of one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct RunOptions {
        uid_t uid;              /* run as this user (with its groups, HOME and a clean environment)... */
        bool as_user;           /* ...when set; otherwise as root with a clean environment */
        const char *cwd;        /* NULL: "/" */
        const char *const *env; /* extra NAME=VALUE entries, NULL-terminated, or NULL */
        const char *stdin_path; /* NULL: /dev/null */
        bool quiet;             /* send stdout to /dev/null */
        bool quiet_stderr;      /* and stderr, for a step whose failures are expected */
        char *capture;          /* when set, stdout goes here (NUL-terminated, truncated)... */
        size_t capture_size;    /* ...of this size */
} RunOptions;

/* Run argv[0] (an absolute path) with argv, wait, and return its exit status (0..255), or a
 * negative errno if it could not be started or was killed by a signal. Never uses a shell; the
 * child gets no descriptors beyond 0, 1, 2. */
int run_argv(const char *const *argv, const RunOptions *opts);

/* Write data to path atomically: a temporary file in the same directory (".NAME.XXXXXX"), fsync,
 * fchmod/fchown to mode/uid/gid, rename over path. The dot-prefixed temporary is what keeps
 * accounts.d's "unknown file" check quiet during the write. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid);
/* The first half of that: the data in a new ".NAME.XXXXXX" next to path, synced, with mode and
 * owner; its name in *ret_tmp, for a check (visudo -c, sshd -t) before the caller renames it. */
int write_file_temp(
        const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid, char **ret_tmp);

/* Read a whole (small) file into a NUL-terminated buffer. -EFBIG above max bytes. */
int read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* Add or remove one whole line in a line-oriented file (/etc/shells, cron.deny, at.deny),
 * atomically; absent file is created on add (mode 0644 root). Returns 1 if the file changed, 0 if
 * the line was already there (add) or absent (remove). */
int file_add_line(const char *path, const char *line);
int file_remove_line(const char *path, const char *line);
