/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a loaded policy says: the built-in defaults, every key of the full fixture, the merge of
 * account files over rcc.yaml (lists replace, allow and deny add), the accessors, and loading
 * from memory with the YAML limits (duplicate keys, list length).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cidr.h"
#include "policy-internal.h"
#include "policy.h"

#include "policy-test-util.h"
#include "user.h"

/* ---- defaults, merge semantics, accessors ---- */

static void assert_cidr(const Cidr *c, const char *expected) {
        char buf[CIDR_STRLEN];
        assert_string_equal(cidr_format(c, buf, sizeof buf), expected);
}

static void assert_ports(const NetRule *r, size_t n, const uint16_t (*ranges)[2]) {
        assert_int_equal(r->n_ports, n);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(r->ports[i].first, ranges[i][0]);
                assert_int_equal(r->ports[i].last, ranges[i][1]);
        }
}

static void assert_strings(
        const char *const *list, size_t n, const char *const *expected, size_t n_expected) {
        assert_int_equal(n, n_expected);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(list[i], expected[i]);
}

#define ASSERT_STRINGS(list, n, ...)                                                          \
        do {                                                                                  \
                static const char *const _e[] = {__VA_ARGS__};                                \
                assert_strings((const char *const *)(list), n, _e, sizeof _e / sizeof _e[0]); \
        } while (0)

static void test_builtin_defaults(void **state) {
        char *dir;
        Policy *p = load_fixture("minimal", &dir);
        const Settings *d = &p->defaults;

        (void)state;
        assert_int_equal(d->mode, NET_MODE_PUBLIC);
        assert_int_equal(d->n_allow, 0);
        assert_int_equal(d->n_deny, 0);
        assert_true(d->resolvers_auto);
        assert_int_equal(d->n_resolvers, 0);
        ASSERT_STRINGS(
                d->readonly, d->n_readonly, ".git", ".envrc", ".claude/settings.json",
                ".claude/settings.local.json", ".mcp.json", ".vscode/tasks.json", ".pre-commit-config.yaml");
        assert_string_equal(d->image, "localhost/rcc-claude:latest");
        ASSERT_STRINGS(d->command, d->n_command, "claude");
        assert_int_equal(d->memory_bytes, 0);
        assert_int_equal(d->cpus_milli, 0);
        assert_int_equal(d->pids, 0);
        assert_int_equal(d->disk_bytes, 20ull << 30);
        assert_int_equal(d->home, HOME_PROJECT);
        assert_int_equal(d->n_users, 0);
        assert_string_equal(p->dir, dir);

        assert_int_equal(p->n_accounts, 1);
        assert_string_equal(p->accounts[0].name, "rcc");
        assert_int_equal(p->accounts[0].uid, 990);
        assert_int_equal(p->accounts[0].gid, 990);
        assert_null(p->accounts[0].owner);
        assert_true(strstr(p->accounts[0].file, "/accounts.d/rcc.yaml") != NULL);
        /* An account file that says nothing gets exactly the defaults. */
        assert_memory_equal(&p->accounts[0].settings, d, sizeof *d);
        policy_free(p);
        remove_tree(dir);
}

