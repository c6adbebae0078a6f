/* SPDX-License-Identifier: GPL-2.0-or-later */
/* project_resolve() on a real temporary tree: grants by path and by glob, the shortest matching
 * ancestor as the root, symlinks and ".." resolved before the check, "/", rcc's own directories and
 * unmountable paths refused; project_open(): the root by descriptor, and the directories above it
 * that others could change refused; project_default(). And rcc-shell's read-only carve-out check,
 * both lookup methods. */
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "paths.h"
#include "project.h"

/* snprintf() into an array, failing the test rather than truncating. */
#define PATHF(buf, ...) assert_true((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf))
#include "placeholder.h"
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

/* A grant that holds one of rcc's own directories: the account's storage would be in the session. */
static void test_resolve_rcc_dirs(void **state) {
        const char *wide[] = {"/run", "/var", "/run/*"};
        UserGrant g = {.user = "eve", .projects = wide, .n_projects = ELEMENTSOF(wide)};
        Settings s = {.users = &g, .n_users = 1};
        RccDiag diag = {};
        Project p;
        (void)state;

        assert_int_equal(project_resolve(&s, "eve", "/run", &p, &diag), -EPERM);
        assert_non_null(
                strstr(diag.msg, "'/run' cannot be a project: it holds rcc's own directory " RCC_RUN_DIR));
        assert_int_equal(project_resolve(&s, "eve", "/var", &p, &diag), -EPERM);
        assert_non_null(strstr(diag.msg, "holds rcc's own directory " RCC_STATE_DIR));
}

/* project_open(): the tree lies in /tmp (root's, sticky). It belongs to whoever runs the test, or,
 * run as root, to a uid of its own, so that "someone else's" means the same either way. */
static void test_open(void **state) {
        uid_t human = getuid() == 0 ? 4244 : getuid(), other = human == 4242 ? 4243 : 4242;
        char dir[PATH_MAX * 2], inner[PATH_MAX * 2];
        _cleanup_close_ int fd = -EBADF;
        RccDiag diag = {};
        struct stat st;
        Project p = {};
        (void)state;

        PATHF(dir, "%s/nest", tree);
        PATHF(inner, "%s/nest/inner", tree);
        if (getuid() == 0)
                assert_int_equal(
                        chown(tree, human, (gid_t)-1) | chown(dir, human, (gid_t)-1) |
                                chown(inner, human, (gid_t)-1),
                        0);

        PATHF(p.root, "%s/granted", tree);
        assert_int_equal(project_open(&p, human, &fd, &diag), 0);
        assert_int_equal(stat(p.root, &st), 0);
        assert_int_equal(p.dev, (uint64_t)st.st_dev);
        assert_int_equal(p.ino, (uint64_t)st.st_ino);
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(p.ino, (uint64_t)st.st_ino);
        fd = safe_close(fd);

        /* For anyone else, the human's tree is in the way: first /tmp, where it is the human's entry
         * in a sticky directory, then (run as root, with the tree made root's) the human's nest. */
        PATHF(p.root, "%s/nest/inner", tree);
        assert_int_equal(project_open(&p, other, &fd, &diag), -EPERM);
        assert_non_null(strstr(diag.msg, "'/tmp', above the project, can be written by others (mode 1777)"));
        if (getuid() == 0) {
                char want[PATH_MAX * 3];

                assert_int_equal(chown(tree, 0, (gid_t)-1), 0);
                assert_int_equal(project_open(&p, other, &fd, &diag), -EPERM);
                PATHF(want, "'%s', above the project, belongs to uid %u", dir, (unsigned)human);
                assert_non_null(strstr(diag.msg, want));
                assert_non_null(strstr(diag.msg, "chown root"));
                assert_int_equal(chown(tree, human, (gid_t)-1), 0);
        }

        /* A directory above it that others may write. */
        assert_int_equal(chmod(dir, 0775), 0);
        assert_int_equal(project_open(&p, human, &fd, &diag), -EPERM);
        assert_non_null(strstr(diag.msg, "can be written by others (mode 0775)"));
        assert_non_null(strstr(diag.msg, "chmod go-w"));
        /* ... unless it is sticky and the entry below it is the human's (or root's). */
        assert_int_equal(chmod(dir, 01777), 0);
        assert_int_equal(project_open(&p, human, &fd, &diag), 0);
        fd = safe_close(fd);
        if (getuid() == 0) {
                /* With the tree and nest root's, only the sticky bit and the entry below it are left. */
                assert_int_equal(chown(tree, 0, (gid_t)-1) | chown(dir, 0, (gid_t)-1), 0);
                assert_int_equal(project_open(&p, other, &fd, &diag), -EPERM);
                assert_non_null(strstr(diag.msg, "can be written by others (mode 1777)"));
                assert_int_equal(chown(inner, 0, (gid_t)-1), 0);
                assert_int_equal(project_open(&p, other, &fd, &diag), 0);
                fd = safe_close(fd);
        }
        assert_int_equal(chmod(dir, 0755), 0);

        /* A symlink anywhere on the way is refused, not followed. */
        PATHF(p.root, "%s/ungranted/link-in", tree);
        assert_int_equal(project_open(&p, human, &fd, &diag), -ESTALE);
        assert_non_null(strstr(diag.msg, "no longer a directory"));
        PATHF(p.root, "%s/missing", tree);
        assert_int_equal(project_open(&p, human, &fd, &diag), -ENOENT);
        assert_int_equal(fd, -EBADF);

        if (getuid() == 0)
                assert_int_equal(
                        chown(tree, 0, (gid_t)-1) | chown(dir, 0, (gid_t)-1) | chown(inner, 0, (gid_t)-1),
                        0);
}

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
                        _cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                        assert_true(fd >= 0);
                        int r = readonly_check(fd, root, t->paths, t->n, methods[m], present, &n, &diag);
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
        _cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(
                readonly_check(fd, root, paths, 1, READONLY_LOOKUP_AUTO, present, &n, &diag), -ELOOP);
        snprintf(want, sizeof want, "%s/.git/config is or lies under a symbolic link", root);
        assert_non_null(strstr(diag.msg, want));
        assert_non_null(strstr(diag.msg, "replace the link"));
}

