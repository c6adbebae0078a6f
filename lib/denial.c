/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "denial.h"
#include "cidr.h"
#include "macro.h"
#include "netranges.h"
#include "policy.h"

static bool has_ports(uint8_t proto) {
        return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
               proto == IPPROTO_UDPLITE;
}

/* The destination port: the second 16 bits of every header that has ports. */
static uint16_t port_at(const uint8_t *pkt, size_t len, size_t off) {
        return off + 4 <= len ? (uint16_t)(pkt[off + 2] << 8 | pkt[off + 3]) : 0;
}

int denial_parse_packet(const uint8_t *pkt, size_t len, Denial *d) {
        size_t hlen;

        if (len < 1)
                return -EBADMSG;
        switch (pkt[0] >> 4) {
        case 4:
                hlen = (size_t)(pkt[0] & 0x0f) * 4;
                if (len < 20 || hlen < 20)
                        return -EBADMSG;
                d->family = AF_INET;
                memset(d->addr, 0, sizeof d->addr);
                memcpy(d->addr, pkt + 16, 4);
                d->proto = pkt[9];
                break;
        case 6:
                hlen = 40;
                if (len < hlen)
                        return -EBADMSG;
                d->family = AF_INET6;
                memcpy(d->addr, pkt + 24, 16);
                d->proto = pkt[6];
                break;
        default:
                return -EBADMSG;
        }
        d->port = has_ports(d->proto) ? port_at(pkt, len, hlen) : 0;
        return 0;
}

int denial_parse_prefix(const char *prefix, uid_t *ret_uid) {
        size_t n = strlen(RCC_NFLOG_PREFIX);
        char *end;
        unsigned long uid;

        if (strncmp(prefix, RCC_NFLOG_PREFIX, n) != 0 || prefix[n] < '0' || prefix[n] > '9')
                return -EBADMSG;
        errno = 0;
        uid = strtoul(prefix + n, &end, 10);
        if (errno || *end != ' ' || end[1] || uid >= (uid_t)-1)
                return -EBADMSG;
        *ret_uid = (uid_t)uid;
        return 0;
}

bool denial_same_destination(const Denial *a, const Denial *b) {
        return a->family == b->family && a->proto == b->proto && a->port == b->port &&
               memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

int denial_format(const Denial *d, char *buf, size_t size) {
        char addr[INET6_ADDRSTRLEN];
        int n;

        if (!inet_ntop(d->family, d->addr, addr, sizeof addr))
                return -EAFNOSUPPORT;
        n = snprintf(
                buf, size, "%u %d %s %u %u %" PRIu64 " %" PRId64 " %" PRId64, (unsigned)d->uid,
                d->family == AF_INET ? 4 : 6, addr, d->proto, d->port, d->count, d->first, d->last);
        return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}

int denial_parse_line(const char *line, Denial *d) {
        char addr[INET6_ADDRSTRLEN + 1];
        unsigned uid, proto, port;
        int family, end = 0;

        *d = (Denial){};
        if (sscanf(line, "%u %d %46s %u %u %" SCNu64 " %" SCNd64 " %" SCNd64 "%n", &uid, &family, addr,
                   &proto, &port, &d->count, &d->first, &d->last, &end) != 8 ||
            line[end] != '\0' || (family != 4 && family != 6) || proto > 255 || port > 65535)
                return -EBADMSG;
        d->uid = uid;
        d->family = family == 4 ? AF_INET : AF_INET6;
        d->proto = (uint8_t)proto;
        d->port = (uint16_t)port;
        return inet_pton(d->family, addr, d->addr) == 1 ? 0 : -EBADMSG;
}

static bool cidr_holds(const Cidr *c, const Denial *d) {
        Cidr host = {.family = d->family, .prefixlen = d->family == AF_INET ? 32 : 128};

        memcpy(host.addr, d->addr, sizeof host.addr);
        return c->family == d->family && cidr_contains(c, &host);
}

/* One of this host's own addresses (what "fib daddr type local" matched)? Its interface then. */
static bool local_address(const Denial *d, char *ifname, size_t size) {
        struct ifaddrs *list = NULL;
        bool found = false;

        if (getifaddrs(&list) < 0)
                return false;
        for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
                const void *addr = NULL;
                if (!i->ifa_addr || i->ifa_addr->sa_family != d->family)
                        continue;
                if (d->family == AF_INET)
                        addr = &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
                else
                        addr = &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
                if (memcmp(addr, d->addr, family_addr_len(d->family)) == 0) {
                        snprintf(ifname, size, "%s", i->ifa_name);
                        found = true;
                }
        }
        freeifaddrs(list);
        return found;
}

