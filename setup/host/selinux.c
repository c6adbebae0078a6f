/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SELinux for the sandbox accounts (see selinux.h and selinux/README.md). Everything goes through
 * the distribution's tools (semodule, semanage, restorecon) by argument vector; what is already
 * there is read from the files those tools keep up to date (seusers, file_contexts.local), so no
 * libselinux is needed and doctor works without root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "config.h"
#include "context.h"
#include "files.h"
#include "log.h"
#include "macro.h"
#include "manifest.h"
#include "paths.h"
#include "policy.h"
#include "run.h"
#include "selinux.h"

#define SMALL_FILE_MAX (4u * 1024 * 1024)
/* What rcc.fc labels: rcc installed into /usr. */
#define FC_CONFIG_DIR "/etc/rcc"
#define FC_HOME_DIR "/var/lib/rcc/home"

bool selinux_enabled(void) {
        return access(SELINUXFS "/enforce", F_OK) == 0;
}

/* ---- what is there: read from the files the tools maintain ---- */

/* The first line of text that starts with prefix followed by one of the characters in after (NULL:
 * anything; a "\n" in after accepts the end of the text too), or NULL. */
static const char *find_line_prefix(const char *text, const char *prefix, const char *after) {
        size_t len = strlen(prefix);

        for (const char *line = text; *line;) {
                const char *end = line + strcspn(line, "\n");
                if (strncmp(line, prefix, len) == 0 &&
                    (!after || strchr(after, line[len] ? line[len] : '\n')))
                        return line;
                line = *end ? end + 1 : end;
        }
        return NULL;
}

