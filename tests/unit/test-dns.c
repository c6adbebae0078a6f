/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-dnsrelay's DNS handling (dnsrelay/dns.c): the packets are built with ldns, as an upstream
 * and a stub resolver would send them, and read back with ldns.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "dns.h"
#include "firewall-service.h"
#include "relay.h"

/* A query for name/type as a stub resolver sends it; wire format in *ret (malloc'd). */
static size_t make_query(const char *name, ldns_rr_type type, uint16_t id, uint8_t **ret) {
        ldns_pkt *pkt = NULL;
        size_t len = 0;

        assert_int_equal(
                ldns_pkt_query_new_frm_str(&pkt, name, type, LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
        ldns_pkt_set_id(pkt, id);
        assert_int_equal(ldns_pkt2wire(ret, pkt, &len), LDNS_STATUS_OK);
        ldns_pkt_free(pkt);
        return len;
}

/* An upstream's response to (name, type, id) with the answer records in rrs (presentation form). */
static size_t make_answer(
        const char *name, ldns_rr_type type, uint16_t id, const char *const *rrs, uint8_t **ret) {
        ldns_pkt *pkt = NULL;
        size_t len = 0;

        assert_int_equal(
                ldns_pkt_query_new_frm_str(&pkt, name, type, LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
        ldns_pkt_set_id(pkt, id);
        ldns_pkt_set_qr(pkt, true);
        ldns_pkt_set_ra(pkt, true);
        for (; *rrs; rrs++) {
                ldns_rr *rr = NULL;
                assert_int_equal(ldns_rr_new_frm_str(&rr, *rrs, 0, NULL, NULL), LDNS_STATUS_OK);
                assert_true(ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr));
        }
        assert_int_equal(ldns_pkt2wire(ret, pkt, &len), LDNS_STATUS_OK);
        ldns_pkt_free(pkt);
        return len;
}

static void test_query_parse(void **state) {
        uint8_t *wire = NULL;
        DnsQuery q;
        size_t len;

        (void)state;
        len = make_query("Git.Corp.Example.", LDNS_RR_TYPE_AAAA, 4242, &wire);
        assert_int_equal(dns_query_parse(wire, len, &q), 0);
        assert_string_equal(q.name, "git.corp.example");
        assert_int_equal(q.qtype, LDNS_RR_TYPE_AAAA);
        assert_int_equal(q.qclass, LDNS_RR_CLASS_IN);
        assert_int_equal(q.id, 4242);

        /* Truncated, empty, or a response rather than a query. */
        assert_int_equal(dns_query_parse(wire, len - 1, &q), -EBADMSG);
        assert_int_equal(dns_query_parse(wire, 0, &q), -EBADMSG);
        wire[2] |= 0x80; /* QR */
        assert_int_equal(dns_query_parse(wire, len, &q), -EBADMSG);
        free(wire);
}

static void test_refused(void **state) {
        uint8_t *wire = NULL, *resp = NULL;
        ldns_pkt *pkt = NULL;
        size_t len, resp_len;

        (void)state;
        len = make_query("tunnel-data-0123.evil.example.", LDNS_RR_TYPE_TXT, 7, &wire);
        assert_int_equal(dns_build_error(wire, len, DNS_RCODE_REFUSED, &resp, &resp_len), 0);
        assert_int_equal(ldns_wire2pkt(&pkt, resp, resp_len), LDNS_STATUS_OK);
        assert_int_equal(ldns_pkt_get_rcode(pkt), LDNS_RCODE_REFUSED);
        assert_true(ldns_pkt_qr(pkt));
        assert_true(ldns_pkt_rd(pkt));
        assert_int_equal(ldns_pkt_id(pkt), 7);
        assert_int_equal(ldns_pkt_qdcount(pkt), 1);
        assert_int_equal(ldns_pkt_ancount(pkt), 0);
        assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(pkt), 0)), LDNS_RR_TYPE_TXT);
        ldns_pkt_free(pkt);
        free(resp);

        /* No header, no answer. */
        assert_int_equal(dns_build_error(wire, 5, DNS_RCODE_REFUSED, &resp, &resp_len), -EBADMSG);
        free(wire);
}

