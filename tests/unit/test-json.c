/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/json.c: every byte string comes out as one valid JSON string of valid UTF-8 — quotes,
 * backslashes and control characters escaped, UTF-8 kept, every byte of an invalid sequence
 * \ufffd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "macro.h"

typedef struct JsonCase {
        const char *in; /* NULL: JSON null */
        const char *out;
} JsonCase;

static const JsonCase cases[] = {
        {NULL, "null"},
        {"", "\"\""},
        {"plain text: /etc/rcc, 1.2", "\"plain text: /etc/rcc, 1.2\""},
        /* what JSON needs escaped */
        {"say \"no\"", "\"say \\\"no\\\"\""},
        {"C:\\path\\", "\"C:\\\\path\\\\\""},
        {"a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\""},
        {"\x01\x02\x1f\x7f", "\"\\u0001\\u0002\\u001f\\u007f\""},
        {"\x1b[31mred\x1b[0m", "\"\\u001b[31mred\\u001b[0m\""},
        /* '/' needs no escape; neither do characters above 0x7f that are valid UTF-8 */
        {"/run/sshd", "\"/run/sshd\""},
        {"— fix: été ✓ 🐧", "\"— fix: été ✓ 🐧\""},
        {"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
         "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\""},
        /* not UTF-8: every byte that starts no valid sequence is U+FFFD */
        {"\xff", "\"\\ufffd\""},
        {"a\x80z", "\"a\\ufffdz\""},                              /* a stray continuation byte */
        {"\xc3", "\"\\ufffd\""},                                  /* truncated at the end */
        {"\xc3(", "\"\\ufffd(\""},                                /* truncated before ASCII */
        {"\xe2\x82", "\"\\ufffd\\ufffd\""},                       /* truncated three-byte sequence */
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},                       /* overlong '/' */
        {"\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""},            /* overlong, three bytes */
        {"\xf0\x82\x82\xac", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* overlong, four bytes */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},            /* a surrogate, U+D800 */
        {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* beyond U+10FFFF */
        {"\xf8\x88\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* five bytes */
        /* latin-1 from a tool with another locale, between valid text */
        {"caf\xe9 \"ok\"", "\"caf\\ufffd \\\"ok\\\"\""},
};

static char *encode(const char *in) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        json_write_string(f, in);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static void test_escaping(void **state) {
        (void)state;
        FOREACH_ARRAY (c, cases, ELEMENTSOF(cases)) {
                _cleanup_free_ char *out = encode(c->in);

                print_message("json: '%s' → %s\n", c->in ?: "(null)", out);
                assert_string_equal(out, c->out);
        }
}

/* Every byte value, alone and after each lead byte: the output is always a quoted string with no
 * raw control character and only valid UTF-8 in it. */
static void test_every_byte(void **state) {
        (void)state;
        for (unsigned lead = 0; lead < 256; lead++)
                for (unsigned b = 1; b < 256; b++) {
                        char in[4] = {(char)(lead ? lead : b), (char)(lead ? b : 0), 0, 0};
                        _cleanup_free_ char *out = encode(in);
                        size_t n = strlen(out);

                        assert_true(n >= 2 && out[0] == '"' && out[n - 1] == '"');
                        out[n - 1] = '\0';
                        for (const char *p = out + 1; *p;) {
                                size_t k = utf8_sequence_length(p);

                                assert_true(k > 0);
                                assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
                                if (*p == '"')
                                        fail_msg("unescaped quote in %s", out);
                                if (*p == '\\') {
                                        assert_true(p[1] != '\0');
                                        k = 2;
                                }
                                p += k;
                        }
                }
}

static void test_utf8_sequence_length(void **state) {
        (void)state;
        assert_int_equal(utf8_sequence_length("a"), 1);
        assert_int_equal(utf8_sequence_length(""), 1); /* the NUL itself is ASCII */
        assert_int_equal(utf8_sequence_length("é"), 2);
        assert_int_equal(utf8_sequence_length("✓"), 3);
        assert_int_equal(utf8_sequence_length("🐧"), 4);
        assert_int_equal(utf8_sequence_length("\xc3"), 0);
        assert_int_equal(utf8_sequence_length("\xee\x80\x80"), 3); /* U+E000, just past the surrogates */
        assert_int_equal(utf8_sequence_length("\xed\x9f\xbf"), 3); /* U+D7FF, just before them */
        assert_int_equal(utf8_sequence_length("\xed\xbf\xbf"), 0); /* U+DFFF */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_every_byte),
                cmocka_unit_test(test_utf8_sequence_length),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
