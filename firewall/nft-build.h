/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure builder of table inet rcc's batches: nft-build.c (tables, sets, elements, the batch as a
 * whole) and nft-rules.c (the rules). It fills a batch and sends nothing: nft-apply.c commits what
 * it builds, and nft-verify.c builds the same batch to compare the kernel's table with, so that
 * apply and verify have one source of truth. pam_rcc links it for verification.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "nft-netlink.h"
#include "ruleset.h"

#define NFT_ACCOUNTS_MAP "accounts"
#define NFT_ACCOUNTS_MAP_ID 1u
#define NFT_ACCOUNT_SETS 6 /* allow4, allow6, hosts4, hosts6, block4, block6 */

/* Sets in creation order (the accounts map aside): resolvers4, resolvers6, then per account
 * allow4, allow6, hosts4, hosts6, block4, block6. Set IDs follow the same order after the map's. */
static inline size_t nft_n_sets(const Ruleset *rs) {
        return 2 + NFT_ACCOUNT_SETS * rs->n_accounts;
}

static inline const RulesetSet *nft_set_at(const Ruleset *rs, size_t i) {
        const RulesetAccount *a;

        if (i < 2)
                return i == 0 ? &rs->resolvers4 : &rs->resolvers6;
        a = &rs->accounts[(i - 2) / NFT_ACCOUNT_SETS];
        switch ((i - 2) % NFT_ACCOUNT_SETS) {
        case 0:
                return &a->allow4;
        case 1:
                return &a->allow6;
        case 2:
                return &a->hosts4;
        case 3:
                return &a->hosts6;
        case 4:
                return &a->block4;
        default:
                return &a->block6;
        }
}

static inline uint32_t nft_set_id_at(size_t i) {
        return NFT_ACCOUNTS_MAP_ID + 1 + (uint32_t)i;
}

/* nft-rules.c: "meta skuid vmap @accounts" in chain output, and the rules of chains acct_UID and
 * deny_UID of the i-th account. */
int nft_add_output_rule(NftBatch *b);
int nft_add_account_rules(NftBatch *b, const Ruleset *rs, size_t i);

/* Refuse a ruleset whose sets are not normalized or whose names are missing (an internal error:
 * the compiler guarantees both), before anything is sent; and one such set. */
int nft_validate_ruleset(const Ruleset *rs, RccDiag *diag);
int nft_validate_set(const RulesetSet *s, RccDiag *diag);
/* The messages of nft_apply()'s transaction, into a begun batch; the new table gets table_flags
 * (NFT_TABLE_F_*). */
int nft_build_apply(NftBatch *b, const Ruleset *rs, uint32_t table_flags);

/* Single messages, for nft_remove() and nft_refresh(): the table (NEWTABLE or DELTABLE, with
 * netlink flags, table flags - NFT_TABLE_FLAGS_KEEP: none sent - and comment); a set's elements
 * added (set_id 0: an existing set, by name), deleted (gone: a concatenated set's, as the kernel
 * reported them), or all flushed. */
#define NFT_TABLE_FLAGS_KEEP UINT32_MAX
int nft_add_table(NftBatch *b, uint16_t type, uint16_t flags, uint32_t table_flags, const char *comment);
int nft_add_set_elems(NftBatch *b, const RulesetSet *set, uint32_t set_id);
int nft_del_set_elems(NftBatch *b, const RulesetSet *gone);
int nft_add_flush(NftBatch *b, const RulesetSet *set);
