/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-firewalld: holds table inet rcc for as long as it runs (holder.h), watches nf_tables for any
 * change to it (watch.h), and answers the sessions (sessions.h) and rcc-firewall (control.h). One
 * thread, one poll loop: every event is handled to its end before the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"

#if HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "control.h"
#include "dnsgrant.h"
#include "firewall-service.h"
#include "log.h"
#include "service.h"

#define EXIT_USAGE 2
/* Resolved names live 30 minutes in their sets; every 5 minutes renews them long before. */
#define REFRESH_INTERVAL_S (5 * 60)
#define FIXED_FDS 7

static const char *arg_config = RCC_CONFIG_DIR;
static bool arg_no_owner;
static bool arg_background;

static void help(void) {
        printf("Usage: rcc-firewalld [OPTIONS]\n"
               "\n"
               "Hold the rcc firewall (table inet %s) for as long as this runs, and keep every sandbox\n"
               "session confined if it is lost. Run by rcc-firewall.service; see rcc-firewalld(8).\n"
               "\n"
               "Options:\n"
               "  -c, --config DIR   policy directory (default %s)\n"
               "      --no-owner     hold the table without the kernel's owner flag, as on a kernel\n"
               "                     before 5.12 (for testing the recovery from a lost table)\n"
               "      --background   detach once the table is held (where systemd does not run)\n"
               "  -h, --help         show this help\n"
               "      --version      show the version\n",
               RCC_TABLE, RCC_CONFIG_DIR);
}

static int parse_argv(int argc, char **argv) {
        enum { ARG_NO_OWNER = 0x100, ARG_BACKGROUND, ARG_VERSION };
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"no-owner", no_argument, NULL, ARG_NO_OWNER},
                {"background", no_argument, NULL, ARG_BACKGROUND},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        arg_config = optarg;
                        break;
                case ARG_NO_OWNER:
                        arg_no_owner = true;
                        break;
                case ARG_BACKGROUND:
                        arg_background = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("rcc-firewalld " RCC_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind != argc) {
                log_error("unexpected argument '%s'; see rcc-firewalld --help", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static void notify(const char *state) {
#if HAVE_LIBSYSTEMD
        (void)sd_notify(false, state);
#else
        (void)state;
#endif
}

/* --background: the parent waits until the child holds the table (a byte on the pipe) and exits
 * 0, or 1 when the child failed first. Returns in the child with *ret_ready_fd to write to. */
static int detach(int *ret_ready_fd) {
        int pipefd[2], status = 0;
        char byte;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return log_errno(-errno, "pipe: %m");
        pid = fork();
        if (pid < 0)
                return log_errno(-errno, "fork: %m");
        if (pid > 0) {
                close(pipefd[1]);
                ssize_t n = read(pipefd[0], &byte, 1);
                if (n == 1)
                        _exit(EXIT_SUCCESS);
                (void)waitpid(pid, &status, 0);
                _exit(EXIT_FAILURE);
        }
        close(pipefd[0]);
        if (setsid() < 0)
                return log_errno(-errno, "setsid: %m");
        *ret_ready_fd = pipefd[1];
        return 0;
}

/* After the table is held: stdin, stdout and stderr to /dev/null, messages to syslog. */
static void finish_detach(int ready_fd) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);

        log_to_syslog();
        if (null >= 0) {
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                close(null);
        }
        if (write(ready_fd, "1", 1) != 1)
                log_errno(-errno, "cannot tell the waiting parent that the table is held: %m");
        close(ready_fd);
}

static int open_signals(void) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        signal(SIGPIPE, SIG_IGN);
        return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int open_refresh_timer(void) {
        struct itimerspec every = {
                .it_value = {.tv_sec = REFRESH_INTERVAL_S},
                .it_interval = {.tv_sec = REFRESH_INTERVAL_S},
        };
        int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

        if (fd >= 0 && timerfd_settime(fd, 0, &every, NULL) < 0)
                fd = safe_close(fd);
        return fd;
}

