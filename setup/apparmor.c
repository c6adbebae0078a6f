/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AppArmor for the sandbox accounts (apparmor/README.md): install copies the profiles that meson
 * installed under RCC_APPARMOR_DATA_DIR into /etc/apparmor.d, writes the tunables file that names
 * the accounts' homes, uids and granted projects, and loads them all with `apparmor_parser -r -W`;
 * uninstall unloads them (`apparmor_parser -R`) before the manifest's file entries remove the
 * files; doctor says whether each profile is loaded in enforce mode. Where AppArmor is not active
 * each says so in one line and does nothing. Where the kernel runs AppArmor but its interface,
 * securityfs, is not mounted (a mount namespace with a sysfs of its own, as `ip netns exec`
 * makes; a bare chroot), nothing can be loaded or checked: install refuses, naming the mount, so
 * that it never reports success without the profiles; uninstall warns that they stay loaded.
 *
 * The files go to /etc/apparmor.d so that the distribution's apparmor.service loads them again at
 * every boot; each is recorded in the manifest (kind "file") before it is written, and one entry
 *
 *     apparmor - NAME PATH      profile NAME loaded from PATH (apparmor_parser -R PATH at uninstall)
 *
 * per profile is recorded before the first load. An admin's additions belong in
 * /etc/apparmor.d/local/NAME, which every profile includes and rcc-setup never touches.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apparmor.h"
#include "config.h"
#include "doctor.h"
#include "system.h"
#include "util.h"

#ifndef RCC_APPARMOR_DATA_DIR
#error "RCC_APPARMOR_DATA_DIR must be defined by setup/meson.build"
#endif

#define AA_ENABLED "/sys/module/apparmor/parameters/enabled"
#define AA_FS "/sys/kernel/security/apparmor"
#define AA_PROFILES AA_FS "/profiles"
#define AA_DIR "/etc/apparmor.d"
#define AA_TUNABLES AA_DIR "/tunables/rcc"
#define AA_USERNS AA_DIR "/abstractions/rcc-userns"
#define AA_DENY AA_DIR "/abstractions/rcc-deny"

/* In the order they are loaded; the names are also the files' names (apparmor/meson.build). */
static const char *const profile_names[] = {
        "rcc-shell", "rcc-podman", "rcc-conmon", "rcc-runtime", "rcc-container", "rcc-netns", "rcc-newidmap",
};

typedef enum {
        APPARMOR_OFF,    /* not in the kernel, or not enabled: nothing to do */
        APPARMOR_ACTIVE, /* enabled, and AA_FS is there to load and list profiles */
        APPARMOR_NO_FS,  /* enabled, but securityfs is not mounted here */
} AppArmorState;

#define AA_MOUNT_FIX "mount -t securityfs securityfs /sys/kernel/security"

static AppArmorState apparmor_state(void) {
        _cleanup_free_ char *v = NULL;

        if (read_file(AA_ENABLED, 64, &v, NULL) < 0 || v[0] != 'Y')
                return APPARMOR_OFF;
        return access(AA_FS, F_OK) == 0 ? APPARMOR_ACTIVE : APPARMOR_NO_FS;
}

static const char *parser_path(void) {
        if (access("/sbin/apparmor_parser", X_OK) == 0)
                return "/sbin/apparmor_parser";
        if (access("/usr/sbin/apparmor_parser", X_OK) == 0)
                return "/usr/sbin/apparmor_parser";
        return NULL;
}

/* Whether this apparmor_parser knows the userns rule (AppArmor 4). */
static bool parser_knows_userns(const char *parser) {
        const char *argv[] = {parser, "--version", NULL};
        char out[512] = "";
        const char *v;

        if (run_argv(argv, &(RunOptions){.capture = out, .capture_size = sizeof out}) != 0)
                return false;
        v = strstr(out, "version ");
        return v && atoi(v + strlen("version ")) >= 4;
}

/* One project grant (an fnmatch pattern, FNM_PATHNAME) as an AppArmor glob in double quotes:
 * "*", "?" and "[...]" mean the same there ("[!" becomes "[^"). Characters that mean something
 * else to AppArmor, or cannot be quoted, make the grant unusable: -EINVAL. */
static int put_pattern(FILE *f, const char *p) {
        fputc('"', f);
        for (const char *c = p; *c; c++) {
                if ((unsigned char)*c < 0x20 || *c == 0x7f || strchr("\"{}^#", *c) ||
                    (*c == '@' && c[1] == '{'))
                        return -EINVAL;
                if (*c == '[' && c[1] == '!') {
                        fputs("[^", f);
                        c++;
                        continue;
                }
                fputc(*c, f);
        }
        /* Trailing slashes are ignored by rcc's matching; the profiles add "/" and "/" "**". */
        fputc('"', f);
        return 0;
}

