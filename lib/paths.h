/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where rcc's installed pieces live. Every path that one component writes and another trusts is
 * named here once, so rcc-setup, rcc-shell and pam_rcc cannot disagree. All of them are root-owned;
 * nothing under a sandbox account's home is ever read for a session.
 */
#pragma once

#include "config.h"

/* Authorized ssh keys of each sandbox account: RCC_KEYS_DIR/ACCOUNT (sshd AuthorizedKeysFile). */
#define RCC_KEYS_DIR RCC_CONFIG_DIR "/keys"

/* The podman configuration every session uses, through CONTAINERS_CONF, CONTAINERS_STORAGE_CONF
 * and CONTAINERS_REGISTRIES_CONF, so that nothing in ~/.config/containers applies. */
#define RCC_PODMAN_CONF_DIR RCC_CONFIG_DIR "/podman"
#define RCC_CONTAINERS_CONF RCC_PODMAN_CONF_DIR "/containers.conf"
#define RCC_STORAGE_CONF RCC_PODMAN_CONF_DIR "/storage.conf"
#define RCC_REGISTRIES_CONF RCC_PODMAN_CONF_DIR "/registries.conf"

/* What `rcc-setup install` changed on this machine, one line per change, so that uninstall removes
 * exactly that; also the sandbox accounts' homes (RCC_STATE_DIR/home/ACCOUNT). */
#define RCC_INSTALL_MANIFEST RCC_STATE_DIR "/installed"
#define RCC_HOME_DIR RCC_STATE_DIR "/home"

/* Each sandbox account's podman storage: RCC_STORAGE_DIR/UID is root's, and only what is inside it
 * is the account's (graph/, which storage.conf's rootless_storage_path names, and stage/, where
 * rcc-stage binds each session's project), so no grant, symlink or rename can point a session at
 * it. */
#define RCC_STORAGE_DIR RCC_STATE_DIR "/storage"

/* pam_rcc's session records (session-record.h), one file per open session. */
#define RCC_RUN_DIR "/run/rcc"
#define RCC_SESSION_DIR RCC_RUN_DIR "/session"
/* Each registered session's denials, written by rcc-firewalld (root) only: RCC_DENIALS_DIR/PID, PID
 * the session's rcc-shell as the kernel named it to the service (SO_PEERCRED), root:GID 0750 with
 * the file RCC_DENIALS_FILE in it, root:GID 0640. rcc-shell binds the directory read-only at
 * RCC_DENIALS_CONTAINER_DIR in its container. */
#define RCC_DENIALS_DIR RCC_RUN_DIR "/denials"
#define RCC_DENIALS_FILE "denials"
#define RCC_DENIALS_CONTAINER_DIR "/run/rcc"

/* sshd's ForceCommand for sandbox accounts. sshd runs it as `rcc-shell -c "<this>"` for every
 * request (shell, exec and subsystem alike, internal-sftp included); rcc-shell recognises the exact
 * string and takes the client's request from SSH_ORIGINAL_COMMAND, which sshd sets itself. */
#define RCC_SSHD_FORCED_COMMAND RCC_SHELL_PATH " --sshd"

/* The only variable an ssh client may send (sshd AcceptEnv): the project it asks for. */
#define RCC_PROJECT_ENV "RCC_PROJECT"

/* The podman volume an earlier rcc mounted as every session's home, whichever human and project:
 * never mounted now (each session's home is its own, shell/home.h); install says how to remove it. */
#define RCC_HOME_VOLUME "rcc-home"
