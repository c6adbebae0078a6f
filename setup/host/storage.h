/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each sandbox account's storage: everything it writes on the host, in a file system of its own.
 *
 *   RCC_STORAGE_DIR/UID.img   root's, 0600: a sparse file of container.disk bytes holding an ext4
 *                             file system
 *   RCC_STORAGE_DIR/UID       where it is mounted (loop, nosuid, nodev); its root is root's (0711)
 *     graph/                  the account's (0700): podman's graphroot (storage.conf's
 *                             rootless_storage_path): images, containers, volumes
 *     stage/                  the account's (0700): where rcc-stage binds each session's project
 *     homes/                  the account's (0700): each human's homes and login (shell/home.h)
 *     image.seal              root's: the image's seal (lib/image-seal.h)
 *
 * So no session can write more on the host than container.disk: once the file system is full it
 * gets ENOSPC, and the host's own file systems are untouched. And nothing of it is in the account's
 * home, under any human's directory, or where a grant may point (lib/project.c refuses rcc's
 * directories), so no session can mount it.
 *
 * By uid, not name: containers/storage expands $UID in rootless_storage_path from the process's own
 * uid, but $USER from the environment. Where systemd runs, a mount unit (var-lib-rcc-storage-
 * UID.mount) mounts it at every boot; elsewhere rcc-setup mounts it, and after a reboot rcc-shell
 * refuses sessions until `rcc-setup install` mounts it again. Recorded in the manifest as
 * "storage ACCOUNT DIR IMAGE"; uninstall and account remove unmount it and remove both.
 */
#pragma once

#include <stdint.h>

#include "context.h"
#include "policy.h"

#define MOUNT_PATH "/usr/bin/mount"
#define UMOUNT_PATH "/usr/bin/umount"
#define MKFS_EXT4_PATH "/usr/sbin/mkfs.ext4"

/* The account's storage file system (created with a->settings.disk_bytes when absent), mounted,
 * with its directories. A path there that is not what it should be (a symlink, say) is refused. */
int ensure_account_storage(Setup *s, const Account *a);

/* Unmount DIR (if mounted) and remove it and IMAGE: what the account wrote on the host. */
int remove_storage(const char *dir, const char *image);

/* Remove the directory name in dir_fd and everything in it, by descriptor, never following a
 * symlink: what is in it is the account's. 0 when it is gone (or was not there). */
int remove_tree_at(int dir_fd, const char *name);

/* Whether dir is the root of a mount (1), not (0), or -errno. */
int storage_is_mounted(const char *dir);
