/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy loader, table-driven over tests/fixtures/{good,bad}/NAME/: every good fixture loads;
 * every bad one fails with exactly the message in its expected-error file. Each fixture is copied
 * into a fresh temporary directory with sane modes first, so a checkout made with umask 002 does
 * not fail the ownership checks. Then the file checks (modes, symlinks, owners, ignored names,
 * size cap, user lookup) on trees built at test time.
 */
#include <dirent.h>
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cidr.h"
#include "policy.h"

#include "policy-test-util.h"

/* ---- fixtures ---- */

typedef struct Fixture {
        char name[NAME_MAX + 8]; /* "good/NAME" or "bad/NAME" */
        char path[PATH_MAX];
} Fixture;

static size_t count_account_files(const char *fixture) {
        char path[PATH_MAX];
        struct dirent *de;
        size_t n = 0;
        DIR *d;

        PATHF(path, "%s/accounts.d", fixture);
        d = opendir(path);
        if (!d)
                return 0;
        while ((de = readdir(d)))
                n += de->d_name[0] != '.' && strlen(de->d_name) > 5 &&
                     strcmp(de->d_name + strlen(de->d_name) - 5, ".yaml") == 0;
        closedir(d);
        return n;
}

static void test_good_fixture(void **state) {
        const Fixture *f = *state;
        PolicyOptions opts = test_options();
        char *dir = copy_fixture(f->path);
        Policy *p = load_ok(dir, &opts);

        assert_int_equal(p->n_accounts, count_account_files(f->path));
        for (size_t i = 1; i < p->n_accounts; i++)
                assert_true(p->accounts[i - 1].uid < p->accounts[i].uid);
        policy_free(p);
        remove_tree(dir);
}

static void test_bad_fixture(void **state) {
        const Fixture *f = *state;
        PolicyOptions opts = test_options();
        char path[PATH_MAX + 32], *expected, *nl;
        char *dir = copy_fixture(f->path);

        PATHF(path, "%s/expected-error", f->path);
        expected = read_text(path);
        nl = strchr(expected, '\n');
        if (nl)
                *nl = '\0';
        expect_load_error(dir, &opts, expected);
        free(expected);
        remove_tree(dir);
}

static int compare_fixtures(const void *a, const void *b) {
        return strcmp(((const Fixture *)a)->name, ((const Fixture *)b)->name);
}

/* Every directory under fixtures/KIND, sorted, appended to *list. */
static size_t list_fixtures(const char *kind, Fixture **list, size_t n) {
        char path[PATH_MAX];
        struct dirent *de;
        size_t start = n;
        DIR *d;

        PATHF(path, "%s/%s", fixtures, kind);
        d = opendir(path);
        if (!d) {
                fprintf(stderr, "cannot open %s: %m\n", path);
                exit(EXIT_FAILURE);
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                *list = realloc(*list, (n + 1) * sizeof(Fixture));
                if (!*list)
                        abort();
                PATHF((*list)[n].name, "%s/%s", kind, de->d_name);
                PATHF((*list)[n].path, "%s/%s", path, de->d_name);
                n++;
        }
        closedir(d);
        qsort(*list + start, n - start, sizeof(Fixture), compare_fixtures);
        return n;
}

static int run_fixture_tests(void) {
        Fixture *list = NULL;
        struct CMUnitTest *tests;
        size_t n_good, n;
        int r;

        n_good = list_fixtures("good", &list, 0);
        n = list_fixtures("bad", &list, n_good);
        if (n_good < 4 || n - n_good < 25) {
                fprintf(stderr, "too few fixtures: %zu good, %zu bad\n", n_good, n - n_good);
                return 1;
        }
        tests = calloc(n, sizeof *tests);
        if (!tests)
                abort();
        for (size_t i = 0; i < n; i++)
                tests[i] = (struct CMUnitTest){
                        .name = list[i].name,
                        .test_func = i < n_good ? test_good_fixture : test_bad_fixture,
                        .initial_state = &list[i],
                };
        r = _cmocka_run_group_tests("fixtures", tests, n, NULL, NULL);
        free(tests);
        free(list);
        return r;
}

