/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/podman-network.c: which rootless network a system gets (podman 4 or 5, pasta and slirp4netns
 * installed or not), the record rcc-setup writes and rcc-shell reads (format, parse with positions,
 * the file's ownership, mode, type and size checks), and the --network argument of each. */
#include <errno.h>
#include <fcntl.h>
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
#include "podman-network.h"

static void test_choose(void **state) {
        static const struct {
                const char *what;
                unsigned major, minor;
                const char *pasta, *slirp4netns;
                int r;
                PodmanNetwork want;
                const char *why; /* a part of the line */
        } cases[] = {
                {"Debian 12: podman 4.3, slirp4netns", 4, 3, NULL, "/usr/bin/slirp4netns", 0,
                 PODMAN_NETWORK_SLIRP4NETNS, "podman 4's"},
                {"podman 4 with both: slirp4netns", 4, 9, "/usr/bin/pasta", "/usr/bin/slirp4netns", 0,
                 PODMAN_NETWORK_SLIRP4NETNS, "slirp4netns"},
                {"podman 4 with pasta only", 4, 3, "/usr/bin/pasta", NULL, -ENOENT, 0,
                 "apt-get install slirp4netns"},
                {"Debian 13: podman 5.4, both", 5, 4, "/usr/bin/pasta", "/usr/bin/slirp4netns", 0,
                 PODMAN_NETWORK_PASTA, "/usr/bin/pasta"},
                {"podman 5 without Recommends: pasta only", 5, 4, "/usr/bin/pasta", NULL, 0,
                 PODMAN_NETWORK_PASTA, "podman 5's"},
                {"podman 5 with slirp4netns only", 5, 0, NULL, "/usr/bin/slirp4netns", 0,
                 PODMAN_NETWORK_SLIRP4NETNS, "apt-get install passt"},
                {"podman 6, pasta", 6, 0, "/usr/libexec/podman/pasta", NULL, 0, PODMAN_NETWORK_PASTA,
                 "pasta"},
                {"podman 5, neither", 5, 4, NULL, NULL, -ENOENT, 0, "apt-get install passt"},
                {"podman 4, neither", 4, 3, NULL, NULL, -ENOENT, 0, "no slirp4netns"},
                {"podman 3", 3, 4, "/usr/bin/pasta", "/usr/bin/slirp4netns", -EOPNOTSUPP, 0, "4.3 or later"},
        };
        (void)state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PodmanNetworkFacts f = {
                        .podman_major = cases[i].major,
                        .podman_minor = cases[i].minor,
                        .pasta = cases[i].pasta,
                        .slirp4netns = cases[i].slirp4netns,
                };
                PodmanNetwork n = _PODMAN_NETWORK_MAX;
                char why[512] = "";

                print_message("case: %s\n", cases[i].what);
                assert_int_equal(podman_network_choose(&f, &n, why, sizeof why), cases[i].r);
                if (cases[i].r == 0)
                        assert_int_equal(n, cases[i].want);
                else
                        assert_int_equal(n, _PODMAN_NETWORK_MAX); /* untouched */
                if (!strstr(why, cases[i].why))
                        fail_msg("'%s' does not say '%s'", why, cases[i].why);
        }
}

static void test_names_and_arguments(void **state) {
        PodmanNetwork n;
        (void)state;

        assert_string_equal(podman_network_to_string(PODMAN_NETWORK_PASTA), "pasta");
        assert_string_equal(podman_network_to_string(PODMAN_NETWORK_SLIRP4NETNS), "slirp4netns");
        assert_null(podman_network_to_string(_PODMAN_NETWORK_MAX));
        assert_int_equal(podman_network_from_string("pasta", &n), 0);
        assert_int_equal(n, PODMAN_NETWORK_PASTA);
        assert_int_equal(podman_network_from_string("slirp4netns", &n), 0);
        assert_int_equal(n, PODMAN_NETWORK_SLIRP4NETNS);
        assert_int_equal(podman_network_from_string("host", &n), -EINVAL);
        assert_int_equal(podman_network_from_string("Pasta", &n), -EINVAL);
        assert_int_equal(podman_network_from_string(NULL, &n), -EINVAL);
        assert_null(podman_network_argument(_PODMAN_NETWORK_MAX));

        /* pasta's mappings of the host and its spliced ports, each closed by name. */
        const char *pasta = podman_network_argument(PODMAN_NETWORK_PASTA);
        static const char *const closed[] = {
                ":--map-host-loopback,none,",
                ",--map-guest-addr,none,",
                ",-T,none",
                ",-U,none",
                ",-t,none",
                ",-u,none",
        };
        assert_true(strncmp(pasta, "--network=pasta:", 16) == 0);
        for (size_t i = 0; i < ELEMENTSOF(closed); i++)
                if (!strstr(pasta, closed[i]))
                        fail_msg("%s lacks %s", pasta, closed[i]);
        assert_string_equal(
                podman_network_argument(PODMAN_NETWORK_SLIRP4NETNS),
                "--network=slirp4netns:allow_host_loopback=false");
}

