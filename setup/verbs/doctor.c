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
#include <getopt.h>
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
#include <unistd.h>

#include "config.h"
#include "doctor.h"
#include "files.h"
#include "log.h"
#include "parse.h"
#include "paths.h"
#include "policy.h"
#include "run.h"
#include "session-limits.h"
#include "verbs.h"

/* ---- the reporter ---- */

void report(Doctor *d, Verdict v, const char *fix, const char *fmt, ...) {
        char message[4096];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(message, sizeof message, fmt, ap);
        va_end(ap);
        doctor_report_add(&d->report, d->check, v, message, fix);
}

int doctor_run(const char *const *argv, char *out, size_t out_size, char *why, size_t why_size) {
        char err[4096] = "", said[1024];
        int r;

        r = run_argv(
                argv, &(RunOptions){
                              .capture = out,
                              .capture_size = out_size,
                              .capture_stderr = err,
                              .capture_stderr_size = sizeof err});
        if (r < 0) {
                snprintf(why, why_size, "could not run it: %s", strerror(-r));
                return r;
        }
        tool_message(err, out, said, sizeof said);
        snprintf(why, why_size, "exit status %d%s%s", r, said[0] ? ": " : ", saying nothing", said);
        return r;
}

bool doctor_wants(const Doctor *d, const char *account) {
        return !d->args->account || strcmp(d->args->account, account) == 0;
}

/* Run fn in a forked child, as uid (with gid and its groups) when uid is not (uid_t)-1 and we are
 * root, else as ourselves. fn's return value is the child's exit status (a probe's errno, say),
 * and that is what this returns (0..255); or a negative errno if there was no child to ask, or it
 * died (-ECHILD). */
