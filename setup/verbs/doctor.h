/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup doctor: one line per check, "ok  ", "warn", "FAIL" or "skip", what was found and, for
 * warn and FAIL, the fix (or with --json, one JSON document of them: doctor-report.h). A check
 * that runs a tool says what the tool said when it fails, and tells a service that is not running
 * here from one that is broken. doctor.c holds the check table and the machine-wide checks;
 * doctor-entry.c the checks of each account and of the ways into it (sshd, sudo, cron);
 * doctor-lsm.c those of AppArmor and SELinux.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "doctor-report.h"
#include "macro.h"
#include "policy.h"
#include "verbs.h"

#define FIX_INSTALL "rcc-setup install"
#define FIX_REINSTALL "reinstall rcc (meson install -C BUILDDIR, from its source tree)"

typedef enum CgroupMode {
        CGROUP_V2,     /* pure unified hierarchy */
        CGROUP_HYBRID, /* v1 controllers with a v2 hierarchy beside them */
        CGROUP_V1,
} CgroupMode;

typedef struct Doctor {
        const SetupArgs *args;
        Policy *policy; /* NULL when it does not load */
        bool root;
        bool systemd; /* systemd is PID 1 */
        CgroupMode cgroup;
        DoctorReport report;
        const char *check; /* the check running now, which names its findings in --json */
} Doctor;

/* Report one finding of the check running now: a line, or (--json) an entry. fix: the command
 * that fixes it (warn and FAIL only), or NULL. */
void report(Doctor *d, Verdict v, const char *fix, const char *fmt, ...) _printf_(4, 5);

/* Run a tool (run_argv, as root or ourselves) for a check: its stdout into out (of out_size), and
 * when it fails, how, into why: "exit status N: " and its first line on stderr (else on stdout),
 * or "could not run it: ERROR". Returns its exit status, or a negative errno. */
int doctor_run(const char *const *argv, char *out, size_t out_size, char *why, size_t why_size);

/* Whether a (sandbox) account should be looked at: --account NAME narrows doctor to one. */
bool doctor_wants(const Doctor *d, const char *account);

/* path exists, is not a symlink, is owned by root and writable by nobody else: ok (quietly, returns
 * true), or a FAIL line that says what and how to fix it (returns false). */
bool check_root_owned(Doctor *d, const char *path, const char *what);

/* Run fn in a forked child, as uid (with its groups) when uid is not (uid_t)-1 and we are root:
 * fn's return value (0..255) is the child's exit status and what this returns; a negative errno
 * when there was no child to ask or it died. */
int doctor_fork_as(uid_t uid, int (*fn)(void *arg), void *arg);

/* doctor-podman.c: podman, its OCI runtime and network helper, /dev/net/tun, its configuration. */
void check_podman(Doctor *d);
void check_podman_conf(Doctor *d);

/* doctor-entry.c */
void check_accounts(Doctor *d);
void check_sshd(Doctor *d);
void check_sudo(Doctor *d);
void check_pam(Doctor *d);
void check_cron_at(Doctor *d);

/* doctor-lsm.c: the LSMs that are active (one line each), the rcc AppArmor profiles, SELinux. */
void check_lsm(Doctor *d);
void check_apparmor(Doctor *d);
void check_selinux(Doctor *d);
