/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A refused packet of a sandbox account, as rcc-firewalld learns of it from the nflog group of the
 * deny chains (RCC_NFLOG_GROUP, firewall/ruleset.h), and as the service tells rcc-firewall denials
 * and each session's rcc-shell of it: one line of text per destination, "UID FAMILY ADDRESS PROTO
 * PORT COUNT FIRST LAST"; and why the policy refuses it, in words, with the lines that would
 * allow it.
 */
#pragma once

/* The nflog group every sandbox account's refused packets go to (at most RCC_NFLOG_RATE a second
 * per account, RCC_NFLOG_BURST at once), each with the prefix RCC_NFLOG_PREFIX "UID ". */
#define RCC_NFLOG_GROUP 29283
#define RCC_NFLOG_RATE 50
#define RCC_NFLOG_BURST 100
#define RCC_NFLOG_PREFIX "rcc "

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct Denial {
        uid_t uid;
        int family;       /* AF_INET or AF_INET6 */
        uint8_t addr[16]; /* the destination, 4 or 16 bytes */
        uint8_t proto;    /* IPPROTO_* */
        uint16_t port;    /* the destination port for TCP, UDP, SCTP and UDP-Lite; else 0 */
        uint64_t count;
        int64_t first, last; /* CLOCK_REALTIME seconds */
} Denial;

/* The destination of an IPv4 or IPv6 packet (the first bytes of it): family, address, protocol
 * and port into d. -EBADMSG when it is too short or not IP. Extension headers of IPv6 are not
 * walked: the protocol is then the first next-header and the port 0. */
int denial_parse_packet(const uint8_t *pkt, size_t len, Denial *d);

/* The account of an nflog prefix "rcc UID " (RCC_NFLOG_PREFIX). -EBADMSG for any other. */
int denial_parse_prefix(const char *prefix, uid_t *ret_uid);

struct Policy;
struct Account;

/* Why the policy refuses d for account a (NULL: unknown), in words, into buf: a blocked range and
 * its name, this host's own address and its interface, the policy's deny entry (FILE:LINE), or
 * not in the strict allowlist. */
void denial_reason(const struct Account *a, const Denial *d, char *buf, size_t size);
/* The lines of network.allow that would let d through ("- cidr: A/32", its port and protocol). */
void denial_allow_lines(const Denial *d, char *buf, size_t size);
/* "tcp", "udp", "icmp", "icmpv6", or "proto N" into buf. */
const char *denial_proto_name(uint8_t proto, char *buf, size_t size);

/* Whether a and b are the same destination: family, address, protocol and port (not the
 * account, the count or the times). */
bool denial_same_destination(const Denial *a, const Denial *b);

/* One line of text for d (no newline), and back. */
int denial_format(const Denial *d, char *buf, size_t size);
int denial_parse_line(const char *line, Denial *d);

/* "ADDRESS PROTO port PORT, COUNT times: REASON" for d (denial_reason()), into buf. */
void denial_describe(const struct Account *a, const Denial *d, char *buf, size_t size);

/* What one session was refused, as rcc-firewalld keeps it for the session (sessions.h). */
typedef struct DenialList {
        const Denial *denials;
        size_t n;
        uint64_t more;   /* refusals to destinations beyond those kept */
        uint64_t shared; /* refusals while other sessions of the account ran: not attributed */
} DenialList;

/* The text of the session's denials file (RCC_DENIALS_DIR): a comment header, each destination
 * (denial_describe()) with the lines that would allow it, then what was left out. Whole entries
 * only: what does not fit in size is counted in the last line. The length written. */
size_t denial_report(const struct Account *a, const DenialList *l, char *buf, size_t size);
