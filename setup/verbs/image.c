/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup image: put the policy's container image into each sandbox account's own podman
 * storage.
 *
 *   image import TARBALL   a root filesystem tarball (podman import reads gzip and xz too)
 *   image build            the default image (image-build.c)
 *
 * Images are imported as the account itself (rootless podman, the root-owned configuration of
 * lib/paths.h), because that is the storage its sessions read.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "image.h"
#include "log.h"
#include "paths.h"
#include "policy.h"
#include "run.h"
#include "seal.h"
#include "selinux.h"
#include "users.h"
#include "verbs.h"

double image_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- importing into an account's storage ---- */

typedef struct AccountEnv {
        char xdg[64];
        const char *env[5];
} AccountEnv;

/* The environment podman runs with for a sandbox account: the root-owned configuration, and the
 * account's runtime directory where one exists (podman falls back to /tmp/podman-run-UID). */
static void account_env(uid_t uid, AccountEnv *ret) {
        struct stat st;
        size_t n = 0;

        ret->env[n++] = "CONTAINERS_CONF=" RCC_CONTAINERS_CONF;
        ret->env[n++] = "CONTAINERS_STORAGE_CONF=" RCC_STORAGE_CONF;
        ret->env[n++] = "CONTAINERS_REGISTRIES_CONF=" RCC_REGISTRIES_CONF;
        snprintf(ret->xdg, sizeof ret->xdg, "/run/user/%u", (unsigned)uid);
        if (stat(ret->xdg, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid) {
                snprintf(ret->xdg, sizeof ret->xdg, "XDG_RUNTIME_DIR=/run/user/%u", (unsigned)uid);
                ret->env[n++] = ret->xdg;
        }
        ret->env[n] = NULL;
}

void image_format_size(uint64_t bytes, char *buf, size_t size) {
        if (bytes >= 1000ull * 1000 * 1000)
                snprintf(buf, size, "%.2f GB", (double)bytes / 1e9);
        else
                snprintf(buf, size, "%.0f MB", (double)bytes / 1e6);
}

/* Every image in the account's storage goes before an import: podman reuses a layer it already has
 * (a layer's id is its content's digest), so an import over a layer that was changed in the storage
 * would keep the change, and the seal taken after it would bless it. Not while a session runs on
 * one of them. */
static int remove_images(const Account *a, const char *home, const char *const *env) {
        const char *argv[] = {RCC_PODMAN, "rmi", "--all", "--force", NULL};
        char procs[256];
        int sessions = 0, r;

        if (user_processes(a->uid, procs, sizeof procs, &sessions) > 0 && sessions > 0)
                return log_errno(
                        -EBUSY,
                        "'%s' has live sessions (%s); the image cannot be replaced under them: end them "
                        "first (pkill -u %s), then run this again",
                        a->name, procs, a->name);
        r = run_argv(
                argv, &(RunOptions){.as_user = true, .uid = a->uid, .cwd = home, .env = env, .quiet = true});
        if (r != 0)
                return log_errno(r < 0 ? r : -EIO, "podman rmi --all as '%s' failed (%d)", a->name, r);
        return 0;
}

static int import_one(const Account *a, const char *tarball) {
        const struct passwd *pw = getpwuid(a->uid);
        const char *image = a->settings.image;
        char out[256] = "", size[64] = "?";
        AccountEnv e;
        double t0 = image_now();
        int r;

        if (!pw) {
                log_error("account '%s' (uid %u) is not in the user database", a->name, (unsigned)a->uid);
                return -ENOENT;
        }
        account_env(a->uid, &e);
        r = remove_images(a, pw->pw_dir, e.env);
        if (r < 0)
                return r;
        printf("importing %s as %s for account %s ...\n", tarball, image, a->name);
        fflush(stdout);

        /* run_argv opens stdin_path before it drops to the account, so a root-only tarball is
         * read with root's rights and handed over as a descriptor; the account never gets a path
         * it could not open itself. */
        const char *argv[] = {RCC_PODMAN, "import", "--quiet", "-", image, NULL};
        r = run_argv(
                argv, &(RunOptions){
                              .as_user = true,
                              .uid = a->uid,
                              .cwd = pw->pw_dir,
                              .env = e.env,
                              .stdin_path = tarball,
                              .capture = out,
                              .capture_size = sizeof out,
                      });
        if (r != 0) {
                log_error(
                        "podman import for account '%s' failed (%s %d)", a->name, r < 0 ? "error" : "exit",
                        r < 0 ? -r : r);
                return r < 0 ? r : -EIO;
        }

        const char *inspect[] = {RCC_PODMAN, "image", "inspect", "--format", "{{.Size}}", image, NULL};
        if (run_argv(
                    inspect, &(RunOptions){
                                     .as_user = true,
                                     .uid = a->uid,
                                     .cwd = pw->pw_dir,
                                     .env = e.env,
                                     .capture = out,
                                     .capture_size = sizeof out}) == 0)
                image_format_size(strtoull(out, NULL, 10), size, sizeof size);
        printf("importing %s as %s for account %s ... done in %.0f s (image size %s)\n", tarball, image,
               a->name, image_now() - t0, size);
        return seal_account_image(a, pw->pw_dir, e.env);
}

int image_load_targets(const SetupArgs *args, Policy **ret) {
        _cleanup_(policy_freep) Policy *p = NULL;
        RccDiag diag = {};
        int r;

        r = policy_load(args->config_dir, &(PolicyOptions){}, &p, &diag);
        if (r < 0)
                return log_diag(r, &diag);
        if (args->account && !policy_find_account(p, args->account)) {
                log_error(
                        "no sandbox account '%s' in %s; see rcc-setup account list", args->account, p->dir);
                return -ENOENT;
        }
        if (p->n_accounts == 0) {
                log_error("%s has no sandbox account; run rcc-setup install first", p->dir);
                return -ENOENT;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

int image_import_all(const SetupArgs *args, const Policy *p, const char *tarball) {
        int r = 0;

        FOREACH_ARRAY (a, p->accounts, p->n_accounts) {
                if (args->account && strcmp(a->name, args->account) != 0)
                        continue;
                int k = import_one(a, tarball);
                if (k < 0 && r == 0)
                        r = k;
        }
        return r;
}

static int verb_import(const SetupArgs *args, int argc, char **argv) {
        _cleanup_(policy_freep) Policy *p = NULL;
        struct stat st;
        int r;

        if (argc != 2) {
                log_error("usage: rcc-setup [--account NAME] image import TARBALL");
                return VERB_USAGE;
        }
        if (stat(argv[1], &st) < 0 || !S_ISREG(st.st_mode)) {
                log_error("'%s' is not a readable file: %m", argv[1]);
                return -ENOENT;
        }
        if ((r = image_load_targets(args, &p)) < 0)
                return r;
        return image_import_all(args, p, argv[1]);
}

int verb_image(const SetupArgs *args, int argc, char **argv) {
        if (argc >= 2 && strcmp(argv[1], "import") == 0)
                return verb_import(args, argc - 1, argv + 1);
        if (argc >= 2 && strcmp(argv[1], "build") == 0)
                return image_build(args, argc - 1, argv + 1);
        log_error("usage: rcc-setup [--account NAME] image build [--mirror URL] | image import TARBALL");
        return VERB_USAGE;
}
