/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The install manifest, RCC_INSTALL_MANIFEST: a write-ahead log of what rcc-setup created on this
 * machine, so that uninstall (and account remove) undo exactly that and nothing else.
 *
 * One entry a line, fields separated by one space, each field %-escaped (space, '%', control
 * characters) so paths with spaces survive:
 *
 *     KIND ACCOUNT ARG...
 *
 * ACCOUNT is the sandbox account the entry belongs to, or "-" for what all accounts share. Kinds:
 *
 *     dir    - PATH                  a directory install created (removed if empty)
 *     file   - PATH SHA256           a file install wrote (removed only if it still has a recorded
 *                                    digest; a rewritten file gets another entry, written first)
 *     user   NAME                    the system user (userdel -r)
 *     storage NAME DIR IMAGE         the account's storage file system (storage.h): unmounted, removed
 *     line   NAME PATH LINE          a line added to PATH (/etc/shells, cron.deny, at.deny)
 *     subid  NAME START COUNT        the account's /etc/subuid and /etc/subgid range
 *     linger NAME                    loginctl enable-linger
 *     acl    NAME PATH HUMAN         setfacl -R on a project directory
 *     traverse NAME PATH             u:NAME:--x on an ancestor of a project
 *     unit   - UNIT                  a systemd unit enabled and started
 *     firewall - CONFIG_DIR          the nftables table applied
 *     firewalld - CONFIG_DIR         rcc-firewalld started without systemd (stopped at uninstall)
 *     pam    - PATH MODULE           rcc's three lines for pam_rcc MODULE added to the PAM service
 *                                    file PATH (/etc/pam.d/sshd, sudo, sudo-i; see pam-stack.h);
 *                                    removed only while they are still exactly as added
 *     selinux ACCOUNT WHAT ARG...    an SELinux change (selinux.h): "- module rcc", "NAME login
 *                                    user_u", "ACCOUNT fcontext PATH TYPE"
 *     apparmor - NAME PATH           a profile, tunables or abstraction file apparmor.c wrote under
 *                                    /etc/apparmor.d (profiles unloaded, files removed, at uninstall)
 *
 * An entry is appended (and fsynced) BEFORE the thing it describes is created, so a crash leaves
 * at most an entry for something that does not exist, which undo tolerates. Nothing that existed
 * before is ever recorded.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

#define MANIFEST_MAX_ARGS 4

typedef struct ManifestEntry {
        char *kind;
        char *account; /* "-" for shared entries */
        char *args[MANIFEST_MAX_ARGS];
        size_t n_args;
} ManifestEntry;

typedef struct Manifest {
        char *path;
        ManifestEntry *entries;
        size_t n_entries;
} Manifest;

/* Load the manifest at path (absent: empty). */
int manifest_load(const char *path, Manifest **ret);
Manifest *manifest_free(Manifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manifest *, manifest_free);

/* Append an entry (args NULL-terminated), fsync, and keep it in m too. The manifest's directory
 * is created (root 0755) when missing. */
int manifest_add(Manifest *m, const char *kind, const char *account, ...) __attribute__((sentinel));

/* The last entry matching kind, account (NULL: any) and the first n args given (NULL-terminated),
 * or NULL. */
const ManifestEntry *manifest_find(const Manifest *m, const char *kind, const char *account, ...)
        __attribute__((sentinel));

/* Drop entry i and rewrite the file atomically (an empty manifest is removed). */
int manifest_drop(Manifest *m, size_t i);
