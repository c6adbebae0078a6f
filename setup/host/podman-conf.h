/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The podman configuration of every session, in RCC_PODMAN_CONF_DIR (lib/paths.h): root-owned, so
 * nothing in a sandbox account's ~/.config/containers applies. containers.conf (the runtime this
 * host can run, the cgroup manager, no OCI hooks, no default mounts), storage.conf (each account's
 * storage, storage.h) and registries.conf (no search registries).
 */
#pragma once

#include "context.h"

int write_podman_conf(Setup *s);
