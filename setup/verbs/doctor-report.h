/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What rcc-setup doctor says, in either of its forms: for a human, one line per finding and a
 * summary line; with --json, one JSON document for scripts and monitoring (rcc-setup(8), DOCTOR):
 *
 *   {"version":1,"summary":{"ok":N,"warn":N,"fail":N,"skip":N},"checks":[
 *   {"name":"sshd","verdict":"warn","message":"...","fix":"..."},
 *   ...
 *   ]}
 *
 * No I/O but to the FILE it is given, so that both forms are unit-tested
 * (tests/unit/test-doctor-report.c).
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

typedef enum Verdict {
        VERDICT_OK,
        VERDICT_WARN, /* works, but weaker than it should be */
        VERDICT_FAIL, /* a session would not be safe, or would not start */
        VERDICT_SKIP, /* could not be checked here (as this user); the line says why */
        _VERDICT_MAX,
} Verdict;

#define DOCTOR_JSON_VERSION 1

typedef struct DoctorReport {
        FILE *out;
        bool json;
        FILE *checks; /* json: the checks so far, until the summary can go before them */
        char *checks_text;
        size_t checks_len;
        unsigned count[_VERDICT_MAX];
        unsigned n; /* findings so far */
} DoctorReport;

/* Start a report to out, as text or (json) JSON. -ENOMEM when there is no room for it. */
int doctor_report_open(DoctorReport *r, FILE *out, bool json);

/* One finding of the check named check ("sshd", "policy", ...): its verdict, what was found and,
 * for warn and fail, the fix (or NULL). Text: written at once; JSON: kept for the end. */
void doctor_report_add(DoctorReport *r, const char *check, Verdict v, const char *message, const char *fix);

/* Text: the summary line; JSON: the whole document. Frees what the report holds. Returns 0;
 * -ENOMEM when the findings did not fit in memory (JSON: then nothing is written); -EIO when out
 * could not be written (stdout closed, disk full). */
int doctor_report_close(DoctorReport *r);
