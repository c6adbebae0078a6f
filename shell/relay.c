/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "relay.h"

/* How long the end of a session waits for output still in the pseudo-terminal. */
#define DRAIN_MS 200

/* All of it, or false when the human's terminal is gone. Blocking: a terminal that does not
 * take output holds the session's output back, as it would without rcc. */
static bool write_all(int fd, const void *p, size_t n) {
        const uint8_t *b = p;

        while (n > 0) {
                ssize_t k = write(fd, b, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return false;
                b += k;
                n -= (size_t)k;
        }
        return true;
}

int relay_open(TermRelay *r, int in_fd, int out_fd, const TermFilterOptions *opt) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        struct termios raw;
        struct winsize ws;

        *r = TERM_RELAY_NULL;
        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return negative_errno();
        if (grantpt(master) < 0 || unlockpt(master) < 0 ||
            ptsname_r(master, r->slave_path, sizeof r->slave_path) != 0)
                return negative_errno();
        /* Held open for the session's life: the master then never reports a hangup while podman
         * is starting, and what podman wrote last can still be read after it exits. */
        slave = open(r->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return negative_errno();
        if (tcgetattr(in_fd, &r->saved) < 0)
                return negative_errno();
        /* The session's terminal starts as the human's (podman makes it raw when it attaches). */
        (void)tcsetattr(slave, TCSANOW, &r->saved);
        if (ioctl(in_fd, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(master, TIOCSWINSZ, &ws);
        if (fcntl(master, F_SETFL, O_NONBLOCK) < 0)
                return negative_errno();

        raw = r->saved;
        cfmakeraw(&raw);
        if (tcsetattr(in_fd, TCSADRAIN, &raw) < 0)
                return negative_errno();
        r->raw = true;
        r->in_fd = in_fd;
        r->out_fd = out_fd;
        r->master = TAKE_FD(master);
        r->slave = TAKE_FD(slave);
        termfilter_init(&r->filter, opt);
        return 0;
}

int relay_child(const TermRelay *r) {
        int fd;

        if (setsid() < 0)
                return -1;
        fd = open(r->slave_path, O_RDWR);
        if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
                return -1;
        if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
                return -1;
        if (fd > STDERR_FILENO)
                close(fd);
        return 0;
}

void relay_poll_setup(const TermRelay *r, struct pollfd *human, struct pollfd *master) {
        /* Input waits while the session does not take what came before it. */
        *human = (struct pollfd){.fd = r->gone || r->in_len > 0 ? -1 : r->in_fd, .events = POLLIN};
        *master =
                (struct pollfd){.fd = r->master, .events = (short)(POLLIN | (r->in_len > 0 ? POLLOUT : 0))};
}

/* What the session wrote, filtered, to the human. Returns false if nothing was there (or the
 * human's terminal is gone). */
static bool relay_output(TermRelay *r) {
        uint8_t buf[RELAY_CHUNK], out[TERMFILTER_OUT_SIZE(RELAY_CHUNK)];
        ssize_t n;

        do
                n = read(r->master, buf, sizeof buf);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
                return false;
        size_t k = termfilter_feed(&r->filter, buf, (size_t)n, out);
        if (!r->gone && !write_all(r->out_fd, out, k))
                r->gone = true;
        return !r->gone;
}

static void relay_input(TermRelay *r) {
        ssize_t n;

        if (r->in_len == 0) {
                do
                        n = read(r->in_fd, r->in, sizeof r->in);
                while (n < 0 && errno == EINTR);
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0) {
                        /* A terminal in raw mode reads 0 or EIO only when it hung up. */
                        r->gone = true;
                        return;
                }
                r->in_len = (size_t)n;
        }
        n = write(r->master, r->in, r->in_len);
        if (n > 0) {
                memmove(r->in, r->in + n, r->in_len - (size_t)n);
                r->in_len -= (size_t)n;
        }
}

bool relay_poll_handle(TermRelay *r, const struct pollfd *human, const struct pollfd *master) {
        if (master->revents & POLLIN)
                (void)relay_output(r);
        if ((human->revents & (POLLIN | POLLHUP | POLLERR)) || (master->revents & POLLOUT))
                relay_input(r);
        return r->gone;
}

void relay_resize(TermRelay *r) {
        struct winsize ws;

        if (r->master >= 0 && ioctl(r->in_fd, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(r->master, TIOCSWINSZ, &ws);
}

void relay_close(TermRelay *r) {
        uint8_t reset[TERMFILTER_RESET_MAX];

        if (r->master >= 0) {
                /* What podman wrote before it exited is in the pseudo-terminal: all of it, up to
                 * a short wait for a writer that is still there. */
                struct pollfd p = {.fd = r->master, .events = POLLIN};
                while (!r->gone && poll(&p, 1, DRAIN_MS) > 0 && (p.revents & POLLIN) && relay_output(r))
                        ;
                size_t k = termfilter_reset(&r->filter, reset);
                if (!r->gone)
                        (void)write_all(r->out_fd, reset, k);
        }
        if (r->raw && tcsetattr(r->in_fd, TCSADRAIN, &r->saved) < 0 && errno != EIO && errno != ENOTTY)
                log_warning("cannot restore the terminal's settings: %s", strerror(errno));
        r->raw = false;
        r->master = safe_close(r->master);
        r->slave = safe_close(r->slave);
}
