/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one documented list of destinations that a sandbox account may not reach in public
 * mode: every range of the IANA IPv4 and IPv6 special-purpose address registries that is not
 * globally reachable, multicast, and the cloud metadata endpoints that sit on public addresses.
 * docs/network.md prints the same table; tests/unit/test-netranges.c checks that every entry
 * parses and that the well-known dangerous addresses fall inside it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

typedef struct SpecialRange {
        const char *cidr;
        const char *why;
} SpecialRange;

extern const SpecialRange special_ranges4[];
extern const size_t n_special_ranges4;
extern const SpecialRange special_ranges6[];
extern const size_t n_special_ranges6;

/* IPv6 forms that a translator turns back into the IPv4 destination v4: the NAT64 well-known
 * prefix 64:ff9b::/96 and 6to4 2002::/16. Blocking a v4 range blocks these forms of it too. */
void netranges_embed_nat64(const Cidr *v4, Cidr *ret);
void netranges_embed_6to4(const Cidr *v4, Cidr *ret);

/* Destinations that an allowlisted host NAME may never resolve to (loopback, link-local and
 * with it the metadata services, unspecified, multicast, public metadata addresses): a name is
 * controlled by whoever runs its DNS, so it must not be able to open these. An explicit cidr
 * rule still can, because the admin wrote that address. */
bool netranges_forbidden_for_names(const Cidr *addr);
