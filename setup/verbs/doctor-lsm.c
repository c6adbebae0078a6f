/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup doctor, the Linux security modules: which are active, whether the rcc AppArmor
 * profiles are loaded in enforce mode with tunables that match the policy, and whether SELinux
 * confines the accounts as install set it up. What each LSM holds comes from host/apparmor.h and
 * host/selinux.h; the verdicts and fixes are here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apparmor.h"
#include "config.h"
#include "doctor.h"
#include "files.h"
#include "policy.h"
#include "selinux.h"

static bool file_starts_with(const char *path, const char *prefix) {
        char buf[64] = "";
        _cleanup_fclose_ FILE *f = fopen(path, "re");

        return f && fgets(buf, sizeof buf, f) && strncmp(buf, prefix, strlen(prefix)) == 0;
}

void check_lsm(Doctor *d) {
        _cleanup_free_ char *lsm = NULL;
        bool apparmor = file_starts_with("/sys/module/apparmor/parameters/enabled", "Y");
        bool selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;

        if (read_file("/sys/kernel/security/lsm", 4096, &lsm, NULL) >= 0) {
                lsm[strcspn(lsm, "\n")] = '\0';
                apparmor = apparmor && strstr(lsm, "apparmor");
                selinux = selinux && strstr(lsm, "selinux");
                report(d, VERDICT_OK, NULL, "LSMs: %s", lsm);
        }
        if (apparmor)
                report(d, VERDICT_OK, NULL, "AppArmor is active");
        if (selinux)
                report(d, VERDICT_OK, NULL, "SELinux is active (%s)",
                       file_starts_with("/sys/fs/selinux/enforce", "1") ? "enforcing" : "permissive");
        if (!apparmor && !selinux)
                report(d, VERDICT_WARN, NULL,
                       "no LSM layer active: file policy rests on the container and Landlock");
}

/* ---- AppArmor ---- */

void check_apparmor(Doctor *d) {
        _cleanup_free_ char *loaded = NULL, *want = NULL, *have = NULL;
        char missing[256] = "", mode[16];
        int r;

        switch (apparmor_state()) {
        case APPARMOR_OFF:
                report(d, VERDICT_SKIP, NULL, "AppArmor not active: skipped");
                return;
        case APPARMOR_NO_FS:
                report(d, VERDICT_WARN, AA_MOUNT_FIX,
                       "AppArmor is enabled, but " AA_FS " is missing (securityfs is not mounted here): "
                       "cannot tell whether the rcc profiles are loaded");
                return;
        case APPARMOR_ACTIVE:
                break;
        }
        r = read_file(AA_PROFILES, 4u * 1024 * 1024, &loaded, NULL);
        if (r < 0) {
                report(d, r == -EACCES ? VERDICT_SKIP : VERDICT_FAIL, NULL, "AppArmor: cannot read %s: %s%s",
                       AA_PROFILES, strerror(-r), r == -EACCES ? " (needs root)" : "");
                return;
        }
        for (size_t i = 0; i < APPARMOR_N_PROFILES; i++)
                if (!apparmor_profile_loaded(loaded, apparmor_profile_names[i], mode) ||
                    strcmp(mode, "enforce") != 0) {
                        size_t n = strlen(missing);
                        snprintf(
                                missing + n, sizeof missing - n, "%s%s", n ? ", " : "",
                                apparmor_profile_names[i]);
                }
        if (missing[0]) {
                report(d, VERDICT_FAIL, "rcc-setup install (apparmor_parser -r -W " AA_DIR "/rcc-*)",
                       "AppArmor: not loaded in enforce mode: %s; sessions run without the account's profiles",
                       missing);
                return;
        }
        /* The projects granted now against those the loaded tunables name. */
        if (d->policy && apparmor_tunables_text(d->policy, &want) == 0 &&
            (read_file(AA_TUNABLES, 1024 * 1024, &have, NULL) < 0 || strcmp(want, have) != 0)) {
                report(d, VERDICT_WARN, "rcc-setup apply",
                       "AppArmor: %zu rcc profiles enforce, but %s does not match the policy (accounts or "
                       "projects changed): sessions in new projects are refused",
                       APPARMOR_N_PROFILES, AA_TUNABLES);
                return;
        }
        report(d, VERDICT_OK, NULL,
               "AppArmor: %zu rcc profiles loaded in enforce mode (rcc-shell attached to %s)",
               APPARMOR_N_PROFILES, RCC_SHELL_PATH);
}

