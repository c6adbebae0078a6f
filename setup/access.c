/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who may reach the sandbox accounts and what they may touch: the sudoers drop-in, the firewall,
 * and the ACLs that let an account and its humans share the humans' projects.
 */
#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "apparmor.h"
#include "config.h"
#include "log.h"
#include "paths.h"
#include "system.h"
#include "util.h"

#define TEST_PATH "/usr/bin/test"

/* ---- sudoers ---- */

/* The humans who may use account a: its owner alone in lab mode, else everyone it grants. */
static void account_humans(const Account *a, const UserGrant **ret, size_t *ret_n) {
        if (a->owner) {
                const UserGrant *g = settings_find_user(&a->settings, a->owner);
                *ret = g;
                *ret_n = g ? 1 : 0;
                return;
        }
        *ret = a->settings.users;
        *ret_n = a->settings.n_users;
}

static char *sudoers_text(const Policy *p) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        fputs("# Written by rcc-setup: who may start the agent as which rcc sandbox account. Regenerated\n"
              "# by install, account add and account remove; change the policy instead of this file.\n"
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
                return log_err(-EINVAL, "visudo -c rejects the new %s; left unchanged", SUDOERS_DROPIN);
        return 0;
}

int write_sudoers_dropin(Setup *s, const Policy *p) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (!s->have_sudo) {
                log_warning("sudo is not installed: 'sudo -u ACCOUNT claude' is not wired");
                return 0;
        }
        text = sudoers_text(p);
        if (!text)
                return log_err(-ENOMEM, "out of memory");
        r = replace_file_checked(s, SUDOERS_DROPIN, text, 0440, NULL, visudo_check);
        if (r < 0)
                return r;
        step("sudo", "%s: shims in %s for the granted humans; checked with visudo", SUDOERS_DROPIN,
             RCC_SHIM_DIR);
        return 0;
}

int rewire_accounts(Setup *s) {
        _cleanup_(policy_freep) Policy *p = NULL;
        int r;

        r = load_policy(s, &p);
        if (r < 0)
                return r;
        r = write_sshd_dropin(s, p);
        if (r < 0)
                return r;
        return write_sudoers_dropin(s, p);
}

int follow_policy(Setup *s) {
        int r;

        r = rewire_accounts(s);
        if (r < 0)
                return r;
        r = apply_firewall(s);
        if (r < 0)
                return r;
        return apparmor_install(s);
}

/* ---- firewall ---- */

int apply_firewall(Setup *s) {
        static const char *const units[] = {"rcc-firewall.service", "rcc-firewall-refresh.timer"};
        const char *apply[] = {RCC_FIREWALL_PATH, "--config", s->config_dir, "apply", NULL};
        int r;

        if (!manifest_find(s->manifest, "firewall", NULL, NULL)) {
                r = manifest_add(s->manifest, "firewall", NULL, s->config_dir, NULL);
                if (r < 0)
                        return log_err(r, "cannot record the firewall: %s", strerror(-r));
        }
        r = run_argv(apply, NULL);
        if (r != 0)
                return log_err(
                        r < 0 ? r : -EIO, "%s apply failed; no session can start until it succeeds",
                        RCC_FIREWALL_PATH);
        if (!s->systemd) {
                step("firewall",
                     "applied; systemd is not PID 1, so nothing re-applies it at boot: run '%s apply' "
                     "from the boot scripts",
                     RCC_FIREWALL_PATH);
                log_warning("the firewall is not re-applied at boot without systemd");
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                const char *enabled[] = {SYSTEMCTL_PATH, "--quiet", "is-enabled", units[i], NULL};
                const char *enable[] = {SYSTEMCTL_PATH, "enable", "--now", units[i], NULL};

                if (run_argv(enabled, NULL) == 0)
                        continue;
                r = manifest_add(s->manifest, "unit", NULL, units[i], NULL);
                if (r < 0)
                        return log_err(r, "cannot record %s: %s", units[i], strerror(-r));
                r = run_argv(enable, NULL);
                if (r != 0)
                        return log_err(r < 0 ? r : -EIO, "systemctl enable --now %s failed", units[i]);
        }
        step("firewall", "applied; rcc-firewall.service and the refresh timer enabled");
        return 0;
}

