/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The changes rcc-setup makes to files and accounts, each recorded in the manifest before it is
 * made. Programs (useradd, usermod, loginctl) run by argument vector through run_argv().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "paths.h"
#include "sha256.h"
#include "system.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

int log_err(int r, const char *fmt, ...) {
        char buf[1024];
        va_list ap;

        errno = r < 0 ? -r : r; /* for %m */
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        log_error("%s", buf);
        return r;
}

void step(const char *name, const char *fmt, ...) {
        va_list ap;

        printf("  %-10s ", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

bool account_name_valid(const char *name) {
        size_t n = strlen(name);

        if (n == 0 || n > 32 || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
                      name[i] == '_' || name[i] == '-'))
                        return false;
        return true;
}

static bool sshd_includes_dropins(void) {
        _cleanup_free_ char *text = NULL;

        if (read_file(SSHD_CONFIG, 1024 * 1024, &text, NULL) < 0)
                return false;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                line += strspn(line, " \t");
                if (strncasecmp(line, "Include", 7) == 0 && (line[7] == ' ' || line[7] == '\t') &&
                    strstr(line, SSHD_DROPIN_DIR "/"))
                        return true;
        }
        return false;
}

int setup_init(Setup *s, const char *config_dir) {
        int r;

        *s = (Setup){};
        if (config_dir[0] == '/') {
                if (strlen(config_dir) >= sizeof s->config_dir - 8)
                        return log_err(-ENAMETOOLONG, "'%s': path too long", config_dir);
                memcpy(s->config_dir, config_dir, strlen(config_dir) + 1);
        } else {
                _cleanup_free_ char *cwd = get_current_dir_name(), *abs = NULL;
                if (!cwd)
                        return log_err(-errno, "cannot get the current directory: %m");
                if (asprintf(&abs, "%s/%s", cwd, config_dir) < 0)
                        return log_err(-ENOMEM, "out of memory");
                if (strlen(abs) >= sizeof s->config_dir - 8)
                        return log_err(-ENAMETOOLONG, "'%s': path too long", abs);
                memcpy(s->config_dir, abs, strlen(abs) + 1);
        }
        /* sshd and the PAM module trust the keys directory by path: strip a trailing '/'. */
        for (size_t n = strlen(s->config_dir); n > 1 && s->config_dir[n - 1] == '/'; n--)
                s->config_dir[n - 1] = '\0';
        memcpy(s->keys_dir, s->config_dir, strlen(s->config_dir));
        strcpy(s->keys_dir + strlen(s->config_dir), "/keys");
        s->systemd = access("/run/systemd/system", F_OK) == 0;
        s->have_sshd = access(SSHD_PATH, X_OK) == 0;
        s->have_sshd_include = s->have_sshd && sshd_includes_dropins();
        s->have_sudo = access(SUDO_PATH, X_OK) == 0 && access(VISUDO_PATH, X_OK) == 0;

        r = manifest_load(RCC_INSTALL_MANIFEST, &s->manifest);
        if (r < 0)
                return log_err(r, "cannot read %s: %s", RCC_INSTALL_MANIFEST, strerror(-r));
        return 0;
}

void setup_done(Setup *s) {
        s->manifest = manifest_free(s->manifest);
}

static void digest_hex(const char *content, char hex[static SHA256_HEX_SIZE]) {
        uint8_t d[SHA256_DIGEST_SIZE];

        sha256(content, strlen(content), d);
        sha256_hex(d, hex);
}

int ensure_dir(Setup *s, const char *path, mode_t mode, const char *account) {
        struct stat st;
        int r;

        if (lstat(path, &st) == 0) {
                if (!S_ISDIR(st.st_mode))
                        return log_err(-ENOTDIR, "'%s' exists and is not a directory", path);
                if (st.st_uid != 0 || (st.st_mode & 022))
                        return log_err(
                                -EPERM, "'%s' must be owned by root and not writable by group or others",
                                path);
                return 0;
        }
        if (errno != ENOENT)
                return log_err(-errno, "cannot stat '%s': %m", path);
        r = manifest_add(s->manifest, "dir", account, path, NULL);
        if (r < 0)
                return log_err(r, "cannot record '%s' in the manifest: %s", path, strerror(-r));
        if (mkdir(path, mode) < 0 && errno != EEXIST)
                return log_err(-errno, "cannot create '%s': %m", path);
        if (chown(path, 0, 0) < 0 || chmod(path, mode) < 0)
                return log_err(-errno, "cannot set owner and mode of '%s': %m", path);
        return 0;
}

