/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruleset_set_normalize() against brute force: random boxes in a small space, then every point
 * of the space must be covered by the output exactly when some input covers it, by exactly one
 * output element (the kernel refuses overlaps), with the longest timeout of the inputs there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "merge.h"
#include "ruleset.h"

#define ADDRS 48 /* last address byte 0..47; the rest fixed */
#define PROTOS 20
#define PORTS 24

static SetElem random_box(unsigned *seed, size_t len, bool concat) {
        SetElem e = {};
        unsigned a = (unsigned)rand_r(seed) % ADDRS, b = a + (unsigned)rand_r(seed) % (ADDRS - a);

        memset(e.addr_first, 0, 16);
        e.addr_first[0] = 10;
        memcpy(e.addr_last, e.addr_first, 16);
        e.addr_first[len - 1] = (uint8_t)a;
        e.addr_last[len - 1] = (uint8_t)b;
        if (concat) {
                unsigned p = (unsigned)rand_r(seed) % PROTOS, q = p + (unsigned)rand_r(seed) % (PROTOS - p);
                unsigned s = (unsigned)rand_r(seed) % PORTS, t = s + (unsigned)rand_r(seed) % (PORTS - s);
                e.proto_first = (uint8_t)p, e.proto_last = (uint8_t)q;
                e.port_first = (uint16_t)s, e.port_last = (uint16_t)t;
        }
        e.timeout_ms = rand_r(seed) % 3 == 0 ? 0 : 1000u * (1 + (unsigned)rand_r(seed) % 3);
        return e;
}

static bool covers(const SetElem *e, size_t len, unsigned addr, unsigned proto, unsigned port, bool concat) {
        if (e->addr_first[len - 1] > addr || e->addr_last[len - 1] < addr)
                return false;
        if (memcmp(e->addr_first, e->addr_last, len - 1) != 0 || e->addr_first[0] != 10)
                return false; /* outputs never leave the 10.x space the inputs live in */
        if (!concat)
                return true;
        return e->proto_first <= proto && proto <= e->proto_last && e->port_first <= port &&
               port <= e->port_last;
}

static void check_random(SetKey key, unsigned seed) {
        size_t len = set_key_addr_len(key);
        bool concat = set_key_is_concat(key);
        SetElem in[24];
        size_t n = 1 + (size_t)(rand_r(&seed) % ELEMENTSOF(in));
        Arena *a = arena_new();
        RulesetSet s = {.key = key};

        for (size_t i = 0; i < n; i++)
                in[i] = random_box(&seed, len, concat);
        assert_int_equal(ruleset_set_normalize(a, &s, in, n), 0);

        for (unsigned addr = 0; addr < ADDRS; addr++)
                for (unsigned proto = 0; proto < (concat ? PROTOS : 1u); proto++)
                        for (unsigned port = 0; port < (concat ? PORTS : 1u); port++) {
                                bool want = false;
                                uint64_t want_timeout = 0; /* 0: permanent, longer than any */
                                size_t hits = 0, hit = 0;

                                for (size_t i = 0; i < n; i++)
                                        if (covers(&in[i], len, addr, proto, port, concat)) {
                                                uint64_t t = in[i].timeout_ms;
                                                if (!want)
                                                        want_timeout = t;
                                                else if (want_timeout != 0 && (t == 0 || t > want_timeout))
                                                        want_timeout = t;
                                                want = true;
                                        }
                                for (size_t i = 0; i < s.n_elems; i++)
                                        if (covers(&s.elems[i], len, addr, proto, port, concat))
                                                hits++, hit = i;
                                assert_int_equal(hits, want ? 1 : 0);
                                if (want)
                                        assert_int_equal(s.elems[hit].timeout_ms, want_timeout);
                        }
        arena_free(a);
}

static void test_random_concat4(void **state) {
        (void)state;
        for (unsigned seed = 1; seed <= 300; seed++)
                check_random(SET_KEY_IPV4_PROTO_PORT, seed);
}

static void test_random_concat6(void **state) {
        (void)state;
        for (unsigned seed = 1000; seed <= 1100; seed++)
                check_random(SET_KEY_IPV6_PROTO_PORT, seed);
}

static void test_random_addresses(void **state) {
        (void)state;
        for (unsigned seed = 1; seed <= 300; seed++) {
                check_random(SET_KEY_IPV4, seed);
                check_random(SET_KEY_IPV6, seed);
        }
}

/* Ranges that reach the top of the address space have no "last + 1": must not wrap to 0. */
static void test_top_of_space(void **state) {
        Arena *a = arena_new();
        RulesetSet s = {.key = SET_KEY_IPV4};
        SetElem in[2] = {};
        (void)state;

        memset(in[0].addr_first, 0, 16);
        in[0].addr_first[0] = 240;
        memset(in[0].addr_last, 0xff, 4);
        in[1].addr_first[0] = 10; /* 10.0.0.0 - 10.0.0.0 */
        in[1].addr_last[0] = 10;
        assert_int_equal(ruleset_set_normalize(a, &s, in, 2), 0);
        assert_int_equal(s.n_elems, 2);
        assert_int_equal(s.elems[0].addr_first[0], 10);
        assert_int_equal(s.elems[1].addr_first[0], 240);
        assert_int_equal(s.elems[1].addr_last[3], 0xff);

        RulesetSet c = {.key = SET_KEY_IPV4_PROTO_PORT};
        in[0].proto_last = 255;
        in[0].port_last = 65535;
        assert_int_equal(ruleset_set_normalize(a, &c, in, 1), 0);
        assert_int_equal(c.n_elems, 1);
        assert_int_equal(c.elems[0].proto_last, 255);
        assert_int_equal(c.elems[0].port_last, 65535);
        arena_free(a);
}

/* "every protocol, every port" next to "tcp 443" on the same prefix stays one element. */
static void test_any_absorbs_tcp(void **state) {
        Arena *a = arena_new();
        RulesetSet s = {.key = SET_KEY_IPV4_PROTO_PORT};
        SetElem in[2] = {};
        (void)state;

        in[0].addr_first[0] = in[0].addr_last[0] = 10;
        in[0].proto_last = 255, in[0].port_last = 65535;
        in[1] = in[0];
        in[1].proto_first = in[1].proto_last = 6;
        in[1].port_first = in[1].port_last = 443;
        assert_int_equal(ruleset_set_normalize(a, &s, in, 2), 0);
        assert_int_equal(s.n_elems, 1);
        assert_int_equal(s.elems[0].proto_first, 0);
        assert_int_equal(s.elems[0].proto_last, 255);
        arena_free(a);
}

static void test_empty(void **state) {
        Arena *a = arena_new();
        RulesetSet s = {.key = SET_KEY_IPV6_PROTO_PORT};
        (void)state;

        assert_int_equal(ruleset_set_normalize(a, &s, NULL, 0), 0);
        assert_int_equal(s.n_elems, 0);
        arena_free(a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_random_concat4),   cmocka_unit_test(test_random_concat6),
                cmocka_unit_test(test_random_addresses), cmocka_unit_test(test_top_of_space),
                cmocka_unit_test(test_any_absorbs_tcp),  cmocka_unit_test(test_empty),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
