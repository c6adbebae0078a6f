/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "audit.h"
#include "config.h"
#include "macro.h"

#if HAVE_LIBAUDIT
#include <libaudit.h>
#endif
#if HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

static const char *event_word(AuditEvent ev) {
        switch (ev) {
        case AUDIT_EVENT_START:
                return "start";
        case AUDIT_EVENT_END:
                return "end";
        case AUDIT_EVENT_REFUSED:
                return "refused";
        }
        return "?";
}

static const char *or_dash(const char *s) {
        return s && s[0] ? s : "-";
}

#if HAVE_LIBAUDIT
/* " NAME=VALUE", VALUE encoded the way audit tools decode it (hex when it has spaces or quotes). */
static void append_nv(char *buf, size_t size, const char *name, const char *value) {
        _cleanup_free_ char *nv = audit_encode_nv_string(name, or_dash(value), 0);
        size_t len = strlen(buf);

        if (nv && len < size)
                snprintf(buf + len, size - len, " %s", nv);
}

/* true when the kernel took the record. */
static bool audit_send(pam_handle_t *pamh, AuditEvent ev, const AuditFacts *f) {
        static const int types[] = {
                [AUDIT_EVENT_START] = AUDIT_USER_START,
                [AUDIT_EVENT_END] = AUDIT_USER_END,
                [AUDIT_EVENT_REFUSED] = AUDIT_USER_ERR,
        };
        const void *tty = NULL, *rhost = NULL;
        char msg[2048] = "op=rcc-session";
        int fd, r;

        fd = audit_open();
        if (fd < 0)
                return false; /* no audit in this kernel or this namespace */
        if (audit_is_enabled(fd) != 1) {
                close(fd);
                return false;
        }
        append_nv(msg, sizeof msg, "acct", f->account);
        append_nv(msg, sizeof msg, "invoker", f->invoker);
        append_nv(msg, sizeof msg, "via", f->via);
        append_nv(msg, sizeof msg, "project", f->project);
        if (ev == AUDIT_EVENT_REFUSED)
                append_nv(msg, sizeof msg, "reason", f->reason);
        (void)pam_get_item(pamh, PAM_TTY, &tty);
        (void)pam_get_item(pamh, PAM_RHOST, &rhost);
        r = audit_log_user_message(fd, types[ev], msg, rhost, NULL, tty, ev == AUDIT_EVENT_REFUSED ? 0 : 1);
        close(fd);
        return r > 0;
}
#endif

#if HAVE_LIBSYSTEMD
static bool journal_running(void) {
        return access("/run/systemd/journal/socket", F_OK) == 0;
}
#endif

void audit_session_event(pam_handle_t *pamh, AuditEvent ev, const AuditFacts *f) {
        char text[2560];
        int priority = ev == AUDIT_EVENT_REFUSED ? LOG_WARNING : LOG_INFO;
        bool audited = false;

        if (ev == AUDIT_EVENT_REFUSED)
                snprintf(
                        text, sizeof text,
                        "session refused (%s): account=%s invoker=%s via=%s project=%s: %s",
                        or_dash(f->reason), or_dash(f->account), or_dash(f->invoker), or_dash(f->via),
                        or_dash(f->project), or_dash(f->message));
        else
                snprintf(
                        text, sizeof text, "session %s: account=%s invoker=%s via=%s project=%s",
                        event_word(ev), or_dash(f->account), or_dash(f->invoker), or_dash(f->via),
                        or_dash(f->project));

#if HAVE_LIBAUDIT
        audited = audit_send(pamh, ev, f);
#endif
#if HAVE_LIBSYSTEMD
        if (journal_running() &&
            sd_journal_send(
                    "MESSAGE=pam_rcc: %s%s", text, audited ? "" : " (kernel audit not enabled)",
                    "PRIORITY=%d", priority, "SYSLOG_FACILITY=%d", LOG_AUTHPRIV >> 3,
                    "SYSLOG_IDENTIFIER=pam_rcc", "RCC_EVENT=%s", event_word(ev), "RCC_ACCOUNT=%s",
                    or_dash(f->account), "RCC_INVOKER=%s", or_dash(f->invoker), "RCC_VIA=%s",
                    or_dash(f->via), "RCC_PROJECT=%s", or_dash(f->project), "RCC_REASON=%s",
                    or_dash(f->reason), NULL) == 0)
                return;
#endif
        pam_syslog(pamh, priority, "%s%s", text, audited ? "" : " (kernel audit not enabled)");
}
