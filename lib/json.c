/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json.h"

size_t utf8_sequence_length(const char *s) {
        const unsigned char *p = (const unsigned char *)s;
        uint32_t cp, min;
        size_t n;

        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xc2 && p[0] <= 0xdf) {
                n = 2;
                cp = p[0] & 0x1f;
                min = 0x80;
        } else if ((p[0] & 0xf0) == 0xe0) {
                n = 3;
                cp = p[0] & 0x0f;
                min = 0x800;
        } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
                n = 4;
                cp = p[0] & 0x07;
                min = 0x10000;
        } else
                return 0; /* a continuation byte, 0xc0/0xc1 (always overlong) or 0xf5..0xff */

        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80) /* includes the NUL that ends a truncated sequence */
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

void json_write_string(FILE *f, const char *s) {
        /* The characters JSON escapes with a letter of their own, and those letters. */
        static const char named[] = "\"\\\b\f\n\r\t", letter[] = "\"\\bfnrt";

        if (!s) {
                fputs("null", f);
                return;
        }
        fputc('"', f);
        while (*s) {
                unsigned char c = (unsigned char)*s;
                size_t n = utf8_sequence_length(s);
                const char *e = strchr(named, c); /* c is not NUL here */

                if (n == 0) {
                        fputs("\\ufffd", f);
                        n = 1;
                } else if (e)
                        fprintf(f, "\\%c", letter[e - named]);
                else if (c < 0x20 || c == 0x7f)
                        fprintf(f, "\\u%04x", c);
                else
                        fwrite(s, 1, n, f);
                s += n;
        }
        fputc('"', f);
}
