/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drift detection: is table inet rcc, as the kernel holds it now, still what nft_apply() made of the
 * ruleset? The comment only says which policy it was built from; root can edit the table by hand
 * afterwards (nft add rule, nft flush chain, nft delete element ...) and the comment stays.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ruleset.h"

/* Compare the kernel's table inet rcc with the objects nft_apply(rs) would create (built by the
 * same code, so the two cannot disagree about what "the same" means):
 *
 *   - the table: comment and flags (dormant, owner ...);
 *   - chains: type, hook, priority, policy, flags, comment; extra or missing chains;
 *   - rules: how many each chain has, and each rule's expressions with all their attributes, in
 *     order (an attribute the kernel reports with its default value equals one left out);
 *   - sets and the accounts map: flags, key and data types and lengths, concatenation fields,
 *     timeout, userdata, expressions; extra or missing sets;
 *   - the elements of every set that is not dynamic, and of the map: keys, range ends, flags,
 *     verdicts, userdata, timeouts;
 *   - named objects (the denied_UID counters): type and comment; extra or missing ones.
 *
 * Ignored: handles, counter values (of named counters and of the output chain), the elements of
 * dynamic sets (resolvers, resolved names: refresh rewrites them) and elements' remaining lifetime.
 * Flowtables are not looked at (without a rule that uses one, a flowtable does nothing).
 *
 * *ret_intact is true when everything matches; otherwise why (may be NULL) gets the first
 * difference for a human: "not loaded", "chain acct_1001 has 4 rules, expected 11", "set block4_1001
 * differs: element 10.0.0.0/8 missing", "extra chain 'x'". Returns 0, or a negative errno (with
 * diag) when the kernel's table could not be read. */
int nft_verify(const Ruleset *rs, bool *ret_intact, char *why, size_t why_size, RccDiag *diag);

/* The most userdata the kernel keeps for a set (NFT_USERDATA_MAXLEN). */
#define NFT_SET_USERDATA_MAX 256

/* A set's userdata as nft_verify() compares it, into out; returns its length. Left out: the
 * "typeof" nests (NFTNL_UDATA_SET_KEY_TYPEOF, NFTNL_UDATA_SET_DATA_TYPEOF), nft's notes on how to
 * print the key and the data, which nftables 1.1 writes in more detail than 1.0 and rcc: a plain-
 * value typeof for a set or map declared with `type` (rcc's accounts map), the members' types in a
 * concatenation's (nft 1.1.3 on Debian 13, tests/vm scenario nft-encoding). What the kernel
 * matches on (key type and length, concatenation fields, flags) is compared as attributes of
 * their own, and nft lists the set the same either way. Every other byte stays, the key's and
 * data's byte order and a malformed rest included. */
size_t nft_set_userdata_compared(const void *udata, size_t len, uint8_t out[static NFT_SET_USERDATA_MAX]);
