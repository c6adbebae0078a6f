/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "log.h"

static const char *program_name = "rcc";
static bool also_syslog;

void log_open(const char *program) {
        program_name = program;
        openlog(program, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

_printf_(2, 0) static void vlog_stderr(int priority, const char *fmt, va_list ap) {
        const char *level = priority <= LOG_ERR ? "error: " : priority == LOG_WARNING ? "warning: " : "";

        fprintf(stderr, "%s: %s", program_name, level);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

void log_to_syslog(void) {
        also_syslog = true;
}

void log_msg(int priority, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vlog_stderr(priority, fmt, ap);
        va_end(ap);
        if (also_syslog) {
                va_start(ap, fmt);
                vsyslog(LOG_DAEMON | priority, fmt, ap);
                va_end(ap);
        }
}

void log_audit(int priority, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vlog_stderr(priority, fmt, ap);
        va_end(ap);
        va_start(ap, fmt);
        vsyslog(LOG_AUTHPRIV | priority, fmt, ap);
        va_end(ap);
}

int log_errno(int r, const char *fmt, ...) {
        char buf[1024];
        va_list ap;

        errno = r < 0 ? -r : r; /* for %m */
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        log_error("%s", buf);
        return r;
}

int log_diag(int r, const RccDiag *diag) {
        char buf[DIAG_STRLEN];

        log_error("%s", diag_format(diag, buf, sizeof buf));
        return r;
}
