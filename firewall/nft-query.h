/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading table inet rcc back (nft-query.c): its status (comment, counters), the ruleset
 * generation, and the elements of its sets. The read side, which pam_rcc links.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netfilter/nf_tables.h>

#include "diag.h"
#include "nft-netlink.h"
#include "ruleset.h"

typedef struct NftCounter {
        char name[RCC_NAME_MAX];
        uint64_t packets, bytes;
} NftCounter;

/* The kernel's table flags that say who holds the table (linux/netfilter/nf_tables.h; PERSIST is
 * newer than the headers of Debian 12). OWNER (Linux >= 5.12): only the netlink socket that created
 * the table may change or delete it, `nft flush ruleset` passes it by, and it goes when that socket
 * closes. PERSIST (Linux >= 6.9): it stays then, orphaned (OWNER cleared) until a new owner takes
 * it over. */
#ifndef NFT_TABLE_F_PERSIST
#define NFT_TABLE_F_PERSIST 0x4
#endif
#define NFT_TABLE_F_HOLD (NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST)

typedef struct NftTableInfo {
        char comment[256]; /* "" when it has none */
        uint32_t flags;    /* NFT_TABLE_F_* */
        uint32_t owner;    /* the owning socket's netlink port id; 0 when it has no owner */
} NftTableInfo;

typedef struct NftStatus {
        bool loaded;        /* table inet rcc exists */
        NftTableInfo table; /* ...and what it is */
        NftCounter *counters;
        size_t n_counters;
} NftStatus;

/* The table's comment and every named counter in it. Not loaded is not an error. On failure *ret is
 * untouched. */
int nft_status(NftStatus *ret, RccDiag *diag);
void nft_status_done(NftStatus *s);

/* The ruleset generation: a batch that carries it is refused (-ERESTART) if anything changed since. */
int nft_query_genid(struct mnl_socket *nl, uint32_t *ret_genid, RccDiag *diag);

/* Table inet rcc's comment, flags and owner; -ENOENT (diag untouched) when there is no such table. */
int nft_query_table(struct mnl_socket *nl, NftTableInfo *ret, RccDiag *diag);
/* Just its comment. */
int nft_query_comment(struct mnl_socket *nl, char *buf, size_t size, RccDiag *diag);

/* The comment in a table's userdata into buf ("" when it has none); -EBADMSG if the userdata is
 * malformed. */
int nft_table_comment(const struct nftnl_table *t, char *buf, size_t size);

/* The elements the kernel holds in a concatenated (addr . proto . port) set, in kernel order. Each
 * element's timeout_ms is what is left of its lifetime, 0 for an element without a timeout. The
 * array is malloc()ed; NULL when the set is empty. */
int nft_query_set_elems(
        struct mnl_socket *nl, const RulesetSet *set, SetElem **ret, size_t *ret_n, RccDiag *diag);
