/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "denial-files.h"
#include "firewall-service.h"
#include "log.h"
#include "policy.h"
#include "sessions.h"

/* Bind path anew (a stale socket of an earlier service is replaced) with mode. */
int service_listen(const char *path, mode_t mode, int *ret_fd, RccDiag *diag) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_close_ int fd = -EBADF;

        if (strlen(path) >= sizeof sa.sun_path)
                return diag_set(diag, -ENAMETOOLONG, path, 0, 0, "socket path too long");
        strcpy(sa.sun_path, path);
        if (mkdir(RCC_RUN_DIR, 0755) < 0 && errno != EEXIST)
                return diag_set(diag, negative_errno(), RCC_RUN_DIR, 0, 0, "cannot create: %m");
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return diag_set(diag, negative_errno(), path, 0, 0, "socket: %m");
        if (unlink(path) < 0 && errno != ENOENT)
                return diag_set(diag, negative_errno(), path, 0, 0, "cannot remove the old socket: %m");
        /* Bound under a umask that leaves it closed, then opened to mode: no moment with more. */
        mode_t old = umask(0177);
        int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
        umask(old);
        if (r < 0)
                return diag_set(diag, negative_errno(), path, 0, 0, "bind: %m");
        if (chmod(path, mode) < 0 || listen(fd, 64) < 0)
                return diag_set(diag, negative_errno(), path, 0, 0, "cannot listen: %m");
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static DenialList list_of(const SessionClient *c) {
        return (DenialList){.denials = c->denials, .n = c->n_denials, .more = c->more, .shared = c->shared};
}

static const Account *account_of(const Sessions *s, uid_t uid) {
        return s->policy ? policy_find_account_by_uid(s->policy, uid) : NULL;
}

/* The session's denials file, first written empty; a session whose file cannot be made still
 * runs (its summary at the end is unaffected), and the log says why. */
static void file_create(Sessions *s, SessionClient *c) {
        const Account *a = account_of(s, c->uid);
        DenialList l = list_of(c);
        int r;

        if (!a || c->pid <= 0)
                return;
        r = denial_file_create(c->pid, a->gid, a, &l);
        if (r < 0) {
                log_errno(
                        r, "cannot write the denials file of the session of uid %u (pid %d): %m", c->uid,
                        (int)c->pid);
                return;
        }
        c->file = true;
        c->written_ms = now_ms();
}

int sessions_flush(Sessions *s) {
        long long now = now_ms(), next = -1;

        for (size_t i = 0; i < s->n; i++) {
                SessionClient *c = &s->clients[i];
                const Account *a = account_of(s, c->uid);
                long long due = c->written_ms + DENIAL_FILE_INTERVAL_MS;

                if (!c->file || !c->dirty || !a)
                        continue;
                if (due > now) {
                        next = next < 0 || due - now < next ? due - now : next;
                        continue;
                }
                DenialList l = list_of(c);
                int r = denial_file_write(c->pid, a->gid, a, &l);
                if (r < 0)
                        log_errno(r, "cannot update the denials file of pid %d: %m", (int)c->pid);
                c->dirty = false;
                c->written_ms = now;
        }
        return (int)next;
}

int sessions_listen(Sessions *s, RccDiag *diag) {
        /* The policy stays: service_start() handed it over before the socket opens. */
        *s = (Sessions){.listen_fd = -EBADF, .policy = s->policy};
        denial_files_prune();
        return service_listen(RCC_FIREWALL_SESSION_SOCKET, 0666, &s->listen_fd, diag);
}

void sessions_close(Sessions *s) {
        /* The denials files stay: the sessions hold their network until a service is back and
         * rejoin it, and their containers have the directories bound (denial_files_prune()). */
        for (size_t i = 0; i < s->n; i++) {
                close(s->clients[i].fd);
                free(s->clients[i].denials);
        }
        free(s->clients);
        s->listen_fd = safe_close(s->listen_fd);
        *s = (Sessions){.listen_fd = -EBADF};
}

static bool uid_listed(uid_t uid, const uid_t *uids, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (uids[i] == uid)
                        return true;
        return false;
}

