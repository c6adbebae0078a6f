/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run podman as a child and stay with it until it is gone: pass on the signals that end a session,
 * notice a client that went away (sshd does not signal the shell of a non-tty session when the
 * connection drops), and make sure no container outlives its session.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct NetGuard;
struct TermFilterOptions;

typedef struct Supervision {
        char *const *argv; /* podman run ...; argv[0] is the absolute path executed */
        char *const *envp;
        const char *name; /* the container's name, for podman kill and podman rm */
        bool tty;
        /* With tty: podman gets a pseudo-terminal of rcc-shell's own and the human's terminal is
         * relayed through the terminal filter with these options (shell/relay.h). NULL: podman
         * gets the human's terminal itself. */
        const struct TermFilterOptions *terminal;
        struct NetGuard *guard; /* the link to rcc-firewalld, watched while podman runs (or NULL) */
} Supervision;

/* Returns the session's exit status (podman's, or 128+signal) or a negative errno if podman could
 * not be started. */
int supervise_run(const Supervision *s);

/* Run a helper (`podman rm`, `podman unshare rcc-stage ...`) to completion, with /dev/null for its
 * stdin and stdout, killed if it takes longer than 30 s. Its stderr, NUL-terminated and cut to
 * err_size (err may be NULL when err_size is 0), in err. Returns its exit status (128+signal if a
 * signal ended it), or a negative errno if it could not be started. */
int supervise_helper(char *const *argv, char *const *envp, char *err, size_t err_size);
