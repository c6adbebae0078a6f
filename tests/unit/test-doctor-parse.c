/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure parsers behind rcc-setup doctor and image (setup/host/parse.c): subordinate id ranges and
 * their overlaps, sshd -T output and what its failure means, a failing tool's message, podman's
 * version, containers.conf's runtime, and the Debian mirror in APT sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "parse.h"

/* ---- subuid/subgid ---- */

typedef struct SubidCase {
        const char *text;
        const char *name;
        unsigned uid;
        uint64_t total;
        unsigned n_ranges;
        bool overlap;
        const char *overlap_with;
        uint64_t overlap_start;
        unsigned n_bad_lines;
} SubidCase;

static const SubidCase subid_cases[] = {
        {"rcc:100000:65536\n", "rcc", 999, 65536, 1, false, NULL, 0, 0},
        {"", "rcc", 999, 0, 0, false, NULL, 0, 0},
        {"alice:100000:65536\nrcc:165536:65536\n", "rcc", 999, 65536, 1, false, NULL, 0, 0},
        /* by uid instead of name */
        {"999:200000:65536", "rcc", 999, 65536, 1, false, NULL, 0, 0},
        /* two ranges add up */
        {"rcc:100000:32768\nrcc:400000:32768\n", "rcc", 999, 65536, 2, false, NULL, 0, 0},
        /* too few */
        {"rcc:100000:1000\n", "rcc", 999, 1000, 1, false, NULL, 0, 0},
        /* overlaps: alice's range ends inside rcc's */
        {"alice:100000:65536\nrcc:150000:65536\n", "rcc", 999, 65536, 1, true, "alice", 150000, 0},
        /* overlaps: rcc's range inside bob's, bob named by uid */
        {"1001:0:1000000\nrcc:150000:65536\n", "rcc", 999, 65536, 1, true, "1001", 150000, 0},
        /* adjacent is fine */
        {"alice:100000:50000\nrcc:150000:65536\nbob:215536:10\n", "rcc", 999, 65536, 1, false, NULL, 0, 0},
        /* the same account twice, by name and uid, is not an overlap with itself */
        {"rcc:100000:65536\n999:100000:65536\n", "rcc", 999, 131072, 2, false, NULL, 0, 0},
        /* comments, blank lines, junk */
        {"# comment\n\n  rcc:100000:65536  \nbad line\nx:1:\nx::5\n:1:2\n", "rcc", 999, 65536, 1, false,
         NULL, 0, 4},
        /* a name that only starts like ours */
        {"rcc-alice:100000:65536\n", "rcc", 999, 0, 0, false, NULL, 0, 0},
        /* count 0 and wrap-around are not ranges */
        {"rcc:100000:0\nrcc:18446744073709551615:2\n", "rcc", 999, 0, 0, false, NULL, 0, 2},
        /* no trailing newline */
        {"alice:0:10\nrcc:5:10", "rcc", 999, 10, 1, true, "alice", 5, 0},
};

static void test_subid(void **state) {
        (void)state;
        FOREACH_ARRAY (c, subid_cases, ELEMENTSOF(subid_cases)) {
                SubidReport r;

                subid_examine(c->text, c->name, c->uid, &r);
                print_message("subid: '%s'\n", c->text);
                assert_int_equal(r.total, c->total);
                assert_int_equal(r.n_ranges, c->n_ranges);
                assert_int_equal(r.overlap, c->overlap);
                if (c->overlap) {
                        assert_string_equal(r.overlap_with, c->overlap_with);
                        assert_int_equal(r.overlap_start, c->overlap_start);
                }
                assert_int_equal(r.n_bad_lines, c->n_bad_lines);
        }
}

/* ---- sshd -T ---- */

#define FORCED "/usr/bin/rcc-shell --sshd"
#define KEYS "/etc/rcc/keys"
#define GOOD_REST "disableforwarding yes\npermittunnel no\n"

typedef struct SshdCase {
        const char *text;
        bool ok;
        const char *why_contains;
} SshdCase;

