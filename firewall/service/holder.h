/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Holding table inet rcc: the one netlink socket rcc-firewalld applies, refreshes and removes the
 * table through. The table is created with the kernel's owner flag, so that socket is the only
 * one that can change or delete it and `nft flush ruleset` passes it by; with the persist flag
 * too where the kernel has it, so the table outlives the socket (orphaned) until the next service
 * takes it over. Under systemd the socket is also left in the unit's file descriptor store, so
 * that a service that crashes leaves the table owned by a socket systemd keeps open and hands to
 * the next one.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "firewall-service.h"
#include "policy.h"
#include "ruleset.h"

struct mnl_socket;

typedef struct Holder {
        struct mnl_socket *nl;
        uint32_t portid;      /* nl's netlink port id: the table's owner */
        bool from_store;      /* nl came from systemd's file descriptor store */
        bool stored;          /* ...or was put there */
        bool no_owner;        /* --no-owner: hold the table without the owner flag */
        bool flags_known;     /* table_flags was settled (at the first apply) */
        uint32_t table_flags; /* NFT_TABLE_F_OWNER, | NFT_TABLE_F_PERSIST, or 0 */
        bool held;            /* the table is there, applied through nl, not removed since */
        char digest[65];      /* what it was applied from */
        char how[sizeof(((FwsvcState *)0)->how)]; /* "owner,persist", or why there is no owner */
        uid_t *uids;                              /* the sandbox accounts of the policy last applied */
        size_t n_uids;
} Holder;

/* The socket: the stored one if systemd passed it back (LISTEN_FDS, name "nft-owner"), else a new
 * one. */
int holder_open(Holder *h, RccDiag *diag);
void holder_close(Holder *h);

/* Replace the table with rs, owned by h's socket. The first apply settles which flags this kernel
 * takes. Records p's sandbox uids (p NULL: keeps those it has). */
int holder_apply(Holder *h, const Ruleset *rs, const Policy *p, RccDiag *diag);
/* The uids of p's sandbox accounts: the sessions whose network helpers the service holds or cuts. */
int holder_set_accounts(Holder *h, const Policy *p);
/* Renew the resolved names in place (nft_refresh). */
int holder_refresh(Holder *h, const Ruleset *rs, RccDiag *diag);
/* Delete the table. */
int holder_remove(Holder *h, bool *ret_existed, RccDiag *diag);

/* Is the table there, owned by h's socket (when it should be) and exactly what rs compiles to?
 * why says what is wrong when it is not. */
int holder_check(Holder *h, const Ruleset *rs, bool *ret_whole, char *why, size_t why_size, RccDiag *diag);

/* Write RCC_FIREWALL_STATE for pam_rcc and doctor, or remove it when the table is not held. */
int holder_publish(const Holder *h);
