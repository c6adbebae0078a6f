/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What install, account and key share: the host facts they look at once, and every change they
 * make to the system, each recorded in the manifest before it is made (see manifest.h). Every
 * function is idempotent: re-running after a crash at any point finishes the job.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "keys.h"
#include "log.h"
#include "manifest.h"
#include "policy.h"
#include "setup.h"

#define SSHD_PATH "/usr/sbin/sshd"
#define SSHD_CONFIG "/etc/ssh/sshd_config"
#define SSHD_DROPIN_DIR "/etc/ssh/sshd_config.d"
#define SSHD_DROPIN SSHD_DROPIN_DIR "/rcc.conf"
#define SUDO_PATH "/usr/bin/sudo"
#define VISUDO_PATH "/usr/sbin/visudo"
#define SUDOERS_DROPIN "/etc/sudoers.d/rcc"
#define SETFACL_PATH "/usr/bin/setfacl"
#define SYSTEMCTL_PATH "/usr/bin/systemctl"
#define LOGINCTL_PATH "/usr/bin/loginctl"
#define USERADD_PATH "/usr/sbin/useradd"
#define USERMOD_PATH "/usr/sbin/usermod"
#define USERDEL_PATH "/usr/sbin/userdel"
#define SUBID_FIRST 100000u
#define SUBID_COUNT 65536u

typedef struct Setup {
        char config_dir[PATH_MAX]; /* absolute */
        char keys_dir[PATH_MAX];   /* config_dir/keys: sshd's AuthorizedKeysFile directory */
        Manifest *manifest;
        bool systemd;           /* systemd is PID 1 */
        bool have_sshd;         /* sshd installed */
        bool have_sshd_include; /* ...and its configuration includes the drop-in directory */
        bool have_sudo;
} Setup;

/* Look at the host, load the manifest. config_dir need not exist yet. */
int setup_init(Setup *s, const char *config_dir);
void setup_done(Setup *s);

/* Log an error (fmt may use %m for r) and return r. */
int log_err(int r, const char *fmt, ...) _printf_(2, 3);

/* Progress lines: "  name: what" on stdout. */
void step(const char *name, const char *fmt, ...) _printf_(2, 3);

/* A login name for a sandbox account: ^[a-z_][a-z0-9_-]{0,31}$. */
bool account_name_valid(const char *name);

/* ---- files (system.c) ---- */

/* RCC_STATE_DIR and its missing parents, recorded (the manifest lives there). */
int ensure_state_dir(Setup *s);
/* Create directory path (root-owned, mode) unless it exists; record it for account (NULL: shared). */
int ensure_dir(Setup *s, const char *path, mode_t mode, const char *account);
/* Write path (root-owned, mode) only if it does not exist. Returns 1 if written. */
int ensure_file(Setup *s, const char *path, const char *content, mode_t mode, const char *account);
/* Write path (root-owned, mode), replacing what rcc-setup wrote there before. Refuses (-EEXIST) to
 * replace a file rcc-setup did not write unless it already has this content. Returns 1 if the
 * file changed. */
int replace_file(Setup *s, const char *path, const char *content, mode_t mode, const char *account);
/* The same, but the new content is first written to a dot-file next to path, and check(tmp) must
 * return 0 before it is renamed into place. */
int replace_file_checked(
        Setup *s, const char *path, const char *content, mode_t mode, const char *account,
        int (*check)(const char *tmp));
/* Whether path was written by rcc-setup with exactly its current content. */
bool file_is_ours(const Setup *s, const char *path);
/* Append line to path (created 0644 if absent) and record it. */
int ensure_line(Setup *s, const char *path, const char *line, const char *account);

/* ---- accounts (system.c) ---- */

/* Create the sandbox user NAME (its own group, home RCC_HOME_DIR/NAME 0700, login shell
 * rcc-shell, password "*": no password, but not "locked" for sshd's pubkey logins). An existing
 * user is accepted only if its shell is rcc-shell. */
int ensure_account_user(Setup *s, const char *name);
/* Give NAME a free 65536-id subuid and subgid range unless it has one. */
int ensure_subids(Setup *s, const char *name);
/* loginctl enable-linger where systemd is PID 1. */
int ensure_linger(Setup *s, const char *name);
/* NAME in /etc/cron.deny and /etc/at.deny. */
int deny_cron_at(Setup *s, const char *name);
/* Everything one sandbox account needs on the host: the user, accounts.d/NAME.yaml (yaml, if
 * absent), an empty keys file, /etc/shells, subids, lingering, cron/at. kind: "main" or "lab". */
int ensure_account(Setup *s, const char *name, const char *kind, const char *yaml);
/* Processes of uid, as "PID (COMM)" list into buf. Returns how many. */
/* The processes of uid as "PID (COMM), ..." in buf; their number. *ret_sessions: how many of them
 * are rcc-shell, i.e. live sessions. */
int user_processes(uid_t uid, char *buf, size_t size, int *ret_sessions);
/* End every process of uid (SIGTERM, then SIGKILL after 2 s). For a sandbox account without live
 * sessions: what is left is podman's own (the rootless pause process, a container's conmon). */
int stop_user_processes(uid_t uid);

/* ---- wiring (wiring.c) ---- */

/* The commented default rcc.yaml. */
extern const char default_policy_text[];
/* Podman configuration in RCC_PODMAN_CONF_DIR. */
int write_podman_conf(Setup *s);
/* sshd drop-in listing every account of policy, checked with sshd -t/-T, sshd reloaded. */
int write_sshd_dropin(Setup *s, const Policy *p);
/* sudoers drop-in for every account of policy, checked with visudo first. */
int write_sudoers_dropin(Setup *s, const Policy *p);
/* Load the policy and write both drop-ins from it. */
int rewire_accounts(Setup *s);
/* Apply the firewall (systemd units where systemd runs, else rcc-firewall apply). */
int apply_firewall(Setup *s);
/* After the accounts or their grants changed (install, account add, account remove): the sshd
 * and sudoers drop-ins, the firewall and the AppArmor tunables follow the policy again. */
int follow_policy(Setup *s);
/* RCC_PAM_MODULE exists, is a regular file, root-owned and writable by root alone (else an error
 * saying to install rcc first). */
int check_pam_module(void);
/* pam_rcc's block (pam-stack.h) in /etc/pam.d/sshd, sudo and sudo-i, those that exist, each
 * recorded ("pam") before it is changed. Once there, every session of a sandbox account needs
 * pam_rcc's consent, so this runs after the policy and the firewall are in place. */
int wire_pam_stacks(Setup *s);
/* ACLs so account and each of its humans share the humans' existing project directories. */
int grant_project_acls(Setup *s, const Account *a);
/* Tell a running sshd to re-read its configuration. */
void reload_sshd(void);
/* Load the policy of s->config_dir, reporting errors. */
int load_policy(const Setup *s, Policy **ret);

/* ---- keys (key.c) ---- */

/* Add key for human to the keys file of account, unless there already; refuses a key that belongs
 * to another human. Returns 1 if added. */
int keys_file_add(Setup *s, const char *account, const SshKey *key, const char *human);

/* ---- undo (uninstall.c) ---- */

/* Undo every manifest entry of account (NULL: all) in reverse order, dropping each when done. */
int undo_entries(Setup *s, const char *account);
/* Refuse (-EBUSY, with a message naming them) if a user recorded for account (NULL: any) has
 * running processes. */
int check_no_processes(const Setup *s, const char *account);
