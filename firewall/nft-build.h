/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the rcc-nft library: what the apply batch is made of, shared by nft-batch.c (tables, sets,
 * elements, the batch as a whole), nft-rules.c (the rules) and nft-verify.c (which builds the same
 * batch to compare the kernel's table with, so that apply and verify have one source of truth).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "nft-query.h"
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

/* nft-batch.c: refuse a ruleset whose sets are not normalized or whose names are missing (an
 * internal error: the compiler guarantees both), before anything is sent. */
int nft_validate_ruleset(const Ruleset *rs, RccDiag *diag);
/* nft-batch.c: the messages of nft_apply()'s transaction, into a begun batch. */
int nft_build_apply(NftBatch *b, const Ruleset *rs);
