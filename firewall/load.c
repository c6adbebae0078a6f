/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <unistd.h>

#include "load.h"

int firewall_load(const FirewallLoad *l, Policy **ret_policy, Ruleset **ret_rs, RccDiag *diag) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyOptions opts = {.passwd_file = l->passwd_file, .allow_own_files = geteuid() != 0};
        HostFactsStore facts = {};
        int r;

        r = policy_load(l->config_dir, &opts, &p, diag);
        if (r < 0)
                return r;
        r = hostfacts_gather(p, l->resolve, l->warn, l->userdata, &facts, diag);
        if (r < 0)
                return r;
        r = ruleset_compile(p, &facts.facts, ret_rs, diag);
        hostfacts_done(&facts);
        if (r < 0)
                return r;
        if (ret_policy)
                *ret_policy = TAKE_PTR(p);
        return 0;
}
