/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-firewall denials: what rcc-firewalld recorded (firewall/service/denials.h), for an admin:
 * each refused destination once per account, with its count, the reason in words and the lines
 * of policy that would allow it, as text or JSON.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "denial.h"
#include "policy.h"

typedef struct DenialsReport {
        const Policy *policy; /* for the accounts' names, modes and files */
        const char *config_dir;
        const char *account; /* only this account's, or NULL */
        int64_t since;       /* only those refused at or after this time (0: all) */
        bool json;
        Denial *entries;
        size_t n, allocated;
        uint64_t packets, evicted; /* the service's totals */
} DenialsReport;

/* One line of the service's answer: "denial LINE" or "totals PACKETS EVICTED N". */
int denials_report_add(DenialsReport *r, const char *verb_line, const char *text);
/* Print the report on stdout. */
int denials_report_print(DenialsReport *r);
void denials_report_done(DenialsReport *r);

/* "30s", "10m", "2h", "7d": seconds; -EINVAL otherwise. */
int parse_duration(const char *s, int64_t *ret);