static void test_answer_cname_chain(void **state) {
        static const char *const rrs[] = {
                "api.example.com. 300 IN CNAME edge.cdn.example.",
                "edge.cdn.example. 60 IN CNAME e1.cdn.example.",
                "e1.cdn.example. 120 IN A 203.0.113.7",
                "e1.cdn.example. 20 IN A 203.0.113.8",
                /* Not on the chain: an upstream (or an attacker racing it) may add anything. */
                "other.example. 999 IN A 198.51.100.1",
                "api.example.com. 300 IN TXT \"x\"",
                NULL,
        };
        uint8_t *wire = NULL;
        DnsAddr out[8];
        size_t len, n = 0;
        DnsQuery q = {.id = 99, .qtype = LDNS_RR_TYPE_A, .qclass = LDNS_RR_CLASS_IN};
        char buf[INET6_ADDRSTRLEN];

        (void)state;
        strcpy(q.name, "api.example.com");
        len = make_answer("api.example.com.", LDNS_RR_TYPE_A, 99, rrs, &wire);
        assert_int_equal(dns_answer_addresses(wire, len, &q, out, 8, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(out[0].addr.family, AF_INET);
        assert_string_equal(inet_ntop(AF_INET, out[0].addr.addr, buf, sizeof buf), "203.0.113.7");
        assert_int_equal(out[0].ttl, 60); /* the chain's smallest TTL */
        assert_string_equal(inet_ntop(AF_INET, out[1].addr.addr, buf, sizeof buf), "203.0.113.8");
        assert_int_equal(out[1].ttl, 20);

        assert_true(dns_is_answer(wire, len, &q));

        /* Bounded by max. */
        assert_int_equal(dns_answer_addresses(wire, len, &q, out, 1, &n), 0);
        assert_int_equal(n, 1);

        /* Not an answer to this query: another id, another name. */
        q.id = 100;
        assert_int_equal(dns_answer_addresses(wire, len, &q, out, 8, &n), -EBADMSG);
        assert_false(dns_is_answer(wire, len, &q));
        q.id = 99;
        strcpy(q.name, "api.example.org");
        assert_int_equal(dns_answer_addresses(wire, len, &q, out, 8, &n), -EBADMSG);
        free(wire);
}

static void test_answer_aaaa_and_loop(void **state) {
        static const char *const rrs[] = {
                "a.example. 30 IN CNAME b.example.",
                "b.example. 30 IN CNAME a.example.",
                NULL,
        };
        static const char *const rrs6[] = {
                "v6.example. 3600 IN AAAA 2001:db8::1",
                NULL,
        };
        uint8_t *wire = NULL;
        DnsAddr out[4];
        size_t len, n = 9;
        DnsQuery q = {.id = 1, .qtype = LDNS_RR_TYPE_A, .qclass = LDNS_RR_CLASS_IN};

        (void)state;
        strcpy(q.name, "a.example");
        len = make_answer("a.example.", LDNS_RR_TYPE_A, 1, rrs, &wire);
        assert_int_equal(dns_answer_addresses(wire, len, &q, out, 4, &n), 0);
        assert_int_equal(n, 0);
        free(wire);

        q.qtype = LDNS_RR_TYPE_AAAA;
        strcpy(q.name, "v6.example");
        len = make_answer("v6.example.", LDNS_RR_TYPE_AAAA, 1, rrs6, &wire);
        assert_int_equal(dns_answer_addresses(wire, len, &q, out, 4, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(out[0].addr.family, AF_INET6);
        assert_int_equal(out[0].addr.prefixlen, 128);
        assert_int_equal(out[0].ttl, 3600);
        free(wire);
}

/* The account of a query is the relay address it arrived at: 127.0.0.0/8 plus the uid. */
static void test_relay_address(void **state) {
        struct in_addr a;
        char buf[INET_ADDRSTRLEN];
        uid_t uid = 0;

        (void)state;
        assert_true(rcc_dnsrelay_address(990, &a));
        assert_string_equal(inet_ntop(AF_INET, &a, buf, sizeof buf), "127.0.3.222");
        assert_true(rcc_dnsrelay_uid(&a, &uid));
        assert_int_equal(uid, 990);
        assert_true(rcc_dnsrelay_address((1u << 24) - 1, &a));
        assert_string_equal(inet_ntop(AF_INET, &a, buf, sizeof buf), "127.255.255.255");
        /* No address for root, for 1 (127.0.0.1 is everyone's) or beyond 24 bits. */
        assert_false(rcc_dnsrelay_address(0, &a));
        assert_false(rcc_dnsrelay_address(1, &a));
        assert_false(rcc_dnsrelay_address(1u << 24, &a));
        /* And no account for 127.0.0.1 or an address outside loopback. */
        inet_pton(AF_INET, "127.0.0.1", &a);
        assert_false(rcc_dnsrelay_uid(&a, &uid));
        inet_pton(AF_INET, "10.0.3.222", &a);
        assert_false(rcc_dnsrelay_uid(&a, &uid));
}

/* What rcc-firewalld reads from the relay: strict, since it comes from another user. */
static void test_grant_parse(void **state) {
        static const char *const bad[] = {
                "",
                "990 60 203.0.113.7",
                "990 60 203.0.113.7 a.example extra",
                "-1 60 203.0.113.7 a.example",
                " 990 60 203.0.113.7 a.example",
                "990 99999999999 203.0.113.7 a.example",
                "990 60 203.0.113.0/24 a.example",
                "990 60 203.0.113.7/32 a.example",
                "990 60 nonsense a.example",
                "990 60 203.0.113.7 *.example",
                "990 60 203.0.113.7 a_b.example",
                "4294967295 60 203.0.113.7 a.example",
        };
        FwsvcGrant g;

        (void)state;
        assert_int_equal(fwsvc_grant_parse("990 60 203.0.113.7 git.corp.example", &g), 0);
        assert_int_equal(g.uid, 990);
        assert_int_equal(g.ttl, 60);
        assert_int_equal(g.addr.family, AF_INET);
        assert_string_equal(g.name, "git.corp.example");
        assert_int_equal(fwsvc_grant_parse("990 0 2001:db8::1 a.example", &g), 0);
        assert_int_equal(g.addr.prefixlen, 128);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
                if (fwsvc_grant_parse(bad[i], &g) != -EBADMSG)
                        fail_msg("'%s' was accepted", bad[i]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_query_parse),        cmocka_unit_test(test_refused),
                cmocka_unit_test(test_answer_cname_chain), cmocka_unit_test(test_answer_aaaa_and_loop),
                cmocka_unit_test(test_relay_address),      cmocka_unit_test(test_grant_parse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
