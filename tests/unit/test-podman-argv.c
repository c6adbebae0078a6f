/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rcc-shell's podman argument vector and environment: every hardening flag present, none of the
 * forbidden ones, tty and limits variants, carve-outs, the working directory, rcc-landlock as the
 * entry point with its arguments (the host's ABI, the writable paths, each carve-out's device and
 * inode, each pinned directory above a carve-out), the command passed through unchanged after them;
 * the pinned directories (readonly_ancestors()); and an environment that lets no caller variable
 * through. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "environ.h"
#include "paths.h"
#include "podman-argv.h"

static const char *const readonly2[] = {".git/hooks", ".envrc"};
static const ReadonlyId readonly2_ids[] = {
        {.dev = 2049, .ino = 131073}, {.dev = 18446744073709551615ull, .ino = 7}};
static const char *const pinned1[] = {".git"};
static const ReadonlyId pinned1_ids[] = {{.dev = 2049, .ino = 131072}};
static const char *const cmd_claude[] = {"claude"};
static const char *const cmd_sh[] = {"/bin/sh", "-c", "exec claude \"$@\"", "claude", "--resume", "a b"};

static SessionSpec base_spec(void) {
        return (SessionSpec){
                .name = "rcc-rcc-42-deadbeef",
                .home = "/var/lib/rcc/home/rcc",
                .home_source = "/var/lib/rcc/storage/999/homes/alice/0123456789abcdef/home",
                .uid = 999,
                .gid = 995,
                .image = "localhost/rcc-claude:latest",
                .project_source = "/var/lib/rcc/storage/rcc/stage/s",
                .project_dev = 2049,
                .project_ino = 131071,
                .project_subdir = "",
                .command = cmd_claude,
                .n_command = 1,
                .limits = LIMITS_CGROUP,
                .landlock_abi = 7,
                .tmp_bytes = 536870912,
        };
}

static ssize_t find(char **argv, const char *s) {
        for (size_t i = 0; argv[i]; i++)
                if (strcmp(argv[i], s) == 0)
                        return (ssize_t)i;
        return -1;
}

static size_t count(char **argv, const char *s) {
        size_t n = 0;

        for (size_t i = 0; argv[i]; i++)
                n += strcmp(argv[i], s) == 0;
        return n;
}

/* FLAG VALUE as two consecutive entries before the image. */
static bool has_pair(char **argv, const char *flag, const char *value) {
        for (size_t i = 0; argv[i] && argv[i + 1]; i++)
                if (strcmp(argv[i], flag) == 0 && strcmp(argv[i + 1], value) == 0)
                        return true;
        return false;
}

static void assert_forbidden_absent(char **argv, const SessionSpec *spec) {
        static const char *const prefixes[] = {
                "--privileged",
                "--network=host",
                "--net=host",
                "--pid=",
                "--ipc=",
                "--uts=",
                "--publish",
                "--env-host",
                "--env-file",
                "--preserve-fds",
                "--cap-add",
                "--volume",
                "--device",
                "--userns=host",
                "--cgroupns=host",
                "--security-opt=seccomp",
                "--security-opt=label=disable",
                "--security-opt=apparmor=unconfined",
                "--group-add",
                "--annotation",
        };
        ssize_t image = find(argv, spec->image);

        assert_true(image > 0);
        for (ssize_t i = 0; i < image; i++) {
                for (size_t j = 0; j < ELEMENTSOF(prefixes); j++)
                        if (strncmp(argv[i], prefixes[j], strlen(prefixes[j])) == 0)
                                fail_msg("forbidden flag %s", argv[i]);
                assert_string_not_equal(argv[i], "--pid");
                assert_string_not_equal(argv[i], "--ipc");
                assert_string_not_equal(argv[i], "--uts");
                assert_string_not_equal(argv[i], "--network");
                assert_string_not_equal(argv[i], "--net");
                assert_string_not_equal(argv[i], "-p");
                assert_string_not_equal(argv[i], "-v");
                assert_string_not_equal(argv[i], "-P");
                assert_null(strstr(argv[i], "unconfined"));
                /* Nothing of the account's own home: the session's is mounted there. */
                if (strstr(argv[i], spec->home)) {
                        char home[1024];
                        snprintf(home, sizeof home, ",dst=%s,", spec->home);
                        assert_true(
                                strstr(argv[i], home) ||
                                strncmp(argv[i], spec->home, strlen(spec->home)) == 0);
                }
        }
}

