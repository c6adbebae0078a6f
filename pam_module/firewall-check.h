/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is the network confinement of the sandbox accounts in force in this network namespace: is table
 * inet rcc loaded, built from the policy as it is now, and unmodified since? The same questions,
 * answered by the same code, as `rcc-firewall status`.
 */
#pragma once

#include <stddef.h>

#include "diag.h"
#include "policy.h"

typedef enum FirewallState {
        FIREWALL_CURRENT,     /* loaded, carries the policy's digest, and matches it object by object */
        FIREWALL_NOT_LOADED,  /* no table inet rcc */
        FIREWALL_NOT_CURRENT, /* loaded, but built from another policy (edited and not applied) */
        FIREWALL_MODIFIED,    /* the policy's digest, but its contents were changed by hand */
} FirewallState;

/* Compile p (without host facts: the digest does not depend on them) and compare it with the
 * kernel's table. why gets a detail for a human (the loaded digest, or the first difference).
 * A negative errno, with diag, when the question could not be answered. */
int firewall_check(const Policy *p, FirewallState *ret, char *why, size_t why_size, RccDiag *diag);
