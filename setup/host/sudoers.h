/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sudoers drop-in, SUDOERS_DROPIN: for every sandbox account, the humans it grants (its owner
 * alone in lab mode) may run the shims in RCC_SHIM_DIR as the account, and nothing else; the
 * caller's environment never reaches it. Checked with visudo -c before it is renamed into place.
 */
#pragma once

#include "context.h"
#include "policy.h"

#define SUDO_PATH "/usr/bin/sudo"
#define VISUDO_PATH "/usr/sbin/visudo"
#define SUDOERS_DROPIN "/etc/sudoers.d/rcc"

/* The drop-in's text for policy p (NULL: out of memory). */
char *sudoers_dropin_text(const Policy *p);
/* The drop-in for every account of p, checked with visudo first. */
int write_sudoers_dropin(Setup *s, const Policy *p);
