/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The end of a session: what the network policy refused it, told to the human on stderr after
 * the container's terminal is given back (issue 17): each destination once, its count and the
 * reason in words, and the lines an admin would add to the account's file to allow the first.
 */
#pragma once

#include "netguard.h"
#include "policy.h"

/* Print the summary of s (nothing when nothing was refused) to f. */
void summary_print(FILE *f, const Account *a, const NetGuardSummary *s);
