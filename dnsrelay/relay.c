/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One thread, one epoll loop. A query is decided as it arrives (REFUSED or forwarded); a
 * forwarded one waits in a fixed table of RELAY_MAX_PENDING slots, each with a connected UDP
 * socket of its own towards the upstream, so that an answer is matched by the kernel (source
 * address and port) and by its id and question (dns_is_answer()), never by guesswork.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "log.h"
#include "macro.h"
#include "relay.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define TCP_MSG_MAX 65535
#define MAX_ADDRS 32
/* Refused names logged per account before the log says how many more were refused, per minute. */
#define DENY_LOG_PER_MINUTE 20

enum { TAG_UDP = 1, TAG_TCP_LISTEN, TAG_SIGNAL, TAG_PENDING, TAG_CONN };

typedef struct Conn {
        int fd;       /* -1: free */
        uint8_t *buf; /* 2 + TCP_MSG_MAX */
        size_t got;
        bool busy; /* a query of it is pending; the next is read when that is answered */
        uid_t uid;
        int64_t deadline;
} Conn;

typedef struct Pending {
        int fd; /* the socket towards the upstream; -1: free */
        uid_t uid;
        DnsQuery q;
        bool allowlisted; /* the name is an allowlisted host of the account: report its addresses */
        size_t upstream;  /* index of the upstream tried */
        int64_t deadline;
        uint8_t *msg; /* the query as received */
        size_t len;
        /* Where the answer goes: a UDP client (address, and the relay address it asked) or a
         * TCP connection. */
        Conn *conn;
        struct sockaddr_in client;
        struct in_addr local;
} Pending;

struct Relay {
        int epfd, udp_fd, tcp_fd;
        const RelayUpstream *upstreams;
        size_t n_upstreams;
        const Policy *policy;
        RelayAnswered answered;
        void *answered_userdata;
        Pending pending[RELAY_MAX_PENDING];
        Conn conns[RELAY_MAX_TCP];
        RelayStats stats;
        /* Denials logged this minute, by account slot (uid % size; a collision only merges
         * two accounts' log budgets). */
        unsigned deny_logged[64];
        int64_t deny_minute;
};

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ep_add(Relay *r, int fd, int tag, size_t index) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)tag << 32 | index};
        return epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int relay_new(int udp_fd, int tcp_fd, const RelayUpstream *upstreams, size_t n_upstreams, Relay **ret) {
        Relay *r;

        if (n_upstreams == 0)
                return -EDESTADDRREQ;
        r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        r->udp_fd = udp_fd;
        r->tcp_fd = tcp_fd;
        r->upstreams = upstreams;
        r->n_upstreams = n_upstreams;
        for (size_t i = 0; i < RELAY_MAX_PENDING; i++)
                r->pending[i].fd = -1;
        for (size_t i = 0; i < RELAY_MAX_TCP; i++)
                r->conns[i].fd = -1;
        r->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (r->epfd < 0 || ep_add(r, udp_fd, TAG_UDP, 0) < 0 || ep_add(r, tcp_fd, TAG_TCP_LISTEN, 0) < 0) {
                int e = -errno;
                relay_free(r);
                return e;
        }
        *ret = r;
        return 0;
}

static void conn_close(Conn *c) {
        if (c->fd < 0)
                return;
        close(c->fd); /* also leaves the epoll set */
        free(c->buf);
        *c = (Conn){.fd = -1};
}

/* A connection is read from only while none of its queries is pending (level-triggered epoll
 * would otherwise wake the loop for it again and again). */
