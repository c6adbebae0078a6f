/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record of what rcc-firewalld did to the table and to the sessions: a kernel audit record
 * (AUDIT_USYS_CONFIG, op=rcc-firewall-EVENT) where auditing is enabled, and always a line in
 * syslog (LOG_AUTHPRIV, as log_audit() writes) and on stderr (the journal, under systemd).
 */
#pragma once

#include "macro.h"

typedef enum RecordEvent {
        RECORD_APPLIED,
        RECORD_APPLY_FAILED,
        RECORD_REMOVED,
        RECORD_LOST,    /* the table changed under the service: sessions held */
        RECORD_RESUMED, /* ...and going on again */
        RECORD_CUT,     /* ...or cut for good */
        RECORD_STOPPED, /* the service stopped: sessions held until one is back */
} RecordEvent;

void service_record(RecordEvent ev, const char *fmt, ...) _printf_(2, 3);
