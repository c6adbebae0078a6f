/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup doctor: check every enforcement point a session relies on and say, one line each,
 * what holds, what is weaker than it should be, and what would make a session unsafe or keep it
 * from starting, with the fix. Exit status 1 if anything FAILed.
 *
 * It changes nothing. As root it checks everything; as another user it runs what it can and
 * prints a "skip" line for each check that needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "config.h"
#include "doctor.h"
#include "log.h"
#include "parse.h"
#include "paths.h"
#include "session-limits.h"
#include "util.h"

#define FIX_INSTALL "rcc-setup install"

/* ---- the reporter ---- */

void report(Doctor *d, Verdict v, const char *fix, const char *fmt, ...) {
        static const char *const tag[_VERDICT_MAX] = {
                [VERDICT_OK] = "ok  ",
                [VERDICT_WARN] = "warn",
                [VERDICT_FAIL] = "FAIL",
                [VERDICT_SKIP] = "skip",
        };
        va_list ap;

        printf("%s ", tag[v]);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        if (fix && (v == VERDICT_WARN || v == VERDICT_FAIL))
                printf(" — fix: %s", fix);
        putchar('\n');
        d->count[v]++;
}

bool doctor_wants(const Doctor *d, const char *account) {
        return !d->args->account || strcmp(d->args->account, account) == 0;
}

int fork_as(uid_t uid, int (*fn)(void *arg), void *arg) {
        gid_t groups[64];
        int n_groups = ELEMENTSOF(groups), status;
        struct passwd *pw = NULL;
        pid_t pid;

        if (uid != (uid_t)-1 && geteuid() == 0) {
                pw = getpwuid(uid);
                if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n_groups) < 0)
                        return ENOENT;
        }
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return errno;
        if (pid == 0) {
                /* Dropping to the account, for good, in a child that only probes and exits: what the
                 * account itself could do is exactly what we want to see. */
                if (pw &&
                    (setgroups((size_t)n_groups, groups) < 0 ||
                     setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 || setresuid(uid, uid, uid) < 0))
                        _exit(EPERM);
                /* The uid change made us non-dumpable, which hands /proc/self to root; the account
                 * itself would be dumpable, and the probes write /proc/self/uid_map. */
                if (pw && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
                        _exit(EPERM);
                _exit(fn(arg) & 0xff);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : ECHILD;
}

bool check_root_owned(Doctor *d, const char *path, const char *what) {
        struct stat st;
        char fix[PATH_MAX * 2 + 64];

        if (lstat(path, &st) < 0) {
                report(d, VERDICT_FAIL, FIX_INSTALL, "%s %s: %m", what, path);
                return false;
        }
        if (S_ISLNK(st.st_mode)) {
                report(d, VERDICT_FAIL, "replace the symlink with the file itself",
                       "%s %s is a symlink: rcc opens its configuration with O_NOFOLLOW", what, path);
                return false;
        }
        if (st.st_uid != 0 || (st.st_mode & 022)) {
                snprintf(fix, sizeof fix, "chown root: %s && chmod go-w %s", path, path);
                report(d, VERDICT_FAIL, fix,
                       "%s %s is owned by uid %u, mode %04o: whoever can write it can change what confines the "
                       "sandbox",
                       what, path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
                return false;
        }
        return true;
}

/* ---- policy ---- */

static void check_policy(Doctor *d) {
        PolicyOptions opts = {.allow_own_files = !d->root};
        RccDiag diag = {};
        char buf[sizeof diag.file + sizeof diag.msg + 32], path[PATH_MAX];
        unsigned bad = 0, n = 0;
        int r;

        r = policy_load(d->args->config_dir, &opts, &d->policy, &diag);
        if (r < 0) {
                report(d, VERDICT_FAIL, "correct the policy; rcc-firewall check shows the same error",
                       "policy: %s", diag_format(&diag, buf, sizeof buf));
                return;
        }
        report(d, VERDICT_OK, NULL, "policy %s loads: %zu sandbox account%s", d->policy->dir,
               d->policy->n_accounts, d->policy->n_accounts == 1 ? "" : "s");

        const char *dirs[] = {d->policy->dir, "rcc.yaml", "accounts.d"};
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++, n++) {
                snprintf(path, sizeof path, "%s%s%s", i ? d->policy->dir : "", i ? "/" : "", dirs[i]);
                bad += !check_root_owned(d, path, "policy file");
        }
        FOREACH_ARRAY (a, d->policy->accounts, d->policy->n_accounts) {
                bad += !check_root_owned(d, a->file, "policy file");
                n++;
        }
        if (!bad)
                report(d, VERDICT_OK, NULL, "policy files: %u, all root-owned and writable by root alone",
                       n);
        if (d->policy->n_accounts == 0)
                report(d, VERDICT_FAIL, FIX_INSTALL, "the policy has no sandbox account");
}

/* ---- kernel ---- */

static int read_int_file(const char *path, long *ret) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");

        if (!f)
                return -errno;
        return fscanf(f, "%ld", ret) == 1 ? 0 : -EINVAL;
}

