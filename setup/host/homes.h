/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The homes the sessions keep in an account's storage (RCC_STORAGE_DIR/UID/homes, shell/home.h),
 * one directory per human. The homes of a human no longer in an account's users are retired:
 * moved to homes/.retired/HUMAN.DATE, still listed by rcc-setup state, still the admin's to
 * remove, never handed to anyone else. Everything under homes/ is the account's, written by its
 * sessions: it is walked by descriptor and never followed.
 */
#pragma once

#include <sys/types.h>

#include "policy.h"

#define HOMES_RETIRED ".retired"

/* The account's homes/ (O_RDONLY|O_DIRECTORY), or -errno (-ENOENT: no storage yet). */
int homes_open(uid_t uid);

/* Move the homes of every human not in a->settings.users to homes/.retired/HUMAN.DATE. */
int retire_homes(const Account *a);
