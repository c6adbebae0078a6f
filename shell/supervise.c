/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signals are passed on with `podman kill --signal`, not by signalling the podman process: rootless
 * podman 4.3 runs as two processes (the one we start re-executes itself inside the user namespace
 * and waits for it), and when it joins an existing pause process the outer one forwards nothing -
 * SIGHUP kills it outright, SIGQUIT makes it dump goroutines - leaving the container running
 * (checked with podman 4.3.1). `podman kill` reaches the container's init (--init), which passes the
 * signal to the command.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "netguard.h"
#include "podman-argv.h"
#include "relay.h"
#include "supervise.h"

#define HANGUP_GRACE_MS 5000
#define HELPER_TIMEOUT_MS 30000

static const int handled[] = {SIGHUP, SIGTERM, SIGINT, SIGQUIT};

static int pidfd_open_(pid_t pid) {
        return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_kill(int pidfd, int sig) {
        return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child, between fork and exec: only async-signal-safe calls. Restores what the parent
 * changed (blocked and ignored signals), closes every descriptor above 2 (the policy, syslog and
 * signalfd included), and execs the absolute path; _exit(127) if that fails. quiet: a helper's
 * stdin, stdout and stderr are /dev/null, but stderr is err_fd when that is open. relay: the
 * session's pseudo-terminal becomes its controlling terminal, stdin, stdout and stderr. */
_noreturn_ static void exec_child(
        char *const *argv, char *const *envp, bool quiet, int err_fd, const TermRelay *relay) {
        sigset_t none;

        sigemptyset(&none);
        for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                signal(handled[i], SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGWINCH, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (relay && relay_child(relay) < 0)
                _exit(127);
        if (quiet) {
                /* A helper (podman kill, podman rm): its output has nowhere useful to go, and after
                 * a hangup writing to the dead pipe would kill it before it did its work. */
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        dup2(null, STDOUT_FILENO);
                        dup2(err_fd >= 0 ? err_fd : null, STDERR_FILENO);
                }
        }
        if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
                for (int fd = 3; fd < 65536; fd++)
                        close(fd);
        execve(argv[0], argv, envp);
        _exit(127);
}

/* Reap pid: its exit status, or 128+signal (*ret_signaled set) if a signal ended it. */
static int wait_status(pid_t pid, bool *ret_signaled) {
        siginfo_t si = {};

        while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (ret_signaled)
                *ret_signaled = si.si_code != CLD_EXITED;
        if (si.si_code == CLD_EXITED)
                return si.si_status;
        return 128 + si.si_status;
}

int supervise_helper(char *const *argv, char *const *envp, char *err, size_t err_size) {
        _cleanup_close_ int rfd = -EBADF, wfd = -EBADF, pidfd = -EBADF;
        long long deadline = now_ms() + HELPER_TIMEOUT_MS;
        size_t len = 0;
        int pipefd[2];
        pid_t pid;

        if (err_size > 0)
                err[0] = '\0';
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        rfd = pipefd[0];
        wfd = pipefd[1];
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                exec_child(argv, envp, true, wfd, NULL);
        wfd = safe_close(wfd);
        pidfd = pidfd_open_(pid);

        /* Its stderr until it closes it (exits), or the deadline: then it is killed. */
        for (;;) {
                struct pollfd p = {.fd = rfd, .events = POLLIN};
                long long left = deadline - now_ms();
                char buf[512];
                ssize_t n;

                if (left <= 0 || poll(&p, 1, (int)left) == 0) {
                        if (pidfd >= 0)
                                pidfd_kill(pidfd, SIGKILL);
                        else
                                kill(pid, SIGKILL);
                        log_warning(
                                "'%s %s' did not finish within %d s", argv[0], argv[1],
                                HELPER_TIMEOUT_MS / 1000);
                        break;
                }
                n = read(rfd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                for (ssize_t i = 0; i < n && len + 1 < err_size; i++)
                        err[len++] = buf[i];
                if (err_size > 0)
                        err[len] = '\0';
        }
        /* One line for a message: the last newline goes. */
        while (len > 0 && err[len - 1] == '\n')
                err[--len] = '\0';
        return wait_status(pid, NULL);
}

/* Run a podman helper to completion for its effect alone, killed after HELPER_TIMEOUT_MS. */
static void run_helper(char *const *argv, char *const *envp) {
        (void)supervise_helper(argv, envp, NULL, 0);
}

static void signal_container(const Supervision *s, int sig) {
        _cleanup_(strv_freep) char **argv = NULL;

        if (podman_kill_argv_build(s->name, sig, &argv) >= 0)
                run_helper(argv, s->envp);
}

static void remove_container(const Supervision *s) {
        _cleanup_(strv_freep) char **argv = NULL;

        if (podman_rm_argv_build(s->name, &argv) >= 0)
                run_helper(argv, s->envp);
}

/* SIGKILL every descendant of pid (podman's re-executed self, before the container exists) and
 * then pid. Best effort: they are our own unreaped descendants, listed from /proc. */
static void kill_tree(pid_t pid, int pidfd) {
        char path[64];

        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        long child;
        while (f && fscanf(f, "%ld", &child) == 1)
                if (child > 1)
                        kill_tree((pid_t)child, -EBADF);
        if (pidfd >= 0)
                pidfd_kill(pidfd, SIGKILL);
        else
                kill(pid, SIGKILL);
}

/* One round of signals: pass them on (SIGINT and SIGQUIT only without a tty: on a tty they are
 * bytes podman passes through the raw terminal, and one arriving here is not the session's;
 * SIGWINCH, relaying, resizes the session's terminal, whose foreground podman is).
 * Returns the signal that ends the session (SIGHUP, SIGTERM), or 0. */
static int handle_signals(const Supervision *s, int sfd, TermRelay *relay) {
        struct signalfd_siginfo si;
        int ending = 0;

        while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                int sig = (int)si.ssi_signo;
                if (s->tty && (sig == SIGINT || sig == SIGQUIT))
                        continue;
                if (sig == SIGWINCH) {
                        relay_resize(relay);
                        continue;
                }
                signal_container(s, sig);
                if (sig == SIGHUP || sig == SIGTERM)
                        ending = sig;
        }
        return ending;
}

/* The nearer of the hangup grace deadline and the guard's, as a poll() timeout. */
static int poll_timeout(long long deadline, const NetGuard *guard) {
        int t = deadline < 0 ? -1 : (int)(deadline - now_ms() < 0 ? 0 : deadline - now_ms());
        int g = guard ? netguard_timeout_ms(guard) : -1;

        if (g >= 0 && (t < 0 || g < t))
                t = g;
        return t;
}

/* The client went away (fds[2], fds[3]): hang up the session, once. */
static int watch_client(const Supervision *s, struct pollfd fds[static 4], bool hung_up, int ending) {
        for (size_t i = 2; i < 4; i++) {
                if (fds[i].fd < 0 || !fds[i].revents)
                        continue;
                if (!(fds[i].revents & POLLNVAL) && !hung_up && !ending) {
                        signal_container(s, SIGHUP);
                        ending = SIGHUP;
                }
                fds[i].fd = -1; /* reported once; do not spin on it */
        }
        return ending;
}

/* podman started, with the human's terminal relayed if there is one to relay. Returns its pid,
 * its pidfd in *ret_pidfd, or a negative errno with nothing left running or changed. */
static pid_t start_podman(const Supervision *s, TermRelay *relay, int *ret_pidfd) {
        pid_t pid;
        int r;

        if (s->tty && s->terminal) {
                r = relay_open(relay, STDIN_FILENO, STDOUT_FILENO, s->terminal);
                if (r < 0) {
                        /* Not the human's own terminal instead: the filter is the point. */
                        log_error("cannot open a terminal for the session: %s", strerror(-r));
                        return r;
                }
        }
        pid = fork();
        if (pid < 0) {
                r = negative_errno();
                relay_close(relay);
                return r;
        }
        if (pid == 0)
                exec_child(s->argv, s->envp, false, -EBADF, relay->master >= 0 ? relay : NULL);
        *ret_pidfd = pidfd_open_(pid);
        if (*ret_pidfd < 0) {
                r = negative_errno();
                kill(pid, SIGKILL);
                (void)wait_status(pid, NULL);
                relay_close(relay);
                return r;
        }
        return pid;
}

/* The signals that end or resize the session, blocked and read from a signalfd (*ret_sfd); the
 * mask before in *old. */
static int take_signals(const Supervision *s, sigset_t *old, int *ret_sfd) {
        sigset_t mask;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                sigaddset(&mask, handled[i]);
        if (s->tty && s->terminal)
                sigaddset(&mask, SIGWINCH);
        if (sigprocmask(SIG_BLOCK, &mask, old) < 0)
                return negative_errno();
        *ret_sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (*ret_sfd < 0)
                return negative_errno();
        /* A dead client must not kill the supervisor before it has cleaned up. */
        signal(SIGPIPE, SIG_IGN);
        return 0;
}

int supervise_run(const Supervision *s) {
        _cleanup_close_ int sfd = -EBADF, pidfd = -EBADF;
        TermRelay relay = TERM_RELAY_NULL;
        sigset_t old;
        long long deadline = -1;
        bool killed = false, hung_up = false;
        pid_t pid;
        int r;

        r = take_signals(s, &old, &sfd);
        if (r < 0)
                return r;
        pid = start_podman(s, &relay, &pidfd);
        if (pid < 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                return pid;
        }

        /* fds[2], fds[3]: our stdout and stdin, non-tty sessions only, polled for nothing but the
         * errors poll always reports. When the client goes away sshd closes its ends: stdout then
         * reports POLLERR (pipe) or POLLHUP (socket). stdin is watched only when it is a socket: on
         * a pipe POLLHUP means the client sent EOF (ssh -n, cmd < file), not that it left. fds[4]:
         * rcc-firewalld (netguard.h). fds[5], fds[6]: the human's terminal and the session's, when
         * relaying (relay.h). */
        struct stat st_in = {};
        bool stdin_socket = fstat(STDIN_FILENO, &st_in) == 0 && S_ISSOCK(st_in.st_mode);
        struct pollfd fds[7] = {
                {.fd = pidfd, .events = POLLIN},
                {.fd = sfd, .events = POLLIN},
                {.fd = s->tty ? -1 : STDOUT_FILENO},
                {.fd = s->tty || !stdin_socket ? -1 : STDIN_FILENO},
                {.fd = -1, .events = POLLIN},
                {.fd = -1},
                {.fd = -1},
        };

        for (;;) {
                int timeout = poll_timeout(deadline, s->guard);
                int n, ending = 0;

                fds[4].fd = s->guard ? netguard_fd(s->guard) : -1;
                if (relay.master >= 0)
                        relay_poll_setup(&relay, &fds[5], &fds[6]);
                n = poll(fds, ELEMENTSOF(fds), timeout);
                if (n < 0 && errno != EINTR)
                        break; /* cannot supervise any more: wait for podman below */
                if (fds[0].revents)
                        break;
                if (s->guard && (fds[4].revents || (n == 0 && netguard_timeout_ms(s->guard) == 0)))
                        netguard_handle(s->guard);
                if (n == 0 && deadline >= 0 && now_ms() >= deadline) {
                        /* podman did not end within the grace period: the command ignores the
                         * signal, or podman is stuck. Kill podman; the container goes below. */
                        kill_tree(pid, pidfd);
                        killed = true;
                        deadline = -1;
                        continue;
                }
                if (fds[1].revents & POLLIN)
                        ending = handle_signals(s, sfd, &relay);
                ending = watch_client(s, fds, hung_up, ending);
                if (relay.master >= 0 && n > 0 && relay_poll_handle(&relay, &fds[5], &fds[6]) && !hung_up &&
                    !ending && !killed) {
                        /* The human's terminal hung up. */
                        signal_container(s, SIGHUP);
                        ending = SIGHUP;
                }
                if (ending && !hung_up && !killed) {
                        hung_up = true;
                        deadline = now_ms() + HANGUP_GRACE_MS;
                }
        }

        bool signaled = false;
        r = wait_status(pid, &signaled);
        /* The human's terminal theirs again before anything else. */
        relay_close(&relay);
        /* podman removes the container itself (--rm) when it ends normally. Killed, or ended by a
         * signal (a tty hangup reaches it directly), it may not have: make sure. */
        if (killed || hung_up || signaled)
                remove_container(s);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
