/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"

#if HAVE_LIBAUDIT
#include <libaudit.h>
#endif

#include "log.h"
#include "record.h"

static const struct {
        const char *op;
        int priority;
        bool success;
} events[] = {
        [RECORD_APPLIED] = {"applied", LOG_NOTICE, true},  [RECORD_APPLY_FAILED] = {"apply", LOG_ERR, false},
        [RECORD_REMOVED] = {"removed", LOG_NOTICE, true},  [RECORD_LOST] = {"lost", LOG_WARNING, false},
        [RECORD_RESUMED] = {"resumed", LOG_NOTICE, true},  [RECORD_CUT] = {"cut", LOG_ERR, false},
        [RECORD_STOPPED] = {"stopped", LOG_WARNING, true},
};

#if HAVE_LIBAUDIT
static void audit_record(RecordEvent ev, const char *text) {
        char msg[1024];
        int fd = audit_open();

        if (fd < 0)
                return; /* no audit in this kernel or this namespace */
        if (audit_is_enabled(fd) == 1) {
                char *nv = audit_encode_nv_string("msg", text, 0);
                snprintf(msg, sizeof msg, "op=rcc-firewall-%s %s", events[ev].op, nv ? nv : "");
                free(nv);
                /* The journal gets the event below either way; say that audit did not. */
                if (audit_log_user_message(
                            fd, AUDIT_USYS_CONFIG, msg, NULL, NULL, NULL, events[ev].success) <= 0)
                        log_audit(LOG_WARNING, "the audit record of this event was not written: %m");
        }
        close(fd);
}
#endif

void service_record(RecordEvent ev, const char *fmt, ...) {
        char text[900];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
#if HAVE_LIBAUDIT
        audit_record(ev, text);
#endif
        log_audit(events[ev].priority, "%s", text);
}
