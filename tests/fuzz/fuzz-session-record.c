/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the session record (lib/session-record.c), the text pam_rcc writes and
 * rcc-shell trusts. The input is parsed as a record, and checked as a token (as a NUL-terminated
 * string, so it ends at its first NUL).
 *
 * Whatever the input: no crash or overrun; a failure comes with a message and leaves the output
 * untouched; an accepted record has names without '\n', '=' or '/' (and not empty), a project
 * that is "" or absolute without '\n', a known "via", and formats into a SESSION_RECORD_MAX buffer
 * as text that parses back to the same record, field by field; and the input was exactly the
 * formatted lines, in some order. session_token_valid agrees with a reimplementation: exactly 32
 * lowercase hex digits.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool token_ok(const char *s) {
        size_t n = strlen(s);

        if (n != 32)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!strchr("0123456789abcdef", s[i]))
                        return false;
        return true;
}

static void check_name(const char *s, size_t size) {
        if (strnlen(s, size) == size || s[0] == '\0' || strpbrk(s, "\n=/"))
                abort();
}

static void check_record(const SessionRecord *rec) {
        check_name(rec->account, sizeof rec->account);
        check_name(rec->invoker, sizeof rec->invoker);
        if (strnlen(rec->project, sizeof rec->project) == sizeof rec->project)
                abort();
        if ((rec->project[0] != '\0' && rec->project[0] != '/') || strchr(rec->project, '\n'))
                abort();
        if (rec->via != SESSION_VIA_SSH && rec->via != SESSION_VIA_SUDO)
                abort();
        if (strcmp(session_via_to_string(rec->via), rec->via == SESSION_VIA_SSH ? "ssh" : "sudo") != 0)
                abort();
}

static bool same_record(const SessionRecord *a, const SessionRecord *b) {
        return strcmp(a->account, b->account) == 0 && a->uid == b->uid &&
               strcmp(a->invoker, b->invoker) == 0 && a->via == b->via &&
               strcmp(a->project, b->project) == 0;
}

/* Whether the input (size bytes) is exactly the lines of text (canonical, one key per line), in
 * some order: the parser accepts nothing else, no spaces, no leading zeros, no missing or extra
 * line. */
static bool same_lines(const uint8_t *data, size_t size, const char *text) {
        size_t n_lines = 0;
        char *framed;
        bool ok = true;

        if (size != strlen(text))
                return false;
        for (size_t i = 0; i < size; i++)
                n_lines += data[i] == '\n';
        if (n_lines != 6)
                return false;
        /* "\n" + input: every line, the first included, is then preceded by a newline. */
        framed = malloc(size + 1);
        if (!framed)
                abort();
        framed[0] = '\n';
        memcpy(framed + 1, data, size);
        for (const char *line = text; *line && ok;) {
                const char *nl = strchr(line, '\n');
                ok = memmem(framed, size + 1, line - 1, (size_t)(nl - line) + 2) != NULL;
                line = nl + 1;
        }
        free(framed);
        return ok;
}

static void check_roundtrip(const uint8_t *data, size_t size, const SessionRecord *rec) {
        static char text[SESSION_RECORD_MAX + 1];
        SessionRecord again;
        RccDiag diag = {};

        /* text[0] is the newline that precedes the first line, for same_lines(). */
        text[0] = '\n';
        if (session_record_format(rec, text + 1, SESSION_RECORD_MAX) < 0)
                abort();
        if (session_record_parse(text + 1, strlen(text + 1), &again, &diag) < 0)
                abort();
        if (!same_record(rec, &again))
                abort();
        if (!same_lines(data, size, text + 1))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1), *exact = malloc(size ? size : 1);
        SessionRecord rec, untouched;
        RccDiag diag = {};
        int r;

        if (!text || !exact)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';

        if (session_token_valid(text) != token_ok(text))
                abort();

        /* Parse from a copy that is exactly size bytes long, so an over-read shows. */
        memcpy(exact, data, size);
        memset(&rec, 0x5a, sizeof rec);
        untouched = rec;
        r = session_record_parse(exact, size, &rec, &diag);
        if (r < 0) {
                if (diag.msg[0] == '\0' || memcmp(&rec, &untouched, sizeof rec) != 0)
                        abort();
        } else {
                if (r != 0)
                        abort();
                check_record(&rec);
                check_roundtrip(data, size, &rec);
        }

        free(exact);
        free(text);
        return 0;
}
