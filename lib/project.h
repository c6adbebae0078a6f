/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which project a session sees, and whether the human who asked for it may have it. Shared by
 * rcc-shell and pam_rcc, so the gate and the shell cannot disagree.
 *
 * A grant is an absolute path or fnmatch(3) pattern (FNM_PATHNAME) in users.NAME.projects. A path
 * is granted when, after resolving every symlink and "..", it or one of its ancestors matches one
 * of the human's patterns; the project root is the shortest such ancestor (or the path itself),
 * and the rest is the session's working directory below /workspace.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "policy.h"

typedef struct Project {
        char root[4096];   /* resolved, absolute; what is mounted at /workspace */
        char subdir[4096]; /* "" or a relative path below root: the working directory */
        /* The root's identity as project_open() found it (0 before): what the session must see at
         * /workspace, compared again inside the container by rcc-landlock. */
        uint64_t dev, ino;
} Project;

/* Resolve PATH (must exist and be a directory) and check it against USER's grants in S. Refuses,
 * with a diag that says which grant was missing and what to do: a user with no grant, a path
 * outside every grant, "/", a root that holds or lies within rcc's own directories (its
 * configuration, state, account homes and storage, session records), and a root that podman's
 * --mount syntax cannot carry (',' '\n'). Pure string work on the resolved path; the directory
 * itself is project_open()'s. */
int project_resolve(const Settings *s, const char *user, const char *path, Project *ret, RccDiag *diag);

/* Open p->root (resolved by project_resolve()) as the project: one directory at a time from "/",
 * following no symlink, each step checked on its descriptor. Every directory above the root must be
 * owned by root or by human (the granted human's uid; (uid_t)-1 when they have no local account)
 * and writable by nobody else, unless it is sticky (as /tmp) and the entry below it is root's or
 * the human's: anyone else could rename the project away and put another directory in its place
 * between this check and the mount. The descriptor must still be at p->root when the walk ends.
 * Fills in p->dev and p->ino; the O_PATH descriptor of the root in *ret_fd (the caller closes it).
 * Refuses with a diag that names the directory and the fix. */
int project_open(Project *p, uid_t human, int *ret_fd, RccDiag *diag);

/* The project an ssh session gets when the client names none: USER's first grant that is a plain
 * path (no glob characters). -ENOENT with a diag that says to pass -o SetEnv=RCC_PROJECT=PATH. */
int project_default(const Settings *s, const char *user, char *buf, size_t size, RccDiag *diag);