/* What rootless podman does first: a user namespace mapping our own id, then a network namespace
 * inside it. Exit status: the stage that failed * 40 + errno (all the errnos these calls return
 * are below 40), so one byte says both. */
static int probe_userns(void *arg) {
        const char *const files[] = {"/proc/self/setgroups", "/proc/self/uid_map", "/proc/self/gid_map"};
        char content[3][64];
        uid_t uid = geteuid();
        gid_t gid = getegid();

        (void)arg;
        snprintf(content[0], sizeof content[0], "deny");
        snprintf(content[1], sizeof content[1], "0 %u 1", (unsigned)uid);
        snprintf(content[2], sizeof content[2], "0 %u 1", (unsigned)gid);
        if (unshare(CLONE_NEWUSER) < 0)
                return 40 + MIN(errno, 39);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_close_ int fd = open(files[i], O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, content[i], strlen(content[i])) < 0)
                        return 80 + MIN(errno, 39);
        }
        if (unshare(CLONE_NEWNET) < 0)
                return 120 + MIN(errno, 39);
        return 0;
}

static int probe_netns(void *arg) {
        (void)arg;
        return unshare(CLONE_NEWNET) < 0 ? errno : 0;
}

static void check_userns_sysctls(Doctor *d) {
        long v;

        if (read_int_file("/proc/sys/user/max_user_namespaces", &v) < 0)
                report(d, VERDICT_FAIL, "a kernel built with CONFIG_USER_NS",
                       "user namespaces: not in this kernel");
        else if (v <= 0)
                report(d, VERDICT_FAIL, "sysctl -w user.max_user_namespaces=15000 (and in /etc/sysctl.d)",
                       "user namespaces: user.max_user_namespaces is %ld; rootless podman needs them", v);
        else
                report(d, VERDICT_OK, NULL, "user namespaces: up to %ld", v);

        if (read_int_file("/proc/sys/kernel/unprivileged_userns_clone", &v) == 0 && v == 0)
                report(d, VERDICT_FAIL,
                       "sysctl -w kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d)",
                       "kernel.unprivileged_userns_clone=0: unprivileged users cannot create user namespaces, "
                       "so rootless podman cannot start");
        if (read_int_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) == 0 && v == 1)
                report(d, VERDICT_WARN,
                       "an AppArmor profile for " RCC_PODMAN " that allows 'userns', or sysctl -w "
                       "kernel.apparmor_restrict_unprivileged_userns=0",
                       "kernel.apparmor_restrict_unprivileged_userns=1: AppArmor lets an unconfined program create "
                       "a user namespace but takes every capability away inside it, which rootless podman needs");
}

