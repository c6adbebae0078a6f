/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>

#include "apparmor.h"
#include "context.h"
#include "firewall.h"
#include "follow-policy.h"
#include "homes.h"
#include "policy.h"
#include "sshd.h"
#include "storage.h"
#include "sudoers.h"

int follow_policy(Setup *s) {
        const Policy *p = s->policy;
        int r;

        assert(p);
        FOREACH_ARRAY (a, p->accounts, p->n_accounts)
                if ((r = ensure_account_storage(s, a)) < 0 || (r = retire_homes(a)) < 0)
                        return r;
        if ((r = write_sshd_dropin(s, p)) < 0 || (r = write_sudoers_dropin(s, p)) < 0)
                return r;
        r = apply_firewall(s);
        if (r < 0)
                return r;
        return apparmor_install(s, p);
}