static void test_full(void **state) {
        static const uint16_t p443[][2] = {{443, 443}}, p53[][2] = {{53, 53}};
        static const uint16_t farm[][2] = {{22, 22}, {443, 443}, {8000, 8100}};
        char *dir;
        Policy *p = load_fixture("full", &dir);
        const Settings *d = &p->defaults, *a;

        (void)state;
        assert_int_equal(d->n_allow, 5);
        assert_string_equal(d->allow[0].host, "git.corp.example");
        assert_ports(&d->allow[0], 1, p443);
        assert_int_equal(d->allow[0].proto, NET_PROTO_TCP);
        assert_string_equal(d->allow[1].host, "registry.example.com"); /* lower-cased */
        assert_null(d->allow[1].ports);
        assert_int_equal(d->allow[1].n_ports, 0);
        assert_null(d->allow[2].host);
        assert_cidr(&d->allow[2].cidr, "10.20.0.0/16");
        assert_ports(&d->allow[2], 3, farm);
        assert_cidr(&d->allow[3].cidr, "192.0.2.53");
        assert_int_equal(d->allow[3].cidr.prefixlen, 32);
        assert_ports(&d->allow[3], 1, p53);
        assert_int_equal(d->allow[3].proto, NET_PROTO_UDP);
        assert_cidr(&d->allow[4].cidr, "2001:db8:1::/48");
        assert_int_equal(d->allow[4].cidr.family, AF_INET6);
        assert_int_equal(d->allow[4].proto, NET_PROTO_ANY);
        /* Where each rule came from. */
        assert_int_equal(d->allow[0].loc.line, 6);
        assert_int_equal(d->allow[0].loc.column, 7);
        assert_true(strstr(d->allow[0].loc.file, "/rcc.yaml") != NULL);
        assert_int_equal(d->allow[2].loc.line, 9);

        assert_int_equal(d->n_deny, 2);
        assert_cidr(&d->deny[0].cidr, "203.0.113.0/24");
        assert_cidr(&d->deny[1].cidr, "2001:db8:dead::/48");
        assert_int_equal(d->deny[0].proto, NET_PROTO_ANY);
        assert_false(d->resolvers_auto);
        assert_int_equal(d->n_resolvers, 2);
        assert_cidr(&d->resolvers[0], "192.168.1.1");
        assert_cidr(&d->resolvers[1], "2001:db8::53");
        ASSERT_STRINGS(
                d->readonly, d->n_readonly, ".git/hooks", ".git/config", ".envrc", ".vscode/tasks.json");
        assert_string_equal(d->image, "localhost/rcc-claude:latest");
        ASSERT_STRINGS(d->command, d->n_command, "claude", "--verbose");
        assert_int_equal(d->memory_bytes, UINT64_C(8) << 30);
        assert_int_equal(d->cpus_milli, 500);
        assert_int_equal(d->pids, 1024);
        assert_int_equal(d->n_users, 2);
        assert_string_equal(d->users[0].user, "alice");
        ASSERT_STRINGS(d->users[0].projects, d->users[0].n_projects, "/home/alice/src/*");
        assert_string_equal(d->users[1].user, "bob");
        ASSERT_STRINGS(d->users[1].projects, d->users[1].n_projects, "/home/bob/work", "/srv/shared/*");

        /* The account: lists replace, allow and deny add after the defaults', resolvers inherit. */
        assert_int_equal(p->n_accounts, 1);
        assert_string_equal(p->accounts[0].owner, "bob");
        a = &p->accounts[0].settings;
        assert_int_equal(a->mode, NET_MODE_STRICT);
        assert_int_equal(a->n_allow, 6);
        for (size_t i = 0; i < 5; i++)
                assert_memory_equal(&a->allow[i], &d->allow[i], sizeof(NetRule));
        assert_cidr(&a->allow[5].cidr, "198.51.100.0/24");
        assert_int_equal(a->allow[5].ports[0].first, 1);
        assert_int_equal(a->allow[5].ports[0].last, 65535);
        assert_true(strstr(a->allow[5].loc.file, "accounts.d/rcc.yaml") != NULL);
        assert_int_equal(a->n_deny, 3);
        assert_cidr(&a->deny[2].cidr, "10.99.0.0/16");
        assert_false(a->resolvers_auto);
        assert_int_equal(a->n_resolvers, 2);
        ASSERT_STRINGS(a->readonly, a->n_readonly, ".git");
        assert_string_equal(a->image, "localhost/rcc-claude:next");
        ASSERT_STRINGS(a->command, a->n_command, "bash", "-l");
        assert_int_equal(a->memory_bytes, UINT64_C(512) << 20);
        assert_int_equal(a->cpus_milli, 2000);
        assert_int_equal(a->pids, 256);
        assert_int_equal(a->n_users, 1);
        assert_string_equal(a->users[0].user, "bob");
        policy_free(p);
        remove_tree(dir);
}

