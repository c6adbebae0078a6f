/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "config.h"
#include "files.h"
#include "image-seal.h"
#include "log.h"
#include "macro.h"
#include "paths.h"
#include "policy.h"
#include "run.h"
#include "seal.h"

/* The container a session would create, created and removed at once: podman copies the image's
 * layers for the account's --userns=keep-id mapping when it first needs them. */
static int make_mapped_layers(const Account *a, const char *home, const char *const *env) {
        char name[64];
        uint32_t rnd = 0;
        int r;

        if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
                rnd = (uint32_t)time(NULL);
        snprintf(name, sizeof name, "rcc-seal-%08" PRIx32, rnd);
        const char *create[] = {
                RCC_PODMAN,
                "--default-mounts-file=" RCC_PODMAN_CONF_DIR "/mounts.conf",
                "create",
                "--pull=never",
                "--userns=keep-id",
                "--network=none",
                "--name",
                name,
                a->settings.image,
                "true",
                NULL};
        const char *rm[] = {RCC_PODMAN, "rm", "-f", name, NULL};
        RunOptions opts = {.as_user = true, .uid = a->uid, .cwd = home, .env = env, .quiet = true};

        r = run_argv(create, &opts);
        (void)run_argv(rm, &opts);
        if (r != 0)
                return log_errno(
                        r < 0 ? r : -EIO, "podman create --userns=keep-id %s as '%s' failed (%d)",
                        a->settings.image, a->name, r);
        return 0;
}

int seal_account_image(const Account *a, const char *home, const char *const *env) {
        _cleanup_free_ ImageSeal *seal = calloc(1, sizeof *seal);
        _cleanup_free_ char *text = NULL;
        char graph[PATH_MAX], path[PATH_MAX];
        struct timespec t0, t1;
        RccDiag diag = {};
        int r;

        if (!seal)
                return log_errno(-ENOMEM, "out of memory");
        r = make_mapped_layers(a, home, env);
        if (r < 0)
                return r;
        snprintf(graph, sizeof graph, RCC_STORAGE_DIR "/%u/graph", (unsigned)a->uid);
        snprintf(path, sizeof path, RCC_STORAGE_DIR "/%u/" IMAGE_SEAL_FILE, (unsigned)a->uid);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        r = image_seal_compute(graph, a->settings.image, NULL, seal, &diag);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (r < 0)
                return log_diag(r, &diag);
        r = image_seal_format(seal, &text);
        if (r < 0)
                return log_errno(r, "out of memory");
        r = write_file_atomic(path, text, strlen(text), 0644, 0, 0);
        if (r < 0)
                return log_errno(r, "cannot write '%s': %s", path, strerror(-r));
        printf("sealed %.12s for account %s: %zu layers, %" PRIu64 " files (%.2f s); %s\n", seal->id,
               a->name, seal->n_layers, seal->n_files,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, path);
        return 0;
}
