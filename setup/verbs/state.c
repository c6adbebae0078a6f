/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup state: the homes the sessions keep (shell/home.h), one per human and project of each
 * account, and each human's login.
 *
 *   state list [--user HUMAN]                   one line per home: account, human, project, size,
 *                                               last use; retired ones marked
 *   state remove --user HUMAN [--project PATH]  remove a human's homes (one project's, or all of
 *                                               them and their login, retired ones included)
 *
 * Retired homes (host/homes.h) are listed and removed with the others. Everything under homes/ is
 * the account's, written by its sessions: it is walked by descriptor and never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "homes.h"
#include "log.h"
#include "policy.h"
#include "storage.h"
#include "verbs.h"

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* Bytes under the directory fd (closed here), by descriptor. */
static uint64_t tree_size(int fd) {
        _cleanup_(closedirp) DIR *d = fdopendir(fd);
        uint64_t total = 0;

        if (!d) {
                safe_close(fd);
                return 0;
        }
        for (struct dirent *e; (e = readdir(d));) {
                struct stat st;

                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
                    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                total += (uint64_t)st.st_blocks * 512;
                if (S_ISDIR(st.st_mode)) {
                        int sub =
                                openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                total += tree_size(sub);
                }
        }
        return total;
}

/* What the home KEY of a human (dir fd human_fd) was for: its "project" file's first line. */
static void home_project(int human_fd, const char *key, char *buf, size_t size, time_t *ret_mtime) {
        char rel[NAME_MAX + 16];
        struct stat st;
        ssize_t n;

        snprintf(buf, size, "?");
        *ret_mtime = 0;
        snprintf(rel, sizeof rel, "%s/project", key);
        _cleanup_close_ int fd = openat(human_fd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return;
        *ret_mtime = st.st_mtime;
        n = read(fd, buf, size - 1);
        if (n <= 0)
                return;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
}

typedef struct StateFilter {
        const char *human;   /* NULL: every human */
        const char *project; /* NULL: every project */
} StateFilter;

/* Each home of one human's directory: print it (remove: remove it instead). */
static int walk_human(
        const Account *a, int human_fd, const char *human, bool retired, const StateFilter *f, bool remove,
        unsigned *count) {
        _cleanup_(closedirp) DIR *d = fdopendir(fcntl(human_fd, F_DUPFD_CLOEXEC, 3));
        int r = 0;

        if (!d)
                return -errno;
        for (struct dirent *e; (e = readdir(d));) {
                char project[PATH_MAX], when[32] = "never", rel[NAME_MAX + 8];
                struct stat st;
                time_t mtime;

                if (e->d_name[0] == '.' || fstatat(human_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISDIR(st.st_mode))
                        continue;
                home_project(human_fd, e->d_name, project, sizeof project, &mtime);
                if (f->project && strcmp(project, f->project) != 0)
                        continue;
                (*count)++;
                if (remove) {
                        int k = remove_tree_at(human_fd, e->d_name);
                        if (k < 0 && r == 0)
                                r = k;
                        step("removed", "%s: home of %s for %s", a->name, human, project);
                        continue;
                }
                snprintf(rel, sizeof rel, "%s/home", e->d_name);
                int home = openat(human_fd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                uint64_t size = home >= 0 ? tree_size(home) : 0;
                if (mtime)
                        strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&mtime));
                char sz[32];
                if (size < 1048576)
                        snprintf(sz, sizeof sz, "%" PRIu64 " KiB", size / 1024);
                else
                        snprintf(sz, sizeof sz, "%.1f MiB", (double)size / 1048576.0);
                printf("%-16s %-16s %-40s %12s  %s%s\n", a->name, human, project, sz, when,
                       retired ? "  (retired)" : "");
        }
        return r;
}

static int walk_account(const Account *a, const StateFilter *f, bool remove, unsigned *count) {
        _cleanup_close_ int homes = homes_open(a->uid);
        int r = 0;

        if (homes == -ENOENT)
                return 0;
        if (homes < 0)
                return log_errno(homes, "cannot open the homes of '%s': %s", a->name, strerror(-homes));
        for (int retired = 0; retired <= 1; retired++) {
                _cleanup_close_ int dir = retired ? openat(homes, HOMES_RETIRED,
                                                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                                  : fcntl(homes, F_DUPFD_CLOEXEC, 3);
                if (dir < 0)
                        continue;
                _cleanup_(closedirp) DIR *d = fdopendir(fcntl(dir, F_DUPFD_CLOEXEC, 3));
                for (struct dirent *e; d && (e = readdir(d));) {
                        char human[NAME_MAX + 1];
                        if (e->d_name[0] == '.')
                                continue;
                        snprintf(human, sizeof human, "%s", e->d_name);
                        if (retired)
                                human[strcspn(human, ".")] = '\0';
                        if (f->human && strcmp(human, f->human) != 0)
                                continue;
                        _cleanup_close_ int hfd =
                                openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (hfd < 0)
                                continue;
                        int k = walk_human(a, hfd, human, retired, f, remove, count);
                        if (k < 0 && r == 0)
                                r = k;
                        /* All of a human's: their login too, and the directory. */
                        if (remove && !f->project) {
                                (void)unlinkat(hfd, "credentials.json", 0);
                                if (unlinkat(dir, e->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
                                        r = -errno;
                        }
                }
        }
        return r;
}

static int parse_filter(int argc, char **argv, StateFilter *ret) {
        enum { ARG_USER = 0x100, ARG_PROJECT };
        static const struct option options[] = {
                {"user", required_argument, NULL, ARG_USER},
                {"project", required_argument, NULL, ARG_PROJECT},
                {},
        };
        int c;

        *ret = (StateFilter){};
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case ARG_USER:
                        ret->human = optarg;
                        break;
                case ARG_PROJECT:
                        ret->project = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        return optind == argc ? 0 : -EINVAL;
}

int verb_state(const SetupArgs *args, int argc, char **argv) {
        _cleanup_(policy_freep) Policy *p = NULL;
        StateFilter f;
        unsigned count = 0;
        bool remove;
        RccDiag diag = {};
        int r;

        if (argc < 2 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "remove") != 0) ||
            parse_filter(argc - 1, argv + 1, &f) < 0) {
                log_error(
                        "usage: rcc-setup [--account NAME] state list [--user HUMAN] | state remove --user HUMAN "
                        "[--project PATH]");
                return VERB_USAGE;
        }
        remove = strcmp(argv[1], "remove") == 0;
        if (remove && !f.human) {
                log_error("state remove needs --user HUMAN: whose homes");
                return VERB_USAGE;
        }
        r = policy_load(args->config_dir, &(PolicyOptions){}, &p, &diag);
        if (r < 0)
                return log_diag(r, &diag);
        if (!remove)
                printf("%-16s %-16s %-40s %12s  %s\n", "ACCOUNT", "HUMAN", "PROJECT", "SIZE", "LAST USE");
        FOREACH_ARRAY (a, p->accounts, p->n_accounts) {
                if (args->account && strcmp(a->name, args->account) != 0)
                        continue;
                int k = walk_account(a, &f, remove, &count);
                if (k < 0 && r == 0)
                        r = k;
        }
        if (remove && count == 0)
                log_warning(
                        "no home of '%s'%s%s", f.human, f.project ? " for " : "",
                        f.project ? f.project : "");
        return r < 0 ? log_errno(r, "not everything could be removed: %s", strerror(-r)) : 0;
}
