/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for project resolution (lib/project.c): which directory a session may see.
 * It runs against a real tree, made once under /tmp at start-up (ROOT, G = ROOT/granted):
 *
 *   G/a  G/b/c/d  G/file  G/b/file  ROOT/other/x
 *   G/out -> ../other   G/loop -> loop   G/in -> a   G/dangling -> nowhere   G/b/top -> /
 *   G/b/c/up -> ../../../other/x   ROOT/other/back -> ../granted/a
 *
 * and hand-made settings: alice is granted G and the glob G/b/STAR (STAR being '*'), bob G/b/STAR
 * and G/a/ (with a trailing slash), carol is listed with no grant, mallory not at all. The input's
 * first byte picks the prefix (bits 0-1: ROOT, G, "", "/") and the user (bits 2-3); the rest, up to
 * its first NUL and at most 4000 bytes, is appended to the prefix as a relative path.
 *
 * The oracle is computed here with realpath(3) alone: resolution succeeds exactly when the path
 * resolves to a directory other than "/" below (or at) a root the user is granted, and then root
 * and subdir are that root (the shortest granted ancestor-or-self) and the rest, and never lead
 * into ROOT/other. Every failure comes with a message and leaves the output untouched.
 */
#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "project.h"

#define MAX_REST 4000

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root_dir[] = "/tmp/rcc-fuzz-project-XXXXXX";
static char granted[PATH_MAX], other[PATH_MAX], granted_a[PATH_MAX], granted_b[PATH_MAX];
static char granted_a_slash[PATH_MAX], granted_b_glob[PATH_MAX];
static Settings settings;

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st, (void)type, (void)ftw;
        if (remove(path) < 0)
                fprintf(stderr, "rcc-fuzz: cannot remove %s: %m\n", path);
        return 0;
}

