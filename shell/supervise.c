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
#include "podman-argv.h"
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
 * signalfd included), and execs the absolute path; _exit(127) if that fails. */
_noreturn_ static void exec_child(char *const *argv, char *const *envp, bool quiet) {
        sigset_t none;

        sigemptyset(&none);
        for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                signal(handled[i], SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (quiet) {
                /* A helper (podman kill, podman rm): its output has nowhere useful to go, and after
                 * a hangup writing to the dead pipe would kill it before it did its work. */
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        dup2(null, STDOUT_FILENO);
                        dup2(null, STDERR_FILENO);
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

/* Run a podman helper to completion, killed if it takes longer than HELPER_TIMEOUT_MS. */
static void run_helper(char *const *argv, char *const *envp) {
        pid_t pid = fork();

        if (pid < 0)
                return;
        if (pid == 0)
                exec_child(argv, envp, true);

        _cleanup_close_ int pidfd = pidfd_open_(pid);
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        if (pidfd >= 0 && poll(&p, 1, HELPER_TIMEOUT_MS) == 0) {
                pidfd_kill(pidfd, SIGKILL);
                log_warning(
                        "'%s %s' did not finish within %d s", argv[0], argv[1], HELPER_TIMEOUT_MS / 1000);
        }
        (void)wait_status(pid, NULL);
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
 * bytes podman passes through the raw terminal, and one arriving here is not the session's).
 * Returns the signal that ends the session (SIGHUP, SIGTERM), or 0. */
static int handle_signals(const Supervision *s, int sfd) {
        struct signalfd_siginfo si;
        int ending = 0;

        while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                int sig = (int)si.ssi_signo;
                if (s->tty && (sig == SIGINT || sig == SIGQUIT))
                        continue;
                signal_container(s, sig);
                if (sig == SIGHUP || sig == SIGTERM)
                        ending = sig;
        }
        return ending;
}

int supervise_run(const Supervision *s) {
        _cleanup_close_ int sfd = -EBADF, pidfd = -EBADF;
        sigset_t mask, old;
        long long deadline = -1;
        bool killed = false, hung_up = false;
        pid_t pid;
        int r;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                sigaddset(&mask, handled[i]);
        if (sigprocmask(SIG_BLOCK, &mask, &old) < 0)
                return negative_errno();
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return negative_errno();
        /* A dead client must not kill the supervisor before it has cleaned up. */
        signal(SIGPIPE, SIG_IGN);

        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                exec_child(s->argv, s->envp, false);
        pidfd = pidfd_open_(pid);
        if (pidfd < 0) {
                r = negative_errno();
                kill(pid, SIGKILL);
                (void)wait_status(pid, NULL);
                return r;
        }

        /* fds[2], fds[3]: our stdout and stdin, non-tty sessions only, polled for nothing but the
         * errors poll always reports. When the client goes away sshd closes its ends: stdout then
         * reports POLLERR (pipe) or POLLHUP (socket). stdin is watched only when it is a socket: on
         * a pipe POLLHUP means the client sent EOF (ssh -n, cmd < file), not that it left. */
        struct stat st_in = {};
        bool stdin_socket = fstat(STDIN_FILENO, &st_in) == 0 && S_ISSOCK(st_in.st_mode);
        struct pollfd fds[4] = {
                {.fd = pidfd, .events = POLLIN},
                {.fd = sfd, .events = POLLIN},
                {.fd = s->tty ? -1 : STDOUT_FILENO},
                {.fd = s->tty || !stdin_socket ? -1 : STDIN_FILENO},
        };

        for (;;) {
                long long left = deadline < 0 ? -1 : deadline - now_ms();
                int n = poll(fds, ELEMENTSOF(fds), deadline < 0 ? -1 : left < 0 ? 0 : (int)left);
                int ending = 0;

                if (n < 0 && errno != EINTR)
                        break; /* cannot supervise any more: wait for podman below */
                if (fds[0].revents)
                        break;
                if (n == 0 && deadline >= 0) {
                        /* podman did not end within the grace period: the command ignores the
                         * signal, or podman is stuck. Kill podman; the container goes below. */
                        kill_tree(pid, pidfd);
                        killed = true;
                        deadline = -1;
                        continue;
                }
                if (fds[1].revents & POLLIN)
                        ending = handle_signals(s, sfd);
                for (size_t i = 2; i < ELEMENTSOF(fds); i++) {
                        if (fds[i].fd < 0 || !fds[i].revents)
                                continue;
                        if (!(fds[i].revents & POLLNVAL) && !hung_up && !ending) {
                                signal_container(s, SIGHUP);
                                ending = SIGHUP;
                        }
                        fds[i].fd = -1; /* reported once; do not spin on it */
                }
                if (ending && !hung_up && !killed) {
                        hung_up = true;
                        deadline = now_ms() + HANGUP_GRACE_MS;
                }
        }

        bool signaled = false;
        r = wait_status(pid, &signaled);
        /* podman removes the container itself (--rm) when it ends normally. Killed, or ended by a
         * signal (a tty hangup reaches it directly), it may not have: make sure. */
        if (killed || hung_up || signaled)
                remove_container(s);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
