/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is the network confinement of the sandbox accounts in force in this network namespace: is table
 * inet rcc loaded, built from the policy as it is now, and unmodified since? The same questions,
 * answered by the same code, as `rcc-firewall status`. And will it stay so for the session's life:
 * is the table held by rcc-firewalld (lib/firewall-service.h), the owner of the table by the
 * kernel's owner flag, which restores the table or stops the sessions' network if it is lost? A
 * service that holds it without the flag (a kernel before 5.12) says so in its state file, and is
 * accepted: it still watches the table.
 */
#pragma once

#include <stddef.h>

#include "diag.h"
#include "nft-query.h"
#include "policy.h"

typedef enum FirewallState {
        FIREWALL_CURRENT,     /* loaded, carries the policy's digest, and matches it object by object */
        FIREWALL_NOT_LOADED,  /* no table inet rcc */
        FIREWALL_NOT_CURRENT, /* loaded, but built from another policy (edited and not applied) */
        FIREWALL_MODIFIED,    /* the policy's digest, but its contents were changed by hand */
        FIREWALL_NO_SERVICE,  /* right, but rcc-firewalld is not running (no state file, or its pid gone) */
        FIREWALL_NOT_HELD,    /* right, but not owned by the socket rcc-firewalld says it holds it with */
} FirewallState;

/* Compile p (without host facts: the digest does not depend on them) and compare it with the
 * kernel's table. why gets a detail for a human (the loaded digest, or the first difference).
 * A negative errno, with diag, when the question could not be answered. */
int firewall_check(const Policy *p, FirewallState *ret, char *why, size_t why_size, RccDiag *diag);

/* The last question alone: is table (as the kernel reported it) held by the service whose state
 * file is state_path? why says what is wrong. */
FirewallState firewall_holder(const NftTableInfo *table, const char *state_path, char *why, size_t why_size);
