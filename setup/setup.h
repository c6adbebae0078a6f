/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup: one file per subcommand (install.c, uninstall.c, account.c, key.c, image.c,
 * doctor.c). Each verb gets the global options and its own arguments (argv[0] is the verb) and
 * returns 0 or a negative errno after reporting the error itself; main() turns that into the exit
 * status, in one place.
 */
#pragma once

#include <stdbool.h>

typedef struct SetupArgs {
        const char *config_dir; /* --config DIR, default RCC_CONFIG_DIR */
        const char *account;    /* --account NAME (install, image) or NULL: the default "rcc" */
        bool yes;               /* --yes: do not ask before destructive steps (uninstall) */
} SetupArgs;

#define SETUP_DEFAULT_ACCOUNT "rcc"

int verb_install(const SetupArgs *args, int argc, char **argv);
int verb_uninstall(const SetupArgs *args, int argc, char **argv);
int verb_doctor(const SetupArgs *args, int argc, char **argv);
int verb_account(const SetupArgs *args, int argc, char **argv); /* add | remove | list */
int verb_key(const SetupArgs *args, int argc, char **argv);     /* add */
int verb_image(const SetupArgs *args, int argc, char **argv);   /* build | import */
