/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam_rcc's arguments, as given on its line in /etc/pam.d:
 *
 *   config=DIR   the policy directory (default: RCC_CONFIG_DIR); absolute, no "..", no "//"
 *   debug        log each decision, allowed ones included, to syslog
 *
 * Parsed strictly and without side effects: an argument that is not one of these, or a config=
 * that is not a clean absolute path, is reported through the callback and ignored (the default
 * stays), so a typo in the PAM stack never loosens the gate or breaks other users' logins.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>

typedef struct PamArgs {
        char config_dir[PATH_MAX];
        bool debug;
} PamArgs;

/* Called once per argument that is ignored, with the argument and why. */
typedef void (*PamArgsWarn)(void *userdata, const char *arg, const char *why);

void pam_args_parse(int argc, const char **argv, PamArgs *ret, PamArgsWarn warn, void *userdata);
