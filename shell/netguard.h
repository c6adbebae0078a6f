/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session's link to rcc-firewalld (lib/firewall-service.h), held for the session's whole life.
 *
 * Before the container starts, the service must answer "ok": the firewall is whole and someone
 * watches it. While the session runs, the service says when it holds, resumes or cuts the
 * session's network, and this tells the human. If the service goes away, nobody watches the table
 * any more: the session stops its account's network helpers itself at once (lib/net-helper.h; they
 * run as the account, so it may), keeps stopping any that appear, and asks again every
 * GUARD_RETRY_MS. A service that answers "ok" within FWSVC_REJOIN_MS lets the session go on; after
 * that the helpers are killed, and the session goes on without a network.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "denial.h"

#define GUARD_RETRY_MS 100

typedef enum GuardState {
        GUARD_OK,   /* registered, network running */
        GUARD_HELD, /* the service holds our network while it restores the table */
        GUARD_AWAY, /* the service is gone: we hold our network ourselves */
        GUARD_CUT,  /* no network for the rest of the session */
} GuardState;

typedef struct NetGuard {
        int fd; /* the connection, -EBADF while the service is away */
        uid_t uid;
        bool tty; /* the human's terminal is in raw mode: lines end in \r\n */
        GuardState state;
        long long away_since_ms;
        long long next_try_ms;
} NetGuard;

/* Register with the service. 0 when it answered "ok"; otherwise a negative errno and why: -ENOENT
 * or -ECONNREFUSED (no service), -EPERM (it refused: why is its answer). */
int netguard_join(NetGuard *g, uid_t uid, bool tty, char *why, size_t why_size);
void netguard_leave(NetGuard *g);

/* What to poll: the connection (-1 when there is none) and the next deadline in ms from now (-1:
 * none). */
int netguard_fd(const NetGuard *g);
int netguard_timeout_ms(const NetGuard *g);

/* The connection is readable or hung up, or the deadline passed: act on it. */
void netguard_handle(NetGuard *g);

/* What the service saw this session refused (firewall/service/sessions.h): each destination, and
 * how many refusals it could not attribute to this session (other sessions of the account ran)
 * or did not keep. */
#define SUMMARY_TIMEOUT_MS 2000
typedef struct NetGuardSummary {
        Denial denials[64];
        size_t n;
        uint64_t shared, more;
} NetGuardSummary;

/* Ask the service for it, at the session's end. -ENOTCONN when there is no service to ask. */
int netguard_summary(NetGuard *g, NetGuardSummary *ret);