void denial_reason(const Account *a, const Denial *d, char *buf, size_t size) {
        const SpecialRange *ranges = d->family == AF_INET ? special_ranges4 : special_ranges6;
        size_t n = d->family == AF_INET ? n_special_ranges4 : n_special_ranges6;
        char ifname[64];

        if (a)
                for (size_t i = 0; i < a->settings.n_deny; i++)
                        if (cidr_holds(&a->settings.deny[i].cidr, d)) {
                                snprintf(
                                        buf, size, "denied by the policy (%s:%u)",
                                        a->settings.deny[i].loc.file, a->settings.deny[i].loc.line);
                                return;
                        }
        if (local_address(d, ifname, sizeof ifname)) {
                snprintf(buf, size, "this host's own address (%s)", ifname);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                Cidr c;
                if (cidr_parse(ranges[i].cidr, &c) == CIDR_OK && cidr_holds(&c, d)) {
                        snprintf(buf, size, "%s %s", ranges[i].why, ranges[i].cidr);
                        return;
                }
        }
        if (a && a->settings.mode == NET_MODE_STRICT)
                snprintf(buf, size, "not in the strict allowlist");
        else
                snprintf(buf, size, "not allowed by the policy");
}

const char *denial_proto_name(uint8_t proto, char *buf, size_t size) {
        switch (proto) {
        case IPPROTO_TCP:
                return "tcp";
        case IPPROTO_UDP:
                return "udp";
        case IPPROTO_ICMP:
                return "icmp";
        case IPPROTO_ICMPV6:
                return "icmpv6";
        default:
                snprintf(buf, size, "proto %u", proto);
                return buf;
        }
}

/* The lines that would allow d, for the account's file: "- cidr: A\n  ports: [P]\n  proto: P". */
void denial_allow_lines(const Denial *d, char *buf, size_t size) {
        char addr[INET6_ADDRSTRLEN] = "?", pb[16];
        const char *proto = denial_proto_name(d->proto, pb, sizeof pb);

        (void)inet_ntop(d->family, d->addr, addr, sizeof addr);
        if (d->port && (d->proto == IPPROTO_TCP || d->proto == IPPROTO_UDP))
                snprintf(
                        buf, size, "- cidr: %s/%d\n  ports: [%u]\n  proto: %s", addr,
                        d->family == AF_INET ? 32 : 128, d->port, proto);
        else
                snprintf(buf, size, "- cidr: %s/%d", addr, d->family == AF_INET ? 32 : 128);
}

void denial_describe(const Account *a, const Denial *d, char *buf, size_t size) {
        char addr[INET6_ADDRSTRLEN] = "?", reason[256], pb[16], port[16] = "";

        (void)inet_ntop(d->family, d->addr, addr, sizeof addr);
        denial_reason(a, d, reason, sizeof reason);
        if (d->port)
                snprintf(port, sizeof port, " port %u", d->port);
        snprintf(
                buf, size, "%s %s%s, %" PRIu64 " time%s: %s", addr,
                denial_proto_name(d->proto, pb, sizeof pb), port, d->count, d->count == 1 ? "" : "s",
                reason);
}

/* Append what fmt makes to buf at *len, whole or not at all: false when it does not fit. */
_printf_(4, 5) static bool append(char *buf, size_t size, size_t *len, const char *fmt, ...) {
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf + *len, size - *len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= size - *len) {
                buf[*len] = '\0';
                return false;
        }
        *len += (size_t)n;
        return true;
}

size_t denial_report(const Account *a, const DenialList *l, char *buf, size_t size) {
        size_t len = 0, shown = 0;
        char line[512], allow[256];

        assert(size > 0);
        buf[0] = '\0';
        if (!append(buf, size, &len,
                    "# What the network policy refused this session, kept up to date by rcc-firewalld.\n"
                    "# One destination a line: address, protocol and port, count, and why; under it the\n"
                    "# lines an admin would add to allow it. Only a human with root can change the policy.\n"))
                return len;
        for (size_t i = 0; i < l->n; i++, shown++) {
                size_t mark = len;
                bool fits;

                denial_describe(a, &l->denials[i], line, sizeof line);
                denial_allow_lines(&l->denials[i], allow, sizeof allow);
                fits = append(buf, size, &len, "%s\n", line) &&
                       append(buf, size, &len, "  allowed by, under network.allow in %s:\n",
                              a ? a->file : "the account's policy file");
                for (char *s = allow, *nl; fits && *s; s = nl ? nl + 1 : s + strlen(s)) {
                        nl = strchr(s, '\n');
                        fits = append(buf, size, &len, "    %.*s\n", nl ? (int)(nl - s) : (int)strlen(s), s);
                }
                if (!fits) {
                        /* No half entry: the reader sees whole destinations and how many are left out. */
                        len = mark;
                        buf[len] = '\0';
                        break;
                }
        }
        uint64_t more = l->more + (l->n - shown);
        if (more)
                (void)append(
                        buf, size, &len, "# and %" PRIu64 " more refusal%s to destinations not listed\n",
                        more, more == 1 ? "" : "s");
        if (l->shared)
                (void)append(
                        buf, size, &len,
                        "# %" PRIu64 " refusal%s while other sessions of this account ran: not attributed "
                        "to this session\n",
                        l->shared, l->shared == 1 ? "" : "s");
        return len;
}
