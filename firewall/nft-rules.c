/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rules of table inet rcc as nftnl expressions, exactly as nft builds them from render.c's text:
 * the same expressions, registers and byte orders, so that `nft list table inet rcc` cannot tell
 * the two apart (tests/integration/test-nft-batch.c checks it, attribute by attribute).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>

#include "nft-build.h"

/* nft names a register by 16-byte unit (NFT_REG_1..4) when a value starts on one and by 4-byte
 * unit (NFT_REG32_xx) otherwise; idx counts 4-byte units from the first register. */
static uint32_t reg32(unsigned idx) {
        return idx % 4 == 0 ? NFT_REG_1 + idx / 4 : NFT_REG32_00 + idx;
}

typedef struct Rule {
        struct nftnl_rule *r;
        int error; /* the first allocation failure; the rule is then dropped at commit */
} Rule;

static void rule_begin(Rule *rule, const char *chain) {
        *rule = (Rule){.r = nftnl_rule_alloc()};
        if (!rule->r || nftnl_rule_set_str(rule->r, NFTNL_RULE_TABLE, RCC_TABLE) < 0 ||
            nftnl_rule_set_str(rule->r, NFTNL_RULE_CHAIN, chain) < 0)
                rule->error = -ENOMEM;
        else
                nftnl_rule_set_u32(rule->r, NFTNL_RULE_FAMILY, NFPROTO_INET);
}

static int rule_commit(NftBatch *b, Rule *rule, const char *chain, unsigned n) {
        struct nlmsghdr *nlh;
        int r = rule->error;

        if (r == 0) {
                nlh = nft_batch_msg(
                        b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, "rule %u of chain %s", n, chain);
                if (nlh) {
                        nftnl_rule_nlmsg_build_payload(nlh, rule->r);
                        r = nft_batch_next(b);
                } else
                        r = -ENOMEM;
        }
        if (rule->r)
                nftnl_rule_free(rule->r);
        *rule = (Rule){};
        return r;
}

/* Append an expression to the rule; NULL (and the rule marked failed) when out of memory. */
static struct nftnl_expr *rule_expr(Rule *rule, const char *name) {
        struct nftnl_expr *e;

        if (rule->error < 0)
                return NULL;
        e = nftnl_expr_alloc(name);
        if (!e) {
                rule->error = -ENOMEM;
                return NULL;
        }
        nftnl_rule_add_expr(rule->r, e);
        return e;
}

static void rule_check(Rule *rule, int r) {
        if (r < 0 && rule->error == 0)
                rule->error = -ENOMEM;
}

static void e_meta(Rule *rule, uint32_t key, uint32_t dreg) {
        struct nftnl_expr *e = rule_expr(rule, "meta");

        if (!e)
                return;
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
}

static void e_cmp(Rule *rule, uint32_t op, const void *data, uint32_t len) {
        struct nftnl_expr *e = rule_expr(rule, "cmp");

        if (!e)
                return;
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
        rule_check(rule, nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len));
}

static void e_payload(Rule *rule, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg) {
        struct nftnl_expr *e = rule_expr(rule, "payload");

        if (!e)
                return;
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
}

static void e_lookup(Rule *rule, const char *set, uint32_t set_id, bool vmap) {
        struct nftnl_expr *e = rule_expr(rule, "lookup");

        if (!e)
                return;
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
        if (vmap)
                nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
        rule_check(rule, nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set));
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
}

static void e_verdict(Rule *rule, int verdict, const char *chain) {
        struct nftnl_expr *e = rule_expr(rule, "immediate");

        if (!e)
                return;
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
        if (chain)
                rule_check(rule, nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain));
}

/* ip daddr / ip6 daddr: in an inet table nft first matches the family. */
static void e_daddr(Rule *rule, unsigned addr_len) {
        uint8_t family = addr_len == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6;

        e_meta(rule, NFT_META_NFPROTO, NFT_REG_1);
        e_cmp(rule, NFT_CMP_EQ, &family, sizeof(family));
        /* Offset of the destination address in the IPv4 (16) or IPv6 (24) header. */
        e_payload(rule, NFT_PAYLOAD_NETWORK_HEADER, addr_len == 4 ? 16 : 24, addr_len, NFT_REG_1);
}

/* ip daddr . meta l4proto . th dport: each field in whole 32-bit registers from NFT_REG_1 on. The
 * protocol is one byte, loaded into a zeroed register and compared as one: nftables before 1.1
 * followed the load with `byteorder hton(reg, 2, 1)`, which converts len / size = 0 values (a no-op)
 * and which Linux 6.12 refuses with EOPNOTSUPP; nftables 1.1 no longer emits it, and neither do we.
 * The set elements are encoded the same either way. */
static void e_concat_key(Rule *rule, unsigned addr_len) {
        unsigned proto = addr_len / 4;

        e_daddr(rule, addr_len);
        e_meta(rule, NFT_META_L4PROTO, reg32(proto));
        /* th dport: bytes 2-3 of the transport header. */
        e_payload(rule, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, reg32(proto + 1));
}

/* fib daddr type local */
static void e_fib_local(Rule *rule) {
        const uint32_t local = RTN_LOCAL;
        struct nftnl_expr *e = rule_expr(rule, "fib");

        if (e) {
                nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
                nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
                nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
        }
        e_cmp(rule, NFT_CMP_EQ, &local, sizeof(local));
}

