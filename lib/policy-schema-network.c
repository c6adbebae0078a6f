/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy schema's network section (policy-schema.h): mode, resolvers, and the allow and deny
 * rules with their addresses, host names, ports and protocols, each checked at its node.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cidr.h"
#include "policy-schema.h"

/* ---- values ---- */

/* s[0..len) is one port number; s is n's text or a part of it. */
static int parse_port_number(Schema *sc, const YNode *n, const char *s, size_t len, uint16_t *ret) {
        uint64_t v;

        if (len == 0 || parse_digits(s, &v) != len)
                return schema_error(
                        sc, n,
                        "'%s' is not a port; expected a number 1..65535 or a range such as '8000-8100'",
                        n->str);
        if (v < 1 || v > 65535)
                return schema_error(sc, n, "port %.*s is out of range; expected 1..65535", (int)len, s);
        *ret = (uint16_t)v;
        return 0;
}

static int parse_port_range(Schema *sc, const YNode *n, PortRange *ret) {
        const char *dash;
        PortRange pr;
        int r;

        if (n->type != YNODE_SCALAR || ynode_is_null(n))
                return schema_type_error(sc, n, "a port or a range 'A-B'", "a ports entry");

        dash = strchr(n->str, '-');
        if (!dash) {
                r = parse_port_number(sc, n, n->str, n->len, &pr.first);
                if (r < 0)
                        return r;
                pr.last = pr.first;
        } else {
                r = parse_port_number(sc, n, n->str, (size_t)(dash - n->str), &pr.first);
                if (r < 0)
                        return r;
                r = parse_port_number(sc, n, dash + 1, strlen(dash + 1), &pr.last);
                if (r < 0)
                        return r;
                if (pr.first > pr.last)
                        return schema_error(
                                sc, n, "port range '%s' is backwards; expected A-B with A <= B", n->str);
        }
        *ret = pr;
        return 0;
}

static int parse_ports(Schema *sc, const YNode *n, NetRule *rule) {
        size_t i = 0;
        int r;

        r = schema_expect_type(sc, n, YNODE_SEQUENCE, "'ports'");
        if (r < 0)
                return r;
        if (n->n == 0)
                return schema_error(
                        sc, n, "an empty ports list allows nothing; leave out 'ports' to allow every port");
        rule->ports = arena_alloc_array(sc->arena, n->n, sizeof(PortRange));
        if (!rule->ports)
                return schema_oom(sc);
        for (const YNode *item = n->first; item; item = item->next, i++) {
                r = parse_port_range(sc, item, &rule->ports[i]);
                if (r < 0)
                        return r;
        }
        rule->n_ports = n->n;
        return 0;
}

static int parse_cidr(Schema *sc, const YNode *n, const char *what, Cidr *ret) {
        char buf[CIDR_STRLEN];
        const char *s;
        int r;

        r = schema_get_string(sc, n, what, &s);
        if (r < 0)
                return r;
        switch (cidr_parse(s, ret)) {
        case CIDR_OK:
                return 0;
        case CIDR_BAD_ADDRESS:
                return schema_error(sc, n, "'%s' is not an IPv4 or IPv6 address or prefix", s);
        case CIDR_BAD_PREFIX:
                if (strchr(s, ':'))
                        return schema_error(sc, n, "'%s': prefix length must be 0..128 for IPv6", s);
                return schema_error(sc, n, "'%s': prefix length must be 0..32 for IPv4", s);
        case CIDR_HOST_BITS_SET:
                return schema_error(
                        sc, n, "'%s' has host bits set; did you mean '%s'?", s,
                        cidr_format(ret, buf, sizeof buf));
        }
        return schema_error(sc, n, "'%s' is not an address or prefix", s);
}

