/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "environ.h"
#include "fileio.h"
#include "firewall-service.h"
#include "image-seal.h"
#include "invoker.h"
#include "log.h"
#include "paths.h"
#include "podman-argv.h"
#include "session.h"
#include "supervise.h"

/* podman, conmon, the network helper and catatonit run as the account too and count against
 * RLIMIT_NPROC; this many on top of the policy's pids keeps them from failing to start. */
#define NPROC_HEADROOM 64

extern char **environ;

/* Whether /run/user/UID can serve as podman's runtime directory: a directory of ours, 0700. */
static bool runtime_dir_ok(uid_t uid) {
        char path[64];
        struct stat st;

        snprintf(path, sizeof path, "/run/user/%u", (unsigned)uid);
        return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid &&
               (st.st_mode & 07777) == 0700;
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

/* The account, its entry in the user database, and the human behind the session. */
static int identify(const Request *req, Session *s, RccDiag *diag) {
        uid_t uid = getuid();
        int r;

        r = policy_load(RCC_CONFIG_DIR, &(PolicyOptions){}, &s->policy, diag);
        if (r < 0)
                return r;
        s->account = policy_find_account_by_uid(s->policy, uid);
        if (!s->account)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0, "uid %u is not an rcc sandbox account in %s",
                        (unsigned)uid, RCC_CONFIG_DIR);
        r = user_lookup(NULL, uid, &s->user);
        if (r < 0 || s->user.home[0] != '/')
                return diag_set(
                        diag, r < 0 ? r : -ENOENT, NULL, 0, 0,
                        "the account has no home directory in the user database; run rcc-setup doctor");

        r = invoker_identify(s->account->name, uid, req->via_sshd, environ, &s->record, diag);
        if (r < 0)
                return r;
        if (!settings_find_user(&s->account->settings, s->record.invoker))
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "'%s' may not use the account '%s'; an admin grants it under users.%s in %s",
                        s->record.invoker, s->account->name, s->record.invoker, s->account->file);
        return 0;
}

/* Which project the human asked for: under sudo, the working directory pam_rcc found and checked;
 * an ssh client names one in RCC_PROJECT (the only variable sshd accepts) or gets their first
 * plain grant. */
static int requested_project(Session *s, RccDiag *diag) {
        const Settings *set = &s->account->settings;
        const SessionRecord *inv = &s->record;
        const char *p = inv->via == SESSION_VIA_SUDO ? inv->project : getenv(RCC_PROJECT_ENV);

        if (p && p[0]) {
                if (strlen(p) >= sizeof s->requested)
                        return diag_set(diag, -ENAMETOOLONG, NULL, 0, 0, "the project path is too long");
                memcpy(s->requested, p, strlen(p) + 1);
                return 0;
        }
        if (inv->via == SESSION_VIA_SUDO)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "the session record names no project; cd into a granted project");
        return project_default(set, inv->invoker, s->requested, sizeof s->requested, diag);
}

/* The project, checked against the human's grants again (pam_rcc did under sudo) and opened by
 * descriptor (lib/project.c): what the session gets is that directory, whatever happens to its path
 * later. Then its read-only carve-outs and the directories pinned above them, beneath it. */
static int open_project(Session *s, RccDiag *diag) {
        const Settings *set = &s->account->settings;
        UserEntry human;
        int r;

        r = requested_project(s, diag);
        if (r < 0)
                return r;
        r = project_resolve(set, s->record.invoker, s->requested, &s->project, diag);
        if (r < 0)
                return r;
        /* A human without a local account owns no directory: only root's may lie above. */
        r = project_open(
                &s->project, user_lookup(s->record.invoker, 0, &human) == 0 ? human.uid : (uid_t)-1,
                &s->project_fd, diag);
        if (r < 0)
                return r;

        /* Carve-outs that do not exist yet, made so that they are protected too (placeholder.h). */
        r = placeholders_make(
                s->project_fd, s->project.root, set->readonly, set->n_readonly, &s->placeholders, diag);
        if (r < 0)
                return r;
        s->present = calloc(set->n_readonly + 1, sizeof *s->present);
        s->present_ids = calloc(set->n_readonly + 1, sizeof *s->present_ids);
        if (!s->present || !s->present_ids)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        r = readonly_check_ids(
                s->project_fd, s->project.root, set->readonly, set->n_readonly, READONLY_LOOKUP_AUTO,
                s->present, s->present_ids, &s->n_present, diag);
        if (r < 0)
                return r;
        /* The directories above the carve-outs, pinned so that none can be moved away with its
         * read-only carve-out in it (readonly.h). */
        r = readonly_ancestors(s->present, s->n_present, &s->pinned, &s->n_pinned);
        if (r == -ENOMEM)
                return diag_set(diag, r, NULL, 0, 0, "out of memory");
        if (r < 0)
                return diag_set(
                        diag, r, NULL, 0, 0,
                        "a read-only path in the policy cannot be mounted; an admin must fix files.readonly");
        s->pinned_ids = calloc(s->n_pinned + 1, sizeof *s->pinned_ids);
        if (!s->pinned_ids)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        return readonly_check_pinned(
                s->project_fd, s->project.root, (const char *const *)s->pinned, s->n_pinned,
                READONLY_LOOKUP_AUTO, s->pinned_ids, diag);
}

