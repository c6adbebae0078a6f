/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AppArmor profiles for the sandbox accounts (apparmor.c, apparmor/README.md). Each does nothing
 * but say so where AppArmor is not active. The facts below are also what doctor checks. */
#pragma once

#include <stdbool.h>

#include "context.h"
#include "policy.h"

#define AA_FS "/sys/kernel/security/apparmor"
#define AA_PROFILES AA_FS "/profiles"
#define AA_DIR "/etc/apparmor.d"
#define AA_TUNABLES AA_DIR "/tunables/rcc"
#define AA_MOUNT_FIX "mount -t securityfs securityfs /sys/kernel/security"

/* In the order they are loaded; the names are also the files' names (apparmor/meson.build). */
#define APPARMOR_N_PROFILES ((size_t)7)
extern const char *const apparmor_profile_names[APPARMOR_N_PROFILES];

typedef enum AppArmorState {
        APPARMOR_OFF,    /* not in the kernel, or not enabled: nothing to do */
        APPARMOR_ACTIVE, /* enabled, and AA_FS is there to load and list profiles */
        APPARMOR_NO_FS,  /* enabled, but securityfs is not mounted here */
} AppArmorState;

AppArmorState apparmor_state(void);

/* The tunables file for policy p: every account's home and uid, every granted project. */
int apparmor_tunables_text(const Policy *p, char **ret);

/* Whether profile name is in profiles (AA_PROFILES' text), and in which mode ("enforce",
 * "complain"): mode of size 16. */
bool apparmor_profile_loaded(const char *profiles, const char *name, char *mode);

/* Write /etc/apparmor.d/{rcc-*,tunables/rcc,abstractions/rcc-*} (recorded; the tunables from p)
 * and load the profiles with apparmor_parser -r -W. */
int apparmor_install(Setup *s, const Policy *p);
/* Unload every profile the manifest records (apparmor_parser -R) and drop those entries; the files
 * go with the manifest's file entries. */
int apparmor_uninstall(Setup *s);
