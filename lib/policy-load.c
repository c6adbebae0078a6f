/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a policy: DIR/rcc.yaml and DIR/accounts.d/NAME.yaml, each opened without following
 * symlinks and refused unless root-owned and not writable by group or others (as doas does for
 * doas.conf), then parsed, validated and merged into one Policy. All or nothing: on any error the
 * whole arena goes and the caller's pointer stays untouched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "policy-internal.h"

#define ACCOUNTS_DIR "accounts.d"

typedef struct Loader {
        Arena *arena; /* the policy's */
        Policy *policy;
        size_t cap_accounts;
        const PolicyOptions *opts;
        RccDiag *diag;
} Loader;

DEFINE_TRIVIAL_CLEANUP_FUNC(Arena *, arena_free);

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int oom(RccDiag *diag, const char *file) {
        return diag_set(diag, -ENOMEM, file, 0, 0, "out of memory");
}

/* An errno as a diagnostic: "%m" formats without allocating. */
static int errno_diag(RccDiag *diag, int r, const char *file, const char *what) {
        errno = -r;
        return diag_set(diag, r, file, 0, 0, "%s: %m", what);
}

/* "a/b" into buf; -ENAMETOOLONG (with a diagnostic) when it does not fit. */
static int path_join(char *buf, size_t size, const char *a, const char *b, RccDiag *diag) {
        int n = snprintf(buf, size, "%s/%s", a, b);

        if (n < 0 || (size_t)n >= size)
                return diag_set(diag, -ENAMETOOLONG, a, 0, 0, "path too long: '%s'", b);
        return 0;
}

/* ---- users ---- */

/* The lookups return 0 when found, 1 when there is no such user, < 0 (diag set) on errors. */

static int lookup_passwd_file(
        const char *passwd_file, const char *name, uid_t *ret_uid, gid_t *ret_gid, RccDiag *diag) {
        _cleanup_fclose_ FILE *f = NULL;
        char buf[4096];
        struct passwd pw, *res;
        int r;

        f = fopen(passwd_file, "re");
        if (!f)
                return errno_diag(diag, negative_errno(), passwd_file, "cannot open");
        while ((r = fgetpwent_r(f, &pw, buf, sizeof buf, &res)) == 0)
                if (streq(res->pw_name, name)) {
                        *ret_uid = res->pw_uid;
                        *ret_gid = res->pw_gid;
                        return 0;
                }
        if (r != ENOENT)
                return errno_diag(diag, -r, passwd_file, "cannot read");
        return 1;
}

