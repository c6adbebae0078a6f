/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How a sandbox account's memory, pids and cpu limits are enforced on this machine. podman applies
 * --memory/--pids-limit/--cpus only when the container's cgroup can get those controllers: cgroup
 * v2 with them delegated to the user (the systemd user manager). Elsewhere (cgroup v1 or hybrid
 * rootless; no user session) podman ignores them, with a warning at best, so rcc bounds the account
 * with rlimits instead and says so.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum LimitsMechanism {
        LIMITS_CGROUP, /* podman's --memory, --pids-limit, --cpus are enforced */
        LIMITS_RLIMIT, /* only rlimits hold: RLIMIT_NPROC for the account, RLIMIT_DATA per process */
} LimitsMechanism;

typedef struct LimitsProbe {
        LimitsMechanism mechanism;
        bool cgroup2;      /* /sys/fs/cgroup is a pure cgroup v2 hierarchy */
        bool user_manager; /* /run/user/UID/systemd/private exists: a systemd user manager runs */
        bool user_bus;     /* /run/user/UID/bus exists: its D-Bus, through which podman asks it */
        char why[256];     /* one line: why this mechanism, e.g. "cgroup v1/v2 hybrid: ..." */
} LimitsProbe;

/* Probe for UID. root_dir is "" for the real system, or a directory standing in for "/" (tests). */
void limits_probe(uid_t uid, const char *root_dir, LimitsProbe *ret);
const char *limits_mechanism_to_string(LimitsMechanism m);