static void put_trimmed(FILE *f, const char *p) {
        size_t n = strlen(p);
        _cleanup_free_ char *copy = strndup(p, n);

        while (copy && n > 1 && copy[n - 1] == '/')
                copy[--n] = '\0';
        if (copy && put_pattern(f, copy) < 0)
                log_warning(
                        "AppArmor: project grant '%s' has characters AppArmor cannot match as rcc does; "
                        "left out, so sessions there are refused under AppArmor",
                        p);
}

/* The tunables file for policy p: every account's home and uid, every granted project. */
static int tunables_text(const Policy *p, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                return -ENOMEM;
        fputs("# Written by rcc-setup install from the policy; rewritten by every install, so edit the "
              "policy,\n# not this file. See apparmor/README.md.\n@{RCC_HOMES}=",
              f);
        for (size_t i = 0; i < p->n_accounts; i++) {
                const struct passwd *pw = getpwuid(p->accounts[i].uid);
                if (pw && pw->pw_dir[0] == '/')
                        put_trimmed(f, pw->pw_dir);
                fputc(' ', f);
        }
        /* A variable needs a value: a path that never exists stands for "none". */
        fputs("/nonexistent/rcc-no-home\n@{RCC_UIDS}=", f);
        for (size_t i = 0; i < p->n_accounts; i++)
                fprintf(f, "%u ", (unsigned)p->accounts[i].uid);
        fputs("4294967294\n@{RCC_PROJECTS}=", f);
        for (size_t i = 0; i < p->n_accounts; i++) {
                const Settings *st = &p->accounts[i].settings;
                for (size_t u = 0; u < st->n_users; u++)
                        for (size_t j = 0; j < st->users[u].n_projects; j++) {
                                put_trimmed(f, st->users[u].projects[j]);
                                fputc(' ', f);
                        }
        }
        fputs("/nonexistent/rcc-no-project\n", f);
        if (fclose(f) != 0 || !text)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

static int copy_data_file(Setup *s, const char *name, const char *dest) {
        _cleanup_free_ char *src = NULL, *text = NULL;
        int r;

        if (asprintf(&src, "%s/%s", RCC_APPARMOR_DATA_DIR, name) < 0)
                return log_err(-ENOMEM, "out of memory");
        r = read_file(src, 1024 * 1024, &text, NULL);
        if (r < 0)
                return log_err(
                        r, "cannot read '%s': %s; install rcc first (meson install)", src, strerror(-r));
        return replace_file(s, dest, text, 0644, NULL);
}

/* The files in /etc/apparmor.d, each recorded; the profiles' paths in paths[]. */
static int write_files(Setup *s, const char *parser, char paths[][PATH_MAX]) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_free_ char *tunables = NULL;
        bool userns = parser_knows_userns(parser);
        int r;

        r = load_policy(s, &p);
        if (r < 0)
                return r;
        r = tunables_text(p, &tunables);
        if (r < 0)
                return log_err(r, "out of memory");
        r = replace_file(s, AA_TUNABLES, tunables, 0644, NULL);
        if (r < 0)
                return r;
        r = replace_file(
                s, AA_USERNS,
                userns ? "# Written by rcc-setup: this apparmor_parser knows the userns rule.\n  userns,\n"
                       : "# Written by rcc-setup: this apparmor_parser has no userns rule (AppArmor < 4);\n"
                         "# user namespaces are not mediated by the rcc profiles.\n",
                0644, NULL);
        if (r < 0)
                return r;
        r = copy_data_file(s, "rcc-deny", AA_DENY);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(profile_names); i++) {
                snprintf(paths[i], PATH_MAX, AA_DIR "/%s", profile_names[i]);
                r = copy_data_file(s, profile_names[i], paths[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int apparmor_install(Setup *s) {
        char paths[ELEMENTSOF(profile_names)][PATH_MAX];
        const char *argv[ELEMENTSOF(profile_names) + 4] = {};
        const char *parser = parser_path();
        size_t n = 0;
        int r;

        switch (apparmor_state()) {
        case APPARMOR_OFF:
                step("apparmor", "AppArmor not active: profiles not loaded");
                return 0;
        case APPARMOR_NO_FS:
                return log_err(
                        -ENOENT,
                        "AppArmor is enabled in the kernel, but " AA_FS " is missing (securityfs is not "
                        "mounted here), so the rcc profiles cannot be loaded; run: " AA_MOUNT_FIX
                        ", then rcc-setup install again");
        case APPARMOR_ACTIVE:
                break;
        }
        if (!parser)
                return log_err(
                        -ENOENT, "AppArmor is active but apparmor_parser is missing; install the "
                                 "apparmor package, then run rcc-setup install again");
        r = write_files(s, parser, paths);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(profile_names); i++)
                if (!manifest_find(s->manifest, "apparmor", "-", profile_names[i], NULL)) {
                        r = manifest_add(s->manifest, "apparmor", "-", profile_names[i], paths[i], NULL);
                        if (r < 0)
                                return log_err(r, "cannot update the manifest: %s", strerror(-r));
                }
        argv[n++] = parser;
        argv[n++] = "-r";
        argv[n++] = "-W";
        for (size_t i = 0; i < ELEMENTSOF(profile_names); i++)
                argv[n++] = paths[i];
        r = run_argv(argv, NULL);
        if (r != 0)
                return log_err(
                        r < 0 ? r : -EIO,
                        "apparmor_parser -r could not load the rcc profiles (exit %d); its message is "
                        "above",
                        r);
        step("apparmor",
             "%zu profiles loaded in enforce mode from " AA_DIR "/rcc-*; projects in " AA_TUNABLES,
             ELEMENTSOF(profile_names));
        return 0;
}

/* Whether profile name is loaded, and in which mode ("enforce", "complain"): mode of size 16. */
static bool profile_loaded(const char *profiles, const char *name, char *mode) {
        size_t n = strlen(name);

        for (const char *l = profiles; l && *l;) {
                const char *end = strchrnul(l, '\n');
                if (strncmp(l, name, n) == 0 && strncmp(l + n, " (", 2) == 0) {
                        snprintf(mode, 16, "%.*s", (int)strcspn(l + n + 2, ")\n"), l + n + 2);
                        return true;
                }
                l = *end ? end + 1 : end;
        }
        return false;
}

int apparmor_uninstall(Setup *s) {
        _cleanup_free_ char *loaded = NULL;
        const char *parser = parser_path();
        AppArmorState state = apparmor_state();
        bool active = state == APPARMOR_ACTIVE;
        char mode[16];
        int r;

        if (active)
                (void)read_file(AA_PROFILES, 4u * 1024 * 1024, &loaded, NULL);
        if (state == APPARMOR_NO_FS && manifest_find(s->manifest, "apparmor", NULL, NULL))
                log_warning("AppArmor is enabled, but " AA_FS " is missing (securityfs is not mounted "
                            "here): the rcc profiles stay loaded until reboot (or: " AA_MOUNT_FIX
                            ", then unload them with apparmor_parser -R)");
        for (size_t i = s->manifest->n_entries; i > 0;) {
                const ManifestEntry *e = &s->manifest->entries[--i];
                if (strcmp(e->kind, "apparmor") != 0 || e->n_args < 2)
                        continue;
                if (active && loaded && profile_loaded(loaded, e->args[0], mode)) {
                        const char *argv[] = {parser, "-R", e->args[1], NULL};
                        if (!parser || access(e->args[1], F_OK) < 0 || run_argv(argv, NULL) != 0)
                                log_warning(
                                        "cannot unload AppArmor profile '%s'; it stays loaded until reboot "
                                        "(or: echo -n %s > " AA_FS "/.remove)",
                                        e->args[0], e->args[0]);
                        else
                                step("removed", "AppArmor profile %s", e->args[0]);
                }
                r = manifest_drop(s->manifest, i);
                if (r < 0)
                        return log_err(r, "cannot update the manifest: %s", strerror(-r));
        }
        return 0;
}

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
        for (size_t i = 0; i < ELEMENTSOF(profile_names); i++)
                if (!profile_loaded(loaded, profile_names[i], mode) || strcmp(mode, "enforce") != 0) {
                        size_t n = strlen(missing);
                        snprintf(missing + n, sizeof missing - n, "%s%s", n ? ", " : "", profile_names[i]);
                }
        if (missing[0]) {
                report(d, VERDICT_FAIL, "rcc-setup install (apparmor_parser -r -W " AA_DIR "/rcc-*)",
                       "AppArmor: not loaded in enforce mode: %s; sessions run without the account's profiles",
                       missing);
                return;
        }
        /* The projects granted now against those the loaded tunables name. */
        if (d->policy && tunables_text(d->policy, &want) == 0 &&
            (read_file(AA_TUNABLES, 1024 * 1024, &have, NULL) < 0 || strcmp(want, have) != 0)) {
                report(d, VERDICT_WARN, "rcc-setup install",
                       "AppArmor: %zu rcc profiles enforce, but %s does not match the policy (accounts or "
                       "projects changed): sessions in new projects are refused",
                       ELEMENTSOF(profile_names), AA_TUNABLES);
                return;
        }
        report(d, VERDICT_OK, NULL,
               "AppArmor: %zu rcc profiles loaded in enforce mode (rcc-shell attached to %s)",
               ELEMENTSOF(profile_names), RCC_SHELL_PATH);
}
