/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the rcc-nft library, for nft-verify.c: table inet rcc as two snapshots of nftnl objects,
 * the one nft_apply() would create (read back out of the very batch nft-build.c builds for it,
 * parsed the way a dump is parsed) and the one the kernel holds (dumped as of one ruleset
 * generation). Elements are read only for sets that are not dynamic.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ruleset.h"

struct mnl_socket;
struct nftnl_table;

typedef enum NftObjKind {
        NFT_KIND_CHAIN,
        NFT_KIND_RULE,
        NFT_KIND_SET,
        NFT_KIND_OBJ,
        _NFT_KIND_MAX
} NftObjKind;

typedef struct NftObj {
        const char *name; /* chains, sets, objects: their name; rules: their chain's */
        size_t seq;       /* position in the batch or dump: keeps the rules of a chain in order */
        void *p;          /* struct nftnl_chain, _rule, _set or _obj */
        bool dynamic;     /* sets: elements are not compared */
} NftObj;

typedef struct NftObjList {
        NftObj *v;
        size_t n, allocated;
} NftObjList;

/* One side of the comparison. The lists are sorted by name (and seq) once complete. */
typedef struct NftSnapshot {
        struct nftnl_table *table; /* NULL: there is no table inet rcc */
        NftObjList lists[_NFT_KIND_MAX];
} NftSnapshot;

void nft_snapshot_done(NftSnapshot *s);

/* The object of that name in a sorted list (for rules: one of the chain's); NULL if none. */
NftObj *nft_objlist_find(const NftObjList *l, const char *name);

/* What nft_apply(rs) would create; rs is valid (nft_validate_ruleset()). -ENOMEM, or -EBADMSG if the
 * batch cannot be parsed back (a bug). */
int nft_snapshot_expected(const Ruleset *rs, NftSnapshot *ret);

/* What the kernel holds: ret->table NULL when there is no table inet rcc. The elements of the sets
 * want has and does not call dynamic. Read again if the ruleset changed meanwhile. */
int nft_snapshot_kernel(struct mnl_socket *nl, const NftSnapshot *want, NftSnapshot *ret, RccDiag *diag);
