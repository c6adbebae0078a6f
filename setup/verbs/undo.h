/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Undoing what the manifest records (undo.c), for uninstall (every account) and account remove
 * (one): first the check that nothing of the account still runs, then the entries, newest first.
 */
#pragma once

#include "context.h"

/* Undo every manifest entry of account (NULL: all) in reverse order, dropping each when done. */
int undo_entries(Setup *s, const char *account);
/* Refuse (-EBUSY, with a message naming them) if a user recorded for account (NULL: any) has
 * running processes. */
int check_no_processes(const Setup *s, const char *account);
