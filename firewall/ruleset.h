/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiled ruleset: what table "inet rcc" holds, as plain data. compile.c builds it from a
 * Policy (pure: no I/O but what the caller passes in), render.c prints it in nft syntax, and
 * nft-build.c turns the same data into one netlink batch. Its shape is fixed, so both back ends
 * walk it the same way and cannot drift apart:
 *
 *   table inet rcc {
 *     comment "rcc sha256:<digest>"
 *     map accounts { type uid : verdict; elements = { UID : jump acct_UID, ... } }
 *     set resolvers4/resolvers6 { addr . proto . port (53) }               dynamic
 *     per account UID:
 *       counter denied_UID
 *       set allow4_UID/allow6_UID { addr . proto . port; flags interval }  static allowlist
 *       set hosts4_UID/hosts6_UID { addr . proto . port; interval,timeout } resolved names, dynamic
 *       set block4_UID/block6_UID { addr; flags interval }                 special-purpose + deny
 *     chain output { type filter hook output priority filter; policy accept;
 *                    meta skuid vmap @accounts }
 *     chain acct_UID {                        (every packet, not only a connection's first: what
 *                                              the table denies now, no connection carries on)
 *       ip daddr . meta l4proto . th dport @allow4_UID accept      (and allow6, hosts4, hosts6,
 *       ...                                                          resolvers4, resolvers6)
 *       fib daddr type local goto deny_UID
 *       ip daddr @block4_UID goto deny_UID
 *       ip6 daddr @block6_UID goto deny_UID
 *       goto deny_UID                                               (strict mode only)
 *     }
 *     chain deny_UID {
 *       counter name "denied_UID"
 *       limit rate 50/second burst 100 packets log prefix "rcc UID " group 29283
 *                                                   (to rcc-firewalld: what was refused, and why)
 *       limit rate 10/minute log level audit
 *       meta l4proto tcp reject with tcp reset
 *       reject with icmpx admin-prohibited
 *     }
 *   }
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "arena.h"
#include "denial.h"
#include "policy.h"

#define RCC_TABLE "rcc"
#define RCC_DIGEST_PREFIX "rcc sha256:"
#define RCC_NAME_MAX 64

typedef enum SetKey {
        SET_KEY_IPV4,            /* type ipv4_addr; flags interval */
        SET_KEY_IPV6,            /* type ipv6_addr; flags interval */
        SET_KEY_IPV4_PROTO_PORT, /* type ipv4_addr . inet_proto . inet_service; flags interval */
        SET_KEY_IPV6_PROTO_PORT, /* type ipv6_addr . inet_proto . inet_service; flags interval */
} SetKey;

/* One element: a closed range in each field. Address-only sets use only addr_first/addr_last. */
typedef struct SetElem {
        uint8_t addr_first[16], addr_last[16]; /* network byte order; 4 bytes used for IPv4 */
        uint8_t proto_first, proto_last;
        uint16_t port_first, port_last; /* host byte order */
        uint64_t timeout_ms;            /* 0: permanent */
} SetElem;

typedef struct RulesetSet {
        char name[RCC_NAME_MAX];
        SetKey key;
        bool has_timeout; /* flags interval,timeout */
        bool dynamic;     /* contents come from the host (DNS) and change on refresh: not in the digest */
        SetElem *elems;   /* sorted, disjoint */
        size_t n_elems;
} RulesetSet;

typedef struct RulesetAccount {
        const char *name;
        uid_t uid;
        NetMode mode;
        char chain[RCC_NAME_MAX];      /* acct_UID */
        char deny_chain[RCC_NAME_MAX]; /* deny_UID */
        char counter[RCC_NAME_MAX];    /* denied_UID */
        RulesetSet allow4, allow6, hosts4, hosts6, block4, block6;
        /* Allowlisted names whose addresses hosts4/hosts6 hold; refresh re-resolves them. */
        const char **host_names;
        size_t n_host_names;
} RulesetAccount;

/* Self-contained: shares no memory with the Policy it was compiled from. */
typedef struct Ruleset {
        Arena *arena;
        RulesetSet resolvers4, resolvers6;
        RulesetAccount *accounts; /* in the policy's order (by uid) */
        size_t n_accounts;
        char digest[65]; /* hex SHA-256 of the static part (render with RENDER_STATIC) */
} Ruleset;

/* What rcc-firewall learned from the host, handed to the pure compiler. */
typedef struct HostFacts {
        const Cidr *resolvers; /* the host's DNS servers (used where a policy says "auto") */
        size_t n_resolvers;
        /* Resolved allowlist names: for the i-th name of resolve_names[], addrs[off[i]..off[i+1]). */
        const char *const *names;
        const size_t *name_addr_off; /* n_names + 1 offsets into addrs */
        const Cidr *addrs;
        size_t n_names;
        uint64_t host_timeout_ms; /* lifetime of a resolved address in the hosts sets */
} HostFacts;

/* Compile a validated policy. facts may be NULL (no resolvers, no resolved names): the static
 * part, and so the digest, does not depend on it. */
int ruleset_compile(const Policy *p, const HostFacts *facts, Ruleset **ret, RccDiag *diag);

struct ElemVec;
/* The set elements through which rule opens addr (its protocols times its ports), each with
 * timeout_ms, appended to out: what an address answered by rcc-dnsrelay adds to hosts4/hosts6. */
int ruleset_rule_elems(const NetRule *rule, const Cidr *addr, uint64_t timeout_ms, struct ElemVec *out);
Ruleset *ruleset_free(Ruleset *rs);
DEFINE_TRIVIAL_CLEANUP_FUNC(Ruleset *, ruleset_free);

typedef enum RenderMode {
        RENDER_FULL,   /* what `rcc-firewall show` prints: nft -f input for the whole table */
        RENDER_STATIC, /* without the comment and the dynamic sets' elements: what the digest covers */
} RenderMode;
int ruleset_render(const Ruleset *rs, RenderMode mode, FILE *f);

static inline size_t set_key_addr_len(SetKey k) {
        return k == SET_KEY_IPV4 || k == SET_KEY_IPV4_PROTO_PORT ? 4 : 16;
}
static inline bool set_key_is_concat(SetKey k) {
        return k == SET_KEY_IPV4_PROTO_PORT || k == SET_KEY_IPV6_PROTO_PORT;
}
