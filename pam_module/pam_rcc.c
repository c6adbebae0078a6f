/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam_rcc: the session gate of rcc's sandbox accounts.
 *
 *   account  refuses, with one line to the human and a record of why, a session that would not be
 *            safe (gate.h lists the checks); PAM_IGNORE for every user that is not a sandbox
 *            account.
 *   session  open: the same checks again (the firewall may have gone since), then the session
 *            record rcc-shell reads (lib/session-record.h) and RCC_SESSION in the PAM
 *            environment; close: the record is removed. An audit record for each.
 *
 * It lives inside sshd and sudo, so: no global state, nothing allocated that is not freed on every
 * path, no output but through PAM's conversation and logging, and the host's static user
 * database entry left alone.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "args.h"
#include "audit.h"
#include "gate.h"
#include "macro.h"
#include "record-store.h"

#define DATA_SESSION "pam_rcc.session"
#define DATA_ACCOUNT "pam_rcc.account"

/* What open_session leaves for close_session in the PAM handle. */
typedef struct OpenSession {
        char token[SESSION_TOKEN_LEN + 1];
        SessionRecord record;
} OpenSession;

static void warn_arg(void *userdata, const char *arg, const char *why) {
        pam_syslog(userdata, LOG_WARNING, "ignoring argument '%s': %s", arg, why);
}

static void facts_of(const GateResult *res, AuditFacts *ret) {
        *ret = (AuditFacts){
                .account = res->record.account,
                .invoker = res->record.invoker,
                .via = res->record.invoker[0] ? session_via_to_string(res->record.via) : NULL,
                .project = res->record.project,
                .reason = res->reason,
                .message = res->message,
        };
}

/* Run the gate for this PAM request. Returns PAM_IGNORE, PAM_SUCCESS, or refusal (after telling
 * the human and recording it). */
static int run_gate(pam_handle_t *pamh, int argc, const char **argv, bool account_phase, GateResult *res) {
        const char *phase = account_phase ? "account" : "session";
        /* Not PAM_SESSION_ERR in the session phase: sudo takes that for a harmless failure and
         * runs the command anyway. */
        int refusal = PAM_PERM_DENIED;
        const void *user = NULL, *ruser = NULL;
        char cwd[PATH_MAX];
        PamArgs args;
        AuditFacts facts;

        pam_args_parse(argc, argv, &args, warn_arg, pamh);
        if (pam_get_item(pamh, PAM_USER, &user) != PAM_SUCCESS || !user)
                return PAM_IGNORE; /* the application or an earlier module deals with that */
        (void)pam_get_item(pamh, PAM_RUSER, &ruser);

        GateRequest req = {
                .config_dir = args.config_dir,
                .user = user,
                .ruid = getuid(),
                .ruser = ruser,
                .ssh_auth_info = pam_getenv(pamh, "SSH_AUTH_INFO_0"),
                .cwd = getcwd(cwd, sizeof cwd),
                .account_phase = account_phase,
        };
        gate_check(&req, res);
        switch (res->verdict) {
        case GATE_IGNORE:
                if (args.debug)
                        pam_syslog(
                                pamh, LOG_DEBUG, "%s: '%s' is not a sandbox account", phase,
                                (const char *)user);
                return PAM_IGNORE;
        case GATE_ALLOW:
                if (args.debug && res->deferred)
                        pam_syslog(
                                pamh, LOG_DEBUG,
                                "%s: policy and firewall hold for '%s'; who is asking is checked when the "
                                "session opens (sshd has not said which key yet)",
                                phase, res->record.account);
                else if (args.debug)
                        pam_syslog(
                                pamh, LOG_DEBUG, "%s: allowed '%s' for '%s' via %s, project '%s'", phase,
                                res->record.account, res->record.invoker,
                                session_via_to_string(res->record.via), res->record.project);
                return PAM_SUCCESS;
        case GATE_REFUSE:
                break;
        }
        pam_error(pamh, "%s", res->message);
        facts_of(res, &facts);
        audit_session_event(pamh, AUDIT_EVENT_REFUSED, &facts);
        return refusal;
}

static void free_data(pam_handle_t *pamh _unused_, void *data, int error_status _unused_) {
        free(data);
}

/* The account phase remembers whom it let in, so that the session phase can insist on the same
 * human: between the two, other modules (pam_env with user_readenv, say) may rewrite the PAM
 * environment that sshd's SSH_AUTH_INFO_0 lives in. */
_public_ int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags _unused_, int argc, const char **argv) {
        _cleanup_free_ SessionRecord *seen = NULL;
        GateResult res;
        int r;

        r = run_gate(pamh, argc, argv, true, &res);
        if (r != PAM_SUCCESS)
                return r;
        seen = malloc(sizeof *seen);
        if (seen)
                *seen = res.record;
        if (!seen || pam_set_data(pamh, DATA_ACCOUNT, seen, free_data) != PAM_SUCCESS) {
                pam_syslog(pamh, LOG_CRIT, "out of memory");
                return PAM_BUF_ERR;
        }
        TAKE_PTR(seen); /* PAM owns it now */
        return PAM_SUCCESS;
}

