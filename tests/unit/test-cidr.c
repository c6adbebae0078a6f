/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cidr_parse() must be strict (every malformed form rejected, host bits flagged with the network
 * as a hint) and cidr_format() canonical; cidr_range() gives the first and last address. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "cidr.h"

typedef struct ParseCase {
        const char *input;
        CidrParseError expect;
        const char *canonical; /* cidr_format() of the result (the hint for CIDR_HOST_BITS_SET) */
        int family;
        unsigned prefixlen;
} ParseCase;

static const ParseCase parse_cases[] = {
        {"10.0.0.0/8", CIDR_OK, "10.0.0.0/8", AF_INET, 8},
        {"10.1.2.3", CIDR_OK, "10.1.2.3", AF_INET, 32},
        {"10.1.2.3/32", CIDR_OK, "10.1.2.3", AF_INET, 32},
        {"0.0.0.0/0", CIDR_OK, "0.0.0.0/0", AF_INET, 0},
        {"10.0.0.0/08", CIDR_OK, "10.0.0.0/8", AF_INET, 8},
        {"1.2.3.4/31", CIDR_OK, "1.2.3.4/31", AF_INET, 31},
        {"255.255.255.255", CIDR_OK, "255.255.255.255", AF_INET, 32},
        {"2001:db8::/32", CIDR_OK, "2001:db8::/32", AF_INET6, 32},
        {"2001:DB8:0:0::1", CIDR_OK, "2001:db8::1", AF_INET6, 128},
        {"2001:db8::1/128", CIDR_OK, "2001:db8::1", AF_INET6, 128},
        {"::/0", CIDR_OK, "::/0", AF_INET6, 0},
        {"::1", CIDR_OK, "::1", AF_INET6, 128},
        {"::ffff:10.0.0.1", CIDR_OK, "::ffff:10.0.0.1", AF_INET6, 128},
        {"fe80::/10", CIDR_OK, "fe80::/10", AF_INET6, 10},

        {"10.1.2.3/8", CIDR_HOST_BITS_SET, "10.0.0.0/8", AF_INET, 8},
        {"1.2.3.5/31", CIDR_HOST_BITS_SET, "1.2.3.4/31", AF_INET, 31},
        {"255.255.255.255/1", CIDR_HOST_BITS_SET, "128.0.0.0/1", AF_INET, 1},
        {"10.0.0.1/0", CIDR_HOST_BITS_SET, "0.0.0.0/0", AF_INET, 0},
        {"192.168.1.1/23", CIDR_HOST_BITS_SET, "192.168.0.0/23", AF_INET, 23},
        {"2001:db8::1/64", CIDR_HOST_BITS_SET, "2001:db8::/64", AF_INET6, 64},
        {"fe80::1/9", CIDR_HOST_BITS_SET, "fe80::/9", AF_INET6, 9},

        {"10.0.0.0/33", CIDR_BAD_PREFIX},
        {"10.0.0.0/", CIDR_BAD_PREFIX},
        {"10.0.0.0/+8", CIDR_BAD_PREFIX},
        {"10.0.0.0/-8", CIDR_BAD_PREFIX},
        {"10.0.0.0/ 8", CIDR_BAD_PREFIX},
        {"10.0.0.0/8 ", CIDR_BAD_PREFIX},
        {"10.0.0.0/0008", CIDR_BAD_PREFIX},
        {"10.0.0.0/8/8", CIDR_BAD_PREFIX},
        {"10.0.0.0/0x8", CIDR_BAD_PREFIX},
        {"2001:db8::/129", CIDR_BAD_PREFIX},
        {"2001:db8::/999", CIDR_BAD_PREFIX},

        {"", CIDR_BAD_ADDRESS},
        {"/8", CIDR_BAD_ADDRESS},
        {"10.0.0", CIDR_BAD_ADDRESS},
        {"10.0.0.256", CIDR_BAD_ADDRESS},
        {"10.0.0.0.0", CIDR_BAD_ADDRESS},
        {"010.0.0.1", CIDR_BAD_ADDRESS},
        {"0x0a.0.0.1", CIDR_BAD_ADDRESS},
        {" 10.0.0.0", CIDR_BAD_ADDRESS},
        {"10.0.0.0 /8", CIDR_BAD_ADDRESS},
        {"fe80::1%eth0", CIDR_BAD_ADDRESS},
        {"2001:db8:::1", CIDR_BAD_ADDRESS},
        {"host.example", CIDR_BAD_ADDRESS},
        {"0000:0000:0000:0000:0000:ffff:255.255.255.255:1/128", CIDR_BAD_ADDRESS},
};

