/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "session-limits.h"
#include "macro.h"

/* Whether path (under root_dir) is a cgroup2 mount. Tests stand a plain directory in for it and
 * mark it with a file named ".cgroup2". */
static bool is_cgroup2(const char *root_dir, const char *path) {
        char p[4096];
        struct statfs sfs;
        struct stat st;

        if (root_dir[0]) {
                snprintf(p, sizeof p, "%s%s/.cgroup2", root_dir, path);
                return stat(p, &st) == 0;
        }
        return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Whether the space-separated list in file has every word of want. */
static bool file_has_words(const char *file, const char *const *want, size_t n) {
        _cleanup_fclose_ FILE *f = fopen(file, "re");
        char line[1024];

        if (!f || !fgets(line, sizeof line, f))
                return false;
        for (size_t i = 0; i < n; i++) {
                bool found = false;
                size_t len = strlen(want[i]);
                for (char *w = line; (w = strstr(w, want[i])); w += len)
                        if ((w == line || w[-1] == ' ') && (w[len] == ' ' || w[len] == '\n' || !w[len]))
                                found = true;
                if (!found)
                        return false;
        }
        return true;
}

void limits_probe(uid_t uid, const char *root_dir, LimitsProbe *ret) {
        static const char *const controllers[] = {"memory", "pids", "cpu"};
        char path[4096];
        struct stat st;

        *ret = (LimitsProbe){.mechanism = LIMITS_RLIMIT};
        ret->cgroup2 = is_cgroup2(root_dir, "/sys/fs/cgroup");
        snprintf(path, sizeof path, "%s/run/user/%u/systemd/private", root_dir, (unsigned)uid);
        ret->user_manager = stat(path, &st) == 0;

        if (!ret->cgroup2) {
                snprintf(
                        ret->why, sizeof ret->why,
                        "cgroup v1 or hybrid hierarchy: rootless podman cannot set cgroup limits");
                return;
        }
        if (!ret->user_manager) {
                snprintf(
                        ret->why, sizeof ret->why,
                        "no systemd user manager runs for uid %u (lingering off, or not started yet): podman "
                        "would fall back to cgroupfs and ignore --memory/--pids-limit",
                        (unsigned)uid);
                return;
        }
        /* podman reaches the user manager over the user's D-Bus; without one (no dbus-user-session)
         * it falls back to cgroupfs just the same, saying so only in a warning. */
        snprintf(path, sizeof path, "%s/run/user/%u/bus", root_dir, (unsigned)uid);
        ret->user_bus = stat(path, &st) == 0;
        if (!ret->user_bus) {
                snprintf(
                        ret->why, sizeof ret->why,
                        "no D-Bus session bus for uid %u (/run/user/%u/bus): podman's systemd cgroup manager "
                        "needs one, else it ignores --memory/--pids-limit; install dbus-user-session",
                        (unsigned)uid, (unsigned)uid);
                return;
        }
        snprintf(
                path, sizeof path,
                "%s/sys/fs/cgroup/user.slice/user-%u.slice/user@%u.service/cgroup.controllers", root_dir,
                (unsigned)uid, (unsigned)uid);
        if (!file_has_words(path, controllers, ELEMENTSOF(controllers))) {
                snprintf(
                        ret->why, sizeof ret->why,
                        "the memory, pids and cpu controllers are not delegated to uid %u's user manager",
                        (unsigned)uid);
                return;
        }
        ret->mechanism = LIMITS_CGROUP;
        snprintf(
                ret->why, sizeof ret->why, "cgroup v2, controllers delegated to uid %u's user manager",
                (unsigned)uid);
}

const char *limits_mechanism_to_string(LimitsMechanism m) {
        switch (m) {
        case LIMITS_CGROUP:
                return "cgroup";
        case LIMITS_RLIMIT:
                return "rlimit";
        }
        return "unknown";
}
