/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "run.h"
#include "selinux.h"

#define RUN_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* Where a chroot_dir child mounts its /proc and, when the root has no device nodes, binds the
 * host's /dev: worked out before fork(). */
typedef struct ChildRoot {
        char proc[PATH_MAX];
        char dev[PATH_MAX]; /* "" when the root has its own device nodes */
} ChildRoot;

static void child_root_paths(const char *root, ChildRoot *ret) {
        char devnull[PATH_MAX];
        struct stat st;

        *ret = (ChildRoot){};
        snprintf(ret->proc, sizeof ret->proc, "%s/proc", root);
        snprintf(devnull, sizeof devnull, "%s/dev/null", root);
        /* debootstrap makes device nodes where it may; bind the host's /dev where it could not. */
        if (stat(devnull, &st) < 0 || !S_ISCHR(st.st_mode))
                snprintf(ret->dev, sizeof ret->dev, "%s/dev", root);
}

/* In the child: a mount namespace of its own and, with chroot_dir, the root it runs in. Exits
 * 126 on failure, saying why. */
static void child_enter_root(const RunOptions *o, const ChildRoot *root) {
        /* Private from the host's: whatever the child mounts (/proc and /dev for the chroot, what
         * debootstrap mounts itself) disappears with it, so nothing stays mounted in a directory
         * that is removed afterwards. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                dprintf(STDERR_FILENO, "rcc-setup: private mount namespace: %m\n");
                _exit(126);
        }
        if (!o->chroot_dir)
                return;
        if (mount("proc", root->proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
            (root->dev[0] && mount("/dev", root->dev, NULL, MS_BIND | MS_REC, NULL) < 0) ||
            chroot(o->chroot_dir) < 0 || chdir("/") < 0) {
                dprintf(STDERR_FILENO, "rcc-setup: entering %s: %m\n", o->chroot_dir);
                _exit(126);
        }
}

/* In the child: never returns, ends in execve() or _exit(). rcc-setup has one thread, so the
 * child may call what the parent could (getpwuid, snprintf); it returns to none of the parent's
 * code and flushes none of its buffers. */
static _noreturn_ void run_child(
        const char *const *argv, const RunOptions *o, int out_fd, int err_fd, const ChildRoot *root) {
        char home[4096 + 5] = "HOME=/", user[256 + 5] = "USER=root", logname[256 + 8] = "LOGNAME=root";
        const char *envp[64];
        bool isolated = o->unshare_mount || o->chroot_dir;
        size_t n = 0;
        int fd;

        fd = open(o->stdin_path ?: "/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
                _exit(127);
        if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
                _exit(127);
        if (o->line_filter && dup2(out_fd, STDERR_FILENO) < 0)
                _exit(127);
        if (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0)
                _exit(127);
        if (o->quiet_stderr) {
                fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
                        _exit(127);
        }
        if (close_range(3, ~0U, 0) < 0)
                _exit(127);

        if (o->as_user) {
                struct passwd *pw = getpwuid(o->uid);

                if (!pw || initgroups(pw->pw_name, pw->pw_gid) < 0 ||
                    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
                    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
                        _exit(127);
                snprintf(home, sizeof home, "HOME=%s", pw->pw_dir);
                snprintf(user, sizeof user, "USER=%s", pw->pw_name);
                snprintf(logname, sizeof logname, "LOGNAME=%s", pw->pw_name);
        }
        if (isolated)
                child_enter_root(o, root);
        if (chdir(o->cwd ?: "/") < 0)
                _exit(127);

        envp[n++] = "PATH=" RUN_PATH;
        envp[n++] = home;
        envp[n++] = user;
        envp[n++] = logname;
        envp[n++] = "LC_ALL=C.UTF-8";
        for (size_t i = 0; o->env && o->env[i] && n < ELEMENTSOF(envp) - 1; i++)
                envp[n++] = o->env[i];
        envp[n] = NULL;
        execve(argv[0], (char *const *)argv, (char *const *)(o->envp ?: envp));
        if (isolated)
                dprintf(STDERR_FILENO, "rcc-setup: %s: %m\n", argv[0]);
        _exit(127);
}

/* The child's output, line by line, to o->line_filter, until it closes it. */
static void filter_lines(int fd, const RunOptions *o) {
        _cleanup_fclose_ FILE *f = fdopen(fd, "re");
        char line[1024];

        if (!f) {
                safe_close(fd);
                return;
        }
        while (fgets(line, sizeof line, f)) {
                line[strcspn(line, "\n")] = '\0';
                o->line_filter(line, o->userdata);
        }
}

/* One captured stream of the child: the pipe's read end and where what comes through it goes. */
typedef struct Capture {
        int fd; /* -EBADF once the child closed it */
        char *buf;
        size_t size, len;
} Capture;

/* The child's captured streams into their buffers (NUL-terminated, truncated), until it closes
 * them all. Both are read as they come, and what does not fit is read and dropped, so that the
 * child never blocks on a full pipe, whichever of them it writes. */
static void capture_output(Capture *c, size_t n) {
        struct pollfd pfd[2];
        size_t n_open = n;

        assert(n <= ELEMENTSOF(pfd));
        while (n_open > 0) {
                for (size_t i = 0; i < n; i++)
                        pfd[i] = (struct pollfd){.fd = c[i].fd, .events = POLLIN}; /* < 0: ignored */
                if (poll(pfd, n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (size_t i = 0; i < n; i++) {
                        char sink[4096];
                        bool full = c[i].len == c[i].size - 1;
                        ssize_t k;

                        if (c[i].fd < 0 || pfd[i].revents == 0)
                                continue;
                        k = full ? read(c[i].fd, sink, sizeof sink)
                                 : read(c[i].fd, c[i].buf + c[i].len, c[i].size - 1 - c[i].len);
                        if (k < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (k <= 0) {
                                c[i].fd = safe_close(c[i].fd);
                                n_open--;
                        } else if (!full)
                                c[i].len += (size_t)k;
                }
        }
        for (size_t i = 0; i < n; i++) {
                c[i].fd = safe_close(c[i].fd);
                c[i].buf[c[i].len] = '\0';
        }
}

/* A pipe for one captured stream: its read end to *ret_r, its write end (the child's) to *ret_w. */
static int capture_pipe(int *ret_r, int *ret_w) {
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        *ret_r = p[0];
        *ret_w = p[1];
        return 0;
}

int run_argv(const char *const *argv, const RunOptions *opts) {
        static const RunOptions none = {};
        const RunOptions *o = opts ?: &none;
        _cleanup_close_ int out_fd = -EBADF, err_fd = -EBADF;
        _cleanup_close_ int pipe_r = -EBADF, pipe_err_r = -EBADF;
        ChildRoot root = {};
        int status, r;
        pid_t pid;

        assert(argv && argv[0] && argv[0][0] == '/');
        assert(!(o->line_filter && (o->capture || o->quiet || o->capture_stderr)));
        assert(!(o->capture_stderr && o->quiet_stderr));
        assert(!o->capture || o->capture_size > 0);
        assert(!o->capture_stderr || o->capture_stderr_size > 0);

        if (o->capture || o->line_filter) {
                r = capture_pipe(&pipe_r, &out_fd);
                if (r < 0)
                        return r;
        } else if (o->quiet) {
                out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (out_fd < 0)
                        return -errno;
        }
        if (o->capture_stderr) {
                r = capture_pipe(&pipe_err_r, &err_fd);
                if (r < 0)
                        return r;
        }
        if (o->chroot_dir)
                child_root_paths(o->chroot_dir, &root);

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                run_child(argv, o, out_fd, err_fd, &root);

        out_fd = safe_close(out_fd);
        err_fd = safe_close(err_fd);
        if (o->capture || o->capture_stderr) {
                Capture c[2];
                size_t n = 0;

                if (o->capture)
                        c[n++] = (Capture){TAKE_FD(pipe_r), o->capture, o->capture_size, 0};
                if (o->capture_stderr)
                        c[n++] =
                                (Capture){TAKE_FD(pipe_err_r), o->capture_stderr, o->capture_stderr_size, 0};
                capture_output(c, n);
        } else if (o->line_filter)
                filter_lines(TAKE_FD(pipe_r), o);

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        /* It ran as the account, but in root's SELinux context: what it made is given back. */
        if (o->as_user)
                selinux_give_back(o->uid);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return -ECHILD;
}