static void assert_required(char **argv, const SessionSpec *spec) {
        static const char *const required[] = {
                "run",
                "--rm",
                "-i",
                "--pull=never",
                "--init",
                "--cap-drop=ALL",
                "--security-opt=no-new-privileges",
                "--userns=keep-id",
                "--network=slirp4netns:allow_host_loopback=false",
                "--detach-keys=",
                "--log-driver=none",
                "--no-hosts",
                "--read-only",
                "--read-only-tmpfs=false",
        };
        char mount[8192];

        assert_string_equal(argv[0], RCC_PODMAN);
        /* Global flags before the verb: the account's own mounts.conf and hooks never apply. */
        assert_string_equal(argv[1], "--default-mounts-file=" RCC_PODMAN_CONF_DIR "/mounts.conf");
        assert_string_equal(argv[2], "--hooks-dir=" RCC_PODMAN_CONF_DIR "/hooks.d");
        assert_string_equal(argv[3], "run");
        for (size_t i = 0; i < ELEMENTSOF(required); i++)
                if (find(argv, required[i]) < 0)
                        fail_msg("missing %s", required[i]);
        assert_true(has_pair(argv, "--name", spec->name));
        snprintf(
                mount, sizeof mount, "type=bind,src=%s,dst=/workspace,rw,nosuid,nodev",
                spec->project_source);
        assert_true(has_pair(argv, "--mount", mount));
        /* /tmp, a tmpfs of the size given; the home, the session's own or (ephemeral) another. */
        snprintf(mount, sizeof mount, "/tmp:rw,nosuid,nodev,mode=1777,size=%" PRIu64, spec->tmp_bytes);
        assert_true(has_pair(argv, "--tmpfs", mount));
        if (spec->home_source) {
                snprintf(
                        mount, sizeof mount, "type=bind,src=%s,dst=%s,rw,nosuid,nodev", spec->home_source,
                        spec->home);
                assert_true(has_pair(argv, "--mount", mount));
                assert_int_equal(count(argv, "--tmpfs"), 1);
        } else {
                snprintf(
                        mount, sizeof mount, "%s:rw,nosuid,nodev,mode=0700,size=%" PRIu64 ",uid=%u,gid=%u",
                        spec->home, spec->tmp_bytes, (unsigned)spec->uid, (unsigned)spec->gid);
                assert_true(has_pair(argv, "--tmpfs", mount));
                assert_int_equal(count(argv, "--tmpfs"), 2);
        }
        assert_forbidden_absent(argv, spec);

        /* rcc-landlock, bound read-only from the host, is the entry point; once. */
        assert_true(has_pair(
                argv, "--mount", "type=bind,src=" RCC_LANDLOCK_PATH ",dst=/.rcc/landlock,ro,nosuid,nodev"));
        assert_true(has_pair(argv, "--entrypoint", "/.rcc/landlock"));
        assert_int_equal(count(argv, "--entrypoint"), 1);

        /* The image, the launcher's arguments, "--", then exactly the command, at the very end. */
        ssize_t image = find(argv, spec->image);
        assert_true(find(argv, "--entrypoint") < image);
        size_t k = (size_t)image + 1;
        char want[512];
        snprintf(want, sizeof want, "--abi=%d", spec->landlock_abi);
        assert_string_equal(argv[k++], want);
        /* The project, by what rcc-shell checked, before anything else the launcher checks. */
        snprintf(
                want, sizeof want, "--workspace=%" PRIu64 ":%" PRIu64 ":/workspace", spec->project_dev,
                spec->project_ino);
        assert_string_equal(argv[k++], want);
        assert_string_equal(argv[k++], "--writable=/workspace");
        assert_string_equal(argv[k++], "--writable=/tmp");
        snprintf(want, sizeof want, "--writable=%s", spec->home);
        assert_string_equal(argv[k++], want);
        for (size_t i = 0; i < spec->n_pinned; i++) {
                snprintf(
                        want, sizeof want, "--pinned=%" PRIu64 ":%" PRIu64 ":/workspace/%s",
                        spec->pinned_ids[i].dev, spec->pinned_ids[i].ino, spec->pinned[i]);
                assert_string_equal(argv[k++], want);
        }
        for (size_t i = 0; i < spec->n_readonly; i++) {
                snprintf(
                        want, sizeof want, "--readonly=%" PRIu64 ":%" PRIu64 ":/workspace/%s",
                        spec->readonly_ids[i].dev, spec->readonly_ids[i].ino, spec->readonly[i]);
                assert_string_equal(argv[k++], want);
        }
        assert_string_equal(argv[k++], "--");
        assert_int_equal(strv_length(argv), k + spec->n_command);
        for (size_t i = 0; i < spec->n_command; i++)
                assert_string_equal(argv[k + i], spec->command[i]);
}

