/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one `podman run` of a session, as an argument vector derived from policy and nothing else.
 * Pure: no I/O, so the whole flag set is unit-tested. Nothing here comes from the account's home or
 * from the caller's environment; every string that reaches a --mount option is checked for the
 * characters that would let it add options of its own.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "podman-network.h"
#include "readonly.h"
#include "session-limits.h"

#define WORKSPACE_DIR "/workspace"
/* Where rcc-landlock (RCC_LANDLOCK_PATH on the host) is bound read-only in every container, as its
 * entry point: a directory of rcc's own at the root, which no image has reason to contain (and if
 * one has it as a file, the mount fails and so does the session). */
#define LANDLOCK_LAUNCHER_DIR "/.rcc"
#define LANDLOCK_LAUNCHER LANDLOCK_LAUNCHER_DIR "/landlock"

typedef struct SessionSpec {
        const char *name;        /* the container's name */
        const char *home;        /* the account's home (pw_dir): $HOME in the container */
        const char *home_source; /* the session's home (shell/home.h), or NULL: a tmpfs there */
        uid_t uid;               /* the account's, which owns a tmpfs home */
        gid_t gid;
        const char *image; /* Settings.image */
        /* Where podman mounts the project from: the checked directory as rcc-stage bound it (a path
         * no human can change), bound read-write at /workspace; the carve-outs and pinned directories
         * are bound from beneath it. */
        const char *project_source;
        uint64_t project_dev, project_ino; /* the project as checked: rcc-landlock compares /workspace */
        const char *project_subdir;        /* Project.subdir: "" or relative; the working directory */
        const char *const *readonly;       /* carve-outs that exist, relative to the project */
        const ReadonlyId *readonly_ids;    /* st_dev/st_ino of each as readonly_check_ids() saw it */
        size_t n_readonly;
        /* Directories strictly between the project and the carve-outs (readonly_ancestors()),
         * parents first: each bound onto itself read-write, so that it cannot be renamed or
         * removed and the carve-outs beneath it stay where they are. */
        const char *const *pinned;
        const ReadonlyId *pinned_ids; /* as readonly_check_pinned() saw them */
        size_t n_pinned;
        int landlock_abi; /* the host kernel's Landlock ABI, 0: none; rcc-landlock needs as much */
        bool tty;
        const char *term; /* a sanitised TERM, or NULL; used only when tty */
        const char *const *command;
        size_t n_command;
        LimitsMechanism limits;
        uint64_t memory_bytes; /* 0: none */
        uint64_t tmp_bytes;    /* the size of /tmp, a tmpfs; > 0 */
        uint32_t cpus_milli;   /* 0: none */
        uint32_t pids;         /* 0: none */
        PodmanNetwork network; /* as rcc-setup install recorded it (podman_network_load()) */
        /* rcc-firewalld's directory of this session's denials (RCC_DENIALS_DIR/PID), bound
         * read-only at RCC_DENIALS_CONTAINER_DIR; NULL: none. */
        const char *denials_dir;
} SessionSpec;

/* The NULL-terminated argument vector, argv[0] = RCC_PODMAN, into *ret (free with strv_free()).
 * The container's entry point is rcc-landlock; the image is followed by its arguments, "--" and the
 * command.
 * -EINVAL for a spec that cannot be expressed safely (relative or comma-carrying paths, "..", an
 * empty command, a pinned directory that is not strictly above a carve-out or that is at or beneath
 * one); -ENOMEM. */
int podman_argv_build(const SessionSpec *spec, char ***ret);

/* `podman unshare RCC_STAGE_PATH stage MOUNTPOINT PROJECT DEV:INO GRAPH SEAL`: rcc-stage, inside
 * podman's user and mount namespace, checks the image in GRAPH against SEAL (the seal's text) and
 * binds the project at MOUNTPOINT if it is still the directory DEV:INO (shell/stage/main.c).
 * -EINVAL for relative or empty paths or an empty seal. */
typedef struct StageSpec {
        const char *mountpoint;
        const char *project;
        uint64_t dev, ino;
        const char *graph;
        const char *seal;
} StageSpec;
int podman_stage_argv_build(const StageSpec *spec, char ***ret);

/* `podman unshare RCC_STAGE_PATH unstage MOUNTPOINT`. */
int podman_unstage_argv_build(const char *mountpoint, char ***ret);

/* The argument vector that removes container NAME whatever state it is in. */
int podman_rm_argv_build(const char *name, char ***ret);

/* The argument vector that sends signal number sig to container NAME's init. */
int podman_kill_argv_build(const char *name, int sig, char ***ret);

char **strv_free(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
size_t strv_length(char *const *v);
