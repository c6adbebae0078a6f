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

#include "diag.h"
#include "policy.h"

typedef struct Project {
        char root[4096];   /* resolved, absolute; what is mounted at /workspace */
        char subdir[4096]; /* "" or a relative path below root: the working directory */
} Project;

/* Resolve PATH (must exist and be a directory) and check it against USER's grants in S. Refuses,
 * with a diag that says which grant was missing and what to do: a user with no grant, a path
 * outside every grant, "/", and a root that podman's --mount syntax cannot carry (',' '\n'). */
int project_resolve(const Settings *s, const char *user, const char *path, Project *ret, RccDiag *diag);

/* The project an ssh session gets when the client names none: USER's first grant that is a plain
 * path (no glob characters). -ENOENT with a diag that says to pass -o SetEnv=RCC_PROJECT=PATH. */
int project_default(const Settings *s, const char *user, char *buf, size_t size, RccDiag *diag);
