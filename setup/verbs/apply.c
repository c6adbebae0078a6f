/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup apply [--dry-run]: bring the machine to what the policy says, in one pass, after an
 * admin changed it. The policy is loaded once; first the plan is made (what differs, read only),
 * printed, and with --dry-run that is all; then each step runs, in the order install runs them,
 * and the plan is made again, which must now be empty.
 *
 * The plan covers what a policy change moves: the accounts' storage, the
 * humans' project ACLs (granted and revoked), their homes (retired), the sshd and sudoers
 * drop-ins, the AppArmor tunables and the firewall. What apply does beyond it (podman's
 * configuration, SELinux labels, the PAM stacks) it repairs if needed, as install would, and
 * those steps say what they found.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "apparmor.h"
#include "config.h"
#include "context.h"
#include "files.h"
#include "follow-policy.h"
#include "homes.h"
#include "log.h"
#include "manifest.h"
#include "pam-wiring.h"
#include "paths.h"
#include "podman-conf.h"
#include "policy.h"
#include "run.h"
#include "selinux.h"
#include "sshd.h"
#include "storage.h"
#include "sudoers.h"
#include "verbs.h"

#define PLAN_MAX 256

typedef struct Plan {
        char *lines[PLAN_MAX];
        size_t n;
        size_t dropped; /* beyond PLAN_MAX: counted, not kept */
} Plan;

static void plan_done(Plan *plan) {
        for (size_t i = 0; i < plan->n; i++)
                free(plan->lines[i]);
        *plan = (Plan){};
}

_printf_(2, 3) static void plan_add(Plan *plan, const char *fmt, ...) {
        va_list ap;
        char *line = NULL;

        if (plan->n == PLAN_MAX) {
                plan->dropped++;
                return;
        }
        va_start(ap, fmt);
        if (vasprintf(&line, fmt, ap) < 0)
                line = NULL;
        va_end(ap);
        if (line)
                plan->lines[plan->n++] = line;
        else
                plan->dropped++;
}

static size_t plan_size(const Plan *plan) {
        return plan->n + plan->dropped;
}

static void plan_print(const Plan *plan, const char *indent) {
        for (size_t i = 0; i < plan->n; i++)
                printf("%s%s\n", indent, plan->lines[i]);
        if (plan->dropped)
                printf("%s(and %zu more)\n", indent, plan->dropped);
}

/* ---- the plan: what differs, read only ---- */

/* The accounts' users exist, or the policy would not have loaded (it says to run account add). */
static void plan_storage(const Setup *s, Plan *plan) {
        FOREACH_ARRAY (a, s->policy->accounts, s->policy->n_accounts) {
                char dir[64];

                snprintf(dir, sizeof dir, "%s/%u", RCC_STORAGE_DIR, (unsigned)a->uid);
                if (storage_is_mounted(dir) != 1)
                        plan_add(plan, "account %s: create or mount its storage %s", a->name, dir);
        }
}

typedef struct AclPlan {
        const Setup *s;
        const Account *a;
        Plan *plan;
} AclPlan;

static int plan_grant(const char *human, const char *path, void *userdata) {
        AclPlan *p = userdata;

        if (!manifest_find(p->s->manifest, "acl", p->a->name, path, human, NULL))
                plan_add(p->plan, "acl: share %s with %s for %s", path, p->a->name, human);
        return 0;
}

static void plan_acls(const Setup *s, Plan *plan) {
        FOREACH_ARRAY (a, s->policy->accounts, s->policy->n_accounts) {
                AclPlan p = {.s = s, .a = a, .plan = plan};

                (void)acl_for_each_grant(a, plan_grant, &p);
                for (size_t i = 0; i < s->manifest->n_entries; i++) {
                        const ManifestEntry *e = &s->manifest->entries[i];

                        if (strcmp(e->kind, "acl") == 0 && e->n_args >= 2 &&
                            strcmp(e->account, a->name) == 0 && !acl_granted(a, e->args[1], e->args[0]))
                                plan_add(
                                        plan, "acl: take %s's ACLs off %s (no longer granted to %s)",
                                        a->name, e->args[0], e->args[1]);
                }
        }
}

static void plan_homes(const Setup *s, Plan *plan) {
        FOREACH_ARRAY (a, s->policy->accounts, s->policy->n_accounts) {
                _cleanup_close_ int homes = homes_open(a->uid);
                DIR *d;

                if (homes < 0 || !(d = fdopendir(homes)))
                        continue;
                homes = -EBADF; /* the DIR has it now */
                for (struct dirent *e; (e = readdir(d));)
                        if (e->d_name[0] != '.' && !settings_find_user(&a->settings, e->d_name))
                                plan_add(
                                        plan,
                                        "state: retire the homes of %s in %s (no longer one of its users)",
                                        e->d_name, a->name);
                closedir(d);
        }
}

