/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"
#include "home.h"
#include "log.h"
#include "macro.h"
#include "paths.h"

/* name in dir_fd as a directory of ours (0700), made if absent; never a symlink. */
static int open_own_dir(int dir_fd, const char *name, const char *what, RccDiag *diag) {
        int fd;

        if (mkdirat(dir_fd, name, 0700) < 0 && errno != EEXIST)
                return diag_set(diag, negative_errno(), NULL, 0, 0, "cannot create %s: %m", what);
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return diag_set(
                        diag, negative_errno(), NULL, 0, 0,
                        "cannot open %s: %m; an admin runs rcc-setup doctor", what);
        return fd;
}

/* rel beneath dir_fd, no symlink or magic link at any component: the home is the agent's. */
static int open_beneath(int dir_fd, const char *rel, int flags, mode_t mode) {
        struct open_how how = {
                .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
                .mode = (flags & O_CREAT) ? mode : 0,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };

        return (int)syscall(SYS_openat2, dir_fd, rel, &how, sizeof how);
}

/* A regular file's content (at most HOME_CREDENTIALS_MAX bytes) into *ret; -ENOENT if absent. */
static int read_small(int fd, char **ret, size_t *ret_len) {
        RccDiag ignored = {};
        struct stat st;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        return file_read_bounded(fd, HOME_CREDENTIALS_MAX, "credentials", NULL, ret, ret_len, &ignored);
}

/* data into name in dir_fd, as a new file renamed over the old: whatever name was (a symlink the
 * agent put there, say) is replaced, never followed. */
static int replace_in(int dir_fd, const char *name, const char *data, size_t len) {
        char tmp[64];
        int fd, r = 0;

        snprintf(tmp, sizeof tmp, ".%s.rcc-%d", name, (int)getpid());
        (void)unlinkat(dir_fd, tmp, 0);
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
                r = errno ? negative_errno() : -EIO;
        close(fd);
        if (r == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = negative_errno();
        if (r < 0)
                (void)unlinkat(dir_fd, tmp, 0);
        return r;
}

/* The human's login from their store into the home, if they have one. */
static void copy_in(SessionHome *h) {
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int fd =
                openat(h->human_fd, HOME_CREDENTIALS_STORE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int claude = -EBADF;
        size_t len = 0;

        if (fd < 0 || read_small(fd, &data, &len) < 0)
                return;
        if (mkdirat(h->home_fd, ".claude", 0700) < 0 && errno != EEXIST)
                return;
        claude = open_beneath(h->home_fd, ".claude", O_RDONLY | O_DIRECTORY, 0);
        if (claude < 0 || replace_in(claude, ".credentials.json", data, len) < 0) {
                log_warning("cannot put the login into the session's home: %m");
                return;
        }
        sha256(data, len, h->copied);
        h->copied_in = true;
}

int home_prepare(
        SessionHome *h, uid_t uid, HomeScope scope, const char *human, const char *root, RccDiag *diag) {
        _cleanup_close_ int storage = -EBADF, homes = -EBADF, key_fd = -EBADF, mark = -EBADF;
        uint8_t digest[SHA256_DIGEST_SIZE];
        char path[64], key[SHA256_HEX_SIZE], what[PATH_MAX];
        int r;

        *h = SESSION_HOME_NULL;
        h->scope = scope;
        if (scope == HOME_EPHEMERAL)
                return 0;
        if (!human[0] || strchr(human, '/') || human[0] == '.')
                return diag_set(diag, -EINVAL, NULL, 0, 0, "'%s' cannot name a home", human);
        snprintf(path, sizeof path, RCC_STORAGE_DIR "/%u", (unsigned)uid);
        /* O_PATH: the storage's root is root's 0711, searchable but not readable. */
        storage = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (storage < 0)
                return diag_set(
                        diag, negative_errno(), NULL, 0, 0,
                        "cannot open the account's storage %s: %m; an admin runs rcc-setup install", path);
        homes = openat(storage, "homes", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (homes < 0)
                return diag_set(
                        diag, negative_errno(), NULL, 0, 0,
                        "cannot open %s/homes: %m; an admin runs rcc-setup install", path);
        snprintf(what, sizeof what, "%s/homes/%s", path, human);
        if ((h->human_fd = open_own_dir(homes, human, what, diag)) < 0)
                return h->human_fd;

        if (scope == HOME_HUMAN)
                snprintf(key, sizeof key, "all");
        else {
                sha256(root, strlen(root), digest);
                sha256_hex(digest, key);
                key[16] = '\0';
        }
        snprintf(what, sizeof what, "%s/homes/%s/%s", path, human, key);
        if ((key_fd = open_own_dir(h->human_fd, key, what, diag)) < 0)
                return key_fd;
        /* Whose home this is, for the admin; written at every session, so its mtime is the last use. */
        mark = openat(key_fd, "project", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        const char *name = scope == HOME_HUMAN ? "*" : root;
        if (mark < 0 || write(mark, name, strlen(name)) < 0 || write(mark, "\n", 1) < 0)
                return diag_set(diag, negative_errno(), NULL, 0, 0, "cannot write %s/project: %m", what);
        snprintf(what, sizeof what, "%s/homes/%s/%s/home", path, human, key);
        if ((h->home_fd = open_own_dir(key_fd, "home", what, diag)) < 0)
                return h->home_fd;
        r = snprintf(h->dir, sizeof h->dir, "%s", what);
        if (r < 0 || (size_t)r >= sizeof h->dir)
                return diag_set(diag, -ENAMETOOLONG, NULL, 0, 0, "the home's path is too long");
        copy_in(h);
        return 0;
}

void home_finish(SessionHome *h) {
        _cleanup_free_ char *data = NULL;
        uint8_t digest[SHA256_DIGEST_SIZE];
        size_t len = 0;

        if (h->home_fd >= 0 && h->human_fd >= 0) {
                _cleanup_close_ int fd = open_beneath(h->home_fd, HOME_CREDENTIALS, O_RDONLY, 0);
                if (fd >= 0 && read_small(fd, &data, &len) == 0) {
                        sha256(data, len, digest);
                        if ((!h->copied_in || memcmp(digest, h->copied, sizeof digest) != 0) &&
                            replace_in(h->human_fd, HOME_CREDENTIALS_STORE, data, len) < 0)
                                log_warning(
                                        "cannot keep the session's login for the human's next sessions: %m");
                }
        }
        safe_close(h->home_fd);
        safe_close(h->human_fd);
        *h = SESSION_HOME_NULL;
}
