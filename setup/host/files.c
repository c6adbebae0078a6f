/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "context.h"
#include "fileio.h"
#include "files.h"
#include "log.h"
#include "manifest.h"
#include "sha256.h"

/* ---- plain ---- */

int read_file(const char *path, size_t max, char **ret, size_t *ret_len) {
        return file_read_at(AT_FDCWD, path, max, ret, ret_len);
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

/* ---- recorded in the manifest ---- */

static void digest_hex(const char *content, char hex[static SHA256_HEX_SIZE]) {
        uint8_t d[SHA256_DIGEST_SIZE];

        sha256(content, strlen(content), d);
        sha256_hex(d, hex);
}

int ensure_dir(Setup *s, const char *path, mode_t mode, const char *account) {
        struct stat st;
        int r;

        if (lstat(path, &st) == 0) {
                if (!S_ISDIR(st.st_mode))
                        return log_errno(-ENOTDIR, "'%s' exists and is not a directory", path);
                if (st.st_uid != 0 || (st.st_mode & 022))
                        return log_errno(
                                -EPERM, "'%s' must be owned by root and not writable by group or others",
                                path);
                return 0;
        }
        if (errno != ENOENT)
                return log_errno(-errno, "cannot stat '%s': %m", path);
        r = manifest_add(s->manifest, "dir", account, path, NULL);
        if (r < 0)
                return log_errno(r, "cannot record '%s' in the manifest: %s", path, strerror(-r));
        if (mkdir(path, mode) < 0 && errno != EEXIST)
                return log_errno(-errno, "cannot create '%s': %m", path);
        if (chown(path, 0, 0) < 0 || chmod(path, mode) < 0)
                return log_errno(-errno, "cannot set owner and mode of '%s': %m", path);
        return 0;
}

static int write_recorded(
        Setup *s, const char *path, const char *content, mode_t mode, const char *account,
        int (*check)(const char *tmp)) {
        _cleanup_free_ char *tmp = NULL;
        char hex[SHA256_HEX_SIZE];
        int r;

        r = write_file_temp(path, content, strlen(content), mode, 0, 0, &tmp);
        if (r < 0)
                return log_errno(r, "cannot write '%s': %s", path, strerror(-r));
        if (check) {
                r = check(tmp);
                if (r < 0) {
                        (void)unlink(tmp);
                        return r;
                }
        }
        digest_hex(content, hex);
        r = manifest_add(s->manifest, "file", account, path, hex, NULL);
        if (r < 0) {
                (void)unlink(tmp);
                return log_errno(r, "cannot record '%s' in the manifest: %s", path, strerror(-r));
        }
        if (rename(tmp, path) < 0) {
                r = log_errno(-errno, "cannot write '%s': %m", path);
                (void)unlink(tmp);
                return r;
        }
        return 1;
}

int ensure_file(Setup *s, const char *path, const char *content, mode_t mode, const char *account) {
        struct stat st;

        if (lstat(path, &st) == 0)
                return 0;
        if (errno != ENOENT)
                return log_errno(-errno, "cannot stat '%s': %m", path);
        return write_recorded(s, path, content, mode, account, NULL);
}

bool file_is_ours(const Setup *s, const char *path) {
        _cleanup_free_ char *text = NULL;
        char hex[SHA256_HEX_SIZE];

        if (read_file(path, 16u * 1024 * 1024, &text, NULL) < 0)
                return false;
        digest_hex(text, hex);
        for (size_t i = 0; i < s->manifest->n_entries; i++) {
                const ManifestEntry *e = &s->manifest->entries[i];
                if (strcmp(e->kind, "file") == 0 && e->n_args == 2 && strcmp(e->args[0], path) == 0 &&
                    strcmp(e->args[1], hex) == 0)
                        return true;
        }
        return false;
}

int replace_file(Setup *s, const char *path, const char *content, mode_t mode, const char *account) {
        return replace_file_checked(s, path, content, mode, account, NULL);
}

int replace_file_checked(
        Setup *s, const char *path, const char *content, mode_t mode, const char *account,
        int (*check)(const char *tmp)) {
        _cleanup_free_ char *old = NULL;
        int r;

        r = read_file(path, 16u * 1024 * 1024, &old, NULL);
        if (r == -ENOENT)
                return write_recorded(s, path, content, mode, account, check);
        if (r < 0)
                return log_errno(r, "cannot read '%s': %s", path, strerror(-r));
        if (strcmp(old, content) == 0) {
                /* Unchanged; only make sure of owner and mode. */
                if (chown(path, 0, 0) < 0 || chmod(path, mode) < 0)
                        return log_errno(-errno, "cannot set owner and mode of '%s': %m", path);
                return 0;
        }
        if (!file_is_ours(s, path))
                return log_errno(
                        -EEXIST,
                        "'%s' exists and was not written by rcc-setup (or was edited since); move it "
                        "away and run this again",
                        path);
        return write_recorded(s, path, content, mode, account, check);
}

int ensure_line(Setup *s, const char *path, const char *line, const char *account) {
        _cleanup_free_ char *text = NULL;
        size_t at;
        int r;

        r = read_file(path, 16u * 1024 * 1024, &text, NULL);
        if (r == -ENOENT) {
                /* Created here: the file goes too once its last line is gone. */
                r = write_recorded(s, path, "", 0644, NULL, NULL);
                if (r < 0)
                        return r;
        } else if (r < 0)
                return log_errno(r, "cannot read '%s': %s", path, strerror(-r));
        else if (find_line(text, line, &at))
                return 0;
        r = manifest_add(s->manifest, "line", account, path, line, NULL);
        if (r < 0)
                return log_errno(r, "cannot record '%s' in the manifest: %s", path, strerror(-r));
        r = file_add_line(path, line);
        if (r < 0)
                return log_errno(r, "cannot add '%s' to '%s': %s", line, path, strerror(-r));
        return 1;
}

int ensure_state_dir(Setup *s) {
        char path[PATH_MAX], created[8][PATH_MAX];
        size_t n = 0;
        int r;

        /* The manifest lives here, so it is made before anything can be recorded; the directories
         * made (top down) are recorded right after, and removed last by uninstall. */
        snprintf(path, sizeof path, "%s", RCC_STATE_DIR);
        for (char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
                if (slash)
                        *slash = '\0';
                if (mkdir(path, 0755) == 0) {
                        if (chown(path, 0, 0) < 0 || chmod(path, 0755) < 0)
                                return log_errno(-errno, "cannot set owner and mode of '%s': %m", path);
                        if (n < ELEMENTSOF(created))
                                memcpy(created[n++], path, strlen(path) + 1);
                } else if (errno != EEXIST)
                        return log_errno(-errno, "cannot create '%s': %m", path);
                if (!slash)
                        break;
                *slash = '/';
        }
        for (size_t i = 0; i < n; i++) {
                r = manifest_add(s->manifest, "dir", NULL, created[i], NULL);
                if (r < 0)
                        return log_errno(
                                r, "cannot record '%s' in the manifest: %s", created[i], strerror(-r));
        }
        return 0;
}
