/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scalar values of a policy: names and numbers, checked strictly and without the tree, so the
 * schema can say which node is wrong and these stay easy to reason about (and to fuzz).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cidr.h"
#include "policy-internal.h"

size_t parse_digits(const char *s, uint64_t *ret) {
        uint64_t v = 0;
        size_t n = 0;

        for (; s[n] >= '0' && s[n] <= '9'; n++) {
                unsigned d = (unsigned)(s[n] - '0');
                v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
        }
        *ret = v;
        return n;
}

int parse_memory_size(const char *s, uint64_t *ret) {
        static const char units[] = "kmgt";
        unsigned shift = 0;
        uint64_t n;
        size_t len;

        len = parse_digits(s, &n);
        if (len > 0 && s[len] != '\0' && s[len + 1] == '\0') {
                const char *u = strchr(units, tolower((unsigned char)s[len]));
                if (u) {
                        shift = 10 * (unsigned)(u - units + 1);
                        len++;
                }
        }
        if (len == 0 || s[len] != '\0')
                return -EINVAL;
        if (n == UINT64_MAX || n > (UINT64_MAX >> shift)) /* parse_digits() saturates */
                return -ERANGE;
        *ret = n << shift;
        return 0;
}

int parse_milli(const char *s, uint32_t *ret) {
        uint64_t whole, frac = 0;
        size_t len, n_frac = 0;

        len = parse_digits(s, &whole);
        if (len == 0)
                return -EINVAL;
        if (s[len] == '.') {
                n_frac = parse_digits(s + len + 1, &frac);
                if (n_frac == 0 || n_frac > 3)
                        return -EINVAL;
                len += 1 + n_frac;
        }
        if (s[len] != '\0')
                return -EINVAL;
        for (; n_frac < 3; n_frac++)
                frac *= 10;
        if (whole > UINT32_MAX / 1000 || whole * 1000 + frac > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)(whole * 1000 + frac);
        return 0;
}

int parse_uint32(const char *s, uint32_t *ret) {
        uint64_t n;
        size_t len = parse_digits(s, &n);

        if (len == 0 || s[len] != '\0')
                return -EINVAL;
        if (n > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)n;
        return 0;
}

bool valid_host_name(const char *s) {
        size_t len = strlen(s), label = 0;
        bool numeric = true;

        if (len == 0 || len > 253)
                return false;
        for (size_t i = 0; i <= len; i++) {
                char c = s[i];

                if (c == '.' || c == '\0') {
                        if (label == 0 || label > 63 || s[i - 1] == '-')
                                return false;
                        if (c == '\0')
                                break;
                        label = 0;
                        numeric = true;
                        continue;
                }
                if (!(isascii(c) && (isalnum(c) || c == '-')))
                        return false;
                if (label == 0 && c == '-')
                        return false;
                if (!isdigit(c))
                        numeric = false;
                label++;
        }
        /* No top-level domain is all digits; such a "name" is an address in inet_aton()'s forms. */
        return !numeric;
}

bool host_looks_like_address(const char *s) {
        const char *dot = strrchr(s, '.');
        const char *last = dot ? dot + 1 : s;
        Cidr c;

        if (strchr(s, ':') || strchr(s, '/') || cidr_parse(s, &c) != CIDR_BAD_ADDRESS)
                return true;
        /* inet_aton() forms: "10.1", "0x7f.1", "2130706433". */
        if (*last == '\0' || !isdigit((unsigned char)s[0]))
                return false;
        for (; *last; last++)
                if (!isdigit((unsigned char)*last) && *last != 'x' && *last != 'X')
                        return false;
        return true;
}
