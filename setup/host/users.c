/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sandbox accounts as users of the host: the user itself (useradd, usermod), its subordinate
 * id range, lingering, the cron and at deny lists, and its processes. Each change is recorded in
 * the manifest before it is made; programs run by argument vector through run_argv().
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "context.h"
#include "files.h"
#include "log.h"
#include "manifest.h"
#include "paths.h"
#include "run.h"
#include "users.h"

#define SUBID_FIRST 100000u
#define SUBID_COUNT 65536u

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

int ensure_account_user(Setup *s, const char *name) {
        _cleanup_free_ char *home = NULL;
        struct passwd *pw;
        int r;

        if (asprintf(&home, RCC_HOME_DIR "/%s", name) < 0)
                return log_errno(-ENOMEM, "out of memory");
        errno = 0;
        pw = getpwnam(name);
        if (pw) {
                if (strcmp(pw->pw_shell, RCC_SHELL_PATH) != 0)
                        return log_errno(
                                -EEXIST,
                                "user '%s' exists and is not an rcc sandbox account (its shell is '%s', not "
                                "'%s'); choose another name",
                                name, pw->pw_shell, RCC_SHELL_PATH);
        } else {
                const char *argv[] = {
                        USERADD_PATH,   "--system",
                        "--user-group", "--create-home",
                        "--home-dir",   home,
                        "--shell",      RCC_SHELL_PATH,
                        "--comment",    "rcc sandbox for an AI agent",
                        name,           NULL,
                };
                r = manifest_add(s->manifest, "user", name, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record user '%s': %s", name, strerror(-r));
                r = run_argv(argv, NULL);
                if (r != 0)
                        return log_errno(r < 0 ? r : -EIO, "useradd '%s' failed (%d)", name, r);
                pw = getpwnam(name);
                if (!pw)
                        return log_errno(-ENOENT, "user '%s' is missing after useradd", name);
        }
        /* "*": no password matches, yet the account is not "locked" ('!'), which sshd would refuse
         * even for public keys when UsePAM is off. */
        const char *argv_pw[] = {USERMOD_PATH, "-p", "*", name, NULL};
        r = run_argv(argv_pw, NULL);
        if (r != 0)
                return log_errno(r < 0 ? r : -EIO, "usermod -p '*' '%s' failed (%d)", name, r);
        if (chown(pw->pw_dir, pw->pw_uid, pw->pw_gid) < 0 || chmod(pw->pw_dir, 0700) < 0)
                return log_errno(-errno, "cannot set owner and mode of '%s': %m", pw->pw_dir);
        return 0;
}

typedef struct SubidRange {
        uint64_t start, count;
} SubidRange;

/* Ranges in a subuid/subgid file; *ret_has: whether name (or its uid) has one. */
static int read_subids(
        const char *path, const char *name, uid_t uid, SubidRange **ret, size_t *ret_n, bool *ret_has) {
        _cleanup_free_ char *text = NULL;
        SubidRange *ranges = NULL;
        size_t n = 0;
        char uidstr[32];
        int r;

        *ret_has = false;
        snprintf(uidstr, sizeof uidstr, "%u", (unsigned)uid);
        r = read_file(path, 16u * 1024 * 1024, &text, NULL);
        if (r < 0 && r != -ENOENT)
                return log_errno(r, "cannot read '%s': %s", path, strerror(-r));
        for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                uint64_t start, count;
                SubidRange *nr;

                if (!c2 || sscanf(c1 + 1, "%" SCNu64, &start) != 1 ||
                    sscanf(c2 + 1, "%" SCNu64, &count) != 1)
                        continue;
                *c1 = '\0';
                if (strcmp(line, name) == 0 || strcmp(line, uidstr) == 0)
                        *ret_has = true;
                nr = reallocarray(ranges, n + 1, sizeof *ranges);
                if (!nr) {
                        free(ranges);
                        return log_errno(-ENOMEM, "out of memory");
                }
                ranges = nr;
                ranges[n++] = (SubidRange){start, count};
        }
        *ret = ranges;
        *ret_n = n;
        return 0;
}

