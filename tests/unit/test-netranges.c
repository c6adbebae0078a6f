/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The blocked-range list: every entry parses as a clean prefix, the dangerous addresses are
 * inside it, public ones are not, and docs/network.md lists exactly these entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "cidr.h"
#include "netranges.h"

static bool in_list(const SpecialRange *list, size_t n, const char *addr) {
        Cidr a, p;
        uint8_t first[16], last[16];

        assert_int_equal(cidr_parse(addr, &a), CIDR_OK);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(cidr_parse(list[i].cidr, &p), CIDR_OK);
                if (p.family != a.family)
                        continue;
                cidr_range(&p, first, last);
                size_t len = family_addr_len(a.family);
                if (memcmp(a.addr, first, len) >= 0 && memcmp(a.addr, last, len) <= 0)
                        return true;
        }
        return false;
}

static bool blocked(const char *addr) {
        return in_list(special_ranges4, n_special_ranges4, addr) ||
               in_list(special_ranges6, n_special_ranges6, addr);
}

static void test_entries_parse(void **state) {
        Cidr c;
        (void)state;
        for (size_t i = 0; i < n_special_ranges4; i++) {
                assert_int_equal(cidr_parse(special_ranges4[i].cidr, &c), CIDR_OK);
                assert_int_equal(c.family, AF_INET);
        }
        for (size_t i = 0; i < n_special_ranges6; i++) {
                assert_int_equal(cidr_parse(special_ranges6[i].cidr, &c), CIDR_OK);
                assert_int_equal(c.family, AF_INET6);
        }
}

static void test_dangerous_blocked(void **state) {
        static const char *const addrs[] = {
                "10.1.2.3",
                "172.31.255.255",
                "192.168.0.1",
                "127.0.0.1",
                "127.255.255.254",
                "169.254.169.254",
                "169.254.170.2",
                "100.100.100.200",
                "100.64.0.1",
                "168.63.129.16",
                "192.0.0.192",
                "0.0.0.0",
                "224.0.0.251",
                "255.255.255.255",
                "198.18.0.1",
                "::1",
                "::",
                "fd00:ec2::254",
                "fe80::1",
                "ff02::1",
                "::ffff:10.0.0.1",
                "::ffff:8.8.8.8",
                "64:ff9b:1::1",
                "2001:db8::1",
                "fc00::1",
        };
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(addrs); i++)
                if (!blocked(addrs[i]))
                        fail_msg("%s is not in the blocked ranges", addrs[i]);
}

static void test_public_not_blocked(void **state) {
        static const char *const addrs[] = {"1.1.1.1",
                                            "8.8.8.8",
                                            "9.9.9.9",
                                            "151.101.1.69",
                                            "2606:4700:4700::1111",
                                            "2a00:1450:4001::200e",
                                            "64:ff9b::808:808"};
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(addrs); i++)
                if (blocked(addrs[i]))
                        fail_msg("%s is public but blocked", addrs[i]);
}

static void test_embedding(void **state) {
        Cidr v4, out;
        char buf[CIDR_STRLEN];
        (void)state;

        assert_int_equal(cidr_parse("10.0.0.0/8", &v4), CIDR_OK);
        netranges_embed_nat64(&v4, &out);
        assert_string_equal(cidr_format(&out, buf, sizeof buf), "64:ff9b::a00:0/104");
        netranges_embed_6to4(&v4, &out);
        assert_string_equal(cidr_format(&out, buf, sizeof buf), "2002:a00::/24");
}

static void test_forbidden_for_names(void **state) {
        static const char *const forbidden[] = {"127.0.0.1",     "169.254.169.254", "::1",      "fe80::1",
                                                "168.63.129.16", "fd00:ec2::254",   "224.0.0.1"};
        static const char *const fine[] = {"10.20.0.5", "93.184.216.34", "2001:4860::1", "fd12::1"};
        Cidr c;
        (void)state;

        for (size_t i = 0; i < ELEMENTSOF(forbidden); i++) {
                assert_int_equal(cidr_parse(forbidden[i], &c), CIDR_OK);
                if (!netranges_forbidden_for_names(&c))
                        fail_msg("a name may resolve to %s", forbidden[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(fine); i++) {
                assert_int_equal(cidr_parse(fine[i], &c), CIDR_OK);
                if (netranges_forbidden_for_names(&c))
                        fail_msg("a name may not resolve to %s", fine[i]);
        }
}

/* docs/network.md is generated from this list; make sure nobody edited one without the other. */
static void test_docs_match(void **state) {
        const char *src = getenv("RCC_SOURCE_ROOT");
        char path[4096], needle[128];
        (void)state;

        assert_non_null(src);
        snprintf(path, sizeof path, "%s/docs/network.md", src);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        static char doc[65536];
        size_t n = fread(doc, 1, sizeof doc - 1, f);
        fclose(f);
        doc[n] = '\0';

        for (size_t i = 0; i < n_special_ranges4 + n_special_ranges6; i++) {
                const SpecialRange *r = i < n_special_ranges4 ? &special_ranges4[i]
                                                              : &special_ranges6[i - n_special_ranges4];
                snprintf(needle, sizeof needle, "| `%s` |", r->cidr);
                if (!strstr(doc, needle))
                        fail_msg("docs/network.md does not list %s", r->cidr);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_entries_parse),       cmocka_unit_test(test_dangerous_blocked),
                cmocka_unit_test(test_public_not_blocked),  cmocka_unit_test(test_embedding),
                cmocka_unit_test(test_forbidden_for_names), cmocka_unit_test(test_docs_match),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