typedef struct ArgvCase {
        const char *what;
        bool tty;
        const char *term;
        LimitsMechanism limits;
        uint64_t memory;
        uint32_t cpus_milli, pids;
        const char *subdir;
        bool readonly;
        bool pinned; /* with readonly: .git pinned */
        bool sh_command;
        int landlock_abi;
        const char *const *want;  /* NULL-terminated: must appear (pairs as "FLAG\tVALUE") */
        const char *const *avoid; /* NULL-terminated: must not appear anywhere */
} ArgvCase;

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const ArgvCase argv_cases[] = {
        {"no tty, no limits", .want = L("--workdir\t/workspace"),
         .avoid = L("-t", "--memory", "--pids-limit", "--cpus", "--ulimit", "--env")},
        {"tty with TERM", .tty = true, .term = "xterm-256color",
         .want = L("-t", "--env\tTERM=xterm-256color")},
        {"tty without TERM", .tty = true, .want = L("-t"), .avoid = L("--env")},
        {"TERM ignored without tty", .term = "xterm", .avoid = L("-t", "--env")},
        {"cgroup limits", .memory = 8589934592ull, .cpus_milli = 4000, .pids = 1024,
         .want = L(
                 "--memory\t8589934592", "--memory-swap\t8589934592", "--pids-limit\t1024", "--cpus\t4.000"),
         .avoid = L("--ulimit")},
        {"cgroup fractional cpus", .cpus_milli = 1500, .want = L("--cpus\t1.500"),
         .avoid = L("--memory", "--pids-limit")},
        {"cgroup small cpus", .cpus_milli = 5, .want = L("--cpus\t0.005")},
        {"rlimit limits", .limits = LIMITS_RLIMIT, .memory = 1073741824, .cpus_milli = 2000, .pids = 512,
         .want = L("--ulimit\tnproc=512:512", "--ulimit\tdata=1073741824:1073741824"),
         .avoid = L("--memory", "--memory-swap", "--pids-limit", "--cpus")},
        {"rlimit pids only", .limits = LIMITS_RLIMIT, .pids = 100, .want = L("--ulimit\tnproc=100:100"),
         .avoid = L("--memory")},
        {"subdir workdir", .subdir = "lib/src", .want = L("--workdir\t/workspace/lib/src")},
        {"carve-outs", .readonly = true,
         .want = L(
                 "--mount\ttype=bind,src=/var/lib/rcc/storage/rcc/stage/s/.git/hooks,dst=/workspace/.git/hooks,ro,nosuid,nodev",
                 "--mount\ttype=bind,src=/var/lib/rcc/storage/rcc/stage/s/.envrc,dst=/workspace/.envrc,ro,nosuid,nodev")},
        {"carve-outs with .git pinned", .readonly = true, .pinned = true, .landlock_abi = 7,
         .want = L(
                 "--mount\ttype=bind,src=/var/lib/rcc/storage/rcc/stage/s/.git,dst=/workspace/.git,rw,nosuid,nodev",
                 "--mount\ttype=bind,src=/var/lib/rcc/storage/rcc/stage/s/.git/hooks,dst=/workspace/.git/hooks,ro,nosuid,nodev",
                 "--pinned=2049:131072:/workspace/.git", "--readonly=2049:131073:/workspace/.git/hooks")},
        {"-c args pass through", .sh_command = true, .landlock_abi = 7},
        {"no Landlock on the host: the launcher is still the entry point", .landlock_abi = 0,
         .want = L("--abi=0", "--entrypoint\t/.rcc/landlock")},
        {"carve-outs under ABI 1", .readonly = true, .landlock_abi = 1,
         .want =
                 L("--abi=1", "--readonly=2049:131073:/workspace/.git/hooks",
                   "--readonly=18446744073709551615:7:/workspace/.envrc")},
};

static void assert_wanted(char **argv, const char *const *want) {
        for (const char *const *w = want; w && *w; w++) {
                const char *tab = strchr(*w, '\t');
                if (!tab) {
                        if (find(argv, *w) < 0)
                                fail_msg("missing %s", *w);
                        continue;
                }
                char flag[64];
                snprintf(flag, sizeof flag, "%.*s", (int)(tab - *w), *w);
                if (!has_pair(argv, flag, tab + 1))
                        fail_msg("missing %s %s", flag, tab + 1);
        }
}

