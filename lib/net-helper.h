/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's way out: rootless podman gives each container a network namespace whose only link
 * to the host's network is a helper process, slirp4netns or pasta, running as the sandbox account
 * in the host's network namespace. Every packet of the session is sent by that process's sockets,
 * which is why the firewall keys on the account's uid; and stopping the process stops the
 * session's network whatever the firewall holds. rcc-firewalld (as root, for every sandbox
 * account) and rcc-shell (as the account, for its own) hold, resume and cut sessions this way
 * when the firewall cannot be trusted to.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum NetHelperAction {
        NET_HELPER_HOLD,   /* SIGSTOP: nothing passes, connections wait */
        NET_HELPER_RESUME, /* SIGCONT */
        NET_HELPER_CUT,    /* SIGKILL: the session has no network for the rest of its life */
} NetHelperAction;

/* Whether a process named comm (/proc/PID/comm) is a network helper. */
bool net_helper_name(const char *comm);

/* Apply action to every network helper whose real uid is one of uids[0..n). Each is reached
 * through a pidfd opened before it is checked, so a pid reused meanwhile is never signalled. Returns
 * how many processes it signalled, or a negative errno when /proc cannot be read. */
int net_helpers_signal(const uid_t *uids, size_t n, NetHelperAction action);
