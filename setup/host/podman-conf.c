/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "context.h"
#include "files.h"
#include "log.h"
#include "paths.h"
#include "podman-conf.h"
#include "selinux.h"

#define CGROUP2_SUPER_MAGIC 0x63677270
#define CRUN_PATH "/usr/bin/crun"

static bool pure_cgroup2(void) {
        struct statfs sf;

        return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int write_podman_conf(Setup *s) {
        _cleanup_free_ char *dir = NULL, *hooks = NULL, *mounts = NULL, *cc = NULL, *path = NULL;
        const char *runtime = pure_cgroup2() && access(CRUN_PATH, X_OK) == 0 ? "crun" : "runc";
        const char *manager = s->systemd ? "systemd" : "cgroupfs";
        /* Podman labels containers with the types of the policy's lxc_contexts (container_t, ...).
         * Debian's policy has none of them: the kernel refuses those labels and no container
         * starts. There the containers run in the account's own domain, as selinux/README.md
         * says; where a container policy is loaded (Fedora), podman's labels stay on. */
        const char *label =
                selinux_enabled() && !selinux_type_loaded("container_t")
                        ? "# SELinux without container types: the account's own domain (selinux/README.md).\n"
                          "label = false\n"
                        : "";
        int r;

        if (asprintf(&dir, "%s/podman", s->config_dir) < 0 || asprintf(&hooks, "%s/hooks.d", dir) < 0 ||
            asprintf(&mounts, "%s/mounts.conf", dir) < 0)
                return log_errno(-ENOMEM, "out of memory");
        r = ensure_dir(s, dir, 0755, NULL);
        if (r < 0)
                return r;
        r = ensure_dir(s, hooks, 0755, NULL);
        if (r < 0)
                return r;
        r = replace_file(s, mounts, "", 0644, NULL);
        if (r < 0)
                return r;

        if (asprintf(
                    &cc,
                    "# Written by rcc-setup: the podman configuration of every rcc session (CONTAINERS_CONF).\n"
                    "# Root-owned, so nothing in a sandbox account's ~/.config/containers applies.\n"
                    "[containers]\n"
                    "# An empty list instead of ~/.config/containers/mounts.conf.\n"
                    "default_mounts_file = \"%s\"\n"
                    "%s"
                    "\n"
                    "[engine]\n"
                    "runtime = \"%s\"\n"
                    "cgroup_manager = \"%s\"\n"
                    "events_logger = \"file\"\n"
                    "# An empty directory: no OCI hooks from anywhere else.\n"
                    "hooks_dir = [\"%s\"]\n",
                    mounts, label, runtime, manager, hooks) < 0 ||
            asprintf(&path, "%s/containers.conf", dir) < 0)
                return log_errno(-ENOMEM, "out of memory");
        r = replace_file(s, path, cc, 0644, NULL);
        if (r < 0)
                return r;
        free(path);
        if (asprintf(&path, "%s/storage.conf", dir) < 0)
                return log_errno(-ENOMEM, "out of memory");
        r = replace_file(
                s, path,
                "# Written by rcc-setup: container storage of rcc sessions (CONTAINERS_STORAGE_CONF).\n"
                "# Each account's, by uid, in a directory of root's that no session can reach (rcc-setup(8)).\n"
                "[storage]\n"
                "driver = \"overlay\"\n"
                "rootless_storage_path = \"" RCC_STORAGE_DIR "/$UID/graph\"\n",
                0644, NULL);
        if (r < 0)
                return r;
        free(path);
        if (asprintf(&path, "%s/registries.conf", dir) < 0)
                return log_errno(-ENOMEM, "out of memory");
        r = replace_file(
                s, path,
                "# Written by rcc-setup: registries for rcc sessions (CONTAINERS_REGISTRIES_CONF).\n"
                "# No search registries: an image name must say where it comes from.\n"
                "unqualified-search-registries = []\n"
                "short-name-mode = \"enforcing\"\n",
                0644, NULL);
        if (r < 0)
                return r;
        step("podman", "%s/{containers,storage,registries}.conf (runtime %s, cgroup manager %s)", dir,
             runtime, manager);
        return 0;
}
