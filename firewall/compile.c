/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy -> Ruleset. Pure: everything it knows about the host comes in through HostFacts, so
 * the same policy always compiles to the same static ruleset, and the PAM gate can recompute
 * the digest that rcc-firewall tagged the loaded table with.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "netranges.h"
#include "merge.h"
#include "ruleset.h"
#include "sha256.h"

#define PROTO_TCP 6
#define PROTO_UDP 17

static SetElem elem_for_cidr(const Cidr *c) {
        SetElem e = {};
        cidr_range(c, e.addr_first, e.addr_last);
        return e;
}

static int push_cidr(ElemVec *b, const Cidr *c) {
        SetElem e = elem_for_cidr(c);
        return elem_vec_push(b, &e);
}

/* One rule's destination c as boxes: its protocols times its ports. */
static int push_rule_boxes(ElemVec *b, const NetRule *rule, const Cidr *c, uint64_t timeout_ms) {
        static const uint8_t protos_tcp[] = {PROTO_TCP}, protos_udp[] = {PROTO_UDP},
                             protos_any[] = {PROTO_TCP, PROTO_UDP};
        const uint8_t *protos;
        size_t n_protos;
        int r;

        switch (rule->proto) {
        case NET_PROTO_TCP:
                protos = protos_tcp, n_protos = 1;
                break;
        case NET_PROTO_UDP:
                protos = protos_udp, n_protos = 1;
                break;
        case NET_PROTO_ANY:
                if (rule->n_ports == 0) {
                        /* Every protocol, every port: ICMP and the rest included. */
                        SetElem e = elem_for_cidr(c);
                        e.proto_last = 255;
                        e.port_last = 65535;
                        e.timeout_ms = timeout_ms;
                        return elem_vec_push(b, &e);
                }
                protos = protos_any, n_protos = 2;
                break;
        default:
                return -EINVAL;
        }

        for (size_t i = 0; i < n_protos; i++) {
                SetElem e = elem_for_cidr(c);
                e.proto_first = e.proto_last = protos[i];
                e.timeout_ms = timeout_ms;
                if (rule->n_ports == 0) {
                        e.port_last = 65535;
                        if ((r = elem_vec_push(b, &e)) < 0)
                                return r;
                }
                for (size_t j = 0; j < rule->n_ports; j++) {
                        e.port_first = rule->ports[j].first;
                        e.port_last = rule->ports[j].last;
                        if ((r = elem_vec_push(b, &e)) < 0)
                                return r;
                }
        }
        return 0;
}

int ruleset_rule_elems(const NetRule *rule, const Cidr *addr, uint64_t timeout_ms, ElemVec *out) {
        return push_rule_boxes(out, rule, addr, timeout_ms);
}

static int push_dns(ElemVec *b, const Cidr *resolver) {
        static PortRange port53[] = {{53, 53}};
        static const NetRule dns = {.proto = NET_PROTO_ANY, .ports = port53, .n_ports = 1};
        return push_rule_boxes(b, &dns, resolver, 0);
}

static void set_init(RulesetSet *s, const char *prefix, uid_t uid, SetKey key) {
        if (uid == (uid_t)-1)
                snprintf(s->name, sizeof s->name, "%s", prefix);
        else
                snprintf(s->name, sizeof s->name, "%s_%u", prefix, (unsigned)uid);
        s->key = key;
}

/* Normalize the boxes into the set, then empty them for the next set. */
static int set_fill(Arena *a, RulesetSet *s, ElemVec *b) {
        int r = ruleset_set_normalize(a, s, b->v, b->n);
        b->n = 0;
        return r;
}

