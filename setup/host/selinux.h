/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SELinux for the sandbox accounts, where SELinux is enabled (selinux/README.md): the rcc policy
 * module, each account mapped to the confined SELinux user user_u at login, and the granted
 * projects labelled rcc_project_t. Every change is recorded in the manifest before it is made, as
 *
 *     selinux - module rcc                   semodule -i RCC_SELINUX_MODULE; /etc/rcc relabelled
 *     selinux ACCOUNT login user_u           semanage login -a -s user_u ACCOUNT
 *     selinux ACCOUNT fcontext PATH TYPE     semanage fcontext -a -t TYPE 'PATH(/.*)?' and
 *                                            restorecon -R PATH (TYPE: rcc_project_t for a project,
 *                                            rcc_conf_t for a --config directory other than /etc/rcc)
 *     selinux ACCOUNT identity DIR TYPE      semanage fcontext -a -f d -s system_u -t TYPE 'DIR' and
 *                                            restorecon -F DIR, for each directory above a project
 *                                            that has another SELinux user's identity (UBAC)
 *
 * so that uninstall (and account remove) undo exactly those. Nothing that was there before is
 * recorded or removed: a module rcc, a login mapping or a file context rule an admin made.
 * Where SELinux is not enabled, nothing is done or looked at.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "context.h"
#include "manifest.h"
#include "policy.h"

/* The policy package meson installs (selinux/meson.build) where the build machine has the policy
 * development files. */
#ifndef RCC_SELINUX_MODULE
#define RCC_SELINUX_MODULE "/usr/share/selinux/packages/rcc.pp"
#endif
#define RCC_SELINUX_USER "user_u"
#define SELINUX_MODULE_NAME "rcc"
#define SELINUX_PROJECT_TYPE "rcc_project_t"
#define SELINUX_CONF_TYPE "rcc_conf_t"
/* The SELinux user of the directories above a project (selinux.c, label_ancestors). */
#define SELINUX_PATH_USER "system_u"
/* The accounts' podman storage (ext4 images, storage.c) is mounted with this context where SELinux
 * is enabled: the account's own files, as its podman storage under its home would be. A fresh
 * ext4 carries no labels, and without the option its files would be unlabeled_t, which the
 * confined user may not use. The account's SELinux user, not system_u: every new file takes the
 * mount's context, and refpolicy lets a process create an object of another SELinux user only
 * where its type may change identities (found at run time: avc: denied { create } for user_u's
 * user_t on system_u:object_r:user_home_t, "cannot create .../homes/alice"). */
#define SELINUX_STORAGE_CONTEXT RCC_SELINUX_USER ":object_r:user_home_t:s0"
#define SELINUXFS "/sys/fs/selinux"
#define SELINUX_CONFIG "/etc/selinux/config"
#define SEMODULE_PATH "/usr/sbin/semodule"
#define SEMANAGE_PATH "/usr/sbin/semanage"
#define RESTORECON_PATH "/usr/sbin/restorecon"

/* selinux_install() and selinux_uninstall() return this (> 0) where SELinux is not enabled; the
 * caller prints it as a skip line: step("selinux", "SELinux not enabled: skipped"). */
#define SELINUX_SKIPPED 1

/* SELinux is enabled: selinuxfs is mounted with a policy loaded (/sys/fs/selinux/enforce). */
bool selinux_enabled(void);

/* Install the module (unless a module rcc that rcc-setup did not install is there), relabel the
 * configuration and the accounts' homes, map every account of p to user_u, label every existing
 * project directory its humans are granted. Idempotent. 0, SELINUX_SKIPPED, or a negative errno
 * after reporting the error (missing tools or module: fail, never run unconfined silently). */
int selinux_install(Setup *s, const Policy *p);
/* The first part of selinux_install(), for install to run before it makes the accounts' storage:
 * the module rcc loaded (or upgraded), recorded in the manifest, once per run. The module labels
 * the storage images so that mount may attach them to a loop device. SELINUX_SKIPPED where SELinux
 * is not enabled. */
int selinux_load_module(Setup *s);
/* restorecon PATH (not recursive) where SELinux is enabled; a failure is a warning. */
void selinux_restore(const char *path);
/* Where SELinux is enabled: what a program rcc-setup ran as the account (podman, for import,
 * seal and doctor) left in the account's home and runtime directory (/run/user/UID) carries
 * root's SELinux user, unconfined_u, since it ran in root's context; refpolicy's UBAC keeps the
 * account's user_u sessions from it (found at run time: its user manager denied search on
 * ~/.config and ~/.local, and podman getattr on /run/user/UID/containers/overlay-layers). Gives
 * every such file the account's SELinux user, type and level unchanged. The walk is by file
 * descriptor, never follows a symlink and stays on the file system it starts on, since the
 * account can change both trees while it runs. Failures are ignored: a file left as it was is
 * what a session then reports. */
void selinux_give_back(uid_t uid);

/* Undo manifest entry m->entries[index] (kind "selinux"); the caller drops it. A failing tool is
 * reported as a warning, so an uninstall can always finish. */
int selinux_undo_entry(const Manifest *m, size_t index);

/* Undo every "selinux" entry of account (NULL: all), newest first, dropping each. Call it before
 * undo_entries(), or wire selinux_undo_entry() into undo.c's undo_one() instead. Returns 0
 * (also where SELinux is no longer enabled: the store is still changed) or a negative errno. */
int selinux_uninstall(Setup *s, const char *account);

/* ---- what is there, for install and doctor (verbs/doctor-lsm.c); none needs root ---- */

/* The loaded policy knows type: the kernel validates a context written to selinuxfs. */
bool selinux_type_loaded(const char *type);
/* The type in path's label, into buf ("" when it has none). */
void selinux_label_type(const char *path, char *buf, size_t size);
/* The SELinux user login name is mapped to (seusers: "NAME:SEUSER[:RANGE]"): 1 and the user in
 * buf, or 0 when only the default mapping applies; or -errno. */
int selinux_login_mapping(const char *name, char *buf, size_t size);
/* Call fn for every existing project directory of a's humans (resolved); stops at the first
 * error and returns it. */
int selinux_for_each_project(const Account *a, int (*fn)(const char *path, void *arg), void *arg);
