/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-shell: the login shell of the sandbox accounts. It runs as the account, unprivileged, and
 * turns each session into one rootless `podman run` whose flags come from the policy alone, then
 * stays with it until the container is gone.
 *
 * Nothing the caller controls chooses what runs: the policy directory and podman are fixed at
 * compile time, the environment is rebuilt from an allowlist, and the human behind the session is
 * taken from the record pam_rcc wrote for it, never from the client. session.c prepares the
 * session; here its errors become the one line the human reads and the exit status.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "paths.h"
#include "selinux-enter.h"
#include "session.h"
#include "summary.h"
#include "supervise.h"
#include "termfilter.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2

static void help(void) {
        printf("Usage: rcc-shell [-c COMMAND [ARG0 [ARGS...]]]\n"
               "\n"
               "The login shell of rcc sandbox accounts: runs the session in a confined rootless\n"
               "podman container that sees one granted project at /workspace.\n"
               "\n"
               "  -c COMMAND    run /bin/sh -c COMMAND ARG0 ARGS... in the container\n"
               "  -h, --help    show this help\n"
               "      --version show the version\n"
               "\n"
               "Without -c, the policy's container.command runs interactively. See rcc-shell(8).\n");
}

/* 1: run a session described by *ret; 0: done (help, version); <0: usage error. */
static int parse_argv(int argc, char **argv, Request *ret) {
        Request req = {};

        /* A login shell (argv[0] "-rcc-shell") with no arguments, or no arguments at all. */
        if (argc <= 1) {
                *ret = req;
                return 1;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                help();
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                puts("rcc-shell " RCC_VERSION);
                return 0;
        }
        if (strcmp(argv[1], "-c") != 0) {
                log_error(
                        "unknown argument '%s'; the only option is -c COMMAND (see rcc-shell --help)",
                        argv[1]);
                return -EINVAL;
        }
        if (argc < 3) {
                log_error("-c needs a COMMAND (see rcc-shell --help)");
                return -EINVAL;
        }

        req.command = argv[2];
        req.cmd_args = argv + 3;
        req.n_cmd_args = (size_t)(argc - 3);
        if (strcmp(req.command, RCC_SSHD_FORCED_COMMAND) == 0) {
                /* sshd's ForceCommand: the client's real request is in SSH_ORIGINAL_COMMAND, which
                 * sshd sets itself (or leaves unset for a login shell). */
                req.via_sshd = true;
                req.command = getenv("SSH_ORIGINAL_COMMAND");
                req.cmd_args = NULL;
                req.n_cmd_args = 0;
        }
        *ret = req;
        return 1;
}

/* The one conversion of an error into what the human reads (stderr) and the audit trail (syslog,
 * LOG_AUTHPRIV): who asked, for which account and project, and what to do. */
static int refuse(const Session *s, const RccDiag *diag) {
        char buf[DIAG_STRLEN];
        const char *project = s->project.root[0] ? s->project.root : s->requested[0] ? s->requested : "?";

        log_audit(
                LOG_WARNING, "refused session of account '%s' for '%s', project '%s': %s",
                s->account ? s->account->name : "?", s->record.invoker[0] ? s->record.invoker : "?", project,
                diag_format(diag, buf, sizeof buf));
        return EXIT_REFUSED;
}

static int run_session(const Request *req) {
        Session s = SESSION_NULL;
        RccDiag diag = {};
        int r;

        r = session_prepare(req, &s, &diag);
        if (r < 0) {
                r = refuse(&s, &diag);
                session_done(&s);
                return r;
        }

        /* syslog only: the human does not need a line on every session. */
        syslog(LOG_AUTHPRIV | LOG_INFO,
               "session of account '%s' for '%s' via %s: project '%s'%s%s, %s, limits by %s, container %s",
               s.account->name, s.record.invoker, session_via_to_string(s.record.via), s.project.root,
               s.project.subdir[0] ? " in " : "", s.project.subdir, s.tty ? "tty" : "no tty",
               limits_mechanism_to_string(s.probe.mechanism), s.name);

        /* On a terminal, the session's output reaches the human's through the filter (relay.h). */
        TermFilterOptions terminal = {
                .allow_clipboard = s.account->settings.terminal_clipboard,
                .allow_title = s.account->settings.terminal_title,
        };
        Supervision sup = {
                .argv = s.argv,
                .envp = s.env,
                .name = s.name,
                .tty = s.tty,
                .terminal = &terminal,
                .guard = &s.guard,
        };
        r = supervise_run(&sup);
        if (r < 0) {
                diag_set(
                        &diag, r, NULL, 0, 0, "cannot start %s (%s); run rcc-setup doctor", RCC_PODMAN,
                        strerror(-r));
                r = refuse(&s, &diag);
        } else {
                /* The container's terminal is the human's again: what the network refused. */
                NetGuardSummary summary;
                if (netguard_summary(&s.guard, &summary) == 0)
                        summary_print(stderr, s.account, &summary);
        }
        session_done(&s);
        return r;
}

/* Before anything else: the session's SELinux context (selinux-enter.h). */
static int enter_selinux_context(char **argv) {
        struct passwd *pw = getpwuid(getuid());
        RccDiag diag = {};
        char buf[DIAG_STRLEN];

        if (!pw) {
                log_error("uid %u has no account", (unsigned)getuid());
                return -ENOENT;
        }
        if (selinux_enter_session_context(pw->pw_name, argv, &diag) < 0) {
                log_audit(
                        LOG_WARNING, "refused session of account '%s': %s", pw->pw_name,
                        diag_format(&diag, buf, sizeof buf));
                return -EPERM;
        }
        return 0;
}

int main(int argc, char **argv) {
        Request req = {};
        int r;

        log_open("rcc-shell");
        r = parse_argv(argc, argv, &req);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        if (enter_selinux_context(argv) < 0)
                return EXIT_REFUSED;
        return run_session(&req);
}
