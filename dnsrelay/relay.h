/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-dnsrelay's event loop: queries in on UDP and TCP, each attributed to a sandbox account by
 * the loopback address it arrived at (rcc_dnsrelay_address()), answered REFUSED or forwarded to
 * the host's resolvers over UDP, with a timeout and a bounded number outstanding.
 */
#pragma once

#include <arpa/inet.h>
#include <stdint.h>
#include <sys/types.h>

#include "cidr.h"
#include "policy.h"

/* The relay's port: below 1024, so that no unprivileged process can hold it before the relay
 * does, and none that DNS software uses on a host (853 DoT, 953 rndc, 5353 mDNS, 5355 LLMNR). */
#define RCC_DNSRELAY_PORT 553

/* Which account a query is from: the nat rule of rcc-firewall sends the port-53 traffic of the
 * account with uid U to 127.U2.U1.U0 (U's low 24 bits), so the kernel, keyed on the socket's
 * owner, says who asked; the relay trusts no field of the packet for it. uids of 2^24 and above,
 * and those whose address would be 127.0.0.0 or 127.0.0.1, have no relay address. */
static inline bool rcc_dnsrelay_address(uid_t uid, struct in_addr *ret) {
        if (uid < 2 || uid >= (1u << 24))
                return false;
        ret->s_addr = htonl((127u << 24) | (uint32_t)uid);
        return true;
}

static inline bool rcc_dnsrelay_uid(const struct in_addr *a, uid_t *ret) {
        uint32_t h = ntohl(a->s_addr);
        if (h >> 24 != 127 || (h & 0xffffff) < 2)
                return false;
        *ret = (uid_t)(h & 0xffffff);
        return true;
}

/* Bounds: a flood of queries costs at most this much (each pending query holds one socket and
 * one DNS message). */
#define RELAY_MAX_PENDING 256
#define RELAY_MAX_PENDING_PER_ACCOUNT 64
#define RELAY_MAX_TCP 32
#define RELAY_TIMEOUT_MS 2500 /* per upstream tried; then the next one */
#define RELAY_TCP_IDLE_MS 10000

typedef struct RelayUpstream {
        int family;
        union {
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } sa;
} RelayUpstream;

struct DnsAddr;
typedef struct Relay Relay;

/* The addresses an answer gave for an allowlisted name, with their TTLs, for rcc-firewalld. */
typedef void (*RelayAnswered)(
        void *userdata, uid_t uid, const char *name, const struct DnsAddr *addrs, size_t n);

int relay_new(int udp_fd, int tcp_fd, const RelayUpstream *upstreams, size_t n_upstreams, Relay **ret);
Relay *relay_free(Relay *r);
/* The policy queries are decided by from now on; the caller keeps it alive until replaced. */
void relay_set_policy(Relay *r, const Policy *p);
void relay_set_answered(Relay *r, RelayAnswered cb, void *userdata);
/* Run until a signal in sigfd (SIGHUP: reload() is called; SIGTERM, SIGINT: return 0). */
int relay_run(Relay *r, int sigfd, int (*reload)(Relay *r, void *userdata), void *userdata);

typedef struct RelayStats {
        uint64_t queries, forwarded, refused, denied_names, timeouts, dropped;
} RelayStats;
void relay_stats(const Relay *r, RelayStats *ret);
