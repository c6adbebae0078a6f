/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing table inet rcc: apply, remove and refresh, each one nf_tables transaction built by
 * nft-build.c and committed by nft-commit.c. The only code in rcc that changes the kernel's
 * ruleset; rcc-firewall links it, pam_rcc does not. It runs in the caller's network namespace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "arena.h"
#include "merge.h"
#include "nft-apply.h"
#include "nft-build.h"
#include "nft-commit.h"
#include "nft-query.h"

#define REFRESH_ATTEMPTS 3

DEFINE_TRIVIAL_CLEANUP_FUNC(Arena *, arena_free);

/* The caller's socket, or one of our own (closed by the caller's cleanup) when it passed none. */
static int writer(
        struct mnl_socket *given, struct mnl_socket **own, struct mnl_socket **ret, RccDiag *diag) {
        int r;

        if (given) {
                *ret = given;
                return 0;
        }
        r = nft_socket_open(own, diag);
        if (r < 0)
                return r;
        *ret = *own;
        return 0;
}

int nft_apply(struct mnl_socket *given, const Ruleset *rs, uint32_t table_flags, RccDiag *diag) {
        _cleanup_(nft_socket_closep) struct mnl_socket *own = NULL;
        _cleanup_(nft_batch_done) NftBatch b = {};
        struct mnl_socket *nl;
        int r;

        r = nft_validate_ruleset(rs, diag);
        if (r < 0)
                return r;
        r = writer(given, &own, &nl, diag);
        if (r < 0)
                return r;
        r = nft_batch_begin(&b, 0);
        if (r >= 0)
                r = nft_build_apply(&b, rs, table_flags);
        if (r < 0)
                return diag_set(diag, r, NULL, 0, 0, "out of memory building the nftables batch");
        return nft_batch_commit(nl, &b, diag);
}

int nft_remove(struct mnl_socket *given, bool *ret_existed, RccDiag *diag) {
        _cleanup_(nft_socket_closep) struct mnl_socket *own = NULL;
        _cleanup_(nft_batch_done) NftBatch b = {};
        struct mnl_socket *nl;
        char comment[256];
        bool existed;
        int r;

        r = writer(given, &own, &nl, diag);
        if (r < 0)
                return r;
        r = nft_query_comment(nl, comment, sizeof(comment), diag);
        if (r < 0 && r != -ENOENT)
                return r;
        existed = r >= 0;

        r = nft_batch_begin(&b, 0);
        if (r >= 0)
                r = nft_add_table(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE, NFT_TABLE_FLAGS_KEEP, NULL);
        if (r >= 0)
                r = nft_add_table(&b, NFT_MSG_DELTABLE, 0, 0, NULL);
        if (r < 0)
                return diag_set(diag, r, NULL, 0, 0, "out of memory building the nftables batch");
        r = nft_batch_commit(nl, &b, diag);
        if (r < 0)
                return r;
        if (ret_existed)
                *ret_existed = existed;
        return 0;
}

/* The new contents of a dynamic set: for a set with timeouts, the kernel's unexpired elements
 * (keeping what is left of their lifetime) joined with rs's; otherwise rs's alone. For a set with
 * timeouts also *ret_gone: the elements the kernel reported, which the refresh deletes one by one
 * (NULL: it flushes the set). Both live in arena: error messages refer to them until the batch
 * is answered.
 *
 * Not a flush there: Debian 12's kernel (6.1.0-50, and so 6.1 stable) refuses to flush a
 * concatenated set that holds an element which has expired but is not yet collected: the flush
 * meets it and looks it up again by key, which skips expired elements, and the whole batch fails
 * with ENOENT. Until some other commit collects it, every refresh would fail (test-nft-batch in
 * tests/vm, scenario nft-encoding). An expired element is not reported, so it is not deleted
 * either; it is not matched and the kernel collects it later. */