static void e_reject(Rule *rule, uint32_t type, uint8_t code) {
        struct nftnl_expr *e = rule_expr(rule, "reject");

        if (!e)
                return;
        nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, type);
        nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
}

int nft_add_output_rule(NftBatch *b) {
        Rule rule;

        rule_begin(&rule, "output");
        e_meta(&rule, NFT_META_SKUID, NFT_REG_1);
        e_lookup(&rule, NFT_ACCOUNTS_MAP, NFT_ACCOUNTS_MAP_ID, true);
        return rule_commit(b, &rule, "output", 1);
}

/* counter name "denied_UID"; limit rate RATE/second burst BURST packets log prefix "rcc UID "
 * group GROUP; limit rate 10/minute log level audit; meta l4proto tcp reject with tcp reset;
 * reject with icmpx admin-prohibited */
static int add_deny_rules(NftBatch *b, const RulesetAccount *a) {
        const uint8_t tcp = IPPROTO_TCP;
        struct nftnl_expr *e;
        Rule rule;
        int r;

        rule_begin(&rule, a->deny_chain);
        e = rule_expr(&rule, "objref");
        if (e) {
                nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
                rule_check(&rule, nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, a->counter));
        }
        if ((r = rule_commit(b, &rule, a->deny_chain, 1)) < 0)
                return r;

        /* Every refused packet, within a rate, to rcc-firewalld (firewall/service/denials.c),
         * its account in the prefix; the first bytes only: the service's group copies 128. */
        rule_begin(&rule, a->deny_chain);
        e = rule_expr(&rule, "limit");
        if (e) {
                nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, RCC_NFLOG_RATE);
                nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
                nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, RCC_NFLOG_BURST);
                nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
                nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
        }
        e = rule_expr(&rule, "log");
        if (e) {
                char prefix[32];
                snprintf(prefix, sizeof prefix, "%s%u ", RCC_NFLOG_PREFIX, (unsigned)a->uid);
                rule_check(&rule, nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix));
                nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, RCC_NFLOG_GROUP);
        }
        if ((r = rule_commit(b, &rule, a->deny_chain, 2)) < 0)
                return r;

        rule_begin(&rule, a->deny_chain);
        e = rule_expr(&rule, "limit");
        if (e) {
                nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, 10);
                nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 60);
                nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, 5); /* nft's default for packet limits */
                nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
                nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
        }
        e = rule_expr(&rule, "log");
        if (e)
                nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, NFT_LOGLEVEL_AUDIT);
        if ((r = rule_commit(b, &rule, a->deny_chain, 3)) < 0)
                return r;

        rule_begin(&rule, a->deny_chain);
        e_meta(&rule, NFT_META_L4PROTO, NFT_REG_1);
        e_cmp(&rule, NFT_CMP_EQ, &tcp, sizeof(tcp));
        e_reject(&rule, NFT_REJECT_TCP_RST, 0);
        if ((r = rule_commit(b, &rule, a->deny_chain, 4)) < 0)
                return r;

        rule_begin(&rule, a->deny_chain);
        e_reject(&rule, NFT_REJECT_ICMPX_UNREACH, NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
        return rule_commit(b, &rule, a->deny_chain, 5);
}

int nft_add_account_rules(NftBatch *b, const Ruleset *rs, size_t i) {
        const RulesetAccount *a = &rs->accounts[i];
        const size_t first = 2 + NFT_ACCOUNT_SETS * i; /* this account's allow4 in nft_set_at() order */
        /* allow4, allow6, hosts4, hosts6, resolvers4, resolvers6: in render.c's order */
        const size_t allow[] = {first, first + 1, first + 2, first + 3, 0, 1};
        const size_t block[] = {first + 4, first + 5};
        unsigned n = 0;
        Rule rule;
        int r;

        for (size_t j = 0; j < ELEMENTSOF(allow); j++) {
                const RulesetSet *set = nft_set_at(rs, allow[j]);

                rule_begin(&rule, a->chain);
                e_concat_key(&rule, nft_key_layout(set->key).addr_len);
                e_lookup(&rule, set->name, nft_set_id_at(allow[j]), false);
                e_verdict(&rule, NF_ACCEPT, NULL);
                if ((r = rule_commit(b, &rule, a->chain, ++n)) < 0)
                        return r;
        }
        rule_begin(&rule, a->chain);
        e_fib_local(&rule);
        e_verdict(&rule, NFT_GOTO, a->deny_chain);
        if ((r = rule_commit(b, &rule, a->chain, ++n)) < 0)
                return r;
        for (size_t j = 0; j < ELEMENTSOF(block); j++) {
                const RulesetSet *set = nft_set_at(rs, block[j]);

                rule_begin(&rule, a->chain);
                e_daddr(&rule, nft_key_layout(set->key).addr_len);
                e_lookup(&rule, set->name, nft_set_id_at(block[j]), false);
                e_verdict(&rule, NFT_GOTO, a->deny_chain);
                if ((r = rule_commit(b, &rule, a->chain, ++n)) < 0)
                        return r;
        }
        if (a->mode == NET_MODE_STRICT) {
                rule_begin(&rule, a->chain);
                e_verdict(&rule, NFT_GOTO, a->deny_chain);
                if ((r = rule_commit(b, &rule, a->chain, ++n)) < 0)
                        return r;
        }
        return add_deny_rules(b, a);
}
