/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-dnsrelay's DNS handling, pure and fuzzed: what a query asks, the REFUSED answer for a name
 * the policy does not allow, and the addresses (with their TTLs) an upstream answer gives for
 * the name asked, CNAMEs followed. All parsing is libldns's; nothing here reads wire format by
 * hand.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cidr.h"

/* Presentation form without the final dot, lower case: at most 253 characters, but ldns writes
 * escapes such as "\\000" for odd bytes, so leave room for a name of 255 such bytes. */
#define DNS_NAME_MAX 1024
/* A response travels in one UDP datagram of at most this size, or a TCP message of at most 64k. */
#define DNS_UDP_MAX 1232
/* CNAMEs followed from the name asked before the rest of an answer is ignored. */
#define DNS_CNAME_MAX 8

typedef struct DnsQuery {
        uint16_t id;
        uint16_t qtype, qclass;
        char name[DNS_NAME_MAX]; /* lower case, no final dot; "" for the root */
} DnsQuery;

typedef struct DnsAddr {
        Cidr addr;    /* a single address: /32 or /128 */
        uint32_t ttl; /* seconds: the smallest TTL on the way from the name asked to it */
} DnsAddr;

/* A query rcc-dnsrelay will consider: not a response, opcode QUERY, exactly one question.
 * -EBADMSG for anything else or what ldns cannot parse (no answer at all is sent for those when
 * the header cannot be read; dns_build_refused() answers the rest). */
int dns_query_parse(const uint8_t *buf, size_t len, DnsQuery *ret);

/* rcodes rcc-dnsrelay answers with itself (RFC 1035 4.1.1). */
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_REFUSED 5

/* An error response with rcode to the query in buf (its id, question and RD flag): malloc'd wire
 * format in *ret, its size in *ret_len. -EBADMSG when buf has no readable header. */
int dns_build_error(const uint8_t *buf, size_t len, uint8_t rcode, uint8_t **ret, size_t *ret_len);

/* The A and AAAA addresses in the answer section of a response to q for q's name, reached
 * directly or through a chain of at most DNS_CNAME_MAX CNAMEs; records for other names are
 * ignored (an upstream's answer may carry anything). At most max into out; *ret_n is how many.
 * -EBADMSG when the response cannot be parsed or does not answer q (id, name, type). */
int dns_answer_addresses(
        const uint8_t *buf, size_t len, const DnsQuery *q, DnsAddr *out, size_t max, size_t *ret_n);

/* Whether buf is a response to q: QR set, q's id, q's single question. */
bool dns_is_answer(const uint8_t *buf, size_t len, const DnsQuery *q);
