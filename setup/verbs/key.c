/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup key add ACCOUNT FILE --user HUMAN: authorize HUMAN's public key for ACCOUNT. The keys
 * file (KEYS_DIR/ACCOUNT) is root's record of whose key is whose; a key belongs to one human.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "files.h"
#include "keys-file.h"
#include "keys.h"
#include "log.h"
#include "policy.h"
#include "verbs.h"

/* The first key line of a .pub file (blank lines and comments skipped). */
static int read_pubkey(const char *path, SshKey *ret) {
        _cleanup_free_ char *text = NULL;
        RccDiag diag = {};
        unsigned lineno = 0;
        int r;

        r = read_file(path, 64 * 1024, &text, NULL);
        if (r < 0)
                return log_errno(r, "cannot read '%s': %s", path, strerror(-r));
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                line += strspn(line, " \t");
                if (line[0] == '\0' || line[0] == '#' || line[0] == '\r')
                        continue;
                r = ssh_key_parse(line, ret, &diag);
                if (r < 0)
                        return log_errno(r, "%s:%u:%u: %s", path, lineno, diag.column, diag.msg);
                return 0;
        }
        return log_errno(-EBADMSG, "'%s' has no public key", path);
}

int verb_key(const SetupArgs *args, int argc, char **argv) {
        static const struct option options[] = {
                {"user", required_argument, NULL, 'u'},
                {},
        };
        _cleanup_(setup_done) Setup s = {};
        const char *human = NULL;
        const Account *a;
        SshKey key;
        int c, r;

        while ((c = getopt_long(argc, argv, "u:", options, NULL)) >= 0)
                switch (c) {
                case 'u':
                        human = optarg;
                        break;
                default:
                        return VERB_USAGE; /* getopt said what */
                }
        if (argc - optind != 3 || strcmp(argv[optind], "add") != 0 || !human) {
                log_error("usage: rcc-setup key add ACCOUNT PUBKEY_FILE --user HUMAN");
                return VERB_USAGE;
        }
        const char *account = argv[optind + 1], *file = argv[optind + 2];

        r = setup_init(&s, args->config_dir);
        if (r < 0)
                return r;
        r = setup_load_policy(&s);
        if (r < 0)
                return r;
        a = policy_find_account(s.policy, account);
        if (!a)
                return log_errno(
                        -ENOENT, "'%s' is not a sandbox account of the policy in %s", account, s.config_dir);
        if (!settings_find_user(&a->settings, human))
                return log_errno(
                        -EPERM,
                        "'%s' is not one of the users of '%s'; grant them in the policy first (users: in "
                        "%s)",
                        human, account, a->owner ? a->file : "rcc.yaml");
        r = read_pubkey(file, &key);
        if (r < 0)
                return r;
        r = keys_file_add(&s, account, &key, human);
        if (r < 0)
                return r;
        printf("rcc-setup: %s key of '%s' %s for '%s' (%s/%s)\n", key.type, human,
               r > 0 ? "authorized" : "was already authorized", account, s.keys_dir, account);
        return 0;
}