static void test_size_cap(void **state) {
        PolicyOptions opts = test_options();
        size_t n = POLICY_MAX_FILE_SIZE + 1;
        char *text = malloc(n + 1), *dir = make_tempdir(), path[PATH_MAX];
        Policy *p = NULL;
        RccDiag diag = {};
        FILE *f;

        (void)state;
        assert_non_null(text);
        memset(text, '#', n);
        memcpy(text, "version: 1\n", 11);
        text[n] = '\0';
        assert_int_equal(policy_load_buffers(text, n, NULL, NULL, NULL, 0, &opts, &p, &diag), -EFBIG);
        assert_null(p);
        assert_string_equal(diag.file, "rcc.yaml");
        assert_string_equal(diag.msg, "larger than 8388608 bytes; expected a small policy file");

        /* Exactly at the cap is fine. */
        assert_int_equal(policy_load_buffers(text, n - 1, NULL, NULL, NULL, 0, &opts, &p, &diag), 0);
        policy_free(p);
        p = NULL;

        PATHF(path, "%s/rcc.yaml", dir);
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, n, f), n);
        fclose(f);
        assert_int_equal(chmod(path, 0644), 0);
        expect_load_error(dir, &opts, "rcc.yaml: larger than 8388608 bytes; expected a small policy file");
        free(text);
        remove_tree(dir);
}

/* ---- the file checks, on trees built here ---- */

static void test_writable_files(void **state) {
        PolicyOptions opts = test_options();
        char *dir = make_policy_dir("version: 1\n", "rcc.yaml", "version: 1\n");
        char got[PATH_MAX + 1024];
        Policy *p = NULL;
        RccDiag diag = {};

        (void)state;
        chmod_in(dir, "rcc.yaml", 0664);
        expect_load_error(
                dir, &opts, "rcc.yaml: writable by group or others (mode 0664); fix with chmod go-w");
        chmod_in(dir, "rcc.yaml", 0646);
        expect_load_error(
                dir, &opts, "rcc.yaml: writable by group or others (mode 0646); fix with chmod go-w");
        chmod_in(dir, "rcc.yaml", 0600);

        chmod_in(dir, "accounts.d/rcc.yaml", 0666);
        expect_load_error(
                dir, &opts,
                "accounts.d/rcc.yaml: writable by group or others (mode 0666); fix with chmod go-w");
        chmod_in(dir, "accounts.d/rcc.yaml", 0400);

        chmod_in(dir, "accounts.d", 01777);
        expect_load_error(
                dir, &opts, "accounts.d: writable by group or others (mode 1777); fix with chmod go-w");
        chmod_in(dir, "accounts.d", 0700);

        /* The directory itself: its path is the whole diagnostic's file. */
        chmod_in(dir, ".", 0775);
        assert_true(policy_load(dir, &opts, &p, &diag) < 0);
        assert_null(p);
        assert_string_equal(diag.file, dir);
        assert_string_equal(diag.msg, "writable by group or others (mode 0775); fix with chmod go-w");
        chmod_in(dir, ".", 0755);

        p = load_ok(dir, &opts);
        assert_int_equal(p->n_accounts, 1);
        policy_free(p);
        (void)got;
        remove_tree(dir);
}

