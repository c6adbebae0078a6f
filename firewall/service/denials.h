/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the sandbox accounts were refused: every packet the deny chains log to the nflog group
 * (ruleset.h: RCC_NFLOG_GROUP, at most RCC_NFLOG_RATE a second per account), counted per account
 * and destination in a table of DENIALS_MAX entries (the least recently refused one makes room), so
 * that a flood costs a bounded amount of memory and no log. rcc-firewall denials reads it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "denial.h"
#include "diag.h"

#define DENIALS_MAX 4096

struct mnl_socket;

typedef struct Denials {
        struct mnl_socket *nl;
        Denial *entries; /* DENIALS_MAX */
        size_t n;
        uint64_t evicted; /* entries that made room for newer ones */
        uint64_t packets; /* every refused packet seen */
        /* Called for each refused packet as it is counted (the sessions' own summaries). */
        void (*on_denial)(void *userdata, uid_t uid, const Denial *d, int64_t now);
        void *userdata;
} Denials;

/* Bind the nflog group. -EBUSY: another process has it. */
int denials_open(Denials *d, RccDiag *diag);
void denials_close(Denials *d);
int denials_fd(const Denials *d);

/* Read every pending packet message and count it. */
int denials_read(Denials *d);

/* Count one refused packet of uid to the destination in pkt at time now (also for tests). */
void denials_add(Denials *d, uid_t uid, const Denial *dest, int64_t now);