static void test_lab_merge(void **state) {
        char *dir;
        Policy *p = load_fixture("lab", &dir);
        const Account *alice, *bob;

        (void)state;
        assert_int_equal(p->n_accounts, 2);
        alice = &p->accounts[0];
        bob = &p->accounts[1];
        assert_string_equal(alice->name, "rcc-alice");
        assert_int_equal(alice->uid, 991);
        assert_string_equal(alice->owner, "alice");
        assert_string_equal(bob->name, "rcc-bob");
        assert_int_equal(bob->uid, 992);
        assert_string_equal(bob->owner, "bob");

        /* The defaults stay as rcc.yaml says, whatever the accounts add. */
        assert_int_equal(p->defaults.n_allow, 1);
        assert_int_equal(p->defaults.n_users, 0);

        /* alice: the defaults' allowlist first, then hers; everything else inherited. */
        assert_int_equal(alice->settings.mode, NET_MODE_PUBLIC);
        assert_int_equal(alice->settings.n_allow, 2);
        assert_string_equal(alice->settings.allow[0].host, "git.lab.example");
        assert_cidr(&alice->settings.allow[1].cidr, "10.1.0.0/16");
        assert_int_equal(alice->settings.memory_bytes, UINT64_C(4) << 30);
        assert_int_equal(alice->settings.cpus_milli, 2000);
        assert_int_equal(alice->settings.pids, 512);
        assert_int_equal(alice->settings.n_users, 1);
        assert_string_equal(alice->settings.users[0].user, "alice");

        /* bob: strict, his own rules after the defaults', his own memory, the rest inherited. */
        assert_int_equal(bob->settings.mode, NET_MODE_STRICT);
        assert_int_equal(bob->settings.n_allow, 3);
        assert_string_equal(bob->settings.allow[0].host, "git.lab.example");
        assert_string_equal(bob->settings.allow[1].host, "pypi.org");
        assert_cidr(&bob->settings.allow[2].cidr, "10.2.0.0/16");
        assert_int_equal(bob->settings.allow[2].proto, NET_PROTO_UDP);
        assert_int_equal(bob->settings.memory_bytes, UINT64_C(2) << 30);
        assert_int_equal(bob->settings.cpus_milli, 2000);
        assert_int_equal(bob->settings.n_users, 1);
        assert_string_equal(bob->settings.users[0].user, "bob");
        assert_null(settings_find_user(&bob->settings, "alice"));
        policy_free(p);
        remove_tree(dir);
}

static void test_accessors(void **state) {
        char *dir;
        Policy *p = load_fixture("lab", &dir);
        const UserGrant *g;

        (void)state;
        assert_ptr_equal(policy_find_account(p, "rcc-bob"), &p->accounts[1]);
        assert_ptr_equal(policy_find_account(p, "rcc-alice"), &p->accounts[0]);
        assert_null(policy_find_account(p, "rcc"));
        assert_null(policy_find_account(p, NULL));
        assert_null(policy_find_account(NULL, "rcc-bob"));
        assert_ptr_equal(policy_find_account_by_uid(p, 992), &p->accounts[1]);
        assert_ptr_equal(policy_find_account_by_uid(p, 991), &p->accounts[0]);
        assert_null(policy_find_account_by_uid(p, 990));
        assert_null(policy_find_account_by_uid(p, 0));
        assert_null(policy_find_account_by_uid(NULL, 991));
        g = settings_find_user(&p->accounts[0].settings, "alice");
        assert_non_null(g);
        ASSERT_STRINGS(g->projects, g->n_projects, "/home/alice/src/*");
        assert_null(settings_find_user(&p->accounts[0].settings, "bob"));

        assert_string_equal(net_mode_to_string(NET_MODE_PUBLIC), "public");
        assert_string_equal(net_mode_to_string(NET_MODE_STRICT), "strict");
        assert_string_equal(net_proto_to_string(NET_PROTO_TCP), "tcp");
        assert_string_equal(net_proto_to_string(NET_PROTO_UDP), "udp");
        assert_string_equal(net_proto_to_string(NET_PROTO_ANY), "any");
        assert_null(policy_free(p));
        assert_null(policy_free(NULL));
        remove_tree(dir);
}

