/* SPDX-License-Identifier: GPL-2.0-or-later */
/* limits_probe() (lib/session-limits.c), which rcc-setup doctor reports, on fake root directories:
 * cgroup limits only on pure cgroup v2 with a user manager that has memory, pids and cpu delegated;
 * rlimits everywhere else. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "session-limits.h"

#define UID 1234

typedef struct LimitsCase {
        const char *name;
        bool cgroup2;            /* mark ROOT/sys/fs/cgroup as cgroup2 */
        bool user_manager;       /* ROOT/run/user/UID/systemd/private exists (and, unless no_bus,
                                    ROOT/run/user/UID/bus) */
        const char *controllers; /* user@UID.service's cgroup.controllers, or NULL: absent */
        LimitsMechanism expect;
        const char *why_contains;
        bool no_bus;
} LimitsCase;

static const LimitsCase cases[] = {
        {"hybrid or v1", false, true, "cpuset cpu io memory pids\n", LIMITS_RLIMIT, "hybrid"},
        {"hybrid, no user manager", false, false, NULL, LIMITS_RLIMIT, "hybrid"},
        {"cgroup2 without a user manager", true, false, "cpuset cpu io memory pids\n", LIMITS_RLIMIT,
         "no systemd user manager"},
        {"cgroup2, user manager, delegated", true, true, "cpuset cpu io memory pids\n", LIMITS_CGROUP,
         "delegated"},
        {"cgroup2, user manager, delegated, no newline", true, true, "memory pids cpu", LIMITS_CGROUP,
         "delegated"},
        {"cgroup2, user manager, pids missing", true, true, "cpuset cpu io memory\n", LIMITS_RLIMIT,
         "not delegated"},
        {"cgroup2, user manager, only cpuset (not cpu)", true, true, "cpuset io memory pids\n",
         LIMITS_RLIMIT, "not delegated"},
        {"cgroup2, user manager, no controllers file", true, true, NULL, LIMITS_RLIMIT, "not delegated"},
        {"cgroup2, user manager, empty controllers", true, true, "", LIMITS_RLIMIT, "not delegated"},
        {"cgroup2, user manager without a D-Bus (no dbus-user-session)", true, true,
         "cpuset cpu io memory pids\n", LIMITS_RLIMIT, "install dbus-user-session", true},
};

static void make_dirs(const char *path) {
        char buf[PATH_MAX];

        snprintf(buf, sizeof buf, "%s", path);
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        assert_true(mkdir(buf, 0755) == 0 || errno == EEXIST);
                        *p = '/';
                }
        assert_true(mkdir(buf, 0755) == 0 || errno == EEXIST);
}

static void write_text(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st;
        (void)ftw;
        return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void test_limits_probe(void **state) {
        (void)state;
        FOREACH_ARRAY (c, cases, ELEMENTSOF(cases)) {
                char root[] = "/tmp/test-doctor-limits.XXXXXX", path[PATH_MAX];
                LimitsProbe p;

                print_message("limits: %s\n", c->name);
                assert_non_null(mkdtemp(root));
                snprintf(
                        path, sizeof path, "%s/sys/fs/cgroup/user.slice/user-%d.slice/user@%d.service", root,
                        UID, UID);
                make_dirs(path);
                if (c->controllers) {
                        snprintf(
                                path, sizeof path,
                                "%s/sys/fs/cgroup/user.slice/user-%d.slice/user@%d.service/cgroup.controllers",
                                root, UID, UID);
                        write_text(path, c->controllers);
                }
                if (c->cgroup2) {
                        snprintf(path, sizeof path, "%s/sys/fs/cgroup/.cgroup2", root);
                        write_text(path, "");
                }
                if (c->user_manager) {
                        snprintf(path, sizeof path, "%s/run/user/%d/systemd", root, UID);
                        make_dirs(path);
                        snprintf(path, sizeof path, "%s/run/user/%d/systemd/private", root, UID);
                        write_text(path, "");
                        snprintf(path, sizeof path, "%s/run/user/%d/bus", root, UID);
                        if (!c->no_bus)
                                write_text(path, "");
                }

                limits_probe(UID, root, &p);
                assert_int_equal(p.mechanism, c->expect);
                assert_int_equal(p.cgroup2, c->cgroup2);
                assert_int_equal(p.user_manager, c->user_manager);
                assert_non_null(strstr(p.why, c->why_contains));
                assert_string_equal(
                        limits_mechanism_to_string(p.mechanism),
                        c->expect == LIMITS_CGROUP ? "cgroup" : "rlimit");

                assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_limits_probe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
