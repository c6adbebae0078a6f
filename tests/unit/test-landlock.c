/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rcc-landlock's pure part (shell/landlock/landlock-policy.c): what a ruleset handles under each
 * Landlock ABI from 1 to 7 (and beyond), the rules it grants (write only beneath the session's
 * directories, the devices a shell needs, never anything the ABI lacks), the description
 * rcc-setup doctor prints, and the launcher's command line (carve-outs and pinned directories). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "landlock-policy.h"

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define ABI1_FS                                                                                    \
        (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_REMOVE_DIR |  \
         LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR | LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | \
         LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK | LL_FS_MAKE_SYM)
#define READ (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR)
#define WRITE1                                                                                       \
        (LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_DIR | LL_FS_MAKE_REG | \
         LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_SYM)
#define SCOPES (LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL)

/* Per ABI (index): what is handled, and what the rules grant beneath a writable directory, on
 * /dev/null and on a terminal. */
static const struct {
        uint64_t fs, scoped, writable, device, terminal;
} per_abi[] = {
        [1] = {ABI1_FS, 0, READ | WRITE1, LL_FS_READ_FILE | LL_FS_WRITE_FILE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE},
        [2] = {ABI1_FS | LL_FS_REFER, 0, READ | WRITE1 | LL_FS_REFER, LL_FS_READ_FILE | LL_FS_WRITE_FILE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE},
        [3] = {ABI1_FS | LL_FS_REFER | LL_FS_TRUNCATE, 0, READ | WRITE1 | LL_FS_REFER | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE},
        /* 4 adds TCP rights, which are the firewall's: nothing more is handled. */
        [4] = {ABI1_FS | LL_FS_REFER | LL_FS_TRUNCATE, 0, READ | WRITE1 | LL_FS_REFER | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE},
        [5] = {ABI1_FS | LL_FS_REFER | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV, 0,
               READ | WRITE1 | LL_FS_REFER | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV},
        [6] = {ABI1_FS | LL_FS_REFER | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV, SCOPES,
               READ | WRITE1 | LL_FS_REFER | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV},
        [7] = {ABI1_FS | LL_FS_REFER | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV, SCOPES,
               READ | WRITE1 | LL_FS_REFER | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE,
               LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV},
};

static void test_handled(void **state) {
        (void)state;
        for (int abi = 1; abi <= 7; abi++) {
                LandlockHandled h = landlock_handled(abi);
                print_message("ABI %d\n", abi);
                assert_int_equal(h.fs, per_abi[abi].fs);
                assert_int_equal(h.scoped, per_abi[abi].scoped);
        }
        /* No Landlock: nothing; a kernel newer than this code: what it knows of. */
        for (int abi = -1; abi <= 0; abi++) {
                assert_int_equal(landlock_handled(abi).fs, 0);
                assert_int_equal(landlock_handled(abi).scoped, 0);
        }
        assert_int_equal(landlock_handled(8).fs, per_abi[7].fs);
        assert_int_equal(landlock_handled(1000).scoped, SCOPES);
}

/* The rule for path; the test fails here when there is none (fail_msg() does not return, so the
 * callers use the rule without a NULL check the compiler could doubt). */
static const LandlockRule *rule_for(const LandlockRule *rules, size_t n, const char *path) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(rules[i].path, path) == 0)
                        return &rules[i];
        fail_msg("no rule for %s", path);
        abort(); /* not reached: fail_msg() jumps out of the test (older cmocka.h does not say so) */
}

static const LauncherArgs *session_args(void) {
        static LauncherArgs a = {
                .abi = 7,
                .writable = {"/workspace", "/tmp", "/var/lib/rcc/home/rcc"},
                .n_writable = 3,
                .readonly = {{2049, 12, "/workspace/.git/hooks"}, {2049, 13, "/workspace/.git/config"}},
                .n_readonly = 2,
        };
        return &a;
}

