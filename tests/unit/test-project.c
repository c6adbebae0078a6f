/* SPDX-License-Identifier: GPL-2.0-or-later */
/* project_resolve() on a real temporary tree: grants by path and by glob, the shortest matching
 * ancestor as the root, symlinks and ".." resolved before the check, "/" and unmountable paths
 * refused; project_default(). And rcc-shell's read-only carve-out check, both lookup methods. */
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
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

#include "project.h"
#include "readonly.h"

static char tree[PATH_MAX]; /* the resolved temporary directory */

static void mkpath(const char *rel) {
        char p[PATH_MAX * 2];

        snprintf(p, sizeof p, "%s/%s", tree, rel);
        assert_int_equal(mkdir(p, 0755), 0);
}

static void mklink(const char *target, const char *rel) {
        char p[PATH_MAX * 2];

        snprintf(p, sizeof p, "%s/%s", tree, rel);
        assert_int_equal(symlink(target, p), 0);
}

static void mkfile(const char *rel) {
        char p[PATH_MAX * 2];

        snprintf(p, sizeof p, "%s/%s", tree, rel);
        int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
}

static int setup_tree(void **state) {
        char tmpl[] = "/tmp/test-project-XXXXXX";
        (void)state;

        assert_non_null(mkdtemp(tmpl));
        assert_non_null(realpath(tmpl, tree));
        mkpath("granted");
        mkpath("granted/sub");
        mkpath("granted/sub/deep");
        mkpath("ungranted");
        mklink("../ungranted", "granted/link-out");
        mklink("../granted/sub", "ungranted/link-in");
        mkpath("globs");
        mkpath("globs/a");
        mkpath("globs/b");
        mkpath("globs/b/x");
        mkpath("slash");
        mkpath("nest");
        mkpath("nest/inner");
        mkpath("nest/inner/x");
        mkpath("has,comma");
        mkpath("has:colon");
        mkfile("granted/file");

        /* Carve-out fixtures under proj/. */
        mkpath("proj");
        mkpath("proj/.git");
        mkpath("proj/.git/hooks");
        mkfile("proj/.envrc");
        mkfile("proj/plain");
        mklink("hooks", "proj/.git/config");
        mkpath("elsewhere");
        mkfile("elsewhere/tasks.json");
        mklink("../elsewhere", "proj/.vscode");
        mklink("/etc/passwd", "proj/.abs");
        char fifo[PATH_MAX * 2];
        snprintf(fifo, sizeof fifo, "%s/proj/fifo", tree);
        assert_int_equal(mkfifo(fifo, 0644), 0);
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st;
        (void)type;
        (void)ftw;
        return remove(path);
}

