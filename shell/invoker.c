/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "environ.h"
#include "invoker.h"

#define HOW_TO_ENTER                                                                                      \
        "enter through ssh with a key added by `rcc-setup key add`, or through sudo; `rcc-setup doctor` " \
        "checks that pam_rcc is in their PAM stacks"

int invoker_identify(
        const char *account, uid_t uid, bool via_sshd, char *const *env, SessionRecord *ret, RccDiag *diag) {
        const char *token = env_lookup(env, RCC_SESSION_ENV);
        SessionRecord rec;
        int r;

        if (!token)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "this session did not pass rcc's PAM gate (no %s), so nothing says which human "
                        "started it; " HOW_TO_ENTER,
                        RCC_SESSION_ENV);
        if ((r = session_record_read(RCC_SESSION_DIR, token, uid, &rec, diag)) < 0)
                return r;
        if (strcmp(rec.account, account) != 0)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0, "the session record is for account '%s', not '%s'",
                        rec.account, account);
        if (via_sshd != (rec.via == SESSION_VIA_SSH))
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "the session record says it came through %s, but rcc-shell was %sstarted by sshd",
                        session_via_to_string(rec.via), via_sshd ? "" : "not ");
        *ret = rec;
        return 0;
}