static void remove_tree(void) {
        nftw(root_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void make(const char *kind, const char *path, const char *target) {
        char full[PATH_MAX];
        int r;

        snprintf(full, sizeof full, "%s/%s", root_dir, path);
        if (strcmp(kind, "dir") == 0)
                r = mkdir(full, 0755);
        else if (strcmp(kind, "link") == 0)
                r = symlink(target, full);
        else {
                FILE *f = fopen(full, "we");
                r = f ? fclose(f) : -1;
        }
        if (r < 0) {
                fprintf(stderr, "rcc-fuzz: cannot create %s: %m\n", full);
                abort();
        }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        static const char *alice[2], *bob[2];
        static UserGrant users[3];
        char canonical[PATH_MAX];

        (void)argc, (void)argv;
        if (!mkdtemp(root_dir)) {
                perror("rcc-fuzz: cannot create the project tree");
                abort();
        }
        atexit(remove_tree);
        /* mkdtemp's directory is already canonical: /tmp is no symlink on the machines we test. */
        if (!realpath(root_dir, canonical) || strcmp(canonical, root_dir) != 0) {
                fprintf(stderr, "rcc-fuzz: %s is not a canonical path\n", root_dir);
                abort();
        }

        make("dir", "granted", NULL);
        make("dir", "granted/a", NULL);
        make("dir", "granted/b", NULL);
        make("dir", "granted/b/c", NULL);
        make("dir", "granted/b/c/d", NULL);
        make("dir", "other", NULL);
        make("dir", "other/x", NULL);
        make("file", "granted/file", NULL);
        make("file", "granted/b/file", NULL);
        make("link", "granted/out", "../other");
        make("link", "granted/loop", "loop");
        make("link", "granted/in", "a");
        make("link", "granted/dangling", "nowhere");
        make("link", "granted/b/top", "/");
        make("link", "granted/b/c/up", "../../../other/x");
        make("link", "other/back", "../granted/a");

        snprintf(granted, sizeof granted, "%s/granted", root_dir);
        snprintf(other, sizeof other, "%s/other", root_dir);
        snprintf(granted_a, sizeof granted_a, "%s/a", granted);
        snprintf(granted_b, sizeof granted_b, "%s/b", granted);
        snprintf(granted_a_slash, sizeof granted_a_slash, "%s/", granted_a);
        snprintf(granted_b_glob, sizeof granted_b_glob, "%s/*", granted_b);
        alice[0] = granted;
        alice[1] = granted_b_glob;
        bob[0] = granted_b_glob;
        bob[1] = granted_a_slash;
        users[0] = (UserGrant){.user = "alice", .projects = alice, .n_projects = 2};
        users[1] = (UserGrant){.user = "bob", .projects = bob, .n_projects = 2};
        users[2] = (UserGrant){.user = "carol", .projects = NULL, .n_projects = 0};
        settings = (Settings){.users = users, .n_users = 3};
        return 0;
}

/* If path is dir or below it, the part after dir ("" for dir itself); else NULL. */
static const char *below(const char *path, const char *dir) {
        size_t n = strlen(dir);

        if (strncmp(path, dir, n) != 0)
                return NULL;
        if (path[n] == '\0')
                return path + n;
        return path[n] == '/' ? path + n + 1 : NULL;
}

/* The project root that user's grants give the canonical path res, worked out by hand for the
 * grants above: its length (a prefix of res), or 0 for none. */
static size_t expected_root_len(const char *user, const char *res) {
        const char *rest;

        if (strcmp(user, "alice") == 0)
                return below(res, granted) ? strlen(granted) : 0;
        if (strcmp(user, "bob") == 0) {
                /* G/b/NAME for any NAME, else G/a. */
                rest = below(res, granted_b);
                if (rest && rest[0] != '\0')
                        return strlen(granted_b) + 1 + strcspn(rest, "/");
                return below(res, granted_a) ? strlen(granted_a) : 0;
        }
        return 0;
}

static void build_path(const uint8_t *data, size_t size, const char **ret_user, char *path, size_t len) {
        static const char *const users[] = {"alice", "bob", "carol", "mallory"};
        const char *prefixes[] = {root_dir, granted, "", "/"};
        unsigned choice = size > 0 ? data[0] & 3 : 0;
        size_t n = 0;

        *ret_user = users[size > 0 ? (data[0] >> 2) & 3 : 0];
        if (size > 0)
                for (n = 0; n + 1 < size && n < MAX_REST && data[n + 1] != '\0'; n++)
                        ;
        snprintf(
                path, len, "%s%s%.*s", prefixes[choice], choice == 0 || choice == 1 ? "/" : "", (int)n,
                (const char *)data + 1);
}

static void check_success(const char *user, const char *res, size_t root_len, const Project *p) {
        char joined[2 * sizeof p->root];
        struct stat st;

        if (!res || stat(res, &st) < 0 || !S_ISDIR(st.st_mode) || strcmp(res, "/") == 0)
                abort();
        if (strnlen(p->root, sizeof p->root) == sizeof p->root ||
            strnlen(p->subdir, sizeof p->subdir) == sizeof p->subdir)
                abort();
        snprintf(joined, sizeof joined, "%s%s%s", p->root, p->subdir[0] ? "/" : "", p->subdir);
        if (strcmp(joined, res) != 0)
                abort();
        if (root_len == 0 || strlen(p->root) != root_len || strncmp(p->root, res, root_len) != 0)
                abort();
        if (p->subdir[0] == '/' || (p->subdir[0] != '\0' && p->subdir[strlen(p->subdir) - 1] == '/'))
                abort();
        /* Whoever asks: the root is a grant, and nothing of ROOT/other is ever reachable. */
        if (strcmp(p->root, granted) != 0 && fnmatch(granted_b_glob, p->root, FNM_PATHNAME) != 0 &&
            !(strcmp(user, "bob") == 0 && strcmp(p->root, granted_a) == 0))
                abort();
        if (below(res, other) || below(p->root, other))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[PATH_MAX + 64];
        const char *user;
        Project project, untouched;
        RccDiag diag = {};
        struct stat st;
        char *res;
        size_t root_len = 0;
        bool must_succeed;
        int r;

        build_path(data, size, &user, path, sizeof path);

        res = realpath(path, NULL);
        if (res)
                root_len = expected_root_len(user, res);
        must_succeed = res && stat(res, &st) == 0 && S_ISDIR(st.st_mode) && strcmp(res, "/") != 0 &&
                       root_len > 0 && !strpbrk(res, ",:\n");

        memset(&project, 0x5a, sizeof project);
        untouched = project;
        r = project_resolve(&settings, user, path, &project, &diag);
        if (r == 0)
                check_success(user, res, root_len, &project);
        else if (
                r > 0 || must_succeed || diag.msg[0] == '\0' ||
                memcmp(&project, &untouched, sizeof project) != 0)
                abort();
        /* A success must have been expected, and vice versa. */
        if ((r == 0) != must_succeed)
                abort();

        free(res);
        return 0;
}