static int write_recorded(
        Setup *s, const char *path, const char *content, mode_t mode, const char *account,
        int (*check)(const char *tmp)) {
        _cleanup_free_ char *tmp = NULL;
        char hex[SHA256_HEX_SIZE];
        int r;

        r = write_file_temp(path, content, strlen(content), mode, 0, 0, &tmp);
        if (r < 0)
                return log_err(r, "cannot write '%s': %s", path, strerror(-r));
        if (check) {
                r = check(tmp);
                if (r < 0) {
                        (void)unlink(tmp);
                        return r;
                }
        }
        digest_hex(content, hex);
        r = manifest_add(s->manifest, "file", account, path, hex, NULL);
        if (r < 0) {
                (void)unlink(tmp);
                return log_err(r, "cannot record '%s' in the manifest: %s", path, strerror(-r));
        }
        if (rename(tmp, path) < 0) {
                r = log_err(-errno, "cannot write '%s': %m", path);
                (void)unlink(tmp);
                return r;
        }
        return 1;
}

int ensure_file(Setup *s, const char *path, const char *content, mode_t mode, const char *account) {
        struct stat st;

        if (lstat(path, &st) == 0)
                return 0;
        if (errno != ENOENT)
                return log_err(-errno, "cannot stat '%s': %m", path);
        return write_recorded(s, path, content, mode, account, NULL);
}

bool file_is_ours(const Setup *s, const char *path) {
        _cleanup_free_ char *text = NULL;
        char hex[SHA256_HEX_SIZE];

        if (read_file(path, 16u * 1024 * 1024, &text, NULL) < 0)
                return false;
        digest_hex(text, hex);
        for (size_t i = 0; i < s->manifest->n_entries; i++) {
                const ManifestEntry *e = &s->manifest->entries[i];
                if (strcmp(e->kind, "file") == 0 && e->n_args == 2 && strcmp(e->args[0], path) == 0 &&
                    strcmp(e->args[1], hex) == 0)
                        return true;
        }
        return false;
}

int replace_file(Setup *s, const char *path, const char *content, mode_t mode, const char *account) {
        return replace_file_checked(s, path, content, mode, account, NULL);
}

int replace_file_checked(
        Setup *s, const char *path, const char *content, mode_t mode, const char *account,
        int (*check)(const char *tmp)) {
        _cleanup_free_ char *old = NULL;
        int r;

        r = read_file(path, 16u * 1024 * 1024, &old, NULL);
        if (r == -ENOENT)
                return write_recorded(s, path, content, mode, account, check);
        if (r < 0)
                return log_err(r, "cannot read '%s': %s", path, strerror(-r));
        if (strcmp(old, content) == 0) {
                /* Unchanged; only make sure of owner and mode. */
                if (chown(path, 0, 0) < 0 || chmod(path, mode) < 0)
                        return log_err(-errno, "cannot set owner and mode of '%s': %m", path);
                return 0;
        }
        if (!file_is_ours(s, path))
                return log_err(
                        -EEXIST,
                        "'%s' exists and was not written by rcc-setup (or was edited since); move it "
                        "away and run this again",
                        path);
        return write_recorded(s, path, content, mode, account, check);
}

int ensure_line(Setup *s, const char *path, const char *line, const char *account) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_file(path, 16u * 1024 * 1024, &text, NULL);
        if (r == -ENOENT) {
                /* Created here: the file goes too once its last line is gone. */
                r = write_recorded(s, path, "", 0644, NULL, NULL);
                if (r < 0)
                        return r;
        } else if (r < 0)
                return log_err(r, "cannot read '%s': %s", path, strerror(-r));
        else {
                for (char *p = text; p && *p;) {
                        char *end = strchrnul(p, '\n');
                        if ((size_t)(end - p) == strlen(line) && memcmp(p, line, strlen(line)) == 0)
                                return 0;
                        p = *end ? end + 1 : NULL;
                }
        }
        r = manifest_add(s->manifest, "line", account, path, line, NULL);
        if (r < 0)
                return log_err(r, "cannot record '%s' in the manifest: %s", path, strerror(-r));
        r = file_add_line(path, line);
        if (r < 0)
                return log_err(r, "cannot add '%s' to '%s': %s", line, path, strerror(-r));
        return 1;
}

