/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AppArmor for the sandbox accounts (apparmor/README.md): install copies the profiles that meson
 * installed under RCC_APPARMOR_DATA_DIR into /etc/apparmor.d, writes the tunables file that names
 * the accounts' homes, uids and granted projects, and loads them all with `apparmor_parser -r -W`;
 * uninstall unloads them (`apparmor_parser -R`) before the manifest's file entries remove the
 * files; doctor (verbs/doctor-lsm.c) says whether each profile is loaded in enforce mode, from the
 * facts exported here. Where AppArmor is not active
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
#include "context.h"
#include "files.h"
#include "log.h"
#include "manifest.h"
#include "policy.h"
#include "run.h"

#ifndef RCC_APPARMOR_DATA_DIR
#error "RCC_APPARMOR_DATA_DIR must be defined by setup/meson.build"
#endif

#define AA_ENABLED "/sys/module/apparmor/parameters/enabled"
#define AA_USERNS AA_DIR "/abstractions/rcc-userns"
#define AA_DENY AA_DIR "/abstractions/rcc-deny"

const char *const apparmor_profile_names[APPARMOR_N_PROFILES] = {
        "rcc-shell", "rcc-podman", "rcc-conmon", "rcc-runtime", "rcc-container", "rcc-netns", "rcc-newidmap",
};

AppArmorState apparmor_state(void) {
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

int apparmor_tunables_text(const Policy *p, char **ret) {
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
                return log_errno(-ENOMEM, "out of memory");
        r = read_file(src, 1024 * 1024, &text, NULL);
        if (r < 0)
                return log_errno(
                        r, "cannot read '%s': %s; install rcc first (meson install)", src, strerror(-r));
        return replace_file(s, dest, text, 0644, NULL);
}

/* The files in /etc/apparmor.d, each recorded; the profiles' paths in paths[]. */
static int write_files(Setup *s, const Policy *p, const char *parser, char paths[][PATH_MAX]) {
        _cleanup_free_ char *tunables = NULL;
        bool userns = parser_knows_userns(parser);
        int r;

        r = apparmor_tunables_text(p, &tunables);
        if (r < 0)
                return log_errno(r, "out of memory");
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
        for (size_t i = 0; i < APPARMOR_N_PROFILES; i++) {
                snprintf(paths[i], PATH_MAX, AA_DIR "/%s", apparmor_profile_names[i]);
                r = copy_data_file(s, apparmor_profile_names[i], paths[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int apparmor_install(Setup *s, const Policy *p) {
        char paths[APPARMOR_N_PROFILES][PATH_MAX];
        const char *argv[APPARMOR_N_PROFILES + 4] = {};
        const char *parser = parser_path();
        size_t n = 0;
        int r;

        switch (apparmor_state()) {
        case APPARMOR_OFF:
                step("apparmor", "AppArmor not active: profiles not loaded");
                return 0;
        case APPARMOR_NO_FS:
                return log_errno(
                        -ENOENT,
                        "AppArmor is enabled in the kernel, but " AA_FS " is missing (securityfs is not "
                        "mounted here), so the rcc profiles cannot be loaded; run: " AA_MOUNT_FIX
                        ", then rcc-setup install again");
        case APPARMOR_ACTIVE:
                break;
        }
        if (!parser)
                return log_errno(
                        -ENOENT, "AppArmor is active but apparmor_parser is missing; install the "
                                 "apparmor package, then run rcc-setup install again");
        r = write_files(s, p, parser, paths);
        if (r < 0)
                return r;
        for (size_t i = 0; i < APPARMOR_N_PROFILES; i++)
                if (!manifest_find(s->manifest, "apparmor", "-", apparmor_profile_names[i], NULL)) {
                        r = manifest_add(
                                s->manifest, "apparmor", "-", apparmor_profile_names[i], paths[i], NULL);
                        if (r < 0)
                                return log_errno(r, "cannot update the manifest: %s", strerror(-r));
                }
        argv[n++] = parser;
        argv[n++] = "-r";
        argv[n++] = "-W";
        for (size_t i = 0; i < APPARMOR_N_PROFILES; i++)
                argv[n++] = paths[i];
        r = run_argv(argv, NULL);
        if (r != 0)
                return log_errno(
                        r < 0 ? r : -EIO,
                        "apparmor_parser -r could not load the rcc profiles (exit %d); its message is "
                        "above",
                        r);
        step("apparmor",
             "%zu profiles loaded in enforce mode from " AA_DIR "/rcc-*; projects in " AA_TUNABLES,
             APPARMOR_N_PROFILES);
        return 0;
}

bool apparmor_profile_loaded(const char *profiles, const char *name, char *mode) {
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
                if (active && loaded && apparmor_profile_loaded(loaded, e->args[0], mode)) {
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
                        return log_errno(r, "cannot update the manifest: %s", strerror(-r));
        }
        return 0;
}
