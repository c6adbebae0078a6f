/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing and removing session records (lib/session-record.h says what they are and why they
 * cannot be forged). Root only: this is the privileged half; rcc-shell only reads.
 */
#pragma once

#include <sys/types.h>

#include "diag.h"
#include "session-record.h"

/* Create RCC_RUN_DIR and dir if missing (root's, 0755 and 0711), refusing either if it is not
 * root's; then write rec under a fresh random token, root:gid 0640. token gets
 * SESSION_TOKEN_LEN + 1 bytes. */
int record_store(const char *dir, const SessionRecord *rec, gid_t gid, char *token, RccDiag *diag);

/* Remove the record of token. Removing one that is not there is not an error. */
int record_remove(const char *dir, const char *token, RccDiag *diag);
