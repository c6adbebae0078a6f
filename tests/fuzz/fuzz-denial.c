/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for firewall/denial.c, what rcc-firewalld reads from the kernel's nflog group
 * and what rcc-firewall reads back from the service. The input is used as a packet
 * (denial_parse_packet), as a prefix and as a service line (both NUL-terminated copies).
 *
 * Whatever the input: no crash or overrun; a parsed packet has a family the rest can print, and
 * its line parses back to the same denial; a parsed line formats back to a line that parses the
 * same.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "denial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Field by field: a struct's padding is not part of it. */
static bool same(const Denial *a, const Denial *b) {
        return a->uid == b->uid && a->family == b->family && memcmp(a->addr, b->addr, sizeof a->addr) == 0 &&
               a->proto == b->proto && a->port == b->port && a->count == b->count && a->first == b->first &&
               a->last == b->last;
}

static void round_trip(const Denial *d) {
        char line[256];
        Denial back;

        if (denial_format(d, line, sizeof line) != 0)
                abort();
        if (denial_parse_line(line, &back) != 0 || !same(&back, d))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Denial d = {};
        uid_t uid;
        char *text;

        if (denial_parse_packet(data, size, &d) == 0) {
                if (d.family != AF_INET && d.family != AF_INET6)
                        abort();
                d.count = 1;
                round_trip(&d);
        }
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        (void)denial_parse_prefix(text, &uid);
        if (denial_parse_line(text, &d) == 0)
                round_trip(&d);
        free(text);
        return 0;
}