static const SshdCase sshd_cases[] = {
        {"port 22\nforcecommand " FORCED "\n" GOOD_REST "authorizedkeysfile /etc/rcc/keys/%u\n", true, NULL},
        {"forcecommand " FORCED "\n" GOOD_REST "authorizedkeysfile /etc/rcc/keys/%u /etc/rcc/keys/extra\n",
         true, NULL},
        /* the Match block did not apply */
        {"forcecommand none\n" GOOD_REST "authorizedkeysfile /etc/rcc/keys/%u\n", false,
         "forcecommand is 'none'"},
        {GOOD_REST "authorizedkeysfile /etc/rcc/keys/%u\n", false, "forcecommand is 'unset'"},
        {"forcecommand " FORCED " -x\n" GOOD_REST "authorizedkeysfile /etc/rcc/keys/%u\n", false,
         "forcecommand"},
        {"forcecommand " FORCED "\ndisableforwarding no\npermittunnel no\n"
         "authorizedkeysfile /etc/rcc/keys/%u\n",
         false, "disableforwarding is 'no'"},
        {"forcecommand " FORCED "\ndisableforwarding yes\npermittunnel yes\n"
         "authorizedkeysfile /etc/rcc/keys/%u\n",
         false, "permittunnel is 'yes'"},
        {"forcecommand " FORCED "\npermittunnel no\n"
         "authorizedkeysfile /etc/rcc/keys/%u\n",
         false, "disableforwarding is 'unset'"},
        /* pam_rcc, not ExposeAuthInfo, tells rcc-shell the key: either value is fine */
        {"forcecommand " FORCED "\n" GOOD_REST "exposeauthinfo no\nauthorizedkeysfile /etc/rcc/keys/%u\n",
         true, NULL},
        /* a key file in the account's home: the agent could authorize itself */
        {"forcecommand " FORCED "\n" GOOD_REST "authorizedkeysfile /etc/rcc/keys/%u .ssh/authorized_keys\n",
         false, "'.ssh/authorized_keys'"},
        {"forcecommand " FORCED "\n" GOOD_REST "authorizedkeysfile /etc/rcc/keysX/%u\n", false, "outside"},
        {"forcecommand " FORCED "\n" GOOD_REST "authorizedkeysfile /etc/rcc/keys/../../home/%u/k\n", false,
         "outside"},
        {"forcecommand " FORCED "\n" GOOD_REST, false, "authorizedkeysfile is unset"},
        /* a key that only starts like ours */
        {"forcecommandx " FORCED "\n" GOOD_REST "authorizedkeysfile /etc/rcc/keys/%u\n", false, "unset"},
};

static void test_sshd(void **state) {
        (void)state;
        FOREACH_ARRAY (c, sshd_cases, ELEMENTSOF(sshd_cases)) {
                char why[512] = "";
                bool ok = sshd_effective_ok(c->text, FORCED, KEYS, why, sizeof why);

                print_message("sshd: '%s' → %s\n", c->text, why);
                assert_int_equal(ok, c->ok);
                if (c->why_contains)
                        assert_non_null(strstr(why, c->why_contains));
        }
}

/* ---- sshd -T failing: not started here, or broken ---- */

typedef struct SshdTestCase {
        const char *err; /* sshd's stderr, as OpenSSH says it (9.2, Debian 12; older versions) */
        int status;
        SshdTest result;
        const char *line;
} SshdTestCase;

