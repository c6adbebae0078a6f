/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy and the ruleset it compiles to, loaded the one way rcc-firewall and rcc-firewalld
 * load them: the policy through librcc, the host's facts (hostfacts.h), then the compiler.
 */
#pragma once

#include <stdbool.h>

#include "diag.h"
#include "hostfacts.h"
#include "policy.h"
#include "ruleset.h"

typedef struct FirewallLoad {
        const char *config_dir;
        const char *passwd_file; /* NULL: the system's; else uids from this file (check, show) */
        bool resolve;            /* look up allowlisted names (apply, refresh) */
        HostFactsWarn warn;      /* a name that did not resolve; may be NULL */
        void *userdata;
} FirewallLoad;

/* Load and compile. *ret_policy may be NULL when the caller needs only the ruleset. */
int firewall_load(const FirewallLoad *l, Policy **ret_policy, Ruleset **ret_rs, RccDiag *diag);
