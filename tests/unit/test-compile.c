/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiler: each good fixture's policy renders exactly to its expected.nft (golden files;
 * RCC_UPDATE_GOLDEN=1 rewrites them), and the digest covers exactly the static ruleset.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "cidr.h"
#include "policy-test-util.h"
#include "ruleset.h"

/* Load good/NAME from a private copy (policy-test-util.c), so the checkout's modes do not matter. */
static Policy *load(const char *name) {
        char *dir = NULL;
        Policy *p = load_fixture(name, &dir);

        remove_tree(dir);
        return p;
}

static char *render(const Ruleset *rs, RenderMode mode) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        assert_int_equal(ruleset_render(rs, mode, f), 0);
        assert_int_equal(fclose(f), 0);
        return text;
}

static Ruleset *compile(const Policy *p, const HostFacts *facts) {
        Ruleset *rs = NULL;
        RccDiag diag = {};

        assert_int_equal(ruleset_compile(p, facts, &rs, &diag), 0);
        return rs;
}

static void test_golden(void **state) {
        char dirpath[PATH_MAX], expected_path[PATH_MAX];
        size_t checked = 0;
        (void)state;

        PATHF(dirpath, "%s/good", fixtures);
        DIR *d = opendir(dirpath);
        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                PATHF(expected_path, "%s/good/%s/expected.nft", fixtures, de->d_name);

                Policy *p = load(de->d_name);
                Ruleset *rs = compile(p, NULL);
                char *got = render(rs, RENDER_FULL);
                char *want = access(expected_path, F_OK) == 0 ? read_text(expected_path) : NULL;

                if (getenv("RCC_UPDATE_GOLDEN")) {
                        FILE *f = fopen(expected_path, "we");
                        assert_non_null(f);
                        fputs(got, f);
                        fclose(f);
                } else if (!want)
                        fail_msg("%s is missing; run with RCC_UPDATE_GOLDEN=1 and review it", expected_path);
                else if (strcmp(got, want) != 0)
                        fail_msg("%s: the ruleset differs from expected.nft:\n%s", de->d_name, got);
                free(got);
                free(want);
                ruleset_free(rs);
                policy_free(p);
                checked++;
        }
        closedir(d);
        assert_true(checked >= 3);
}

/* The digest is a function of the static ruleset: same policy, same digest; resolved names and
 * resolvers (the dynamic part) do not change it; a policy change does. */
static void test_digest(void **state) {
        (void)state;

        Policy *p = load("full");
        Ruleset *a = compile(p, NULL), *b = compile(p, NULL);
        assert_string_equal(a->digest, b->digest);
        assert_int_equal(strlen(a->digest), 64);

        Cidr resolver, addr;
        assert_int_equal(cidr_parse("192.168.1.1", &resolver), CIDR_OK);
        assert_int_equal(cidr_parse("10.33.0.7", &addr), CIDR_OK);
        const char *names[] = {"unused.example"};
        size_t off[] = {0, 1};
        HostFacts facts = {
                .resolvers = &resolver,
                .n_resolvers = 1,
                .names = names,
                .name_addr_off = off,
                .addrs = &addr,
                .n_names = 1,
                .host_timeout_ms = 60000};
        Ruleset *c = compile(p, &facts);
        assert_string_equal(a->digest, c->digest);

        char *full_a = render(a, RENDER_FULL), *static_c = render(c, RENDER_STATIC);
        assert_non_null(strstr(full_a, a->digest));
        assert_null(strstr(static_c, a->digest)); /* the digest does not cover itself */
        free(full_a);
        free(static_c);
        ruleset_free(a);
        ruleset_free(b);
        ruleset_free(c);
        policy_free(p);

        Policy *q = load("minimal");
        Ruleset *d = compile(q, NULL);
        Policy *s = load("strict");
        Ruleset *e = compile(s, NULL);
        assert_string_not_equal(d->digest, e->digest);
        ruleset_free(d);
        ruleset_free(e);
        policy_free(q);
        policy_free(s);
}

static bool set_has_addr(const RulesetSet *s, const Cidr *c) {
        size_t len = set_key_addr_len(s->key);
        for (size_t i = 0; i < s->n_elems; i++)
                if (memcmp(s->elems[i].addr_first, c->addr, len) <= 0 &&
                    memcmp(s->elems[i].addr_last, c->addr, len) >= 0)
                        return true;
        return false;
}

/* Resolved names land in the account's hosts sets with the timeout; answers a name must never
 * open (metadata, loopback) are dropped. */
static void test_host_facts(void **state) {
        (void)state;

        Policy *p = load("full");
        const NetRule *host_rule = NULL;
        for (size_t i = 0; i < p->accounts[0].settings.n_allow && !host_rule; i++)
                if (p->accounts[0].settings.allow[i].host)
                        host_rule = &p->accounts[0].settings.allow[i];
        if (!host_rule) {
                fail_msg("good/full must have a host: rule in its first account");
                abort(); /* not reached: fail_msg() jumps out of the test (older cmocka.h does not say so) */
        }

        Cidr addrs[3];
        assert_int_equal(cidr_parse("93.184.216.34", &addrs[0]), CIDR_OK);
        assert_int_equal(cidr_parse("169.254.169.254", &addrs[1]), CIDR_OK);
        assert_int_equal(cidr_parse("2001:4860::8888", &addrs[2]), CIDR_OK);
        const char *names[] = {host_rule->host};
        size_t off[] = {0, 3};
        HostFacts facts = {
                .names = names,
                .name_addr_off = off,
                .addrs = addrs,
                .n_names = 1,
                .host_timeout_ms = 1800000};
        Ruleset *rs = compile(p, &facts);
        const RulesetAccount *ra = &rs->accounts[0];

        assert_true(set_has_addr(&ra->hosts4, &addrs[0]));
        assert_false(set_has_addr(&ra->hosts4, &addrs[1]));
        assert_true(set_has_addr(&ra->hosts6, &addrs[2]));
        assert_int_equal(ra->hosts4.elems[0].timeout_ms, 1800000);
        assert_true(ra->hosts4.has_timeout && ra->hosts4.dynamic);
        assert_false(ra->allow4.dynamic);
        ruleset_free(rs);
        policy_free(p);
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_digest),
                cmocka_unit_test(test_host_facts),
        };

        fixtures_init(argc, argv);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
