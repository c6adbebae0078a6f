/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An account's keys file, KEYS_DIR/ACCOUNT (sshd's AuthorizedKeysFile, lib/keys.h): root's record
 * of whose key is whose. A key belongs to one human; each line names the human it was added for.
 */
#pragma once

#include "context.h"
#include "keys.h"

/* Add key for human to the keys file of account, unless there already; refuses a key that belongs
 * to another human. Returns 1 if added. A file rcc-setup wrote is replaced (and recorded); one
 * edited by hand is added to, and uninstall leaves it. */
int keys_file_add(Setup *s, const char *account, const SshKey *key, const char *human);