static void test_rules_per_abi(void **state) {
        static const char *const devices[] = {
                "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};
        static const char *const terminals[] = {"/dev/tty", "/dev/console", "/dev/ptmx", "/dev/pts"};
        (void)state;

        for (int abi = 1; abi <= 8; abi++) {
                const int want = abi > 7 ? 7 : abi;
                const LauncherArgs *args = session_args();
                LandlockRule rules[LAUNCHER_MAX_RULES];
                size_t n = SIZE_MAX;
                const LandlockRule *r;

                print_message("ABI %d\n", abi);
                landlock_rules_build(args, abi, rules, &n);
                assert_int_equal(n, 1 + 3 + 1 + ELEMENTSOF(devices) + ELEMENTSOF(terminals));

                /* Read and execute everywhere, nothing more. */
                r = rule_for(rules, n, "/");
                assert_int_equal(r->access, READ);
                assert_false(r->no_symlinks);
                /* Everything but devices, ioctls and what the ABI lacks beneath the writable ones. */
                for (size_t i = 0; i < args->n_writable; i++) {
                        r = rule_for(rules, n, args->writable[i]);
                        assert_int_equal(r->access, per_abi[want].writable);
                        assert_true(r->no_symlinks);
                        assert_int_equal(
                                r->access & (LL_FS_MAKE_CHAR | LL_FS_MAKE_BLOCK | LL_FS_IOCTL_DEV), 0);
                }
                r = rule_for(rules, n, "/dev/shm");
                assert_int_equal(r->access, per_abi[want].writable);
                for (size_t i = 0; i < ELEMENTSOF(devices); i++) {
                        r = rule_for(rules, n, devices[i]);
                        assert_int_equal(r->access, per_abi[want].device);
                        assert_false(r->no_symlinks);
                }
                for (size_t i = 0; i < ELEMENTSOF(terminals); i++) {
                        r = rule_for(rules, n, terminals[i]);
                        assert_int_equal(r->access, per_abi[want].terminal);
                }
                /* Nothing the ABI lacks; no rule for a carve-out (the bind mounts keep those). */
                for (size_t i = 0; i < n; i++) {
                        assert_int_equal(rules[i].access & ~per_abi[want].fs, 0);
                        assert_null(strstr(rules[i].path, ".git"));
                }
        }
}

static void test_rules_no_landlock(void **state) {
        LandlockRule rules[LAUNCHER_MAX_RULES];
        size_t n = SIZE_MAX;
        (void)state;

        landlock_rules_build(session_args(), 0, rules, &n);
        assert_int_equal(n, 0);
}

static void test_rule_access(void **state) {
        (void)state;
        /* A rule on a file carries only file rights (the kernel refuses the others). */
        assert_int_equal(
                landlock_rule_access(per_abi[7].writable, false),
                LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE);
        assert_int_equal(landlock_rule_access(per_abi[7].writable, true), per_abi[7].writable);
        assert_int_equal(landlock_rule_access(per_abi[7].terminal, false), per_abi[7].terminal);
        assert_int_equal(landlock_rule_access(READ, false), LL_FS_EXECUTE | LL_FS_READ_FILE);
}

static void test_describe_and_flags(void **state) {
        (void)state;
        assert_non_null(strstr(landlock_describe(0), "no Landlock"));
        assert_non_null(strstr(landlock_describe(-3), "no Landlock"));
        assert_non_null(strstr(landlock_describe(1), "renames and links across directories always refused"));
        assert_string_equal(landlock_describe(2), "filesystem");
        assert_null(strstr(landlock_describe(3), "ioctl"));
        assert_non_null(strstr(landlock_describe(5), "device ioctls"));
        assert_null(strstr(landlock_describe(5), "signals"));
        assert_string_equal(
                landlock_describe(7),
                "filesystem, truncation, device ioctls, abstract unix sockets and signals scoped");
        assert_string_equal(landlock_describe(6), landlock_describe(7));
        assert_string_equal(landlock_describe(9), landlock_describe(7));

        for (int abi = 0; abi < 7; abi++)
                assert_int_equal(landlock_restrict_flags(abi), 0);
        assert_int_equal(landlock_restrict_flags(7), 1U << 1);
        assert_int_equal(landlock_restrict_flags(8), 1U << 1);
}

#define ARGV(...) ((char *const[]){"rcc-landlock", __VA_ARGS__, NULL})
#define ARGC(...) ((int)ELEMENTSOF(((char *const[]){"rcc-landlock", __VA_ARGS__})))
#define PARSE(err, ...) launcher_args_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &a, &err, &arg)

static void test_args_good(void **state) {
        static LauncherArgs a;
        const char *err = NULL, *arg = NULL;
        (void)state;

        assert_int_equal(
                PARSE(err, "--abi=7", "--workspace=2049:131071:/workspace", "--writable=/workspace",
                      "--writable=/tmp", "--pinned=2049:131072:/workspace/.git",
                      "--readonly=2049:131073:/workspace/.git/hooks",
                      "--pinned=0:18446744073709551615:/workspace/a/b",
                      "--readonly=18446744073709551615:0:/workspace/a b", "--", "/bin/sh", "-c", "--abi=1",
                      "--"),
                0);
        assert_false(a.describe);
        assert_int_equal(a.abi, 7);
        assert_int_equal(a.workspace.dev, 2049);
        assert_int_equal(a.workspace.ino, 131071);
        assert_string_equal(a.workspace.path, "/workspace");
        assert_int_equal(a.n_writable, 2);
        assert_string_equal(a.writable[0], "/workspace");
        assert_string_equal(a.writable[1], "/tmp");
        assert_int_equal(a.n_readonly, 2);
        assert_int_equal(a.readonly[0].dev, 2049);
        assert_int_equal(a.readonly[0].ino, 131073);
        assert_string_equal(a.readonly[0].path, "/workspace/.git/hooks");
        assert_int_equal(a.readonly[1].dev, UINT64_MAX);
        assert_int_equal(a.readonly[1].ino, 0);
        assert_string_equal(a.readonly[1].path, "/workspace/a b");
        assert_int_equal(a.n_pinned, 2);
        assert_int_equal(a.pinned[0].dev, 2049);
        assert_int_equal(a.pinned[0].ino, 131072);
        assert_string_equal(a.pinned[0].path, "/workspace/.git");
        assert_int_equal(a.pinned[1].dev, 0);
        assert_int_equal(a.pinned[1].ino, UINT64_MAX);
        assert_string_equal(a.pinned[1].path, "/workspace/a/b");
        /* Everything after "--" is the command, options and "--" included. */
        assert_string_equal(a.command[0], "/bin/sh");
        assert_string_equal(a.command[2], "--abi=1");
        assert_string_equal(a.command[3], "--");
        assert_null(a.command[4]);

        assert_int_equal(PARSE(err, "--abi=0", "--workspace=1:2:/workspace", "--", "claude"), 0);
        assert_int_equal(a.abi, 0);
        assert_int_equal(a.n_writable + a.n_readonly + a.n_pinned, 0);
        assert_string_equal(a.command[0], "claude");

        assert_int_equal(PARSE(err, "--describe"), 0);
        assert_true(a.describe);
        assert_null(a.command);
}

static void test_args_bad(void **state) {
        static LauncherArgs a;
        const char *err = NULL, *arg = NULL;
        (void)state;

        const struct {
                int argc;
                char *const *argv;
                const char *error, *arg;
        } cases[] = {
#define C(error, arg, ...) {ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), error, arg}
                C("--abi=N is required", NULL, "--", "sh"),
                C("--workspace=DEV:INO:PATH is required", NULL, "--abi=7", "--", "sh"),
                C("bad or repeated --workspace (DEV:INO:ABSOLUTE-PATH)", "--workspace=1:2", "--abi=7",
                  "--workspace=1:2", "--", "sh"),
                C("bad or repeated --workspace (DEV:INO:ABSOLUTE-PATH)", "--workspace=1:2:workspace",
                  "--abi=7", "--workspace=1:2:workspace", "--", "sh"),
                C("bad or repeated --workspace (DEV:INO:ABSOLUTE-PATH)", "--workspace=3:4:/w", "--abi=7",
                  "--workspace=1:2:/w", "--workspace=3:4:/w", "--", "sh"),
                C("no command after --", NULL, "--abi=7", "--workspace=1:2:/w"),
                C("no command after --", NULL, "--abi=7", "--workspace=1:2:/w", "--"),
                C("no command after --", NULL, "--abi=7", "--workspace=1:2:/w", "--", ""),
                C("bad or repeated --abi", "--abi=", "--abi=", "--", "sh"),
                C("bad or repeated --abi", "--abi=-1", "--abi=-1", "--", "sh"),
                C("bad or repeated --abi", "--abi=7x", "--abi=7x", "--", "sh"),
                C("bad or repeated --abi", "--abi=99999999999999999999999", "--abi=99999999999999999999999",
                  "--", "sh"),
                C("bad or repeated --abi", "--abi=6", "--abi=7", "--abi=6", "--", "sh"),
                C("unknown argument", "sh", "--abi=7", "sh"),
                C("unknown argument", "--abi", "--abi", "7", "--", "sh"),
                C("unknown argument", "--writable", "--abi=7", "--writable", "/tmp", "--", "sh"),
                C("--writable needs an absolute path without . or ..", "--writable=tmp", "--abi=7",
                  "--writable=tmp", "--", "sh"),
                C("--writable needs an absolute path without . or ..", "--writable=/workspace/../etc",
                  "--abi=7", "--writable=/workspace/../etc", "--", "sh"),
                C("--writable needs an absolute path without . or ..", "--writable=/./etc", "--abi=7",
                  "--writable=/./etc", "--", "sh"),
                C("--writable needs an absolute path without . or ..", "--writable=", "--abi=7",
                  "--writable=", "--", "sh"),
                C("--readonly needs DEV:INO:ABSOLUTE-PATH", "--readonly=1:2", "--abi=7", "--readonly=1:2",
                  "--", "sh"),
                C("--readonly needs DEV:INO:ABSOLUTE-PATH", "--readonly=1:2:rel", "--abi=7",
                  "--readonly=1:2:rel", "--", "sh"),
                C("--readonly needs DEV:INO:ABSOLUTE-PATH", "--readonly=:2:/w", "--abi=7",
                  "--readonly=:2:/w", "--", "sh"),
                C("--readonly needs DEV:INO:ABSOLUTE-PATH", "--readonly=1::/w", "--abi=7",
                  "--readonly=1::/w", "--", "sh"),
                C("--readonly needs DEV:INO:ABSOLUTE-PATH", "--readonly=-1:2:/w", "--abi=7",
                  "--readonly=-1:2:/w", "--", "sh"),
                C("--readonly needs DEV:INO:ABSOLUTE-PATH", "--readonly=18446744073709551616:2:/w",
                  "--abi=7", "--readonly=18446744073709551616:2:/w", "--", "sh"),
                C("--readonly needs DEV:INO:ABSOLUTE-PATH", "--readonly=1:2:/w/../x", "--abi=7",
                  "--readonly=1:2:/w/../x", "--", "sh"),
                C("--pinned needs DEV:INO:ABSOLUTE-PATH", "--pinned=1:2", "--abi=7", "--pinned=1:2", "--",
                  "sh"),
                C("--pinned needs DEV:INO:ABSOLUTE-PATH", "--pinned=1:2:.git", "--abi=7",
                  "--pinned=1:2:.git", "--", "sh"),
                C("--pinned needs DEV:INO:ABSOLUTE-PATH", "--pinned=x:2:/w", "--abi=7", "--pinned=x:2:/w",
                  "--", "sh"),
                C("--pinned needs DEV:INO:ABSOLUTE-PATH", "--pinned=1:2:/w/./x", "--abi=7",
                  "--pinned=1:2:/w/./x", "--", "sh"),
                C("--pinned needs DEV:INO:ABSOLUTE-PATH", "--pinned=", "--abi=7", "--pinned=", "--", "sh"),
                C("unknown argument", "--pinned", "--abi=7", "--pinned", "1:2:/w", "--", "sh"),
                C("--describe takes no other argument", NULL, "--describe", "--pinned=1:2:/w"),
                C("--describe takes no other argument", NULL, "--describe", "--abi=7"),
                C("--describe takes no other argument", NULL, "--describe", "--workspace=1:2:/w"),
                C("--describe takes no other argument", NULL, "--describe", "--", "sh"),
#undef C
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                print_message("case %zu: %s\n", i, cases[i].error);
                err = arg = NULL;
                assert_int_equal(launcher_args_parse(cases[i].argc, cases[i].argv, &a, &err, &arg), -EINVAL);
                assert_string_equal(err, cases[i].error);
                if (cases[i].arg)
                        assert_string_equal(arg, cases[i].arg);
                else
                        assert_null(arg);
        }
}

static void test_args_limits(void **state) {
        static char *argv[LAUNCHER_MAX_READONLY + LAUNCHER_MAX_PINNED + 8];
        static char bufs[LAUNCHER_MAX_READONLY + LAUNCHER_MAX_PINNED + 1][32];
        static LauncherArgs a;
        const char *err = NULL, *arg = NULL;
        int argc = 0;
        (void)state;

        argv[argc++] = "rcc-landlock";
        argv[argc++] = "--abi=7";
        argv[argc++] = "--workspace=1:2:/workspace";
        for (size_t i = 0; i < LAUNCHER_MAX_READONLY; i++) {
                snprintf(bufs[i], sizeof bufs[i], "--readonly=1:%zu:/w/%zu", i, i);
                argv[argc++] = bufs[i];
        }
        argv[argc++] = "--";
        argv[argc++] = "sh";
        argv[argc] = NULL;
        assert_int_equal(launcher_args_parse(argc, argv, &a, &err, &arg), 0);
        assert_int_equal(a.n_readonly, LAUNCHER_MAX_READONLY);
        assert_int_equal(a.readonly[LAUNCHER_MAX_READONLY - 1].ino, LAUNCHER_MAX_READONLY - 1);

        /* One more is refused, not truncated. */
        argv[argc - 2] = "--readonly=1:2:/w/x";
        argv[argc - 1] = "--";
        argv[argc++] = "sh";
        argv[argc] = NULL;
        assert_int_equal(launcher_args_parse(argc, argv, &a, &err, &arg), -EINVAL);
        assert_string_equal(err, "too many --readonly paths");

        /* The same for --pinned. */
        argc = 0;
        argv[argc++] = "rcc-landlock";
        argv[argc++] = "--abi=7";
        argv[argc++] = "--workspace=1:2:/workspace";
        for (size_t i = 0; i < LAUNCHER_MAX_PINNED; i++) {
                snprintf(bufs[i], sizeof bufs[i], "--pinned=1:%zu:/w/%zu", i, i);
                argv[argc++] = bufs[i];
        }
        argv[argc++] = "--";
        argv[argc++] = "sh";
        argv[argc] = NULL;
        assert_int_equal(launcher_args_parse(argc, argv, &a, &err, &arg), 0);
        assert_int_equal(a.n_pinned, LAUNCHER_MAX_PINNED);
        assert_int_equal(a.n_readonly, 0);
        assert_int_equal(a.pinned[LAUNCHER_MAX_PINNED - 1].ino, LAUNCHER_MAX_PINNED - 1);
        argv[argc - 2] = "--pinned=1:2:/w/x";
        argv[argc - 1] = "--";
        argv[argc++] = "sh";
        argv[argc] = NULL;
        assert_int_equal(launcher_args_parse(argc, argv, &a, &err, &arg), -EINVAL);
        assert_string_equal(err, "too many --pinned paths");
        assert_string_equal(arg, "--pinned=1:2:/w/x");

        assert_int_equal(
                PARSE(err, "--abi=7", "--writable=/1", "--writable=/2", "--writable=/3", "--writable=/4",
                      "--writable=/5", "--writable=/6", "--writable=/7", "--writable=/8", "--writable=/9",
                      "--", "sh"),
                -EINVAL);
        assert_string_equal(err, "too many --writable paths");
        assert_string_equal(arg, "--writable=/9");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_handled),
                cmocka_unit_test(test_rules_per_abi),
                cmocka_unit_test(test_rules_no_landlock),
                cmocka_unit_test(test_rule_access),
                cmocka_unit_test(test_describe_and_flags),
                cmocka_unit_test(test_args_good),
                cmocka_unit_test(test_args_bad),
                cmocka_unit_test(test_args_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
