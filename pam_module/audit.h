/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit trail of sandbox sessions: one record for every start, end and refusal.
 *
 *   - the kernel audit log (AUDIT_USER_START / AUDIT_USER_END / AUDIT_USER_ERR, op=rcc-session,
 *     with acct, invoker, via, project and reason) when auditing is enabled;
 *   - the journal, with the same facts as RCC_* fields, when journald runs;
 *   - syslog (LOG_AUTHPRIV, through pam_syslog) otherwise.
 *
 * Audit comes in addition to the journal or syslog, never instead: a host without auditd still
 * has a record, and the admin's usual log names every refusal with its reason.
 */
#pragma once

#include <security/pam_modules.h>

typedef enum AuditEvent {
        AUDIT_EVENT_START,
        AUDIT_EVENT_END,
        AUDIT_EVENT_REFUSED,
} AuditEvent;

typedef struct AuditFacts {
        const char *account, *invoker, *via, *project;
        const char *reason;  /* AUDIT_EVENT_REFUSED: a short word */
        const char *message; /* AUDIT_EVENT_REFUSED: what the human was told */
} AuditFacts;

void audit_session_event(pam_handle_t *pamh, AuditEvent ev, const AuditFacts *f);
