/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What install, account add and account remove all end with: after the accounts or their grants
 * changed, everything the policy decides on the host follows it again.
 */
#pragma once

#include "context.h"

/* Each account's storage and homes, the sshd and sudoers drop-ins, the firewall and the AppArmor
 * tunables, from s->policy (loaded by the verb: setup_load_policy()). */
int follow_policy(Setup *s);
