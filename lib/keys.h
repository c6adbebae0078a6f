/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keys file of a sandbox account, RCC_KEYS_DIR/ACCOUNT: sshd's AuthorizedKeysFile for it, and
 * the record of which human each key belongs to. rcc-setup writes one line per key:
 *
 *     restrict,pty ssh-ed25519 AAAAC3Nz... rcc-invoker=alice
 *
 * The options are fixed; the comment field names the human. The file is root-owned, so who a key
 * belongs to is decided by root, never by the client or the agent. A key appears at most once.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define KEYS_OPTIONS "restrict,pty"
#define KEYS_INVOKER_PREFIX "rcc-invoker="
#define KEYS_MAX_FILE_SIZE (1024u * 1024)

typedef struct SshKey {
        char type[64];   /* "ssh-ed25519", "ecdsa-sha2-nistp256", ... */
        char blob[8192]; /* base64, as in authorized_keys */
} SshKey;

/* Parse one public key line as a human keeps it (~/.ssh/id_ed25519.pub, an authorized_keys line
 * without options): "TYPE BLOB [COMMENT]". Only key types sshd accepts for users; the blob must be
 * base64 whose embedded type matches TYPE. */
int ssh_key_parse(const char *line, SshKey *ret, RccDiag *diag);

/* The line rcc-setup writes for KEY of USER (no newline), into buf. -ENOBUFS if it does not fit. */
int keys_format_line(const SshKey *key, const char *user, char *buf, size_t size);

/* Find KEY in the keys file at PATH (opened O_NOFOLLOW, must be root-owned and not writable by
 * group or others unless allow_own_file) and return the human it belongs to in user (size bytes).
 * -ENOENT (with diag) when the key is not there; other negative errno for an unreadable or
 * malformed file. */
int keys_find_invoker(
        const char *path, bool allow_own_file, const SshKey *key, char *user, size_t size, RccDiag *diag);

/* The public key that authenticated an ssh session, from what sshd wrote for it (ExposeAuthInfo's
 * SSH_USER_AUTH file, or PAM's SSH_AUTH_INFO_0): lines "publickey TYPE BLOB"; the last publickey
 * line wins. -ENOENT when there is none (password or keyboard-interactive login). */
int ssh_auth_info_key(const char *text, SshKey *ret, RccDiag *diag);
