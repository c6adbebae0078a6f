/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup uninstall: everything install and account add created, and nothing else, undone from
 * the manifest (undo.h); the LSM layers first, while their profiles and labels are still named.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "apparmor.h"
#include "context.h"
#include "log.h"
#include "paths.h"
#include "selinux.h"
#include "undo.h"
#include "verbs.h"

static bool confirm(void) {
        char answer[16] = "";

        printf("Remove everything rcc-setup installed (listed in %s)? [y/N] ", RCC_INSTALL_MANIFEST);
        fflush(stdout);
        if (!fgets(answer, sizeof answer, stdin))
                return false;
        return answer[0] == 'y' || answer[0] == 'Y';
}

int verb_uninstall(const SetupArgs *args, int argc, char **argv) {
        _cleanup_(setup_done) Setup s = {};
        int r;

        if (argc > 1) {
                log_error("'%s' takes no arguments; see rcc-setup --help", argv[0]);
                return VERB_USAGE;
        }
        r = setup_init(&s, args->config_dir);
        if (r < 0)
                return r;
        if (s.manifest->n_entries == 0) {
                printf("rcc-setup: nothing to uninstall (%s is empty or absent)\n", RCC_INSTALL_MANIFEST);
                return 0;
        }
        if (!args->yes && isatty(STDIN_FILENO) && !confirm()) {
                printf("rcc-setup: nothing removed\n");
                return -ECANCELED;
        }
        r = check_no_processes(&s, NULL);
        if (r < 0)
                return r;
        r = apparmor_uninstall(&s);
        if (r < 0)
                return r;
        r = selinux_uninstall(&s, NULL);
        if (r < 0)
                return r;
        r = undo_entries(&s, NULL);
        if (r < 0)
                return r;
        printf("rcc-setup: uninstalled\n");
        return 0;
}
