/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-shell: the login shell of the sandbox accounts. It runs as the account, unprivileged, and
 * turns each session into one rootless `podman run` whose flags come from the policy alone, then
 * stays with it until the container is gone.
 *
 * Nothing the caller controls chooses what runs: the policy directory and podman are fixed at
 * compile time, the environment is rebuilt from an allowlist, and the human behind the session is
 * taken from the record pam_rcc wrote for it, never from the client.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/landlock.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "environ.h"
#include "invoker.h"
#include "log.h"
#include "paths.h"
#include "podman-argv.h"
#include "policy.h"
#include "project.h"
#include "readonly.h"
#include "session-limits.h"
#include "supervise.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2

/* podman, conmon, slirp4netns and catatonit run as the account too and count against
 * RLIMIT_NPROC; this many on top of the policy's pids keeps them from failing to start. */
#define NPROC_HEADROOM 64

extern char **environ;

typedef struct Request {
        bool via_sshd;         /* started by sshd's ForceCommand */
        const char *command;   /* -c CMD, or NULL: the policy's interactive command */
        char *const *cmd_args; /* ARG0 ARGS... after -c CMD */
        size_t n_cmd_args;
} Request;

/* What the audit records name; filled in as it becomes known. */
typedef struct Context {
        const char *account;
        const char *invoker;
        const char *project;
} Context;

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

static int log_oom(void) {
        log_error("out of memory");
        return EXIT_REFUSED;
}

/* One line for the human saying what to do, and the same in syslog (LOG_AUTHPRIV) with who asked. */
static int refuse(const Context *c, const char *what) {
        log_audit(
                LOG_WARNING, "refused session of account '%s' for '%s', project '%s': %s",
                c->account ? c->account : "?", c->invoker ? c->invoker : "?", c->project ? c->project : "?",
                what);
        return EXIT_REFUSED;
}

static int refuse_diag(const Context *c, const RccDiag *diag) {
        char buf[sizeof diag->file + sizeof diag->msg + 32];

        return refuse(c, diag_format(diag, buf, sizeof buf));
}

/* Whether /run/user/UID can serve as podman's runtime directory: a directory of ours, 0700. */
static bool runtime_dir_ok(uid_t uid) {
        char path[64];
        struct stat st;

        snprintf(path, sizeof path, "/run/user/%u", (unsigned)uid);
        return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid &&
               (st.st_mode & 07777) == 0700;
}

/* Where cgroup limits do not hold, bound the account with rlimits and say so. RLIMIT_NPROC set
 * here covers podman's helpers as well; the container gets its own (lower) --ulimit values. */
static int apply_rlimits(const Settings *s, const LimitsProbe *probe) {
        if (probe->mechanism != LIMITS_RLIMIT)
                return 0;
        if (s->pids) {
                rlim_t n = (rlim_t)s->pids + NPROC_HEADROOM;
                struct rlimit cur, rl = {.rlim_cur = n, .rlim_max = n};

                /* Never raise what we were given: an unprivileged process could not anyway. */
                if (getrlimit(RLIMIT_NPROC, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && cur.rlim_max < n)
                        rl = (struct rlimit){.rlim_cur = cur.rlim_max, .rlim_max = cur.rlim_max};
                if (setrlimit(RLIMIT_NPROC, &rl) < 0)
                        return negative_errno();
        }
        char procs[32] = "unlimited", data[32] = "unlimited";
        if (s->pids)
                snprintf(procs, sizeof procs, "%" PRIu32, s->pids);
        if (s->memory_bytes)
                snprintf(data, sizeof data, "%" PRIu64, s->memory_bytes);
        fprintf(stderr,
                "rcc-shell: cgroup limits are not enforceable here (%s); bounded by rlimits instead: %s "
                "processes, %s bytes of data per process\n",
                probe->why, procs, data);
        return 0;
}

/* The kernel's Landlock ABI, asked here on the host, where nothing of the container's (its seccomp
 * profile, say) can hide it: rcc-landlock refuses to run the session with less. 0: the kernel has
 * no Landlock (not built, or not enabled at boot), which rcc-setup doctor reports. */
static int landlock_abi(void) {
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

        if (abi >= 0)
                return (int)abi;
        return errno == ENOSYS || errno == EOPNOTSUPP ? 0 : negative_errno();
}

/* The command in the container: the policy's, or /bin/sh -c CMD ARG0 ARGS... */
static const char **session_command(const Settings *s, const Request *req, size_t *ret_n) {
        const char **cmd;

        if (!req->command) {
                cmd = calloc(s->n_command + 1, sizeof *cmd);
                if (!cmd)
                        return NULL;
                for (size_t i = 0; i < s->n_command; i++)
                        cmd[i] = s->command[i];
                *ret_n = s->n_command;
                return cmd;
        }
        cmd = calloc(3 + req->n_cmd_args, sizeof *cmd);
        if (!cmd)
                return NULL;
        cmd[0] = "/bin/sh";
        cmd[1] = "-c";
        cmd[2] = req->command;
        for (size_t i = 0; i < req->n_cmd_args; i++)
                cmd[3 + i] = req->cmd_args[i];
        *ret_n = 3 + req->n_cmd_args;
        return cmd;
}

static void container_name(const char *account, char *buf, size_t size) {
        uint32_t rnd = 0;

        if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t)sizeof rnd)
                rnd = (uint32_t)getpid() ^ (uint32_t)time(NULL);
        snprintf(buf, size, "rcc-%s-%d-%08" PRIx32, account, (int)getpid(), rnd);
}

