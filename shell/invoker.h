/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who the human behind a session is. Kept apart from the rest of rcc-shell on purpose: a later
 * change replaces where this comes from (a root-owned record written by pam_rcc) without touching
 * its callers.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "diag.h"

typedef enum InvokerVia {
        INVOKER_SSH,  /* the key that authenticated, looked up in RCC_KEYS_DIR/ACCOUNT */
        INVOKER_SUDO, /* SUDO_USER, checked against SUDO_UID */
} InvokerVia;

typedef struct Invoker {
        InvokerVia via;
        char user[256];
} Invoker;

/* Identify the human who started a session of ACCOUNT (running as uid). via_sshd: rcc-shell was
 * started by sshd's ForceCommand. env is rcc-shell's environment. On failure *ret is untouched and
 * diag says what the human should do. */
int invoker_identify(
        const char *account, uid_t uid, bool via_sshd, char *const *env, Invoker *ret, RccDiag *diag);

const char *invoker_via_to_string(InvokerVia via);