static void test_argv_cases(void **state) {
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(argv_cases); i++) {
                const ArgvCase *t = &argv_cases[i];
                SessionSpec spec = base_spec();
                char **argv = NULL;

                print_message("case: %s\n", t->what);
                spec.tty = t->tty;
                spec.term = t->term;
                spec.limits = t->limits;
                spec.memory_bytes = t->memory;
                spec.cpus_milli = t->cpus_milli;
                spec.pids = t->pids;
                if (t->subdir)
                        spec.project_subdir = t->subdir;
                if (t->readonly) {
                        spec.readonly = readonly2;
                        spec.readonly_ids = readonly2_ids;
                        spec.n_readonly = ELEMENTSOF(readonly2);
                }
                if (t->pinned) {
                        spec.pinned = pinned1;
                        spec.pinned_ids = pinned1_ids;
                        spec.n_pinned = ELEMENTSOF(pinned1);
                }
                spec.landlock_abi = t->landlock_abi;
                if (t->sh_command) {
                        spec.command = cmd_sh;
                        spec.n_command = ELEMENTSOF(cmd_sh);
                }
                assert_int_equal(podman_argv_build(&spec, &argv), 0);
                assert_required(argv, &spec);
                assert_wanted(argv, t->want);
                for (const char *const *a = t->avoid; a && *a; a++)
                        if (find(argv, *a) >= 0)
                                fail_msg("unexpected %s", *a);
                /* The ro binds come after the rw bind of the root they carve out of. */
                if (t->readonly)
                        assert_true(
                                find(argv,
                                     "type=bind,src=/var/lib/rcc/storage/rcc/stage/s,dst=/workspace,rw,nosuid,nodev") <
                                find(argv,
                                     "type=bind,src=/var/lib/rcc/storage/rcc/stage/s/.envrc,dst=/workspace/.envrc,ro,"
                                     "nosuid,nodev"));
                /* A pinned directory is bound before the carve-out beneath it, which it would
                 * otherwise cover. */
                if (t->pinned)
                        assert_true(
                                find(argv,
                                     "type=bind,src=/var/lib/rcc/storage/rcc/stage/s/.git,dst=/workspace/.git,rw,nosuid,"
                                     "nodev") <
                                find(argv,
                                     "type=bind,src=/var/lib/rcc/storage/rcc/stage/s/.git/hooks,dst=/workspace/.git/"
                                     "hooks,ro,nosuid,nodev"));
                else
                        assert_int_equal(count(argv, "--pinned"), 0);
                strv_free(argv);
        }
}

static void test_argv_invalid(void **state) {
        static const char *const bad_ro_dotdot[] = {"../etc"};
        static const char *const bad_ro_abs[] = {"/etc/shadow"};
        static const char *const bad_ro_comma[] = {"x,src=/etc"};
        static const char *const bad_ro_dot[] = {"a/./b"};
        (void)state;

        struct {
                const char *what;
                SessionSpec spec;
        } cases[] = {
                {"relative root", base_spec()},
                {"root /", base_spec()},
                {"comma in root", base_spec()},
                {"colon in root", base_spec()},
                {"relative home", base_spec()},
                {"comma in home", base_spec()},
                {"no command", base_spec()},
                {"option as image", base_spec()},
                {"subdir ..", base_spec()},
                {"absolute subdir", base_spec()},
                {"ro ..", base_spec()},
                {"ro absolute", base_spec()},
                {"ro comma", base_spec()},
                {"ro dot", base_spec()},
                {"ro without ids", base_spec()},
                {"negative Landlock ABI", base_spec()},
                {"pinned not above a carve-out", base_spec()},
                {"pinned is a carve-out", base_spec()},
                {"pinned beneath a carve-out", base_spec()},
                {"pinned absolute", base_spec()},
                {"pinned ..", base_spec()},
                {"pinned comma", base_spec()},
                {"pinned without ids", base_spec()},
                {"pinned child before parent", base_spec()},
                {"pinned without carve-outs", base_spec()},
                {"no size for /tmp", base_spec()},
                {"relative home", base_spec()},
                {"comma in home source", base_spec()},
        };
        static const char *const deep_ro[] = {"a/b/c", "d"};
        static const char *const pin_src[] = {"src"};
        static const char *const pin_hooks[] = {".git/hooks"};
        static const char *const pin_below[] = {"d/e"};
        static const char *const pin_abs[] = {"/home/alice/src/app/a"};
        static const char *const pin_dotdot[] = {"a/.."};
        static const char *const pin_comma[] = {"a,ro=false"};
        static const char *const pin_order[] = {"a/b", "a"};
        static const ReadonlyId ids2[] = {{1, 2}, {1, 3}};
        for (size_t i = 16; i <= 24; i++) {
                cases[i].spec.readonly = deep_ro;
                cases[i].spec.readonly_ids = ids2;
                cases[i].spec.n_readonly = ELEMENTSOF(deep_ro);
                cases[i].spec.pinned_ids = ids2;
                cases[i].spec.n_pinned = 1;
        }
        cases[16].spec.pinned = pin_src;
        cases[17].spec.readonly = readonly2;
        cases[17].spec.pinned = pin_hooks;
        cases[18].spec.pinned = pin_below;
        cases[18].spec.readonly = (const char *const[]){"a/b/c", "d/e/f", "d"};
        cases[18].spec.readonly_ids = (const ReadonlyId[]){{1, 2}, {1, 3}, {1, 4}};
        cases[18].spec.n_readonly = 3;
        cases[19].spec.pinned = pin_abs;
        cases[20].spec.pinned = pin_dotdot;
        cases[21].spec.pinned = pin_comma;
        cases[22].spec.pinned = pinned1; /* .git */
        cases[22].spec.readonly = (const char *const[]){".git/hooks"};
        cases[22].spec.n_readonly = 1;
        cases[22].spec.pinned_ids = NULL;
        cases[23].spec.pinned = pin_order;
        cases[23].spec.n_pinned = 2;
        cases[24].spec.pinned = pinned1;
        cases[24].spec.readonly = NULL;
        cases[24].spec.readonly_ids = NULL;
        cases[24].spec.n_readonly = 0;
        cases[0].spec.project_source = "home/alice";
        cases[1].spec.project_source = "/";
        cases[2].spec.project_source = "/home/a,b";
        cases[3].spec.project_source = "/home/a:b";
        cases[4].spec.home = "var/lib/rcc";
        cases[5].spec.home = "/var/lib/rcc,ro";
        cases[6].spec.n_command = 0;
        cases[7].spec.image = "--privileged";
        cases[8].spec.project_subdir = "../x";
        cases[9].spec.project_subdir = "/etc";
        cases[10].spec.readonly = bad_ro_dotdot;
        cases[11].spec.readonly = bad_ro_abs;
        cases[12].spec.readonly = bad_ro_comma;
        cases[13].spec.readonly = bad_ro_dot;
        for (size_t i = 10; i <= 13; i++) {
                cases[i].spec.n_readonly = 1;
                cases[i].spec.readonly_ids = readonly2_ids;
        }
        cases[14].spec.readonly = readonly2;
        cases[14].spec.n_readonly = 1;
        cases[15].spec.landlock_abi = -1;
        cases[25].spec.tmp_bytes = 0;
        cases[26].spec.home_source = "var/lib/rcc/storage/999/homes/a/b/home";
        cases[27].spec.home_source = "/var/lib/rcc/storage/999/homes/a,ro=false/home";

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char **argv = (char **)0x1;
                print_message("case: %s\n", cases[i].what);
                assert_int_equal(podman_argv_build(&cases[i].spec, &argv), -EINVAL);
                assert_ptr_equal(argv, (char **)0x1); /* untouched */
        }
}