static bool range_free(const SubidRange *r, size_t n, uint64_t start) {
        for (size_t i = 0; i < n; i++)
                if (start < r[i].start + r[i].count && r[i].start < start + SUBID_COUNT)
                        return false;
        return true;
}

int ensure_subids(Setup *s, const char *name) {
        _cleanup_free_ SubidRange *u = NULL, *g = NULL;
        size_t nu = 0, ng = 0;
        bool has_u, has_g;
        struct passwd *pw = getpwnam(name);
        char range[64], start_s[32], count_s[32];
        uint64_t start;
        int r;

        if (!pw)
                return log_errno(-ENOENT, "user '%s' not found", name);
        r = read_subids("/etc/subuid", name, pw->pw_uid, &u, &nu, &has_u);
        if (r < 0)
                return r;
        r = read_subids("/etc/subgid", name, pw->pw_uid, &g, &ng, &has_g);
        if (r < 0)
                return r;
        if (has_u && has_g)
                return 0;
        /* The first 65536-aligned range at or above 100000 that no line of either file touches. */
        for (start = SUBID_FIRST; start < UINT32_MAX - SUBID_COUNT; start += SUBID_COUNT)
                if (range_free(u, nu, start) && range_free(g, ng, start))
                        break;
        if (start >= UINT32_MAX - SUBID_COUNT)
                return log_errno(
                        -ENOSPC, "no free subordinate id range left in /etc/subuid and /etc/subgid");
        snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, start, start + SUBID_COUNT - 1);
        snprintf(start_s, sizeof start_s, "%" PRIu64, start);
        snprintf(count_s, sizeof count_s, "%u", SUBID_COUNT);
        r = manifest_add(s->manifest, "subid", name, start_s, count_s, NULL);
        if (r < 0)
                return log_errno(r, "cannot record the subid range: %s", strerror(-r));
        const char *argv[7];
        size_t k = 0;
        argv[k++] = USERMOD_PATH;
        if (!has_u) {
                argv[k++] = "--add-subuids";
                argv[k++] = range;
        }
        if (!has_g) {
                argv[k++] = "--add-subgids";
                argv[k++] = range;
        }
        argv[k++] = name;
        argv[k] = NULL;
        r = run_argv(argv, NULL);
        if (r != 0)
                return log_errno(r < 0 ? r : -EIO, "usermod --add-subuids '%s' failed (%d)", name, r);
        return 1;
}

int ensure_linger(Setup *s, const char *name) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (!s->systemd)
                return 0;
        if (asprintf(&path, "/var/lib/systemd/linger/%s", name) < 0)
                return log_errno(-ENOMEM, "out of memory");
        if (access(path, F_OK) == 0)
                return 0;
        r = manifest_add(s->manifest, "linger", name, NULL);
        if (r < 0)
                return log_errno(r, "cannot record lingering: %s", strerror(-r));
        const char *argv[] = {LOGINCTL_PATH, "enable-linger", name, NULL};
        r = run_argv(argv, NULL);
        if (r != 0)
                return log_errno(r < 0 ? r : -EIO, "loginctl enable-linger '%s' failed (%d)", name, r);
        return 1;
}

int deny_cron_at(Setup *s, const char *name) {
        int r;

        r = ensure_line(s, "/etc/cron.deny", name, name);
        if (r < 0)
                return r;
        return ensure_line(s, "/etc/at.deny", name, name);
}

/* Calls fn(pid, comm, userdata) for every process whose real uid is uid; returns their number. */
static int foreach_user_process(
        uid_t uid, void (*fn)(pid_t pid, const char *comm, void *userdata), void *userdata) {
        _cleanup_(closedirp) DIR *d = opendir("/proc");
        int n = 0;

        if (!d)
                return -errno;
        for (struct dirent *de; (de = readdir(d));) {
                char path[300], comm[64] = "?";
                struct stat st;
                FILE *f;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof path, "/proc/%s", de->d_name);
                if (stat(path, &st) < 0 || st.st_uid != uid)
                        continue;
                snprintf(path, sizeof path, "/proc/%s/comm", de->d_name);
                f = fopen(path, "re");
                if (f) {
                        if (fgets(comm, sizeof comm, f))
                                comm[strcspn(comm, "\n")] = '\0';
                        fclose(f);
                }
                n++;
                fn((pid_t)atoi(de->d_name), comm, userdata);
        }
        return n;
}

