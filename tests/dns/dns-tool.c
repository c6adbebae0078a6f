/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A test resolver and a test client for rcc-dnsrelay, both with ldns (never on the network
 * outside loopback or a namespace the test made):
 *
 *   dns-tool serve ADDR PORT LOG NAME=ADDR...   answer A/AAAA for the names given (NXDOMAIN
 *       otherwise) on UDP, appending "NAME TYPE" of every query to LOG; runs until killed.
 *   dns-tool query ADDR PORT NAME TYPE          one query over UDP (TCP with RCC_DNS_TCP=1); prints
 *       the rcode and each A/AAAA of the answer; exit 0 on an answer, 1 on none.
 *   dns-tool bench ADDR PORT NAME N             N sequential queries; prints the mean microseconds.
 *   dns-tool blackhole ADDR PORT                a resolver that reads queries and never answers.
 *   dns-tool flood ADDR PORT NAME N             N queries at once, then the answers for 1 second;
 *       prints "ANSWERED SERVFAIL" (how many answers came, how many of them SERVFAIL).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int sockaddr_of(const char *addr, const char *port, struct sockaddr_storage *ss, socklen_t *len) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

        memset(ss, 0, sizeof *ss);
        if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
                in->sin_family = AF_INET;
                in->sin_port = htons((uint16_t)atoi(port));
                *len = sizeof *in;
                return AF_INET;
        }
        if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)atoi(port));
                *len = sizeof *in6;
                return AF_INET6;
        }
        fprintf(stderr, "dns-tool: '%s' is not an address\n", addr);
        exit(2);
}

static int serve(int argc, char **argv) {
        struct sockaddr_storage ss;
        socklen_t sl;
        int fam = sockaddr_of(argv[0], argv[1], &ss, &sl);
        int fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        FILE *log = fopen(argv[2], "ae");

        if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) < 0 || !log) {
                perror("dns-tool serve");
                return 1;
        }
        setvbuf(log, NULL, _IOLBF, 0);
        for (;;) {
                uint8_t buf[4096];
                struct sockaddr_storage from;
                socklen_t fl = sizeof from;
                ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
                ldns_pkt *q = NULL, *a;
                uint8_t *wire = NULL;
                size_t wl = 0;

                if (n < 0 || ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
                        continue;
                ldns_rr *qrr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
                if (!qrr) {
                        ldns_pkt_free(q);
                        continue;
                }
                char *qname = ldns_rdf2str(ldns_rr_owner(qrr));
                char *qtype = ldns_rr_type2str(ldns_rr_get_type(qrr));
                fprintf(log, "%s %s\n", qname, qtype);
                a = ldns_pkt_new();
                ldns_pkt_set_id(a, ldns_pkt_id(q));
                ldns_pkt_set_qr(a, true);
                ldns_pkt_set_rd(a, ldns_pkt_rd(q));
                ldns_pkt_set_ra(a, true);
                ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION, ldns_rr_clone(qrr));
                bool found = false;
                for (int i = 3; i < argc; i++) {
                        char name[512], *eq;
                        snprintf(name, sizeof name, "%s", argv[i]);
                        eq = strchr(name, '=');
                        if (!eq)
                                continue;
                        *eq = '\0';
                        size_t nl = strlen(name);
                        if (strncasecmp(qname, name, nl) != 0 || strcmp(qname + nl, ".") != 0)
                                continue;
                        found = true;
                        bool v6 = strchr(eq + 1, ':') != NULL;
                        if (ldns_rr_get_type(qrr) != (v6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A))
                                continue;
                        char text[700];
                        ldns_rr *rr = NULL;
                        snprintf(text, sizeof text, "%s 60 IN %s %s", qname, v6 ? "AAAA" : "A", eq + 1);
                        if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) == LDNS_STATUS_OK)
                                ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
                }
                ldns_pkt_set_rcode(a, found ? LDNS_RCODE_NOERROR : LDNS_RCODE_NXDOMAIN);
                if (ldns_pkt2wire(&wire, a, &wl) == LDNS_STATUS_OK)
                        sendto(fd, wire, wl, 0, (struct sockaddr *)&from, fl);
                free(wire);
                free(qname);
                free(qtype);
                ldns_pkt_free(a);
                ldns_pkt_free(q);
        }
}

/* One query; the answer's packet in *ret, or NULL on a timeout. */
static int query(int fd, bool tcp, const char *name, ldns_rr_type type, uint16_t id, ldns_pkt **ret) {
        ldns_pkt *q = NULL;
        uint8_t *wire = NULL, buf[65536 + 2];
        size_t wl = 0;
        ssize_t n;

        *ret = NULL;
        if (ldns_pkt_query_new_frm_str(&q, name, type, LDNS_RR_CLASS_IN, LDNS_RD) != LDNS_STATUS_OK)
                return -EINVAL;
        ldns_pkt_set_id(q, id);
        if (ldns_pkt2wire(&wire, q, &wl) != LDNS_STATUS_OK)
                return -ENOMEM;
        ldns_pkt_free(q);
        if (tcp) {
                uint8_t hdr[2] = {(uint8_t)(wl >> 8), (uint8_t)wl};
                if (write(fd, hdr, 2) != 2 || write(fd, wire, wl) != (ssize_t)wl)
                        return -errno;
                size_t got = 0, want = 2;
                while (got < want) {
                        n = read(fd, buf + got, want - got);
                        if (n <= 0)
                                return -ETIMEDOUT;
                        got += (size_t)n;
                        if (got == 2)
                                want = 2 + ((size_t)buf[0] << 8 | buf[1]);
                }
                free(wire);
                return ldns_wire2pkt(ret, buf + 2, want - 2) == LDNS_STATUS_OK ? 0 : -EBADMSG;
        }
        if (send(fd, wire, wl, 0) < 0)
                return -errno;
        free(wire);
        for (;;) {
                n = recv(fd, buf, sizeof buf, 0);
                if (n < 0)
                        return -ETIMEDOUT;
                if (ldns_wire2pkt(ret, buf, (size_t)n) == LDNS_STATUS_OK && ldns_pkt_id(*ret) == id)
                        return 0;
                if (*ret)
                        ldns_pkt_free(*ret);
                *ret = NULL;
        }
}

