/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One error type for the whole project: where the problem is (file, line, column; 0 when a
 * position makes no sense) and what to do about it. Filling it in never allocates, so it is
 * safe on the error path inside sshd or under memory pressure.
 */
#pragma once

#include <limits.h>
#include <stdarg.h>

#include "macro.h"

typedef struct RccDiag {
        char file[PATH_MAX];
        unsigned line, column; /* 1-based; 0 when unknown */
        char msg[512];
} RccDiag;

/* Record an error and return r (a negative errno), so callers can write "return diag_set(...)". */
int diag_set(RccDiag *diag, int r, const char *file, unsigned line, unsigned column, const char *fmt, ...)
        _printf_(6, 7);
int diag_setv(
        RccDiag *diag, int r, const char *file, unsigned line, unsigned column, const char *fmt, va_list ap)
        _printf_(6, 0);

/* "FILE:LINE:COLUMN: MSG", "FILE: MSG" or "MSG", whatever is known, into buf. */
const char *diag_format(const RccDiag *diag, char *buf, size_t size);
