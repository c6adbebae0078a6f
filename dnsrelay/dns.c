/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "macro.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static void ldns_pkt_freep(ldns_pkt **p) {
        if (*p)
                ldns_pkt_free(*p);
}

static void ldns_rdf_freep(ldns_rdf **p) {
        if (*p)
                ldns_rdf_deep_free(*p);
}

/* The name in rdf as text: lower case, no final dot. -EBADMSG when it does not fit. */
static int dname_text(const ldns_rdf *rdf, char *out, size_t size) {
        _cleanup_free_ char *s = ldns_rdf2str(rdf);
        size_t n;

        if (!s)
                return -ENOMEM;
        n = strlen(s);
        if (n > 0 && s[n - 1] == '.')
                n--;
        if (n >= size)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++)
                out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
        out[n] = '\0';
        return 0;
}

static int parse_pkt(const uint8_t *buf, size_t len, ldns_pkt **ret) {
        if (!buf || len < LDNS_HEADER_SIZE || ldns_wire2pkt(ret, buf, len) != LDNS_STATUS_OK)
                return -EBADMSG;
        return 0;
}

int dns_query_parse(const uint8_t *buf, size_t len, DnsQuery *ret) {
        _cleanup_(ldns_pkt_freep) ldns_pkt *pkt = NULL;
        DnsQuery q = {};
        int r;

        if (parse_pkt(buf, len, &pkt) < 0)
                return -EBADMSG;
        if (ldns_pkt_qr(pkt) || ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY ||
            ldns_pkt_qdcount(pkt) != 1 || ldns_rr_list_rr_count(ldns_pkt_question(pkt)) != 1)
                return -EBADMSG;
        const ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
        r = dname_text(ldns_rr_owner(rr), q.name, sizeof q.name);
        if (r < 0)
                return r;
        q.id = ldns_pkt_id(pkt);
        q.qtype = (uint16_t)ldns_rr_get_type(rr);
        q.qclass = (uint16_t)ldns_rr_get_class(rr);
        *ret = q;
        return 0;
}

int dns_build_error(const uint8_t *buf, size_t len, uint8_t rcode, uint8_t **ret, size_t *ret_len) {
        _cleanup_(ldns_pkt_freep) ldns_pkt *query = NULL, *resp = NULL;
        uint8_t *wire = NULL;
        size_t size = 0;

        if (parse_pkt(buf, len, &query) < 0)
                return -EBADMSG;
        resp = ldns_pkt_new();
        if (!resp)
                return -ENOMEM;
        ldns_pkt_set_id(resp, ldns_pkt_id(query));
        ldns_pkt_set_qr(resp, true);
        ldns_pkt_set_opcode(resp, ldns_pkt_get_opcode(query));
        ldns_pkt_set_rd(resp, ldns_pkt_rd(query));
        ldns_pkt_set_ra(resp, true);
        ldns_pkt_set_rcode(resp, rcode);
        /* Echo the question only when there is exactly one, as resolvers expect; a refusal of
         * anything stranger carries none. */
        if (ldns_rr_list_rr_count(ldns_pkt_question(query)) == 1) {
                ldns_rr *q = ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(query), 0));
                if (!q)
                        return -ENOMEM;
                if (!ldns_pkt_push_rr(resp, LDNS_SECTION_QUESTION, q)) {
                        ldns_rr_free(q);
                        return -ENOMEM;
                }
        }
        if (ldns_pkt2wire(&wire, resp, &size) != LDNS_STATUS_OK)
                return -ENOMEM;
        *ret = wire;
        *ret_len = size;
        return 0;
}

/* Whether the response's single question is q's. */
static bool answers(const ldns_pkt *pkt, const DnsQuery *q) {
        char name[DNS_NAME_MAX];

        if (!ldns_pkt_qr(pkt) || ldns_pkt_id(pkt) != q->id ||
            ldns_rr_list_rr_count(ldns_pkt_question(pkt)) != 1)
                return false;
        const ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
        return (uint16_t)ldns_rr_get_type(rr) == q->qtype && (uint16_t)ldns_rr_get_class(rr) == q->qclass &&
               dname_text(ldns_rr_owner(rr), name, sizeof name) >= 0 && strcmp(name, q->name) == 0;
}

/* The CNAME in list owned by name, or NULL. */
static const ldns_rr *find_cname(const ldns_rr_list *list, const ldns_rdf *name) {
        for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
                const ldns_rr *rr = ldns_rr_list_rr(list, i);
                if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
                    ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN && ldns_rr_rd_count(rr) == 1 &&
                    ldns_dname_compare(ldns_rr_owner(rr), name) == 0)
                        return rr;
        }
        return NULL;
}

static bool rr_address(const ldns_rr *rr, Cidr *ret) {
        const ldns_rdf *rd;

        if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || ldns_rr_rd_count(rr) != 1)
                return false;
        rd = ldns_rr_rdf(rr, 0);
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A && ldns_rdf_get_type(rd) == LDNS_RDF_TYPE_A &&
            ldns_rdf_size(rd) == 4) {
                *ret = (Cidr){.family = AF_INET, .prefixlen = 32};
                memcpy(ret->addr, ldns_rdf_data(rd), 4);
                return true;
        }
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA && ldns_rdf_get_type(rd) == LDNS_RDF_TYPE_AAAA &&
            ldns_rdf_size(rd) == 16) {
                *ret = (Cidr){.family = AF_INET6, .prefixlen = 128};
                memcpy(ret->addr, ldns_rdf_data(rd), 16);
                return true;
        }
        return false;
}

int dns_answer_addresses(
        const uint8_t *buf, size_t len, const DnsQuery *q, DnsAddr *out, size_t max, size_t *ret_n) {
        _cleanup_(ldns_pkt_freep) ldns_pkt *pkt = NULL;
        _cleanup_(ldns_rdf_freep) ldns_rdf *qname = NULL;
        size_t n = 0;

        if (parse_pkt(buf, len, &pkt) < 0 || !answers(pkt, q))
                return -EBADMSG;
        if (ldns_str2rdf_dname(&qname, q->name[0] ? q->name : ".") != LDNS_STATUS_OK)
                return -EBADMSG;

        const ldns_rr_list *an = ldns_pkt_answer(pkt);
        const ldns_rdf *name = qname;
        uint32_t chain_ttl = UINT32_MAX;
        /* Follow the chain from the name asked; the addresses are those of its last name. A loop
         * or an over-long chain simply stops: what follows is not used. */
        for (unsigned hops = 0; hops < DNS_CNAME_MAX; hops++) {
                const ldns_rr *c = find_cname(an, name);
                if (!c)
                        break;
                chain_ttl = MIN(chain_ttl, ldns_rr_ttl(c));
                name = ldns_rr_rdf(c, 0);
        }
        for (size_t i = 0; i < ldns_rr_list_rr_count(an) && n < max; i++) {
                const ldns_rr *rr = ldns_rr_list_rr(an, i);
                Cidr a;

                if (ldns_dname_compare(ldns_rr_owner(rr), name) != 0 || !rr_address(rr, &a))
                        continue;
                out[n++] = (DnsAddr){.addr = a, .ttl = MIN(chain_ttl, ldns_rr_ttl(rr))};
        }
        *ret_n = n;
        return 0;
}

bool dns_is_answer(const uint8_t *buf, size_t len, const DnsQuery *q) {
        _cleanup_(ldns_pkt_freep) ldns_pkt *pkt = NULL;

        return parse_pkt(buf, len, &pkt) >= 0 && answers(pkt, q);
}
