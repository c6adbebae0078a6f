/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "firewall-check.h"
#include "nft-query.h"
#include "nft-verify.h"
#include "ruleset.h"

int firewall_check(const Policy *p, FirewallState *ret, char *why, size_t why_size, RccDiag *diag) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_(nft_socket_closep) struct mnl_socket *nl = NULL;
        char comment[256], want[sizeof comment];
        bool intact = false;
        int r;

        why[0] = '\0';
        if ((r = ruleset_compile(p, NULL, &rs, diag)) < 0)
                return r;
        if ((r = nft_socket_open(&nl, diag)) < 0)
                return r;
        r = nft_query_comment(nl, comment, sizeof comment, diag);
        if (r == -ENOENT) {
                *ret = FIREWALL_NOT_LOADED;
                return 0;
        }
        if (r < 0)
                return r;
        snprintf(want, sizeof want, "%s%s", RCC_DIGEST_PREFIX, rs->digest);
        if (strcmp(comment, want) != 0) {
                snprintf(why, why_size, "it is '%s', the policy compiles to sha256:%s", comment, rs->digest);
                *ret = FIREWALL_NOT_CURRENT;
                return 0;
        }
        if ((r = nft_verify(rs, &intact, why, why_size, diag)) < 0)
                return r;
        *ret = intact ? FIREWALL_CURRENT : FIREWALL_MODIFIED;
        return 0;
}