int ensure_account_user(Setup *s, const char *name) {
        _cleanup_free_ char *home = NULL;
        struct passwd *pw;
        int r;

        if (asprintf(&home, RCC_HOME_DIR "/%s", name) < 0)
                return log_err(-ENOMEM, "out of memory");
        errno = 0;
        pw = getpwnam(name);
        if (pw) {
                if (strcmp(pw->pw_shell, RCC_SHELL_PATH) != 0)
                        return log_err(
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
                        return log_err(r, "cannot record user '%s': %s", name, strerror(-r));
                r = run_argv(argv, NULL);
                if (r != 0)
                        return log_err(r < 0 ? r : -EIO, "useradd '%s' failed (%d)", name, r);
                pw = getpwnam(name);
                if (!pw)
                        return log_err(-ENOENT, "user '%s' is missing after useradd", name);
        }
        /* "*": no password matches, yet the account is not "locked" ('!'), which sshd would refuse
         * even for public keys when UsePAM is off. */
        const char *argv_pw[] = {USERMOD_PATH, "-p", "*", name, NULL};
        r = run_argv(argv_pw, NULL);
        if (r != 0)
                return log_err(r < 0 ? r : -EIO, "usermod -p '*' '%s' failed (%d)", name, r);
        if (chown(pw->pw_dir, pw->pw_uid, pw->pw_gid) < 0 || chmod(pw->pw_dir, 0700) < 0)
                return log_err(-errno, "cannot set owner and mode of '%s': %m", pw->pw_dir);
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
                return log_err(r, "cannot read '%s': %s", path, strerror(-r));
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
                        return log_err(-ENOMEM, "out of memory");
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
                return log_err(-ENOENT, "user '%s' not found", name);
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
                return log_err(-ENOSPC, "no free subordinate id range left in /etc/subuid and /etc/subgid");
        snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, start, start + SUBID_COUNT - 1);
        snprintf(start_s, sizeof start_s, "%" PRIu64, start);
        snprintf(count_s, sizeof count_s, "%u", SUBID_COUNT);
        r = manifest_add(s->manifest, "subid", name, start_s, count_s, NULL);
        if (r < 0)
                return log_err(r, "cannot record the subid range: %s", strerror(-r));
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
                return log_err(r < 0 ? r : -EIO, "usermod --add-subuids '%s' failed (%d)", name, r);
        return 1;
}

int ensure_linger(Setup *s, const char *name) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (!s->systemd)
                return 0;
        if (asprintf(&path, "/var/lib/systemd/linger/%s", name) < 0)
                return log_err(-ENOMEM, "out of memory");
        if (access(path, F_OK) == 0)
                return 0;
        r = manifest_add(s->manifest, "linger", name, NULL);
        if (r < 0)
                return log_err(r, "cannot record lingering: %s", strerror(-r));
        const char *argv[] = {LOGINCTL_PATH, "enable-linger", name, NULL};
        r = run_argv(argv, NULL);
        if (r != 0)
                return log_err(r < 0 ? r : -EIO, "loginctl enable-linger '%s' failed (%d)", name, r);
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
                        return log_err(r, "cannot record account '%s': %s", name, strerror(-r));
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
                return log_err(-ENOMEM, "out of memory");
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

int ensure_state_dir(Setup *s) {
        char path[PATH_MAX], created[8][PATH_MAX];
        size_t n = 0;
        int r;

        /* The manifest lives here, so it is made before anything can be recorded; the directories
         * made (top down) are recorded right after, and removed last by uninstall. */
        snprintf(path, sizeof path, "%s", RCC_STATE_DIR);
        for (char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
                if (slash)
                        *slash = '\0';
                if (mkdir(path, 0755) == 0) {
                        if (chown(path, 0, 0) < 0 || chmod(path, 0755) < 0)
                                return log_err(-errno, "cannot set owner and mode of '%s': %m", path);
                        if (n < ELEMENTSOF(created))
                                memcpy(created[n++], path, strlen(path) + 1);
                } else if (errno != EEXIST)
                        return log_err(-errno, "cannot create '%s': %m", path);
                if (!slash)
                        break;
                *slash = '/';
        }
        for (size_t i = 0; i < n; i++) {
                r = manifest_add(s->manifest, "dir", NULL, created[i], NULL);
                if (r < 0)
                        return log_err(
                                r, "cannot record '%s' in the manifest: %s", created[i], strerror(-r));
        }
        return 0;
}