static void test_symlinks_and_types(void **state) {
        PolicyOptions opts = test_options();
        char *dir = make_policy_dir("version: 1\n", "rcc.yaml", "version: 1\n");
        char path[PATH_MAX], target[PATH_MAX];

        (void)state;
        /* A symlinked account file, even to a good file. */
        PATHF(path, "%s/accounts.d/rcc-alice.yaml", dir);
        PATHF(target, "%s/accounts.d/rcc.yaml", dir);
        assert_int_equal(symlink(target, path), 0);
        expect_load_error(
                dir, &opts, "accounts.d/rcc-alice.yaml: is a symbolic link; expected a regular file");
        assert_int_equal(unlink(path), 0);

        /* A directory where a file belongs. */
        mkdir_in(dir, "accounts.d/rcc-bob.yaml", 0755);
        expect_load_error(dir, &opts, "accounts.d/rcc-bob.yaml: not a regular file");
        PATHF(path, "%s/accounts.d/rcc-bob.yaml", dir);
        assert_int_equal(rmdir(path), 0);

        /* A symlinked rcc.yaml and a symlinked policy directory. */
        PATHF(path, "%s/rcc.yaml", dir);
        PATHF(target, "%s/real.yaml", dir);
        assert_int_equal(rename(path, target), 0);
        assert_int_equal(symlink("real.yaml", path), 0);
        expect_load_error(dir, &opts, "rcc.yaml: is a symbolic link; expected a regular file");
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rename(target, path), 0);

        PATHF(path, "%s/link", dir);
        assert_int_equal(symlink(".", path), 0);
        {
                Policy *p = NULL;
                RccDiag diag = {};
                assert_int_equal(policy_load(path, &opts, &p, &diag), -ELOOP);
                assert_null(p);
                assert_string_equal(diag.msg, "is a symbolic link; expected a directory");
        }
        assert_int_equal(unlink(path), 0);
        remove_tree(dir);
}

static void test_owner(void **state) {
        PolicyOptions opts = test_options();
        char *dir = make_policy_dir("version: 1\n", NULL, NULL);
        char expected[256];
        Policy *p;

        (void)state;
        if (geteuid() == 0) {
                /* As root: a file owned by someone else is refused, even with allow_own_files. */
                char path[PATH_MAX];
                PATHF(path, "%s/rcc.yaml", dir);
                assert_int_equal(chown(path, 12345, 12345), 0);
                expect_load_error(
                        dir, &opts,
                        "rcc.yaml: owned by uid 12345; expected root (uid 0) or the calling user");
                opts.allow_own_files = false;
                expect_load_error(dir, &opts, "rcc.yaml: owned by uid 12345; expected root (uid 0)");
        } else {
                /* As anyone else: our own files pass only with allow_own_files. */
                p = load_ok(dir, &opts);
                policy_free(p);
                opts.allow_own_files = false;
                PATHF(expected, "%s: owned by uid %u; expected root (uid 0)", dir, (unsigned)geteuid());
                {
                        RccDiag diag = {};
                        char got[PATH_MAX + 1024];
                        p = NULL;
                        assert_true(policy_load(dir, &opts, &p, &diag) < 0);
                        assert_null(p);
                        assert_string_equal(diag_format(&diag, got, sizeof got), expected);
                }
        }
        remove_tree(dir);
}

static void test_ignored_names(void **state) {
        PolicyOptions opts = test_options();
        char *dir = make_policy_dir("version: 1\n", "rcc.yaml", "version: 1\n"), adir[PATH_MAX];
        Policy *p;

        (void)state;
        PATHF(adir, "%s/accounts.d", dir);
        write_file(adir, ".rcc-alice.yaml.swp", "not: [yaml", 0644);
        write_file(adir, ".rcc-bob.yaml", "not: [yaml", 0644);
        write_file(adir, "rcc-alice.yaml~", "not: [yaml", 0644);
        write_file(adir, "rcc-bob.yaml.dpkg-old", "not: [yaml", 0644);
        write_file(adir, "rcc-bob.yaml.dpkg-dist", "not: [yaml", 0666);
        write_file(adir, "rcc-alice.yaml.rpmnew", "not: [yaml", 0644);
        write_file(adir, "rcc-alice.yaml.rpmsave", "not: [yaml", 0644);
        p = load_ok(dir, &opts);
        assert_int_equal(p->n_accounts, 1);
        assert_string_equal(p->accounts[0].name, "rcc");
        policy_free(p);

        /* Account files are read in sorted order: the first bad one by name is reported. */
        write_file(adir, "rcc-bob.yaml", "network: {mode: b}\n", 0644);
        write_file(adir, "rcc-alice.yaml", "network: {mode: a}\n", 0644);
        expect_load_error(
                dir, &opts,
                "accounts.d/rcc-alice.yaml:1:17: 'a' is not a network mode; expected public or strict");
        remove_tree(dir);
}

