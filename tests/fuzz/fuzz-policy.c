/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the policy loader: YAML parsing, schema, merge. The input is the text of
 * rcc.yaml, optionally followed by a NUL and the text of accounts.d/rcc.yaml. An account needs a
 * system user, so a one-line passwd file for "rcc" is written at start-up.
 *
 * Whatever the input, the loader must not crash, leak or overrun; a failure must come with a
 * message; and an accepted policy must satisfy the model's invariants, checked below.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cidr.h"
#include "policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char passwd_path[] = "/tmp/rcc-fuzz-passwd-XXXXXX";

static void remove_passwd(void) {
        unlink(passwd_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        static const char line[] = "rcc:x:990:990:rcc sandbox account:/var/lib/rcc:/usr/bin/rcc-shell\n";
        int fd;

        (void)argc, (void)argv;
        fd = mkstemp(passwd_path);
        if (fd < 0 || write(fd, line, sizeof line - 1) != (ssize_t)(sizeof line - 1)) {
                perror("rcc-fuzz: cannot write the passwd file");
                abort();
        }
        close(fd);
        atexit(remove_passwd);
        return 0;
}

static void check_cidr(const Cidr *c) {
        char buf[CIDR_STRLEN];
        Cidr again;

        if (c->family != AF_INET && c->family != AF_INET6)
                abort();
        if (c->prefixlen > family_addr_len(c->family) * 8)
                abort();
        /* Canonical output parses back to the same prefix, host bits clear. */
        if (cidr_parse(cidr_format(c, buf, sizeof buf), &again) != CIDR_OK || !cidr_equal(c, &again))
                abort();
}

static void check_rules(const NetRule *rules, size_t n, bool deny) {
        for (size_t i = 0; i < n; i++) {
                const NetRule *r = &rules[i];

                if (deny && (r->host || r->n_ports > 0))
                        abort();
                if (!r->host)
                        check_cidr(&r->cidr);
                else if (r->host[0] == '\0')
                        abort();
                if ((r->ports == NULL) != (r->n_ports == 0))
                        abort();
                for (size_t k = 0; k < r->n_ports; k++)
                        if (r->ports[k].first == 0 || r->ports[k].first > r->ports[k].last)
                                abort();
                if (!r->loc.file || r->loc.line == 0 || r->loc.column == 0)
                        abort();
        }
}

static void check_settings(const Settings *s) {
        check_rules(s->allow, s->n_allow, false);
        check_rules(s->deny, s->n_deny, true);
        for (size_t i = 0; i < s->n_resolvers; i++) {
                check_cidr(&s->resolvers[i]);
                if (s->resolvers[i].prefixlen != family_addr_len(s->resolvers[i].family) * 8)
                        abort();
        }
        for (size_t i = 0; i < s->n_readonly; i++)
                if (s->readonly[i][0] == '\0' || s->readonly[i][0] == '/')
                        abort();
        if (!s->image || s->image[0] == '\0' || s->image[0] == '-' || s->n_command == 0)
                abort();
        for (size_t i = 0; i < s->n_command; i++)
                if (s->command[i][0] == '\0')
                        abort();
        for (size_t i = 0; i < s->n_users; i++)
                for (size_t k = 0; k < s->users[i].n_projects; k++)
                        if (s->users[i].projects[k][0] != '/')
                                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *)data;
        const uint8_t *nul = memchr(data, '\0', size);
        size_t defaults_len = nul ? (size_t)(nul - data) : size;
        const char *names[] = {"rcc"}, *texts[] = {nul ? (const char *)nul + 1 : NULL};
        size_t lens[] = {nul ? size - defaults_len - 1 : 0};
        PolicyOptions opts = {.passwd_file = passwd_path};
        Policy *p = NULL;
        RccDiag diag = {};
        int r;

        r = policy_load_buffers(text, defaults_len, names, texts, lens, nul ? 1 : 0, &opts, &p, &diag);
        if (r < 0) {
                /* Every failure says what and where, and hands nothing back. */
                if (p || diag.msg[0] == '\0' || diag.file[0] == '\0')
                        abort();
                return 0;
        }
        if (!p || p->n_accounts != (nul ? 1u : 0u))
                abort();
        check_settings(&p->defaults);
        for (size_t i = 0; i < p->n_accounts; i++) {
                if (p->accounts[i].uid != 990 || policy_find_account(p, "rcc") != &p->accounts[i])
                        abort();
                check_settings(&p->accounts[i].settings);
        }
        policy_free(p);
        return 0;
}
