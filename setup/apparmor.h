/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AppArmor profiles for the sandbox accounts (apparmor.c, apparmor/README.md). Each does nothing
 * but say so where AppArmor is not active. */
#pragma once

#include "doctor.h"

struct Setup; /* system.h */

/* Write /etc/apparmor.d/{rcc-*,tunables/rcc,abstractions/rcc-*} (recorded) and load the profiles
 * with apparmor_parser -r -W. */
int apparmor_install(struct Setup *s);
/* Unload every profile the manifest records (apparmor_parser -R) and drop those entries; the files
 * go with the manifest's file entries. */
int apparmor_uninstall(struct Setup *s);
/* One line: every rcc profile loaded in enforce mode and the tunables current, or why not. */
void check_apparmor(Doctor *d);
