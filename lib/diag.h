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

/* Record an error and evaluate to r (a negative errno), so callers can write "return diag_set(...)".
 * A macro, so that the compiler sees which value comes back: r is a constant or a value the caller
 * has just found negative, and a function that returns diag_set(...) on every error path is seen
 * to fail with a negative value on each. A caller's `if (r < 0) return r;` then covers them all,
 * and what the function sets only on success (its ret_ parameters) is not "maybe uninitialized"
 * after it (GCC 14 could not see through the call). */
#define diag_set(diag, r, file, line, column, ...)                                   \
        ({                                                                           \
                int _diag_r = (r);                                                   \
                diag_record((diag), _diag_r, (file), (line), (column), __VA_ARGS__); \
                _diag_r;                                                             \
        })
void diag_record(
        RccDiag *diag, int r, const char *file, unsigned line, unsigned column, const char *fmt, ...)
        _printf_(6, 7);
int diag_setv(
        RccDiag *diag, int r, const char *file, unsigned line, unsigned column, const char *fmt, va_list ap)
        _printf_(6, 0);

/* Room for diag_format() of any RccDiag. */
#define DIAG_STRLEN (sizeof((RccDiag){}.file) + sizeof((RccDiag){}.msg) + 32)

/* "FILE:LINE:COLUMN: MSG", "FILE: MSG" or "MSG", whatever is known, into buf. */
const char *diag_format(const RccDiag *diag, char *buf, size_t size);
