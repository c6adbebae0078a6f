/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's home in a session: whose it is, and what crosses between sessions.
 *
 * Claude Code keeps the human's login, its settings (hooks that run shell commands at every start
 * among them) and transcripts of everything it read in its home. One home per account was one for
 * every human and project of it: one human's agent read another's credentials and transcripts and
 * planted hooks that ran in their sessions. So each session's home belongs to one human and, by
 * default, one project (container.home):
 *
 *   project    STORAGE/homes/HUMAN/PROJECT-KEY/home   PROJECT-KEY: 16 hex of the root's SHA-256
 *   human      STORAGE/homes/HUMAN/all/home           shared by the human's projects
 *   ephemeral  a tmpfs, nothing kept
 *
 * (STORAGE is RCC_STORAGE_DIR/UID, setup/host/storage.h: no session can reach it; the agent sees its
 * home only, at $HOME.) Next to each home a file "project" names the project (or "*") and its
 * mtime is the home's last use, for `rcc-setup state list`.
 *
 * What crosses: the human's login alone. STORAGE/homes/HUMAN/credentials.json is copied into the
 * home (~/.claude/.credentials.json) when a session starts, and back when it ends if the session
 * changed it, so a human logs in once for all their projects. Nothing of one human ever reaches
 * another's session. Everything in the home is the agent's, so it is read and written here by
 * descriptor, beneath the home, following no symlink.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "policy.h"
#include "sha256.h"

#define HOME_CREDENTIALS ".claude/.credentials.json"
#define HOME_CREDENTIALS_STORE "credentials.json"
#define HOME_CREDENTIALS_MAX (64 * 1024)

typedef struct SessionHome {
        HomeScope scope;
        char dir[PATH_MAX];                 /* the directory bound at $HOME; "" for an ephemeral home */
        int human_fd;                       /* STORAGE/homes/HUMAN */
        int home_fd;                        /* dir */
        bool copied_in;                     /* a login was copied into the home ... */
        uint8_t copied[SHA256_DIGEST_SIZE]; /* ... with this digest */
} SessionHome;

#define SESSION_HOME_NULL ((SessionHome){.human_fd = -EBADF, .home_fd = -EBADF})

/* The home of human's session of the project (root: its resolved path) on the account uid, made if
 * new, with the human's login copied in. */
int home_prepare(
        SessionHome *h, uid_t uid, HomeScope scope, const char *human, const char *root, RccDiag *diag);

/* When the session ends: its login, if it changed, back to the human's store. Then close. */
void home_finish(SessionHome *h);
