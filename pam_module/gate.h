/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decision pam_rcc makes, apart from PAM itself so that every step reads top to bottom:
 * is this a sandbox account, and if so, may this session start?
 *
 * A sandbox account is a user whose login shell is rcc-shell (rcc-setup makes it so). That test
 * needs no policy, so a broken policy refuses the sandbox accounts and nobody else, and every
 * other user gets GATE_IGNORE before anything is read.
 *
 * For a sandbox account, in this order, each failure refusing the session:
 *   1. the policy loads and names the account;
 *   2. table inet rcc is loaded here, built from that policy, and unmodified;
 *   3. the human is known from a source they cannot forge: under sshd (real uid 0, sshd's
 *      SSH_AUTH_INFO_0 in the PAM environment) the public key that authenticated, looked up in
 *      the account's root-owned keys file; otherwise the real uid of the process that called PAM
 *      (sudo's or su's caller), which must agree with PAM_RUSER when that is set. sshd fills in
 *      SSH_AUTH_INFO_0 only after its account check (OpenSSH's monitor records the method that
 *      succeeded after asking PAM), so in the account phase an empty one defers 3-5 to the
 *      session phase, where sshd shows a refusal to the client and ends the session;
 *   4. the human is one of the account's users;
 *   5. the project is inside their grants after resolving symlinks and "..": under sudo their
 *      working directory; under ssh their default project if they have one (the client names
 *      another in RCC_PROJECT only after PAM has run: rcc-shell checks that one with the same
 *      code, against the human this gate recorded).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "session-record.h"

typedef struct GateRequest {
        const char *config_dir;
        const char *user;          /* PAM_USER: who the session would run as */
        uid_t ruid;                /* real uid of the process that called PAM */
        const char *ruser;         /* PAM_RUSER, or NULL */
        const char *ssh_auth_info; /* SSH_AUTH_INFO_0 from the PAM environment, or NULL */
        const char *cwd;           /* working directory of the process that called PAM, or NULL */
        bool account_phase;        /* pam_sm_acct_mgmt, not pam_sm_open_session */
} GateRequest;

typedef enum GateVerdict {
        GATE_IGNORE, /* not a sandbox account */
        GATE_ALLOW,
        GATE_REFUSE,
} GateVerdict;

typedef struct GateResult {
        GateVerdict verdict;
        const char *reason;   /* GATE_REFUSE: a short word for the audit trail ("firewall-not-loaded") */
        char message[1536];   /* GATE_REFUSE: the one line the human sees */
        gid_t gid;            /* the account's group (record files are readable by it) */
        bool deferred;        /* GATE_ALLOW in the account phase under sshd: 3-5 still to check */
        SessionRecord record; /* as far as known; complete for GATE_ALLOW */
} GateResult;

/* Decide. Never fails: an error that prevents a decision about a sandbox account is a refusal. */
void gate_check(const GateRequest *req, GateResult *ret);
