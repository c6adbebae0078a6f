/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "context.h"
#include "files.h"
#include "log.h"
#include "policy.h"
#include "run.h"
#include "sudoers.h"

char *sudoers_dropin_text(const Policy *p) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        fputs("# Written by rcc-setup: who may start the agent as which rcc sandbox account. Regenerated\n"
              "# by install, apply, account add and account remove; change the policy instead of this file.\n"
              "#\n"
              "# The caller's environment never reaches the account (no env_keep, HOME of the account,\n"
              "# no SETENV), and only the shims in " RCC_SHIM_DIR " may be run: the directory form\n"
              "# matches the files in it and nothing else.\n",
              f);
        for (size_t i = 0; i < p->n_accounts; i++) {
                const Account *a = &p->accounts[i];
                const UserGrant *users;
                size_t n;

                fprintf(f,
                        "\nDefaults>%s env_reset, !env_keep, !setenv, secure_path=\"" RCC_SHIM_DIR
                        "\", use_pty, "
                        "set_home, always_set_home\n",
                        a->name);
                account_humans(a, &users, &n);
                for (size_t k = 0; k < n; k++)
                        fprintf(f, "%s ALL=(%s) NOPASSWD: " RCC_SHIM_DIR "/\n", users[k].user, a->name);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int visudo_check(const char *tmp) {
        const char *argv[] = {VISUDO_PATH, "-c", "-q", "-f", tmp, NULL};
        int r = run_argv(argv, &(RunOptions){.quiet = true});

        if (r != 0)
                return log_errno(-EINVAL, "visudo -c rejects the new %s; left unchanged", SUDOERS_DROPIN);
        return 0;
}

int write_sudoers_dropin(Setup *s, const Policy *p) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (!s->have_sudo) {
                log_warning("sudo is not installed: 'sudo -u ACCOUNT claude' is not wired");
                return 0;
        }
        text = sudoers_dropin_text(p);
        if (!text)
                return log_errno(-ENOMEM, "out of memory");
        r = replace_file_checked(s, SUDOERS_DROPIN, text, 0440, NULL, visudo_check);
        if (r < 0)
                return r;
        step("sudo", "%s: shims in %s for the granted humans; checked with visudo", SUDOERS_DROPIN,
             RCC_SHIM_DIR);
        return 0;
}