/* ---- from memory ---- */

static int load_buffers(const char *defaults, const char *account, Policy **ret, RccDiag *diag) {
        PolicyOptions opts = test_options();
        const char *names[] = {"rcc"}, *texts[] = {account};
        size_t lens[] = {account ? strlen(account) : 0};

        return policy_load_buffers(
                defaults, strlen(defaults), names, texts, lens, account ? 1 : 0, &opts, ret, diag);
}

static void expect_buffers_error(const char *defaults, const char *account, const char *expected) {
        Policy *sentinel = (Policy *)0x1, *p = sentinel;
        RccDiag diag = {};
        char buf[PATH_MAX + 1024];

        assert_true(load_buffers(defaults, account, &p, &diag) < 0);
        assert_ptr_equal(p, sentinel);
        assert_string_equal(diag_format(&diag, buf, sizeof buf), expected);
}

static void test_buffers(void **state) {
        Policy *p = NULL;
        RccDiag diag = {};

        (void)state;
        assert_int_equal(
                load_buffers(
                        "version: 1\nnetwork:\n  allow:\n    - cidr: 192.0.2.0/24\n",
                        "network:\n  allow:\n    - host: example.org\n", &p, &diag),
                0);
        assert_string_equal(p->dir, "");
        assert_int_equal(p->n_accounts, 1);
        assert_string_equal(p->accounts[0].file, "accounts.d/rcc.yaml");
        assert_int_equal(p->accounts[0].settings.n_allow, 2);
        assert_string_equal(p->accounts[0].settings.allow[0].loc.file, "rcc.yaml");
        assert_int_equal(p->accounts[0].settings.allow[0].loc.line, 4);
        assert_string_equal(p->accounts[0].settings.allow[1].loc.file, "accounts.d/rcc.yaml");
        assert_int_equal(p->accounts[0].settings.allow[1].loc.line, 3);
        policy_free(p);

        /* An empty account file is the defaults. */
        p = NULL;
        assert_int_equal(load_buffers("version: 1\n", "", &p, &diag), 0);
        assert_int_equal(p->n_accounts, 1);
        policy_free(p);

        /* An empty rcc.yaml lacks its version. */
        expect_buffers_error(
                "", NULL, "rcc.yaml:1:1: missing key 'version'; expected 'version: 1' at the top");
        expect_buffers_error(
                "version: 1\n", "network: {mode: x}\n",
                "accounts.d/rcc.yaml:1:17: 'x' is not a network mode; expected public or strict");
}

static void test_buffers_yaml_limits(void **state) {
        (void)state;
        /* The repeat of a repeated key that comes first in the file is reported. */
        expect_buffers_error(
                "version: 1\nversion: 1\nversion: 1\n", NULL,
                "rcc.yaml:2:1: duplicate key 'version'; it was already given on line 1");
        expect_buffers_error(
                "version: 1\nusers: {b: x, a: y, b: z, a: w}\n", NULL,
                "rcc.yaml:2:21: duplicate key 'b'; it was already given on line 2");
        expect_buffers_error(
                "version: 1\nusers: [x\n", NULL,
                "rcc.yaml:3:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
                "sequence on line 2)");
}

