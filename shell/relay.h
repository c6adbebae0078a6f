/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The human's terminal between them and the session. When rcc-shell runs on a terminal, podman
 * does not get it: it gets a pseudo-terminal of rcc-shell's own, and rcc-shell relays between the
 * two - the human's keys unchanged, the session's output through the terminal filter
 * (lib/termfilter.h), which drops what would reach beyond the session's screen (the clipboard,
 * the title, tmux's passthrough) unless the policy allows it. The human's terminal is in raw mode
 * for the session (podman would have put it there too) and comes back as it was, with whatever
 * modes the session left set (alternate screen, mouse, bracketed paste, ...) undone, however the
 * session ends.
 */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "termfilter.h"

#define RELAY_CHUNK 4096

typedef struct TermRelay {
        int master, slave; /* -EBADF when not open */
        char slave_path[64];
        int in_fd, out_fd; /* the human's terminal */
        struct termios saved;
        bool raw;      /* the human's terminal is in raw mode (saved is what it was) */
        bool gone;     /* the human's terminal hung up */
        size_t in_len; /* human -> session bytes not written to the master yet */
        uint8_t in[RELAY_CHUNK];
        TermFilter filter;
} TermRelay;

#define TERM_RELAY_NULL ((TermRelay){.master = -EBADF, .slave = -EBADF, .in_fd = -EBADF, .out_fd = -EBADF})

/* Open the pseudo-terminal, give it the human's terminal's settings and size, put the human's
 * terminal (in_fd, out_fd) in raw mode. On failure nothing is left changed. */
int relay_open(TermRelay *r, int in_fd, int out_fd, const TermFilterOptions *opt);

/* In the forked child, before exec (async-signal-safe only): a session of its own with the
 * pseudo-terminal as its controlling terminal, stdin, stdout and stderr. Returns < 0 on failure. */
int relay_child(const TermRelay *r);

/* The two descriptors to poll: the human's terminal (input) and the master. */
void relay_poll_setup(const TermRelay *r, struct pollfd *human, struct pollfd *master);

/* After poll: move what is ready. Returns true when the human's terminal is gone (hangup). */
bool relay_poll_handle(TermRelay *r, const struct pollfd *human, const struct pollfd *master);

/* The human's terminal was resized (SIGWINCH): the session's follows. */
void relay_resize(TermRelay *r);

/* The session is over: what it wrote last, the resets the filter knows are needed, the human's
 * terminal's settings back. Idempotent; closes everything. */
void relay_close(TermRelay *r);