/* A file rcc-setup writes whole: does it hold text? */
static void plan_file(Plan *plan, const char *what, const char *path, const char *text) {
        _cleanup_free_ char *now = NULL;

        if (!text) {
                plan_add(plan, "%s: cannot make the text of %s (out of memory)", what, path);
                return;
        }
        if (read_file(path, 1 << 20, &now, NULL) < 0)
                plan_add(plan, "%s: write %s", what, path);
        else if (strcmp(now, text) != 0)
                plan_add(plan, "%s: rewrite %s", what, path);
}

static void plan_dropins(const Setup *s, Plan *plan) {
        _cleanup_free_ char *sshd = NULL, *sudoers = NULL, *tunables = NULL;

        if (s->have_sshd && s->have_sshd_include) {
                sshd = sshd_dropin_text(s, s->policy);
                plan_file(plan, "sshd", SSHD_DROPIN, sshd);
        }
        if (s->have_sudo) {
                sudoers = sudoers_dropin_text(s->policy);
                plan_file(plan, "sudoers", SUDOERS_DROPIN, sudoers);
        }
        if (apparmor_state() != APPARMOR_OFF && apparmor_tunables_text(s->policy, &tunables) >= 0)
                plan_file(plan, "apparmor", AA_TUNABLES, tunables);
}

static void plan_firewall(const Setup *s, Plan *plan) {
        const char *argv[] = {RCC_FIREWALL_PATH, "--config", s->config_dir, "status", NULL};
        char out[4096] = "";
        int r = run_argv(
                argv, &(RunOptions){.capture = out, .capture_size = sizeof out, .quiet_stderr = true});

        if (r == 0)
                return;
        out[strcspn(out, "\n")] = '\0';
        plan_add(plan, "firewall: apply the policy to table inet rcc (now: %s)", out[0] ? out : "no status");
}

static void make_plan(const Setup *s, Plan *plan) {
        plan_storage(s, plan);
        plan_acls(s, plan);
        plan_homes(s, plan);
        plan_dropins(s, plan);
        plan_firewall(s, plan);
}

/* ---- the steps ---- */

static int apply_acls(Setup *s) {
        int r;

        FOREACH_ARRAY (a, s->policy->accounts, s->policy->n_accounts)
                if ((r = revoke_stale_acls(s, a)) < 0 || (r = grant_project_acls(s, a)) < 0)
                        return r;
        return 0;
}

static int apply_all(Setup *s) {
        int r;

        if ((r = write_podman_conf(s)) < 0 || (r = apply_acls(s)) < 0 || (r = follow_policy(s)) < 0)
                return r;
        r = selinux_install(s, s->policy);
        if (r < 0)
                return r;
        if (r == SELINUX_SKIPPED)
                step("selinux", "SELinux not enabled: skipped");
        return wire_pam_stacks(s);
}

static bool installed(const Setup *s) {
        return manifest_find(s->manifest, "account", NULL, NULL) != NULL;
}

int verb_apply(const SetupArgs *args, int argc, char **argv) {
        _cleanup_(setup_done) Setup s = {};
        _cleanup_(plan_done) Plan plan = {}, after = {};
        bool dry_run = args->dry_run;
        int r;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0)
                        dry_run = true;
                else {
                        log_error("apply: unknown argument '%s'; see rcc-setup --help", argv[i]);
                        return VERB_USAGE;
                }
        }
        if ((r = setup_init(&s, args->config_dir)) < 0)
                return r;
        if (!installed(&s)) {
                log_error(
                        "rcc is not installed here (%s names no account): run rcc-setup install first",
                        RCC_INSTALL_MANIFEST);
                return -ENOENT;
        }
        if ((r = setup_load_policy(&s)) < 0)
                return r;

        make_plan(&s, &plan);
        if (plan_size(&plan) == 0)
                printf("rcc-setup apply: the machine is as %s says%s\n", s.config_dir,
                       dry_run ? "; nothing would change" : "; checking the rest");
        else {
                printf("rcc-setup apply: %zu change%s %s %s:\n", plan_size(&plan),
                       plan_size(&plan) == 1 ? "" : "s",
                       dry_run ? "would bring this machine to" : "to bring this machine to", s.config_dir);
                plan_print(&plan, "  ");
        }
        if (dry_run)
                return 0;

        if ((r = apply_all(&s)) < 0)
                return r;

        /* What was applied is what the plan now finds: nothing. */
        make_plan(&s, &after);
        if (plan_size(&after) > 0) {
                log_error("after apply, still different from the policy:");
                plan_print(&after, "  ");
                return -EIO;
        }
        printf("rcc-setup apply: done; %zu change%s made\n", plan_size(&plan),
               plan_size(&plan) == 1 ? "" : "s");
        return 0;
}