static int fill_blocked(Arena *a, RulesetAccount *ra, const Settings *st, ElemVec *v4, ElemVec *v6) {
        int r;

        for (size_t i = 0; i < n_special_ranges4 + st->n_deny; i++) {
                Cidr c;
                if (i < n_special_ranges4) {
                        if (cidr_parse(special_ranges4[i].cidr, &c) != CIDR_OK)
                                return -EINVAL; /* a bug in netranges.c; the unit test catches it */
                } else
                        c = st->deny[i - n_special_ranges4].cidr;
                if (c.family == AF_INET6) {
                        if ((r = push_cidr(v6, &c)) < 0)
                                return r;
                        continue;
                }
                Cidr nat64, six_to_four;
                netranges_embed_nat64(&c, &nat64);
                netranges_embed_6to4(&c, &six_to_four);
                if ((r = push_cidr(v4, &c)) < 0 || (r = push_cidr(v6, &nat64)) < 0 ||
                    (r = push_cidr(v6, &six_to_four)) < 0)
                        return r;
        }
        for (size_t i = 0; i < n_special_ranges6; i++) {
                Cidr c;
                if (cidr_parse(special_ranges6[i].cidr, &c) != CIDR_OK)
                        return -EINVAL;
                if ((r = push_cidr(v6, &c)) < 0)
                        return r;
        }
        if ((r = set_fill(a, &ra->block4, v4)) < 0)
                return r;
        return set_fill(a, &ra->block6, v6);
}

static const Cidr *facts_lookup(const HostFacts *facts, const char *name, size_t *ret_n) {
        for (size_t i = 0; facts && i < facts->n_names; i++)
                if (strcmp(facts->names[i], name) == 0) {
                        *ret_n = facts->name_addr_off[i + 1] - facts->name_addr_off[i];
                        return facts->addrs + facts->name_addr_off[i];
                }
        *ret_n = 0;
        return NULL;
}

static int fill_allowed(
        Arena *a, RulesetAccount *ra, const Settings *st, const HostFacts *facts, ElemVec *v4, ElemVec *v6) {
        ElemVec *by_family[2] = {v4, v6};
        int r;

        /* Static entries first, then the addresses that allowlisted names resolved to. */
        for (size_t i = 0; i < st->n_allow; i++) {
                const NetRule *rule = &st->allow[i];
                if (!rule->host &&
                    (r = push_rule_boxes(by_family[rule->cidr.family == AF_INET6], rule, &rule->cidr, 0)) <
                            0)
                        return r;
        }
        if ((r = set_fill(a, &ra->allow4, v4)) < 0 || (r = set_fill(a, &ra->allow6, v6)) < 0)
                return r;

        ra->host_names = arena_alloc_array(a, st->n_allow ? st->n_allow : 1, sizeof(char *));
        if (!ra->host_names)
                return -ENOMEM;
        uint64_t timeout = facts ? facts->host_timeout_ms : 0;
        for (size_t i = 0; i < st->n_allow; i++) {
                const NetRule *rule = &st->allow[i];
                size_t n_addrs;

                if (!rule->host)
                        continue;
                if (!(ra->host_names[ra->n_host_names++] = arena_strdup(a, rule->host)))
                        return -ENOMEM;
                const Cidr *addrs = facts_lookup(facts, rule->host, &n_addrs);
                for (size_t j = 0; j < n_addrs; j++) {
                        if (netranges_forbidden_for_names(&addrs[j]))
                                continue;
                        if ((r = push_rule_boxes(
                                     by_family[addrs[j].family == AF_INET6], rule, &addrs[j], timeout)) < 0)
                                return r;
                }
        }
        if ((r = set_fill(a, &ra->hosts4, v4)) < 0)
                return r;
        return set_fill(a, &ra->hosts6, v6);
}