static void check_namespaces(Doctor *d) {
        static const char *const stage[] = {
                "", "unshare(CLONE_NEWUSER)", "writing uid_map/gid_map", "unshare(CLONE_NEWNET) inside it"};
        /* As root, probe as the first sandbox account (or nobody): root's own rights prove nothing. */
        uid_t uid = !d->root                             ? (uid_t)-1
                    : d->policy && d->policy->n_accounts ? d->policy->accounts[0].uid
                                                         : 65534;
        int r;

        check_userns_sysctls(d);
        r = fork_as(uid, probe_userns, NULL);
        if (r == 0)
                report(d, VERDICT_OK, NULL,
                       "an unprivileged process (uid %u) can create a user namespace and a "
                       "network namespace in it",
                       (unsigned)(uid == (uid_t)-1 ? geteuid() : uid));
        else if (r / 40 >= 1 && r / 40 <= 3)
                report(d, VERDICT_FAIL, "see the user namespace lines above",
                       "uid %u cannot do what rootless podman does first: %s: %s",
                       (unsigned)(uid == (uid_t)-1 ? geteuid() : uid), stage[r / 40], strerror(r % 40));
        else
                report(d, VERDICT_FAIL, NULL, "user namespace probe as uid %u failed: %s", (unsigned)uid,
                       strerror(r));

        if (!d->root) {
                report(d, VERDICT_SKIP, NULL, "network namespaces as root: needs root");
                return;
        }
        r = fork_as((uid_t)-1, probe_netns, NULL);
        if (r == 0)
                report(d, VERDICT_OK, NULL, "network namespaces: unshare(CLONE_NEWNET) works");
        else
                report(d, VERDICT_FAIL, "a kernel built with CONFIG_NET_NS",
                       "network namespaces: unshare(CLONE_NEWNET) failed: %s", strerror(r));
}

static void check_nftables(Doctor *d) {
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

        if (fd < 0)
                report(d, VERDICT_FAIL, "modprobe nf_tables (a kernel with CONFIG_NF_TABLES)",
                       "nftables: cannot open a NETLINK_NETFILTER socket: %m");
        else
                report(d, VERDICT_OK, NULL, "nftables: netlink socket opens");
}

/* Which restrictions each session gets, as rcc-landlock (the containers' entry point) says itself
 * with --describe, from the code that builds the sessions' rulesets (shell/landlock/). It is
 * installed next to the shim directory (shell/meson.build): the parent of RCC_SHIM_DIR. */
static void check_landlock(Doctor *d) {
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
        int abi_errno = errno;
        char launcher[PATH_MAX], out[512] = "";

        snprintf(launcher, sizeof launcher, "%s", RCC_SHIM_DIR);
        *strrchr(launcher, '/') = '\0';
        strncat(launcher, "/rcc-landlock", sizeof launcher - strlen(launcher) - 1);
        const char *argv[] = {launcher, "--describe", NULL};
        if (access(launcher, X_OK) < 0) {
                report(d, VERDICT_FAIL, "reinstall rcc",
                       "Landlock: the session launcher %s: %m; every session is refused", launcher);
                return;
        }
        int r = run_argv(
                argv, &(RunOptions){.capture = out, .capture_size = sizeof out, .quiet_stderr = true});
        out[strcspn(out, "\n")] = '\0';
        if (r != 0 || strncmp(out, "ABI ", 4) != 0) {
                report(d, VERDICT_FAIL, "reinstall rcc",
                       "Landlock: the session launcher %s --describe failed (%s%d) and said '%s'; every "
                       "session is refused",
                       launcher, r < 0 ? "error " : "exit status ", r < 0 ? -r : r, out);
                return;
        }

        errno = abi_errno;
        if (abi > 0)
                report(d, VERDICT_OK, NULL, "Landlock %s", out);
        else if (errno == EOPNOTSUPP)
                report(d, VERDICT_WARN, "add landlock to the lsm= boot parameter",
                       "Landlock unavailable: built into the kernel but not enabled at boot; sessions run "
                       "without it");
        else
                report(d, VERDICT_WARN, "a kernel >= 5.13 with CONFIG_SECURITY_LANDLOCK",
                       "Landlock unavailable: %m; sessions run without it");
}

/* ---- cgroups ---- */

