/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "firewall-check.h"
#include "firewall-service.h"
#include "nft-query.h"
#include "nft-verify.h"
#include "ruleset.h"

int firewall_check(const Policy *p, FirewallState *ret, char *why, size_t why_size, RccDiag *diag) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_(nft_socket_closep) struct mnl_socket *nl = NULL;
        NftTableInfo table;
        char want[sizeof table.comment];
        bool intact = false;
        int r;

        why[0] = '\0';
        if ((r = ruleset_compile(p, NULL, &rs, diag)) < 0)
                return r;
        if ((r = nft_socket_open(&nl, diag)) < 0)
                return r;
        r = nft_query_table(nl, &table, diag);
        if (r == -ENOENT) {
                *ret = FIREWALL_NOT_LOADED;
                return 0;
        }
        if (r < 0)
                return r;
        snprintf(want, sizeof want, "%s%s", RCC_DIGEST_PREFIX, rs->digest);
        if (strcmp(table.comment, want) != 0) {
                snprintf(
                        why, why_size, "it is '%s', the policy compiles to sha256:%s", table.comment,
                        rs->digest);
                *ret = FIREWALL_NOT_CURRENT;
                return 0;
        }
        if ((r = nft_verify(rs, &intact, why, why_size, diag)) < 0)
                return r;
        *ret = intact ? firewall_holder(&table, RCC_FIREWALL_STATE, why, why_size) : FIREWALL_MODIFIED;
        return 0;
}

FirewallState firewall_holder(
        const NftTableInfo *table, const char *state_path, char *why, size_t why_size) {
        FwsvcState st;
        RccDiag diag = {};
        char buf[DIAG_STRLEN];
        int r = fwsvc_state_read(state_path, &st, &diag);

        if (r == -ENOENT) {
                snprintf(why, why_size, "rcc-firewalld is not running: there is no %s", state_path);
                return FIREWALL_NO_SERVICE;
        }
        if (r < 0) {
                snprintf(why, why_size, "%s", diag_format(&diag, buf, sizeof buf));
                return FIREWALL_NO_SERVICE;
        }
        if (kill(st.pid, 0) < 0 && errno == ESRCH) {
                snprintf(why, why_size, "rcc-firewalld (pid %d) is gone", (int)st.pid);
                return FIREWALL_NO_SERVICE;
        }
        if (st.portid != 0 && (!(table->flags & NFT_TABLE_F_OWNER) || table->owner != st.portid)) {
                snprintf(
                        why, why_size, "the table's owner is %s%u, rcc-firewalld's socket is %u",
                        table->flags & NFT_TABLE_F_OWNER ? "netlink port " : "none, port ", table->owner,
                        st.portid);
                return FIREWALL_NOT_HELD;
        }
        /* Without the owner flag (an old kernel), the service still watches and restores the
         * table: say so for the debug log. */
        snprintf(why, why_size, "held by rcc-firewalld (pid %d): %s", (int)st.pid, st.how);
        return FIREWALL_CURRENT;
}