static int refreshed_set(
        struct mnl_socket *nl, Arena *arena, const RulesetSet *set, const RulesetSet **ret,
        const RulesetSet **ret_gone, RccDiag *diag) {
        _cleanup_free_ SetElem *old = NULL, *all = NULL;
        RulesetSet *fresh, *gone;
        size_t n_old = 0, n = 0;
        int r;

        if (!set->has_timeout) {
                *ret = set;
                *ret_gone = NULL;
                return 0;
        }
        fresh = arena_alloc(arena, sizeof(RulesetSet));
        gone = arena_alloc(arena, sizeof(RulesetSet));
        if (!fresh || !gone)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory refreshing set %s", set->name);
        *fresh = *set;
        r = nft_query_set_elems(nl, set, &old, &n_old, diag);
        if (r < 0)
                return r;
        SetElem *kept = n_old > 0 ? arena_alloc_array(arena, n_old, sizeof(SetElem)) : NULL;
        if (n_old > 0 && !kept)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory refreshing set %s", set->name);
        if (n_old > 0)
                memcpy(kept, old, n_old * sizeof(SetElem));
        *gone = *set;
        gone->elems = kept;
        gone->n_elems = n_old;
        all = calloc(n_old + set->n_elems + 1, sizeof(SetElem));
        if (!all)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory refreshing set %s", set->name);
        if (set->n_elems > 0)
                memcpy(all, set->elems, set->n_elems * sizeof(SetElem));
        n = set->n_elems;
        for (size_t i = 0; i < n_old; i++)
                if (old[i].timeout_ms > 0) /* permanent leftovers go; the policy says what stays */
                        all[n++] = old[i];
        r = ruleset_set_normalize(arena, fresh, all, n);
        if (r < 0)
                return diag_set(diag, r, NULL, 0, 0, "refreshing set %s: %s", set->name, strerror(-r));
        *ret = fresh;
        *ret_gone = gone;
        return nft_validate_set(fresh, diag);
}

static int refresh_once(struct mnl_socket *nl, const Ruleset *rs, RccDiag *diag) {
        _cleanup_(nft_batch_done) NftBatch b = {};
        _cleanup_(arena_freep) Arena *arena = NULL;
        char comment[256], expected[sizeof(RCC_DIGEST_PREFIX) + sizeof(rs->digest)];
        uint32_t genid;
        int r;

        r = nft_query_genid(nl, &genid, diag);
        if (r < 0)
                return r;
        r = nft_query_comment(nl, comment, sizeof(comment), diag);
        if (r == -ENOENT)
                return diag_set(
                        diag, r, NULL, 0, 0,
                        "table inet " RCC_TABLE " is not loaded; run 'rcc-firewall apply' first");
        if (r < 0)
                return r;
        snprintf(expected, sizeof(expected), "%s%s", RCC_DIGEST_PREFIX, rs->digest);
        if (strcmp(comment, expected) != 0)
                return diag_set(
                        diag, -ESTALE, NULL, 0, 0,
                        "table inet " RCC_TABLE " was built from another policy (its comment is '%s', "
                        "expected '%s'); run 'rcc-firewall apply' instead of refreshing",
                        comment, expected);

        arena = arena_new();
        if (!arena || nft_batch_begin(&b, genid) < 0)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory building the nftables batch");
        for (size_t i = 0; i < nft_n_sets(rs); i++) {
                const RulesetSet *set = nft_set_at(rs, i), *fresh, *gone;

                if (!set->dynamic)
                        continue;
                r = refreshed_set(nl, arena, set, &fresh, &gone, diag);
                if (r < 0)
                        return r;
                r = gone ? nft_del_set_elems(&b, gone) : nft_add_flush(&b, set);
                if (r >= 0)
                        r = nft_add_set_elems(&b, fresh, 0);
                if (r < 0)
                        return diag_set(diag, r, NULL, 0, 0, "out of memory building the nftables batch");
        }
        return nft_batch_commit(nl, &b, diag);
}

int nft_refresh(struct mnl_socket *given, const Ruleset *rs, RccDiag *diag) {
        _cleanup_(nft_socket_closep) struct mnl_socket *own = NULL;
        struct mnl_socket *nl;
        int r;

        r = nft_validate_ruleset(rs, diag);
        if (r < 0)
                return r;
        r = writer(given, &own, &nl, diag);
        if (r < 0)
                return r;
        /* Reading the table and writing the batch are separate steps; the batch carries the
         * generation it was computed from, and the kernel refuses it if anything changed between
         * (ERESTART). An element that expired in between cannot be deleted (ENOENT): read again. A
         * table that went away is found so by the next read, which then says so. */
        for (unsigned attempt = 0; attempt < REFRESH_ATTEMPTS; attempt++) {
                r = refresh_once(nl, rs, diag);
                if (r != -ERESTART && r != -ENOENT)
                        break;
        }
        return r;
}
