/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The addresses rcc-dnsrelay answered for allowlisted names (RCC_FIREWALL_DNS_SOCKET): each is
 * checked again here, as root, against the policy, and added to the account's hosts4/hosts6 set
 * with the answer's TTL plus a grace period.
 */
#pragma once

#include "service.h"

typedef struct DnsGrants {
        int fd;                /* -EBADF: not listening */
        uid_t relay_uid;       /* the relay's user (rcc-dns), or 0 when there is none */
        const Ruleset *for_rs; /* the ruleset the policy below was loaded with */
        Policy *policy;
        uint64_t granted, refused;
} DnsGrants;

int dnsgrant_listen(DnsGrants *g, RccDiag *diag);
void dnsgrant_close(DnsGrants *g);
/* Read and handle the datagrams waiting (a bounded number). */
void dnsgrant_serve(DnsGrants *g, Service *svc);
