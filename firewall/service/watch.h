/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watching nf_tables' own change notifications (the NFNLGRP_NFTABLES multicast group, the one
 * `nft monitor` reads) for any change to table inet rcc that rcc-firewalld did not make: with the
 * owner flag nothing else can change it, so what this sees is a kernel without the flag, a table
 * held without it, or one orphaned while no service held it. Nothing is polled; the kernel tells us
 * when each transaction commits.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct mnl_socket;

typedef enum WatchEvent {
        WATCH_NOTHING,  /* only changes of ours, or to other tables */
        WATCH_TOUCHED,  /* another process changed or deleted table inet rcc */
        WATCH_OVERFLOW, /* notifications were lost (ENOBUFS): the table must be checked */
} WatchEvent;

typedef struct Watch {
        struct mnl_socket *nl;
        uint32_t own_portid; /* changes committed through this port are ours */
        bool pending;        /* a foreign change seen, its transaction's end (NEWGEN) not yet */
} Watch;

int watch_open(Watch *w, uint32_t own_portid, RccDiag *diag);
void watch_close(Watch *w);
int watch_fd(const Watch *w);

/* Read every pending notification. *ret is the most serious thing seen; who (for TOUCHED) the
 * process that committed the change, "pid 1234 (nft)", when the kernel said. */
int watch_read(Watch *w, WatchEvent *ret, char *who, size_t who_size);
