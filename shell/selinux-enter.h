/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where SELinux is enabled, a session runs at the level of the account's ssh logins (s0 for
 * user_u), whichever way it was entered. sudo starts rcc-shell in the context of the human who ran
 * it, with that human's range (on Debian unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023).
 * In that range the session cannot reach the account's user bus, which the container runtime
 * talks to: the socket of a connection takes the bus's SELinux user and its client's range, and
 * user_u may not have c0.c1023 (found at run time: SELINUX_ERR op=security_sid_mls_copy
 * invalid_context="user_u:user_r:user_dbusd_t:s0-s0:c0.c1023", and "crun: sd-bus call: Permission
 * denied"). So rcc-shell exec's itself again, before it reads anything, at the account's level,
 * keeping the human's SELinux user, role and type.
 *
 * Not the account's own user and domain (user_u:user_r:user_t, as its ssh logins): refpolicy's UBAC
 * ties what sudo hands down (the pipes, the terminal) to the human's SELinux user, and a user_u
 * process could use none of it; a user_t process of the human's user could not create files in
 * the account's storage, whose files are user_u's. The sudo path is therefore as confined by
 * SELinux as the human who runs sudo (selinux/README.md, "Known gap"); the mounts, Landlock, the
 * firewall and DAC confine it as they confine the ssh path.
 */
#pragma once

#include "diag.h"

/* 0: already in the session's context, or SELinux is not enabled. On a move, does not return
 * (argv runs again from /proc/self/exe). A negative errno with diag set when the move is needed and
 * cannot be made: the session must not start. */
int selinux_enter_session_context(const char *account, char **argv, RccDiag *diag);
