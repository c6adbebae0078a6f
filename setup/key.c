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
#include <unistd.h>

#include "keys.h"
#include "log.h"
#include "setup.h"
#include "system.h"
#include "util.h"

/* The first key line of a .pub file (blank lines and comments skipped). */
static int read_pubkey(const char *path, SshKey *ret) {
        _cleanup_free_ char *text = NULL;
        RccDiag diag = {};
        unsigned lineno = 0;
        int r;

        r = read_file(path, 64 * 1024, &text, NULL);
        if (r < 0)
                return log_err(r, "cannot read '%s': %s", path, strerror(-r));
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
                        return log_err(r, "%s:%u:%u: %s", path, lineno, diag.column, diag.msg);
                return 0;
        }
        return log_err(-EBADMSG, "'%s' has no public key", path);
}

int keys_file_add(Setup *s, const char *account, const SshKey *key, const char *human) {
        _cleanup_free_ char *path = NULL, *old = NULL, *text = NULL;
        char line[sizeof key->type + sizeof key->blob + 300], owner[300];
        RccDiag diag = {};
        int r;

        if (asprintf(&path, "%s/%s", s->keys_dir, account) < 0)
                return log_err(-ENOMEM, "out of memory");
        r = keys_find_invoker(path, false, key, owner, sizeof owner, &diag);
        if (r == 0 && strcmp(owner, human) == 0)
                return 0;
        if (r == 0)
                return log_err(
                        -EEXIST,
                        "this %s key is already authorized for '%s' as '%s'; a key belongs to one human",
                        key->type, account, owner);
        if (r != -ENOENT)
                return log_diag(r, &diag);
        r = keys_format_line(key, human, line, sizeof line);
        if (r < 0)
                return log_err(r, "cannot format the key line for '%s'", human);
        r = read_file(path, KEYS_MAX_FILE_SIZE, &old, NULL);
        if (r < 0 && r != -ENOENT)
                return log_err(r, "cannot read '%s': %s", path, strerror(-r));
        size_t n = old ? strlen(old) : 0;
        if (asprintf(&text, "%s%s%s\n", old ?: "", n > 0 && old[n - 1] != '\n' ? "\n" : "", line) < 0)
                return log_err(-ENOMEM, "out of memory");
        if (old && !file_is_ours(s, path)) {
                /* Someone else's file (edited by hand): add to it, but uninstall leaves it. */
                r = write_file_atomic(path, text, strlen(text), 0644, 0, 0);
                if (r < 0)
                        return log_err(r, "cannot write '%s': %s", path, strerror(-r));
        } else {
                r = replace_file(s, path, text, 0644, account);
                if (r < 0)
                        return r;
        }
        return 1;
}

int verb_key(const SetupArgs *args, int argc, char **argv) {
        static const struct option options[] = {
                {"user", required_argument, NULL, 'u'},
                {},
        };
        _cleanup_(setup_done) Setup s = {};
        _cleanup_(policy_freep) Policy *p = NULL;
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
                        return -EINVAL;
                }
        if (argc - optind != 3 || strcmp(argv[optind], "add") != 0 || !human) {
                log_error("usage: rcc-setup key add ACCOUNT PUBKEY_FILE --user HUMAN");
                return -EINVAL;
        }
        const char *account = argv[optind + 1], *file = argv[optind + 2];

        r = setup_init(&s, args->config_dir);
        if (r < 0)
                return r;
        r = load_policy(&s, &p);
        if (r < 0)
                return r;
        a = policy_find_account(p, account);
        if (!a)
                return log_err(
                        -ENOENT, "'%s' is not a sandbox account of the policy in %s", account, s.config_dir);
        if (!settings_find_user(&a->settings, human))
                return log_err(
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
