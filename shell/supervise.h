/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run podman as a child and stay with it until it is gone: pass on the signals that end a session,
 * notice a client that went away (sshd does not signal the shell of a non-tty session when the
 * connection drops), and make sure no container outlives its session.
 */
#pragma once

#include <stdbool.h>

typedef struct Supervision {
        char *const *argv; /* podman run ...; argv[0] is the absolute path executed */
        char *const *envp;
        const char *name; /* the container's name, for podman kill and podman rm */
        bool tty;
} Supervision;

/* Returns the session's exit status (podman's, or 128+signal) or a negative errno if podman could
 * not be started. */
int supervise_run(const Supervision *s);