/* container.home: ephemeral: the home a tmpfs of the account's, no bind of any home. */
static void test_argv_ephemeral_home(void **state) {
        SessionSpec spec = base_spec();
        char **argv = NULL;
        (void)state;

        spec.home_source = NULL;
        assert_int_equal(podman_argv_build(&spec, &argv), 0);
        assert_required(argv, &spec);
        for (size_t i = 0; argv[i]; i++)
                assert_null(strstr(argv[i], "/homes/"));
        strv_free(argv);
}

/* rcc-firewalld's directory of the session's denials, bound read-only at /run/rcc when there is
 * one, and not at all when there is none; a path that would add mount options is refused. */
static void test_argv_denials(void **state) {
        SessionSpec spec = base_spec();
        char **argv = NULL, **bad = (char **)0x1;
        (void)state;

        spec.denials_dir = "/run/rcc/denials/4242";
        assert_int_equal(podman_argv_build(&spec, &argv), 0);
        assert_required(argv, &spec);
        assert_true(has_pair(
                argv, "--mount", "type=bind,src=/run/rcc/denials/4242,dst=/run/rcc,ro,nosuid,nodev,noexec"));
        strv_free(argv);

        spec.denials_dir = NULL;
        assert_int_equal(podman_argv_build(&spec, &argv), 0);
        for (size_t i = 0; argv[i]; i++)
                assert_null(strstr(argv[i], "/run/rcc"));
        strv_free(argv);

        spec.denials_dir = "/run/rcc/denials/1,rw";
        assert_int_equal(podman_argv_build(&spec, &bad), -EINVAL);
        spec.denials_dir = "run/rcc/denials/1";
        assert_int_equal(podman_argv_build(&spec, &bad), -EINVAL);
        assert_ptr_equal(bad, (char **)0x1);
}

/* The rootless network rcc-setup recorded: exactly one --network argument before the image, with
 * the options that close the network's own routes to the host (slirp4netns's gateway to the
 * host's loopback; pasta's gateway and 169.254.1.2 mappings and its spliced loopback ports); a
 * network that is none of them is refused. */
