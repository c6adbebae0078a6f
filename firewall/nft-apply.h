/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing table inet rcc (nft-apply.c): each operation is one nf_tables transaction (one BEGIN…END batch
 * sent with one sendmsg), every message acknowledged and every acknowledgement read back, so the kernel
 * either applies all of it or none of it and any failure names the object that caused it. The only code in
 * rcc that changes the kernel's ruleset; it runs in the caller's network namespace.
 *
 * Each takes the netlink socket to commit through: the one that holds the table, when it has an
 * owner (rcc-firewalld's), since the kernel lets no other socket change it. NULL: a socket of its
 * own, closed again before it returns.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "ruleset.h"

struct mnl_socket;

/* Replace table inet rcc with rs: create-if-missing, delete, then create it anew with the comment
 * RCC_DIGEST_PREFIX rs->digest, its counters, sets (with elements), chains, the accounts map's
 * elements and the rules, in the order render.c prints them. Atomic: on any error the kernel
 * aborts the whole transaction and the previous table stays exactly as it was. */
int nft_apply(struct mnl_socket *nl, const Ruleset *rs, uint32_t table_flags, RccDiag *diag);

/* Delete table inet rcc if it exists; idempotent. *ret_existed (may be NULL) says whether it did. */
int nft_remove(struct mnl_socket *nl, bool *ret_existed, RccDiag *diag);

/* Refresh the dynamic sets (those with RulesetSet.dynamic: resolvers4/6, hosts4/6_UID) in place:
 * for a set with timeouts, the kernel's unexpired elements (with what is left of their lifetime)
 * joined with rs's (with the IR's timeouts) and normalized; for a set without, rs's elements alone.
 * One transaction flushes and refills every dynamic set, so no allowed destination is ever missing.
 * -ENOENT if table inet rcc is not loaded, -ESTALE if its comment is not RCC_DIGEST_PREFIX
 * rs->digest (the static part changed: apply instead). */
int nft_refresh(struct mnl_socket *nl, const Ruleset *rs, RccDiag *diag);
