/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ruleset -> nft syntax. What `rcc-firewall show` prints and `nft -f` accepts; with
 * RENDER_STATIC, also the exact bytes the digest covers. The order of objects and rules here is
 * the order nft-build.c puts them in its batch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "ruleset.h"

static const char *const set_types[] = {
        [SET_KEY_IPV4] = "ipv4_addr",
        [SET_KEY_IPV6] = "ipv6_addr",
        [SET_KEY_IPV4_PROTO_PORT] = "ipv4_addr . inet_proto . inet_service",
        [SET_KEY_IPV6_PROTO_PORT] = "ipv6_addr . inet_proto . inet_service",
};

/* The prefix length when [first, last] is exactly one prefix, else -1. */
static int range_prefixlen(const uint8_t *first, const uint8_t *last, size_t len) {
        size_t bit = 0;

        while (bit < len * 8) {
                unsigned mask = 0x80u >> (bit % 8);
                if ((first[bit / 8] & mask) != (last[bit / 8] & mask))
                        break;
                bit++;
        }
        for (size_t b = bit; b < len * 8; b++) {
                unsigned mask = 0x80u >> (b % 8);
                if ((first[b / 8] & mask) || !(last[b / 8] & mask))
                        return -1;
        }
        return (int)bit;
}

static void print_addr_range(FILE *f, const uint8_t *first, const uint8_t *last, size_t len) {
        char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
        int family = len == 4 ? AF_INET : AF_INET6;
        int plen = range_prefixlen(first, last, len);

        inet_ntop(family, first, a, sizeof a);
        if (plen == (int)len * 8)
                fprintf(f, "%s", a);
        else if (plen >= 0)
                fprintf(f, "%s/%d", a, plen);
        else {
                inet_ntop(family, last, b, sizeof b);
                fprintf(f, "%s-%s", a, b);
        }
}

static void print_proto_range(FILE *f, unsigned first, unsigned last) {
        if (first == last && first == 6)
                fputs("tcp", f);
        else if (first == last && first == 17)
                fputs("udp", f);
        else if (first == last)
                fprintf(f, "%u", first);
        else
                fprintf(f, "%u-%u", first, last);
}

static void print_elem(FILE *f, const RulesetSet *s, const SetElem *e) {
        size_t len = set_key_addr_len(s->key);

        print_addr_range(f, e->addr_first, e->addr_last, len);
        if (set_key_is_concat(s->key)) {
                fputs(" . ", f);
                print_proto_range(f, e->proto_first, e->proto_last);
                if (e->port_first == e->port_last)
                        fprintf(f, " . %u", e->port_first);
                else
                        fprintf(f, " . %u-%u", e->port_first, e->port_last);
        }
        if (e->timeout_ms == 0)
                return;
        if (e->timeout_ms % 1000 == 0)
                fprintf(f, " timeout %" PRIu64 "s", e->timeout_ms / 1000);
        else
                fprintf(f, " timeout %" PRIu64 "ms", e->timeout_ms);
}

static void render_set(FILE *f, const RulesetSet *s, RenderMode mode) {
        fprintf(f, "\tset %s {\n\t\ttype %s\n\t\tflags interval%s\n", s->name, set_types[s->key],
                s->has_timeout ? ",timeout" : "");
        if (s->n_elems > 0 && !(mode == RENDER_STATIC && s->dynamic)) {
                fputs("\t\telements = {\n", f);
                for (size_t i = 0; i < s->n_elems; i++) {
                        fputs("\t\t\t", f);
                        print_elem(f, s, &s->elems[i]);
                        fputs(i + 1 < s->n_elems ? ",\n" : "\n", f);
                }
                fputs("\t\t}\n", f);
        }
        fputs("\t}\n", f);
}

static void render_host_comments(FILE *f, const RulesetAccount *ra) {
        for (size_t i = 0; i < ra->n_host_names; i++)
                fprintf(f,
                        host_is_wildcard(ra->host_names[i])
                                ? "\t# %s/%s: addresses of names '%s', filled in by rcc-dnsrelay's answers\n"
                                : "\t# %s/%s: addresses of '%s', filled in at apply and refresh\n",
                        ra->hosts4.name, ra->hosts6.name, ra->host_names[i]);
}