static void test_argv_network(void **state) {
        static const struct {
                PodmanNetwork network;
                const char *want;
        } cases[] = {
                {PODMAN_NETWORK_SLIRP4NETNS, "--network=slirp4netns:allow_host_loopback=false"},
                {PODMAN_NETWORK_PASTA,
                 "--network=pasta:--map-host-loopback,none,--map-guest-addr,none,-t,none,-u,none,-T,none,-U,"
                 "none"},
        };
        (void)state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                SessionSpec spec = base_spec();
                char **argv = NULL;
                size_t n = 0;

                spec.network = cases[i].network;
                assert_int_equal(podman_argv_build(&spec, &argv), 0);
                for (size_t j = 0; argv[j]; j++)
                        n += strncmp(argv[j], "--net", 5) == 0;
                assert_int_equal(n, 1);
                assert_true(find(argv, cases[i].want) > 0);
                assert_true(find(argv, cases[i].want) < find(argv, spec.image));
                /* Nothing that opens a mapping again: --map-gw is podman's own switch for one. */
                for (size_t j = 0; argv[j]; j++) {
                        assert_null(strstr(argv[j], "--map-gw"));
                        assert_null(strstr(argv[j], "allow_host_loopback=true"));
                }
                strv_free(argv);
        }

        SessionSpec spec = base_spec();
        char **argv = (char **)0x1;
        spec.network = _PODMAN_NETWORK_MAX;
        assert_int_equal(podman_argv_build(&spec, &argv), -EINVAL);
        assert_ptr_equal(argv, (char **)0x1);
}

static void test_argv_pinned_deep(void **state) {
        static const char *const ro[] = {"a/b/c", ".git/hooks", ".git/config"};
        static const ReadonlyId ro_ids[] = {{1, 10}, {1, 11}, {1, 12}};
        static const char *const pin[] = {"a", "a/b", ".git"};
        static const ReadonlyId pin_ids[] = {{1, 20}, {1, 21}, {1, 22}};
        SessionSpec spec = base_spec();
        char **argv = NULL;
        (void)state;

        spec.readonly = ro;
        spec.readonly_ids = ro_ids;
        spec.n_readonly = ELEMENTSOF(ro);
        spec.pinned = pin;
        spec.pinned_ids = pin_ids;
        spec.n_pinned = ELEMENTSOF(pin);
        assert_int_equal(podman_argv_build(&spec, &argv), 0);
        assert_required(argv, &spec);
        ssize_t a = find(
                argv, "type=bind,src=/var/lib/rcc/storage/rcc/stage/s/a,dst=/workspace/a,rw,nosuid,nodev");
        ssize_t ab = find(
                argv,
                "type=bind,src=/var/lib/rcc/storage/rcc/stage/s/a/b,dst=/workspace/a/b,rw,nosuid,nodev");
        ssize_t abc = find(
                argv,
                "type=bind,src=/var/lib/rcc/storage/rcc/stage/s/a/b/c,dst=/workspace/a/b/c,ro,nosuid,nodev");
        ssize_t root =
                find(argv, "type=bind,src=/var/lib/rcc/storage/rcc/stage/s,dst=/workspace,rw,nosuid,nodev");
        assert_true(root > 0 && root < a && a < ab && ab < abc);
        assert_true(find(argv, "--pinned=1:21:/workspace/a/b") > 0);
        strv_free(argv);
}

static void test_ancestors(void **state) {
        const struct {
                const char *what;
                const char *const *present;
                size_t n;
                const char *const *want; /* NULL-terminated */
        } cases[] = {
                {"none", NULL, 0, L(NULL)},
                {"top-level only", L(".envrc"), 1, L(NULL)},
                {".git shared", L(".git/hooks", ".git/config", ".envrc"), 3, L(".git")},
                {"deep, parents first", L("a/b/c"), 1, L("a", "a/b")},
                {"shared prefix", L("a/b/c", "a/x", "a/b/d/e"), 3, L("a", "a/b", "a/b/d")},
                {"slashes normalised", L("a//b/c/", ".git/hooks"), 2, L("a", "a/b", ".git")},
                {"a carve-out above another is not pinned", L(".git", ".git/hooks"), 2, L(NULL)},
                {"nor what lies beneath one", L("a/b/c/d", "a/b"), 2, L("a")},
                {"order of the carve-outs does not matter", L("a/b", "a/b/c/d"), 2, L("a")},
        };
        (void)state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char **v = NULL;
                size_t n = 99, want_n = 0;

                print_message("case: %s\n", cases[i].what);
                assert_int_equal(readonly_ancestors(cases[i].present, cases[i].n, &v, &n), 0);
                while (cases[i].want[want_n])
                        want_n++;
                assert_int_equal(n, want_n);
                for (size_t j = 0; j < n; j++)
                        assert_string_equal(v[j], cases[i].want[j]);
                assert_null(v[n]);
                strv_free(v);
        }

        char **v = (char **)0x1;
        size_t n = 0;
        assert_int_equal(readonly_ancestors(L("a/../b/c"), 1, &v, &n), -EINVAL);
        assert_int_equal(readonly_ancestors(L("x/y", "./b/c"), 2, &v, &n), -EINVAL);
        assert_ptr_equal(v, (char **)0x1);

        assert_true(readonly_path_within("a/b", "a", true));
        assert_true(readonly_path_within("a//b/", "a/", true));
        assert_false(readonly_path_within("a", "a", true));
        assert_true(readonly_path_within("a", "a/", false));
        assert_false(readonly_path_within("ab", "a", false));
        assert_false(readonly_path_within("a", "a/b", false));
        assert_false(readonly_path_within(".git", ".git/hooks", false));
        assert_true(readonly_path_within(".git/hooks/x", ".git/hooks", true));
}

