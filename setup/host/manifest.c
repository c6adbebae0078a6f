/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "manifest.h"

#define MANIFEST_MAX_SIZE (16u * 1024 * 1024)
#define MANIFEST_HEADER \
        "# What rcc-setup created on this machine; uninstall removes exactly this. See rcc-setup(8).\n"

static bool needs_escape(unsigned char c) {
        return c <= ' ' || c == '%' || c == 0x7f;
}

static void escape_to(FILE *f, const char *s) {
        for (; *s; s++)
                if (needs_escape((unsigned char)*s))
                        fprintf(f, "%%%02X", (unsigned char)*s);
                else
                        fputc(*s, f);
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* Unescape s[0..len) into a new string; NULL on a bad escape, NUL byte or OOM. */
static char *unescape(const char *s, size_t len) {
        char *out = malloc(len + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] != '%') {
                        *o++ = s[i];
                        continue;
                }
                if (i + 2 >= len) {
                        free(out);
                        return NULL;
                }
                int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                        free(out);
                        return NULL;
                }
                *o++ = (char)(hi << 4 | lo);
                i += 2;
        }
        *o = '\0';
        return out;
}

static void entry_done(ManifestEntry *e) {
        free(e->kind);
        free(e->account);
        for (size_t i = 0; i < e->n_args; i++)
                free(e->args[i]);
        *e = (ManifestEntry){};
}

Manifest *manifest_free(Manifest *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_entries; i++)
                entry_done(&m->entries[i]);
        free(m->entries);
        free(m->path);
        free(m);
        return NULL;
}

static int push_entry(Manifest *m, ManifestEntry *e) {
        ManifestEntry *n = reallocarray(m->entries, m->n_entries + 1, sizeof *n);

        if (!n)
                return -ENOMEM;
        m->entries = n;
        m->entries[m->n_entries++] = *e;
        *e = (ManifestEntry){};
        return 0;
}

/* One line into e. -EBADMSG when it has too few or too many fields or a bad escape. */
static int parse_line(const char *line, size_t len, ManifestEntry *e) {
        char *fields[2 + MANIFEST_MAX_ARGS] = {};
        size_t n = 0;

        for (size_t i = 0; i <= len;) {
                size_t j = i;
                while (j < len && line[j] != ' ')
                        j++;
                if (n == ELEMENTSOF(fields) || j == i)
                        goto bad;
                fields[n] = unescape(line + i, j - i);
                if (!fields[n])
                        goto bad;
                n++;
                i = j + 1;
        }
        if (n < 2)
                goto bad;
        e->kind = fields[0];
        e->account = fields[1];
        for (size_t i = 2; i < n; i++)
                e->args[e->n_args++] = fields[i];
        return 0;
bad:
        for (size_t i = 0; i < n; i++)
                free(fields[i]);
        return -EBADMSG;
}

int manifest_load(const char *path, Manifest **ret) {
        _cleanup_(manifest_freep) Manifest *m = calloc(1, sizeof *m);
        _cleanup_free_ char *text = NULL;
        unsigned lineno = 0;
        const char *next;
        int r;

        if (!m)
                return -ENOMEM;
        m->path = strdup(path);
        if (!m->path)
                return -ENOMEM;
        r = read_file(path, MANIFEST_MAX_SIZE, &text, NULL);
        if (r == -ENOENT) {
                *ret = TAKE_PTR(m);
                return 0;
        }
        if (r < 0)
                return r;
        for (const char *p = text; *p; p = next) {
                const char *end = strchrnul(p, '\n');
                ManifestEntry e = {};

                next = *end ? end + 1 : end;
                lineno++;
                if (end == p || p[0] == '#')
                        continue;
                r = parse_line(p, (size_t)(end - p), &e);
                if (r < 0) {
                        fprintf(stderr, "rcc-setup: error: %s:%u: malformed manifest entry\n", path, lineno);
                        return r;
                }
                r = push_entry(m, &e);
                if (r < 0) {
                        entry_done(&e);
                        return r;
                }
        }
        *ret = TAKE_PTR(m);
        return 0;
}

