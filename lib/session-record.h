/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session record: how pam_rcc tells rcc-shell who the human behind a session is, and (under
 * sudo) which project they asked for.
 *
 * pam_rcc, running as root inside sshd or sudo once every check has passed, writes
 * RCC_SESSION_DIR/TOKEN (TOKEN: 32 random hex digits), owned by root and readable by the
 * account's group only, and puts RCC_SESSION=TOKEN into the PAM environment, which sshd and sudo
 * hand to the account's shell. rcc-shell reads the record named by that token and trusts nothing
 * else about who is asking. Why nobody can forge it:
 *
 *   - the record: only root writes RCC_SESSION_DIR (root-owned, 0711: a token cannot be found by
 *     listing); humans cannot read it (0640 root:ACCOUNT-GROUP);
 *   - the token: sshd takes it from the PAM environment, and a client may send no variable but
 *     RCC_PROJECT (AcceptEnv in rcc's Match block); sudo, with env_reset, lets the PAM
 *     environment win over anything not in env_keep, and rcc's sudoers rule grants no SETENV;
 *   - the record names the account's uid, so a token only ever opens a session of that account;
 *     the only processes that could learn another session's token are that account's own, which
 *     already have everything the record would give them.
 *
 * pam_rcc removes the record when the PAM session closes.
 *
 * Format: "key=value" lines, each key exactly once, no others:
 *     version=1  account=NAME  uid=N  invoker=NAME  via=ssh|sudo  project=/ABS/PATH or empty
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "diag.h"
#include "paths.h"

#define RCC_SESSION_ENV "RCC_SESSION"
#define SESSION_TOKEN_LEN 32
#define SESSION_RECORD_MAX 8192

typedef enum SessionVia {
        SESSION_VIA_SSH,  /* the key that authenticated, in the account's root-owned keys file */
        SESSION_VIA_SUDO, /* the real uid of the process that asked PAM (sudo's caller) */
} SessionVia;

typedef struct SessionRecord {
        char account[64];
        uid_t uid;
        char invoker[64];
        SessionVia via;
        char project[PATH_MAX]; /* sudo: the resolved working directory; ssh: the default or "" */
} SessionRecord;

const char *session_via_to_string(SessionVia via);

/* Whether s is a well-formed token: exactly SESSION_TOKEN_LEN lowercase hex digits. */
bool session_token_valid(const char *s);

/* The record as text into buf. -ENOBUFS if it does not fit; -EINVAL if a field could not be read
 * back (a newline in a name or path, a relative project). */
int session_record_format(const SessionRecord *rec, char *buf, size_t size);

/* Parse text (len bytes, need not be NUL-terminated) strictly. On failure *ret is untouched. */
int session_record_parse(const char *text, size_t len, SessionRecord *ret, RccDiag *diag);

/* Read the record of TOKEN for the account with uid, as rcc-shell does: the directory and the
 * file must be root's and not writable by anyone else, and the record must name uid. */
int session_record_read(const char *dir, const char *token, uid_t uid, SessionRecord *ret, RccDiag *diag);