/* Whether the session phase found the human the account phase let in (when there was one). */
static bool same_as_account_phase(pam_handle_t *pamh, const SessionRecord *rec) {
        const void *data = NULL;

        if (pam_get_data(pamh, DATA_ACCOUNT, &data) != PAM_SUCCESS || !data)
                return true;
        const SessionRecord *seen = data;
        if (!seen->invoker[0])
                return true; /* sshd: the account phase could not know yet */
        return seen->via == rec->via && strcmp(seen->invoker, rec->invoker) == 0 &&
               strcmp(seen->account, rec->account) == 0;
}

_public_ int pam_sm_open_session(pam_handle_t *pamh, int flags _unused_, int argc, const char **argv) {
        _cleanup_free_ OpenSession *data = NULL;
        char env[sizeof RCC_SESSION_ENV + 1 + SESSION_TOKEN_LEN + 1];
        RccDiag diag = {};
        GateResult res;
        AuditFacts facts;
        int r;

        r = run_gate(pamh, argc, argv, false, &res);
        if (r != PAM_SUCCESS)
                return r;
        if (!same_as_account_phase(pamh, &res.record)) {
                res.reason = "invoker-changed";
                snprintf(
                        res.message, sizeof res.message,
                        "rcc: session of '%s' refused: the human behind it changed after the account check "
                        "(now '%s'); an admin checks the PAM stack (pam_rcc must come first)",
                        res.record.account, res.record.invoker);
                goto refuse;
        }

        data = calloc(1, sizeof *data);
        if (!data) {
                res.reason = "internal";
                snprintf(
                        res.message, sizeof res.message, "rcc: session of '%s' refused: out of memory",
                        res.record.account);
                goto refuse;
        }
        data->record = res.record;
        if (record_store(RCC_SESSION_DIR, &res.record, res.gid, data->token, &diag) < 0) {
                char buf[DIAG_STRLEN];

                res.reason = "internal";
                snprintf(
                        res.message, sizeof res.message,
                        "rcc: session of '%s' refused: cannot record it (%s)", res.record.account,
                        diag_format(&diag, buf, sizeof buf));
                goto refuse;
        }
        snprintf(env, sizeof env, "%s=%s", RCC_SESSION_ENV, data->token);
        if (pam_putenv(pamh, env) != PAM_SUCCESS ||
            pam_set_data(pamh, DATA_SESSION, data, free_data) != PAM_SUCCESS) {
                (void)record_remove(RCC_SESSION_DIR, data->token, &diag);
                res.reason = "internal";
                snprintf(
                        res.message, sizeof res.message, "rcc: session of '%s' refused: out of memory",
                        res.record.account);
                goto refuse;
        }
        TAKE_PTR(data); /* PAM owns it now */
        facts_of(&res, &facts);
        audit_session_event(pamh, AUDIT_EVENT_START, &facts);
        return PAM_SUCCESS;

refuse:
        pam_error(pamh, "%s", res.message);
        facts_of(&res, &facts);
        audit_session_event(pamh, AUDIT_EVENT_REFUSED, &facts);
        return PAM_PERM_DENIED;
}

_public_ int pam_sm_close_session(
        pam_handle_t *pamh, int flags _unused_, int argc _unused_, const char **argv _unused_) {
        const void *data = NULL;
        RccDiag diag = {};

        /* Only a session this module opened, with this handle, has a record to close. */
        if (pam_get_data(pamh, DATA_SESSION, &data) != PAM_SUCCESS || !data)
                return PAM_IGNORE;
        const OpenSession *opened = data;
        AuditFacts facts = {
                .account = opened->record.account,
                .invoker = opened->record.invoker,
                .via = session_via_to_string(opened->record.via),
                .project = opened->record.project,
        };
        if (record_remove(RCC_SESSION_DIR, opened->token, &diag) < 0) {
                char buf[DIAG_STRLEN];
                pam_syslog(pamh, LOG_ERR, "%s", diag_format(&diag, buf, sizeof buf));
        }
        audit_session_event(pamh, AUDIT_EVENT_END, &facts);
        (void)pam_set_data(pamh, DATA_SESSION, NULL, NULL); /* frees it */
        return PAM_SUCCESS;
}

/* Listed in an auth or password stack by mistake: not ours to decide. */
_public_ int pam_sm_authenticate(
        pam_handle_t *pamh _unused_, int flags _unused_, int argc _unused_, const char **argv _unused_) {
        return PAM_IGNORE;
}

_public_ int pam_sm_setcred(
        pam_handle_t *pamh _unused_, int flags _unused_, int argc _unused_, const char **argv _unused_) {
        return PAM_IGNORE;
}
