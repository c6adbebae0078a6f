/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "session-record.h"

#define RECORD_VERSION "1"

const char *session_via_to_string(SessionVia via) {
        switch (via) {
        case SESSION_VIA_SSH:
                return "ssh";
        case SESSION_VIA_SUDO:
                return "sudo";
        }
        return "?";
}

bool session_token_valid(const char *s) {
        size_t n = 0;

        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
                        return false;
        return n == SESSION_TOKEN_LEN;
}

/* A name as the user database and the policy allow it: no separators, no control characters. */
static bool name_ok(const char *s) {
        if (!s[0])
                return false;
        for (; *s; s++)
                if ((unsigned char)*s <= ' ' || *s == '=' || *s == ':' || *s == '/' || *s == 0x7f)
                        return false;
        return true;
}

static bool project_ok(const char *s) {
        return !s[0] || (s[0] == '/' && !strchr(s, '\n'));
}

int session_record_format(const SessionRecord *rec, char *buf, size_t size) {
        if (!name_ok(rec->account) || !name_ok(rec->invoker) || !project_ok(rec->project) ||
            (rec->via != SESSION_VIA_SSH && rec->via != SESSION_VIA_SUDO))
                return -EINVAL;
        int n = snprintf(
                buf, size,
                "version=" RECORD_VERSION "\naccount=%s\nuid=%" PRIu32 "\ninvoker=%s\nvia=%s\nproject=%s\n",
                rec->account, (uint32_t)rec->uid, rec->invoker, session_via_to_string(rec->via),
                rec->project);
        return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}

/* Copy value (len bytes) into dst (size bytes) as a string. */
static bool copy_value(char *dst, size_t size, const char *value, size_t len) {
        if (len >= size || memchr(value, '\0', len))
                return false;
        memcpy(dst, value, len);
        dst[len] = '\0';
        return true;
}

enum { F_VERSION, F_ACCOUNT, F_UID, F_INVOKER, F_VIA, F_PROJECT, N_FIELDS };
static const char *const field_names[N_FIELDS] = {"version", "account", "uid", "invoker", "via", "project"};

static int parse_field(SessionRecord *rec, int field, const char *v, size_t len) {
        char num[16];
        char *end = NULL;

        switch (field) {
        case F_VERSION:
                return len == strlen(RECORD_VERSION) && memcmp(v, RECORD_VERSION, len) == 0 ? 0 : -EPROTO;
        case F_ACCOUNT:
                return copy_value(rec->account, sizeof rec->account, v, len) && name_ok(rec->account)
                               ? 0
                               : -EINVAL;
        case F_INVOKER:
                return copy_value(rec->invoker, sizeof rec->invoker, v, len) && name_ok(rec->invoker)
                               ? 0
                               : -EINVAL;
        case F_PROJECT:
                return copy_value(rec->project, sizeof rec->project, v, len) && project_ok(rec->project)
                               ? 0
                               : -EINVAL;
        case F_VIA:
                if (len == 3 && memcmp(v, "ssh", 3) == 0)
                        rec->via = SESSION_VIA_SSH;
                else if (len == 4 && memcmp(v, "sudo", 4) == 0)
                        rec->via = SESSION_VIA_SUDO;
                else
                        return -EINVAL;
                return 0;
        case F_UID:
                if (!copy_value(num, sizeof num, v, len) || num[0] < '0' || num[0] > '9' ||
                    (num[0] == '0' && num[1]))
                        return -EINVAL;
                errno = 0;
                uintmax_t uid = strtoumax(num, &end, 10);
                if (errno != 0 || *end || uid >= UINT32_MAX)
                        return -EINVAL;
                rec->uid = (uid_t)uid;
                return 0;
        }
        return -EINVAL;
}

int session_record_parse(const char *text, size_t len, SessionRecord *ret, RccDiag *diag) {
        SessionRecord rec = {};
        bool seen[N_FIELDS] = {};
        const char *p = text, *end = text + len;
        unsigned line = 0;

        if (len > SESSION_RECORD_MAX)
                return diag_set(
                        diag, -EFBIG, NULL, 0, 0, "session record: larger than %u bytes",
                        SESSION_RECORD_MAX);
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eq;
                int field = -1, r;

                line++;
                if (!nl)
                        return diag_set(
                                diag, -EINVAL, NULL, line, 0, "session record: line %u is not terminated",
                                line);
                eq = memchr(p, '=', (size_t)(nl - p));
                for (int f = 0; eq && f < N_FIELDS; f++)
                        if ((size_t)(eq - p) == strlen(field_names[f]) &&
                            memcmp(p, field_names[f], (size_t)(eq - p)) == 0)
                                field = f;
                if (field < 0)
                        return diag_set(
                                diag, -EINVAL, NULL, line, 0,
                                "session record: line %u is not a known key=value", line);
                if (seen[field])
                        return diag_set(
                                diag, -EINVAL, NULL, line, 0, "session record: '%s' given twice",
                                field_names[field]);
                seen[field] = true;
                if ((r = parse_field(&rec, field, eq + 1, (size_t)(nl - eq - 1))) < 0)
                        return diag_set(
                                diag, r, NULL, line, 0, "session record: bad value for '%s'",
                                field_names[field]);
                p = nl + 1;
        }
        for (int f = 0; f < N_FIELDS; f++)
                if (!seen[f])
                        return diag_set(
                                diag, -EINVAL, NULL, 0, 0, "session record: no '%s'", field_names[f]);
        *ret = rec;
        return 0;
}

/* Root's, and writable by nobody else. */
static bool root_only(const struct stat *st) {
        return st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int session_record_read(const char *dir, const char *token, uid_t uid, SessionRecord *ret, RccDiag *diag) {
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        SessionRecord rec;
        size_t len = 0;
        int r;

        if (!session_token_valid(token))
                return diag_set(diag, -EINVAL, NULL, 0, 0, "%s is not a session token", RCC_SESSION_ENV);
        /* O_PATH: the account may search the directory (0711), not read it. */
        dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0 || fstat(dfd, &st) < 0)
                return diag_set(diag, negative_errno(), dir, 0, 0, "cannot open: %s", strerror(errno));
        if (!root_only(&st))
                return diag_set(
                        diag, -EPERM, dir, 0, 0, "not root's, or writable by others; refusing to trust it");
        fd = openat(dfd, token, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0)
                return diag_set(
                        diag, negative_errno(), dir, 0, 0, "no record of this session (%s): %s", token,
                        strerror(errno));
        if (!S_ISREG(st.st_mode) || !root_only(&st) || st.st_size > SESSION_RECORD_MAX)
                return diag_set(
                        diag, -EPERM, dir, 0, 0,
                        "the record of session %s is not root's; refusing to trust it", token);
        r = file_read_fd(fd, SESSION_RECORD_MAX, &text, &len);
        if (r < 0)
                return diag_set(diag, r, dir, 0, 0, "reading session %s: %s", token, strerror(-r));
        if ((r = session_record_parse(text, len, &rec, diag)) < 0)
                return r;
        if (rec.uid != uid)
                return diag_set(
                        diag, -EPERM, dir, 0, 0,
                        "session %s belongs to uid %u, not to this account (uid %u)", token,
                        (unsigned)rec.uid, (unsigned)uid);
        *ret = rec;
        return 0;
}