static void test_dir_forms(void **state) {
        PolicyOptions opts = test_options();
        char *dir = make_policy_dir("version: 1\n", "rcc.yaml", "version: 1\n"), slashed[PATH_MAX];
        Policy *p;

        (void)state;
        /* "DIR//" names DIR: no doubled slashes in what the policy reports. */
        PATHF(slashed, "%s//", dir);
        p = load_ok(slashed, &opts);
        assert_string_equal(p->dir, dir);
        assert_true(strstr(p->accounts[0].file, "//") == NULL);
        policy_free(p);

        /* No accounts.d: a policy without accounts. */
        chmod_in(dir, "accounts.d/rcc.yaml", 0644);
        {
                char path[PATH_MAX];
                PATHF(path, "%s/accounts.d/rcc.yaml", dir);
                assert_int_equal(unlink(path), 0);
                PATHF(path, "%s/accounts.d", dir);
                assert_int_equal(rmdir(path), 0);
        }
        p = load_ok(dir, &opts);
        assert_int_equal(p->n_accounts, 0);
        policy_free(p);
        remove_tree(dir);
}

static void test_user_lookup(void **state) {
        PolicyOptions opts = test_options();
        char *dir = make_policy_dir("version: 1\n", "root.yaml", "");
        Policy *p = NULL;
        RccDiag diag = {};

        (void)state;
        /* The system's user database: root is always there, and always refused. */
        opts.passwd_file = NULL;
        expect_load_error(
                dir, &opts,
                "accounts.d/root.yaml: user 'root' has uid 0; a sandbox account must never be root");
        remove_tree(dir);

        dir = make_policy_dir("version: 1\n", "rcc-no-such-user-7q.yaml", "");
        expect_load_error(
                dir, &opts,
                "accounts.d/rcc-no-such-user-7q.yaml: no system user 'rcc-no-such-user-7q'; create it with "
                "rcc-setup "
                "account add rcc-no-such-user-7q, or remove accounts.d/rcc-no-such-user-7q.yaml");

        /* A passwd file that is not there. */
        opts.passwd_file = "/nonexistent/passwd";
        assert_int_equal(policy_load(dir, &opts, &p, &diag), -ENOENT);
        assert_null(p);
        assert_string_equal(diag.file, "/nonexistent/passwd");
        assert_string_equal(diag.msg, "cannot open: No such file or directory");
        remove_tree(dir);
}

/* terminal: off by default; rcc.yaml sets it, an account file replaces what it names. */
static void test_terminal(void **state) {
        PolicyOptions opts = test_options();
        char *dir = make_policy_dir("version: 1\n", "rcc.yaml", "");
        Policy *p;

        (void)state;
        p = load_ok(dir, &opts);
        assert_false(p->defaults.terminal_clipboard);
        assert_false(p->defaults.terminal_title);
        assert_false(p->accounts[0].settings.terminal_clipboard);
        policy_free(p);
        remove_tree(dir);

        dir = make_policy_dir(
                "version: 1\nterminal: { clipboard: true, title: true }\n", "rcc.yaml",
                "terminal: { title: false }\n");
        p = load_ok(dir, &opts);
        assert_true(p->accounts[0].settings.terminal_clipboard);
        assert_false(p->accounts[0].settings.terminal_title);
        policy_free(p);
        remove_tree(dir);
}

static int run_file_tests(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_size_cap),           cmocka_unit_test(test_writable_files),
                cmocka_unit_test(test_symlinks_and_types), cmocka_unit_test(test_owner),
                cmocka_unit_test(test_ignored_names),      cmocka_unit_test(test_dir_forms),
                cmocka_unit_test(test_user_lookup),        cmocka_unit_test(test_terminal),
        };
        return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}

int main(int argc, char *argv[]) {
        int r;

        fixtures_init(argc, argv);
        r = run_fixture_tests();
        r |= run_file_tests();
        return r;
}