static CgroupMode cgroup_mode(void) {
        struct statfs sfs;

        if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
                return CGROUP_V2;
        if (statfs("/sys/fs/cgroup/unified", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
                return CGROUP_HYBRID;
        return CGROUP_V1;
}

static void check_cgroups(Doctor *d) {
        static const char *const fix = "boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2 only)";

        switch (d->cgroup) {
        case CGROUP_V2:
                report(d, VERDICT_OK, NULL, "cgroups: v2 (unified hierarchy)");
                break;
        case CGROUP_HYBRID:
                report(d, VERDICT_WARN, fix,
                       "cgroups: v1/v2 hybrid: rootless podman can apply no resource limits, and crun refuses to run");
                break;
        case CGROUP_V1:
                report(d, VERDICT_WARN, fix, "cgroups: v1: rootless podman can apply no resource limits");
                break;
        }
        if (!d->policy)
                return;
        FOREACH_ARRAY (a, d->policy->accounts, d->policy->n_accounts) {
                LimitsProbe p;

                if (!doctor_wants(d, a->name))
                        continue;
                limits_probe(a->uid, "", &p);
                if (p.mechanism == LIMITS_CGROUP)
                        report(d, VERDICT_OK, NULL, "%s: limits enforced by cgroup (%s)", a->name, p.why);
                else
                        report(d, VERDICT_WARN, NULL,
                               "%s: limits NOT enforced by cgroups here (%s); sessions are bounded by rlimits "
                               "(RLIMIT_NPROC, RLIMIT_DATA) instead",
                               a->name, p.why);
        }
}

/* ---- podman ---- */

/* The OCI runtime's path: absolute as given, else where podman looks by default. */
static bool find_runtime(const char *name, char *buf, size_t size) {
        static const char *const dirs[] = {"/usr/bin", "/usr/sbin", "/usr/local/bin",     "/usr/local/sbin",
                                           "/bin",     "/sbin",     "/usr/libexec/podman"};

        if (name[0] == '/') {
                snprintf(buf, size, "%s", name);
                return access(buf, X_OK) == 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(buf, size, "%s/%s", dirs[i], name);
                if (access(buf, X_OK) == 0)
                        return true;
        }
        return false;
}

static void check_podman_version(Doctor *d) {
        const char *argv[] = {RCC_PODMAN, "--version", NULL};
        char out[256] = "";
        unsigned major, minor;

        if (access(RCC_PODMAN, X_OK) < 0) {
                report(d, VERDICT_FAIL, "apt-get install podman (or dnf install podman)", "podman: %s: %m",
                       RCC_PODMAN);
                return;
        }
        int r = run_argv(argv, &(RunOptions){.capture = out, .capture_size = sizeof out});
        out[strcspn(out, "\n")] = '\0';
        if (r != 0 || !podman_version_parse(out, &major, &minor))
                report(d, VERDICT_FAIL, NULL, "podman: '%s --version' did not say its version: '%s'",
                       RCC_PODMAN, out);
        else if (major < 4 || (major == 4 && minor < 3))
                report(d, VERDICT_FAIL, "podman 4.3 or later", "podman: %s is version %u.%u", RCC_PODMAN,
                       major, minor);
        else
                report(d, VERDICT_OK, NULL, "podman: %s, version %u.%u", RCC_PODMAN, major, minor);
}

static void check_runtime(Doctor *d) {
        _cleanup_free_ char *text = NULL;
        char name[256] = "crun", path[PATH_MAX];
        bool named;
        int r;

        r = read_file(RCC_CONTAINERS_CONF, 1024 * 1024, &text, NULL);
        if (r < 0) {
                report(d, VERDICT_SKIP, NULL, "OCI runtime: cannot read %s: %s", RCC_CONTAINERS_CONF,
                       strerror(-r));
                return;
        }
        named = containers_conf_runtime(text, name, sizeof name);
        if (!find_runtime(name, path, sizeof path)) {
                report(d, VERDICT_FAIL,
                       "install it (apt-get install runc), or name an installed one in [engine] runtime",
                       "OCI runtime '%s'%s is not installed", name, named ? "" : " (podman's default)");
                return;
        }
        if (strcmp(basename(path), "crun") == 0 && d->cgroup != CGROUP_V2) {
                report(d, VERDICT_FAIL,
                       "apt-get install runc; set runtime = \"runc\" in [engine] of " RCC_CONTAINERS_CONF,
                       "OCI runtime %s: crun refuses to run on a cgroup v1/v2 hybrid or v1 machine", path);
                return;
        }
        report(d, VERDICT_OK, NULL, "OCI runtime: %s%s", path, named ? "" : " (podman's default)");
}

static int probe_tun(void *arg) {
        _cleanup_close_ int fd = open(arg, O_RDWR | O_CLOEXEC);

        return fd < 0 ? errno : 0;
}

static void check_tun(Doctor *d) {
        static const char *const tun = "/dev/net/tun";
        struct stat st;
        bool all = true;

        if (stat(tun, &st) < 0 || !S_ISCHR(st.st_mode)) {
                report(d, VERDICT_FAIL, "modprobe tun; mknod -m 0666 /dev/net/tun c 10 200",
                       "%s is missing: rootless networking (slirp4netns) needs it", tun);
                return;
        }
        if ((st.st_mode & 0666) == 0666) {
                report(d, VERDICT_OK, NULL, "%s is 0666", tun);
                return;
        }
        if (!d->root || !d->policy) {
                report(d, VERDICT_FAIL, "chmod 0666 /dev/net/tun (udev does this on standard systems)",
                       "%s is %04o: rootless networking (slirp4netns) cannot open it", tun,
                       (unsigned)(st.st_mode & 07777));
                return;
        }
        FOREACH_ARRAY (a, d->policy->accounts, d->policy->n_accounts) {
                int r = doctor_wants(d, a->name) ? fork_as(a->uid, probe_tun, (void *)tun) : 0;
                if (r != 0) {
                        all = false;
                        report(d, VERDICT_FAIL,
                               "chmod 0666 /dev/net/tun (udev does this on standard systems)",
                               "%s is %04o and %s cannot open it (%s): rootless networking (slirp4netns) would fail",
                               tun, (unsigned)(st.st_mode & 07777), a->name, strerror(r));
                }
        }
        if (all)
                report(d, VERDICT_OK, NULL, "%s is %04o; every sandbox account can open it", tun,
                       (unsigned)(st.st_mode & 07777));
}

static void check_podman(Doctor *d) {
        static const char *const idmaps[] = {"/usr/bin/newuidmap", "/usr/bin/newgidmap"};
        struct stat st;

        check_podman_version(d);
        check_runtime(d);
        for (size_t i = 0; i < ELEMENTSOF(idmaps); i++) {
                bool setuid_root = stat(idmaps[i], &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID);
                /* Fedora's shadow-utils grants them file capabilities instead of the setuid bit. */
                bool caps = getxattr(idmaps[i], "security.capability", NULL, 0) > 0;

                if (setuid_root || caps)
                        report(d, VERDICT_OK, NULL, "%s is %s", idmaps[i],
                               setuid_root ? "setuid root" : "granted file capabilities");
                else
                        report(d, VERDICT_FAIL, "apt-get install uidmap (it installs them setuid root)",
                               "%s is missing or neither setuid root nor granted capabilities: rootless podman "
                               "cannot map the subordinate ids",
                               idmaps[i]);
        }
        if (access("/usr/bin/slirp4netns", X_OK) == 0)
                report(d, VERDICT_OK, NULL, "slirp4netns: /usr/bin/slirp4netns");
        else if (access("/usr/bin/pasta", X_OK) == 0)
                report(d, VERDICT_OK, NULL, "slirp4netns missing, pasta present (podman >= 5 uses it)");
        else
                report(d, VERDICT_FAIL, "apt-get install slirp4netns",
                       "slirp4netns: missing: rootless containers would have no network");
        check_tun(d);
}

static void check_podman_conf(Doctor *d) {
        static const char *const files[] = {
                RCC_PODMAN_CONF_DIR, RCC_CONTAINERS_CONF, RCC_STORAGE_CONF, RCC_REGISTRIES_CONF};
        bool all = true;

        if (access(RCC_PODMAN_CONF_DIR, F_OK) < 0) {
                report(d, VERDICT_FAIL, FIX_INSTALL, "podman configuration %s: %m", RCC_PODMAN_CONF_DIR);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                all &= check_root_owned(d, files[i], "podman configuration");
        if (all)
                report(d, VERDICT_OK, NULL, "podman configuration in %s: root-owned, writable by root alone",
                       RCC_PODMAN_CONF_DIR);
}

/* ---- firewall, LSM ---- */

static void check_firewall(Doctor *d) {
        const char *argv[] = {RCC_FIREWALL_PATH, "--config", d->args->config_dir, "status", NULL};
        char out[4096] = "", fix[PATH_MAX + 64];

        if (access(RCC_FIREWALL_PATH, X_OK) < 0) {
                report(d, VERDICT_FAIL, "install rcc (meson install)", "firewall: %s: %m",
                       RCC_FIREWALL_PATH);
                return;
        }
        if (!d->root) {
                report(d, VERDICT_SKIP, NULL,
                       "firewall: '%s status' needs root (it reads the kernel's ruleset)",
                       RCC_FIREWALL_PATH);
                return;
        }
        int r = run_argv(argv, &(RunOptions){.capture = out, .capture_size = sizeof out});
        out[strcspn(out, "\n")] = '\0';
        snprintf(fix, sizeof fix, "rcc-firewall --config %s apply", d->args->config_dir);
        if (r == 0)
                report(d, VERDICT_OK, NULL, "firewall: %s", out);
        else
                report(d, VERDICT_FAIL, fix, "firewall: %s", out[0] ? out : "rcc-firewall status failed");
}

static bool file_starts_with(const char *path, const char *prefix) {
        char buf[64] = "";
        _cleanup_fclose_ FILE *f = fopen(path, "re");

        return f && fgets(buf, sizeof buf, f) && strncmp(buf, prefix, strlen(prefix)) == 0;
}

static void check_lsm(Doctor *d) {
        _cleanup_free_ char *lsm = NULL;
        bool apparmor = file_starts_with("/sys/module/apparmor/parameters/enabled", "Y");
        bool selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;

        if (read_file("/sys/kernel/security/lsm", 4096, &lsm, NULL) >= 0) {
                lsm[strcspn(lsm, "\n")] = '\0';
                apparmor = apparmor && strstr(lsm, "apparmor");
                selinux = selinux && strstr(lsm, "selinux");
                report(d, VERDICT_OK, NULL, "LSMs: %s", lsm);
        }
        if (apparmor)
                report(d, VERDICT_OK, NULL, "AppArmor is active");
        if (selinux)
                report(d, VERDICT_OK, NULL, "SELinux is active (%s)",
                       file_starts_with("/sys/fs/selinux/enforce", "1") ? "enforcing" : "permissive");
        if (!apparmor && !selinux)
                report(d, VERDICT_WARN, NULL,
                       "no LSM layer active: file policy rests on the container and Landlock");
}

/* ---- the table ---- */

static const struct {
        void (*run)(Doctor *d);
        bool needs_policy; /* skipped, with a line, when the policy does not load */
        const char *name;
} checks[] = {
        {check_policy, false, "policy"},
        {check_namespaces, false, "namespaces"},
        {check_nftables, false, "nftables"},
        {check_landlock, false, "Landlock"},
        {check_cgroups, false, "cgroups"},
        {check_podman, false, "podman"},
        {check_podman_conf, false, "podman configuration"},
        {check_accounts, true, "sandbox accounts"},
        {check_firewall, false, "firewall"},
        {check_lsm, false, "LSM"},
        {check_sshd, true, "sshd"},
        {check_sudo, true, "sudo"},
        {check_pam, false, "PAM"},
        {check_cron_at, true, "cron and at"},
};

int verb_doctor(const SetupArgs *args, int argc, char **argv) {
        Doctor d = {.args = args, .root = geteuid() == 0};
        char comm[32] = "";
        _cleanup_fclose_ FILE *f = NULL;

        (void)argv;
        if (argc != 1) {
                log_error("usage: rcc-setup [--config DIR] [--account NAME] doctor");
                return -EINVAL;
        }
        f = fopen("/proc/1/comm", "re");
        d.systemd = f && fgets(comm, sizeof comm, f) && strcmp(comm, "systemd\n") == 0;
        d.cgroup = cgroup_mode();
        if (!d.root)
                printf("(not root: checks that need root are skipped; run 'sudo rcc-setup doctor' for all)\n");

        for (size_t i = 0; i < ELEMENTSOF(checks); i++) {
                if (checks[i].needs_policy && !d.policy) {
                        report(&d, VERDICT_SKIP, NULL, "%s: the policy did not load", checks[i].name);
                        continue;
                }
                checks[i].run(&d);
        }
        policy_free(d.policy);

        printf("doctor: %u ok, %u warnings, %u failures", d.count[VERDICT_OK], d.count[VERDICT_WARN],
               d.count[VERDICT_FAIL]);
        if (d.count[VERDICT_SKIP])
                printf(", %u skipped", d.count[VERDICT_SKIP]);
        printf("\n");
        fflush(stdout);
        /* Every failure has been reported above; main() turns this into exit status 1. */
        return d.count[VERDICT_FAIL] ? -EUCLEAN : 0;
}