static int format_entry(FILE *f, const ManifestEntry *e) {
        escape_to(f, e->kind);
        fputc(' ', f);
        escape_to(f, e->account);
        for (size_t i = 0; i < e->n_args; i++) {
                fputc(' ', f);
                escape_to(f, e->args[i]);
        }
        fputc('\n', f);
        return ferror(f) ? -EIO : 0;
}

static int ensure_parent(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        char *dir;

        if (!copy)
                return -ENOMEM;
        dir = dirname(copy);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                /* RCC_STATE_DIR's parent (/var/lib) exists on every system; one level is enough. */
                return -errno;
        }
        return 0;
}

int manifest_add(Manifest *m, const char *kind, const char *account, ...) {
        ManifestEntry e = {};
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *a;
        va_list ap;
        int r;

        e.kind = strdup(kind);
        e.account = strdup(account ?: "-");
        if (!e.kind || !e.account) {
                entry_done(&e);
                return -ENOMEM;
        }
        va_start(ap, account);
        while ((a = va_arg(ap, const char *))) {
                if (e.n_args == MANIFEST_MAX_ARGS || !(e.args[e.n_args++] = strdup(a))) {
                        va_end(ap);
                        entry_done(&e);
                        return -ENOMEM;
                }
        }
        va_end(ap);

        f = open_memstream(&buf, &len);
        if (!f) {
                entry_done(&e);
                return -ENOMEM;
        }
        r = format_entry(f, &e);
        if (r < 0 || fflush(f) != 0) {
                entry_done(&e);
                return -ENOMEM;
        }

        r = ensure_parent(m->path);
        if (r < 0) {
                entry_done(&e);
                return r;
        }
        fd = open(m->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd >= 0 && lseek(fd, 0, SEEK_END) == 0 &&
            write(fd, MANIFEST_HEADER, strlen(MANIFEST_HEADER)) != (ssize_t)strlen(MANIFEST_HEADER))
                fd = safe_close(fd);
        if (fd < 0 || write(fd, buf, len) != (ssize_t)len || fsync(fd) < 0) {
                r = negative_errno();
                entry_done(&e);
                return r;
        }
        r = push_entry(m, &e);
        if (r < 0)
                entry_done(&e);
        return r;
}

static bool entry_matches(const ManifestEntry *e, const char *kind, const char *account, va_list ap) {
        const char *a;
        size_t i = 0;

        if (strcmp(e->kind, kind) != 0 || (account && strcmp(e->account, account) != 0))
                return false;
        while ((a = va_arg(ap, const char *))) {
                if (i >= e->n_args || strcmp(e->args[i], a) != 0)
                        return false;
                i++;
        }
        return true;
}

const ManifestEntry *manifest_find(const Manifest *m, const char *kind, const char *account, ...) {
        for (size_t i = m->n_entries; i > 0; i--) {
                va_list ap;
                bool match;

                va_start(ap, account);
                match = entry_matches(&m->entries[i - 1], kind, account, ap);
                va_end(ap);
                if (match)
                        return &m->entries[i - 1];
        }
        return NULL;
}

int manifest_drop(Manifest *m, size_t i) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        size_t len = 0;
        int r;

        if (i >= m->n_entries)
                return -EINVAL;
        entry_done(&m->entries[i]);
        memmove(m->entries + i, m->entries + i + 1, (m->n_entries - i - 1) * sizeof *m->entries);
        m->n_entries--;

        if (m->n_entries == 0)
                return unlink(m->path) < 0 && errno != ENOENT ? -errno : 0;
        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        fputs(MANIFEST_HEADER, f);
        for (size_t k = 0; k < m->n_entries; k++) {
                r = format_entry(f, &m->entries[k]);
                if (r < 0)
                        return r;
        }
        if (fflush(f) != 0)
                return -ENOMEM;
        return write_file_atomic(m->path, buf, len, 0644, 0, 0);
}
