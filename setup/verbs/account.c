/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup account add|remove|list: lab mode, one sandbox account per human. add creates the
 * account like install does (its own uid, home and subid range), with accounts.d/NAME.yaml naming
 * its owner and projects, the owner's ssh keys, ACLs, and a sudoers rule for the owner alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "config.h"
#include "context.h"
#include "fileio.h"
#include "files.h"
#include "follow-policy.h"
#include "keys-file.h"
#include "keys.h"
#include "log.h"
#include "manifest.h"
#include "policy.h"
#include "undo.h"
#include "user.h"
#include "users.h"
#include "verbs.h"

#define MAX_PROJECTS 64

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

/* Read a file of the human's under dirfd without following symlinks; regular files only. */
static int read_human_file(int dirfd, const char *name, char **ret) {
        return file_read_at(dirfd, name, KEYS_MAX_FILE_SIZE, ret, NULL);
}

/* An authorized_keys line may start with options ("from=\"a b\",no-pty ssh-ed25519 ..."): the
 * key starts after the first blank outside quotes, unless the line starts with the key type. */
static const char *skip_options(const char *line) {
        SshKey probe;
        bool quoted = false;

        if (ssh_key_parse(line, &probe, NULL) == 0)
                return line;
        for (const char *p = line; *p; p++) {
                if (*p == '\\' && p[1])
                        p++;
                else if (*p == '"')
                        quoted = !quoted;
                else if (!quoted && (*p == ' ' || *p == '\t'))
                        return p + strspn(p, " \t");
        }
        return line;
}

static unsigned add_keys_from(
        Setup *s, const char *account, const char *human, const char *dir, int dirfd, const char *name,
        bool authorized_keys) {
        _cleanup_free_ char *text = NULL;
        unsigned lineno = 0, added = 0;
        int r;

        r = read_human_file(dirfd, name, &text);
        if (r < 0) {
                if (r != -ENOENT)
                        log_warning(
                                "%s/%s skipped: %s", dir, name,
                                r == -EINVAL ? "not a regular file" : strerror(-r));
                return 0;
        }
        for (char *line = text, *next; line && *line; line = next) {
                RccDiag diag = {};
                SshKey key;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                line += strspn(line, " \t");
                if (line[0] == '\0' || line[0] == '#' || line[0] == '\r')
                        continue;
                r = ssh_key_parse(authorized_keys ? skip_options(line) : line, &key, &diag);
                if (r < 0) {
                        log_warning("%s/%s:%u skipped: %s", dir, name, lineno, diag.msg);
                        continue;
                }
                r = keys_file_add(s, account, &key, human);
                if (r > 0)
                        added++;
        }
        return added;
}

/* The owner's keys: ~/.ssh/authorized_keys (options stripped) and ~/.ssh/NAME.pub. */
static int copy_owner_keys(Setup *s, const char *account, const char *owner) {
        struct passwd *pw = getpwnam(owner); /* again: getpwnam's buffer was reused since */
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int dirfd = -EBADF;
        _cleanup_(closedirp) DIR *d = NULL;
        unsigned added = 0;

        if (!pw)
                return log_errno(-ENOENT, "user '%s' not found", owner);
        if (asprintf(&dir, "%s/.ssh", pw->pw_dir) < 0)
                return log_errno(-ENOMEM, "out of memory");
        dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dirfd < 0) {
                log_warning("%s: %m; no keys copied (add them with rcc-setup key add)", dir);
                return 0;
        }
        added += add_keys_from(s, account, pw->pw_name, dir, dirfd, "authorized_keys", true);
        d = fdopendir(dup(dirfd));
        for (struct dirent *de; d && (de = readdir(d));) {
                size_t n = strlen(de->d_name);
                if (n > 4 && strcmp(de->d_name + n - 4, ".pub") == 0)
                        added += add_keys_from(s, account, pw->pw_name, dir, dirfd, de->d_name, false);
        }
        step("keys", "%u key(s) of '%s' authorized for %s", added, pw->pw_name, account);
        return 0;
}

