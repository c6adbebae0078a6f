/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses and prefixes: parsing with strict checks, formatting, and range arithmetic. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Cidr {
        int family;       /* AF_INET or AF_INET6 */
        uint8_t addr[16]; /* network byte order; the first 4 bytes for AF_INET; host bits are zero */
        unsigned prefixlen;
} Cidr;

typedef enum CidrParseError {
        CIDR_OK = 0,
        CIDR_BAD_ADDRESS,   /* not an IPv4 or IPv6 address */
        CIDR_BAD_PREFIX,    /* prefix length missing digits, too long, or out of range */
        CIDR_HOST_BITS_SET, /* e.g. 10.1.2.3/8: bits beyond the prefix are not zero */
} CidrParseError;

/* "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128). On CIDR_HOST_BITS_SET,
 * *ret holds the prefix with host bits cleared, for the "did you mean" hint. */
CidrParseError cidr_parse(const char *s, Cidr *ret);

/* "10.0.0.0/8"; a full-length prefix prints as the bare address. buf needs >= CIDR_STRLEN. */
#define CIDR_STRLEN 64
const char *cidr_format(const Cidr *c, char *buf, size_t size);

/* First and last address of the prefix, network byte order, 4 or 16 bytes. */
void cidr_range(const Cidr *c, uint8_t first[16], uint8_t last[16]);

/* 4 for AF_INET, 16 for AF_INET6, 0 otherwise. */
size_t family_addr_len(int family);

/* Same family, prefix length and network. */
bool cidr_equal(const Cidr *a, const Cidr *b);
/* inner lies entirely within outer (same family). */
bool cidr_contains(const Cidr *outer, const Cidr *inner);