/* ---- SELinux ---- */

typedef struct ProjectCount {
        size_t all, unlabelled;
        const char *first; /* an unlabelled one, for the message */
        char first_buf[PATH_MAX];
} ProjectCount;

static int count_project(const char *path, void *arg) {
        ProjectCount *c = arg;
        char type[64];

        c->all++;
        selinux_label_type(path, type, sizeof type);
        if (strcmp(type, SELINUX_PROJECT_TYPE) != 0 && c->unlabelled++ == 0) {
                snprintf(c->first_buf, sizeof c->first_buf, "%s (%s)", path, type[0] ? type : "no label");
                c->first = c->first_buf;
        }
        return 0;
}

static Verdict selinux_doctor(
        const Policy *p, const char *config_dir, char *text, size_t size, const char **ret_fix) {
        ProjectCount projects = {};
        char buf[8] = "", type[64];
        _cleanup_close_ int fd = -EBADF;
        bool enforcing;
        size_t n_accounts = p ? p->n_accounts : 0;

        *ret_fix = NULL;
        if (!selinux_enabled()) {
                snprintf(text, size, "SELinux not enabled: skipped");
                return VERDICT_SKIP;
        }
        fd = open(SELINUXFS "/enforce", O_RDONLY | O_CLOEXEC);
        enforcing = fd >= 0 && read(fd, buf, sizeof buf - 1) > 0 && buf[0] == '1';

        *ret_fix = "rcc-setup install";
        if (!selinux_type_loaded(SELINUX_CONF_TYPE) || !selinux_type_loaded(SELINUX_PROJECT_TYPE)) {
                snprintf(
                        text, size, "SELinux: the %s module is not loaded (%s)", SELINUX_MODULE_NAME,
                        RCC_SELINUX_MODULE);
                return VERDICT_FAIL;
        }
        selinux_label_type(config_dir, type, sizeof type);
        if (strcmp(type, SELINUX_CONF_TYPE) != 0) {
                snprintf(
                        text, size,
                        "SELinux: %s is labelled %s, not %s: the sandbox could write it where DAC allows",
                        config_dir, type[0] ? type : "nothing", SELINUX_CONF_TYPE);
                return VERDICT_FAIL;
        }
        for (size_t i = 0; i < n_accounts; i++) {
                const char *name = p->accounts[i].name;
                char seuser[64];
                int r = selinux_login_mapping(name, seuser, sizeof seuser);

                if (r <= 0 || strcmp(seuser, RCC_SELINUX_USER) != 0) {
                        snprintf(
                                text, size, "SELinux: '%s' logs in as %s, not the confined %s", name,
                                r > 0 ? seuser : "the default SELinux user", RCC_SELINUX_USER);
                        return VERDICT_FAIL;
                }
                (void)selinux_for_each_project(&p->accounts[i], count_project, &projects);
        }
        if (projects.unlabelled > 0) {
                snprintf(
                        text, size, "SELinux: %zu of %zu project directories are not %s, e.g. %s",
                        projects.unlabelled, projects.all, SELINUX_PROJECT_TYPE, projects.first);
                return VERDICT_WARN;
        }
        if (!enforcing) {
                *ret_fix = "setenforce 1, and SELINUX=enforcing in " SELINUX_CONFIG;
                snprintf(text, size, "SELinux is permissive: denials are logged, not enforced");
                return VERDICT_WARN;
        }
        *ret_fix = NULL;
        snprintf(
                text, size,
                "SELinux enforcing: module %s loaded, %s %s, %zu account(s) as %s, %zu project(s) %s",
                SELINUX_MODULE_NAME, config_dir, SELINUX_CONF_TYPE, n_accounts, RCC_SELINUX_USER,
                projects.all, SELINUX_PROJECT_TYPE);
        return VERDICT_OK;
}

void check_selinux(Doctor *d) {
        const char *fix = NULL;
        char text[1024];
        Verdict v =
                selinux_doctor(d->policy, d->args->config_dir ?: RCC_CONFIG_DIR, text, sizeof text, &fix);

        report(d, v, fix, "%s", text);
}
