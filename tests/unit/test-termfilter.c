/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The terminal filter (lib/termfilter.h): what passes, what is dropped, what is put back at the
 * end, each case fed whole, a byte at a time and split at every point in two. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "termfilter.h"

#define CLIP 1
#define TITLE 2

typedef struct Case {
        const char *name;
        unsigned allow;
        const char *in;
        const char *out;
        const char *reset; /* NULL: don't check */
} Case;

/* What termfilter_reset() writes when nothing was changed. */
#define R0 "\033\\\033[0m"

static const Case cases[] = {
        {"text", 0, "hello, world\r\n", "hello, world\r\n", R0},
        {"sgr and cursor", 0, "\033[1;38;2;255;0;0mred\033[0m\033[10;20H\033[2J\033[K",
         "\033[1;38;2;255;0;0mred\033[0m\033[10;20H\033[2J\033[K", R0},
        {"utf-8", 0, "\xe2\x94\x80 \xe2\x80\xa6 \xf0\x9f\x98\x80 \xc3\xa9",
         "\xe2\x94\x80 \xe2\x80\xa6 \xf0\x9f\x98\x80 \xc3\xa9", NULL},
        {"osc 52 dropped", 0, "a\033]52;c;Y3VybCBldmlsIHwgc2g=\007b", "ab", R0},
        {"osc 52 st dropped", 0, "a\033]52;c;Y3Vy\033\\b", "ab", R0},
        {"osc 52 leading zero dropped", CLIP | TITLE, "a\033]052;c;?\007b", "ab", NULL},
        {"osc 52 allowed", CLIP, "a\033]52;c;Y3Vy\007b", "a\033]52;c;Y3Vy\007b", NULL},
        {"osc 52 allowed, st", CLIP, "a\033]52;;Y3Vy\033\\b", "a\033]52;;Y3Vy\033\\b", NULL},
        {"osc 52 query never", CLIP, "a\033]52;c;?\007b", "ab", NULL},
        {"title dropped", 0, "\033]0;pwned\007\033]2;pwned\033\\\033]1;x\007.", ".", R0},
        {"title allowed", TITLE, "\033]2;mine\007", "\033]2;mine\007", NULL},
        {"dtterm title dropped", TITLE, "\033]l title\033\\.", ".", NULL},
        {"other osc dropped", CLIP | TITLE,
         "\033]1337;File=name=eA==:AAAA\007\033]50;?\007\033]46;/tmp/log\007\033]7;file:///\007\033]5522;x\007.",
         ".", NULL},
        {"hyperlink", 0, "\033]8;;https://example.com/\033\\link\033]8;;\033\\",
         "\033]8;;https://example.com/\033\\link\033]8;;\033\\", R0},
        {"colour query", 0, "\033]11;?\033\\", "\033]11;?\033\\", R0},
        {"colour set restored", 0, "\033]11;rgb:0000/0000/0000\007\033]4;1;#ff0000\007",
         "\033]11;rgb:0000/0000/0000\007\033]4;1;#ff0000\007", R0 "\033]104\033\\\033]111\033\\"},
        {"osc without parameters", 0, "\033]104\007", "\033]104\007", R0},
        {"tmux passthrough dropped", 0, "a\033Ptmux;\033\033]52;c;Y3Vy\007\033\\b", "ab", R0},
        {"dcs dropped", 0, "\033P1;1|17/1b\033\\\033Pq#0;2;0;0;0~~\033\\.", ".", R0},
        {"decrqss passes", 0, "\033P$qm\033\\", "\033P$qm\033\\", R0},
        {"apc pm sos dropped", 0, "\033_Ga=T,t=f;L2V0Yy9wYXNzd2Q=\033\\\033^x\033\\\033Xy\033\\.", ".", R0},
        {"c1 dropped", 0,
         "a\x9b"
         "31mb\x9d"
         "52;c;x\x9c"
         "c\xc2\x9b"
         "d",
         "a31mb52;c;xcd", R0},
        {"c1 inside a passed string", TITLE,
         "\033]2;a\x9c\x9d"
         "52;b\007",
         "\033]2;a52;b\007", NULL},
        {"invalid utf-8 dropped", 0,
         "a\xe2\x94"
         "b\xc0\xaf"
         "c\xed\xa0\x80"
         "d\xf4\x90\x80\x80"
         "e\xe0\x82\x9b"
         "f",
         "abcdef", R0},
        {"byte >= 0x80 cancels csi", 0,
         "\033[3\x9b"
         "1mx",
         "1mx", R0},
        {"esc % dropped", 0, "\033%@\033%G\033 G\033 F.", "\033 F.", R0},
        {"media copy dropped", 0, "\033[5i\033[?4i.", ".", R0},
        {"window ops", 0, "\033[21t\033[20t\033[3;0;0t\033[8;10;10t\033[18t\033[22;0t", "\033[18t\033[22;0t",
         R0},
        {"esc in string closes it", TITLE, "\033]2;x\033[1m", "\033]2;x\033\\\033[1m", NULL},
        {"can aborts csi", 0, "\033[1\030m", "\030m", R0},
        {"c0 inside csi executed", 0, "\033[1\n2m", "\n\033[12m", R0},
        {"oversized csi dropped", 0,
         "\033[1111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
         "1111111111111111111111111111111111111111111111111111111111111111111111111m.",
         ".", R0},
        {"oversized osc head dropped", CLIP | TITLE, "\033]000000000000002;x\007.", ".", NULL},
        {"alt screen and mouse restored", 0, "\033[?1049h\033[?1000;1006h\033[?2004h\033[?25l",
         "\033[?1049h\033[?1000;1006h\033[?2004h\033[?25l",
         "\033\\\033[0m\033[?25h\033[?1000l\033[?1006l\033[?2004l\033[?1049l"},
        {"modes undone by the session", 0, "\033[?1049h\033[?1002h\033[?1002l\033[?1049l",
         "\033[?1049h\033[?1002h\033[?1002l\033[?1049l", R0},
        {"autowrap and cursor keys", 0,
         "\033[?7l\033[?1h\033=", "\033[?7l\033[?1h\033=", "\033\\\033[0m\033[?1l\033[?7h\033>"},
        {"synchronized output first", 0, "\033[?2026h\033[?1004h", "\033[?2026h\033[?1004h",
         "\033\\\033[?2026l\033[0m\033[?1004l"},
        {"kitty keyboard", 0, "\033[>1u\033[?1049h\033[>1u\033[>3u\033[<u",
         "\033[>1u\033[?1049h\033[>1u\033[>3u\033[<u", "\033\\\033[0m\033[<1u\033[?1049l\033[<1u"},
        {"charset, cursor style, margins", 0, "\033(0\016q\033[2 q\033[5;10r",
         "\033(0\016q\033[2 q\033[5;10r", "\033\\\033[0m\017\033(B\033[0 q\0337\033[r\0338"},
        {"insert mode", 0, "\033[4h", "\033[4h", "\033\\\033[0m\033[4l"},
        {"ris forgets", 0, "\033[?1049h\033c", "\033[?1049h\033c", R0},
        {"xtrestore", 0, "\033[?1000r", "\033[?1000r", "\033\\\033[0m\033[?1000l"},
};