static int connect_to(const char *addr, const char *port, bool tcp) {
        struct sockaddr_storage ss;
        socklen_t sl;
        int fam = sockaddr_of(addr, port, &ss, &sl);
        int fd = socket(fam, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
        struct timeval tv = {.tv_sec = 3};

        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
            connect(fd, (struct sockaddr *)&ss, sl) < 0) {
                perror("dns-tool: connect");
                exit(1);
        }
        return fd;
}

static int blackhole(const char *addr, const char *port) {
        struct sockaddr_storage ss;
        socklen_t sl;
        int fam = sockaddr_of(addr, port, &ss, &sl);
        int fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        uint8_t buf[4096];

        if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) < 0) {
                perror("dns-tool blackhole");
                return 1;
        }
        for (;;)
                (void)recv(fd, buf, sizeof buf, 0);
}

static int flood(const char *addr, const char *port, const char *name, long n) {
        int fd = connect_to(addr, port, false);
        struct timeval tv = {.tv_sec = 1};
        long answered = 0, servfail = 0;
        uint8_t buf[65536];

        for (long i = 0; i < n; i++) {
                ldns_pkt *q = NULL;
                uint8_t *wire = NULL;
                size_t wl = 0;
                if (ldns_pkt_query_new_frm_str(&q, name, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD) !=
                            LDNS_STATUS_OK ||
                    (ldns_pkt_set_id(q, (uint16_t)i), ldns_pkt2wire(&wire, q, &wl)) != LDNS_STATUS_OK)
                        return 1;
                (void)send(fd, wire, wl, 0);
                free(wire);
                ldns_pkt_free(q);
        }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        for (;;) {
                ldns_pkt *a = NULL;
                ssize_t k = recv(fd, buf, sizeof buf, 0);
                if (k < 0)
                        break;
                if (ldns_wire2pkt(&a, buf, (size_t)k) != LDNS_STATUS_OK)
                        continue;
                answered++;
                servfail += ldns_pkt_get_rcode(a) == LDNS_RCODE_SERVFAIL;
                ldns_pkt_free(a);
        }
        printf("%ld %ld\n", answered, servfail);
        return 0;
}

int main(int argc, char **argv) {
        bool tcp = getenv("RCC_DNS_TCP") && strcmp(getenv("RCC_DNS_TCP"), "1") == 0;

        if (argc >= 5 && strcmp(argv[1], "serve") == 0)
                return serve(argc - 2, argv + 2);
        if (argc == 6 && strcmp(argv[1], "query") == 0) {
                int fd = connect_to(argv[2], argv[3], tcp);
                ldns_pkt *a = NULL;
                if (query(fd, tcp, argv[4], ldns_get_rr_type_by_name(argv[5]), 4711, &a) < 0 || !a) {
                        printf("no answer\n");
                        return 1;
                }
                ldns_lookup_table *rc = ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(a));
                printf("%s\n", rc ? rc->name : "?");
                for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(a)); i++) {
                        ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(a), i);
                        char *s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
                        printf("%s\n", s);
                        free(s);
                }
                ldns_pkt_free(a);
                return 0;
        }
        if (argc == 6 && strcmp(argv[1], "bench") == 0) {
                int fd = connect_to(argv[2], argv[3], tcp);
                long n = atol(argv[5]);
                struct timespec t0, t1;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                for (long i = 0; i < n; i++) {
                        ldns_pkt *a = NULL;
                        if (query(fd, tcp, argv[4], LDNS_RR_TYPE_A, (uint16_t)i, &a) < 0 || !a) {
                                fprintf(stderr, "dns-tool bench: query %ld got no answer\n", i);
                                return 1;
                        }
                        ldns_pkt_free(a);
                }
                clock_gettime(CLOCK_MONOTONIC, &t1);
                double us =
                        ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) /
                        (double)n;
                printf("%.1f\n", us);
                return 0;
        }
        if (argc == 4 && strcmp(argv[1], "blackhole") == 0)
                return blackhole(argv[2], argv[3]);
        if (argc == 6 && strcmp(argv[1], "flood") == 0)
                return flood(argv[2], argv[3], argv[4], atol(argv[5]));
        fprintf(stderr, "usage: dns-tool serve|query|bench|blackhole|flood ... (see the source)\n");
        return 2;
}