static const SshdTestCase sshd_test_cases[] = {
        {"", 0, SSHD_TEST_OK, ""},
        /* installed, not started: its service makes /run/sshd */
        {"Missing privilege separation directory: /run/sshd\n", 255, SSHD_TEST_NOT_STARTED, "/run/sshd"},
        /* as sshd really writes it to stderr */
        {"Missing privilege separation directory: /run/sshd\r\n", 255, SSHD_TEST_NOT_STARTED, "/run/sshd"},
        {"Missing privilege separation directory: /var/empty\n", 255, SSHD_TEST_NOT_STARTED, "/var/empty"},
        /* a broken configuration: sshd's first line, not its summary */
        {"/etc/ssh/sshd_config line 3: Bad configuration option: Foo\n"
         "/etc/ssh/sshd_config: terminating, 1 bad configuration options\n",
         255, SSHD_TEST_BROKEN, "/etc/ssh/sshd_config line 3: Bad configuration option: Foo"},
        {"/etc/ssh/sshd_config.d/local.conf: line 2: Bad configuration option: Foo\n"
         "/etc/ssh/sshd_config.d/local.conf: terminating, 1 bad configuration options\n",
         255, SSHD_TEST_BROKEN, "/etc/ssh/sshd_config.d/local.conf: line 2: Bad configuration option: Foo"},
        {"/etc/ssh/sshd_config: terminating, 1 bad configuration options\n", 255, SSHD_TEST_BROKEN,
         "/etc/ssh/sshd_config: terminating, 1 bad configuration options"},
        {"/etc/ssh/sshd_config.d/rcc.conf line 2: no argument after keyword \"ForceCommand\"\n"
         "/etc/ssh/sshd_config.d/rcc.conf: terminating, 1 bad configuration options\n",
         255, SSHD_TEST_BROKEN,
         "/etc/ssh/sshd_config.d/rcc.conf line 2: no argument after keyword \"ForceCommand\""},
        {"/etc/ssh/sshd_config.d/local.conf: line 1: Bad configuration option: Foo\r\n"
         "/etc/ssh/sshd_config.d/local.conf: terminating, 1 bad configuration options\r\n",
         255, SSHD_TEST_BROKEN, "/etc/ssh/sshd_config.d/local.conf: line 1: Bad configuration option: Foo"},
        {"/etc/ssh/sshd_config: No such file or directory\n", 1, SSHD_TEST_BROKEN,
         "/etc/ssh/sshd_config: No such file or directory"},
        /* the directory there but wrong is broken, not "not started" */
        {"/run/sshd must be owned by root and not group or world-writable.\n", 255, SSHD_TEST_BROKEN,
         "/run/sshd must be owned by root and not group or world-writable."},
        /* host keys not generated yet */
        {"Unable to load host key: /etc/ssh/ssh_host_ed25519_key\nsshd: no hostkeys available -- exiting.\n",
         1, SSHD_TEST_NO_HOST_KEYS, "Unable to load host key: /etc/ssh/ssh_host_ed25519_key"},
        /* silent; blank lines and blanks around; no newline at the end */
        {"", 255, SSHD_TEST_BROKEN, ""},
        {"\n  \n\t/etc/ssh/sshd_config line 9: Unsupported option Foo  ", 255, SSHD_TEST_BROKEN,
         "/etc/ssh/sshd_config line 9: Unsupported option Foo"},
        {NULL, 255, SSHD_TEST_BROKEN, ""},
};

static void test_sshd_test_classify(void **state) {
        (void)state;
        FOREACH_ARRAY (c, sshd_test_cases, ELEMENTSOF(sshd_test_cases)) {
                char line[1024] = "x";
                SshdTest t = sshd_test_classify(c->err, c->status, line, sizeof line);

                print_message(
                        "sshd -T exit %d: '%s' → %d '%s'\n", c->status, c->err ?: "(null)", (int)t, line);
                assert_int_equal(t, c->result);
                assert_string_equal(line, c->line);
        }
}

static void test_tool_message(void **state) {
        char buf[16];

        (void)state;
        tool_message("\n  first error \nsecond\n", "stdout line\n", buf, sizeof buf);
        assert_string_equal(buf, "first error");
        tool_message("   \n", "stdout line\n", buf, sizeof buf);
        assert_string_equal(buf, "stdout line");
        tool_message(NULL, NULL, buf, sizeof buf);
        assert_string_equal(buf, "");
        /* truncated to the buffer */
        tool_message("a line longer than sixteen bytes", NULL, buf, sizeof buf);
        assert_string_equal(buf, "a line longer t");
}

/* ---- podman --version, containers.conf ---- */

static void test_podman_version(void **state) {
        static const struct {
                const char *text;
                bool ok;
                unsigned major, minor;
        } cases[] = {
                {"podman version 4.3.1\n", true, 4, 3}, {"podman version 5.0.0-dev", true, 5, 0},
                {"podman version 3.4", true, 3, 4},     {"podman version 4", false, 0, 0},
                {"Podman Engine 4.3", false, 0, 0},     {"", false, 0, 0},
        };
        (void)state;
        FOREACH_ARRAY (c, cases, ELEMENTSOF(cases)) {
                unsigned major = 99, minor = 99;
                assert_int_equal(podman_version_parse(c->text, &major, &minor), c->ok);
                if (c->ok) {
                        assert_int_equal(major, c->major);
                        assert_int_equal(minor, c->minor);
                }
        }
}

