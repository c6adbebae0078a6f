/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "diag.h"

int diag_setv(
        RccDiag *diag, int r, const char *file, unsigned line, unsigned column, const char *fmt,
        va_list ap) {
        if (!diag)
                return r;
        snprintf(diag->file, sizeof diag->file, "%s", file ? file : "");
        diag->line = line;
        diag->column = column;
        vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
        return r;
}

void diag_record(
        RccDiag *diag, int r, const char *file, unsigned line, unsigned column, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_setv(diag, r, file, line, column, fmt, ap);
        va_end(ap);
}

const char *diag_format(const RccDiag *diag, char *buf, size_t size) {
        if (diag->file[0] == '\0')
                snprintf(buf, size, "%s", diag->msg);
        else if (diag->line == 0)
                snprintf(buf, size, "%s: %s", diag->file, diag->msg);
        else
                snprintf(buf, size, "%s:%u:%u: %s", diag->file, diag->line, diag->column, diag->msg);
        return buf;
}