/* Carve-outs that do not exist are made for the session and removed after it (placeholder.h). */
static void test_placeholders(void **state) {
        static const char *const paths[] = {
                ".git",      ".envrc", ".claude/settings.json", ".claude/settings.local.json",
                ".mcp.json", "cfg/"};
        char root[PATH_MAX * 2], p[PATH_MAX * 3];
        Placeholders made;
        RccDiag diag = {};
        struct stat st;
        (void)state;

        PATHF(root, "%s/fresh", tree);
        assert_int_equal(mkdir(root, 0755), 0);
        _cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(placeholders_make(fd, root, paths, ELEMENTSOF(paths), &made, &diag), 0);
        /* .claude, its two files, .envrc, .mcp.json; not .git, not a directory entry. */
        assert_int_equal(made.n, 5);
        PATHF(p, "%s/.git", root);
        assert_int_equal(lstat(p, &st), -1);
        PATHF(p, "%s/cfg", root);
        assert_int_equal(lstat(p, &st), -1);
        PATHF(p, "%s/.mcp.json", root);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_size, 3); /* "{}\n" */
        PATHF(p, "%s/.envrc", root);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_size, 0);
        PATHF(p, "%s/.claude", root);
        assert_int_equal(stat(p, &st), 0);
        assert_true(S_ISDIR(st.st_mode));

        /* The human wrote .mcp.json meanwhile, and put a file into .claude: both stay. */
        nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
        PATHF(p, "%s/.mcp.json", root);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs("{}\n", f); /* the same size: the ctime tells */
        fclose(f);
        PATHF(p, "%s/.claude/commands", root);
        assert_int_equal(mkdir(p, 0755), 0);
        placeholders_remove(fd, &made);
        PATHF(p, "%s/.mcp.json", root);
        assert_int_equal(stat(p, &st), 0);
        PATHF(p, "%s/.claude/commands", root);
        assert_int_equal(stat(p, &st), 0);
        PATHF(p, "%s/.claude/settings.json", root);
        assert_int_equal(lstat(p, &st), -1);
        PATHF(p, "%s/.envrc", root);
        assert_int_equal(lstat(p, &st), -1);

        /* A symlink on the way is not followed: nothing is made where it leads. */
        static const char *const linked[] = {"out/settings.json"};
        char link[PATH_MAX * 3], target[PATH_MAX * 2];
        PATHF(link, "%s/out", root);
        PATHF(target, "%s/elsewhere", tree);
        assert_int_equal(symlink(target, link), 0);
        assert_int_equal(placeholders_make(fd, root, linked, 1, &made, &diag), 0);
        assert_int_equal(made.n, 0);
        PATHF(p, "%s/settings.json", target);
        assert_int_equal(lstat(p, &st), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_resolve),          cmocka_unit_test(test_resolve_messages),
                cmocka_unit_test(test_resolve_rcc_dirs), cmocka_unit_test(test_open),
                cmocka_unit_test(test_default),          cmocka_unit_test(test_readonly),
                cmocka_unit_test(test_readonly_message), cmocka_unit_test(test_placeholders),
        };
        return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
