/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files on the host, two ways. Plain: read whole, written so that a crash leaves either the old
 * file or the new one and never half of one, one line added or removed. Recorded: the changes
 * install makes, each entered in the manifest before it is made, so uninstall removes exactly
 * what rcc-setup wrote and never what it did not.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "context.h"

/* ---- plain ---- */

/* Read a whole (small) file into a NUL-terminated buffer. -EFBIG above max bytes. */
int read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* Write data to path atomically: a temporary file in the same directory (".NAME.XXXXXX"), fsync,
 * fchmod/fchown to mode/uid/gid, rename over path. The dot-prefixed temporary is what keeps
 * accounts.d's "unknown file" check quiet during the write. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid);
/* The first half of that: the data in a new ".NAME.XXXXXX" next to path, synced, with mode and
 * owner; its name in *ret_tmp, for a check (visudo -c, sshd -t) before the caller renames it. */
int write_file_temp(
        const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid, char **ret_tmp);

/* Add or remove one whole line in a line-oriented file (/etc/shells, cron.deny, at.deny),
 * atomically; absent file is created on add (mode 0644 root). Returns 1 if the file changed, 0 if
 * the line was already there (add) or absent (remove). */
int file_add_line(const char *path, const char *line);
int file_remove_line(const char *path, const char *line);

/* ---- recorded in the manifest ---- */

/* RCC_STATE_DIR and its missing parents, recorded (the manifest lives there). */
int ensure_state_dir(Setup *s);
/* Create directory path (root-owned, mode) unless it exists; record it for account (NULL: shared). */
int ensure_dir(Setup *s, const char *path, mode_t mode, const char *account);
/* Write path (root-owned, mode) only if it does not exist. Returns 1 if written. */
int ensure_file(Setup *s, const char *path, const char *content, mode_t mode, const char *account);
/* Write path (root-owned, mode), replacing what rcc-setup wrote there before. Refuses (-EEXIST) to
 * replace a file rcc-setup did not write unless it already has this content. Returns 1 if the
 * file changed. */
int replace_file(Setup *s, const char *path, const char *content, mode_t mode, const char *account);
/* The same, but the new content is first written to a dot-file next to path, and check(tmp) must
 * return 0 before it is renamed into place. */
int replace_file_checked(
        Setup *s, const char *path, const char *content, mode_t mode, const char *account,
        int (*check)(const char *tmp));
/* Whether path was written by rcc-setup with exactly its current content. */
bool file_is_ours(const Setup *s, const char *path);
/* Append line to path (created 0644 if absent) and record it. */
int ensure_line(Setup *s, const char *path, const char *line, const char *account);
