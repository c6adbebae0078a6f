/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup doctor: one line per check, "ok  ", "warn", "FAIL" or "skip", what was found and, for
 * warn and FAIL, the fix. doctor.c holds the reporter, the check table and the machine-wide
 * checks; doctor-entry.c the checks of each account and of the ways into it (sshd, sudo, cron).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "macro.h"
#include "policy.h"
#include "setup.h"

typedef enum Verdict {
        VERDICT_OK,
        VERDICT_WARN, /* works, but weaker than it should be */
        VERDICT_FAIL, /* a session would not be safe, or would not start */
        VERDICT_SKIP, /* could not be checked here (as this user); the line says why */
        _VERDICT_MAX,
} Verdict;

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
        unsigned count[_VERDICT_MAX];
} Doctor;

/* Print one line and count it. fix: what to do about it (warn and FAIL only), or NULL. */
void report(Doctor *d, Verdict v, const char *fix, const char *fmt, ...) _printf_(4, 5);

/* Whether a (sandbox) account should be looked at: --account NAME narrows doctor to one. */
bool doctor_wants(const Doctor *d, const char *account);

/* Run fn in a forked child, as uid (with gid and its groups) when uid is not (uid_t)-1 and we are
 * root, else as ourselves. fn returns 0 or an errno value; so does this (ECHILD if it died). */
int fork_as(uid_t uid, int (*fn)(void *arg), void *arg);

/* path exists, is not a symlink, is owned by root and writable by nobody else: ok (quietly, returns
 * true), or a FAIL line that says what and how to fix it (returns false). */
bool check_root_owned(Doctor *d, const char *path, const char *what);

/* doctor-entry.c */
void check_accounts(Doctor *d);
void check_sshd(Doctor *d);
void check_sudo(Doctor *d);
void check_pam(Doctor *d);
void check_cron_at(Doctor *d);