static int lookup_system_user(
        const char *name, const char *file, uid_t *ret_uid, gid_t *ret_gid, RccDiag *diag) {
        _cleanup_free_ char *buf = NULL;
        struct passwd pw, *res = NULL;
        size_t size = 4096;
        int r;

        for (;;) {
                free(buf);
                buf = malloc(size);
                if (!buf)
                        return oom(diag, file);
                r = getpwnam_r(name, &pw, buf, size, &res);
                if (r != ERANGE || size >= 1024 * 1024)
                        break;
                size *= 2;
        }
        if (res) {
                *ret_uid = res->pw_uid;
                *ret_gid = res->pw_gid;
                return 0;
        }
        if (r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
                return 1;
        errno = r;
        return diag_set(diag, -r, file, 0, 0, "cannot look up user '%s': %m", name);
}

static int resolve_account(Loader *l, Account *a) {
        int r;

        if (l->opts->passwd_file)
                r = lookup_passwd_file(l->opts->passwd_file, a->name, &a->uid, &a->gid, l->diag);
        else
                r = lookup_system_user(a->name, a->file, &a->uid, &a->gid, l->diag);
        if (r < 0)
                return r;
        if (r > 0)
                return diag_set(
                        l->diag, -ENOENT, a->file, 0, 0,
                        "no system user '%s'; create it with rcc-setup account add %s, or remove %s",
                        a->name, a->name, a->file);
        if (a->uid == 0)
                return diag_set(
                        l->diag, -EPERM, a->file, 0, 0,
                        "user '%s' has uid 0; a sandbox account must never be root", a->name);
        return 0;
}

/* ---- one document ---- */

static int apply_document(
        Loader *l, const char *path, PolicyFileKind kind, const char *text, size_t len, const Settings *base,
        Settings *ret, const char **ret_owner) {
        _cleanup_(arena_freep) Arena *scratch = NULL;
        YNode *root;
        int r;

        /* The node tree is only needed while validating: it gets an arena of its own. */
        scratch = arena_new();
        if (!scratch)
                return oom(l->diag, path);
        r = yaml_tree_parse(scratch, path, text, len, &root, l->diag);
        if (r < 0)
                return r;
        return policy_schema_apply(l->arena, root, path, kind, base, ret, ret_owner, l->diag);
}

static int loader_init(
        Loader *l, const char *dir, size_t n_accounts, const PolicyOptions *opts, RccDiag *diag) {
        static const PolicyOptions no_options = {};
        int r;

        *l = (Loader){.opts = opts ? opts : &no_options, .diag = diag, .cap_accounts = n_accounts};
        l->arena = arena_new();
        if (!l->arena)
                return oom(diag, NULL);
        l->policy = arena_alloc(l->arena, sizeof(Policy));
        if (!l->policy)
                return oom(diag, NULL);
        l->policy->arena = l->arena;
        l->policy->dir = arena_strdup(l->arena, dir);
        l->policy->accounts = arena_alloc_array(l->arena, n_accounts, sizeof(Account));
        if (!l->policy->dir || !l->policy->accounts)
                return oom(diag, NULL);
        r = settings_builtin_defaults(l->arena, &l->policy->defaults);
        if (r < 0)
                return oom(diag, NULL);
        return 0;
}

static int loader_defaults(Loader *l, const char *path, const char *text, size_t len) {
        const char *p = arena_strdup(l->arena, path);

        if (!p)
                return oom(l->diag, path);
        return apply_document(
                l, p, POLICY_FILE_DEFAULTS, text, len, &l->policy->defaults, &l->policy->defaults, NULL);
}

static int loader_account(Loader *l, const char *name, const char *path, const char *text, size_t len) {
        Account *a;
        int r;

        if (!user_name_valid(name, false))
                return diag_set(
                        l->diag, -EINVAL, path, 0, 0,
                        "'%s' is not a valid account name; expected lower-case letters, digits, '_', "
                        "'.' or '-', starting with a letter or '_', at most %d characters",
                        name, USER_NAME_MAX);
        if (l->policy->n_accounts >= l->cap_accounts)
                return diag_set(l->diag, -E2BIG, path, 0, 0, "more than %u accounts", POLICY_MAX_ACCOUNTS);

        a = &l->policy->accounts[l->policy->n_accounts];
        a->name = arena_strdup(l->arena, name);
        a->file = arena_strdup(l->arena, path);
        if (!a->name || !a->file)
                return oom(l->diag, path);
        r = apply_document(
                l, a->file, POLICY_FILE_ACCOUNT, text, len, &l->policy->defaults, &a->settings, &a->owner);
        if (r < 0)
                return r;
        r = resolve_account(l, a);
        if (r < 0)
                return r;
        l->policy->n_accounts++;
        return 0;
}

static int account_compare(const void *x, const void *y) {
        const Account *a = x, *b = y;

        if (a->uid != b->uid)
                return a->uid < b->uid ? -1 : 1;
        return strcmp(a->name, b->name);
}

static int loader_finish(Loader *l, Policy **ret) {
        Policy *p = l->policy;

        qsort(p->accounts, p->n_accounts, sizeof(Account), account_compare);
        for (size_t i = 1; i < p->n_accounts; i++)
                if (p->accounts[i].uid == p->accounts[i - 1].uid)
                        return diag_set(
                                l->diag, -EEXIST, p->accounts[i].file, 0, 0,
                                "duplicate account: '%s' has uid %u, like '%s' (%s)", p->accounts[i].name,
                                (unsigned)p->accounts[i].uid, p->accounts[i - 1].name,
                                p->accounts[i - 1].file);
        *ret = p;
        return 0;
}

int policy_load_buffers(
        const char *defaults_text, size_t defaults_len, const char *const *account_names,
        const char *const *account_texts, const size_t *account_lens, size_t n_accounts,
        const PolicyOptions *opts, Policy **ret, RccDiag *diag) {
        _cleanup_(arena_freep) Arena *arena = NULL;
        Loader l;
        int r;

        if (n_accounts > POLICY_MAX_ACCOUNTS)
                return diag_set(diag, -E2BIG, NULL, 0, 0, "more than %u accounts", POLICY_MAX_ACCOUNTS);
        r = loader_init(&l, "", n_accounts, opts, diag);
        arena = l.arena;
        if (r < 0)
                return r;
        r = loader_defaults(&l, "rcc.yaml", defaults_text, defaults_len);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_accounts; i++) {
                char path[PATH_MAX];

                snprintf(path, sizeof path, ACCOUNTS_DIR "/%s.yaml", account_names[i]);
                r = loader_account(&l, account_names[i], path, account_texts[i], account_lens[i]);
                if (r < 0)
                        return r;
        }
        r = loader_finish(&l, ret);
        if (r >= 0)
                TAKE_PTR(arena);
        return r;
}

