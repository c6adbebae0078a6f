/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What rcc-firewalld does (service.c), apart from how it is asked (main.c's loop, control.c): take
 * the table and keep it, apply and refresh it, and when it is lost, stop every sandbox session's
 * network before anything else, then restore the table or cut the sessions for good.
 */
#pragma once

#include <stdbool.h>

#include "denials.h"
#include "holder.h"
#include "sessions.h"
#include "watch.h"

/* Where the messages of one request go: a control client (rcc-firewall), or only the log. */
typedef struct Reply {
        int fd; /* -EBADF: none */
} Reply;

void reply_line(const Reply *rep, int priority, const char *fmt, ...) _printf_(3, 4);
int reply_diag(const Reply *rep, int r, const RccDiag *diag);

typedef struct Service {
        const char *config_dir;
        Holder holder;
        Ruleset *applied; /* what the table holds: restored as it is after a loss */
        Policy *policy;   /* what it was compiled from: the sessions' denials files name its reasons */
        Watch watch;
        Sessions sessions;
        Denials denials; /* nl NULL: not recorded (the nflog group could not be bound) */
        int control_fd;
        bool helpers_held; /* the sandbox sessions' network helpers are stopped */
} Service;

/* At start: adopt the table if it is already whole and ours (systemd kept our socket), else
 * apply the policy; then let the sessions an earlier service held go on. */
int service_start(Service *svc);
/* rcc-firewall apply (and SIGHUP): load, compile and apply; only a refresh when the table is
 * already whole and current. */
int service_apply(Service *svc, const Reply *rep);
/* rcc-firewall refresh (and every REFRESH_INTERVAL): renew the resolved names. */
int service_refresh(Service *svc, const Reply *rep);
/* rcc-firewall denials: every recorded refusal, "denial LINE" each (denial.h), and the totals. */
int service_denials(Service *svc, const Reply *rep);
/* rcc-firewall remove: cut every sandbox session's network, then delete the table. */
int service_remove(Service *svc, const Reply *rep);
/* The table changed under us, or may have (what: how we know): hold, restore, resume or cut. */
void service_incident(Service *svc, const char *what);
/* SIGTERM: hold every sandbox session's network, since no one watches the table after this. */
void service_stop(Service *svc, const char *why);
/* Whether a session may start now, and the line that says why not. */
bool service_ready(const Service *svc, const char **ret_why);
