/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "net-helper.h"

/* podman's rootless network helpers as /proc/PID/comm names them: slirp4netns (podman 4), pasta
 * (podman 5; passt's package installs CPU-specific builds that the plain binary re-executes). */
static const char *const helper_names[] = {"slirp4netns", "pasta", "pasta.avx2", "passt", "passt.avx2"};

bool net_helper_name(const char *comm) {
        for (size_t i = 0; i < ELEMENTSOF(helper_names); i++)
                if (strcmp(comm, helper_names[i]) == 0)
                        return true;
        return false;
}

/* A small /proc/PID file into buf, NUL-terminated; its length, or -errno. */
static ssize_t read_proc(int proc_fd, const char *pid, const char *file, char *buf, size_t size) {
        char path[64];
        ssize_t n;
        int fd;

        snprintf(path, sizeof path, "%s/%s", pid, file);
        fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, size - 1);
        if (n < 0)
                n = negative_errno();
        close(fd);
        if (n >= 0)
                buf[n] = '\0';
        return n;
}

/* The real uid of pid, from /proc/PID/status. */
static int read_uid(int proc_fd, const char *pid, uid_t *ret) {
        char buf[4096];
        const char *line;
        unsigned long uid;

        if (read_proc(proc_fd, pid, "status", buf, sizeof buf) < 0)
                return -ESRCH;
        line = strstr(buf, "\nUid:\t");
        if (!line || sscanf(line, "\nUid:\t%lu", &uid) != 1)
                return -EBADMSG;
        *ret = (uid_t)uid;
        return 0;
}

static bool uid_listed(uid_t uid, const uid_t *uids, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (uids[i] == uid)
                        return true;
        return false;
}

/* The name first, from /proc/PID/comm: cheap, and rarely a helper's; the uid only then. */
static bool is_helper(int proc_fd, const char *pid, const uid_t *uids, size_t n) {
        char comm[32];
        ssize_t len = read_proc(proc_fd, pid, "comm", comm, sizeof comm);
        uid_t uid;

        if (len <= 0)
                return false;
        comm[strcspn(comm, "\n")] = '\0';
        return net_helper_name(comm) && read_uid(proc_fd, pid, &uid) == 0 && uid_listed(uid, uids, n);
}

int net_helpers_signal(const uid_t *uids, size_t n, NetHelperAction action) {
        static const int signals[] = {
                [NET_HELPER_HOLD] = SIGSTOP,
                [NET_HELPER_RESUME] = SIGCONT,
                [NET_HELPER_CUT] = SIGKILL,
        };
        _cleanup_close_ int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        int count = 0;

        if (proc_fd < 0)
                return negative_errno();
        int dup_fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 3);
        if (dup_fd < 0)
                return negative_errno();
        DIR *d = fdopendir(dup_fd);
        if (!d) {
                close(dup_fd);
                return negative_errno();
        }
        while ((de = readdir(d))) {
                char *end;
                long pid = strtol(de->d_name, &end, 10);

                if (*end != '\0' || pid <= 0 || !is_helper(proc_fd, de->d_name, uids, n))
                        continue;
                /* Checked again through the pidfd's process: if the pid was reused between the
                 * listing and pidfd_open, the check sees the new process; if after, the signal
                 * reaches the old, dead one (ESRCH). */
                _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
                if (pidfd < 0 || !is_helper(proc_fd, de->d_name, uids, n))
                        continue;
                if (syscall(SYS_pidfd_send_signal, pidfd, signals[action], NULL, 0) == 0)
                        count++;
        }
        closedir(d);
        return count;
}