static void conn_arm(Relay *r, Conn *c, bool on) {
        struct epoll_event ev = {
                .events = on ? EPOLLIN : 0, .data.u64 = (uint64_t)TAG_CONN << 32 | (size_t)(c - r->conns)};
        c->busy = !on;
        if (c->fd >= 0)
                epoll_ctl(r->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void pending_done(Relay *r, Pending *p) {
        if (p->fd >= 0)
                close(p->fd);
        free(p->msg);
        if (p->conn)
                conn_arm(r, p->conn, true);
        *p = (Pending){.fd = -1};
}

Relay *relay_free(Relay *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < RELAY_MAX_PENDING; i++)
                if (r->pending[i].fd >= 0)
                        pending_done(r, &r->pending[i]);
        for (size_t i = 0; i < RELAY_MAX_TCP; i++)
                conn_close(&r->conns[i]);
        if (r->epfd >= 0)
                close(r->epfd);
        free(r);
        return NULL;
}

void relay_set_policy(Relay *r, const Policy *p) {
        r->policy = p;
}

void relay_set_answered(Relay *r, RelayAnswered cb, void *userdata) {
        r->answered = cb;
        r->answered_userdata = userdata;
}

void relay_stats(const Relay *r, RelayStats *ret) {
        *ret = r->stats;
}

/* Send msg to a UDP client from the relay address it asked (the nat rule's reverse translation
 * then makes it come from the resolver the container asked), or to a TCP connection. */
static void reply(
        Relay *r, Conn *conn, const struct sockaddr_in *client, const struct in_addr *local,
        const uint8_t *msg, size_t len) {
        if (conn) {
                uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
                struct iovec iov[2] = {{hdr, 2}, {(void *)msg, len}};
                struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
                /* A client that does not read its answer loses its connection, never blocks the loop. */
                if (sendmsg(conn->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)(len + 2))
                        conn_close(conn);
                return;
        }
        union {
                char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
                struct cmsghdr align;
        } ctl = {};
        struct iovec iov = {(void *)msg, len};
        struct msghdr mh = {
                .msg_name = (void *)client,
                .msg_namelen = sizeof *client,
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = ctl.buf,
                .msg_controllen = sizeof ctl.buf,
        };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = IPPROTO_IP;
        cm->cmsg_type = IP_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
        struct in_pktinfo pi = {.ipi_spec_dst = *local};
        memcpy(CMSG_DATA(cm), &pi, sizeof pi);
        if (sendmsg(r->udp_fd, &mh, MSG_DONTWAIT) < 0)
                r->stats.dropped++;
}

static void reply_error(
        Relay *r, Conn *conn, const struct sockaddr_in *client, const struct in_addr *local,
        const uint8_t *msg, size_t len, uint8_t rcode) {
        _cleanup_free_ uint8_t *resp = NULL;
        size_t resp_len = 0;

        if (dns_build_error(msg, len, rcode, &resp, &resp_len) < 0) {
                r->stats.dropped++;
                if (conn)
                        conn_close(conn);
                return;
        }
        reply(r, conn, client, local, resp, resp_len);
}

static void log_denied(Relay *r, uid_t uid, const DnsQuery *q) {
        int64_t minute = now_ms() / 60000;
        unsigned *n = &r->deny_logged[uid % ELEMENTSOF(r->deny_logged)];

        if (minute != r->deny_minute) {
                memset(r->deny_logged, 0, sizeof r->deny_logged);
                r->deny_minute = minute;
        }
        if (++*n <= DENY_LOG_PER_MINUTE)
                log_msg(LOG_NOTICE, "uid %u: refused '%s' (type %u): name not allowlisted%s", (unsigned)uid,
                        q->name, q->qtype, *n == DENY_LOG_PER_MINUTE ? "; no more this minute" : "");
}

static int pending_send(Relay *r, Pending *p) {
        const RelayUpstream *u = &r->upstreams[p->upstream];
        socklen_t salen = u->family == AF_INET ? sizeof u->sa.in : sizeof u->sa.in6;

        if (p->fd >= 0) {
                epoll_ctl(r->epfd, EPOLL_CTL_DEL, p->fd, NULL);
                close(p->fd);
        }
        p->fd = socket(u->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (p->fd < 0)
                return -errno;
        if (connect(p->fd, (const struct sockaddr *)&u->sa, salen) < 0 || send(p->fd, p->msg, p->len, 0) < 0)
                return -errno;
        p->deadline = now_ms() + RELAY_TIMEOUT_MS;
        return ep_add(r, p->fd, TAG_PENDING, (size_t)(p - r->pending));
}

static size_t pending_of(const Relay *r, uid_t uid) {
        size_t n = 0;
        for (size_t i = 0; i < RELAY_MAX_PENDING; i++)
                n += r->pending[i].fd >= 0 && r->pending[i].uid == uid;
        return n;
}

/* A query of account uid: refuse it, or forward it. */
static void handle_query(
        Relay *r, uid_t uid, Conn *conn, const struct sockaddr_in *client, const struct in_addr *local,
        const uint8_t *msg, size_t len) {
        const Account *acct = r->policy ? policy_find_account_by_uid(r->policy, uid) : NULL;
        Pending *p = NULL;
        DnsQuery q;

        r->stats.queries++;
        if (dns_query_parse(msg, len, &q) < 0 || !acct) {
                /* Not a query, or not from a sandbox account (the nat rule sends only theirs). */
                r->stats.refused++;
                reply_error(r, conn, client, local, msg, len, DNS_RCODE_REFUSED);
                return;
        }
        bool allowlisted = settings_find_host(&acct->settings, q.name) != NULL;
        if (acct->settings.mode == NET_MODE_STRICT && !allowlisted) {
                /* Nothing of the name leaves the host: this is what closes DNS tunnelling. */
                r->stats.refused++;
                r->stats.denied_names++;
                log_denied(r, uid, &q);
                reply_error(r, conn, client, local, msg, len, DNS_RCODE_REFUSED);
                return;
        }
        for (size_t i = 0; i < RELAY_MAX_PENDING && !p; i++)
                if (r->pending[i].fd < 0)
                        p = &r->pending[i];
        if (!p || pending_of(r, uid) >= RELAY_MAX_PENDING_PER_ACCOUNT) {
                r->stats.dropped++;
                reply_error(r, conn, client, local, msg, len, DNS_RCODE_SERVFAIL);
                return;
        }
        *p = (Pending){.fd = -1, .uid = uid, .q = q, .allowlisted = allowlisted, .conn = conn, .len = len};
        p->msg = malloc(len);
        if (!p->msg) {
                pending_done(r, p);
                reply_error(r, conn, client, local, msg, len, DNS_RCODE_SERVFAIL);
                return;
        }
        memcpy(p->msg, msg, len);
        if (client)
                p->client = *client;
        if (local)
                p->local = *local;
        if (conn)
                conn_arm(r, conn, false);
        if (pending_send(r, p) < 0) {
                reply_error(r, conn, client, local, msg, len, DNS_RCODE_SERVFAIL);
                pending_done(r, p);
                return;
        }
        r->stats.forwarded++;
}

static void on_udp(Relay *r) {
        uint8_t buf[DNS_UDP_MAX * 4];
        union {
                char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
                struct cmsghdr align;
        } ctl;
        struct sockaddr_in client;
        struct iovec iov = {buf, sizeof buf};

        /* A bounded batch per wakeup, so that TCP and answers are served during a flood. */
        for (int batch = 0; batch < 64; batch++) {
                struct msghdr mh = {
                        .msg_name = &client,
                        .msg_namelen = sizeof client,
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof ctl.buf,
                };
                ssize_t n = recvmsg(r->udp_fd, &mh, MSG_DONTWAIT);
                if (n < 0)
                        return;
                struct in_addr local = {};
                bool have_local = false;
                for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
                                struct in_pktinfo pi;
                                memcpy(&pi, CMSG_DATA(cm), sizeof pi);
                                local = pi.ipi_addr;
                                have_local = true;
                        }
                uid_t uid;
                /* Only what arrived at a relay address of loopback is a sandbox's query. */
                if (!have_local || client.sin_family != AF_INET || (mh.msg_flags & MSG_TRUNC) ||
                    !rcc_dnsrelay_uid(&local, &uid)) {
                        r->stats.dropped++;
                        continue;
                }
                handle_query(r, uid, NULL, &client, &local, buf, (size_t)n);
        }
}

static void on_tcp_listen(Relay *r) {
        struct sockaddr_in local;
        socklen_t l = sizeof local;
        Conn *c = NULL;
        int fd = accept4(r->tcp_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        uid_t uid;

        if (fd < 0)
                return;
        for (size_t i = 0; i < RELAY_MAX_TCP && !c; i++)
                if (r->conns[i].fd < 0)
                        c = &r->conns[i];
        if (!c || getsockname(fd, (struct sockaddr *)&local, &l) < 0 || local.sin_family != AF_INET ||
            !rcc_dnsrelay_uid(&local.sin_addr, &uid)) {
                r->stats.dropped++;
                close(fd);
                return;
        }
        *c = (Conn){.fd = fd, .uid = uid, .deadline = now_ms() + RELAY_TCP_IDLE_MS};
        c->buf = malloc(2 + TCP_MSG_MAX);
        if (!c->buf || ep_add(r, fd, TAG_CONN, (size_t)(c - r->conns)) < 0)
                conn_close(c);
}

static void on_conn(Relay *r, Conn *c) {
        size_t want;
        ssize_t n;

        if (c->busy)
                return;
        want = c->got < 2 ? 2 : 2 + ((size_t)c->buf[0] << 8 | c->buf[1]);
        n = recv(c->fd, c->buf + c->got, want - c->got, MSG_DONTWAIT);
        if (n <= 0) {
                if (n == 0 || (errno != EAGAIN && errno != EINTR))
                        conn_close(c);
                return;
        }
        c->got += (size_t)n;
        c->deadline = now_ms() + RELAY_TCP_IDLE_MS;
        if (c->got < 2)
                return;
        want = 2 + ((size_t)c->buf[0] << 8 | c->buf[1]);
        if (want == 2) {
                conn_close(c);
                return;
        }
        if (c->got < want)
                return;
        c->got = 0;
        handle_query(r, c->uid, c, NULL, NULL, c->buf + 2, want - 2);
}

static void on_answer(Relay *r, Pending *p) {
        uint8_t buf[TCP_MSG_MAX];
        ssize_t n = recv(p->fd, buf, sizeof buf, MSG_DONTWAIT);

        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return;
                /* ICMP unreachable from this upstream: the next one, as on a timeout. */
                p->deadline = 0;
                return;
        }
        if (!dns_is_answer(buf, (size_t)n, &p->q))
                return; /* not ours: keep waiting until the deadline */
        if (p->allowlisted && r->answered && (p->q.qtype == 1 || p->q.qtype == 28)) {
                struct DnsAddr addrs[MAX_ADDRS];
                size_t k = 0;
                if (dns_answer_addresses(buf, (size_t)n, &p->q, addrs, MAX_ADDRS, &k) == 0 && k > 0)
                        r->answered(r->answered_userdata, p->uid, p->q.name, addrs, k);
        }
        reply(r, p->conn, &p->client, &p->local, buf, (size_t)n);
        pending_done(r, p);
}

/* Retry expired queries at the next upstream, or answer SERVFAIL; close idle connections.
 * Returns the milliseconds until the next deadline (-1: none). */
static int expire(Relay *r) {
        int64_t now = now_ms(), next = INT64_MAX;

        for (size_t i = 0; i < RELAY_MAX_PENDING; i++) {
                Pending *p = &r->pending[i];
                if (p->fd < 0)
                        continue;
                if (p->deadline <= now) {
                        if (++p->upstream < r->n_upstreams && pending_send(r, p) == 0)
                                goto next;
                        r->stats.timeouts++;
                        reply_error(r, p->conn, &p->client, &p->local, p->msg, p->len, DNS_RCODE_SERVFAIL);
                        pending_done(r, p);
                        continue;
                }
next:
                next = MIN(next, p->deadline);
        }
        for (size_t i = 0; i < RELAY_MAX_TCP; i++) {
                Conn *c = &r->conns[i];
                if (c->fd < 0 || c->busy)
                        continue;
                if (c->deadline <= now)
                        conn_close(c);
                else
                        next = MIN(next, c->deadline);
        }
        return next == INT64_MAX ? -1 : (int)MIN(next - now, 60000);
}

int relay_run(Relay *r, int sigfd, int (*reload)(Relay *r, void *userdata), void *userdata) {
        int k = ep_add(r, sigfd, TAG_SIGNAL, 0);
        if (k < 0)
                return k;
        for (;;) {
                struct epoll_event evs[32];
                int n = epoll_wait(r->epfd, evs, ELEMENTSOF(evs), expire(r));
                if (n < 0 && errno != EINTR)
                        return -errno;
                for (int i = 0; i < n; i++) {
                        int tag = (int)(evs[i].data.u64 >> 32);
                        size_t index = (size_t)(evs[i].data.u64 & 0xffffffff);
                        switch (tag) {
                        case TAG_UDP:
                                on_udp(r);
                                break;
                        case TAG_TCP_LISTEN:
                                on_tcp_listen(r);
                                break;
                        case TAG_PENDING:
                                if (r->pending[index].fd >= 0)
                                        on_answer(r, &r->pending[index]);
                                break;
                        case TAG_CONN:
                                if (r->conns[index].fd >= 0)
                                        on_conn(r, &r->conns[index]);
                                break;
                        case TAG_SIGNAL: {
                                struct signalfd_siginfo si;
                                if (read(sigfd, &si, sizeof si) != sizeof si)
                                        break;
                                if (si.ssi_signo == SIGHUP && reload)
                                        reload(r, userdata);
                                else if (si.ssi_signo != SIGHUP)
                                        return 0;
                                break;
                        }
                        default:
                                break;
                        }
                }
        }
}