static int compile_account(Arena *a, const Account *acct, const HostFacts *facts, RulesetAccount *ra) {
        const Settings *st = &acct->settings;
        uid_t uid = acct->uid;
        ElemVec v4 = {}, v6 = {};
        int r;

        ra->name = arena_strdup(a, acct->name);
        if (!ra->name)
                return -ENOMEM;
        ra->uid = uid;
        ra->mode = st->mode;
        snprintf(ra->chain, sizeof ra->chain, "acct_%u", (unsigned)uid);
        snprintf(ra->deny_chain, sizeof ra->deny_chain, "deny_%u", (unsigned)uid);
        snprintf(ra->counter, sizeof ra->counter, "denied_%u", (unsigned)uid);
        set_init(&ra->allow4, "allow4", uid, SET_KEY_IPV4_PROTO_PORT);
        set_init(&ra->allow6, "allow6", uid, SET_KEY_IPV6_PROTO_PORT);
        set_init(&ra->hosts4, "hosts4", uid, SET_KEY_IPV4_PROTO_PORT);
        set_init(&ra->hosts6, "hosts6", uid, SET_KEY_IPV6_PROTO_PORT);
        set_init(&ra->block4, "block4", uid, SET_KEY_IPV4);
        set_init(&ra->block6, "block6", uid, SET_KEY_IPV6);
        ra->hosts4.has_timeout = ra->hosts6.has_timeout = true;
        ra->hosts4.dynamic = ra->hosts6.dynamic = true;

        r = fill_allowed(a, ra, st, facts, &v4, &v6);
        if (r >= 0)
                r = fill_blocked(a, ra, st, &v4, &v6);
        elem_vec_done(&v4);
        elem_vec_done(&v6);
        return r;
}

static int fill_resolvers(Arena *a, Ruleset *rs, const Policy *p, const HostFacts *facts) {
        const Cidr *list =
                p->defaults.resolvers_auto ? (facts ? facts->resolvers : NULL) : p->defaults.resolvers;
        size_t n = p->defaults.resolvers_auto ? (facts ? facts->n_resolvers : 0) : p->defaults.n_resolvers;
        ElemVec v4 = {}, v6 = {};
        int r = 0;

        set_init(&rs->resolvers4, "resolvers4", (uid_t)-1, SET_KEY_IPV4_PROTO_PORT);
        set_init(&rs->resolvers6, "resolvers6", (uid_t)-1, SET_KEY_IPV6_PROTO_PORT);
        rs->resolvers4.dynamic = rs->resolvers6.dynamic = true;

        for (size_t i = 0; i < n && r >= 0; i++)
                r = push_dns(list[i].family == AF_INET6 ? &v6 : &v4, &list[i]);
        if (r >= 0)
                r = set_fill(a, &rs->resolvers4, &v4);
        if (r >= 0)
                r = set_fill(a, &rs->resolvers6, &v6);
        elem_vec_done(&v4);
        elem_vec_done(&v6);
        return r;
}

static int compute_digest(Ruleset *rs) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        uint8_t md[32];
        FILE *f = open_memstream(&text, &size);
        int r;

        if (!f)
                return -ENOMEM;
        r = ruleset_render(rs, RENDER_STATIC, f);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        sha256(text, size, md);
        sha256_hex(md, rs->digest);
        return 0;
}

Ruleset *ruleset_free(Ruleset *rs) {
        if (rs)
                arena_free(rs->arena);
        return NULL;
}

int ruleset_compile(const Policy *p, const HostFacts *facts, Ruleset **ret, RccDiag *diag) {
        Arena *a = arena_new();
        Ruleset *rs;
        int r;

        if (!a)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory compiling the ruleset");
        rs = arena_alloc(a, sizeof *rs);
        if (!rs) {
                arena_free(a);
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory compiling the ruleset");
        }
        rs->arena = a;
        _cleanup_(ruleset_freep) Ruleset *owned = rs;

        r = fill_resolvers(a, rs, p, facts);
        if (r < 0)
                return diag_set(diag, r, NULL, 0, 0, "compiling the resolver sets: %s", strerror(-r));

        rs->accounts = arena_alloc_array(a, p->n_accounts ? p->n_accounts : 1, sizeof(RulesetAccount));
        if (!rs->accounts)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory compiling the ruleset");
        for (size_t i = 0; i < p->n_accounts; i++) {
                r = compile_account(a, &p->accounts[i], facts, &rs->accounts[i]);
                if (r < 0)
                        return diag_set(
                                diag, r, p->accounts[i].file, 0, 0, "compiling account '%s': %s",
                                p->accounts[i].name, strerror(-r));
                rs->n_accounts++;
        }

        r = compute_digest(rs);
        if (r < 0)
                return diag_set(diag, r, NULL, 0, 0, "computing the ruleset digest: %s", strerror(-r));
        *ret = TAKE_PTR(owned);
        return 0;
}
