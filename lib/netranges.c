/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "netranges.h"

/* IANA IPv4 Special-Purpose Address Registry: the entries whose "Globally Reachable" is False
 * (a few small True entries inside 192.0.0.0/24 are blocked with it), plus multicast. */
const SpecialRange special_ranges4[] = {
        {"0.0.0.0/8", "this network (RFC 791)"},
        {"10.0.0.0/8", "private (RFC 1918)"},
        {"100.64.0.0/10", "shared address space, CGNAT (RFC 6598); Alibaba metadata 100.100.100.200"},
        {"127.0.0.0/8", "loopback (RFC 1122)"},
        {"169.254.0.0/16", "link-local (RFC 3927); metadata 169.254.169.254, ECS 169.254.170.2"},
        {"172.16.0.0/12", "private (RFC 1918)"},
        {"192.0.0.0/24", "IETF protocol assignments (RFC 6890); Oracle metadata 192.0.0.192"},
        {"192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"},
        {"192.88.99.0/24", "6to4 relay anycast, deprecated (RFC 7526)"},
        {"192.168.0.0/16", "private (RFC 1918)"},
        {"198.18.0.0/15", "benchmarking (RFC 2544)"},
        {"198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"},
        {"203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)"},
        {"224.0.0.0/4", "multicast (RFC 5771)"},
        {"240.0.0.0/4", "reserved (RFC 1112) and limited broadcast 255.255.255.255"},
        {"168.63.129.16/32", "Azure WireServer and metadata, on a public address"},
};
const size_t n_special_ranges4 = ELEMENTSOF(special_ranges4);

/* IANA IPv6 Special-Purpose Address Registry, entries not globally reachable, plus the
 * deprecated ranges that still mean "not the internet". 2001::/23 is blocked whole: the few
 * globally reachable blocks inside it (AMT, AS112, ORCHIDv2, DRIP) are nothing an agent needs. */
const SpecialRange special_ranges6[] = {
        {"::/128", "unspecified (RFC 4291)"},
        {"::1/128", "loopback (RFC 4291)"},
        {"::/96", "IPv4-compatible, deprecated (RFC 4291)"},
        {"::ffff:0:0/96", "IPv4-mapped (RFC 4291); never on the wire"},
        {"64:ff9b:1::/48", "local-use IPv4/IPv6 translation (RFC 8215)"},
        {"100::/64", "discard-only (RFC 6666)"},
        {"2001::/23", "IETF protocol assignments: Teredo, benchmarking, ORCHID (RFC 2928)"},
        {"2001:db8::/32", "documentation (RFC 3849)"},
        {"3fff::/20", "documentation (RFC 9637)"},
        {"5f00::/16", "segment routing SIDs (RFC 9602)"},
        {"fc00::/7", "unique local (RFC 4193); AWS metadata fd00:ec2::254"},
        {"fe80::/10", "link-local (RFC 4291)"},
        {"fec0::/10", "site-local, deprecated (RFC 3879)"},
        {"ff00::/8", "multicast (RFC 4291)"},
};
const size_t n_special_ranges6 = ELEMENTSOF(special_ranges6);

static void embed(const Cidr *v4, const uint8_t *prefix, size_t prefix_bytes, size_t at, Cidr *ret) {
        *ret = (Cidr){.family = AF_INET6, .prefixlen = (unsigned)at * 8 + v4->prefixlen};
        memcpy(ret->addr, prefix, prefix_bytes);
        memcpy(ret->addr + at, v4->addr, 4);
}

void netranges_embed_nat64(const Cidr *v4, Cidr *ret) {
        static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
        embed(v4, nat64, sizeof nat64, 12, ret);
}

void netranges_embed_6to4(const Cidr *v4, Cidr *ret) {
        static const uint8_t six_to_four[2] = {0x20, 0x02};
        embed(v4, six_to_four, sizeof six_to_four, 2, ret);
}

static bool in_prefix(const Cidr *addr, const char *prefix) {
        Cidr p;
        uint8_t first[16], last[16];
        size_t len = family_addr_len(addr->family);

        if (cidr_parse(prefix, &p) != CIDR_OK || p.family != addr->family)
                return false;
        cidr_range(&p, first, last);
        return memcmp(addr->addr, first, len) >= 0 && memcmp(addr->addr, last, len) <= 0;
}

bool netranges_forbidden_for_names(const Cidr *addr) {
        static const char *const forbidden[] = {
                "0.0.0.0/8",     "127.0.0.0/8",     "169.254.0.0/16", "224.0.0.0/4",   "240.0.0.0/4",
                "168.63.129.16", "100.100.100.200", "192.0.0.192",    "::/96",         "::ffff:0:0/96",
                "fe80::/10",     "fec0::/10",       "ff00::/8",       "fd00:ec2::/32",
        };

        for (size_t i = 0; i < ELEMENTSOF(forbidden); i++)
                if (in_prefix(addr, forbidden[i]))
                        return true;
        return false;
}