static void test_parse(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
                const ParseCase *t = &parse_cases[i];
                Cidr sentinel, c;
                char buf[CIDR_STRLEN];

                memset(&sentinel, 0xa5, sizeof sentinel);
                c = sentinel;
                CidrParseError e = cidr_parse(t->input, &c);
                if (e != t->expect)
                        fail_msg("'%s': got %d, expected %d", t->input, (int)e, (int)t->expect);
                if (t->expect == CIDR_BAD_ADDRESS || t->expect == CIDR_BAD_PREFIX) {
                        assert_memory_equal(&c, &sentinel, sizeof c); /* untouched */
                        continue;
                }
                assert_int_equal(c.family, t->family);
                assert_int_equal(c.prefixlen, t->prefixlen);
                assert_string_equal(cidr_format(&c, buf, sizeof buf), t->canonical);
                /* The canonical form parses back to the same prefix. */
                Cidr again;
                assert_int_equal(cidr_parse(buf, &again), CIDR_OK);
                assert_true(cidr_equal(&c, &again));
        }
}

static void test_parse_null(void **state) {
        Cidr c;

        (void)state;
        assert_int_equal(cidr_parse(NULL, &c), CIDR_BAD_ADDRESS);
}

typedef struct RangeCase {
        const char *cidr, *first, *last;
} RangeCase;

static const RangeCase range_cases[] = {
        {"10.0.0.0/8", "10.0.0.0", "10.255.255.255"},
        {"0.0.0.0/0", "0.0.0.0", "255.255.255.255"},
        {"192.168.1.7", "192.168.1.7", "192.168.1.7"},
        {"100.64.0.0/10", "100.64.0.0", "100.127.255.255"},
        {"2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"fe80::/10", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"::1", "::1", "::1"},
};

static void test_range(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof range_cases / sizeof range_cases[0]; i++) {
                const RangeCase *t = &range_cases[i];
                uint8_t first[16], last[16], want[16] = {};
                Cidr c;

                assert_int_equal(cidr_parse(t->cidr, &c), CIDR_OK);
                cidr_range(&c, first, last);
                assert_int_equal(inet_pton(c.family, t->first, want), 1);
                assert_memory_equal(first, want, family_addr_len(c.family));
                assert_int_equal(inet_pton(c.family, t->last, want), 1);
                assert_memory_equal(last, want, family_addr_len(c.family));
        }
}

static void test_equal_contains(void **state) {
        Cidr a, b, c, d, v6;

        (void)state;
        assert_int_equal(cidr_parse("10.0.0.0/8", &a), CIDR_OK);
        assert_int_equal(cidr_parse("10.20.0.0/16", &b), CIDR_OK);
        assert_int_equal(cidr_parse("11.0.0.0/16", &c), CIDR_OK);
        assert_int_equal(cidr_parse("10.0.0.0/08", &d), CIDR_OK);
        assert_int_equal(cidr_parse("::a00:0/104", &v6), CIDR_OK);

        assert_true(cidr_equal(&a, &d));
        assert_false(cidr_equal(&a, &b));
        assert_false(cidr_equal(&a, &v6));
        assert_true(cidr_contains(&a, &b));
        assert_true(cidr_contains(&a, &a));
        assert_false(cidr_contains(&b, &a));
        assert_false(cidr_contains(&a, &c));
        assert_false(cidr_contains(&a, &v6)); /* families never mix */
}

static void test_family_len(void **state) {
        (void)state;
        assert_int_equal(family_addr_len(AF_INET), 4);
        assert_int_equal(family_addr_len(AF_INET6), 16);
        assert_int_equal(family_addr_len(AF_UNIX), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),      cmocka_unit_test(test_parse_null),
                cmocka_unit_test(test_range),      cmocka_unit_test(test_equal_contains),
                cmocka_unit_test(test_family_len),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
