/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Project ACLs: a sandbox account and its humans share the humans' existing project directories
 * (u:ACCOUNT:rwX, and default entries for both, so what either writes the other can use), and the
 * account may traverse their ancestors (u:ACCOUNT:--x). Each recorded in the manifest ("acl",
 * "traverse") before setfacl runs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "context.h"
#include "policy.h"

#define SETFACL_PATH "/usr/bin/setfacl"

/* ACLs so account and each of its humans share the humans' existing project directories. */
int grant_project_acls(Setup *s, const Account *a);

/* Call fn for every (human, existing project directory) the policy grants on a, the globs
 * expanded; stops at the first non-zero return of fn and returns it. */
int acl_for_each_grant(
        const Account *a, int (*fn)(const char *human, const char *path, void *userdata), void *userdata);
/* Whether the policy still grants human the directory path on a. */
bool acl_granted(const Account *a, const char *human, const char *path);

/* Take the ACLs of manifest entry index ("acl ACCOUNT PATH [HUMAN [fresh|kept]]") off its tree; the
 * entry stays (the caller drops it). */
int acl_revoke(Setup *s, size_t index);
/* Revoke, and drop from the manifest, every ACL of a that the policy no longer grants. */
int revoke_stale_acls(Setup *s, const Account *a);