/* The command in the container: the policy's, or /bin/sh -c CMD ARG0 ARGS... */
static int session_command(const Request *req, Session *s, RccDiag *diag) {
        const Settings *set = &s->account->settings;
        size_t n = req->command ? 3 + req->n_cmd_args : set->n_command;

        if (!req->command && set->n_command == 0)
                return diag_set(
                        diag, -EINVAL, NULL, 0, 0,
                        "the policy names no container.command for an interactive session; run a "
                        "command with ssh HOST COMMAND, or ask an admin to set one");
        s->command = calloc(n + 1, sizeof *s->command);
        if (!s->command)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        if (!req->command)
                for (size_t i = 0; i < n; i++)
                        s->command[i] = set->command[i];
        else {
                s->command[0] = "/bin/sh";
                s->command[1] = "-c";
                s->command[2] = req->command;
                for (size_t i = 0; i < req->n_cmd_args; i++)
                        s->command[3 + i] = req->cmd_args[i];
        }
        s->n_command = n;
        return 0;
}

/* The policy's image, as rcc-setup sealed it when it imported it: podman runs it by that id, and
 * rcc-stage checks that nothing of it changed in the account's storage since (lib/image-seal.h). */
static int read_seal(Session *s, RccDiag *diag) {
        _cleanup_free_ ImageSeal *seal = calloc(1, sizeof *seal);
        char path[PATH_MAX];
        size_t len = 0;
        int r;

        if (!seal)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        snprintf(path, sizeof path, RCC_STORAGE_DIR "/%u/" IMAGE_SEAL_FILE, (unsigned)getuid());
        r = file_read_trusted(path, IMAGE_SEAL_MAX_SIZE, false, "image seal", &s->seal_text, &len, diag);
        if (r == -ENOENT)
                return diag_set(
                        diag, r, NULL, 0, 0,
                        "no image is sealed for the account '%s'; an admin runs rcc-setup image import "
                        "(or build)",
                        s->account->name);
        if (r < 0 || (r = image_seal_parse(s->seal_text, len, path, seal, diag)) < 0)
                return r;
        if (strcmp(seal->name, s->account->settings.image) != 0)
                return diag_set(
                        diag, -ESTALE, NULL, 0, 0,
                        "the policy names the image '%s', but the account's sealed image is '%s'; an admin "
                        "runs rcc-setup image import (or build)",
                        s->account->settings.image, seal->name);
        memcpy(s->image_id, seal->id, sizeof s->image_id);
        return 0;
}

/* rcc-ACCOUNT-RANDOM: unique, and nothing of the host (no pid) for the session to read in it. */
static int container_name(Session *s, RccDiag *diag) {
        uint64_t rnd;

        if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
                return diag_set(
                        diag, negative_errno(), NULL, 0, 0, "cannot name the container: getrandom: %m");
        snprintf(s->name, sizeof s->name, "rcc-%s-%016" PRIx64, s->account->name, rnd);
        return 0;
}

/* The account's storage is its own file system of container.disk bytes (setup/host/storage.h): what the
 * session writes on the host is bounded by it only while it is mounted. Not mounted (the machine
 * rebooted without systemd, an admin unmounted it), podman would write to the host's. */
static int check_storage(RccDiag *diag) {
        char dir[PATH_MAX];
        struct stat st, top;

        snprintf(dir, sizeof dir, RCC_STORAGE_DIR "/%u", (unsigned)getuid());
        if (stat(RCC_STORAGE_DIR, &top) < 0 || lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0)
                return diag_set(
                        diag, -ENOENT, NULL, 0, 0,
                        "the account's storage %s is missing; an admin runs rcc-setup install", dir);
        if (st.st_dev == top.st_dev)
                return diag_set(
                        diag, -ENOENT, NULL, 0, 0,
                        "the account's storage %s is not mounted, so nothing bounds what the session "
                        "writes; an admin runs rcc-setup install (see rcc-setup doctor)",
                        dir);
        return 0;
}