static void test_runtime(void **state) {
        static const struct {
                const char *text, *runtime; /* NULL: none named */
        } cases[] = {
                {"[engine]\nruntime = \"runc\"\n", "runc"},
                {"[containers]\nx = 1\n[engine]\ncgroup_manager = \"cgroupfs\"\n  runtime='crun'\n", "crun"},
                {"[engine]\n#runtime = \"runc\"\n", NULL},
                {"[containers]\nruntime = \"runc\"\n", NULL},
                {"[engine.runtimes]\nruntime = \"runc\"\n", NULL},
                {"[engine]\nruntime_supports_json = [\"crun\"]\n", NULL},
                {"[engine]\nruntime = \"/usr/local/bin/runc\"\n[engine.runtimes]\n", "/usr/local/bin/runc"},
                {"[engine]\nruntime = \"\"\n", NULL},
                {"", NULL},
        };
        (void)state;
        FOREACH_ARRAY (c, cases, ELEMENTSOF(cases)) {
                char buf[256] = "";
                bool named = containers_conf_runtime(c->text, buf, sizeof buf);

                print_message("runtime: '%s'\n", c->text);
                assert_int_equal(named, c->runtime != NULL);
                if (c->runtime)
                        assert_string_equal(buf, c->runtime);
        }
}

/* ---- APT sources ---- */

static void test_mirror(void **state) {
        static const struct {
                const char *text;
                bool deb822;
                const char *mirror; /* NULL: none */
        } cases[] = {
                {"deb http://deb.debian.org/debian bookworm main\n", false, "http://deb.debian.org/debian"},
                {"# deb http://old/ bookworm main\ndeb-src http://src/ bookworm main\n"
                 "deb [arch=amd64 signed-by=/k.gpg] https://m.example/debian bookworm main contrib\n",
                 false, "https://m.example/debian"},
                {"deb http://security.debian.org/debian-security bookworm-security main\n"
                 "deb http://ftp.de.debian.org/debian/ bookworm main\n",
                 false, "http://ftp.de.debian.org/debian/"},
                {"deb cdrom:[Debian]/ bookworm main\ndeb file:/srv/mirror bookworm main\n", false, NULL},
                {"deb https://deb.nodesource.com/node_20.x nodistro main\n", false, NULL},
                {"Types: deb\n# http://snapshot.debian.org/archive/debian/20250520T000000Z\n"
                 "URIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n"
                 "Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n",
                 true, "http://deb.debian.org/debian"},
                {"Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\n\n"
                 "Types: deb-src deb\nURIs: mirror+file:/etc/m.txt\n https://m2.example/debian\n"
                 "Suites: bookworm\n",
                 true, "https://m2.example/debian"},
                {"Types: deb\nURIs: http://a.example/debian\nSuites: bookworm\nEnabled: no\n", true, NULL},
                {"Types: deb-src\nURIs: http://a.example/debian\nSuites: bookworm\n", true, NULL},
                {"types: deb\nuris: http://lower.example/debian\nsuites: bookworm\n", true,
                 "http://lower.example/debian"},
                {"", true, NULL},
        };
        (void)state;
        FOREACH_ARRAY (c, cases, ELEMENTSOF(cases)) {
                char buf[1024] = "";
                bool found = apt_sources_mirror(c->text, c->deb822, "bookworm", buf, sizeof buf);

                print_message("mirror: '%s' → '%s'\n", c->text, buf);
                assert_int_equal(found, c->mirror != NULL);
                if (c->mirror)
                        assert_string_equal(buf, c->mirror);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_subid),          cmocka_unit_test(test_sshd),
                cmocka_unit_test(test_podman_version), cmocka_unit_test(test_runtime),
                cmocka_unit_test(test_mirror),         cmocka_unit_test(test_sshd_test_classify),
                cmocka_unit_test(test_tool_message),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
