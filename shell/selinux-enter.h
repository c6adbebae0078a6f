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
 * keeping the human's SELinux user, role and domain.
 *
 * That is as far as it goes. With SELinux enforcing, the account's user manager (user_u) may not
 * look at or answer a process of another SELinux user (refpolicy's UBAC: found at run time, denied
 * { search } on its /proc directory and { send_msg } of the AccessDenied reply, and podman waited
 * forever for its scope), and rcc-shell cannot move a sudo session into user_u: UBAC would keep
 * it from the pipes and terminal sudo hands down, which are the human's. So where SELinux
 * enforces and the session's SELinux user is not the account's, the session is refused, with a
 * line that says to log in as the account (ssh). Permissive, it goes on at the account's level.
 */
#pragma once

#include "diag.h"

/* 0: already in the session's context, or SELinux is not enabled. On a move, does not return
 * (argv runs again from /proc/self/exe). A negative errno with diag set when the move is needed and
 * cannot be made: the session must not start. */
int selinux_enter_session_context(const char *account, char **argv, RccDiag *diag);
