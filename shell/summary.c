/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "denial.h"
#include "summary.h"

void summary_print(FILE *f, const Account *a, const NetGuardSummary *s) {
        uint64_t total = 0;
        char allow[256];

        for (size_t i = 0; i < s->n; i++)
                total += s->denials[i].count;
        if (s->n > 0) {
                fprintf(f, "rcc: the network policy refused this session %" PRIu64 " connection%s:\n", total,
                        total == 1 ? "" : "s");
                for (size_t i = 0; i < s->n; i++) {
                        char line[512];

                        denial_describe(a, &s->denials[i], line, sizeof line);
                        fprintf(f, "rcc:   %s\n", line);
                }
                if (s->more)
                        fprintf(f, "rcc:   and %" PRIu64 " more to other destinations\n", s->more);
                denial_allow_lines(&s->denials[0], allow, sizeof allow);
                fprintf(f, "rcc: to allow the first, an admin adds under network.allow in %s:\n", a->file);
                for (char *line = strtok(allow, "\n"); line; line = strtok(NULL, "\n"))
                        fprintf(f, "rcc:     %s\n", line);
                fprintf(f, "rcc: and runs: rcc-setup apply\n");
        }
        if (s->shared)
                fprintf(f,
                        "rcc: %" PRIu64
                        " connection%s refused while other sessions of '%s' ran could be this "
                        "session's or theirs; an admin lists them: rcc-firewall denials --account %s\n",
                        s->shared, s->shared == 1 ? " was" : "s were", a->name, a->name);
}
