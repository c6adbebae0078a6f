/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rootless network of rcc's sessions: pasta or slirp4netns. Both turn every connection of the
 * container into a socket of the sandbox account's uid on the host, which the firewall's table
 * matches; which one a system can run depends on its podman and what is installed.
 *
 * The choice is root's: `rcc-setup install` looks at the system (podman_network_choose()) and
 * records it in a root-owned file (RCC_PODMAN_NETWORK_CONF); rcc-shell reads that file
 * (podman_network_load()) and builds podman's --network argument from it
 * (podman_network_argument()); `rcc-setup doctor` compares the record with the system. Nothing the
 * account can write takes part.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "paths.h"

/* The record: one "network=NAME" line (and comments), written by rcc-setup install. */
#define RCC_PODMAN_NETWORK_CONF RCC_PODMAN_CONF_DIR "/network.conf"

typedef enum PodmanNetwork {
        PODMAN_NETWORK_SLIRP4NETNS, /* podman 4's rootless network */
        PODMAN_NETWORK_PASTA,       /* podman 5's default; slirp4netns is deprecated there */
        _PODMAN_NETWORK_MAX,
} PodmanNetwork;

/* What a system offers for the choice (rcc-setup gathers it; the choice itself is pure). */
typedef struct PodmanNetworkFacts {
        unsigned podman_major, podman_minor;
        const char *pasta;       /* the pasta podman would run, or NULL when none is installed */
        const char *slirp4netns; /* the same for slirp4netns */
} PodmanNetworkFacts;

/* Where podman looks for its network helpers, in its order: containers.conf's default
 * helper_binaries_dir (rcc's containers.conf sets none), then the session's PATH (shell/environ.c:
 * /usr/bin:/bin); NULL-terminated. */
extern const char *const podman_network_helper_dirs[];

const char *podman_network_to_string(PodmanNetwork n);
/* -EINVAL for a name that is not one of them. */
int podman_network_from_string(const char *s, PodmanNetwork *ret);

/* pasta where podman is 5 or later and pasta is installed; slirp4netns where podman is older (rcc
 * has never run podman 4's pasta support) or pasta is missing; why says which and why in one line.
 * -ENOENT (why says what to install) when the system has neither network podman could use, or
 * -EOPNOTSUPP for a podman older than 4. */
int podman_network_choose(const PodmanNetworkFacts *f, PodmanNetwork *ret, char *why, size_t why_size);

/* podman run's argument for n, "--network=…", with the options that leave the container no path
 * to the host but as a socket of the account's uid (see podman-network.c). NULL for an invalid n. */
const char *podman_network_argument(PodmanNetwork n);

/* The record's text, which podman_network_parse() reads back; why goes into a comment. NULL on
 * ENOMEM (free() it). */
char *podman_network_format(PodmanNetwork n, const char *why);
/* The record's text into *ret; -EBADMSG (diag with line and column) for anything but comments,
 * blank lines and exactly one "network=NAME". diag's file is left empty. */
int podman_network_parse(const char *text, PodmanNetwork *ret, RccDiag *diag);

/* Read the record at path: a regular file owned by root, not writable by group or others, at most
 * 4 KiB. -ENOENT when it is missing (rcc-setup install writes it), -EPERM when it is not root's
 * alone, -EBADMSG when it does not parse; diag says which and how to fix it. */
int podman_network_load(const char *path, PodmanNetwork *ret, RccDiag *diag);