/* ---- files ---- */

/* Open name under dirfd (or the path itself with AT_FDCWD) and check it is ours to trust: the
 * right type, owned by root (or by us when allowed) and not writable by group or others. */
/* An entry of the policy directory: see fileio.h for what is checked. */
static int open_trusted(
        Loader *l, int dirfd, const char *name, const char *path, bool directory, int *ret_fd) {
        TrustOptions opts = {
                .kind = directory ? FILE_DIRECTORY : FILE_REGULAR,
                .allow_own = l->opts->allow_own_files,
        };

        return file_open_trusted(dirfd, name, path, &opts, ret_fd, l->diag);
}

static int load_file(Loader *l, int dirfd, const char *name, const char *account, const char *path) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r;

        r = open_trusted(l, dirfd, name, path, false, &fd);
        if (r < 0)
                return r;
        r = file_read_bounded(fd, POLICY_MAX_FILE_SIZE, path, "policy file", &text, &len, l->diag);
        if (r < 0)
                return r;
        if (!account)
                return loader_defaults(l, path, text, len);
        return loader_account(l, account, path, text, len);
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n >= k && streq(s + n - k, suffix);
}

typedef enum EntryKind {
        ENTRY_IGNORE,  /* hidden files, editor backups, package manager leftovers */
        ENTRY_ACCOUNT, /* NAME.yaml */
        ENTRY_YML,     /* NAME.yml: almost certainly meant as an account, so say so */
        ENTRY_OTHER,
} EntryKind;

