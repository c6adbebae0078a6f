/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running programs by argument vector, never through a shell: how rcc-setup runs every tool it
 * uses (useradd, setfacl, sshd -t, visudo, systemctl, podman, debootstrap...). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct RunOptions {
        uid_t uid;              /* run as this user (with its groups, HOME and a clean environment)... */
        bool as_user;           /* ...when set; otherwise as root with a clean environment */
        const char *cwd;        /* NULL: "/" */
        const char *const *env; /* extra NAME=VALUE entries, NULL-terminated, or NULL */
        const char *stdin_path; /* NULL: /dev/null */
        bool quiet;             /* send stdout to /dev/null */
        bool quiet_stderr;      /* and stderr, for a step whose failures are expected */
        char *capture;          /* when set, stdout goes here (NUL-terminated, truncated)... */
        size_t capture_size;    /* ...of this size */
        /* When set, stderr goes here (NUL-terminated, truncated), of this size: what a tool says
         * when it fails, for the message that reports it. Not with quiet_stderr. */
        char *capture_stderr;
        size_t capture_stderr_size;
        /* Each line of stdout and stderr (without its newline; a line longer than 1023 bytes in
         * pieces) handed to line_filter as it comes, for a long step that shows its progress. Not
         * with capture, capture_stderr or quiet. */
        void (*line_filter)(const char *line, void *userdata);
        void *userdata;
        /* The child's whole environment instead of PATH, HOME, USER, LOGNAME, LC_ALL and env. */
        const char *const *envp;
        /* A mount namespace of the child's own, private from the host's: whatever it mounts
         * disappears with it, however it ends. A failure to make it, or to execute argv[0], is
         * then said on stderr (exit status 126, 127). */
        bool unshare_mount;
        /* Run inside this root (implies unshare_mount), with its /proc mounted and the host's
         * /dev bound over its /dev where that has no device nodes; cwd is inside the root. */
        const char *chroot_dir;
} RunOptions;

/* Run argv[0] (an absolute path) with argv, wait, and return its exit status (0..255), or a
 * negative errno if it could not be started or was killed by a signal. Never uses a shell; the
 * child gets no descriptors beyond 0, 1, 2. */
int run_argv(const char *const *argv, const RunOptions *opts);