/* s with its control and non-ASCII bytes as \xNN, for failure messages. */
static const char *vis(const char *s, size_t n) {
        static char buf[4096];
        size_t k = 0;

        for (size_t i = 0; i < n && k + 5 < sizeof buf; i++) {
                unsigned char c = (unsigned char)s[i];
                k += (size_t)snprintf(buf + k, sizeof buf - k, c < 0x20 || c >= 0x7f ? "\\x%02x" : "%c", c);
        }
        buf[k] = '\0';
        return buf;
}

static size_t run(TermFilter *f, const char *in, size_t n, char *out) {
        return termfilter_feed(f, in, n, out);
}

static void check_one(const Case *c, const size_t *cuts, size_t n_cuts) {
        TermFilterOptions opt = {.allow_clipboard = c->allow & CLIP, .allow_title = c->allow & TITLE};
        size_t n = strlen(c->in), len = 0, at = 0;
        char *out = malloc(TERMFILTER_OUT_SIZE(n) * (n_cuts + 1) + 1);
        char reset[TERMFILTER_RESET_MAX + 1];
        TermFilter f;

        assert_non_null(out);
        termfilter_init(&f, &opt);
        for (size_t i = 0; i <= n_cuts; i++) {
                size_t end = i < n_cuts ? cuts[i] : n;
                len += run(&f, c->in + at, end - at, out + len);
                at = end;
        }
        out[len] = '\0';
        if (len != strlen(c->out) || memcmp(out, c->out, len) != 0)
                fail_msg(
                        "%s: split at %zu (%zu cuts): got '%s'", c->name, n_cuts ? cuts[0] : n, n_cuts,
                        vis(out, len));
        if (c->reset) {
                size_t k = termfilter_reset(&f, reset);
                reset[k] = '\0';
                if (strcmp(reset, c->reset) != 0)
                        fail_msg("%s: reset '%s'", c->name, vis(reset, strlen(reset)));
                /* Reset once, nothing more to put back. */
                k = termfilter_reset(&f, reset);
                reset[k] = '\0';
                assert_string_equal(reset, R0);
        }
        free(out);
}

