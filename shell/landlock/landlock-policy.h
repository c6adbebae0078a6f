/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of rcc-landlock, the launcher that rcc-shell makes the container's entry point:
 * its command line, and which Landlock rules it asks for under a given ABI. No system calls here,
 * so every ABI from 1 to the newest is unit-tested on any kernel (tests/unit/test-landlock.c).
 *
 * The launcher's command line (built by shell/podman-argv.c):
 *
 *   rcc-landlock --abi=N --workspace=DEV:INO:PATH [--writable=PATH]... [--pinned=DEV:INO:PATH]...
 *                [--readonly=DEV:INO:PATH]... -- COMMAND [ARG]...
 *   rcc-landlock --describe
 *
 * --abi is the Landlock ABI rcc-shell found on the host (0: none); the launcher refuses to run the
 * command with less. --workspace names the project's mount point (/workspace) by the device and
 * inode rcc-shell checked: a mount point that is anything else refuses the session, whatever
 * happened to the project's path on the host while the session started. --readonly names a
 * carve-out by the same; --pinned a directory above a carve-out, which must be a mount point (bound
 * onto itself, so it cannot be renamed or removed with the carve-out in it).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The newest ABI whose rights this code knows; a newer kernel is used as this one. */
#define LL_ABI_KNOWN 7

/* Filesystem access rights (include/uapi/linux/landlock.h; Debian 12's header stops at ABI 2). */
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)     /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
/* The rights a rule on a file (rather than a directory) may carry; the kernel refuses others. */
#define LL_FS_FILE_RIGHTS \
        (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

/* Scopes (ABI 6). */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* What a ruleset handles (restricts) under one ABI. */
typedef struct LandlockHandled {
        uint64_t fs;
        uint64_t scoped;
} LandlockHandled;

/* One path-beneath rule: the access granted beneath path (or to it, if a file), already limited
 * to what the ABI handles. Absent paths are skipped by the launcher. */
typedef struct LandlockRule {
        const char *path;
        uint64_t access;
        bool no_symlinks; /* a write grant: refuse a path that is or passes a symlink (the image's) */
} LandlockRule;

/* A carve-out (--readonly) or a pinned directory (--pinned). */
typedef struct LandlockReadonly {
        uint64_t dev; /* st_dev and st_ino as rcc-shell saw them on the host */
        uint64_t ino;
        const char *path; /* inside the container: /workspace/REL */
} LandlockReadonly;

#define LAUNCHER_MAX_WRITABLE 8
#define LAUNCHER_MAX_READONLY 1024
#define LAUNCHER_MAX_PINNED 1024
/* "/", the writable paths, /dev/shm, /dev/pts and the device files. */
#define LAUNCHER_MAX_RULES (LAUNCHER_MAX_WRITABLE + 16)

typedef struct LauncherArgs {
        bool describe;              /* --describe: print what this kernel's ABI gives, exit */
        int abi;                    /* --abi=N: the host's ABI, 0..; required unless describe */
        LandlockReadonly workspace; /* --workspace: required unless describe */
        const char *writable[LAUNCHER_MAX_WRITABLE];
        size_t n_writable;
        LandlockReadonly readonly[LAUNCHER_MAX_READONLY];
        size_t n_readonly;
        LandlockReadonly pinned[LAUNCHER_MAX_PINNED];
        size_t n_pinned;
        char *const *command; /* NULL-terminated: what follows "--" */
} LauncherArgs;

/* Parse argv (argv[0] is the program). 0 and *ret filled; or -EINVAL with *ret_error set to a
 * static message naming the problem (the caller prints it with the offending argument, if any, in
 * *ret_arg). */
int launcher_args_parse(
        int argc, char *const *argv, LauncherArgs *ret, const char **ret_error, const char **ret_arg);

/* What a ruleset handles under abi (clamped to LL_ABI_KNOWN; 0 or less: nothing). Network rights
 * (ABI 4) are never handled: see landlock-policy.c. */
LandlockHandled landlock_handled(int abi);

/* The rules for args under abi, into ret[0..*ret_n) (room for LAUNCHER_MAX_RULES). Each rule's
 * access is limited to landlock_handled(abi).fs; rules whose access ends up empty are left out. */
void landlock_rules_build(const LauncherArgs *args, int abi, LandlockRule *ret, size_t *ret_n);

/* The access a rule may carry on what turned out to be a directory or not. */
uint64_t landlock_rule_access(uint64_t access, bool is_dir);

/* The flags for landlock_restrict_self(): from ABI 7, log denials of the programs the launcher
 * executes (the agent) to the audit log, where the kernel has one. */
uint32_t landlock_restrict_flags(int abi);

/* What abi restricts, for people: "filesystem, abstract unix sockets and signals scoped". */
const char *landlock_describe(int abi);
