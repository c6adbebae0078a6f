/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sessions that registered with rcc-firewalld (RCC_FIREWALL_SESSION_SOCKET): each sandbox
 * session's rcc-shell, connected for the session's whole life. The service tells them when their
 * network is held, resumed or cut, and they tell their human; a service that dies is noticed by
 * every one of them at once (EOF), which is how sessions stay confined when nobody is left to
 * watch the table.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "denial.h"
#include "diag.h"
#include "macro.h"

#define SESSIONS_MAX 4096
/* Destinations remembered per session for its summary; more are only counted. */
#define SESSION_DENIALS_MAX 64

typedef struct SessionClient {
        int fd;
        uid_t uid;
        pid_t pid;
        /* What this session was refused (a refusal is the session's when it was the only session of
         * its account at the time: packets carry the account, not the session). */
        Denial *denials;
        size_t n_denials;
        uint64_t more;   /* refusals beyond SESSION_DENIALS_MAX destinations */
        uint64_t shared; /* refusals while other sessions of the account ran: not attributed */
        /* Its denials file in the container (denial-files.h): written from the above, at most once
         * every DENIAL_FILE_INTERVAL_MS. */
        bool file;  /* made at registration */
        bool dirty; /* changed since last written */
        long long written_ms;
} SessionClient;

struct Policy;

typedef struct Sessions {
        int listen_fd;
        const struct Policy *policy; /* the service's, for the denials files: accounts' groups, reasons */
        SessionClient *clients;
        size_t n;
} Sessions;

/* Listen on path (SOCK_SEQPACKET, non-blocking), replacing a stale socket there, with mode. */
int service_listen(const char *path, mode_t mode, int *ret_fd, RccDiag *diag);

/* Listen on RCC_FIREWALL_SESSION_SOCKET, mode 0666: any local user may connect, only a sandbox
 * account is answered "ok". */
int sessions_listen(Sessions *s, RccDiag *diag);
void sessions_close(Sessions *s);

/* Accept one connection and answer it at once: "ok HOW" when the peer's uid is one of uids and
 * ready is set, else "refuse WHY" (and close it). */
void sessions_accept(
        Sessions *s, const uid_t *uids, size_t n_uids, bool ready, const char *how, const char *why);

/* A registered session's socket became readable or hung up. Its one request, "summary", is
 * answered with "denial LINE" for each destination it was refused, "shared N MORE", "end"; anything
 * else, or a hangup, drops it. */
void sessions_serve(Sessions *s, size_t i);
void sessions_drop(Sessions *s, size_t i);

/* A refused packet of uid: the session's, if it is the only session of uid. */
void sessions_note_denial(Sessions *s, uid_t uid, const Denial *d, int64_t now);

/* Write the denials files that changed and may be written now; the ms until the next is due (-1:
 * none). */
int sessions_flush(Sessions *s);

/* Send one message to every registered session. */
void sessions_tell(Sessions *s, const char *verb, const char *fmt, ...) _printf_(3, 4);
