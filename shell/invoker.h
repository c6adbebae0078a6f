/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who the human behind a session is, and which project they asked for under sudo: read from the
 * session record pam_rcc wrote for this session (lib/session-record.h explains why it cannot be
 * forged). Nothing the caller's environment says about who they are is believed.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "diag.h"
#include "session-record.h"

/* The record of the session of ACCOUNT (running as uid) named by RCC_SESSION in env. via_sshd:
 * rcc-shell was started by sshd's ForceCommand, so the record must say ssh. On failure *ret is
 * untouched and diag says what the human should do. */
int invoker_identify(
        const char *account, uid_t uid, bool via_sshd, char *const *env, SessionRecord *ret, RccDiag *diag);
