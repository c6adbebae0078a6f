/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A refused packet as rcc-firewalld reads it from nflog (firewall/denial.c): the destination of
 * IPv4 and IPv6 packets, the account in the prefix, and the line the service sends rcc-firewall,
 * which must parse back to the same denial.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "denial.h"

/* Field by field: a struct's padding is not part of it. */
static bool same(const Denial *a, const Denial *b) {
        return a->uid == b->uid && a->family == b->family && memcmp(a->addr, b->addr, sizeof a->addr) == 0 &&
               a->proto == b->proto && a->port == b->port && a->count == b->count && a->first == b->first &&
               a->last == b->last;
}

/* 10.20.0.5:8081 over TCP, with a 24-byte IPv4 header (one option word). */
static const uint8_t tcp4[] = {
        0x46, 0,  0,  60, 0, 0, 0x40, 0, 64, IPPROTO_TCP, 0,    0,    10,   0, 0,
        1,    10, 20, 0,  5, 1, 1,    0, 0,  0x9c,        0x40, 0x1f, 0x91, /* source port 40000, destination
                                                                               port 8081 */
};

static void test_ipv4_tcp(void **state) {
        Denial d = {};
        char addr[INET6_ADDRSTRLEN];

        (void)state;
        assert_int_equal(denial_parse_packet(tcp4, sizeof tcp4, &d), 0);
        assert_int_equal(d.family, AF_INET);
        assert_string_equal(inet_ntop(AF_INET, d.addr, addr, sizeof addr), "10.20.0.5");
        assert_int_equal(d.proto, IPPROTO_TCP);
        assert_int_equal(d.port, 8081);
        /* Cut before the ports: the destination still, the port unknown. */
        assert_int_equal(denial_parse_packet(tcp4, 26, &d), 0);
        assert_int_equal(d.port, 0);
        /* Cut inside the IP header, a header length below 20, not IP at all. */
        assert_int_equal(denial_parse_packet(tcp4, 19, &d), -EBADMSG);
        uint8_t bad[sizeof tcp4];
        memcpy(bad, tcp4, sizeof bad);
        bad[0] = 0x44;
        assert_int_equal(denial_parse_packet(bad, sizeof bad, &d), -EBADMSG);
        bad[0] = 0x55;
        assert_int_equal(denial_parse_packet(bad, sizeof bad, &d), -EBADMSG);
        assert_int_equal(denial_parse_packet(tcp4, 0, &d), -EBADMSG);
}

static void test_ipv6_udp_and_icmp(void **state) {
        uint8_t pkt[48] = {0x60};
        Denial d = {};
        char addr[INET6_ADDRSTRLEN];

        (void)state;
        pkt[6] = IPPROTO_UDP;
        assert_int_equal(inet_pton(AF_INET6, "fd00:ec2::254", pkt + 24), 1);
        pkt[40 + 2] = 0;
        pkt[40 + 3] = 53;
        assert_int_equal(denial_parse_packet(pkt, sizeof pkt, &d), 0);
        assert_int_equal(d.family, AF_INET6);
        assert_string_equal(inet_ntop(AF_INET6, d.addr, addr, sizeof addr), "fd00:ec2::254");
        assert_int_equal(d.proto, IPPROTO_UDP);
        assert_int_equal(d.port, 53);
        pkt[6] = IPPROTO_ICMPV6;
        assert_int_equal(denial_parse_packet(pkt, sizeof pkt, &d), 0);
        assert_int_equal(d.port, 0);
        assert_int_equal(denial_parse_packet(pkt, 39, &d), -EBADMSG);
}

static void test_prefix(void **state) {
        uid_t uid = 0;

        (void)state;
        assert_int_equal(denial_parse_prefix("rcc 990 ", &uid), 0);
        assert_int_equal(uid, 990);
        assert_int_equal(denial_parse_prefix("rcc 990", &uid), -EBADMSG);
        assert_int_equal(denial_parse_prefix("rcc -1 ", &uid), -EBADMSG);
        assert_int_equal(denial_parse_prefix("rcc 4294967295 ", &uid), -EBADMSG);
        assert_int_equal(denial_parse_prefix("rcc 99999999999999999999 ", &uid), -EBADMSG);
        assert_int_equal(denial_parse_prefix("other 990 ", &uid), -EBADMSG);
        assert_int_equal(denial_parse_prefix("", &uid), -EBADMSG);
}

