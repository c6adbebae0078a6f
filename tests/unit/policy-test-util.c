/* SPDX-License-Identifier: GPL-2.0-or-later */
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

#include "policy.h"

#include "policy-test-util.h"

const char *fixtures;
static char passwd_path[PATH_MAX];

void fixtures_init(int argc, char *argv[]) {
        fixtures = argc > 1 ? argv[1] : getenv("RCC_FIXTURES");
        if (!fixtures) {
                fprintf(stderr, "usage: %s FIXTURES-DIR (or set RCC_FIXTURES)\n", argv[0]);
                exit(EXIT_FAILURE);
        }
        snprintf(passwd_path, sizeof passwd_path, "%s/passwd", fixtures);
}

PolicyOptions test_options(void) {
        return (PolicyOptions){.passwd_file = passwd_path, .allow_own_files = true};
}

void write_file(const char *dir, const char *name, const char *text, mode_t mode) {
        char path[PATH_MAX];
        int fd;

        PATHF(path, "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
}

char *read_text(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = calloc(1, 65536);
        size_t n;

        assert_non_null(f);
        assert_non_null(buf);
        n = fread(buf, 1, 65535, f);
        fclose(f);
        buf[n] = '\0';
        return buf;
}

static void copy_file(const char *from, const char *to_dir, const char *name) {
        char *text = read_text(from);
        write_file(to_dir, name, text, 0644);
        free(text);
}

char *make_tempdir(void) {
        const char *tmp = getenv("TMPDIR");
        char *dir = malloc(PATH_MAX);

        assert_non_null(dir);
        snprintf(dir, PATH_MAX, "%s/rcc-test-policy-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        assert_non_null(mkdtemp(dir));
        assert_int_equal(chmod(dir, 0755), 0);
        return dir;
}

void mkdir_in(const char *dir, const char *name, mode_t mode) {
        char path[PATH_MAX];

        PATHF(path, "%s/%s", dir, name);
        assert_int_equal(mkdir(path, 0700), 0);
        assert_int_equal(chmod(path, mode), 0);
}

/* A copy of fixture dir src: rcc.yaml and every file in accounts.d, modes 0644 and 0755. */
char *copy_fixture(const char *src) {
        char *dir = make_tempdir(), path[PATH_MAX], adir[PATH_MAX];
        struct dirent *de;
        DIR *d;

        PATHF(path, "%s/rcc.yaml", src);
        if (access(path, F_OK) == 0)
                copy_file(path, dir, "rcc.yaml");
        PATHF(path, "%s/accounts.d", src);
        d = opendir(path);
        if (!d)
                return dir;
        mkdir_in(dir, "accounts.d", 0755);
        PATHF(adir, "%s/accounts.d", dir);
        while ((de = readdir(d))) {
                char from[PATH_MAX * 2];

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                PATHF(from, "%s/%s", path, de->d_name);
                copy_file(from, adir, de->d_name);
        }
        closedir(d);
        return dir;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st, (void)flag, (void)ftw;
        return remove(path);
}

void remove_tree(char *dir) {
        assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
        free(dir);
}

/* The diagnostic as text, with every "DIR/" removed so it reads like the expected-error files. */
static void diag_relative(const RccDiag *diag, const char *dir, char *out, size_t size) {
        char buf[PATH_MAX + 1024], prefix[PATH_MAX + 1];
        size_t plen, o = 0;

        diag_format(diag, buf, sizeof buf);
        PATHF(prefix, "%s/", dir);
        plen = strlen(prefix);
        for (const char *p = buf; *p && o + 1 < size;) {
                if (strncmp(p, prefix, plen) == 0) {
                        p += plen;
                        continue;
                }
                out[o++] = *p++;
        }
        out[o] = '\0';
}

/* Load dir and expect failure with exactly this message (DIR/ removed); *ret stays untouched. */
void expect_load_error(const char *dir, const PolicyOptions *opts, const char *expected) {
        Policy *sentinel = (Policy *)0x1, *p = sentinel;
        RccDiag diag = {};
        char got[PATH_MAX + 1024];
        int r;

        r = policy_load(dir, opts, &p, &diag);
        diag_relative(&diag, dir, got, sizeof got);
        if (r >= 0)
                fail_msg("%s: loaded, expected: %s", dir, expected);
        assert_ptr_equal(p, sentinel);
        assert_string_equal(got, expected);
}

Policy *load_ok(const char *dir, const PolicyOptions *opts) {
        Policy *p = NULL;
        RccDiag diag = {};
        char buf[PATH_MAX + 1024];

        if (policy_load(dir, opts, &p, &diag) < 0)
                fail_msg("%s: %s", dir, diag_format(&diag, buf, sizeof buf));
        assert_non_null(p);
        return p;
}

char *make_policy_dir(const char *defaults, const char *account_name, const char *account) {
        char *dir = make_tempdir(), adir[PATH_MAX];

        write_file(dir, "rcc.yaml", defaults, 0644);
        if (account_name) {
                mkdir_in(dir, "accounts.d", 0755);
                PATHF(adir, "%s/accounts.d", dir);
                write_file(adir, account_name, account, 0644);
        }
        return dir;
}

void chmod_in(const char *dir, const char *name, mode_t mode) {
        char path[PATH_MAX];

        PATHF(path, "%s/%s", dir, name);
        assert_int_equal(chmod(path, mode), 0);
}

Policy *load_fixture(const char *name, char **ret_dir) {
        PolicyOptions opts = test_options();
        char path[PATH_MAX];

        PATHF(path, "%s/good/%s", fixtures, name);
        *ret_dir = copy_fixture(path);
        return load_ok(*ret_dir, &opts);
}