static void test_list_cap(void **state) {
        size_t n = POLICY_MAX_LIST + 1, len = 0;
        char *text = malloc(64 + n * 3);
        Policy *p = NULL;
        RccDiag diag = {};
        char buf[PATH_MAX + 1024], got[PATH_MAX + 1024];

        (void)state;
        assert_non_null(text);
        len += (size_t)sprintf(text, "version: 1\nfiles:\n  readonly: [");
        for (size_t i = 0; i < n; i++)
                len += (size_t)sprintf(text + len, "%sa", i ? "," : "");
        strcpy(text + len, "]\n");
        assert_true(load_buffers(text, NULL, &p, &diag) < 0);
        assert_null(p);
        /* Entry 100001 is the character after 100000 "a," pairs, after "  readonly: [". */
        PATHF(buf, "rcc.yaml:3:%u: more than %u entries in one list or mapping", 14 + 2 * POLICY_MAX_LIST,
              POLICY_MAX_LIST);
        assert_string_equal(diag_format(&diag, got, sizeof got), buf);
        free(text);
}

/* ---- scalar values ---- */

static void test_values_numbers(void **state) {
        uint64_t m = 0;
        uint32_t u = 0;

        (void)state;
        assert_int_equal(parse_memory_size("1", &m), 0);
        assert_int_equal(m, 1);
        assert_int_equal(parse_memory_size("8589934592", &m), 0);
        assert_int_equal(m, UINT64_C(8) << 30);
        assert_int_equal(parse_memory_size("8G", &m), 0);
        assert_int_equal(m, UINT64_C(8) << 30);
        assert_int_equal(parse_memory_size("3k", &m), 0);
        assert_int_equal(m, 3072);
        assert_int_equal(parse_memory_size("16777215t", &m), 0);
        assert_int_equal(m, UINT64_C(16777215) << 40);
        assert_int_equal(parse_memory_size("16777216t", &m), -ERANGE);
        assert_int_equal(parse_memory_size("99999999999999999999", &m), -ERANGE);
        assert_int_equal(m, UINT64_C(16777215) << 40); /* untouched on error */
        for (size_t i = 0; i < 8; i++) {
                static const char *const bad[] = {"", "g", "8gb", "8 g", "-8g", "1.5g", "0x10", "8p"};
                assert_int_equal(parse_memory_size(bad[i], &m), -EINVAL);
        }

        assert_int_equal(parse_milli("0.5", &u), 0);
        assert_int_equal(u, 500);
        assert_int_equal(parse_milli("1.25", &u), 0);
        assert_int_equal(u, 1250);
        assert_int_equal(parse_milli("4", &u), 0);
        assert_int_equal(u, 4000);
        assert_int_equal(parse_milli("0.001", &u), 0);
        assert_int_equal(u, 1);
        assert_int_equal(parse_milli("4294967.295", &u), 0);
        assert_int_equal(u, UINT32_MAX);
        assert_int_equal(parse_milli("4294967.296", &u), -ERANGE);
        assert_int_equal(parse_milli("4294968", &u), -ERANGE);
        for (size_t i = 0; i < 7; i++) {
                static const char *const bad[] = {"", "1.", ".5", "+1", "1.2345", "1,5", "1e3"};
                assert_int_equal(parse_milli(bad[i], &u), -EINVAL);
        }

        assert_int_equal(parse_uint32("4294967295", &u), 0);
        assert_int_equal(u, UINT32_MAX);
        assert_int_equal(parse_uint32("4294967296", &u), -ERANGE);
        assert_int_equal(parse_uint32("-1", &u), -EINVAL);
        assert_int_equal(parse_uint32("1 ", &u), -EINVAL);
}

