/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "context.h"
#include "files.h"
#include "log.h"
#include "network.h"
#include "parse.h"
#include "podman-network.h"
#include "run.h"

/* The first of podman's helper directories that has name, as an executable, into buf. */
static const char *find_helper(const char *name, char *buf, size_t size) {
        for (const char *const *d = podman_network_helper_dirs; *d; d++) {
                snprintf(buf, size, "%s/%s", *d, name);
                if (access(buf, X_OK) == 0)
                        return buf;
        }
        return NULL;
}

int network_probe(NetworkProbe *p) {
        const char *argv[] = {RCC_PODMAN, "--version", NULL};
        int r;

        *p = (NetworkProbe){};
        p->facts.pasta = find_helper("pasta", p->pasta, sizeof p->pasta);
        p->facts.slirp4netns = find_helper("slirp4netns", p->slirp4netns, sizeof p->slirp4netns);
        if (access(RCC_PODMAN, X_OK) < 0)
                return -errno;
        r = run_argv(
                argv, &(RunOptions){.capture = p->podman_version, .capture_size = sizeof p->podman_version});
        p->podman_version[strcspn(p->podman_version, "\n")] = '\0';
        if (r != 0 ||
            !podman_version_parse(p->podman_version, &p->facts.podman_major, &p->facts.podman_minor))
                return -EINVAL;
        return 0;
}

int write_podman_network(Setup *s) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        PodmanNetwork n;
        NetworkProbe p;
        char why[512];
        int r;

        r = network_probe(&p);
        if (r == -EINVAL)
                return log_errno(
                        r, "'%s --version' did not say its version ('%s')", RCC_PODMAN, p.podman_version);
        if (r < 0)
                return log_errno(r, "%s: %m; install podman (apt-get install podman)", RCC_PODMAN);
        r = podman_network_choose(&p.facts, &n, why, sizeof why);
        if (r < 0)
                return log_errno(r, "no network for rootless containers: %s", why);
        text = podman_network_format(n, why);
        if (!text || asprintf(&path, "%s/podman/network.conf", s->config_dir) < 0)
                return log_errno(-ENOMEM, "out of memory");
        r = replace_file(s, path, text, 0644, NULL);
        if (r < 0)
                return r;
        step("podman", "network %s (%s)", podman_network_to_string(n), why);
        return 0;
}