typedef struct ProcessList {
        char *buf;
        size_t size, len;
        int n, sessions;
} ProcessList;

static void list_one(pid_t pid, const char *comm, void *userdata) {
        ProcessList *l = userdata;

        l->n++;
        if (strcmp(comm, "rcc-shell") == 0)
                l->sessions++;
        if (l->len < l->size)
                l->len += (size_t)snprintf(
                        l->buf + l->len, l->size - l->len, "%s%d (%s)", l->n > 1 ? ", " : "", (int)pid,
                        comm);
}

int user_processes(uid_t uid, char *buf, size_t size, int *ret_sessions) {
        ProcessList l = {.buf = buf, .size = size};
        int r;

        buf[0] = '\0';
        r = foreach_user_process(uid, list_one, &l);
        if (ret_sessions)
                *ret_sessions = l.sessions;
        return r;
}

static void kill_one(pid_t pid, const char *comm, void *userdata) {
        int sig = *(int *)userdata;
        _cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, pid, 0);

        (void)comm;
        /* Through a pidfd: if the process is gone and its pid reused meanwhile, nothing is hit. */
        if (fd >= 0)
                (void)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

int stop_user_processes(uid_t uid) {
        int sig = SIGTERM;

        if (foreach_user_process(uid, kill_one, &sig) <= 0)
                return 0;
        for (int i = 0; i < 20; i++) {
                char list[16];
                if (user_processes(uid, list, sizeof list, NULL) <= 0)
                        return 0;
                usleep(100 * 1000);
        }
        sig = SIGKILL;
        foreach_user_process(uid, kill_one, &sig);
        usleep(200 * 1000);
        char list[16];
        return user_processes(uid, list, sizeof list, NULL) > 0 ? -EBUSY : 0;
}

int ensure_account(Setup *s, const char *name, const char *kind, const char *yaml) {
        _cleanup_free_ char *file = NULL, *keys = NULL;
        int r;

        if (!manifest_find(s->manifest, "account", name, NULL)) {
                r = manifest_add(s->manifest, "account", name, kind, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record account '%s': %s", name, strerror(-r));
        }
        r = ensure_dir(s, RCC_STATE_DIR, 0755, NULL);
        if (r < 0)
                return r;
        r = ensure_dir(s, RCC_HOME_DIR, 0755, NULL);
        if (r < 0)
                return r;
        r = ensure_account_user(s, name);
        if (r < 0)
                return r;
        if (asprintf(&file, "%s/accounts.d/%s.yaml", s->config_dir, name) < 0 ||
            asprintf(&keys, "%s/%s", s->keys_dir, name) < 0)
                return log_errno(-ENOMEM, "out of memory");
        r = ensure_file(s, file, yaml, 0644, name);
        if (r < 0)
                return r;
        r = ensure_file(s, keys, "", 0644, name);
        if (r < 0)
                return r;
        struct passwd *pw = getpwnam(name);
        step("account", "%s (uid %u, home %s, shell %s); policy %s", name, pw ? (unsigned)pw->pw_uid : 0u,
             pw ? pw->pw_dir : "?", RCC_SHELL_PATH, file);

        r = ensure_line(s, "/etc/shells", RCC_SHELL_PATH, NULL);
        if (r < 0)
                return r;
        r = ensure_subids(s, name);
        if (r < 0)
                return r;
        step("subid", "%s: subordinate uid and gid range present in /etc/subuid and /etc/subgid", name);
        r = ensure_linger(s, name);
        if (r < 0)
                return r;
        if (s->systemd)
                step("linger", "%s: enabled (its user manager runs without a login)", name);
        else
                step("linger", "skipped: systemd is not PID 1 here, so there is no user manager to keep");
        r = deny_cron_at(s, name);
        if (r < 0)
                return r;
        step("cron/at", "%s listed in /etc/cron.deny and /etc/at.deny", name);
        return 0;
}