static void test_format_parse(void **state) {
        (void)state;

        for (PodmanNetwork n = 0; n < _PODMAN_NETWORK_MAX; n++) {
                _cleanup_free_ char *text = podman_network_format(n, "podman 5.4 with /usr/bin/pasta");
                PodmanNetwork back = _PODMAN_NETWORK_MAX;
                RccDiag diag = {};

                assert_non_null(text);
                assert_non_null(strstr(text, "podman 5.4 with /usr/bin/pasta"));
                assert_int_equal(podman_network_parse(text, &back, &diag), 0);
                assert_int_equal(back, n);
        }
        assert_null(podman_network_format(_PODMAN_NETWORK_MAX, "x"));

        static const struct {
                const char *text;
                int r;
                PodmanNetwork want;
                unsigned line, column;
                const char *msg;
        } cases[] = {
                {"network=pasta\n", 0, PODMAN_NETWORK_PASTA, 0, 0, NULL},
                {"# comment\n\n  \nnetwork=slirp4netns  \n# end", 0, PODMAN_NETWORK_SLIRP4NETNS, 0, 0, NULL},
                {"network=pasta", 0, PODMAN_NETWORK_PASTA, 0, 0, NULL},
                {"", -EBADMSG, 0, 0, 0, "no network= line"},
                {"# only a comment\n", -EBADMSG, 0, 0, 0, "no network= line"},
                {"network=host\n", -EBADMSG, 0, 1, 9, "unknown network 'host'"},
                {"network=\n", -EBADMSG, 0, 1, 1, "expected network="},
                {"network=pasta\nnetwork=pasta\n", -EBADMSG, 0, 2, 1, "given twice"},
                {"\nruntime=crun\n", -EBADMSG, 0, 2, 1, "expected network="},
                {" network=pasta\n", -EBADMSG, 0, 1, 1, "expected network="},
                {"network=pasta,--map-gw\n", -EBADMSG, 0, 1, 9, "unknown network"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PodmanNetwork n = _PODMAN_NETWORK_MAX;
                RccDiag diag = {};

                print_message("parse: '%s'\n", cases[i].text);
                assert_int_equal(podman_network_parse(cases[i].text, &n, &diag), cases[i].r);
                if (cases[i].r == 0) {
                        assert_int_equal(n, cases[i].want);
                        continue;
                }
                assert_int_equal(n, _PODMAN_NETWORK_MAX);
                assert_int_equal(diag.line, cases[i].line);
                assert_int_equal(diag.column, cases[i].column);
                if (!strstr(diag.msg, cases[i].msg))
                        fail_msg("'%s' does not say '%s'", diag.msg, cases[i].msg);
        }
}

/* The record as rcc-shell opens it. Ownership by root can only be made by root: the checks that
 * need it run as root (as CI does), the others anywhere. */
static void test_load(void **state) {
        char dir[] = "/tmp/rcc-test-podman-network.XXXXXX", path[64], link[80], big[5000];
        PodmanNetwork n = _PODMAN_NETWORK_MAX;
        RccDiag diag = {};
        FILE *f;
        (void)state;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/network.conf", dir);
        snprintf(link, sizeof link, "%s/link.conf", dir);

        assert_int_equal(podman_network_load(path, &n, &diag), -ENOENT);
        assert_non_null(strstr(diag.msg, "rcc-setup install"));
        assert_string_equal(diag.file, path);

        assert_non_null(f = fopen(path, "we"));
        fputs("# rcc\nnetwork=pasta\n", f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(chmod(path, 0644), 0);
        assert_int_equal(symlink(path, link), 0);
        assert_true(podman_network_load(link, &n, &diag) < 0); /* never through a symlink */
        assert_int_equal(n, _PODMAN_NETWORK_MAX);

        if (geteuid() != 0) {
                assert_int_equal(podman_network_load(path, &n, &diag), -EPERM);
                assert_non_null(strstr(diag.msg, "owned by uid"));
        } else {
                assert_int_equal(podman_network_load(path, &n, &diag), 0);
                assert_int_equal(n, PODMAN_NETWORK_PASTA);
                assert_int_equal(chmod(path, 0664), 0);
                assert_int_equal(podman_network_load(path, &n, &diag), -EPERM);
                assert_non_null(strstr(diag.msg, "mode 0664"));
                assert_int_equal(chmod(path, 0644), 0);
                assert_int_equal(chown(path, 1, 0), 0);
                assert_int_equal(podman_network_load(path, &n, &diag), -EPERM);
                assert_int_equal(chown(path, 0, 0), 0);

                assert_non_null(f = fopen(path, "we"));
                fputs("network=pasta\nnetwork=slirp4netns\n", f);
                assert_int_equal(fclose(f), 0);
                assert_int_equal(podman_network_load(path, &n, &diag), -EBADMSG);
                assert_string_equal(diag.file, path);
                assert_int_equal(diag.line, 2);

                memset(big, '#', sizeof big);
                assert_non_null(f = fopen(path, "we"));
                fwrite(big, 1, sizeof big, f);
                assert_int_equal(fclose(f), 0);
                assert_int_equal(podman_network_load(path, &n, &diag), -EFBIG);
        }
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkdir(path, 0755), 0);
        assert_true(podman_network_load(path, &n, &diag) < 0); /* a directory */

        assert_int_equal(rmdir(path), 0);
        assert_int_equal(unlink(link), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_choose),
                cmocka_unit_test(test_names_and_arguments),
                cmocka_unit_test(test_format_parse),
                cmocka_unit_test(test_load),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
