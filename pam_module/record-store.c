/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fileio.h"
#include "record-store.h"

/* Open directory path, creating it with mode if missing; it must be root's and have exactly mode,
 * so that nobody else can add, replace or (for 0711) list records. */
static int open_root_dir(const char *path, mode_t mode, RccDiag *diag) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (mkdir(path, mode) < 0 && errno != EEXIST)
                return diag_set(diag, negative_errno(), path, 0, 0, "cannot create: %s", strerror(errno));
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return diag_set(diag, negative_errno(), path, 0, 0, "cannot open: %s", strerror(errno));
        if (st.st_uid != 0)
                return diag_set(diag, -EPERM, path, 0, 0, "is not owned by root; an admin removes it");
        /* mkdir() honours the umask; set the mode we meant. */
        if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
                return diag_set(
                        diag, negative_errno(), path, 0, 0, "cannot set mode %o: %s", mode, strerror(errno));
        return TAKE_FD(fd);
}

static int new_token(char *token) {
        unsigned char rnd[SESSION_TOKEN_LEN / 2];
        size_t got = 0;

        while (got < sizeof rnd) {
                ssize_t n = getrandom(rnd + got, sizeof rnd - got, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                got += (size_t)n;
        }
        for (size_t i = 0; i < sizeof rnd; i++)
                snprintf(token + 2 * i, 3, "%02x", rnd[i]);
        return 0;
}

int record_store(const char *dir, const SessionRecord *rec, gid_t gid, char *token, RccDiag *diag) {
        _cleanup_close_ int run_fd = -EBADF, dfd = -EBADF, fd = -EBADF;
        char text[SESSION_RECORD_MAX], tok[SESSION_TOKEN_LEN + 1];
        int r;

        if ((r = session_record_format(rec, text, sizeof text)) < 0)
                return diag_set(diag, r, NULL, 0, 0, "cannot write a session record for these names");
        if (strcmp(dir, RCC_SESSION_DIR) == 0 && (run_fd = open_root_dir(RCC_RUN_DIR, 0755, diag)) < 0)
                return run_fd;
        if ((dfd = open_root_dir(dir, 0711, diag)) < 0)
                return dfd;
        if ((r = new_token(tok)) < 0)
                return diag_set(
                        diag, r, NULL, 0, 0, "no random numbers for a session token: %s", strerror(-r));

        fd = openat(dfd, tok, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return diag_set(
                        diag, negative_errno(), dir, 0, 0, "cannot create a session record: %s",
                        strerror(errno));
        if (fchown(fd, 0, gid) < 0 || fchmod(fd, 0640) < 0 ||
            (r = file_write_all(fd, text, strlen(text))) < 0) {
                r = negative_errno();
                (void)unlinkat(dfd, tok, 0);
                return diag_set(diag, r, dir, 0, 0, "cannot write the session record: %s", strerror(-r));
        }
        memcpy(token, tok, sizeof tok);
        return 0;
}

int record_remove(const char *dir, const char *token, RccDiag *diag) {
        _cleanup_close_ int dfd = -EBADF;

        if (!session_token_valid(token))
                return diag_set(diag, -EINVAL, NULL, 0, 0, "not a session token");
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0
                                       : diag_set(
                                                 diag, negative_errno(), dir, 0, 0, "cannot open: %s",
                                                 strerror(errno));
        if (unlinkat(dfd, token, 0) < 0 && errno != ENOENT)
                return diag_set(
                        diag, negative_errno(), dir, 0, 0, "cannot remove record %s: %s", token,
                        strerror(errno));
        return 0;
}