static void test_rm_argv(void **state) {
        char **argv = NULL;
        (void)state;

        assert_int_equal(podman_rm_argv_build("rcc-rcc-1-ab", &argv), 0);
        assert_int_equal(strv_length(argv), 6);
        assert_string_equal(argv[0], RCC_PODMAN);
        assert_string_equal(argv[1], "rm");
        assert_string_equal(argv[2], "-f");
        assert_string_equal(argv[3], "-t");
        assert_string_equal(argv[4], "0");
        assert_string_equal(argv[5], "rcc-rcc-1-ab");
        strv_free(argv);
        assert_int_equal(podman_rm_argv_build("-a", &argv), -EINVAL);

        assert_int_equal(podman_kill_argv_build("rcc-rcc-1-ab", 1, &argv), 0);
        assert_int_equal(strv_length(argv), 5);
        assert_string_equal(argv[0], RCC_PODMAN);
        assert_string_equal(argv[1], "kill");
        assert_string_equal(argv[2], "--signal");
        assert_string_equal(argv[3], "1");
        assert_string_equal(argv[4], "rcc-rcc-1-ab");
        strv_free(argv);
        assert_int_equal(podman_kill_argv_build("--all", 1, &argv), -EINVAL);
        assert_int_equal(podman_kill_argv_build("x", 0, &argv), -EINVAL);
}

/* rcc-stage through `podman unshare`: the mount point, the project and its identity, nothing else. */
static void test_stage_argv(void **state) {
        StageSpec spec = {
                .mountpoint = "/var/lib/rcc/storage/999/stage/s1",
                .project = "/home/alice/src/app",
                .dev = 2049,
                .ino = 18446744073709551615ull,
                .graph = "/var/lib/rcc/storage/999/graph",
                .seal = "version=1\n...",
        };
        char **argv = NULL;
        (void)state;

        assert_int_equal(podman_stage_argv_build(&spec, &argv), 0);
        assert_int_equal(strv_length(argv), 9);
        assert_string_equal(argv[0], RCC_PODMAN);
        assert_string_equal(argv[1], "unshare");
        assert_string_equal(argv[2], RCC_STAGE_PATH);
        assert_string_equal(argv[3], "stage");
        assert_string_equal(argv[4], "/var/lib/rcc/storage/999/stage/s1");
        assert_string_equal(argv[5], "/home/alice/src/app");
        assert_string_equal(argv[6], "2049:18446744073709551615");
        assert_string_equal(argv[7], "/var/lib/rcc/storage/999/graph");
        assert_string_equal(argv[8], "version=1\n...");
        strv_free(argv);
        StageSpec bad = spec;
        bad.mountpoint = "relative";
        assert_int_equal(podman_stage_argv_build(&bad, &argv), -EINVAL);
        bad = spec;
        bad.project = "-rf";
        assert_int_equal(podman_stage_argv_build(&bad, &argv), -EINVAL);
        bad = spec;
        bad.graph = NULL;
        assert_int_equal(podman_stage_argv_build(&bad, &argv), -EINVAL);
        bad = spec;
        bad.seal = "";
        assert_int_equal(podman_stage_argv_build(&bad, &argv), -EINVAL);

        assert_int_equal(podman_unstage_argv_build("/var/lib/rcc/storage/rcc/stage/s1", &argv), 0);
        assert_int_equal(strv_length(argv), 5);
        assert_string_equal(argv[1], "unshare");
        assert_string_equal(argv[2], RCC_STAGE_PATH);
        assert_string_equal(argv[3], "unstage");
        assert_string_equal(argv[4], "/var/lib/rcc/storage/rcc/stage/s1");
        strv_free(argv);
        assert_int_equal(podman_unstage_argv_build("--all", &argv), -EINVAL);
}

/* Every variable a hostile caller might set to steer podman, plus the two that may pass. */
static char *hostile_env[] = {
        "HOME=/tmp/evil",
        "PATH=/tmp/evil/bin",
        "USER=root",
        "LOGNAME=root",
        "XDG_CONFIG_HOME=/tmp/evil",
        "XDG_DATA_HOME=/tmp/evil",
        "XDG_RUNTIME_DIR=/tmp/evil",
        "CONTAINERS_CONF=/tmp/evil/containers.conf",
        "CONTAINERS_STORAGE_CONF=/tmp/evil/storage.conf",
        "CONTAINERS_REGISTRIES_CONF=/tmp/evil/registries.conf",
        "CONTAINER_HOST=unix:///tmp/evil.sock",
        "CONTAINER_CONNECTION=evil",
        "LD_PRELOAD=/tmp/evil.so",
        "LD_LIBRARY_PATH=/tmp/evil",
        "TMPDIR=/tmp/evil",
        "DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/evil",
        "SSH_ORIGINAL_COMMAND=rm -rf /",
        "RCC_PROJECT=/etc",
        "TERM=xterm-256color",
        "LANG=en_US.UTF-8",
        NULL,
};