static char *lab_yaml(const char *owner, const char *const *projects, size_t n) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        fprintf(f,
                "# Lab-mode sandbox account of '%s', written by rcc-setup account add. Settings here\n"
                "# apply on top of ../rcc.yaml; see rcc-policy(5).\n"
                "version: 1\n"
                "owner: %s\n"
                "users:\n"
                "  %s:\n"
                "    projects:\n",
                owner, owner, owner);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "      - \"%s\"\n", projects[i]);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int account_add(
        const SetupArgs *args, const char *name, const char *owner, const char **projects,
        size_t n_projects) {
        _cleanup_(setup_done) Setup s = {};
        _cleanup_free_ char *yaml = NULL, *rcc_yaml = NULL;
        const Account *a;
        struct passwd *pw;
        int r;

        if (!user_name_valid(name, false)) {
                log_error("'%s' is not a valid account name: expected ^[a-z_][a-z0-9_-]{0,31}$", name);
                return VERB_USAGE;
        }
        pw = getpwnam(owner);
        if (!pw || pw->pw_uid < 1000 || pw->pw_uid == 65534 || strcmp(pw->pw_shell, RCC_SHELL_PATH) == 0)
                return log_errno(
                        -EINVAL, "'%s' is not a human user (an existing account with uid >= 1000)", owner);
        for (size_t i = 0; i < n_projects; i++)
                if (projects[i][0] != '/' || strpbrk(projects[i], "\"\\\n")) {
                        log_error("--project '%s': expected an absolute path or glob", projects[i]);
                        return VERB_USAGE;
                }

        r = setup_init(&s, args->config_dir);
        if (r < 0)
                return r;
        if (asprintf(&rcc_yaml, "%s/rcc.yaml", s.config_dir) < 0)
                return log_errno(-ENOMEM, "out of memory");
        if (access(rcc_yaml, F_OK) < 0)
                return log_errno(-ENOENT, "%s is missing: run rcc-setup install first", rcc_yaml);
        if (n_projects == 0) {
                const UserGrant *g;
                r = setup_load_policy(&s);
                if (r < 0)
                        return r;
                g = settings_find_user(&s.policy->defaults, owner);
                if (!g || g->n_projects == 0)
                        return log_errno(
                                -EINVAL,
                                "'%s' has no projects in %s; pass --project PATH (a directory or glob)",
                                owner, rcc_yaml);
                yaml = lab_yaml(owner, g->projects, g->n_projects);
        } else
                yaml = lab_yaml(owner, projects, n_projects);
        if (!yaml)
                return log_errno(-ENOMEM, "out of memory");

        printf("rcc-setup: adding lab account '%s' for '%s'\n", name, owner);
        r = ensure_state_dir(&s);
        if (r < 0)
                return r;
        r = ensure_account(&s, name, "lab", yaml);
        if (r < 0)
                return r;
        /* accounts.d/NAME.yaml is new: from here on the policy is the one with it. */
        r = setup_reload_policy(&s);
        if (r < 0)
                return r;
        a = policy_find_account(s.policy, name);
        if (!a)
                return log_errno(-ENOENT, "'%s' is not in the policy after writing its file", name);
        r = copy_owner_keys(&s, name, owner);
        if (r < 0)
                return r;
        r = grant_project_acls(&s, a);
        if (r < 0)
                return r;
        r = follow_policy(&s);
        if (r < 0)
                return r;
        printf("rcc-setup: '%s' is ready: ssh %s@HOST or sudo -u %s claude (as %s)\n", name, name, name,
               owner);
        return 0;
}

static int account_remove(const SetupArgs *args, const char *name) {
        _cleanup_(setup_done) Setup s = {};
        const ManifestEntry *e;
        int r;

        r = setup_init(&s, args->config_dir);
        if (r < 0)
                return r;
        e = manifest_find(s.manifest, "account", name, NULL);
        if (!e)
                return log_errno(-ENOENT, "'%s' was not created by rcc-setup account add", name);
        if (e->n_args < 1 || strcmp(e->args[0], "lab") != 0)
                return log_errno(
                        -EPERM,
                        "'%s' is the account of rcc-setup install; remove it with rcc-setup uninstall",
                        name);
        r = check_no_processes(&s, name);
        if (r < 0)
                return r;
        r = undo_entries(&s, name);
        if (r < 0)
                return r;
        /* accounts.d/NAME.yaml is gone: the rest follows the policy without it. */
        r = setup_reload_policy(&s);
        if (r < 0)
                return r;
        r = follow_policy(&s);
        if (r < 0)
                return r;
        printf("rcc-setup: lab account '%s' removed\n", name);
        return 0;
}

static unsigned count_keys(const Setup *s, const char *name) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        unsigned n = 0;

        if (asprintf(&path, "%s/%s", s->keys_dir, name) < 0 ||
            read_file(path, KEYS_MAX_FILE_SIZE, &text, NULL) < 0)
                return 0;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
                if (line[strspn(line, " \t")] != '#' && line[strspn(line, " \t")] != '\0')
                        n++;
        return n;
}

static int account_list(const SetupArgs *args) {
        _cleanup_(setup_done) Setup s = {};
        const Policy *p;
        int r;

        r = setup_init(&s, args->config_dir);
        if (r < 0)
                return r;
        r = setup_load_policy(&s);
        if (r < 0)
                return r;
        p = s.policy;
        printf("%-20s %-7s %-12s %-5s %s\n", "NAME", "UID", "OWNER", "KEYS", "USERS");
        for (size_t i = 0; i < p->n_accounts; i++) {
                const Account *a = &p->accounts[i];
                printf("%-20s %-7u %-12s %-5u ", a->name, (unsigned)a->uid, a->owner ?: "-",
                       count_keys(&s, a->name));
                for (size_t k = 0; k < a->settings.n_users; k++)
                        printf("%s%s", k ? "," : "", a->settings.users[k].user);
                printf("%s\n", a->settings.n_users ? "" : "-");
        }
        return 0;
}

int verb_account(const SetupArgs *args, int argc, char **argv) {
        static const struct option options[] = {
                {"owner", required_argument, NULL, 'o'},
                {"project", required_argument, NULL, 'p'},
                {},
        };
        const char *owner = NULL, *projects[MAX_PROJECTS];
        size_t n_projects = 0;
        int c;

        while ((c = getopt_long(argc, argv, "o:p:", options, NULL)) >= 0)
                switch (c) {
                case 'o':
                        owner = optarg;
                        break;
                case 'p':
                        if (n_projects == MAX_PROJECTS) {
                                log_error("at most %d --project options", MAX_PROJECTS);
                                return VERB_USAGE;
                        }
                        projects[n_projects++] = optarg;
                        break;
                default:
                        return VERB_USAGE; /* getopt said what */
                }
        const char *sub = optind < argc ? argv[optind] : "";
        int left = argc - optind - 1;

        if (strcmp(sub, "add") == 0 && left == 1 && owner)
                return account_add(args, argv[optind + 1], owner, projects, n_projects);
        if (strcmp(sub, "remove") == 0 && left == 1 && !owner && n_projects == 0)
                return account_remove(args, argv[optind + 1]);
        if (strcmp(sub, "list") == 0 && left == 0 && !owner && n_projects == 0)
                return account_list(args);
        log_error(
                "usage: rcc-setup account add NAME --owner USER [--project PATH]... | account remove NAME | "
                "account list");
        return VERB_USAGE;
}
