/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "firewall-service.h"
#include "log.h"
#include "macro.h"
#include "net-helper.h"
#include "netguard.h"

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line to the human, on the session's terminal, and to syslog. */
_printf_(2, 3) static void tell(const NetGuard *g, const char *fmt, ...) {
        char text[FWSVC_MSG_MAX + 64], line[sizeof text + 32];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        int n = snprintf(line, sizeof line, g->tty ? "\r\nrcc: %s\r\n" : "rcc: %s\n", text);
        if (n > 0)
                (void)!write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        syslog(LOG_WARNING, "%s", text);
}

static int helpers(const NetGuard *g, NetHelperAction action) {
        return net_helpers_signal(&g->uid, 1, action);
}

int netguard_join(NetGuard *g, uid_t uid, bool tty, char *why, size_t why_size) {
        char buf[FWSVC_MSG_MAX];
        const char *text = "";
        int fd, r;

        *g = (NetGuard){.fd = -EBADF, .uid = uid, .tty = tty, .state = GUARD_OK};
        why[0] = '\0';
        r = fwsvc_connect(RCC_FIREWALL_SESSION_SOCKET, &fd);
        if (r < 0) {
                snprintf(
                        why, why_size, "rcc-firewalld is not running (%s: %s)", RCC_FIREWALL_SESSION_SOCKET,
                        strerror(-r));
                return r;
        }
        r = fwsvc_recv(fd, buf, sizeof buf, &text);
        if (r > 0 && fwsvc_is(buf, "ok")) {
                g->fd = fd;
                return 0;
        }
        close(fd);
        if (r > 0 && fwsvc_is(buf, "refuse"))
                snprintf(why, why_size, "rcc-firewalld refused: %s", text);
        else
                snprintf(why, why_size, "rcc-firewalld did not answer (%s)", r < 0 ? strerror(-r) : "EOF");
        return r > 0 ? -EPERM : r < 0 ? r : -ECONNRESET;
}

void netguard_leave(NetGuard *g) {
        g->fd = safe_close(g->fd);
}

int netguard_fd(const NetGuard *g) {
        return g->fd;
}

int netguard_timeout_ms(const NetGuard *g) {
        if (g->state != GUARD_AWAY)
                return -1;
        long long left = g->next_try_ms - now_ms();
        return left < 0 ? 0 : (int)left;
}

static void cut(NetGuard *g, const char *why) {
        int n = helpers(g, NET_HELPER_CUT);

        g->fd = safe_close(g->fd);
        g->state = GUARD_CUT;
        tell(g,
             "%s; this session has no network any more (%d network process%s ended). Start a new "
             "session once 'rcc-firewall status' is ok.",
             why, n, n == 1 ? "" : "es");
}

/* The service went away: hold our network now, then try to rejoin every GUARD_RETRY_MS. */
static void away(NetGuard *g) {
        int n = helpers(g, NET_HELPER_HOLD);

        g->fd = safe_close(g->fd);
        g->state = GUARD_AWAY;
        g->away_since_ms = now_ms();
        g->next_try_ms = g->away_since_ms + GUARD_RETRY_MS;
        tell(g,
             "rcc-firewalld, which keeps this session's network confined, went away; the network is held "
             "(%d process%s stopped) until it is back, %d s at most",
             n, n == 1 ? "" : "es", FWSVC_REJOIN_MS / 1000);
}

static void retry(NetGuard *g) {
        char why[FWSVC_MSG_MAX];
        NetGuard again;

        /* A helper that started since (podman was still setting up) is held too. */
        (void)helpers(g, NET_HELPER_HOLD);
        if (netguard_join(&again, g->uid, g->tty, why, sizeof why) == 0) {
                g->fd = again.fd;
                g->state = GUARD_OK;
                (void)helpers(g, NET_HELPER_RESUME);
                tell(g, "rcc-firewalld is back and holds the firewall; the network goes on (held %lld ms)",
                     now_ms() - g->away_since_ms);
                return;
        }
        if (now_ms() - g->away_since_ms >= FWSVC_REJOIN_MS) {
                cut(g, "rcc-firewalld did not come back");
                return;
        }
        g->next_try_ms = now_ms() + GUARD_RETRY_MS;
}

static void message(NetGuard *g) {
        char buf[FWSVC_MSG_MAX];
        const char *text = "";
        int r = fwsvc_recv(g->fd, buf, sizeof buf, &text);

        if (r == -EAGAIN || r == -EINTR)
                return;
        if (r <= 0) {
                away(g);
                return;
        }
        if (fwsvc_is(buf, "hold")) {
                g->state = GUARD_HELD;
                tell(g, "%s", text);
        } else if (fwsvc_is(buf, "resume")) {
                g->state = GUARD_OK;
                tell(g, "%s; the network goes on", text);
        } else if (fwsvc_is(buf, "cut"))
                cut(g, text);
}

void netguard_handle(NetGuard *g) {
        switch (g->state) {
        case GUARD_OK:
        case GUARD_HELD:
                if (g->fd >= 0)
                        message(g);
                return;
        case GUARD_AWAY:
                if (now_ms() >= g->next_try_ms)
                        retry(g);
                return;
        case GUARD_CUT:
                return;
        }
}

int netguard_summary(NetGuard *g, NetGuardSummary *ret) {
        char buf[FWSVC_MSG_MAX];
        const char *text;
        struct pollfd pfd = {.fd = g->fd, .events = POLLIN};
        int r;

        *ret = (NetGuardSummary){};
        if (g->fd < 0)
                return -ENOTCONN;
        if ((r = fwsvc_send(g->fd, "summary", "%s", "")) < 0)
                return r;
        for (;;) {
                r = poll(&pfd, 1, SUMMARY_TIMEOUT_MS);
                if (r <= 0)
                        return r < 0 ? -errno : -ETIMEDOUT;
                r = fwsvc_recv(g->fd, buf, sizeof buf, &text);
                if (r <= 0)
                        return r < 0 ? r : -ECONNRESET;
                if (fwsvc_is(buf, "end"))
                        return 0;
                if (fwsvc_is(buf, "shared")) {
                        if (sscanf(text, "%" SCNu64 " %" SCNu64, &ret->shared, &ret->more) != 2)
                                return -EBADMSG;
                } else if (fwsvc_is(buf, "denial") && ret->n < ELEMENTSOF(ret->denials)) {
                        if (denial_parse_line(text, &ret->denials[ret->n]) < 0)
                                return -EBADMSG;
                        ret->n++;
                }
                /* hold, resume, cut: the session is over; nothing to tell the human now. */
        }
}