/* A signal: 0 to go on, 1 to stop. */
static int handle_signal(Service *svc, int sfd) {
        struct signalfd_siginfo si;
        Reply log_only = {.fd = -EBADF};

        while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGHUP) {
                        notify("RELOADING=1");
                        (void)service_apply(svc, &log_only);
                        notify("READY=1");
                        continue;
                }
                service_stop(
                        svc, si.ssi_signo == SIGTERM ? "rcc-firewalld is stopping"
                                                     : "rcc-firewalld was interrupted");
                return 1;
        }
        return 0;
}

static void handle_watch(Service *svc) {
        char who[128], what[256];
        WatchEvent ev = WATCH_NOTHING;
        int r = watch_read(&svc->watch, &ev, who, sizeof who);

        if (r < 0) {
                log_errno(r, "reading nf_tables notifications failed: %m; checking the table");
                ev = WATCH_OVERFLOW;
        }
        if (ev == WATCH_NOTHING || !svc->holder.held)
                return;
        if (ev == WATCH_TOUCHED)
                snprintf(
                        what, sizeof what, "table inet %s was changed by another process%s%s", RCC_TABLE,
                        who[0] ? ", " : "", who);
        else
                snprintf(
                        what, sizeof what,
                        "nf_tables notifications were lost, so table inet %s may have changed", RCC_TABLE);
        service_incident(svc, what);
}

static void handle_sessions(Service *svc, struct pollfd *fds, size_t n_fds) {
        /* A session asks for its summary, or hangs up. From the end, since dropping one moves the
         * last into its place. The summary counts what was read before it is sent. */
        if (svc->denials.nl)
                (void)denials_read(&svc->denials);
        for (size_t i = n_fds; i-- > FIXED_FDS;)
                if (fds[i].revents && i - FIXED_FDS < svc->sessions.n)
                        sessions_serve(&svc->sessions, i - FIXED_FDS);
}

static void session_denial(void *userdata, uid_t uid, const Denial *d, int64_t now) {
        Service *svc = userdata;
        sessions_note_denial(&svc->sessions, uid, d, now);
}