int doctor_fork_as(uid_t uid, int (*fn)(void *arg), void *arg) {
        gid_t groups[64];
        int n_groups = ELEMENTSOF(groups), status;
        struct passwd *pw = NULL;
        pid_t pid;

        if (uid != (uid_t)-1 && geteuid() == 0) {
                pw = getpwuid(uid);
                if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n_groups) < 0)
                        return -ENOENT;
        }
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return -errno;
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
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;
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
        char buf[DIAG_STRLEN], path[PATH_MAX];
        unsigned bad = 0, n = 0;
        int r;

        r = policy_load(d->args->config_dir, &opts, &d->policy, &diag);
        if (r < 0) {
                /* A missing directory is a machine install has not set up; anything else, a file
                 * the admin corrects (its line, where there is one), then applies. */
                report(d, VERDICT_FAIL,
                       r == -ENOENT && diag.line == 0
                               ? FIX_INSTALL " (it writes a commented default rcc.yaml)"
                               : "correct what it names (rcc-firewall check shows the same), then rcc-setup apply",
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
        r = doctor_fork_as(uid, probe_userns, NULL);
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
                       strerror(abs(r)));

        if (!d->root) {
                report(d, VERDICT_SKIP, NULL, "network namespaces as root: needs root");
                return;
        }
        r = doctor_fork_as((uid_t)-1, probe_netns, NULL);
        if (r == 0)
                report(d, VERDICT_OK, NULL, "network namespaces: unshare(CLONE_NEWNET) works");
        else
                report(d, VERDICT_FAIL, "a kernel built with CONFIG_NET_NS",
                       "network namespaces: unshare(CLONE_NEWNET) failed: %s", strerror(abs(r)));
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
        char launcher[PATH_MAX], out[512] = "", why[1100];

        snprintf(launcher, sizeof launcher, "%s", RCC_SHIM_DIR);
        *strrchr(launcher, '/') = '\0';
        strncat(launcher, "/rcc-landlock", sizeof launcher - strlen(launcher) - 1);
        const char *argv[] = {launcher, "--describe", NULL};
        if (access(launcher, X_OK) < 0) {
                report(d, VERDICT_FAIL, FIX_REINSTALL,
                       "Landlock: the session launcher %s: %m; every session is refused", launcher);
                return;
        }
        int r = doctor_run(argv, out, sizeof out, why, sizeof why);
        out[strcspn(out, "\n")] = '\0';
        if (r != 0 || strncmp(out, "ABI ", 4) != 0) {
                report(d, VERDICT_FAIL, FIX_REINSTALL,
                       "Landlock: the session launcher '%s --describe' %s (%s); every session is refused",
                       launcher, r != 0 ? "failed" : "did not say its ABI", r != 0 ? why : out);
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

/* ---- firewall ---- */

/* rcc-firewall status's first line, for the message: what it said on stderr instead of "(see
 * above)", and without its "Run: rcc-firewall apply", which works only while rcc-firewalld runs:
 * doctor's fix says what does. */
static void firewall_status_line(char *line, size_t size, const char *why) {
        char *p;

        if ((p = strstr(line, " Run: rcc-firewall apply")))
                *p = '\0';
        if ((p = strstr(line, "(see above)")))
                snprintf(p, size - (size_t)(p - line), "(%s)", why);
        if (!line[0])
                snprintf(line, size, "'rcc-firewall status' failed (%s)", why);
}

static void check_firewall(Doctor *d) {
        const char *argv[] = {RCC_FIREWALL_PATH, "--config", d->args->config_dir, "status", NULL};
        char out[4096] = "", fix[PATH_MAX + 64], why[1100];

        if (access(RCC_FIREWALL_PATH, X_OK) < 0) {
                report(d, VERDICT_FAIL, FIX_REINSTALL, "firewall: %s: %m", RCC_FIREWALL_PATH);
                return;
        }
        if (!d->root) {
                report(d, VERDICT_SKIP, NULL,
                       "firewall: '%s status' needs root (it reads the kernel's ruleset)",
                       RCC_FIREWALL_PATH);
                return;
        }
        int r = doctor_run(argv, out, sizeof out, why, sizeof why);
        /* Its first line says whether the table is current, the second who holds it. */
        char *held = strstr(out, "\n  held by: ");
        if (held) {
                *held = '\0';
                held += strlen("\n  held by: ");
                held[strcspn(held, "\n")] = '\0';
        }
        out[strcspn(out, "\n")] = '\0';
        /* apply starts rcc-firewalld where it is not running, then has it load the table. */
        snprintf(fix, sizeof fix, "rcc-setup --config %s apply", d->args->config_dir);
        bool current = strstr(out, "loaded and current") != NULL;
        if (r == 0 || current)
                report(d, VERDICT_OK, NULL, "firewall: %s", out);
        else {
                firewall_status_line(out, sizeof out, why);
                report(d, VERDICT_FAIL, fix, "firewall: %s", out);
        }
        if (!held)
                return;
        if (strncmp(held, "rcc-firewalld (pid", strlen("rcc-firewalld (pid")) != 0) {
                snprintf(
                        fix, sizeof fix, "%s",
                        d->systemd
                                ? "systemctl enable --now rcc-firewall; journalctl -u rcc-firewall says why it stopped"
                                : RCC_FIREWALLD_PATH " --background (and from the boot scripts)");
                report(d, VERDICT_FAIL, fix, "firewall held by: %s", held);
        } else if (strstr(held, "without an owner"))
                report(d, VERDICT_WARN, "a kernel >= 5.12 lets rcc-firewalld own the table",
                       "firewall held by: %s; another root process can change the table, and rcc-firewalld "
                       "restores it or cuts the sessions when it does",
                       held);
        else
                report(d, VERDICT_OK, NULL, "firewall held by: %s", held);
}

/* ---- the table ---- */

static const struct {
        void (*run)(Doctor *d);
        bool needs_policy; /* skipped, with a line, when the policy does not load */
        const char *name;
        const char *id; /* the name of its findings in --json: stable, for scripts (rcc-setup(8)) */
} checks[] = {
        {check_policy, false, "policy", "policy"},
        {check_namespaces, false, "namespaces", "namespaces"},
        {check_nftables, false, "nftables", "nftables"},
        {check_landlock, false, "Landlock", "landlock"},
        {check_cgroups, false, "cgroups", "cgroups"},
        {check_podman, false, "podman", "podman"},
        {check_podman_conf, false, "podman configuration", "podman-config"},
        {check_accounts, true, "sandbox accounts", "accounts"},
        {check_apparmor, false, "AppArmor", "apparmor"},
        {check_selinux, false, "SELinux", "selinux"},
        {check_firewall, false, "firewall", "firewall"},
        {check_lsm, false, "LSM", "lsm"},
        {check_sshd, true, "sshd", "sshd"},
        {check_sudo, true, "sudo", "sudo"},
        {check_pam, false, "PAM", "pam"},
        {check_cron_at, true, "cron and at", "cron-at"},
};

static int parse_doctor_argv(int argc, char **argv, bool *ret_json) {
        static const struct option options[] = {
                {"json", no_argument, NULL, 'j'},
                {},
        };
        int c;

        *ret_json = false;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'j':
                        *ret_json = true;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind != argc) {
                log_error("doctor takes no arguments, only --json");
                return -EINVAL;
        }
        return 0;
}

int verb_doctor(const SetupArgs *args, int argc, char **argv) {
        Doctor d = {.args = args, .root = geteuid() == 0};
        char comm[32] = "";
        _cleanup_fclose_ FILE *f = NULL;
        bool json;
        int r;

        if (parse_doctor_argv(argc, argv, &json) < 0) {
                log_error("usage: rcc-setup [--config DIR] [--account NAME] doctor [--json]");
                return VERB_USAGE;
        }
        r = doctor_report_open(&d.report, stdout, json);
        if (r < 0)
                return log_errno(r, "doctor: %m");
        f = fopen("/proc/1/comm", "re");
        d.systemd = f && fgets(comm, sizeof comm, f) && strcmp(comm, "systemd\n") == 0;
        d.cgroup = cgroup_mode();
        /* --json: the skip lines say the same, and stdout holds nothing but the document. */
        if (!d.root && !json)
                printf("(not root: checks that need root are skipped; run 'sudo rcc-setup doctor' for all)\n");

        for (size_t i = 0; i < ELEMENTSOF(checks); i++) {
                d.check = checks[i].id;
                if (checks[i].needs_policy && !d.policy) {
                        report(&d, VERDICT_SKIP, NULL, "%s: the policy did not load", checks[i].name);
                        continue;
                }
                checks[i].run(&d);
        }
        policy_free(d.policy);

        bool failed = d.report.count[VERDICT_FAIL] > 0;
        r = doctor_report_close(&d.report);
        if (r < 0)
                return log_errno(r, "doctor: writing the report: %m");
        /* Every failure has been reported above; main() turns this into exit status 1. */
        return failed ? -EUCLEAN : 0;
}
