/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The read-only carve-outs of a project (Settings.readonly: ".git/hooks", ".envrc", ...): which of
 * them exist beneath the project root as a real file or directory, checked without following a
 * symlink at any component. A carve-out that is a symlink, or lies under one, refuses the session:
 * binding it would bind the link's target, which may be any host file the account can read, and
 * leaving it writable would defeat the carve-out.
 *
 * A read-only bind mount moves with its parent directory: renaming .git away and creating a new
 * .git/hooks would put the carve-out out of the way. So every directory strictly between the
 * project root and a present carve-out (its "pinned" ancestors: .git for .git/hooks) is bound onto
 * itself read-write as well; a mount point cannot be renamed or removed (EBUSY), while what is in it
 * stays writable.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef enum ReadonlyLookup {
        READONLY_LOOKUP_AUTO,       /* openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), walk on ENOSYS */
        READONLY_LOOKUP_COMPONENTS, /* always the component-wise O_NOFOLLOW walk (tests) */
} ReadonlyLookup;

/* A carve-out as checked: st_dev and st_ino, which rcc-landlock compares inside the container. */
typedef struct ReadonlyId {
        uint64_t dev;
        uint64_t ino;
} ReadonlyId;

/* Check each of paths[0..n) beneath the project root_fd (an O_PATH descriptor of the directory
 * root names, which is what messages say). The ones present are stored in ret_present (pointers into
 * paths, in order; room for n) and counted in *ret_n. A symlink, a path that is neither a file nor
 * a directory, or one podman's --mount syntax cannot carry fails with a diag that says what to do. */
int readonly_check(
        int root_fd, const char *root, const char *const *paths, size_t n, ReadonlyLookup how,
        const char **ret_present, size_t *ret_n, RccDiag *diag);
/* The same, and the identity of each present one in ret_ids (room for n; NULL: not wanted). */
int readonly_check_ids(
        int root_fd, const char *root, const char *const *paths, size_t n, ReadonlyLookup how,
        const char **ret_present, ReadonlyId *ret_ids, size_t *ret_n, RccDiag *diag);

/* Whether path is base or lies beneath it (strictly: beneath only), comparing components; empty
 * components ("a//b", "a/") are ignored. Pure. */
bool readonly_path_within(const char *path, const char *base, bool strictly);

/* The pinned ancestors of the present carve-outs present[0..n): each directory strictly between
 * the root and a carve-out, as a normalised relative path ("a/b"), once, parents before children,
 * leaving out any that is a carve-out or lies beneath one (read-only already; a read-write bind
 * there would undo it). *ret is a NULL-terminated list (free with strv_free()). Pure. -EINVAL for a
 * "." or ".." component, -ENAMETOOLONG, -ENOMEM. */
int readonly_ancestors(const char *const *present, size_t n, char ***ret, size_t *ret_n);

/* Check each of paths[0..n) beneath root_fd as readonly_check() does, each to be a directory, and
 * store its identity in ret_ids (room for n). Anything else fails with a diag. */
int readonly_check_pinned(
        int root_fd, const char *root, const char *const *paths, size_t n, ReadonlyLookup how,
        ReadonlyId *ret_ids, RccDiag *diag);
