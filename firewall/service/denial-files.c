/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "denial-files.h"
#include "fileio.h"
#include "macro.h"
#include "paths.h"
#include "policy.h"

#define TMP_NAME "." RCC_DENIALS_FILE ".new"

/* A directory of root's that nobody else may write, opened without following a symlink. */
static int open_root_dir(int at, const char *name) {
        _cleanup_close_ int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_uid != 0 || (st.st_mode & 0022))
                return -EPERM;
        return TAKE_FD(fd);
}

/* RCC_DENIALS_DIR, made if missing. RCC_RUN_DIR is root's 0755 (main.c makes it). */
static int open_top(void) {
        _cleanup_close_ int run = open_root_dir(AT_FDCWD, RCC_RUN_DIR);

        if (run < 0)
                return run;
        if (mkdirat(run, "denials", 0755) < 0 && errno != EEXIST)
                return -errno;
        return open_root_dir(run, "denials");
}

static int open_session_dir(pid_t pid, bool create, gid_t gid) {
        _cleanup_close_ int top = open_top(), fd = -EBADF;
        char name[16];

        if (top < 0)
                return top;
        snprintf(name, sizeof name, "%d", (int)pid);
        if (create && mkdirat(top, name, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = open_root_dir(top, name);
        if (fd < 0)
                return fd;
        /* The account's group may read it (its container's user is the account); no one else. */
        if (create && (fchown(fd, 0, gid) < 0 || fchmod(fd, 0750) < 0))
                return -errno;
        return TAKE_FD(fd);
}

static int write_file(int dir, gid_t gid, const Account *a, const DenialList *l) {
        /* One service, one thread: the buffer need not be on the stack. */
        static char text[DENIAL_FILE_MAX];
        size_t len = denial_report(a, l, text, sizeof text);
        _cleanup_close_ int fd = -EBADF;
        int r;

        /* Written aside and renamed over: a reader sees the old file or the new one, never half. */
        (void)unlinkat(dir, TMP_NAME, 0);
        fd = openat(dir, TMP_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if ((r = file_write_all(fd, text, len)) < 0)
                return r;
        if (fchown(fd, 0, gid) < 0 || fchmod(fd, 0640) < 0)
                return -errno;
        if (renameat(dir, TMP_NAME, dir, RCC_DENIALS_FILE) < 0)
                return -errno;
        return 0;
}

int denial_file_create(pid_t pid, gid_t gid, const Account *a, const DenialList *l) {
        _cleanup_close_ int dir = open_session_dir(pid, true, gid);

        if (dir < 0)
                return dir;
        return write_file(dir, gid, a, l);
}

int denial_file_write(pid_t pid, gid_t gid, const Account *a, const DenialList *l) {
        _cleanup_close_ int dir = open_session_dir(pid, false, gid);

        if (dir < 0)
                return dir;
        return write_file(dir, gid, a, l);
}

void denial_file_remove(pid_t pid) {
        _cleanup_close_ int top = open_top(), dir = open_session_dir(pid, false, 0);
        char name[16];

        if (top < 0 || dir < 0)
                return;
        (void)unlinkat(dir, TMP_NAME, 0);
        (void)unlinkat(dir, RCC_DENIALS_FILE, 0);
        snprintf(name, sizeof name, "%d", (int)pid);
        (void)unlinkat(top, name, AT_REMOVEDIR);
}

void denial_files_prune(void) {
        _cleanup_close_ int top = open_top();
        DIR *d;

        if (top < 0)
                return;
        d = fdopendir(dup(top));
        if (!d)
                return;
        /* A session that rejoins after a restart keeps its directory (its container has it bound);
         * one whose rcc-shell is gone is over. */
        for (struct dirent *e; (e = readdir(d));) {
                char *end;
                long pid = strtol(e->d_name, &end, 10);
                if (e->d_name[0] == '.' || *end || pid <= 0)
                        continue;
                if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
                        denial_file_remove((pid_t)pid);
        }
        closedir(d);
}
