/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging for the command-line tools: messages go to stderr prefixed with the program's name;
 * log_audit() also records the event in syslog (LOG_AUTHPRIV), for what an admin must be able to
 * find later (rulesets applied or removed). Library code does not log.
 */
#pragma once

#include <syslog.h>

#include "diag.h"

void log_open(const char *program);
/* Every message to syslog too, not only log_audit()'s: for a daemon whose stderr goes nowhere. */
void log_to_syslog(void);
void log_msg(int priority, const char *fmt, ...) _printf_(2, 3);
void log_audit(int priority, const char *fmt, ...) _printf_(2, 3);

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)

/* Log an error (fmt may use %m for r, a negative or positive errno) and return r. */
int log_errno(int r, const char *fmt, ...) _printf_(2, 3);

/* Print the diagnostic ("FILE:LINE:COL: what") and return r. */
int log_diag(int r, const RccDiag *diag);