static EntryKind classify_entry(const char *name) {
        if (name[0] == '.' || has_suffix(name, "~") || strstr(name, ".dpkg-") || strstr(name, ".rpm"))
                return ENTRY_IGNORE;
        if (has_suffix(name, ".yaml") && strlen(name) > strlen(".yaml"))
                return ENTRY_ACCOUNT;
        if (has_suffix(name, ".yml"))
                return ENTRY_YML;
        return ENTRY_OTHER;
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The account files' names, sorted; names live in the scratch arena. */
static int list_accounts(Loader *l, DIR *d, const char *dpath, Arena *scratch, char ***ret, size_t *ret_n) {
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;

        while ((errno = 0, de = readdir(d))) {
                char path[PATH_MAX];
                EntryKind k = classify_entry(de->d_name);

                if (k == ENTRY_IGNORE)
                        continue;
                if (path_join(path, sizeof path, dpath, de->d_name, l->diag) < 0)
                        return -ENAMETOOLONG;
                if (k == ENTRY_YML)
                        return diag_set(
                                l->diag, -EINVAL, path, 0, 0,
                                "account files end in .yaml; rename it to '%.*s.yaml'",
                                (int)(strlen(de->d_name) - strlen(".yml")), de->d_name);
                if (k == ENTRY_OTHER)
                        return diag_set(
                                l->diag, -EINVAL, path, 0, 0,
                                "not an account file; expected NAME.yaml (names starting with '.' or ending "
                                "in '~' are ignored)");
                if (n >= POLICY_MAX_ACCOUNTS)
                        return diag_set(
                                l->diag, -E2BIG, dpath, 0, 0, "more than %u account files",
                                POLICY_MAX_ACCOUNTS);
                if (n == cap) {
                        cap = cap == 0 ? 16 : cap * 2;
                        names = arena_realloc_array(scratch, names, n, cap, sizeof(char *));
                        if (!names)
                                return oom(l->diag, dpath);
                }
                names[n] = arena_strdup(scratch, de->d_name);
                if (!names[n++])
                        return oom(l->diag, dpath);
        }
        if (errno != 0)
                return errno_diag(l->diag, negative_errno(), dpath, "cannot read directory");
        if (n > 0)
                qsort(names, n, sizeof(char *), compare_strings);
        *ret = names;
        *ret_n = n;
        return 0;
}

static int load_accounts(Loader *l, int dir_fd, const char *dir) {
        _cleanup_(arena_freep) Arena *scratch = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_close_ int fd = -EBADF;
        char dpath[PATH_MAX];
        char **names = NULL;
        size_t n = 0;
        int r;

        r = path_join(dpath, sizeof dpath, dir, ACCOUNTS_DIR, l->diag);
        if (r < 0)
                return r;
        if (faccessat(dir_fd, ACCOUNTS_DIR, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
                return 0; /* no accounts.d: no accounts */
        r = open_trusted(l, dir_fd, ACCOUNTS_DIR, dpath, true, &fd);
        if (r < 0)
                return r;
        d = fdopendir(fd);
        if (!d)
                return errno_diag(l->diag, negative_errno(), dpath, "cannot open directory");
        TAKE_FD(fd);

        scratch = arena_new();
        if (!scratch)
                return oom(l->diag, dpath);
        r = list_accounts(l, d, dpath, scratch, &names, &n);
        if (r < 0)
                return r;

        l->policy->accounts = arena_alloc_array(l->arena, n, sizeof(Account));
        if (!l->policy->accounts)
                return oom(l->diag, dpath);
        l->cap_accounts = n;
        for (size_t i = 0; i < n; i++) {
                char path[PATH_MAX], account[NAME_MAX + 1];

                r = path_join(path, sizeof path, dpath, names[i], l->diag);
                if (r < 0)
                        return r;
                snprintf(
                        account, sizeof account, "%.*s", (int)(strlen(names[i]) - strlen(".yaml")),
                        names[i]);
                r = load_file(l, dirfd(d), names[i], account, path);
                if (r < 0)
                        return r;
        }
        return 0;
}

int policy_load(const char *dir, const PolicyOptions *opts, Policy **ret, RccDiag *diag) {
        _cleanup_(arena_freep) Arena *arena = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        char d[PATH_MAX], path[PATH_MAX];
        size_t len = 0;
        Loader l;
        int r;

        /* "DIR/" and "DIR" name the same directory; keep "/" itself. */
        len = strlen(dir);
        while (len > 1 && dir[len - 1] == '/')
                len--;
        if (len == 0 || len >= sizeof d - 32)
                return diag_set(diag, -EINVAL, dir, 0, 0, "invalid policy directory");
        snprintf(d, sizeof d, "%.*s", (int)len, len == 1 && dir[0] == '/' ? "" : dir);

        r = loader_init(&l, len == 1 && dir[0] == '/' ? "/" : d, 0, opts, diag);
        arena = l.arena;
        if (r < 0)
                return r;
        r = open_trusted(&l, AT_FDCWD, l.policy->dir, l.policy->dir, true, &dir_fd);
        if (r < 0)
                return r;

        r = path_join(path, sizeof path, d, "rcc.yaml", diag);
        if (r < 0)
                return r;
        r = load_file(&l, dir_fd, "rcc.yaml", NULL, path);
        if (r < 0)
                return r;
        r = load_accounts(&l, dir_fd, d);
        if (r < 0)
                return r;

        r = loader_finish(&l, ret);
        if (r >= 0)
                TAKE_PTR(arena);
        return r;
}
