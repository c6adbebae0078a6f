/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sandbox accounts as users of the host (users.c): each made by useradd, with its own group,
 * home, subordinate id range, lingering, and a line in the cron and at deny lists; and the
 * processes that keep one from being removed.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "context.h"

#define USERADD_PATH "/usr/sbin/useradd"
#define USERMOD_PATH "/usr/sbin/usermod"
#define USERDEL_PATH "/usr/sbin/userdel"

/* Create the sandbox user NAME (its own group, home RCC_HOME_DIR/NAME 0700, login shell
 * rcc-shell, password "*": no password, but not "locked" for sshd's pubkey logins). An existing
 * user is accepted only if its shell is rcc-shell. */
int ensure_account_user(Setup *s, const char *name);
/* Give NAME a free 65536-id subuid and subgid range unless it has one. */
int ensure_subids(Setup *s, const char *name);
/* loginctl enable-linger where systemd is PID 1. */
int ensure_linger(Setup *s, const char *name);
/* NAME in /etc/cron.deny and /etc/at.deny. */
int deny_cron_at(Setup *s, const char *name);
/* Everything one sandbox account needs on the host: the user, accounts.d/NAME.yaml (yaml, if
 * absent), an empty keys file, /etc/shells, subids, lingering, cron/at. kind: "main" or "lab". */
int ensure_account(Setup *s, const char *name, const char *kind, const char *yaml);

/* The processes of uid as "PID (COMM), ..." in buf; their number. *ret_sessions: how many of them
 * are rcc-shell, i.e. live sessions. */
int user_processes(uid_t uid, char *buf, size_t size, int *ret_sessions);
/* End every process of uid (SIGTERM, then SIGKILL after 2 s). For a sandbox account without live
 * sessions: what is left is podman's own (the rootless pause process, a container's conmon). */
int stop_user_processes(uid_t uid);