void sessions_accept(
        Sessions *s, const uid_t *uids, size_t n_uids, bool ready, const char *how, const char *why) {
        struct ucred cred = {};
        socklen_t len = sizeof cred;
        _cleanup_close_ int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (fd < 0)
                return;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return;
        if (!uid_listed(cred.uid, uids, n_uids)) {
                (void)fwsvc_send(
                        fd, "refuse", "uid %u is not a sandbox account of the policy applied", cred.uid);
                return;
        }
        if (!ready) {
                (void)fwsvc_send(fd, "refuse", "%s", why);
                return;
        }
        if (s->n >= SESSIONS_MAX) {
                (void)fwsvc_send(fd, "refuse", "rcc-firewalld serves %d sessions already", SESSIONS_MAX);
                log_warning(
                        "refused a session of uid %u: %d sessions registered already", cred.uid,
                        SESSIONS_MAX);
                return;
        }
        SessionClient *c = reallocarray(s->clients, s->n + 1, sizeof *c);
        if (!c)
                return;
        s->clients = c;
        c = &s->clients[s->n];
        *c = (SessionClient){.fd = fd, .uid = cred.uid, .pid = cred.pid};
        /* The file is there before the session hears "ok": rcc-shell then binds its directory. */
        file_create(s, c);
        if (fwsvc_send(fd, "ok", "%s", how) < 0) {
                if (c->file)
                        denial_file_remove(c->pid);
                return;
        }
        c->fd = TAKE_FD(fd);
        s->n++;
}

void sessions_drop(Sessions *s, size_t i) {
        if (s->clients[i].file)
                denial_file_remove(s->clients[i].pid);
        close(s->clients[i].fd);
        free(s->clients[i].denials);
        s->clients[i] = s->clients[--s->n];
}

void sessions_serve(Sessions *s, size_t i) {
        SessionClient *c = &s->clients[i];
        char buf[FWSVC_MSG_MAX], line[256];

        if (fwsvc_recv(c->fd, buf, sizeof buf, NULL) <= 0 || !fwsvc_is(buf, "summary")) {
                sessions_drop(s, i);
                return;
        }
        for (size_t k = 0; k < c->n_denials; k++)
                if (denial_format(&c->denials[k], line, sizeof line) == 0)
                        (void)fwsvc_send(c->fd, "denial", "%s", line);
        (void)fwsvc_send(c->fd, "shared", "%" PRIu64 " %" PRIu64, c->shared, c->more);
        (void)fwsvc_send(c->fd, "end", "%s", "");
}

static void note(SessionClient *c, const Denial *d, int64_t now) {
        c->dirty = true;
        for (size_t k = 0; k < c->n_denials; k++) {
                Denial *e = &c->denials[k];
                if (denial_same_destination(e, d)) {
                        e->count++;
                        e->last = now;
                        return;
                }
        }
        if (c->n_denials == SESSION_DENIALS_MAX ||
            (!c->denials && !(c->denials = calloc(SESSION_DENIALS_MAX, sizeof *c->denials)))) {
                c->more++;
                return;
        }
        Denial *e = &c->denials[c->n_denials++];
        *e = *d;
        e->uid = c->uid;
        e->count = 1;
        e->first = e->last = now;
}

void sessions_note_denial(Sessions *s, uid_t uid, const Denial *d, int64_t now) {
        size_t n = 0, last = 0;

        for (size_t i = 0; i < s->n; i++)
                if (s->clients[i].uid == uid) {
                        n++;
                        last = i;
                }
        if (n == 1)
                note(&s->clients[last], d, now);
        else
                for (size_t i = 0; i < s->n; i++)
                        if (s->clients[i].uid == uid) {
                                s->clients[i].shared++;
                                s->clients[i].dirty = true;
                        }
}

void sessions_tell(Sessions *s, const char *verb, const char *fmt, ...) {
        char text[FWSVC_MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        /* A session that cannot take the message now (its buffer full: a stuck rcc-shell) is not
         * waited for: its network is handled all the same, by the service. */
        for (size_t i = 0; i < s->n; i++)
                (void)fwsvc_send(s->clients[i].fd, verb, "%s", text);
}
