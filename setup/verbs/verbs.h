/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup: one file per subcommand (install.c, apply.c, uninstall.c, account.c, key.c, image.c,
 * doctor.c, state.c). Each verb gets the global options and its own arguments (argv[0] is the
 * verb) and returns 0, VERB_USAGE or a negative errno after reporting the error itself; main()
 * turns that into the exit status, in one place.
 */
#pragma once

#include <stdbool.h>

typedef struct SetupArgs {
        const char *config_dir; /* --config DIR, default RCC_CONFIG_DIR */
        const char *account;    /* --account NAME (install, image) or NULL: the default "rcc" */
        bool yes;               /* --yes: do not ask before destructive steps (uninstall) */
        bool dry_run;           /* --dry-run: say what would change, change nothing (apply) */
} SetupArgs;

#define SETUP_DEFAULT_ACCOUNT "rcc"

/* What a verb returns, after saying what is wrong, when its command line is: an unknown option, a
 * missing or extra argument, a malformed value. main() exits 2 for it, and 1 for a negative errno
 * (rcc-setup(8), EXIT STATUS). Not an errno, so that no failing step (visudo rejecting the sudoers
 * drop-in returns -EINVAL, say) is ever taken for a usage error. */
#define VERB_USAGE 1

int verb_install(const SetupArgs *args, int argc, char **argv);
int verb_apply(const SetupArgs *args, int argc, char **argv);
int verb_uninstall(const SetupArgs *args, int argc, char **argv);
int verb_doctor(const SetupArgs *args, int argc, char **argv);
int verb_account(const SetupArgs *args, int argc, char **argv); /* add | remove | list */
int verb_key(const SetupArgs *args, int argc, char **argv);     /* add */
int verb_image(const SetupArgs *args, int argc, char **argv);   /* build | import */
int verb_state(const SetupArgs *args, int argc, char **argv);   /* list | remove */
