/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"

size_t family_addr_len(int family) {
        switch (family) {
        case AF_INET:
                return 4;
        case AF_INET6:
                return 16;
        default:
                return 0;
        }
}

static unsigned family_max_prefix(int family) {
        return (unsigned)family_addr_len(family) * 8;
}

/* Prefix length: one to three decimal digits, nothing else (no sign, no blanks, no hex). */
static int parse_prefixlen(const char *s, unsigned max, unsigned *ret) {
        unsigned v = 0;
        size_t n = 0;

        for (; s[n] != '\0'; n++) {
                if (n >= 3 || s[n] < '0' || s[n] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(s[n] - '0');
        }
        if (n == 0 || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* Clear the bits beyond the prefix; returns true if any was set. */
static bool clear_host_bits(Cidr *c) {
        size_t len = family_addr_len(c->family);
        bool was_set = false;

        for (size_t i = 0; i < len; i++) {
                unsigned bit = (unsigned)i * 8;
                uint8_t mask;

                if (bit + 8 <= c->prefixlen)
                        continue;
                mask = bit >= c->prefixlen ? 0 : (uint8_t)(0xffu << (8 - (c->prefixlen - bit)));
                if (c->addr[i] & (uint8_t)~mask)
                        was_set = true;
                c->addr[i] &= mask;
        }
        return was_set;
}

CidrParseError cidr_parse(const char *s, Cidr *ret) {
        char buf[INET6_ADDRSTRLEN];
        const char *slash;
        size_t addrlen;
        Cidr c = {};

        if (!s)
                return CIDR_BAD_ADDRESS;

        slash = strchr(s, '/');
        addrlen = slash ? (size_t)(slash - s) : strlen(s);
        if (addrlen == 0 || addrlen >= sizeof buf)
                return CIDR_BAD_ADDRESS;
        memcpy(buf, s, addrlen);
        buf[addrlen] = '\0';

        c.family = strchr(buf, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(c.family, buf, c.addr) != 1)
                return CIDR_BAD_ADDRESS;

        c.prefixlen = family_max_prefix(c.family);
        if (slash && parse_prefixlen(slash + 1, family_max_prefix(c.family), &c.prefixlen) < 0)
                return CIDR_BAD_PREFIX;

        if (clear_host_bits(&c)) {
                *ret = c;
                return CIDR_HOST_BITS_SET;
        }
        *ret = c;
        return CIDR_OK;
}

const char *cidr_format(const Cidr *c, char *buf, size_t size) {
        char addr[INET6_ADDRSTRLEN];

        if (!inet_ntop(c->family, c->addr, addr, sizeof addr))
                snprintf(addr, sizeof addr, "?");
        if (c->prefixlen == family_max_prefix(c->family))
                snprintf(buf, size, "%s", addr);
        else
                snprintf(buf, size, "%s/%u", addr, c->prefixlen);
        return buf;
}

void cidr_range(const Cidr *c, uint8_t first[16], uint8_t last[16]) {
        size_t len = family_addr_len(c->family);

        memset(first, 0, 16);
        memset(last, 0, 16);
        for (size_t i = 0; i < len; i++) {
                unsigned bit = (unsigned)i * 8;
                uint8_t host;

                if (bit + 8 <= c->prefixlen)
                        host = 0;
                else if (bit >= c->prefixlen)
                        host = 0xff;
                else
                        host = (uint8_t)(0xffu >> (c->prefixlen - bit));
                first[i] = c->addr[i] & (uint8_t)~host;
                last[i] = c->addr[i] | host;
        }
}

bool cidr_equal(const Cidr *a, const Cidr *b) {
        return a->family == b->family && a->prefixlen == b->prefixlen &&
               memcmp(a->addr, b->addr, family_addr_len(a->family)) == 0;
}

bool cidr_contains(const Cidr *outer, const Cidr *inner) {
        Cidr t;

        if (outer->family != inner->family || outer->prefixlen > inner->prefixlen)
                return false;
        t = *inner;
        t.prefixlen = outer->prefixlen;
        (void)clear_host_bits(&t);
        return memcmp(t.addr, outer->addr, family_addr_len(outer->family)) == 0;
}