/* The image checked against its seal, and the project bound where podman mounts it from, both by
 * rcc-stage in podman's namespace (shell/stage/main.c says why): a mount point of the session's own
 * in the account's stage directory, locked while the session lives so that a later session's
 * rcc-stage knows it is in use, and bound once rcc-stage has checked the project is the directory
 * opened here. */
static int stage_project(Session *s, RccDiag *diag) {
        _cleanup_(strv_freep) char **argv = NULL;
        char err[512];
        int r;

        if ((size_t)snprintf(
                    s->stage, sizeof s->stage, RCC_STORAGE_DIR "/%u/stage/%s", (unsigned)getuid(),
                    s->name) >= sizeof s->stage)
                return diag_set(diag, -ENAMETOOLONG, NULL, 0, 0, "the account's name is too long");
        if (mkdir(s->stage, 0700) < 0)
                return diag_set(
                        diag, negative_errno(), NULL, 0, 0,
                        "cannot create '%s': %m; an admin runs rcc-setup install (or rcc-setup doctor)",
                        s->stage);
        s->stage_fd = open(s->stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s->stage_fd < 0 || flock(s->stage_fd, LOCK_EX | LOCK_NB) < 0)
                return diag_set(diag, negative_errno(), NULL, 0, 0, "cannot lock '%s': %m", s->stage);

        char graph[PATH_MAX];
        snprintf(graph, sizeof graph, RCC_STORAGE_DIR "/%u/graph", (unsigned)getuid());
        StageSpec spec = {
                .mountpoint = s->stage,
                .project = s->project.root,
                .dev = s->project.dev,
                .ino = s->project.ino,
                .graph = graph,
                .seal = s->seal_text,
        };
        r = podman_stage_argv_build(&spec, &argv);
        if (r < 0)
                return diag_set(diag, r, NULL, 0, 0, "cannot build the staging command line");
        r = supervise_helper(argv, s->env, err, sizeof err);
        if (r != 0)
                return diag_set(
                        diag, r < 0 ? r : -EPERM, NULL, 0, 0, "%s",
                        err[0] ? err : "podman unshare rcc-stage failed; run rcc-setup doctor");
        s->staged = true;
        return 0;
}

/* Where cgroup limits do not hold, bound the account with rlimits and say so. RLIMIT_NPROC set
 * here covers podman's helpers as well; the container gets its own (lower) --ulimit values. */
