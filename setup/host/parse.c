/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/param.h>

#include "macro.h"
#include "parse.h"

#define sizeof_field(type, member) sizeof(((type *)0)->member)
#define SUBID_MAX_OWN 64 /* ranges of one account that overlap is checked for */

/* The next line of *p into buf (without the newline, truncated to size), advancing *p. */
static bool next_line(const char **p, char *buf, size_t size) {
        const char *s = *p, *end;
        size_t n;

        if (!*s)
                return false;
        end = strchrnul(s, '\n');
        n = (size_t)(end - s);
        if (n >= size)
                n = size - 1;
        memcpy(buf, s, n);
        buf[n] = '\0';
        *p = *end ? end + 1 : end;
        return true;
}

static char *strip(char *s) {
        char *e;

        while (isspace((unsigned char)*s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
                *--e = '\0';
        return s;
}

typedef struct SubidLine {
        char owner[64];
        uint64_t start, count;
} SubidLine;

/* "OWNER:START:COUNT" → *ret; false for anything else. */
static bool subid_line_parse(char *line, SubidLine *ret) {
        char *c1 = strchr(line, ':'), *c2, *end;

        if (!c1 || (size_t)(c1 - line) >= sizeof ret->owner || c1 == line)
                return false;
        c2 = strchr(c1 + 1, ':');
        if (!c2)
                return false;
        memcpy(ret->owner, line, (size_t)(c1 - line));
        ret->owner[c1 - line] = '\0';
        *c2 = '\0';
        if (!isdigit((unsigned char)c1[1]) || !isdigit((unsigned char)c2[1]))
                return false;
        ret->start = strtoull(c1 + 1, &end, 10);
        if (*end)
                return false;
        ret->count = strtoull(c2 + 1, &end, 10);
        return !*end && ret->count > 0 && ret->start + ret->count > ret->start;
}

static bool subid_owner_is(const char *owner, const char *name, const char *uid) {
        return strcmp(owner, name) == 0 || strcmp(owner, uid) == 0;
}

void subid_examine(const char *text, const char *name, uid_t uid, SubidReport *ret) {
        SubidLine own[SUBID_MAX_OWN], l;
        unsigned n_own = 0;
        char line[512], uidstr[16];
        const char *p;

        *ret = (SubidReport){};
        snprintf(uidstr, sizeof uidstr, "%u", (unsigned)uid);

        for (p = text; next_line(&p, line, sizeof line);) {
                char *s = strip(line);
                if (!*s || *s == '#')
                        continue;
                if (!subid_line_parse(s, &l)) {
                        ret->n_bad_lines++;
                        continue;
                }
                if (!subid_owner_is(l.owner, name, uidstr))
                        continue;
                ret->n_ranges++;
                ret->total += l.count;
                if (n_own < ELEMENTSOF(own))
                        own[n_own++] = l;
        }

        for (p = text; !ret->overlap && next_line(&p, line, sizeof line);) {
                char *s = strip(line);
                if (!*s || *s == '#' || !subid_line_parse(s, &l) || subid_owner_is(l.owner, name, uidstr))
                        continue;
                for (unsigned i = 0; i < n_own; i++) {
                        uint64_t lo = MAX(own[i].start, l.start);
                        uint64_t hi = MIN(own[i].start + own[i].count, l.start + l.count);
                        if (lo < hi) {
                                ret->overlap = true;
                                ret->overlap_start = lo;
                                snprintf(ret->overlap_with, sizeof ret->overlap_with, "%s", l.owner);
                                break;
                        }
                }
        }
}

/* The value of "key" in sshd -T output (keys are lower case, one per line), or NULL. */
static const char *sshd_value(const char *text, const char *key, char *buf, size_t size) {
        size_t n = strlen(key);
        char line[4096];

        for (const char *p = text; next_line(&p, line, sizeof line);)
                if (strncmp(line, key, n) == 0 && line[n] == ' ') {
                        snprintf(buf, size, "%s", strip(line + n + 1));
                        return buf;
                }
        return NULL;
}

bool sshd_effective_ok(
        const char *text, const char *forced_command, const char *keys_dir, char *why, size_t why_size) {
        static const struct {
                const char *key, *want;
        } flags[] = {
                {"disableforwarding", "yes"},
                {"permittunnel", "no"},
        };
        char v[4096];

        if (!sshd_value(text, "forcecommand", v, sizeof v) || strcmp(v, forced_command) != 0) {
                snprintf(
                        why, why_size, "forcecommand is '%s', not '%s'",
                        sshd_value(text, "forcecommand", v, sizeof v) ?: "unset", forced_command);
                return false;
        }
        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                if (!sshd_value(text, flags[i].key, v, sizeof v) || strcmp(v, flags[i].want) != 0) {
                        snprintf(
                                why, why_size, "%s is '%s', not '%s'", flags[i].key,
                                sshd_value(text, flags[i].key, v, sizeof v) ?: "unset", flags[i].want);
                        return false;
                }
        if (!sshd_value(text, "authorizedkeysfile", v, sizeof v) || !v[0]) {
                snprintf(why, why_size, "authorizedkeysfile is unset");
                return false;
        }
        /* Every file sshd would consult must be under the root-owned keys directory: one in the
         * account's home would let the agent authorize keys of its own. */
        size_t n = strlen(keys_dir);
        char *save = NULL;
        for (char *tok = strtok_r(v, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
                if (strncmp(tok, keys_dir, n) != 0 || tok[n] != '/' || strstr(tok, "/../")) {
                        snprintf(why, why_size, "authorizedkeysfile names '%s', outside %s/", tok, keys_dir);
                        return false;
                }
        return true;
}

bool podman_version_parse(const char *text, unsigned *ret_major, unsigned *ret_minor) {
        unsigned major, minor;

        if (sscanf(text, "podman version %u.%u", &major, &minor) != 2)
                return false;
        *ret_major = major;
        *ret_minor = minor;
        return true;
}

bool containers_conf_runtime(const char *text, char *buf, size_t size) {
        bool engine = false;
        char line[1024];

        for (const char *p = text; next_line(&p, line, sizeof line);) {
                char *s = strip(line), *eq, *v;
                if (*s == '[') {
                        engine = strcmp(s, "[engine]") == 0;
                        continue;
                }
                if (!engine || *s == '#' || strncmp(s, "runtime", 7) != 0)
                        continue;
                eq = strip(s + 7);
                if (*eq != '=')
                        continue;
                v = strip(eq + 1);
                if (*v != '"' && *v != '\'')
                        continue;
                char *close = strchr(v + 1, *v);
                if (!close || close == v + 1)
                        continue;
                *close = '\0';
                snprintf(buf, size, "%s", v + 1);
                return true;
        }
        return false;
}

/* Whether the space-separated list has word. */
static bool has_word(const char *list, const char *word) {
        size_t n = strlen(word);

        for (const char *w = list; (w = strstr(w, word)); w += n)
                if ((w == list || isspace((unsigned char)w[-1])) && (!w[n] || isspace((unsigned char)w[n])))
                        return true;
        return false;
}

static bool is_http_url(const char *s) {
        return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* Copy the first word of s (up to whitespace) into buf. */
static void first_word(const char *s, char *buf, size_t size) {
        size_t n = strcspn(s, " \t");

        snprintf(buf, size, "%.*s", (int)MIN(n, size - 1), s);
}

static bool mirror_one_line(const char *text, const char *suite, char *buf, size_t size) {
        char line[2048];

        for (const char *p = text; next_line(&p, line, sizeof line);) {
                char *s = strip(line), *save = NULL, *url, *su;
                if (strncmp(s, "deb", 3) != 0 || !isspace((unsigned char)s[3]))
                        continue;
                s = strip(s + 3);
                if (*s == '[') { /* options: "[arch=amd64 signed-by=…]" */
                        s = strchr(s, ']');
                        if (!s)
                                continue;
                        s = strip(s + 1);
                }
                url = strtok_r(s, " \t", &save);
                su = strtok_r(NULL, " \t", &save);
                if (url && su && is_http_url(url) && strcmp(su, suite) == 0) {
                        snprintf(buf, size, "%s", url);
                        return true;
                }
        }
        return false;
}

typedef struct Deb822Entry {
        char types[256], uris[1024], suites[512], enabled[16];
} Deb822Entry;

/* Whether a finished paragraph is a deb entry for suite with an http(s) URI; the URI into buf. */
static bool deb822_take(const Deb822Entry *e, const char *suite, char *buf, size_t size) {
        char uri[1024];

        if (!has_word(e->types, "deb") || !has_word(e->suites, suite) || strcasecmp(e->enabled, "no") == 0)
                return false;
        for (const char *u = e->uris; *u;) {
                while (isspace((unsigned char)*u))
                        u++;
                first_word(u, uri, sizeof uri);
                if (is_http_url(uri)) {
                        snprintf(buf, size, "%s", uri);
                        return true;
                }
                u += strcspn(u, " \t");
        }
        return false;
}

static bool mirror_deb822(const char *text, const char *suite, char *buf, size_t size) {
        static const struct {
                const char *name;
                size_t off, size;
        } fields[] = {
                {"Types", offsetof(Deb822Entry, types), sizeof_field(Deb822Entry, types)},
                {"URIs", offsetof(Deb822Entry, uris), sizeof_field(Deb822Entry, uris)},
                {"Suites", offsetof(Deb822Entry, suites), sizeof_field(Deb822Entry, suites)},
                {"Enabled", offsetof(Deb822Entry, enabled), sizeof_field(Deb822Entry, enabled)},
        };
        Deb822Entry e = {};
        char line[2048], *field = NULL;
        size_t field_size = 0;
        const char *p = text;

        for (bool more = true; more;) {
                more = next_line(&p, line, sizeof line);
                if (!more || !*strip(line)) { /* end of paragraph */
                        if (deb822_take(&e, suite, buf, size))
                                return true;
                        e = (Deb822Entry){};
                        field = NULL;
                        continue;
                }
                if (line[0] == '#')
                        continue;
                if (isspace((unsigned char)line[0])) { /* continuation of the previous field */
                        if (field) {
                                size_t n = strlen(field);
                                snprintf(field + n, field_size - n, " %s", strip(line));
                        }
                        continue;
                }
                char *colon = strchr(line, ':');
                field = NULL;
                if (!colon)
                        continue;
                *colon = '\0';
                for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                        if (strcasecmp(strip(line), fields[i].name) == 0) {
                                field = (char *)&e + fields[i].off;
                                field_size = fields[i].size;
                                snprintf(field, field_size, "%s", strip(colon + 1));
                        }
        }
        return false;
}

bool apt_sources_mirror(const char *text, bool deb822, const char *suite, char *buf, size_t size) {
        return deb822 ? mirror_deb822(text, suite, buf, size) : mirror_one_line(text, suite, buf, size);
}

/* The first line of text that is not blank, without surrounding blanks, into buf; false when there
 * is none. */
static bool first_line(const char *text, char *buf, size_t size) {
        const char *p = text;
        char line[4096];

        while (p && next_line(&p, line, sizeof line)) {
                const char *s = strip(line);
                if (*s) {
                        snprintf(buf, size, "%s", s);
                        return true;
                }
        }
        return false;
}

void tool_message(const char *err, const char *out, char *buf, size_t size) {
        if (size > 0)
                buf[0] = '\0';
        if (!first_line(err, buf, size))
                (void)first_line(out, buf, size);
}

SshdTest sshd_test_classify(const char *err, int status, char *line, size_t size) {
        static const char privsep[] = "Missing privilege separation directory: ";
        const char *p = err;
        char *hit;
        char l[4096];

        tool_message(err, NULL, line, size);
        if (status == 0)
                return SSHD_TEST_OK;
        /* sshd parses its configuration and loads its host keys before it looks for the directory
         * its service makes: when it says that one is missing, it found nothing wrong before. */
        while (p && next_line(&p, l, sizeof l))
                if ((hit = strstr(l, privsep))) {
                        /* sshd ends what it says on stderr with "\r\n". */
                        snprintf(line, size, "%s", strip(hit + strlen(privsep)));
                        return SSHD_TEST_NOT_STARTED;
                }
        if (err && strstr(err, "no hostkeys available"))
                return SSHD_TEST_NO_HOST_KEYS;
        return SSHD_TEST_BROKEN;
}