static int run(Service *svc, DnsGrants *grants, int sfd, int tfd) {
        for (;;) {
                size_t n = FIXED_FDS + svc->sessions.n;
                _cleanup_free_ struct pollfd *fds = calloc(n, sizeof *fds);
                const char *why = NULL;

                if (!fds)
                        return log_errno(-ENOMEM, "out of memory");
                fds[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
                fds[1] = (struct pollfd){.fd = watch_fd(&svc->watch), .events = POLLIN};
                fds[2] = (struct pollfd){.fd = tfd, .events = POLLIN};
                fds[3] = (struct pollfd){.fd = svc->control_fd, .events = POLLIN};
                fds[4] = (struct pollfd){.fd = svc->sessions.listen_fd, .events = POLLIN};
                fds[5] = (struct pollfd){.fd = denials_fd(&svc->denials), .events = POLLIN};
                fds[6] = (struct pollfd){.fd = grants->fd, .events = POLLIN};
                for (size_t i = 0; i < svc->sessions.n; i++)
                        fds[FIXED_FDS + i] =
                                (struct pollfd){.fd = svc->sessions.clients[i].fd, .events = POLLIN};

                /* The sessions' denials files that changed, at most once a second each. */
                if (poll(fds, n, sessions_flush(&svc->sessions)) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_errno(-errno, "poll: %m");
                }
                /* The table first: a loss is handled before anything else is answered. */
                if (fds[1].revents)
                        handle_watch(svc);
                if (fds[0].revents && handle_signal(svc, sfd) > 0)
                        return 0;
                if (fds[2].revents) {
                        uint64_t ticks;
                        Reply log_only = {.fd = -EBADF};
                        if (read(tfd, &ticks, sizeof ticks) == (ssize_t)sizeof ticks && svc->holder.held)
                                (void)service_refresh(svc, &log_only);
                }
                if (fds[5].revents && denials_read(&svc->denials) < 0)
                        log_errno(
                                -errno, "reading refused packets from nflog group %u: %m", RCC_NFLOG_GROUP);
                if (fds[3].revents)
                        control_serve(svc);
                if (fds[6].revents)
                        dnsgrant_serve(grants, svc);
                handle_sessions(svc, fds, n);
                if (fds[4].revents) {
                        bool ready = service_ready(svc, &why);
                        sessions_accept(
                                &svc->sessions, svc->holder.uids, svc->holder.n_uids, ready, svc->holder.how,
                                why ? why : "");
                }
        }
}

static int serve(void) {
        char config_dir[PATH_MAX];
        Service svc = {.control_fd = -EBADF, .sessions = {.listen_fd = -EBADF}};
        DnsGrants grants = {.fd = -EBADF};
        _cleanup_close_ int sfd = -EBADF, tfd = -EBADF, ready_fd = -EBADF;
        RccDiag diag = {};
        int r;

        svc.holder.no_owner = arg_no_owner;
        if (geteuid() != 0)
                return log_errno(-EPERM, "rcc-firewalld must run as root (it holds the nftables table)");
        /* Absolute, so that rcc-firewall --config can be compared with it (control.c). */
        if (!realpath(arg_config, config_dir))
                return log_errno(-errno, "cannot resolve the policy directory %s: %m", arg_config);
        svc.config_dir = config_dir;
        if (mkdir(RCC_RUN_DIR, 0755) < 0 && errno != EEXIST)
                return log_errno(-errno, "cannot create %s: %m", RCC_RUN_DIR);
        if (arg_background && (r = detach(&ready_fd)) < 0)
                return r;
        if ((sfd = open_signals()) < 0 || (tfd = open_refresh_timer()) < 0)
                return log_errno(-errno, "cannot set up signals and timers: %m");
        if ((r = holder_open(&svc.holder, &diag)) < 0 ||
            (r = watch_open(&svc.watch, svc.holder.portid, &diag)) < 0)
                return log_diag(r, &diag);
        /* Refusals are recorded for rcc-firewall denials and the sessions' summaries; without them
         * the table still holds. */
        if ((r = denials_open(&svc.denials, &diag)) < 0) {
                log_diag(r, &diag);
                log_warning("refused packets are not recorded: rcc-firewall denials will say so");
                denials_close(&svc.denials);
                diag = (RccDiag){};
        } else {
                svc.denials.on_denial = session_denial;
                svc.denials.userdata = &svc;
        }
        /* Watching starts before the table is taken, so that no change after it goes unseen. */
        if ((r = service_start(&svc)) < 0)
                goto out;
        if ((r = sessions_listen(&svc.sessions, &diag)) < 0 || (r = control_listen(&svc, &diag)) < 0) {
                log_diag(r, &diag);
                goto out;
        }
        /* Without it rcc-dnsrelay's answers open nothing; the table holds all the same. */
        if ((r = dnsgrant_listen(&grants, &diag)) < 0) {
                log_diag(r, &diag);
                diag = (RccDiag){};
        }
        log_info(
                "holding table inet %s (%s); sessions register on %s", RCC_TABLE, svc.holder.how,
                RCC_FIREWALL_SESSION_SOCKET);
        notify("READY=1");
        if (ready_fd >= 0)
                finish_detach(TAKE_FD(ready_fd));
        r = run(&svc, &grants, sfd, tfd);
out:
        notify("STOPPING=1");
        sessions_close(&svc.sessions);
        safe_close(svc.control_fd);
        dnsgrant_close(&grants);
        (void)unlink(RCC_FIREWALL_CONTROL_SOCKET);
        (void)unlink(RCC_FIREWALL_SESSION_SOCKET);
        watch_close(&svc.watch);
        denials_close(&svc.denials);
        ruleset_free(svc.applied);
        policy_free(svc.policy);
        holder_close(&svc.holder);
        return r;
}

int main(int argc, char **argv) {
        int r;

        log_open("rcc-firewalld");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        return serve() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
