/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Read-only carve-outs that do not exist yet. A carve-out is a bind mount of what exists: one that
 * is missing when a session starts (a project without .mcp.json, or without .claude at all) would
 * be the agent's to create, and the human's own tools would run what it wrote (Claude Code the
 * hooks of .claude/settings.json and the servers of .mcp.json, direnv .envrc, VS Code the tasks
 * of .vscode/tasks.json, pre-commit its configuration at the next commit).
 *
 * So before the checks, each missing carve-out is made, as a placeholder: an empty file ("{}" for
 * a .json, which the tools then read as no settings), and the directories above it that were
 * missing. It is then protected like any other, read-only and pinned. When the session ends, each
 * placeholder that is still the one made (same inode, size and ctime) is removed, and each
 * directory made for it if it is empty, so the project is left as it was.
 *
 * Not for directories: a carve-out named ".git", or ending in '/', is not made (an empty .git would
 * stop the human's git from finding the repository above it; and git ignores a .git that is not
 * its user's, which is what the agent could make).
 *
 * Everything happens beneath the project's descriptor, no symlink followed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "diag.h"

#define PLACEHOLDER_MAX 64

typedef struct Placeholder {
        char path[256]; /* relative to the project */
        bool is_dir;    /* a directory made for a placeholder above it */
        uint64_t dev, ino;
        uint64_t size;
        struct timespec ctime; /* a file changed since (by the human, on the host) stays */
} Placeholder;

typedef struct Placeholders {
        Placeholder made[PLACEHOLDER_MAX]; /* in the order made: parents first */
        size_t n;
} Placeholders;

/* Make each of paths[0..n) that is missing beneath root_fd (root names it in messages), as above;
 * *ret lists what was made. A path that cannot be made refuses the session. */
int placeholders_make(
        int root_fd, const char *root, const char *const *paths, size_t n, Placeholders *ret, RccDiag *diag);

/* Remove what placeholders_make() made and nobody changed since, newest first. */
void placeholders_remove(int root_fd, const Placeholders *p);