static int teardown_tree(void **state) {
        (void)state;
        /* Depth first, never following the tree's symlinks out of it. */
        assert_int_equal(nftw(tree, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
        return 0;
}

/* alice's grants, with TREE substituted. */
static char grant_buf[8][PATH_MAX + 64];
static const char *grant_ptrs[8];

static Settings alice_settings(UserGrant *g) {
        static const char *const patterns[] = {
                "granted", "globs/*", "slash/", "nest", "nest/inner", "has,comma", "has:colon",
        };
        for (size_t i = 0; i < ELEMENTSOF(patterns); i++) {
                snprintf(grant_buf[i], sizeof grant_buf[i], "%s/%s", tree, patterns[i]);
                grant_ptrs[i] = grant_buf[i];
        }
        *g = (UserGrant){.user = "alice", .projects = grant_ptrs, .n_projects = ELEMENTSOF(patterns)};
        return (Settings){.users = g, .n_users = 1};
}

typedef struct ResolveCase {
        const char *path; /* relative to the tree, or absolute when it starts with '/' */
        int expect;
        const char *root; /* relative to the tree */
        const char *subdir;
} ResolveCase;

static const ResolveCase resolve_cases[] = {
        {"granted", 0, "granted", ""},
        {"granted/", 0, "granted", ""},
        {"granted/sub", 0, "granted", "sub"},
        {"granted/sub/deep", 0, "granted", "sub/deep"},
        {"granted/sub/../sub/./deep", 0, "granted", "sub/deep"},
        {"ungranted/link-in", 0, "granted", "sub"}, /* a link into a grant resolves into it */
        {"globs/a", 0, "globs/a", ""},
        {"globs/b/x", 0, "globs/b", "x"},
        {"slash", 0, "slash", ""},              /* a grant's trailing slash does not matter */
        {"nest/inner/x", 0, "nest", "inner/x"}, /* the shortest matching ancestor is the root */
        {"globs", -EACCES},                     /* the glob grants its children, not itself */
        {"granted/link-out", -EACCES},          /* a link out of a grant is judged by where it leads */
        {"granted/../ungranted", -EACCES},
        {"granted/sub/../../ungranted", -EACCES},
        {"ungranted", -EACCES},
        {"/", -EPERM},
        {"/tmp", -EACCES},
        {"missing", -ENOENT},
        {"granted/file", -ENOTDIR},
        {"has,comma", -EINVAL},
        {"has:colon", -EINVAL},
};

static void test_resolve(void **state) {
        UserGrant g;
        Settings s = alice_settings(&g);
        (void)state;

        for (size_t i = 0; i < ELEMENTSOF(resolve_cases); i++) {
                const ResolveCase *t = &resolve_cases[i];
                char path[PATH_MAX * 2], want[PATH_MAX * 2];
                Project sentinel, p;
                RccDiag diag = {};

                memset(&sentinel, 'x', sizeof sentinel);
                p = sentinel;
                if (t->path[0] == '/')
                        snprintf(path, sizeof path, "%s", t->path);
                else
                        snprintf(path, sizeof path, "%s/%s", tree, t->path);
                print_message("case: %s\n", t->path);
                int r = project_resolve(&s, "alice", path, &p, &diag);
                if (r != t->expect)
                        fail_msg("%s: got %d (%s), want %d", t->path, r, diag.msg, t->expect);
                if (r < 0) {
                        assert_true(diag.msg[0] != '\0');
                        assert_memory_equal(&p, &sentinel, sizeof p); /* untouched */
                        continue;
                }
                snprintf(want, sizeof want, "%s/%s", tree, t->root);
                assert_string_equal(p.root, want);
                assert_string_equal(p.subdir, t->subdir);
        }
}

static void test_resolve_messages(void **state) {
        UserGrant g;
        Settings s = alice_settings(&g);
        char path[PATH_MAX * 2];
        RccDiag diag = {};
        Project p;
        (void)state;

        /* No grant at all: says who and where an admin adds one. */
        snprintf(path, sizeof path, "%s/granted", tree);
        assert_int_equal(project_resolve(&s, "mallory", path, &p, &diag), -EACCES);
        assert_non_null(strstr(diag.msg, "'mallory' has no project"));
        assert_non_null(strstr(diag.msg, "users.mallory.projects"));

        /* Outside every grant: lists the grants. */
        snprintf(path, sizeof path, "%s/ungranted", tree);
        assert_int_equal(project_resolve(&s, "alice", path, &p, &diag), -EACCES);
        assert_non_null(strstr(diag.msg, "not in a project granted to 'alice'"));
        assert_non_null(strstr(diag.msg, grant_buf[0]));

        /* A user whose grant list is empty is refused like one without a grant. */
        UserGrant empty = {.user = "bob"};
        Settings s2 = {.users = &empty, .n_users = 1};
        assert_int_equal(project_resolve(&s2, "bob", path, &p, &diag), -EACCES);

        /* "/" is refused even when a grant matches it. */
        const char *everything[] = {"/", "/*"};
        UserGrant all = {.user = "eve", .projects = everything, .n_projects = 2};
        Settings s3 = {.users = &all, .n_users = 1};
        assert_int_equal(project_resolve(&s3, "eve", "/", &p, &diag), -EPERM);
        assert_non_null(strstr(diag.msg, "'/' cannot be a project"));
}

static void test_default(void **state) {
        const char *globs_then_path[] = {
                "/home/alice/src/*", "/srv/[ab]", "/srv/pro?", "/srv/plain", "/srv/other"};
        const char *globs_only[] = {"/home/alice/src/*"};
        UserGrant g[] = {
                {.user = "alice", .projects = globs_then_path, .n_projects = ELEMENTSOF(globs_then_path)},
                {.user = "bob", .projects = globs_only, .n_projects = 1},
        };
        Settings s = {.users = g, .n_users = ELEMENTSOF(g)};
        char buf[64], tiny[4];
        RccDiag diag = {};
        (void)state;

        assert_int_equal(project_default(&s, "alice", buf, sizeof buf, &diag), 0);
        assert_string_equal(buf, "/srv/plain");

        strcpy(buf, "untouched");
        assert_int_equal(project_default(&s, "bob", buf, sizeof buf, &diag), -ENOENT);
        assert_string_equal(buf, "untouched");
        assert_non_null(strstr(diag.msg, "SetEnv=RCC_PROJECT=PATH"));
        assert_non_null(strstr(diag.msg, "/home/alice/src/*"));

        assert_int_equal(project_default(&s, "carol", buf, sizeof buf, &diag), -EACCES);
        assert_int_equal(project_default(&s, "alice", tiny, sizeof tiny, &diag), -ENOBUFS);
}

typedef struct ReadonlyCase {
        const char *const *paths;
        size_t n;
        int expect;
        const char *const *present; /* NULL-terminated */
} ReadonlyCase;

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
#define RO(expect_, present_, ...)                                                                    \
        {                                                                                             \
                (const char *const[]){__VA_ARGS__}, ELEMENTSOF(((const char *const[]){__VA_ARGS__})), \
                        expect_, present_                                                             \
        }

static const ReadonlyCase readonly_cases[] = {
        RO(0, L(".git/hooks", ".envrc"), ".git/hooks", ".envrc", ".editorconfig"),
        RO(0, L("plain"), "missing/dir", "plain/below-a-file", "plain"),
        RO(-ELOOP, NULL, ".git/hooks", ".git/config"), /* the carve-out itself is a link */
        RO(-ELOOP, NULL, ".vscode/tasks.json"),        /* a link in a directory component */
        RO(-ELOOP, NULL, ".vscode"),
        RO(-ELOOP, NULL, ".abs"), /* an absolute link to a host file */
        RO(-EPERM, NULL, "fifo"),
        RO(-EINVAL, NULL, "a,b"),
        RO(-EINVAL, NULL, "/etc"),
};

static void test_readonly(void **state) {
        static const ReadonlyLookup methods[] = {READONLY_LOOKUP_AUTO, READONLY_LOOKUP_COMPONENTS};
        char root[PATH_MAX * 2];
        (void)state;

        snprintf(root, sizeof root, "%s/proj", tree);
        for (size_t m = 0; m < ELEMENTSOF(methods); m++)
                for (size_t i = 0; i < ELEMENTSOF(readonly_cases); i++) {
                        const ReadonlyCase *t = &readonly_cases[i];
                        const char *present[8] = {};
                        size_t n = 99;
                        RccDiag diag = {};

                        print_message("case %zu (method %zu): %s\n", i, m, t->paths[t->n - 1]);
                        int r = readonly_check(root, t->paths, t->n, methods[m], present, &n, &diag);
                        if (r != t->expect)
                                fail_msg("case %zu: got %d (%s), want %d", i, r, diag.msg, t->expect);
                        if (r < 0) {
                                assert_int_equal(n, 99);
                                assert_non_null(
                                        strstr(diag.msg, t->expect == -EINVAL ? "files.readonly" : root));
                                continue;
                        }
                        size_t want = 0;
                        while (t->present[want])
                                want++;
                        assert_int_equal(n, want);
                        for (size_t j = 0; j < want; j++)
                                assert_string_equal(present[j], t->present[j]);
                }
}

static void test_readonly_message(void **state) {
        const char *paths[] = {".git/config"};
        const char *present[1];
        char root[PATH_MAX * 2], want[PATH_MAX * 3];
        size_t n;
        RccDiag diag = {};
        (void)state;

        snprintf(root, sizeof root, "%s/proj", tree);
        assert_int_equal(readonly_check(root, paths, 1, READONLY_LOOKUP_AUTO, present, &n, &diag), -ELOOP);
        snprintf(want, sizeof want, "%s/.git/config is or lies under a symbolic link", root);
        assert_non_null(strstr(diag.msg, want));
        assert_non_null(strstr(diag.msg, "replace the link"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_resolve),          cmocka_unit_test(test_resolve_messages),
                cmocka_unit_test(test_default),          cmocka_unit_test(test_readonly),
                cmocka_unit_test(test_readonly_message),
        };
        return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