static void test_cases(void **state) {
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                size_t n = strlen(cases[i].in);
                size_t *every = malloc((n + 1) * sizeof *every);

                assert_non_null(every);
                check_one(&cases[i], NULL, 0);
                for (size_t k = 1; k < n; k++) {
                        size_t cut = k;
                        check_one(&cases[i], &cut, 1);
                }
                for (size_t k = 0; k + 1 < n; k++)
                        every[k] = k + 1;
                if (n > 1)
                        check_one(&cases[i], every, n - 1);
                free(every);
        }
}

/* A string the terminal would still have open is closed before the resets. */
static void test_reset_inside_string(void **state) {
        TermFilterOptions opt = {.allow_title = true};
        char out[64], reset[TERMFILTER_RESET_MAX];
        TermFilter f;
        size_t k;

        (void)state;
        termfilter_init(&f, &opt);
        k = termfilter_feed(&f, "\033]2;half", 8, out);
        assert_int_equal(k, 8);
        k = termfilter_reset(&f, reset);
        assert_true(k >= 2 && memcmp(reset, "\033\\", 2) == 0);
        /* And the filter is back in the ground state. */
        k = termfilter_feed(&f, "x", 1, out);
        assert_int_equal(k, 1);
        assert_int_equal(out[0], 'x');
}

/* A long passed string is streamed, not held, whatever its length. */
static void test_long_string_streamed(void **state) {
        TermFilterOptions opt = {.allow_clipboard = true};
        static char in[1 << 16], out[TERMFILTER_OUT_SIZE(sizeof in)];
        TermFilter f;
        size_t k, total = 0;

        (void)state;
        termfilter_init(&f, &opt);
        assert_int_equal(termfilter_feed(&f, "\033]52;c;", 7, out), 0);
        memset(in, 'A', sizeof in);
        for (int i = 0; i < 16; i++) {
                /* OSC 52's head is held until its data's first byte: not a query. */
                k = termfilter_feed(&f, in, sizeof in, out);
                assert_int_equal(k, sizeof in + (i == 0 ? 7 : 0));
                total += k;
        }
        total += termfilter_feed(&f, "\007", 1, out);
        assert_int_equal(total, 7 + 16 * sizeof in + 1);
        assert_int_equal(f.seq_len, 0);
}

/* A long dropped string costs nothing either, and what follows it passes. */
static void test_long_dropped(void **state) {
        static char in[1 << 16], out[TERMFILTER_OUT_SIZE(sizeof in)];
        TermFilter f;

        (void)state;
        termfilter_init(&f, NULL);
        assert_int_equal(termfilter_feed(&f, "\033]52;c;", 7, out), 0);
        memset(in, 'A', sizeof in);
        for (int i = 0; i < 16; i++)
                assert_int_equal(termfilter_feed(&f, in, sizeof in, out), 0);
        assert_int_equal(termfilter_feed(&f, "\033\\ok", 4, out), 2);
        assert_memory_equal(out, "ok", 2);
        assert_int_equal(f.dropped_sequences, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),
                cmocka_unit_test(test_reset_inside_string),
                cmocka_unit_test(test_long_string_streamed),
                cmocka_unit_test(test_long_dropped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