static void test_line_round_trip(void **state) {
        Denial d = {.uid = 1001, .proto = IPPROTO_TCP, .port = 443, .count = 7, .first = 100, .last = 200};
        Denial back;
        char line[256];

        (void)state;
        d.family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", d.addr), 1);
        assert_int_equal(denial_format(&d, line, sizeof line), 0);
        assert_string_equal(line, "1001 6 2001:db8::1 6 443 7 100 200");
        assert_int_equal(denial_parse_line(line, &back), 0);
        assert_true(same(&back, &d));
        assert_int_equal(denial_format(&d, line, 10), -ENOBUFS);
        assert_int_equal(denial_parse_line("1001 6 2001:db8::1 6 443 7 100 200 extra", &back), -EBADMSG);
        assert_int_equal(denial_parse_line("1001 5 10.0.0.1 6 443 7 100 200", &back), -EBADMSG);
        assert_int_equal(denial_parse_line("1001 4 10.0.0.1 6 65536 7 100 200", &back), -EBADMSG);
        assert_int_equal(denial_parse_line("1001 4 2001:db8::1 6 443 7 100 200", &back), -EBADMSG);
}

static Denial at(const char *addr, uint8_t proto, uint16_t port, uint64_t count) {
        Denial d = {
                .family = strchr(addr, ':') ? AF_INET6 : AF_INET,
                .proto = proto,
                .port = port,
                .count = count};

        assert_int_equal(inet_pton(d.family, addr, d.addr), 1);
        return d;
}

/* The session's denials file (denial_report()): each destination with its reason and the lines
 * that would allow it; what was not kept or not attributed, counted; whole entries only, however
 * small the room. */
static void test_report(void **state) {
        const Denial ds[] = {at("10.0.0.5", IPPROTO_TCP, 80, 3), at("169.254.169.254", IPPROTO_TCP, 80, 1)};
        const DenialList l = {.denials = ds, .n = 2, .more = 4, .shared = 1};
        char buf[4096], small[600];
        (void)state;

        size_t n = denial_report(NULL, &l, buf, sizeof buf);
        assert_int_equal(n, strlen(buf));
        assert_non_null(
                strstr(buf, "\n10.0.0.5 tcp port 80, 3 times: private (RFC 1918) 10.0.0.0/8\n"
                            "  allowed by, under network.allow in the account's policy file:\n"
                            "    - cidr: 10.0.0.5/32\n"
                            "      ports: [80]\n"
                            "      proto: tcp\n"));
        assert_non_null(strstr(buf, "\n169.254.169.254 tcp port 80, 1 time: "));
        assert_non_null(strstr(buf, "# and 4 more refusals to destinations not listed\n"));
        assert_non_null(strstr(buf, "# 1 refusal while other sessions of this account ran: not attributed"));
        assert_int_equal(buf[0], '#');

        /* Room for the header and one entry, not two: the second is counted, never cut in half. */
        n = denial_report(NULL, &l, small, sizeof small);
        assert_int_equal(n, strlen(small));
        assert_non_null(strstr(small, "10.0.0.5 tcp port 80"));
        assert_null(strstr(small, "169.254.169.254"));
        assert_true(small[n - 1] == '\n');

        /* Nothing refused: the header alone. */
        const DenialList none = {};
        n = denial_report(NULL, &none, buf, sizeof buf);
        assert_null(strstr(buf, "\n1"));
        assert_int_equal(n, strlen(buf));
        assert_int_equal(denial_report(NULL, &none, buf, 8), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ipv4_tcp), cmocka_unit_test(test_ipv6_udp_and_icmp),
                cmocka_unit_test(test_prefix),   cmocka_unit_test(test_line_round_trip),
                cmocka_unit_test(test_report),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
