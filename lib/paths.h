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

/* sshd's ForceCommand for sandbox accounts. sshd runs it as `rcc-shell -c "<this>"` for every
 * request (shell, exec and subsystem alike, internal-sftp included); rcc-shell recognises the exact
 * string and takes the client's request from SSH_ORIGINAL_COMMAND, which sshd sets itself. */
#define RCC_SSHD_FORCED_COMMAND RCC_SHELL_PATH " --sshd"

/* The only variable an ssh client may send (sshd AcceptEnv): the project it asks for. */
#define RCC_PROJECT_ENV "RCC_PROJECT"

/* The per-account podman volume mounted as the agent's home inside the container, so that its
 * own settings (Claude Code's login, say) survive from one session to the next. */
#define RCC_HOME_VOLUME "rcc-home"