/* ---- project ACLs ---- */

static int setfacl(const char *const *argv) {
        size_t n = 0;
        int r;

        while (argv[n])
                n++;
        r = run_argv(argv, NULL);
        if (r != 0)
                return log_err(r < 0 ? r : -EIO, "setfacl %s '%s' failed", argv[n - 2], argv[n - 1]);
        return 0;
}

/* Let the account traverse every ancestor of path it cannot: u:ACCOUNT:--x, top down. */
static int grant_traverse(Setup *s, const char *account, uid_t uid, const char *path) {
        _cleanup_free_ char *dir = strdup(path);
        char *slash;
        int r;

        if (!dir)
                return log_err(-ENOMEM, "out of memory");
        for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                const char *test[] = {TEST_PATH, "-x", dir, NULL};
                if (run_argv(test, &(RunOptions){.as_user = true, .uid = uid}) != 0) {
                        _cleanup_free_ char *spec = NULL;
                        if (asprintf(&spec, "u:%s:--x", account) < 0)
                                return log_err(-ENOMEM, "out of memory");
                        if (!manifest_find(s->manifest, "traverse", account, dir, NULL)) {
                                r = manifest_add(s->manifest, "traverse", account, dir, NULL);
                                if (r < 0)
                                        return log_err(r, "cannot record an ACL: %s", strerror(-r));
                        }
                        const char *argv[] = {SETFACL_PATH, "-m", spec, dir, NULL};
                        r = setfacl(argv);
                        if (r < 0)
                                return r;
                }
                *slash = '/';
        }
        return 0;
}

static int grant_one(Setup *s, const Account *a, const char *human, const char *path) {
        _cleanup_free_ char *acc = NULL, *dflt = NULL;
        int r;

        r = grant_traverse(s, a->name, a->uid, path);
        if (r < 0)
                return r;
        if (asprintf(&acc, "u:%s:rwX", a->name) < 0 ||
            asprintf(&dflt, "u:%s:rwX,u:%s:rwX", a->name, human) < 0)
                return log_err(-ENOMEM, "out of memory");
        if (!manifest_find(s->manifest, "acl", a->name, path, human, NULL)) {
                /* "fresh": the directory had no ACL of its own before, so uninstall may take away
                 * the base entries setfacl adds along with ours, leaving no trace. */
                bool fresh = getxattr(path, "system.posix_acl_access", NULL, 0) < 0 && errno == ENODATA &&
                             getxattr(path, "system.posix_acl_default", NULL, 0) < 0 && errno == ENODATA;
                r = manifest_add(s->manifest, "acl", a->name, path, human, fresh ? "fresh" : "kept", NULL);
                if (r < 0)
                        return log_err(r, "cannot record an ACL: %s", strerror(-r));
        }
        /* -P: never follow a symlink out of the project. */
        const char *access_argv[] = {SETFACL_PATH, "-R", "-P", "-m", acc, path, NULL};
        const char *default_argv[] = {SETFACL_PATH, "-R", "-P", "-d", "-m", dflt, path, NULL};
        r = setfacl(access_argv);
        if (r < 0)
                return r;
        return setfacl(default_argv);
}

int grant_project_acls(Setup *s, const Account *a) {
        const UserGrant *users;
        size_t n, granted = 0;
        int r;

        account_humans(a, &users, &n);
        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < users[i].n_projects; k++) {
                        glob_t g = {};

                        if (glob(users[i].projects[k], GLOB_NOSORT, NULL, &g) != 0) {
                                globfree(&g);
                                continue; /* nothing there yet */
                        }
                        for (size_t j = 0; j < g.gl_pathc; j++) {
                                struct stat st;

                                if (lstat(g.gl_pathv[j], &st) < 0 || !S_ISDIR(st.st_mode))
                                        continue;
                                r = grant_one(s, a, users[i].user, g.gl_pathv[j]);
                                if (r < 0) {
                                        globfree(&g);
                                        return r;
                                }
                                granted++;
                        }
                        globfree(&g);
                }
        step("acl", "%s: %zu project director%s shared with %zu human(s)", a->name, granted,
             granted == 1 ? "y" : "ies", n);
        return 0;
}
