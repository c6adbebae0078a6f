/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "util.h"

#define RUN_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* In the child: never returns. Only async-signal-safe calls and _exit() after fork(). */
static _noreturn_ void run_child(const char *const *argv, const RunOptions *o, int out_fd) {
        char home[4096 + 5] = "HOME=/", user[256 + 5] = "USER=root", logname[256 + 8] = "LOGNAME=root";
        const char *envp[64];
        size_t n = 0;
        int fd;

        fd = open(o->stdin_path ?: "/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
                _exit(127);
        if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
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
        execve(argv[0], (char *const *)argv, (char *const *)envp);
        _exit(127);
}

int run_argv(const char *const *argv, const RunOptions *opts) {
        static const RunOptions none = {};
        const RunOptions *o = opts ?: &none;
        _cleanup_close_ int out_fd = -EBADF;
        _cleanup_close_ int pipe_r = -EBADF;
        int status;
        pid_t pid;

        assert(argv && argv[0] && argv[0][0] == '/');

        if (o->capture) {
                int p[2];

                if (pipe2(p, O_CLOEXEC) < 0)
                        return -errno;
                pipe_r = p[0];
                out_fd = p[1];
        } else if (o->quiet) {
                out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (out_fd < 0)
                        return -errno;
        }

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                run_child(argv, o, out_fd);

        if (o->capture) {
                size_t len = 0;
                ssize_t k;

                out_fd = safe_close(out_fd);
                while ((k = read(pipe_r, o->capture + len, o->capture_size - 1 - len)) != 0) {
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0)
                                break;
                        len += (size_t)k;
                        if (len == o->capture_size - 1) {
                                char sink[4096]; /* keep draining so the child does not block */
                                while (read(pipe_r, sink, sizeof sink) > 0)
                                        ;
                                break;
                        }
                }
                o->capture[len] = '\0';
        }

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return -ECHILD;
}

int write_file_temp(
        const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid, char **ret_tmp) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *slash = strrchr(path, '/');

        if (!slash || asprintf(&tmp, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < len;) {
                ssize_t k = write(fd, data + done, len - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        goto fail;
                done += (size_t)k;
        }
        if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0)
                goto fail;
        *ret_tmp = TAKE_PTR(tmp);
        return 0;
fail:;
        int r = -errno;
        (void)unlink(tmp);
        return r;
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid) {
        _cleanup_free_ char *tmp = NULL;
        int r = write_file_temp(path, data, len, mode, uid, gid, &tmp);

        if (r < 0)
                return r;
        if (rename(tmp, path) < 0) {
                r = -errno;
                (void)unlink(tmp);
                return r;
        }
        return 0;
}

int read_file(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        /* Read to the end, bounded by max, not by st_size: files of /proc and securityfs say 0
         * bytes, those of /sys 4096, whatever they hold. */
        size_t cap = (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1;
        if (cap < 64)
                cap = 64;
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len > max)
                        return -EFBIG;
                if (len + 1 == cap) {
                        char *grown = realloc(buf, cap * 2);
                        if (!grown)
                                return -ENOMEM;
                        buf = grown;
                        cap *= 2;
                }
                ssize_t k = read(fd, buf + len, cap - 1 - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        if (len > max)
                return -EFBIG; /* the last read went past it */
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

/* Whether text has line as a whole line; *ret_at gets its offset. */
static bool find_line(const char *text, const char *line, size_t *ret_at) {
        size_t n = strlen(line);

        for (const char *p = text; *p;) {
                const char *end = strchrnul(p, '\n');
                if ((size_t)(end - p) == n && memcmp(p, line, n) == 0) {
                        *ret_at = (size_t)(p - text);
                        return true;
                }
                p = *end ? end + 1 : end;
        }
        return false;
}

static int edit_line(const char *path, const char *line, bool add) {
        _cleanup_free_ char *text = NULL, *out = NULL;
        struct stat st = {.st_mode = 0644};
        size_t len = 0, at;
        int r;

        if (!line[0] || strchr(line, '\n'))
                return -EINVAL;
        r = read_file(path, 16u * 1024 * 1024, &text, &len);
        if (r == -ENOENT && add) {
                text = strdup("");
                if (!text)
                        return -ENOMEM;
        } else if (r == -ENOENT)
                return 0;
        else if (r < 0)
                return r;
        else if (stat(path, &st) < 0)
                return -errno;

        bool present = find_line(text, line, &at);
        if (present == add)
                return 0;
        if (add) {
                bool needs_nl = len > 0 && text[len - 1] != '\n';
                if (asprintf(&out, "%s%s%s\n", text, needs_nl ? "\n" : "", line) < 0)
                        return -ENOMEM;
        } else {
                size_t skip = strlen(line) + (text[at + strlen(line)] == '\n');
                out = malloc(len + 1);
                if (!out)
                        return -ENOMEM;
                memcpy(out, text, at);
                memcpy(out + at, text + at + skip, len - at - skip + 1);
        }
        r = write_file_atomic(path, out, strlen(out), st.st_mode & 07777, st.st_uid, st.st_gid);
        return r < 0 ? r : 1;
}

int file_add_line(const char *path, const char *line) {
        return edit_line(path, line, true);
}

int file_remove_line(const char *path, const char *line) {
        return edit_line(path, line, false);
}