static int apply_rlimits(Session *s, RccDiag *diag) {
        const Settings *set = &s->account->settings;

        if (s->probe.mechanism != LIMITS_RLIMIT)
                return 0;
        if (set->pids) {
                rlim_t n = (rlim_t)set->pids + NPROC_HEADROOM;
                struct rlimit cur, rl = {.rlim_cur = n, .rlim_max = n};

                /* Never raise what we were given: an unprivileged process could not anyway. */
                if (getrlimit(RLIMIT_NPROC, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && cur.rlim_max < n)
                        rl = (struct rlimit){.rlim_cur = cur.rlim_max, .rlim_max = cur.rlim_max};
                if (setrlimit(RLIMIT_NPROC, &rl) < 0)
                        return diag_set(
                                diag, negative_errno(), NULL, 0, 0,
                                "cannot set the process limit (%m); run rcc-setup doctor");
        }
        char procs[32] = "unlimited", data[32] = "unlimited";
        if (set->pids)
                snprintf(procs, sizeof procs, "%" PRIu32, set->pids);
        if (set->memory_bytes)
                snprintf(data, sizeof data, "%" PRIu64, set->memory_bytes);
        fprintf(stderr,
                "rcc-shell: cgroup limits are not enforceable here (%s); bounded by rlimits instead: %s "
                "processes, %s bytes of data per process\n",
                s->probe.why, procs, data);
        return 0;
}

static int build_command_line(Session *s, RccDiag *diag) {
        const Settings *set = &s->account->settings;
        int r;

        SessionSpec spec = {
                .name = s->name,
                .home = s->user.home,
                .home_source = s->home.dir[0] ? s->home.dir : NULL,
                .uid = s->user.uid,
                .gid = s->user.gid,
                .image = s->image_id,
                .project_source = s->stage,
                .project_dev = s->project.dev,
                .project_ino = s->project.ino,
                .project_subdir = s->project.subdir,
                .readonly = s->present,
                .readonly_ids = s->present_ids,
                .n_readonly = s->n_present,
                .pinned = (const char *const *)s->pinned,
                .pinned_ids = s->pinned_ids,
                .n_pinned = s->n_pinned,
                .landlock_abi = s->landlock_abi,
                .tty = s->tty,
                .term = env_sane_term(environ),
                .command = s->command,
                .n_command = s->n_command,
                .limits = s->probe.mechanism,
                .memory_bytes = set->memory_bytes,
                .tmp_bytes = settings_tmp_bytes(set),
                .cpus_milli = set->cpus_milli,
                .pids = set->pids,
                .network = s->network,
                .denials_dir = s->denials_dir[0] ? s->denials_dir : NULL,
        };
        r = podman_argv_build(&spec, &s->argv);
        if (r < 0)
                return diag_set(
                        diag, r, NULL, 0, 0,
                        "cannot build the container's command line (%s); run rcc-setup doctor",
                        strerror(-r));
        return 0;
}

/* The directory rcc-firewalld made for this session's denials before it answered "ok", named by
 * our pid (lib/paths.h): bound read-only into the container if it is there and root's. Without it
 * (a service that could not write it, and logged why) the session runs all the same, without the
 * file: nothing is printed into the agent's terminal for it. */
static void find_denials_dir(Session *s) {
        struct stat st;

        snprintf(s->denials_dir, sizeof s->denials_dir, RCC_DENIALS_DIR "/%d", (int)getpid());
        if (lstat(s->denials_dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0)
                s->denials_dir[0] = '\0';
}

/* rcc-firewalld must hold the firewall before the container exists, and stays with the session
 * (netguard.h). pam_rcc checked it already; this is the check that lasts. */
static int join_firewall(Session *s, RccDiag *diag) {
        char why[FWSVC_MSG_MAX];
        int r = netguard_join(&s->guard, getuid(), s->tty, why, sizeof why);

        if (r < 0)
                return diag_set(
                        diag, r, NULL, 0, 0,
                        "%s, so nothing would keep the session's network confined; an admin runs: systemctl "
                        "restart rcc-firewall",
                        why);
        find_denials_dir(s);
        return 0;
}

int session_prepare(const Request *req, Session *s, RccDiag *diag) {
        int r;

        if ((r = identify(req, s, diag)) < 0 || (r = open_project(s, diag)) < 0 ||
            (r = session_command(req, s, diag)) < 0 || (r = read_seal(s, diag)) < 0 ||
            (r = container_name(s, diag)) < 0)
                return r;
        /* The rootless network rcc-setup install chose for this system (root's record). */
        r = podman_network_load(RCC_PODMAN_NETWORK_CONF, &s->network, diag);
        if (r < 0)
                return r;
        s->landlock_abi = landlock_abi();
        if (s->landlock_abi < 0)
                return diag_set(
                        diag, s->landlock_abi, NULL, 0, 0,
                        "cannot ask the kernel for its Landlock ABI (%s); run rcc-setup doctor",
                        strerror(-s->landlock_abi));
        limits_probe(getuid(), "", &s->probe);
        s->tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        if ((r = join_firewall(s, diag)) < 0)
                return r;

        EnvSpec env_spec = {
                .home = s->user.home,
                .user = s->account->name,
                .uid = getuid(),
                .runtime_dir_ok = runtime_dir_ok(getuid()),
                .tty = s->tty,
                .caller_env = environ,
        };
        r = session_env_build(&env_spec, &s->env);
        if (r < 0)
                return diag_set(
                        diag, r, NULL, 0, 0, "cannot build the session's environment (%s)", strerror(-r));
        if ((r = apply_rlimits(s, diag)) < 0 || (r = check_storage(diag)) < 0 ||
            (r = home_prepare(
                     &s->home, getuid(), s->account->settings.home, s->record.invoker, s->project.root,
                     diag)) < 0 ||
            (r = stage_project(s, diag)) < 0)
                return r;
        return build_command_line(s, diag);
}

void session_done(Session *s) {
        bool unstaged = !s->staged;

        home_finish(&s->home);
        netguard_leave(&s->guard);
        if (s->project_fd >= 0)
                placeholders_remove(s->project_fd, &s->placeholders);

        if (s->staged) {
                _cleanup_(strv_freep) char **argv = NULL;
                char err[512] = "";

                unstaged = podman_unstage_argv_build(s->stage, &argv) >= 0 &&
                           supervise_helper(argv, s->env, err, sizeof err) == 0;
                /* Left mounted in podman's namespace (and its directory here): the next session's
                 * rcc-stage finds it unlocked and removes both. */
                if (!unstaged)
                        log_warning(
                                "cannot unstage the project at %s (%s); the next session will", s->stage,
                                err[0] ? err : "podman unshare failed");
        }
        if (s->stage_fd >= 0 && unstaged)
                (void)rmdir(s->stage);
        safe_close(s->stage_fd);
        safe_close(s->project_fd);
        strv_free(s->argv);
        strv_free(s->env);
        strv_free(s->pinned);
        free(s->pinned_ids);
        free(s->present);
        free(s->present_ids);
        free(s->command);
        free(s->seal_text);
        policy_free(s->policy);
        *s = SESSION_NULL;
}
