/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rootless network of rcc's sessions (lib/podman-network.h): what this system offers, and the
 * choice that install records for rcc-shell. Doctor checks the record against the same probe.
 */
#pragma once

#include <limits.h>

#include "context.h"
#include "podman-network.h"

typedef struct NetworkProbe {
        PodmanNetworkFacts facts;
        char pasta[PATH_MAX], slirp4netns[PATH_MAX];
        char podman_version[128]; /* podman --version's line, for messages */
} NetworkProbe;

/* What podman and its network helpers are here. -ENOENT without podman, -EINVAL when it does not
 * say its version; probe is filled either way. */
int network_probe(NetworkProbe *p);

/* The sessions' rootless network, chosen from what this system has, recorded for rcc-shell in
 * podman/network.conf. Fails when podman could run no rootless network here. */
int write_podman_network(Setup *s);
