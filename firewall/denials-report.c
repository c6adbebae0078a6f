/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denials-report.h"
#include "log.h"
#include "macro.h"

int parse_duration(const char *s, int64_t *ret) {
        char *end;
        long long v;
        int64_t unit;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || end == s || v < 0 || !end[0] || end[1])
                return -EINVAL;
        switch (*end) {
        case 's':
                unit = 1;
                break;
        case 'm':
                unit = 60;
                break;
        case 'h':
                unit = 3600;
                break;
        case 'd':
                unit = 86400;
                break;
        default:
                return -EINVAL;
        }
        if (v > INT64_MAX / unit)
                return -ERANGE;
        *ret = v * unit;
        return 0;
}

int denials_report_add(DenialsReport *r, const char *verb_line, const char *text) {
        Denial d;

        if (strncmp(verb_line, "totals ", 7) == 0) {
                size_t n;
                return sscanf(text, "%" SCNu64 " %" SCNu64 " %zu", &r->packets, &r->evicted, &n) == 3
                               ? 0
                               : -EBADMSG;
        }
        if (denial_parse_line(text, &d) < 0)
                return -EBADMSG;
        if (r->since && d.last < r->since)
                return 0;
        if (r->account) {
                const Account *a = policy_find_account_by_uid(r->policy, d.uid);
                if (!a || strcmp(a->name, r->account) != 0)
                        return 0;
        }
        if (r->n == r->allocated) {
                size_t k = r->allocated ? r->allocated * 2 : 64;
                Denial *e = reallocarray(r->entries, k, sizeof *e);
                if (!e)
                        return -ENOMEM;
                r->entries = e;
                r->allocated = k;
        }
        r->entries[r->n++] = d;
        return 0;
}

void denials_report_done(DenialsReport *r) {
        free(r->entries);
        r->entries = NULL;
        r->n = r->allocated = 0;
}

static int by_count(const void *x, const void *y) {
        const Denial *a = x, *b = y;
        if (a->count != b->count)
                return a->count > b->count ? -1 : 1;
        return a->last > b->last ? -1 : a->last < b->last;
}

static void iso_time(int64_t t, char *buf, size_t size) {
        time_t tt = (time_t)t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, size, "%" PRId64, t);
}

/* JSON string: the texts here are ASCII (addresses, validated account names, the policy's file
 * names and the fixed reasons), but any byte below 0x20, '"' and '\\' is escaped all the same, and
 * any byte above 0x7e as \u00XX, so that the output is valid whatever a file name holds. */
static void json_string(const char *s) {
        putchar('"');
        for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
                if (*c == '"' || *c == '\\')
                        printf("\\%c", *c);
                else if (*c < 0x20 || *c > 0x7e)
                        printf("\\u%04x", *c);
                else
                        putchar(*c);
        }
        putchar('"');
}

int denials_report_print(DenialsReport *r) {
        qsort(r->entries, r->n, sizeof *r->entries, by_count);
        if (r->json) {
                printf("{\"version\":1,\"packets\":%" PRIu64 ",\"evicted\":%" PRIu64 ",\"denials\":[",
                       r->packets, r->evicted);
        } else if (r->n == 0)
                printf("no refused connections recorded%s%s\n", r->account ? " for " : "", r->account ?: "");
        for (size_t i = 0; i < r->n; i++) {
                const Denial *d = &r->entries[i];
                const Account *a = policy_find_account_by_uid(r->policy, d->uid);
                char addr[INET6_ADDRSTRLEN] = "?", reason[256], allow[256], first[32], last[32], pb[16],
                     uid[16];
                const char *name =
                        a ? a->name : (snprintf(uid, sizeof uid, "uid %u", (unsigned)d->uid), uid);

                (void)inet_ntop(d->family, d->addr, addr, sizeof addr);
                denial_reason(a, d, reason, sizeof reason);
                denial_allow_lines(d, allow, sizeof allow);
                iso_time(d->first, first, sizeof first);
                iso_time(d->last, last, sizeof last);
                if (r->json) {
                        printf("%s{\"account\":", i ? "," : "");
                        json_string(name);
                        printf(",\"uid\":%u,\"address\":\"%s\",\"protocol\":\"%s\",\"port\":%u,\"count\":%" PRIu64
                               ",\"first\":\"%s\",\"last\":\"%s\",\"reason\":",
                               (unsigned)d->uid, addr, denial_proto_name(d->proto, pb, sizeof pb), d->port,
                               d->count, first, last);
                        json_string(reason);
                        printf(",\"allow\":");
                        json_string(allow);
                        putchar('}');
                        continue;
                }
                printf("%s: %s %s%s%.0u, %" PRIu64 " time%s (%s .. %s): %s\n", name, addr,
                       denial_proto_name(d->proto, pb, sizeof pb), d->port ? " port " : "", d->port,
                       d->count, d->count == 1 ? "" : "s", first, last, reason);
        }
        if (r->json) {
                printf("]}\n");
                return 0;
        }
        if (r->n > 0)
                printf("\nTo allow one, add its lines under network.allow in %s/accounts.d/ACCOUNT.yaml, e.g.\n"
                       "for the first:\n  network:\n    allow:\n",
                       r->config_dir);
        if (r->n > 0) {
                char allow[256];
                denial_allow_lines(&r->entries[0], allow, sizeof allow);
                for (char *line = strtok(allow, "\n"); line; line = strtok(NULL, "\n"))
                        printf("      %s\n", line);
                printf("then run: rcc-setup apply\n");
        }
        if (r->evicted)
                printf("(%" PRIu64 " older destinations were dropped to bound rcc-firewalld's memory)\n",
                       r->evicted);
        return 0;
}
