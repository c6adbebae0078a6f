/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "hostfacts.h"

#define RESOLVED_UPSTREAMS "/run/systemd/resolve/resolv.conf"
#define MAX_RESOLVERS 64
#define MAX_ADDRS_PER_NAME 64

static int push_unique(Cidr *list, size_t *n, size_t cap, const Cidr *c) {
        for (size_t i = 0; i < *n; i++)
                if (list[i].family == c->family && memcmp(list[i].addr, c->addr, 16) == 0)
                        return 0;
        if (*n >= cap)
                return -E2BIG;
        list[(*n)++] = *c;
        return 1;
}

static bool is_resolved_stub(const Cidr *c) {
        static const uint8_t stub53[4] = {127, 0, 0, 53}, stub54[4] = {127, 0, 0, 54};
        return c->family == AF_INET && (memcmp(c->addr, stub53, 4) == 0 || memcmp(c->addr, stub54, 4) == 0);
}

/* Parse "nameserver ADDR" lines; an IPv6 zone ("fe80::1%eth0") is dropped with the zone. */
static int read_nameservers(const char *path, Cidr *list, size_t *n, bool *ret_saw_stub) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_fclose_ FILE *f = NULL;
        char line[512];

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        f = fdopen(fd, "r");
        if (!f)
                return -errno;
        TAKE_FD(fd);

        while (fgets(line, sizeof line, f)) {
                char *save = NULL, *key = strtok_r(line, " \t\r\n", &save);
                char *value = key ? strtok_r(NULL, " \t\r\n", &save) : NULL;
                Cidr c;

                if (!key || !value || strcmp(key, "nameserver") != 0 || strchr(value, '%') ||
                    strchr(value, '/'))
                        continue;
                if (cidr_parse(value, &c) != CIDR_OK)
                        continue;
                if (ret_saw_stub && is_resolved_stub(&c))
                        *ret_saw_stub = true;
                int r = push_unique(list, n, MAX_RESOLVERS, &c);
                if (r < 0)
                        return r;
        }
        return 0;
}

int hostfacts_read_resolvers(const char *resolv_conf, Cidr **ret, size_t *ret_n) {
        _cleanup_free_ Cidr *list = calloc(MAX_RESOLVERS, sizeof(Cidr));
        size_t n = 0;
        bool saw_stub = false;
        int r;

        if (!list)
                return -ENOMEM;
        r = read_nameservers(resolv_conf, list, &n, &saw_stub);
        if (r >= 0 && saw_stub)
                r = read_nameservers(RESOLVED_UPSTREAMS, list, &n, NULL);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(list);
        *ret_n = n;
        return 0;
}

static int resolve_one(const char *name, Cidr *out, size_t *n_out, size_t cap, const char **ret_why) {
        struct addrinfo hints = {
                .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
        struct addrinfo *res = NULL;
        int r = getaddrinfo(name, NULL, &hints, &res);

        if (r != 0) {
                *ret_why = r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r);
                return 0;
        }
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
                Cidr c = {.family = ai->ai_family};
                if (ai->ai_family == AF_INET) {
                        memcpy(c.addr, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
                        c.prefixlen = 32;
                } else if (ai->ai_family == AF_INET6) {
                        memcpy(c.addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
                        c.prefixlen = 128;
                } else
                        continue;
                if (push_unique(out, n_out, cap, &c) < 0)
                        break; /* more than MAX_ADDRS_PER_NAME: keep the first ones */
        }
        freeaddrinfo(res);
        return 0;
}

static bool name_seen(const char *const *names, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(names[i], name) == 0)
                        return true;
        return false;
}

static size_t count_host_rules(const Policy *p) {
        size_t n = 0;
        for (size_t i = 0; i < p->n_accounts; i++)
                for (size_t j = 0; j < p->accounts[i].settings.n_allow; j++)
                        n += p->accounts[i].settings.allow[j].host != NULL;
        return n;
}

int hostfacts_gather(
        const Policy *p, bool resolve_names, HostFactsWarn warn, void *userdata, HostFactsStore *ret,
        RccDiag *diag) {
        size_t max_names = count_host_rules(p);
        HostFactsStore s = {};
        int r;

        if (p->defaults.resolvers_auto) {
                r = hostfacts_read_resolvers("/etc/resolv.conf", &s.resolvers, &s.facts.n_resolvers);
                if (r < 0)
                        return diag_set(
                                diag, r, "/etc/resolv.conf", 0, 0, "cannot read the host's resolvers: %s",
                                strerror(-r));
        }
        s.names = calloc(max_names + 1, sizeof(char *));
        s.offsets = calloc(max_names + 2, sizeof(size_t));
        s.addrs = calloc(max_names * MAX_ADDRS_PER_NAME + 1, sizeof(Cidr));
        if (!s.names || !s.offsets || !s.addrs) {
                hostfacts_done(&s);
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        }

        size_t n_names = 0, n_addrs = 0;
        for (size_t i = 0; resolve_names && i < p->n_accounts; i++)
                for (size_t j = 0; j < p->accounts[i].settings.n_allow; j++) {
                        const char *name = p->accounts[i].settings.allow[j].host, *why = NULL;
                        /* A wildcard names no address of its own: only rcc-dnsrelay's answers
                         * for the names below it open anything. */
                        if (!name || host_is_wildcard(name) || name_seen(s.names, n_names, name))
                                continue;
                        size_t found = 0;
                        resolve_one(name, s.addrs + n_addrs, &found, MAX_ADDRS_PER_NAME, &why);
                        n_addrs += found;
                        if (why && warn)
                                warn(userdata, name, why);
                        s.names[n_names] = name;
                        s.offsets[++n_names] = n_addrs;
                }

        s.facts = (HostFacts){
                .resolvers = s.resolvers,
                .n_resolvers = s.facts.n_resolvers,
                .names = s.names,
                .name_addr_off = s.offsets,
                .addrs = s.addrs,
                .n_names = n_names,
                .host_timeout_ms = HOST_TIMEOUT_MS,
        };
        *ret = s;
        return 0;
}

void hostfacts_done(HostFactsStore *s) {
        free(s->resolvers);
        free(s->names);
        free(s->offsets);
        free(s->addrs);
        *s = (HostFactsStore){};
}
