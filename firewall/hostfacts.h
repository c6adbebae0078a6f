/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What rcc-firewall reads from the host before compiling: its DNS resolvers and the addresses
 * that allowlisted names resolve to. The only part of the compile path that does I/O. */
#pragma once

#include "ruleset.h"

#define HOST_TIMEOUT_MS (30u * 60 * 1000) /* a resolved address lives this long without refresh */

typedef struct HostFactsStore {
        HostFacts facts;
        Cidr *resolvers;
        const char **names;
        size_t *offsets;
        Cidr *addrs;
} HostFactsStore;

/* Nameservers of a resolv.conf(5) file; where it names systemd-resolved's stub (127.0.0.53 or
 * 127.0.0.54), also the upstreams from /run/systemd/resolve/resolv.conf. Missing file: none. */
int hostfacts_read_resolvers(const char *resolv_conf, Cidr **ret, size_t *ret_n);

/* Gather the facts the policy needs. With resolve_names false, names are left unresolved (for
 * `show`, which touches no network). Names that fail to resolve are reported through warn(),
 * and leave their set empty: fail closed. */
typedef void (*HostFactsWarn)(void *userdata, const char *name, const char *why);
int hostfacts_gather(
        const Policy *p, bool resolve_names, HostFactsWarn warn, void *userdata, HostFactsStore *ret,
        RccDiag *diag);
void hostfacts_done(HostFactsStore *s);
