/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssh public keys as rcc reads them: a human's key line, the root-owned keys file of a sandbox
 * account, and what sshd says authenticated a session. Everything here parses untrusted text, so
 * it is strict (one canonical form of each field), bounded, and never logs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "keys.h"
#include "macro.h"

#define KEYS_MAX_BLOB_BYTES ((sizeof(((SshKey *)0)->blob) / 4) * 3)

/* The key types sshd accepts for user authentication that rcc allows (no DSA, no certificates). */
static const char *const key_types[] = {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
};

static bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static int base64_value(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

/* Decode padded base64 of length len into out (at least len / 4 * 3 bytes). Only the canonical
 * encoding is accepted (unused bits zero), so that equal keys are equal strings. Returns the
 * number of bytes, or -1. */
static ssize_t base64_decode(const char *s, size_t len, uint8_t *out) {
        size_t n = 0;

        if (len == 0 || len % 4 != 0)
                return -1;
        for (size_t i = 0; i < len; i += 4) {
                int v[4];
                size_t pad = 0;

                for (size_t k = 0; k < 4; k++) {
                        if (s[i + k] == '=' && i + 4 == len && k >= 2) {
                                v[k] = 0;
                                pad++;
                                continue;
                        }
                        if (pad > 0)
                                return -1; /* data after '=' */
                        v[k] = base64_value(s[i + k]);
                        if (v[k] < 0)
                                return -1;
                }
                uint32_t w =
                        (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
                if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
                        return -1;
                out[n++] = (uint8_t)(w >> 16);
                if (pad < 2)
                        out[n++] = (uint8_t)(w >> 8);
                if (pad < 1)
                        out[n++] = (uint8_t)w;
        }
        return (ssize_t)n;
}

static uint32_t read_be32(const uint8_t *p) {
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The blob in SSH wire format: string TYPE, then the key's own fields. Checks the embedded type
 * and, for the types with a fixed layout, the key length. */
static bool blob_matches_type(const uint8_t *blob, size_t len, const char *type) {
        size_t tlen = strlen(type);

        if (len < 4 || read_be32(blob) != tlen || len - 4 < tlen || memcmp(blob + 4, type, tlen) != 0)
                return false;
        blob += 4 + tlen;
        len -= 4 + tlen;
        if (streq(type, "ssh-ed25519"))
                return len == 4 + 32 && read_be32(blob) == 32;
        /* Every other type has at least one more length-prefixed field. */
        return len >= 4 && read_be32(blob) <= len - 4;
}

static const char *find_type(const char *s, size_t len) {
        for (size_t i = 0; i < ELEMENTSOF(key_types); i++)
                if (strlen(key_types[i]) == len && memcmp(key_types[i], s, len) == 0)
                        return key_types[i];
        return NULL;
}

/* Parse "TYPE BLOB[ COMMENT]" in s[0..len) (no newline inside). *ret_rest is the comment's
 * offset (len when there is none). Column numbers in diag are 1-based offsets into s, plus
 * col_base. */
static int parse_key(
        const char *s, size_t len, unsigned col_base, SshKey *ret, size_t *ret_rest, RccDiag *diag) {
        uint8_t decoded[KEYS_MAX_BLOB_BYTES];
        size_t i = 0, t0, t1, b0, b1;
        const char *type;
        ssize_t n;

        while (i < len && is_blank(s[i]))
                i++;
        t0 = i;
        while (i < len && !is_blank(s[i]))
                i++;
        t1 = i;
        if (t0 == t1)
                return diag_set(
                        diag, -EBADMSG, NULL, 0, col_base + (unsigned)t0 + 1,
                        "expected a public key \"TYPE BASE64 [COMMENT]\"");
        type = find_type(s + t0, t1 - t0);
        if (!type)
                return diag_set(
                        diag, -EBADMSG, NULL, 0, col_base + (unsigned)t0 + 1,
                        "unsupported key type '%.*s' (expected ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521, "
                        "sk-ssh-ed25519@openssh.com or sk-ecdsa-sha2-nistp256@openssh.com)",
                        (int)(t1 - t0 > 64 ? 64 : t1 - t0), s + t0);
        while (i < len && is_blank(s[i]))
                i++;
        b0 = i;
        while (i < len && !is_blank(s[i]))
                i++;
        b1 = i;
        if (b0 == b1)
                return diag_set(
                        diag, -EBADMSG, NULL, 0, col_base + (unsigned)b0 + 1, "key data missing after '%s'",
                        type);
        if (b1 - b0 >= sizeof ret->blob)
                return diag_set(diag, -EBADMSG, NULL, 0, col_base + (unsigned)b0 + 1, "key data too long");
        n = base64_decode(s + b0, b1 - b0, decoded);
        if (n < 0)
                return diag_set(
                        diag, -EBADMSG, NULL, 0, col_base + (unsigned)b0 + 1,
                        "key data is not valid base64");
        if (!blob_matches_type(decoded, (size_t)n, type))
                return diag_set(
                        diag, -EBADMSG, NULL, 0, col_base + (unsigned)b0 + 1,
                        "key data is not a '%s' public key", type);
        while (i < len && is_blank(s[i]))
                i++;

        snprintf(ret->type, sizeof ret->type, "%s", type);
        memcpy(ret->blob, s + b0, b1 - b0);
        ret->blob[b1 - b0] = '\0';
        *ret_rest = i;
        return 0;
}

/* Length of the line starting at s, without "\n" or "\r\n". */
static size_t line_length(const char *s, const char **ret_next) {
        const char *end = strchrnul(s, '\n');
        size_t len = (size_t)(end - s);

        *ret_next = *end ? end + 1 : end;
        if (len > 0 && s[len - 1] == '\r')
                len--;
        return len;
}

int ssh_key_parse(const char *line, SshKey *ret, RccDiag *diag) {
        SshKey key = {};
        const char *next;
        size_t len, rest;
        int r;

        len = line_length(line, &next);
        if (*next != '\0')
                return diag_set(
                        diag, -EBADMSG, NULL, 0, 0, "more than one line where one public key was expected");
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
                        return diag_set(
                                diag, -EBADMSG, NULL, 0, (unsigned)i + 1, "control character in key line");
        r = parse_key(line, len, 0, &key, &rest, diag);
        if (r < 0)
                return r;
        *ret = key;
        return 0;
}

/* A login name as it may appear after "rcc-invoker=": what useradd accepts, and nothing that
 * could be read as another field. */
static bool valid_user(const char *s, size_t len) {
        if (len == 0 || len > 256 || s[0] == '-')
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.' || (c == '$' && i == len - 1)))
                        return false;
        }
        return true;
}

int keys_format_line(const SshKey *key, const char *user, char *buf, size_t size) {
        int n;

        if (!find_type(key->type, strlen(key->type)) || !valid_user(user, strlen(user)))
                return -EINVAL;
        n = snprintf(buf, size, KEYS_OPTIONS " %s %s " KEYS_INVOKER_PREFIX "%s", key->type, key->blob, user);
        if (n < 0)
                return -EINVAL;
        if ((size_t)n >= size)
                return -ENOBUFS;
        return 0;
}

/* Read the keys file into buf, which has room for max + 2 bytes (one more than allowed, to notice a
 * file that grew after fstat, and the NUL). */
static int read_keys_file(const char *path, bool allow_own_file, char *buf, size_t max, RccDiag *diag) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        size_t len = 0;

        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return diag_set(diag, -errno, path, 0, 0, "cannot open keys file: %m");
        if (fstat(fd, &st) < 0)
                return diag_set(diag, -errno, path, 0, 0, "cannot stat keys file: %m");
        if (!S_ISREG(st.st_mode))
                return diag_set(diag, -EPERM, path, 0, 0, "keys file is not a regular file");
        if (st.st_uid != 0 && !(allow_own_file && st.st_uid == geteuid()))
                return diag_set(
                        diag, -EPERM, path, 0, 0, "keys file must be owned by root (owner is uid %u)",
                        (unsigned)st.st_uid);
        if (st.st_mode & (S_IWGRP | S_IWOTH))
                return diag_set(
                        diag, -EPERM, path, 0, 0, "keys file is writable by group or others (mode %04o)",
                        (unsigned)(st.st_mode & 07777));
        _cleanup_free_ char *text = NULL;
        int r = file_read_fd(fd, max, &text, &len);
        if (r == -EFBIG)
                return diag_set(diag, -EFBIG, path, 0, 0, "keys file is larger than %zu bytes", max);
        if (r < 0)
                return diag_set(diag, r, path, 0, 0, "cannot read keys file: %s", strerror(-r));
        memcpy(buf, text, len);
        if (memchr(buf, '\0', len))
                return diag_set(diag, -EBADMSG, path, 0, 0, "keys file contains a NUL byte");
        buf[len] = '\0';
        return 0;
}

/* One line of a keys file: KEYS_OPTIONS TYPE BLOB rcc-invoker=USER. */
static int parse_keys_line(
        const char *s, size_t len, SshKey *ret_key, size_t *ret_user, size_t *ret_user_len, RccDiag *diag) {
        const size_t olen = strlen(KEYS_OPTIONS), plen = strlen(KEYS_INVOKER_PREFIX);
        size_t rest;
        int r;

        if (len <= olen || memcmp(s, KEYS_OPTIONS, olen) != 0 || s[olen] != ' ')
                return diag_set(
                        diag, -EBADMSG, NULL, 0, 1, "expected a line starting with \"" KEYS_OPTIONS " \"");
        r = parse_key(s + olen + 1, len - olen - 1, (unsigned)olen + 1, ret_key, &rest, diag);
        if (r < 0)
                return r;
        rest += olen + 1;
        if (len - rest <= plen || memcmp(s + rest, KEYS_INVOKER_PREFIX, plen) != 0 ||
            !valid_user(s + rest + plen, len - rest - plen))
                return diag_set(
                        diag, -EBADMSG, NULL, 0, (unsigned)rest + 1,
                        "expected \"" KEYS_INVOKER_PREFIX "USER\" after the key");
        *ret_user = rest + plen;
        *ret_user_len = len - rest - plen;
        return 0;
}

int keys_find_invoker(
        const char *path, bool allow_own_file, const SshKey *key, char *user, size_t size, RccDiag *diag) {
        _cleanup_free_ char *buf = malloc(KEYS_MAX_FILE_SIZE + 2);
        const char *found = NULL, *next;
        size_t found_len = 0;
        unsigned lineno = 0;
        int r;

        if (!buf)
                return diag_set(diag, -ENOMEM, path, 0, 0, "out of memory");
        r = read_keys_file(path, allow_own_file, buf, KEYS_MAX_FILE_SIZE, diag);
        if (r < 0)
                return r;

        /* Every line is checked, not only up to the match: a damaged file fails closed. */
        for (const char *p = buf; *p; p = next) {
                size_t len = line_length(p, &next), i = 0, uoff, ulen;
                SshKey k;

                lineno++;
                while (i < len && is_blank(p[i]))
                        i++;
                if (i == len || p[i] == '#')
                        continue;
                r = parse_keys_line(p, len, &k, &uoff, &ulen, diag);
                if (r < 0) {
                        if (diag) {
                                snprintf(diag->file, sizeof diag->file, "%s", path);
                                diag->line = lineno;
                        }
                        return r;
                }
                if (!streq(k.type, key->type) || !streq(k.blob, key->blob))
                        continue;
                if (found && (found_len != ulen || memcmp(found, p + uoff, ulen) != 0))
                        return diag_set(
                                diag, -EBADMSG, path, lineno, 1,
                                "this key is also listed for another user; a key must belong to one user");
                found = p + uoff;
                found_len = ulen;
        }
        if (!found)
                return diag_set(diag, -ENOENT, path, 0, 0, "the %s key is not listed", key->type);
        if (found_len >= size)
                return diag_set(diag, -ENOBUFS, path, 0, 0, "user name too long");
        memcpy(user, found, found_len);
        user[found_len] = '\0';
        return 0;
}

int ssh_auth_info_key(const char *text, SshKey *ret, RccDiag *diag) {
        static const char method[] = "publickey ";
        const char *next;
        unsigned lineno = 0;
        SshKey last = {};
        bool have = false;
        int r;

        for (const char *p = text; *p; p = next) {
                size_t len = line_length(p, &next), rest;
                SshKey k;

                lineno++;
                if (len < sizeof method - 1 || memcmp(p, method, sizeof method - 1) != 0)
                        continue; /* another method ("password", "keyboard-interactive") */
                r = parse_key(
                        p + sizeof method - 1, len - (sizeof method - 1), sizeof method - 1, &k, &rest,
                        diag);
                if (r < 0) {
                        if (diag)
                                diag->line = lineno;
                        return r;
                }
                last = k;
                have = true;
        }
        if (!have)
                return diag_set(diag, -ENOENT, NULL, 0, 0, "no public key authenticated this session");
        *ret = last;
        return 0;
}