/* Which names a host rule names: the relay's question for every query (exact and wildcard). */
static void test_host_matches(void **state) {
        static const struct {
                const char *host, *name;
                bool match;
        } cases[] = {
                {"example.com", "example.com", true},
                {"example.com", "EXAMPLE.com.", true},
                {"example.com", "www.example.com", false},
                {"example.com", "example.co", false},
                {"*.corp.example", "git.corp.example", true},
                {"*.corp.example", "a.b.corp.example.", true},
                {"*.corp.example", "Git.CORP.example", true},
                {"*.corp.example", "corp.example", false},
                {"*.corp.example", ".corp.example", false},
                {"*.corp.example", "evilcorp.example", false},
                {"*.corp.example", "corp.example.evil", false},
                {"*.corp.example", "", false},
        };

        (void)state;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                if (host_matches(cases[i].host, cases[i].name) != cases[i].match)
                        fail_msg(
                                "'%s' vs '%s': expected %s", cases[i].host, cases[i].name,
                                cases[i].match ? "a match" : "no match");
        }
        assert_true(host_is_wildcard("*.a.b"));
        assert_false(host_is_wildcard("a.b"));
        assert_false(host_matches(NULL, "a"));
}

static void test_values_names(void **state) {
        char name[300];

        (void)state;
        assert_true(valid_host_name("example.com"));
        assert_true(valid_host_name("localhost"));
        assert_true(valid_host_name("xn--bcher-kva.example"));
        assert_true(valid_host_name("1password.com"));
        assert_true(valid_host_name("a-b.c0"));
        assert_false(valid_host_name(""));
        assert_false(valid_host_name("-a.com"));
        assert_false(valid_host_name("a-.com"));
        assert_false(valid_host_name("a..com"));
        assert_false(valid_host_name("a.com."));
        assert_false(valid_host_name(".a.com"));
        assert_false(valid_host_name("*.example.com"));
        assert_false(valid_host_name("a_b.com"));
        assert_false(valid_host_name("example.123"));
        assert_false(valid_host_name("b\xc3\xbc"
                                     "cher.example"));
        memset(name, 'a', 63);
        strcpy(name + 63, ".com");
        assert_true(valid_host_name(name));
        memset(name, 'a', 64);
        strcpy(name + 64, ".com");
        assert_false(valid_host_name(name));
        /* 253 characters in all is the most a name can have. */
        for (size_t i = 0; i < 252; i += 2)
                name[i] = 'a', name[i + 1] = '.';
        strcpy(name + 252, "b");
        assert_true(valid_host_name(name));
        strcpy(name + 252, "bc");
        assert_false(valid_host_name(name));

        assert_true(host_looks_like_address("10.1"));
        assert_true(host_looks_like_address("0x7f.1"));
        assert_true(host_looks_like_address("2130706433"));
        assert_true(host_looks_like_address("::1"));
        assert_true(host_looks_like_address("10.0.0.0/8"));
        assert_true(host_looks_like_address("192.0.2.1"));
        assert_false(host_looks_like_address("example.com"));
        assert_false(host_looks_like_address("1password.com"));
        assert_false(host_looks_like_address("a.0x1"));

        assert_true(user_name_valid("rcc", false));
        assert_true(user_name_valid("rcc-alice", false));
        assert_true(user_name_valid("_svc.1", false));
        assert_true(user_name_valid("Alice", true));
        assert_false(user_name_valid("Alice", false));
        assert_false(user_name_valid("", false));
        assert_false(user_name_valid("1rcc", false));
        assert_false(user_name_valid("-rcc", false));
        assert_false(user_name_valid(".rcc", false));
        assert_false(user_name_valid("rcc alice", true));
        assert_false(user_name_valid("rcc/alice", true));
        assert_true(user_name_valid("a2345678901234567890123456789012", false));
        assert_false(user_name_valid("a23456789012345678901234567890123", false));
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_builtin_defaults), cmocka_unit_test(test_full),
                cmocka_unit_test(test_lab_merge),        cmocka_unit_test(test_accessors),
                cmocka_unit_test(test_buffers),          cmocka_unit_test(test_buffers_yaml_limits),
                cmocka_unit_test(test_list_cap),         cmocka_unit_test(test_values_numbers),
                cmocka_unit_test(test_values_names),     cmocka_unit_test(test_host_matches),
        };

        fixtures_init(argc, argv);
        return cmocka_run_group_tests_name("policy-merge", tests, NULL, NULL);
}
