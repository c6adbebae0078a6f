/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user database, read the one way every component reads it: reentrant (pam_rcc runs inside
 * sshd and sudo, whose copy of getpwnam()'s static entry it must not clobber) and into a copy the
 * caller owns.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define USER_NAME_MAX 32

typedef struct UserEntry {
        char name[64];
        uid_t uid;
        gid_t gid;
        char home[PATH_MAX];
        char shell[PATH_MAX];
} UserEntry;

/* The entry of name, or (name NULL) of uid. -ENOENT when there is none, -ENAMETOOLONG when a field
 * does not fit, -ENOMEM, or the lookup's own error. */
int user_lookup(const char *name, uid_t uid, UserEntry *ret);

/* The one rule for user names, the sandbox accounts' and the humans' alike: letters, digits, '_',
 * '.' and '-', starting with a letter or '_', at most USER_NAME_MAX characters; upper-case letters
 * only with allow_upper (a human's name, which rcc does not make). */
bool user_name_valid(const char *s, bool allow_upper);
