/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup: install rcc on this machine and look after it. Root only: everything it writes is
 * what confines the sandbox accounts.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "verbs.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

static void help(void) {
        printf("Usage: rcc-setup [OPTIONS] COMMAND [ARGS]\n"
               "\n"
               "Set up confined accounts for AI coding agents.\n"
               "\n"
               "Commands:\n"
               "  install                       create the sandbox account and wire sshd, sudo and the firewall\n"
               "  apply [--dry-run]             bring the machine to what the policy says, after a change\n"
               "  uninstall                     remove exactly what install and account add created\n"
               "  doctor [--json]               check every enforcement point; exit 1 if a session is unsafe\n"
               "  account add NAME --owner USER a lab-mode account for one human\n"
               "  account remove NAME           remove a lab-mode account\n"
               "  account list                  list the sandbox accounts\n"
               "  key add ACCOUNT FILE --user HUMAN   authorize HUMAN's ssh public key for ACCOUNT\n"
               "  image build                   build the default image (Debian + Node.js + Claude Code)\n"
               "  image import TARBALL          import a root filesystem tarball as the policy's image\n"
               "  state list [--user HUMAN]     the sessions' homes: human, project, size, last use\n"
               "  state remove --user HUMAN [--project PATH]   remove a human's homes\n"
               "\n"
               "Options:\n"
               "  -c, --config DIR    policy directory (default %s)\n"
               "      --account NAME  the account install, image or state acts on (default %s)\n"
               "  -y, --yes           do not ask before removing things (uninstall)\n"
               "  -n, --dry-run       apply: say what would change, change nothing\n"
               "  -h, --help          show this help\n"
               "      --version       show the version\n"
               "\n"
               "See rcc-setup(8).\n",
               RCC_CONFIG_DIR, SETUP_DEFAULT_ACCOUNT);
}

static int parse_argv(int argc, char **argv, SetupArgs *args) {
        enum { ARG_VERSION = 0x100, ARG_ACCOUNT };
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"account", required_argument, NULL, ARG_ACCOUNT},
                {"yes", no_argument, NULL, 'y'},
                {"dry-run", no_argument, NULL, 'n'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        int c;

        /* "+": options end at the verb, whose own options its file parses. */
        while ((c = getopt_long(argc, argv, "+c:ynh", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        args->config_dir = optarg;
                        break;
                case ARG_ACCOUNT:
                        args->account = optarg;
                        break;
                case 'y':
                        args->yes = true;
                        break;
                case 'n':
                        args->dry_run = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("rcc-setup " RCC_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind == argc) {
                log_error("no command given; see rcc-setup --help");
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char **argv) {
        static const struct {
                const char *name;
                int (*run)(const SetupArgs *args, int argc, char **argv);
        } verbs[] = {
                {"install", verb_install}, {"apply", verb_apply},     {"uninstall", verb_uninstall},
                {"doctor", verb_doctor},   {"account", verb_account}, {"key", verb_key},
                {"image", verb_image},     {"state", verb_state},
        };
        SetupArgs args = {.config_dir = RCC_CONFIG_DIR};
        int r;

        log_open("rcc-setup");
        r = parse_argv(argc, argv, &args);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        const char *verb = argv[optind];
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (strcmp(verbs[i].name, verb) != 0)
                        continue;
                if (geteuid() != 0 && strcmp(verb, "doctor") != 0) {
                        log_error("'%s' changes the system and must run as root", verb);
                        return EXIT_FAILED;
                }
                /* Verbs see their own arguments with argv[0] = the verb, as getopt expects. */
                int first = optind;
                optind = 0;
                r = verbs[i].run(&args, argc - first, argv + first);
                assert(r <= 0 || r == VERB_USAGE);
                return r == VERB_USAGE ? EXIT_USAGE : r < 0 ? EXIT_FAILED : EXIT_SUCCESS;
        }
        log_error("unknown command '%s'; see rcc-setup --help", verb);
        return EXIT_USAGE;
}