static int parse_host(Schema *sc, const YNode *n, const char **ret) {
        char *host;
        int r;

        r = schema_get_string(sc, n, "'host'", (const char **)&host);
        if (r < 0)
                return r;
        if (host_looks_like_address(host))
                return schema_error(sc, n, "'%s' is an address; use cidr: for addresses and prefixes", host);
        if (strcmp(host, "*") == 0)
                return schema_error(
                        sc, n,
                        "'*' would allow every name; use mode: public, or a wildcard such as '*.example.com'");
        /* A wildcard is only ever a whole first label: "*.corp.example" is a zone, "a*.b" or
         * "x.*.b" are patterns DNS has no notion of and would be guesses at what was meant. */
        const char *base = strncmp(host, "*.", 2) == 0 ? host + 2 : host;
        if (strchr(base, '*'))
                return schema_error(
                        sc, n,
                        "'%s': a wildcard is allowed only as the whole first label, as in '*.corp.example'",
                        host);
        if (!valid_host_name(base))
                return schema_error(
                        sc, n,
                        "'%s' is not a valid host name; expected dot-separated labels of letters, "
                        "digits and '-' (1-63 characters each, 253 in all)",
                        host);
        for (char *p = host; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        *ret = host;
        return 0;
}

static int parse_proto(Schema *sc, const YNode *n, NetProto *ret) {
        const char *s;
        int r;

        r = schema_get_string(sc, n, "'proto'", &s);
        if (r < 0)
                return r;
        if (streq(s, "tcp"))
                *ret = NET_PROTO_TCP;
        else if (streq(s, "udp"))
                *ret = NET_PROTO_UDP;
        else if (streq(s, "any"))
                *ret = NET_PROTO_ANY;
        else
                return schema_error(sc, n, "'%s' is not a protocol; expected tcp, udp or any", s);
        return 0;
}

/* ---- network ---- */

static int parse_allow_rule(Schema *sc, const YNode *n, NetRule *rule) {
        static const char *const keys[] = {"host", "cidr", "ports", "proto"};
        const YNode *v[4] = {};
        int r;

        r = schema_expect_type(sc, n, YNODE_MAPPING, "an allow rule");
        if (r < 0)
                return r;
        for (const YNode *k = n->first; k; k = k->next) {
                size_t i;
                for (i = 0; i < ELEMENTSOF(keys) && !streq(k->str, keys[i]); i++)
                        ;
                if (i == ELEMENTSOF(keys))
                        return schema_error(
                                sc, k, "unknown key '%s' in allow rule; expected host, cidr, ports or proto",
                                k->str);
                v[i] = k->value;
        }

        *rule = (NetRule){.proto = NET_PROTO_TCP, .loc = schema_loc_of(sc, n)};
        if (v[0] && v[1])
                return schema_error(sc, n, "an allow rule takes host or cidr, not both");
        if (!v[0] && !v[1])
                return schema_error(sc, n, "an allow rule needs host or cidr");
        r = v[0] ? parse_host(sc, v[0], &rule->host) : parse_cidr(sc, v[1], "'cidr'", &rule->cidr);
        if (r < 0)
                return r;
        if (v[2] && (r = parse_ports(sc, v[2], rule)) < 0)
                return r;
        if (v[3] && (r = parse_proto(sc, v[3], &rule->proto)) < 0)
                return r;
        return 0;
}

static int parse_deny_rule(Schema *sc, const YNode *n, NetRule *rule) {
        const YNode *cidr = NULL;
        int r;

        r = schema_expect_type(sc, n, YNODE_MAPPING, "a deny rule");
        if (r < 0)
                return r;
        for (const YNode *k = n->first; k; k = k->next) {
                if (streq(k->str, "cidr"))
                        cidr = k->value;
                else if (streq(k->str, "host"))
                        return schema_error(
                                sc, k,
                                "deny takes prefixes only; use cidr: with an address or prefix instead of "
                                "host:");
                else if (streq(k->str, "ports") || streq(k->str, "proto"))
                        return schema_error(
                                sc, k,
                                "'%s' is not allowed in deny; a deny rule blocks every port and protocol",
                                k->str);
                else
                        return schema_error(sc, k, "unknown key '%s' in deny rule; expected cidr", k->str);
        }
        if (!cidr)
                return schema_error(sc, n, "a deny rule needs cidr");

        *rule = (NetRule){.proto = NET_PROTO_ANY, .loc = schema_loc_of(sc, n)};
        return parse_cidr(sc, cidr, "'cidr'", &rule->cidr);
}

/* allow and deny add to the base's rules: the defaults' first, then this file's. */
static int parse_rules(
        Schema *sc, const YNode *n, const char *what, int (*parse)(Schema *, const YNode *, NetRule *),
        NetRule **rules, size_t *n_rules) {
        NetRule *all;
        size_t i = *n_rules;
        int r;

        r = schema_expect_type(sc, n, YNODE_SEQUENCE, what);
        if (r < 0)
                return r;
        all = arena_alloc_array(sc->arena, *n_rules + n->n, sizeof(NetRule));
        if (!all)
                return schema_oom(sc);
        if (*n_rules > 0)
                memcpy(all, *rules, *n_rules * sizeof(NetRule));
        for (const YNode *item = n->first; item; item = item->next, i++) {
                r = parse(sc, item, &all[i]);
                if (r < 0)
                        return r;
        }
        *rules = all;
        *n_rules = i;
        return 0;
}

static int on_allow(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        (void)key;
        return parse_rules(sc, v, "'allow'", parse_allow_rule, &s->allow, &s->n_allow);
}

static int on_deny(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        (void)key;
        return parse_rules(sc, v, "'deny'", parse_deny_rule, &s->deny, &s->n_deny);
}

static int on_mode(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        const char *m;
        int r;

        (void)key;
        r = schema_get_string(sc, v, "'mode'", &m);
        if (r < 0)
                return r;
        if (streq(m, "public"))
                s->mode = NET_MODE_PUBLIC;
        else if (streq(m, "strict"))
                s->mode = NET_MODE_STRICT;
        else
                return schema_error(sc, v, "'%s' is not a network mode; expected public or strict", m);
        return 0;
}

static int on_resolvers(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        size_t i = 0;
        int r;

        if (sc->kind != POLICY_FILE_DEFAULTS)
                return schema_error(
                        sc, key,
                        "'resolvers' is only allowed in rcc.yaml; the host's resolvers are the same for "
                        "every account");
        if (v->type == YNODE_SCALAR && streq(v->str, "auto")) {
                s->resolvers_auto = true;
                s->resolvers = NULL;
                s->n_resolvers = 0;
                return 0;
        }
        if (v->type != YNODE_SEQUENCE)
                return schema_type_error(sc, v, "auto or a list of addresses", "'resolvers'");

        s->resolvers = arena_alloc_array(sc->arena, v->n, sizeof(Cidr));
        if (!s->resolvers)
                return schema_oom(sc);
        for (const YNode *item = v->first; item; item = item->next, i++) {
                Cidr *c = &s->resolvers[i];

                r = parse_cidr(sc, item, "a resolver", c);
                if (r < 0)
                        return r;
                if (c->prefixlen != family_addr_len(c->family) * 8)
                        return schema_error(
                                sc, item, "'%s' is a prefix; expected one resolver address", item->str);
        }
        s->n_resolvers = v->n;
        s->resolvers_auto = false;
        return 0;
}

int schema_on_network(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        static const KeyTable t[] = {
                {"mode", on_mode},
                {"allow", on_allow},
                {"deny", on_deny},
                {"resolvers", on_resolvers, ONLY(POLICY_FILE_DEFAULTS)},
        };
        int r;

        (void)key;
        r = schema_expect_type(sc, v, YNODE_MAPPING, "'network'");
        if (r < 0)
                return r;
        return schema_walk_mapping(sc, v, "network", t, ELEMENTSOF(t), s);
}