static void render_account_chain(FILE *f, const Ruleset *rs, const RulesetAccount *ra) {
        const RulesetSet *allow[] = {&ra->allow4, &ra->allow6,     &ra->hosts4,
                                     &ra->hosts6, &rs->resolvers4, &rs->resolvers6};

        fprintf(f, "\tchain %s {\n", ra->chain);
        for (size_t i = 0; i < ELEMENTSOF(allow); i++)
                fprintf(f, "\t\t%s daddr . meta l4proto . th dport @%s accept\n",
                        set_key_addr_len(allow[i]->key) == 4 ? "ip" : "ip6", allow[i]->name);
        fprintf(f, "\t\tfib daddr type local goto %s\n", ra->deny_chain);
        fprintf(f, "\t\tip daddr @%s goto %s\n", ra->block4.name, ra->deny_chain);
        fprintf(f, "\t\tip6 daddr @%s goto %s\n", ra->block6.name, ra->deny_chain);
        if (ra->mode == NET_MODE_STRICT)
                fprintf(f, "\t\tgoto %s\n", ra->deny_chain);
        fputs("\t}\n", f);

        fprintf(f, "\tchain %s {\n", ra->deny_chain);
        fprintf(f, "\t\tcounter name \"%s\"\n", ra->counter);
        fprintf(f, "\t\tlimit rate %u/second burst %u packets log prefix \"%s%u \" group %u\n",
                RCC_NFLOG_RATE, RCC_NFLOG_BURST, RCC_NFLOG_PREFIX, (unsigned)ra->uid, RCC_NFLOG_GROUP);
        fputs("\t\tlimit rate 10/minute log level audit\n", f);
        fputs("\t\tmeta l4proto tcp reject with tcp reset\n", f);
        fputs("\t\treject with icmpx admin-prohibited\n", f);
        fputs("\t}\n", f);
}

int ruleset_render(const Ruleset *rs, RenderMode mode, FILE *f) {
        fprintf(f, "table inet %s {\n", RCC_TABLE);
        if (mode == RENDER_FULL)
                fprintf(f, "\tcomment \"%s%s\"\n", RCC_DIGEST_PREFIX, rs->digest);

        fputs("\tmap accounts {\n\t\ttype uid : verdict\n", f);
        if (rs->n_accounts > 0) {
                fputs("\t\telements = {\n", f);
                for (size_t i = 0; i < rs->n_accounts; i++)
                        fprintf(f, "\t\t\t%u : jump %s%s\n", (unsigned)rs->accounts[i].uid,
                                rs->accounts[i].chain, i + 1 < rs->n_accounts ? "," : "");
                fputs("\t\t}\n", f);
        }
        fputs("\t}\n", f);
        render_set(f, &rs->resolvers4, mode);
        render_set(f, &rs->resolvers6, mode);

        for (size_t i = 0; i < rs->n_accounts; i++) {
                const RulesetAccount *ra = &rs->accounts[i];
                const RulesetSet *sets[] = {&ra->allow4, &ra->allow6, &ra->hosts4,
                                            &ra->hosts6, &ra->block4, &ra->block6};

                fprintf(f, "\t# account '%s' (uid %u), %s mode\n", ra->name, (unsigned)ra->uid,
                        net_mode_to_string(ra->mode));
                fprintf(f, "\tcounter %s {\n\t}\n", ra->counter);
                if (mode == RENDER_FULL)
                        render_host_comments(f, ra);
                for (size_t j = 0; j < ELEMENTSOF(sets); j++)
                        render_set(f, sets[j], mode);
        }

        fputs("\tchain output {\n\t\ttype filter hook output priority filter; policy accept;\n", f);
        fputs("\t\tmeta skuid vmap @accounts\n\t}\n", f);
        for (size_t i = 0; i < rs->n_accounts; i++)
                render_account_chain(f, rs, &rs->accounts[i]);
        fputs("}\n", f);

        return ferror(f) ? -EIO : 0;
}