/* SELINUXTYPE of /etc/selinux/config, the policy store the tools use. */
static int policy_type(char *buf, size_t size) {
        _cleanup_free_ char *text = NULL;
        const char *line;
        size_t n;
        int r;

        r = read_file(SELINUX_CONFIG, SMALL_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;
        line = find_line_prefix(text, "SELINUXTYPE=", NULL);
        if (!line)
                return -ENOENT;
        line += strlen("SELINUXTYPE=");
        n = strcspn(line, " \t\r\n");
        if (n == 0 || n >= size || memchr(line, '/', n))
                return -EINVAL;
        memcpy(buf, line, n);
        buf[n] = '\0';
        return 0;
}

/* Read /etc/selinux/TYPE/<rel>. */
static int read_store_file(const char *rel, char **ret) {
        char type[64], path[PATH_MAX];
        int r;

        r = policy_type(type, sizeof type);
        if (r < 0)
                return r;
        snprintf(path, sizeof path, "/etc/selinux/%s/%s", type, rel);
        return read_file(path, SMALL_FILE_MAX, ret, NULL);
}

int selinux_login_mapping(const char *name, char *buf, size_t size) {
        _cleanup_free_ char *text = NULL;
        size_t len = strlen(name);
        const char *line;
        int r;

        r = read_store_file("seusers", &text);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        line = find_line_prefix(text, name, ":");
        if (!line)
                return 0;
        line += len + 1;
        snprintf(buf, size, "%.*s", (int)strcspn(line, ":\n"), line);
        return 1;
}

/* Whether semanage's local file contexts have a rule for exactly spec. */
static bool fcontext_exists(const char *spec) {
        _cleanup_free_ char *text = NULL;

        if (read_store_file("contexts/files/file_contexts.local", &text) < 0)
                return false;
        return find_line_prefix(text, spec, " \t");
}

bool selinux_type_loaded(const char *type) {
        char con[128];

        /* With an MLS/MCS range, as Debian's and Fedora's policies have, then without one. */
        for (int mls = 1; mls >= 0; mls--) {
                _cleanup_close_ int fd = open(SELINUXFS "/context", O_RDWR | O_CLOEXEC);
                if (fd < 0)
                        return false;
                snprintf(con, sizeof con, "system_u:object_r:%s%s", type, mls ? ":s0" : "");
                if (write(fd, con, strlen(con) + 1) > 0)
                        return true;
        }
        return false;
}

/* The SELinux user and type of path's label (user:role:type[:range]), into user and type ("" when
 * it has none). */
static void label_user_type(const char *path, char *user, size_t user_size, char *type, size_t type_size) {
        char con[256];
        ssize_t n = lgetxattr(path, "security.selinux", con, sizeof con - 1);
        const char *t;

        user[0] = type[0] = '\0';
        if (n <= 0)
                return;
        con[n] = '\0';
        snprintf(user, user_size, "%.*s", (int)strcspn(con, ":"), con);
        t = strchr(con, ':');
        t = t ? strchr(t + 1, ':') : NULL;
        if (t)
                snprintf(type, type_size, "%.*s", (int)strcspn(t + 1, ":"), t + 1);
}

void selinux_label_type(const char *path, char *buf, size_t size) {
        char user[64];

        label_user_type(path, user, sizeof user, buf, size);
}

/* semanage's rule for a directory and everything below it (tree), or for the directory alone: the
 * path as a regular expression. NULL for a path the file_contexts format cannot hold (whitespace,
 * control characters). */
static char *fcontext_spec(const char *path, bool tree) {
        char *spec = malloc(strlen(path) * 2 + sizeof "(/.*)?"), *o = spec;

        if (!spec)
                return NULL;
        for (const char *c = path; *c; c++) {
                if ((unsigned char)*c <= ' ' || *c == 0x7f) {
                        free(spec);
                        errno = EINVAL;
                        return NULL;
                }
                if (strchr(".^$*+?()[]{}|\\", *c))
                        *o++ = '\\';
                *o++ = *c;
        }
        strcpy(o, tree ? "(/.*)?" : "");
        return spec;
}

/* ---- changes ---- */

static int run_tool(const char *const *argv) {
        int r = run_argv(argv, &(RunOptions){.quiet = true});

        if (r != 0)
                return log_errno(
                        r < 0 ? r : -EIO, "%s %s %s failed (%d)", argv[0], argv[1], argv[2] ?: "", r);
        return 0;
}

static void restorecon(const char *path) {
        const char *argv[] = {RESTORECON_PATH, "-R", path, NULL};

        if (access(path, F_OK) == 0 && run_argv(argv, NULL) != 0)
                log_warning("restorecon -R '%s' failed; its labels may be stale", path);
}

static void restorecon_force(const char *path) {
        const char *argv[] = {RESTORECON_PATH, "-R", "-F", path, NULL};

        if (access(path, F_OK) == 0 && run_argv(argv, NULL) != 0)
                log_warning("restorecon -R -F '%s' failed; its labels may be stale", path);
}

static bool module_installed(void) {
        char out[64 * 1024];
        const char *argv[] = {SEMODULE_PATH, "-l", NULL};

        /* One module a line: its name, then (with --full or older tools) more fields. */
        if (run_argv(argv, &(RunOptions){.capture = out, .capture_size = sizeof out}) != 0)
                return false;
        return find_line_prefix(out, SELINUX_MODULE_NAME, " \t\n");
}

static int install_module(Setup *s) {
        const char *argv[] = {SEMODULE_PATH, "-i", RCC_SELINUX_MODULE, NULL};
        bool ours = manifest_find(s->manifest, "selinux", NULL, "module", SELINUX_MODULE_NAME, NULL);
        int r;

        if (!ours && module_installed()) {
                step("selinux", "a module %s that rcc-setup did not install is loaded: kept as it is",
                     SELINUX_MODULE_NAME);
                return 0;
        }
        if (!ours) {
                r = manifest_add(s->manifest, "selinux", NULL, "module", SELINUX_MODULE_NAME, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record the SELinux module: %s", strerror(-r));
        }
        /* -i replaces an older version of our own module: re-running install upgrades it. */
        return run_tool(argv);
}

/* path and below labelled type through a semanage rule, recorded for account (NULL: shared). */
static int label_tree(Setup *s, const char *account, const char *path, const char *type) {
        _cleanup_free_ char *spec = fcontext_spec(path, true);
        const char *argv[] = {SEMANAGE_PATH, "fcontext", "-a", "-t", type, spec, NULL};
        bool recorded = manifest_find(s->manifest, "selinux", NULL, "fcontext", path, NULL);
        int r;

        if (!spec) {
                if (errno == EINVAL) {
                        log_warning(
                                "'%s' has whitespace in its name, which SELinux file contexts cannot "
                                "hold: not labelled %s",
                                path, type);
                        return 0;
                }
                return log_errno(-ENOMEM, "out of memory");
        }
        if (!recorded && fcontext_exists(spec))
                return 0; /* an admin's own rule: not ours to change */
        if (!manifest_find(s->manifest, "selinux", account ?: "-", "fcontext", path, NULL)) {
                r = manifest_add(s->manifest, "selinux", account, "fcontext", path, type, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record a file context: %s", strerror(-r));
        }
        if (!fcontext_exists(spec)) {
                r = run_tool(argv);
                if (r < 0)
                        return r;
        }
        restorecon(path);
        return 0;
}

/* The directories above a project, down from its human's home, keep the human's SELinux identity
 * (unconfined_u:object_r:user_home_dir_t for alice's home). refpolicy's UBAC constraint lets a
 * user_u process use another SELinux user's home types only where one side is system_u, so the
 * account could not even search its way down to the project, which is rcc_project_t and not
 * constrained. Found at run time: avc: denied { search } for user_u:user_r:user_t ->
 * unconfined_u:object_r:user_home_dir_t, "cannot resolve the project". Each such directory, and no
 * other, gets a rule of its own that keeps its type and names system_u: what the ACL u:ACCOUNT:--x
 * grants DAC on the same directories (acl.c), this grants UBAC. What is in them keeps its owner's
 * identity; DAC still lets the account only search them. */
static int label_ancestors(Setup *s, const char *account, const char *project) {
        _cleanup_free_ char *dir = strdup(project);
        char user[64], type[128];
        int r;

        if (!dir)
                return log_errno(-ENOMEM, "out of memory");
        for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                label_user_type(dir, user, sizeof user, type, sizeof type);
                if (user[0] && type[0] && strcmp(user, SELINUX_PATH_USER) != 0) {
                        _cleanup_free_ char *spec = fcontext_spec(dir, false);
                        const char *add[] = {SEMANAGE_PATH,     "fcontext", "-a", "-f", "d", "-s",
                                             SELINUX_PATH_USER, "-t",       type, spec, NULL};
                        const char *relabel[] = {RESTORECON_PATH, "-F", dir, NULL};

                        if (!spec) {
                                log_warning(
                                        "'%s' has whitespace in its name, which SELinux file contexts "
                                        "cannot hold: the account may not be able to reach '%s' below it",
                                        dir, project);
                                return 0;
                        }
                        if (!manifest_find(s->manifest, "selinux", NULL, "identity", dir, NULL) &&
                            fcontext_exists(spec)) {
                                *slash = '/';
                                continue; /* an admin's own rule: not ours to change */
                        }
                        if (!manifest_find(s->manifest, "selinux", account, "identity", dir, NULL)) {
                                r = manifest_add(
                                        s->manifest, "selinux", account, "identity", dir, type, NULL);
                                if (r < 0)
                                        return log_errno(
                                                r, "cannot record a file context: %s", strerror(-r));
                        }
                        if (!fcontext_exists(spec)) {
                                r = run_tool(add);
                                if (r < 0)
                                        return r;
                        }
                        r = run_tool(relabel);
                        if (r < 0)
                                return r;
                }
                *slash = '/';
        }
        return 0;
}

static int map_login(Setup *s, const char *name) {
        const char *argv[] = {SEMANAGE_PATH, "login", "-a", "-s", RCC_SELINUX_USER, name, NULL};
        char current[64];
        int r;

        r = selinux_login_mapping(name, current, sizeof current);
        if (r < 0)
                return log_errno(r, "cannot read the SELinux login mappings: %s", strerror(-r));
        if (r > 0) {
                if (strcmp(current, RCC_SELINUX_USER) != 0)
                        log_warning(
                                "'%s' is mapped to the SELinux user %s, not %s: left as it is", name,
                                current, RCC_SELINUX_USER);
                return 0;
        }
        if (!manifest_find(s->manifest, "selinux", name, "login", NULL)) {
                r = manifest_add(s->manifest, "selinux", name, "login", RCC_SELINUX_USER, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record the login mapping: %s", strerror(-r));
        }
        return run_tool(argv);
}

int selinux_for_each_project(const Account *a, int (*fn)(const char *path, void *arg), void *arg) {
        const UserGrant *users;
        size_t n;
        int r = 0;

        account_humans(a, &users, &n);
        for (size_t i = 0; i < n && r >= 0; i++)
                for (size_t k = 0; k < users[i].n_projects && r >= 0; k++) {
                        glob_t g = {};

                        if (glob(users[i].projects[k], GLOB_NOSORT, NULL, &g) == 0)
                                for (size_t j = 0; j < g.gl_pathc && r >= 0; j++) {
                                        _cleanup_free_ char *real = realpath(g.gl_pathv[j], NULL);
                                        struct stat st;
                                        if (real && stat(real, &st) == 0 && S_ISDIR(st.st_mode))
                                                r = fn(real, arg);
                                }
                        globfree(&g);
                }
        return r;
}

typedef struct LabelArgs {
        Setup *s;
        const char *account;
        size_t n;
} LabelArgs;

static int label_project(const char *path, void *arg) {
        LabelArgs *l = arg;
        int r;

        l->n++;
        r = label_ancestors(l->s, l->account, path);
        if (r < 0)
                return r;
        return label_tree(l->s, l->account, path, SELINUX_PROJECT_TYPE);
}

int selinux_load_module(Setup *s) {
        static const char *const tools[] = {SEMODULE_PATH, SEMANAGE_PATH, RESTORECON_PATH};
        int r;

        if (!selinux_enabled())
                return SELINUX_SKIPPED;
        if (s->selinux_module_loaded)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(tools); i++)
                if (access(tools[i], X_OK) < 0)
                        return log_errno(
                                -ENOENT,
                                "SELinux is enabled but %s is missing (%m); install policycoreutils "
                                "(Debian: also policycoreutils-python-utils for semanage)",
                                tools[i]);
        if (access(RCC_SELINUX_MODULE, R_OK) < 0)
                return log_errno(
                        -ENOENT,
                        "SELinux is enabled but %s is missing (%m): rebuild rcc where the policy "
                        "development files are installed (selinux-policy-dev, Fedora: "
                        "selinux-policy-devel) and install it again",
                        RCC_SELINUX_MODULE);

        r = install_module(s);
        if (r < 0)
                return r;
        s->selinux_module_loaded = true;
        return 0;
}

void selinux_restore(const char *path) {
        const char *argv[] = {RESTORECON_PATH, path, NULL};

        if (selinux_enabled() && run_argv(argv, NULL) != 0)
                log_warning("restorecon '%s' failed; its label may be stale", path);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);
#define _cleanup_closedir_ _cleanup_(closedirp)

/* The SELinux user of fd's label made seuser, the rest kept. system_u's labels are left: UBAC
 * lets every user's processes use them. */
static void give_back_fd(int fd, const char *seuser) {
        char con[256], mine[320];
        ssize_t n = fgetxattr(fd, "security.selinux", con, sizeof con - 1);
        size_t ulen;

        if (n <= 0)
                return;
        con[n] = '\0';
        ulen = strcspn(con, ":");
        if (con[ulen] != ':' || (ulen == strlen(seuser) && strncmp(con, seuser, ulen) == 0) ||
            (ulen == strlen(SELINUX_PATH_USER) && strncmp(con, SELINUX_PATH_USER, ulen) == 0))
                return;
        snprintf(mine, sizeof mine, "%s%s", seuser, con + ulen);
        (void)fsetxattr(fd, "security.selinux", mine, strlen(mine) + 1, 0);
}

static void give_back_tree(int dir_fd, dev_t dev, const char *seuser, unsigned depth) {
        _cleanup_closedir_ DIR *d = NULL;
        int fd;

        give_back_fd(dir_fd, seuser);
        if (depth >= 64 || (fd = dup(dir_fd)) < 0)
                return;
        if (!(d = fdopendir(fd))) {
                close(fd);
                return;
        }
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_close_ int child = -EBADF;
                struct stat st;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                /* Directories and regular files only: a symlink fails with ELOOP, a socket with
                 * ENXIO, and O_NONBLOCK keeps a FIFO from blocking. */
                child = openat(
                        dir_fd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                if (child < 0 || fstat(child, &st) < 0 || st.st_dev != dev)
                        continue;
                if (S_ISDIR(st.st_mode))
                        give_back_tree(child, dev, seuser, depth + 1);
                else if (S_ISREG(st.st_mode))
                        give_back_fd(child, seuser);
        }
}

void selinux_give_back(uid_t uid) {
        const struct passwd *pw;
        char seuser[64], run[64];
        const char *roots[2];

        if (!selinux_enabled() || !(pw = getpwuid(uid)))
                return;
        if (selinux_login_mapping(pw->pw_name, seuser, sizeof seuser) <= 0)
                return; /* not mapped: its sessions run as whoever __default__ says */
        snprintf(run, sizeof run, "/run/user/%u", (unsigned)uid);
        roots[0] = pw->pw_dir;
        roots[1] = run;
        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                _cleanup_close_ int fd = open(roots[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;

                if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == uid)
                        give_back_tree(fd, st.st_dev, seuser, 0);
        }
}

int selinux_install(Setup *s, const Policy *p) {
        size_t n_projects = 0;
        int r;

        r = selinux_load_module(s);
        if (r != 0)
                return r;
        /* rcc.fc labels /etc/rcc and the accounts' homes; another configuration directory needs a
         * rule of its own. */
        if (strcmp(s->config_dir, FC_CONFIG_DIR) != 0) {
                r = label_tree(s, NULL, s->config_dir, SELINUX_CONF_TYPE);
                if (r < 0)
                        return r;
        } else
                restorecon(s->config_dir);
        if (strcmp(RCC_HOME_DIR, FC_HOME_DIR) != 0)
                log_warning(
                        "the sandbox homes are in %s, not %s where the rcc module labels them: they "
                        "keep their default label, which the confined user may not write",
                        RCC_HOME_DIR, FC_HOME_DIR);
        /* -F: the SELinux user too (selinux_give_back()). */
        restorecon_force(RCC_HOME_DIR);

        for (size_t i = 0; i < p->n_accounts; i++) {
                LabelArgs l = {.s = s, .account = p->accounts[i].name};

                r = map_login(s, p->accounts[i].name);
                if (r < 0)
                        return r;
                r = selinux_for_each_project(&p->accounts[i], label_project, &l);
                if (r < 0)
                        return r;
                n_projects += l.n;
        }
        step("selinux", "module %s, %zu account(s) log in as %s, %zu project director%s %s",
             SELINUX_MODULE_NAME, p->n_accounts, RCC_SELINUX_USER, n_projects, n_projects == 1 ? "y" : "ies",
             SELINUX_PROJECT_TYPE);
        return 0;
}

/* ---- undo ---- */

static void warn_tool(const char *const *argv) {
        if (run_argv(argv, &(RunOptions){.quiet = true}) != 0)
                log_warning("%s %s %s %s failed; undo it by hand", argv[0], argv[1], argv[2], argv[3] ?: "");
}

/* Another account's entry for the same directory and kind keeps the rule. */
static bool rule_still_used(const Manifest *m, size_t index) {
        const ManifestEntry *e = &m->entries[index];

        for (size_t i = 0; i < m->n_entries; i++) {
                const ManifestEntry *o = &m->entries[i];
                if (i != index && strcmp(o->kind, "selinux") == 0 && o->n_args >= 2 &&
                    strcmp(o->args[0], e->args[0]) == 0 && strcmp(o->args[1], e->args[1]) == 0)
                        return true;
        }
        return false;
}

int selinux_undo_entry(const Manifest *m, size_t index) {
        const ManifestEntry *e = &m->entries[index];
        const char *what = e->n_args > 0 ? e->args[0] : "";
        bool enabled = selinux_enabled();

        if (strcmp(e->kind, "selinux") != 0)
                return -EINVAL;
        if (access(SEMANAGE_PATH, X_OK) < 0 || access(SEMODULE_PATH, X_OK) < 0) {
                log_warning("the SELinux tools are gone: '%s %s' is not undone", e->kind, what);
                return 0;
        }
        if (strcmp(what, "module") == 0 && e->n_args >= 2) {
                const char *argv[] = {SEMODULE_PATH, "-r", e->args[1], NULL};
                if (module_installed())
                        warn_tool(argv);
                if (enabled) {
                        restorecon(RCC_CONFIG_DIR);
                        restorecon(RCC_HOME_DIR);
                }
                step("removed", "SELinux module %s", e->args[1]);
                return 0;
        }
        if (strcmp(what, "login") == 0) {
                const char *argv[] = {SEMANAGE_PATH, "login", "-d", e->account, NULL};
                char current[64];
                if (selinux_login_mapping(e->account, current, sizeof current) > 0 &&
                    strcmp(current, e->n_args > 1 ? e->args[1] : RCC_SELINUX_USER) == 0) {
                        warn_tool(argv);
                        step("removed", "SELinux login mapping of %s", e->account);
                }
                return 0;
        }
        if (strcmp(what, "fcontext") == 0 && e->n_args >= 2) {
                _cleanup_free_ char *spec = fcontext_spec(e->args[1], true);
                if (rule_still_used(m, index))
                        return 0;
                if (spec && fcontext_exists(spec)) {
                        const char *argv[] = {SEMANAGE_PATH, "fcontext", "-d", spec, NULL};
                        warn_tool(argv);
                }
                if (enabled)
                        restorecon(e->args[1]);
                step("removed", "SELinux label of %s", e->args[1]);
                return 0;
        }
        if (strcmp(what, "identity") == 0 && e->n_args >= 2) {
                _cleanup_free_ char *spec = fcontext_spec(e->args[1], false);
                const char *relabel[] = {RESTORECON_PATH, "-F", e->args[1], NULL};
                if (rule_still_used(m, index))
                        return 0;
                if (spec && fcontext_exists(spec)) {
                        const char *argv[] = {SEMANAGE_PATH, "fcontext", "-d", "-f", "d", spec, NULL};
                        warn_tool(argv);
                }
                /* -F: back to the identity the policy gives it (its human's). */
                if (enabled && access(e->args[1], F_OK) == 0 && run_argv(relabel, NULL) != 0)
                        log_warning("restorecon -F '%s' failed; its label may be stale", e->args[1]);
                step("removed", "SELinux identity of %s", e->args[1]);
                return 0;
        }
        log_warning("unknown SELinux manifest entry '%s'; skipped", what);
        return 0;
}

int selinux_uninstall(Setup *s, const char *account) {
        Manifest *m = s->manifest;
        int r;

        for (size_t i = m->n_entries; i > 0;) {
                const ManifestEntry *e = &m->entries[--i];

                if (strcmp(e->kind, "selinux") != 0 || (account && strcmp(e->account, account) != 0))
                        continue;
                r = selinux_undo_entry(m, i);
                if (r < 0)
                        return r;
                r = manifest_drop(m, i);
                if (r < 0)
                        return log_errno(r, "cannot update the manifest: %s", strerror(-r));
        }
        return 0;
}