/* Which project the human asked for: under sudo, the working directory pam_rcc found and checked;
 * an ssh client names one in RCC_PROJECT (the only variable sshd accepts) or gets their first
 * plain grant. Either way it is checked against the human's grants again by the caller. */
static int requested_project(
        const Settings *s, const SessionRecord *inv, char *buf, size_t size, RccDiag *diag) {
        const char *p = inv->via == SESSION_VIA_SUDO ? inv->project : getenv(RCC_PROJECT_ENV);

        if (p && p[0]) {
                if (strlen(p) >= size)
                        return diag_set(diag, -ENAMETOOLONG, NULL, 0, 0, "the project path is too long");
                memcpy(buf, p, strlen(p) + 1);
                return 0;
        }
        if (inv->via == SESSION_VIA_SUDO)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "the session record names no project; cd into a granted project");
        return project_default(s, inv->invoker, buf, size, diag);
}

static int run_session(const Request *req) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(strv_freep) char **argv = NULL, **env = NULL, **pinned = NULL;
        _cleanup_free_ const char **command = NULL, **present = NULL;
        _cleanup_free_ ReadonlyId *present_ids = NULL, *pinned_ids = NULL;
        char name[128], requested[PATH_MAX];
        Context ctx = {};
        RccDiag diag = {};
        SessionRecord inv;
        Project project;
        LimitsProbe probe;
        size_t n_command = 0, n_present = 0, n_pinned = 0;
        uid_t uid = getuid();
        int r;

        if (policy_load(RCC_CONFIG_DIR, &(PolicyOptions){0}, &p, &diag) < 0) {
                char buf[sizeof diag.file + sizeof diag.msg + 32];
                return refuse(&ctx, diag_format(&diag, buf, sizeof buf));
        }
        const Account *a = policy_find_account_by_uid(p, uid);
        if (!a) {
                char what[1024];
                snprintf(
                        what, sizeof what, "uid %u is not an rcc sandbox account in %s", (unsigned)uid,
                        RCC_CONFIG_DIR);
                return refuse(&ctx, what);
        }
        const Settings *s = &a->settings;
        ctx.account = a->name;
        errno = 0;
        struct passwd *pw = getpwuid(uid);
        if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/')
                return refuse(
                        &ctx,
                        "the account has no home directory in the user database; run rcc-setup doctor");

        if (invoker_identify(a->name, uid, req->via_sshd, environ, &inv, &diag) < 0)
                return refuse_diag(&ctx, &diag);
        ctx.invoker = inv.invoker;
        if (!settings_find_user(s, inv.invoker)) {
                char what[1024];
                snprintf(
                        what, sizeof what,
                        "'%s' may not use the account '%s'; an admin grants it under users.%s in %s",
                        inv.invoker, a->name, inv.invoker, a->file);
                return refuse(&ctx, what);
        }

        if (requested_project(s, &inv, requested, sizeof requested, &diag) < 0)
                return refuse_diag(&ctx, &diag);
        ctx.project = requested;
        if (project_resolve(s, inv.invoker, requested, &project, &diag) < 0)
                return refuse_diag(&ctx, &diag);
        ctx.project = project.root;

        present = calloc(s->n_readonly + 1, sizeof *present);
        present_ids = calloc(s->n_readonly + 1, sizeof *present_ids);
        if (!present || !present_ids)
                return log_oom();
        if (readonly_check_ids(
                    project.root, s->readonly, s->n_readonly, READONLY_LOOKUP_AUTO, present, present_ids,
                    &n_present, &diag) < 0)
                return refuse_diag(&ctx, &diag);
        /* The directories above the carve-outs, pinned so that none can be moved away with its
         * read-only carve-out in it (readonly.h). */
        r = readonly_ancestors(present, n_present, &pinned, &n_pinned);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return refuse(
                        &ctx, "a read-only path in the policy cannot be mounted; an admin must fix "
                              "files.readonly");
        pinned_ids = calloc(n_pinned + 1, sizeof *pinned_ids);
        if (!pinned_ids)
                return log_oom();
        if (readonly_check_pinned(
                    project.root, (const char *const *)pinned, n_pinned, READONLY_LOOKUP_AUTO, pinned_ids,
                    &diag) < 0)
                return refuse_diag(&ctx, &diag);
        int abi = landlock_abi();
        if (abi < 0) {
                char what[256];
                snprintf(
                        what, sizeof what,
                        "cannot ask the kernel for its Landlock ABI (%s); run rcc-setup doctor",
                        strerror(-abi));
                return refuse(&ctx, what);
        }

        if (!req->command && s->n_command == 0)
                return refuse(
                        &ctx, "the policy names no container.command for an interactive session; "
                              "run a command with ssh HOST COMMAND, or ask an admin to set one");
        command = session_command(s, req, &n_command);
        if (!command)
                return log_oom();

        limits_probe(uid, "", &probe);
        bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        container_name(a->name, name, sizeof name);
        SessionSpec spec = {
                .name = name,
                .home = pw->pw_dir,
                .image = s->image,
                .project_root = project.root,
                .project_subdir = project.subdir,
                .readonly = present,
                .readonly_ids = present_ids,
                .n_readonly = n_present,
                .pinned = (const char *const *)pinned,
                .pinned_ids = pinned_ids,
                .n_pinned = n_pinned,
                .landlock_abi = abi,
                .tty = tty,
                .term = env_sane_term(environ),
                .command = command,
                .n_command = n_command,
                .limits = probe.mechanism,
                .memory_bytes = s->memory_bytes,
                .cpus_milli = s->cpus_milli,
                .pids = s->pids,
        };
        EnvSpec env_spec = {
                .home = pw->pw_dir,
                .user = a->name,
                .uid = uid,
                .runtime_dir_ok = runtime_dir_ok(uid),
                .tty = tty,
                .caller_env = environ,
        };
        if ((r = podman_argv_build(&spec, &argv)) < 0 || (r = session_env_build(&env_spec, &env)) < 0) {
                char what[1024];
                snprintf(
                        what, sizeof what,
                        "cannot build the container's command line (%s); run rcc-setup doctor",
                        strerror(-r));
                return refuse(&ctx, what);
        }
        if ((r = apply_rlimits(s, &probe)) < 0) {
                char what[1024];
                snprintf(
                        what, sizeof what, "cannot set the process limit (%s); run rcc-setup doctor",
                        strerror(-r));
                return refuse(&ctx, what);
        }

        /* syslog only: the human does not need a line on every session. */
        syslog(LOG_AUTHPRIV | LOG_INFO,
               "session of account '%s' for '%s' via %s: project '%s'%s%s, %s, limits by %s, container %s",
               a->name, inv.invoker, session_via_to_string(inv.via), project.root,
               project.subdir[0] ? " in " : "", project.subdir, tty ? "tty" : "no tty",
               limits_mechanism_to_string(probe.mechanism), name);

        Supervision sup = {.argv = argv, .envp = env, .name = name, .tty = tty};
        r = supervise_run(&sup);
        if (r < 0) {
                char what[1024];
                snprintf(
                        what, sizeof what, "cannot start %s (%s); run rcc-setup doctor", RCC_PODMAN,
                        strerror(-r));
                return refuse(&ctx, what);
        }
        return r;
}

int main(int argc, char **argv) {
        Request req = {};
        int r;

        log_open("rcc-shell");
        r = parse_argv(argc, argv, &req);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        return run_session(&req);
}
