/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "selinux-enter.h"

#if HAVE_LIBSELINUX
#include <selinux/get_context_list.h>
#include <selinux/selinux.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(char *, freecon);
#define _cleanup_freecon_ _cleanup_(freeconp)

/* Set on the way into the new context, so that a move that does not take (the policy put the
 * process elsewhere) refuses the session instead of trying again. Whoever sets it beforehand gets
 * a refusal, never a skipped move: the context is compared first. */
#define REENTERED_ENV "RCC_SELINUX_REENTERED"

/* The context sshd starts from: the account's login context is the one its ssh logins get. */
#define SSHD_CONTEXT "system_u:system_r:sshd_t"

/* user:role:type:range: the length of the first n fields (without the colon after them). */
static size_t fields_len(const char *con, unsigned n) {
        const char *c = con;

        for (unsigned i = 0; i < n && c; i++) {
                c = strchr(c, ':');
                if (c && i + 1 < n)
                        c++;
        }
        return c ? (size_t)(c - con) : strlen(con);
}

int selinux_enter_session_context(const char *account, char **argv, RccDiag *diag) {
        _cleanup_freecon_ char *current = NULL, *login = NULL;
        _cleanup_free_ char *seuser = NULL, *level = NULL, *want = NULL;
        const char *login_tail;

        if (is_selinux_enabled() <= 0)
                return 0;
        if (getcon(&current) < 0)
                return diag_set(diag, -errno, NULL, 0, 0, "cannot read this process's SELinux context: %m");
        if (getseuserbyname(account, &seuser, &level) < 0)
                return diag_set(
                        diag, -errno, NULL, 0, 0,
                        "cannot find the SELinux user of account '%s' (%m); an admin runs rcc-setup install",
                        account);
        if (get_default_context_with_level(
                    seuser, level,
                    is_selinux_mls_enabled() > 0 ? SSHD_CONTEXT ":s0-s0:c0.c1023" : SSHD_CONTEXT,
                    &login) < 0)
                return diag_set(
                        diag, errno ? -errno : -ENOENT, NULL, 0, 0,
                        "the SELinux policy gives account '%s' (SELinux user %s) no login context (%m); an admin "
                        "runs rcc-setup doctor",
                        account, seuser);
        /* This process's user, role and type; the login's level. */
        login_tail = login + fields_len(login, 3);
        if (asprintf(&want, "%.*s%s", (int)fields_len(current, 3), current, login_tail) < 0)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        if (strcmp(current, want) == 0) {
                unsetenv(REENTERED_ENV);
                return 0;
        }
        /* Another SELinux user than the account's: entered by sudo. Enforcing, the session cannot
         * work (selinux-enter.h): say so now rather than leave podman waiting on the user bus. */
        if (strncmp(current, login, fields_len(login, 1)) != 0 || current[fields_len(login, 1)] != ':') {
                if (security_getenforce() > 0)
                        return diag_set(
                                diag, -EPERM, NULL, 0, 0,
                                "SELinux is enforcing, and this session runs as SELinux user %.*s, not as "
                                "account '%s' (%s): its user manager could not start the container for it. "
                                "Under SELinux, use the account's own login: ssh %s@localhost",
                                (int)fields_len(current, 1), current, account, seuser, account);
        }
        if (getenv(REENTERED_ENV))
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "this session runs in SELinux context %s, not %s as account '%s' must; an admin runs "
                        "rcc-setup doctor",
                        current, want, account);
        if (setenv(REENTERED_ENV, "1", 1) < 0)
                return diag_set(diag, -errno, NULL, 0, 0, "cannot set %s: %m", REENTERED_ENV);
        if (setexeccon(want) < 0)
                return diag_set(
                        diag, -errno, NULL, 0, 0,
                        "cannot move this session from SELinux context %s into %s (%m); an admin runs "
                        "rcc-setup doctor",
                        current, want);
        execv("/proc/self/exe", argv);
        return diag_set(
                diag, -errno, NULL, 0, 0, "cannot run rcc-shell again in SELinux context %s: %m", want);
}

#else

int selinux_enter_session_context(const char *account, char **argv, RccDiag *diag) {
        (void)account;
        (void)argv;
        (void)diag;
        /* Built without libselinux: a session entered by sudo keeps the human's SELinux context
         * (selinux/README.md). */
        return 0;
}

#endif
