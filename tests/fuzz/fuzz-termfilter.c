/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for lib/termfilter.c, the filter between a session and the human's terminal.
 * The first byte chooses the options (bit 0 clipboard, bit 1 title) and the size of the pieces the
 * rest is fed in (bits 2-7); the rest is the session's output.
 *
 * Whatever the input: no crash, overrun or leak; the output is the same fed whole and in pieces;
 * the filter never holds more than TERMFILTER_SEQ_MAX bytes; the output and the reset sequence
 * are valid UTF-8 without a C1 control in either form; every ESC in them starts a sequence the
 * options allow: no OSC but the allowed numbers (no OSC 52 or title unless allowed, no OSC 52
 * query ever), no DCS but DECRQSS, XTGETTCAP and synchronized output, no SOS, PM or APC, no
 * ESC % or ESC SP G.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "termfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool osc_ok(const uint8_t *p, size_t n, const TermFilterOptions *opt) {
        unsigned num = 0;
        size_t i = 0;

        while (i < n && p[i] >= '0' && p[i] <= '9' && i < 6)
                num = num * 10 + (unsigned)(p[i++] - '0');
        if (i == 0 || i > 5)
                return false;
        if (num == 52) {
                /* 52;SEL;DATA, DATA not a query. */
                const uint8_t *semi = memchr(p + i + 1, ';', n - i - (i < n));
                return opt->allow_clipboard && i < n && p[i] == ';' && semi && semi + 1 < p + n &&
                       semi[1] != '?';
        }
        if (num <= 2)
                return opt->allow_title;
        return num == 4 || num == 8 || (num >= 10 && num <= 19) || num == 104 || (num >= 110 && num <= 119);
}

static void check_output(const uint8_t *p, size_t n, const TermFilterOptions *opt) {
        for (size_t i = 0; i < n; i++) {
                uint8_t c = p[i];
                if (c >= 0x80) {
                        /* Valid UTF-8, not U+0080-U+009F. */
                        size_t need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
                        if (c < 0xc2 || c > 0xf4 || i + need >= n || (c == 0xc2 && p[i + 1] < 0xa0))
                                abort();
                        for (size_t k = 1; k <= need; k++)
                                if (p[i + k] < 0x80 || p[i + k] > 0xbf)
                                        abort();
                        i += need;
                        continue;
                }
                if (c != 0x1b || i + 1 >= n)
                        continue;
                uint8_t k = p[i + 1];
                if (k == 'X' || k == '^' || k == '_' || k == '%' ||
                    (k == ' ' && i + 2 < n && p[i + 2] == 'G'))
                        abort();
                if (k == ']' && !osc_ok(p + i + 2, n - i - 2, opt))
                        abort();
                if (k == 'P') {
                        const uint8_t *h = p + i + 2;
                        size_t left = n - i - 2;
                        bool ok = (left >= 2 && (h[0] == '$' || h[0] == '+') && h[1] == 'q') ||
                                  (left >= 3 && h[0] == '=' && (h[1] == '1' || h[1] == '2') && h[2] == 's');
                        if (!ok)
                                abort();
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        TermFilterOptions opt;
        TermFilter whole, pieces;
        uint8_t *a, *b, reset[TERMFILTER_RESET_MAX];
        size_t na, nb = 0, piece, nr;

        if (size < 1)
                return 0;
        opt = (TermFilterOptions){.allow_clipboard = data[0] & 1, .allow_title = data[0] & 2};
        piece = (size_t)(data[0] >> 2) + 1;
        data++;
        size--;

        a = malloc(TERMFILTER_OUT_SIZE(size));
        b = malloc(TERMFILTER_OUT_SIZE(size) * (size / piece + 1));
        if (!a || !b)
                abort();
        termfilter_init(&whole, &opt);
        termfilter_init(&pieces, &opt);
        na = termfilter_feed(&whole, data, size, a);
        for (size_t at = 0; at < size; at += piece) {
                size_t len = size - at < piece ? size - at : piece;
                nb += termfilter_feed(&pieces, data + at, len, b + nb);
                if (pieces.seq_len > TERMFILTER_SEQ_MAX)
                        abort();
        }
        if (na != nb || memcmp(a, b, na) != 0)
                abort();
        check_output(a, na, &opt);

        nr = termfilter_reset(&whole, reset);
        if (nr > TERMFILTER_RESET_MAX)
                abort();
        check_output(reset, nr, &opt);
        free(a);
        free(b);
        return 0;
}