static const char *allowed_names[] = {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "CONTAINERS_CONF",
        "CONTAINERS_STORAGE_CONF",
        "CONTAINERS_REGISTRIES_CONF",
        "XDG_RUNTIME_DIR",
        "TERM",
        "LANG",
};

static void assert_env_allowlisted(char **env) {
        for (char **e = env; *e; e++) {
                bool ok = false;
                for (size_t i = 0; i < ELEMENTSOF(allowed_names); i++) {
                        size_t len = strlen(allowed_names[i]);
                        if (strncmp(*e, allowed_names[i], len) == 0 && (*e)[len] == '=')
                                ok = true;
                }
                if (!ok)
                        fail_msg("variable passed: %s", *e);
                assert_null(strstr(*e, "evil"));
        }
}

static void test_env(void **state) {
        EnvSpec spec = {
                .home = "/var/lib/rcc/home/rcc",
                .user = "rcc",
                .uid = 990,
                .caller_env = hostile_env,
        };
        char **env = NULL;
        (void)state;

        /* No tty, no runtime dir. */
        assert_int_equal(session_env_build(&spec, &env), 0);
        assert_env_allowlisted(env);
        assert_string_equal(env_lookup(env, "PATH"), "/usr/bin:/bin");
        assert_string_equal(env_lookup(env, "HOME"), "/var/lib/rcc/home/rcc");
        assert_string_equal(env_lookup(env, "USER"), "rcc");
        assert_string_equal(env_lookup(env, "LOGNAME"), "rcc");
        assert_string_equal(env_lookup(env, "CONTAINERS_CONF"), RCC_CONTAINERS_CONF);
        assert_string_equal(env_lookup(env, "CONTAINERS_STORAGE_CONF"), RCC_STORAGE_CONF);
        assert_string_equal(env_lookup(env, "CONTAINERS_REGISTRIES_CONF"), RCC_REGISTRIES_CONF);
        assert_string_equal(env_lookup(env, "LANG"), "en_US.UTF-8");
        assert_null(env_lookup(env, "XDG_RUNTIME_DIR"));
        assert_null(env_lookup(env, "TERM"));
        assert_int_equal(strv_length(env), 8);
        strv_free(env);

        /* tty and a usable runtime dir. */
        spec.tty = true;
        spec.runtime_dir_ok = true;
        assert_int_equal(session_env_build(&spec, &env), 0);
        assert_env_allowlisted(env);
        assert_string_equal(env_lookup(env, "XDG_RUNTIME_DIR"), "/run/user/990");
        assert_string_equal(env_lookup(env, "TERM"), "xterm-256color");
        assert_int_equal(strv_length(env), 10);
        strv_free(env);

        /* Nothing at all from an empty caller environment. */
        spec.caller_env = NULL;
        assert_int_equal(session_env_build(&spec, &env), 0);
        assert_null(env_lookup(env, "TERM"));
        assert_null(env_lookup(env, "LANG"));
        strv_free(env);
}

static void test_env_sanitise(void **state) {
        static const struct {
                const char *var;
                bool term_ok, lang_ok;
        } cases[] = {
                {"xterm-256color", true, true},
                {"screen.xterm", true, true},
                {"rxvt+unicode", true, false},
                {"C.UTF-8", true, true},
                {"de_DE.UTF-8@euro", false, true},
                {"", false, false},
                {"-x", false, true},
                {"xterm\n", false, false},
                {"x y", false, false},
                {"$(reboot)", false, false},
                {"../../etc", false, false},
                {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
        };
        (void)state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char term[128], lang[128];
                char *env[] = {term, lang, NULL};
                snprintf(term, sizeof term, "TERM=%s", cases[i].var);
                snprintf(lang, sizeof lang, "LANG=%s", cases[i].var);
                print_message("case: '%s'\n", cases[i].var);
                assert_int_equal(env_sane_term(env) != NULL, cases[i].term_ok);
                assert_int_equal(env_sane_lang(env) != NULL, cases[i].lang_ok);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_argv_cases),
                cmocka_unit_test(test_argv_invalid),
                cmocka_unit_test(test_argv_pinned_deep),
                cmocka_unit_test(test_argv_ephemeral_home),
                cmocka_unit_test(test_argv_denials),
                cmocka_unit_test(test_ancestors),
                cmocka_unit_test(test_rm_argv),
                cmocka_unit_test(test_stage_argv),
                cmocka_unit_test(test_env),
                cmocka_unit_test(test_env_sanitise),
                cmocka_unit_test(test_argv_network),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
