/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-build.c, nft-apply.c, nft-commit.c, nft-query.c and nft-verify.c against the real kernel, in a network
 * namespace of the test's own (unshare(CLONE_NEWNET)), so the host's ruleset is never touched:
 *
 *   - apply, read back comment and counters, apply again, remove twice;
 *   - equivalence: the table nft_apply() builds and the one `nft -f` builds from the same ruleset
 *     in nft syntax (written by hand, and as render.c prints it) are the same, both as `nft list`
 *     prints them and attribute by attribute as the kernel reports them (set flags, key types,
 *     userdata, elements, rule expressions and registers), but for the no-op byteorder that nft
 *     before 1.1 emits and Linux 6.12 refuses (rcc sends none: drop_noop_byteorder()), and the
 *     typeof notes nft 1.1 writes in more detail into a set's userdata (nft_set_userdata_compared());
 *   - atomicity: a batch the kernel refuses half-way leaves the previous table untouched, and the
 *     error names the offending element (of a set) or expression (of a rule);
 *   - refresh: dynamic sets get the new elements, keep the old unexpired ones with their remaining
 *     lifetime, lose the expired ones; a stale digest or a missing table is refused;
 *   - drift: nft_verify() finds apply's table (and the one `nft -f` >= 1.1 builds) intact, whatever the
 *     counters and the dynamic sets hold; each hand edit (a rule added, a chain flushed, an element
 *     added or deleted, an extra chain, set or counter, a changed policy, flag or expression) makes
 *     it not intact with a reason that names it, and apply repairs it;
 *   - a 10,000-element concatenated set and a 10,000-range interval set;
 *   - without CAP_NET_ADMIN the error says to run as root.
 *
 * Root only; exits 77 (skip) when not root, when no network namespace can be made, or when nft or
 * nf_tables is missing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <netinet/in.h>

#include "nft-apply.h"
#include "nft-commit.h"
#include "nft-query.h"
#include "nft-verify.h"

extern char **environ;

static unsigned n_failed, n_checks;

#define CHECK(cond, ...)                                                                \
        do {                                                                            \
                n_checks++;                                                             \
                if (!(cond)) {                                                          \
                        n_failed++;                                                     \
                        fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
                        fprintf(stderr, __VA_ARGS__);                                   \
                        fputc('\n', stderr);                                            \
                }                                                                       \
        } while (0)

#define DIGEST1 "1111111111111111111111111111111111111111111111111111111111111111"
#define DIGEST2 "2222222222222222222222222222222222222222222222222222222222222222"
#define TCP 6
#define UDP 17
#define HOUR_MS 3600000ull

/* --- building rulesets by hand --- */

static void set_init(RulesetSet *s, const char *name, SetKey key, bool timeout, bool dynamic) {
        *s = (RulesetSet){.key = key, .has_timeout = timeout, .dynamic = dynamic};
        snprintf(s->name, sizeof(s->name), "%s", name);
}

/* "10.0.0.0/8", "1.2.3.4", "::1", or a range "224.0.0.0..255.255.255.255" */
static void parse_range(const char *text, bool v6, uint8_t first[16], uint8_t last[16]) {
        int family = v6 ? AF_INET6 : AF_INET, bits = v6 ? 128 : 32, plen = bits;
        char buf[128], *sep;

        snprintf(buf, sizeof(buf), "%s", text);
        memset(first, 0, 16);
        memset(last, 0, 16);
        if ((sep = strstr(buf, ".."))) {
                *sep = '\0';
                if (inet_pton(family, buf, first) != 1 || inet_pton(family, sep + 2, last) != 1)
                        abort();
                return;
        }
        if ((sep = strchr(buf, '/'))) {
                *sep = '\0';
                plen = atoi(sep + 1);
        }
        if (inet_pton(family, buf, first) != 1)
                abort();
        memcpy(last, first, 16);
        for (int i = plen; i < bits; i++)
                last[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

static void add_elem(
        RulesetSet *s, const char *addr, unsigned pf, unsigned pl, unsigned portf, unsigned portl,
        uint64_t timeout_ms) {
        bool v6 = s->key == SET_KEY_IPV6 || s->key == SET_KEY_IPV6_PROTO_PORT;
        SetElem *e;

        s->elems = reallocarray(s->elems, s->n_elems + 1, sizeof(SetElem));
        if (!s->elems)
                abort();
        e = &s->elems[s->n_elems++];
        *e = (SetElem){
                .proto_first = (uint8_t)pf,
                .proto_last = (uint8_t)pl,
                .port_first = (uint16_t)portf,
                .port_last = (uint16_t)portl,
                .timeout_ms = timeout_ms};
        parse_range(addr, v6, e->addr_first, e->addr_last);
}

static void add_addr(RulesetSet *s, const char *addr) {
        add_elem(s, addr, 0, 0, 0, 0, 0);
}

static RulesetAccount *add_account(Ruleset *rs, uid_t uid, NetMode mode) {
        RulesetAccount *a;

        rs->accounts = reallocarray(rs->accounts, rs->n_accounts + 1, sizeof(RulesetAccount));
        if (!rs->accounts)
                abort();
        a = &rs->accounts[rs->n_accounts++];
        *a = (RulesetAccount){.name = "sandbox", .uid = uid, .mode = mode};
        snprintf(a->chain, sizeof(a->chain), "acct_%u", (unsigned)uid);
        snprintf(a->deny_chain, sizeof(a->deny_chain), "deny_%u", (unsigned)uid);
        snprintf(a->counter, sizeof(a->counter), "denied_%u", (unsigned)uid);
#define ACCOUNT_SET(field, prefix, key, timeout, dynamic)                  \
        do {                                                               \
                char name[RCC_NAME_MAX];                                   \
                snprintf(name, sizeof(name), prefix "_%u", (unsigned)uid); \
                set_init(&a->field, name, key, timeout, dynamic);          \
        } while (0)
        ACCOUNT_SET(allow4, "allow4", SET_KEY_IPV4_PROTO_PORT, false, false);
        ACCOUNT_SET(allow6, "allow6", SET_KEY_IPV6_PROTO_PORT, false, false);
        ACCOUNT_SET(hosts4, "hosts4", SET_KEY_IPV4_PROTO_PORT, true, true);
        ACCOUNT_SET(hosts6, "hosts6", SET_KEY_IPV6_PROTO_PORT, true, true);
        ACCOUNT_SET(block4, "block4", SET_KEY_IPV4, false, false);
        ACCOUNT_SET(block6, "block6", SET_KEY_IPV6, false, false);
#undef ACCOUNT_SET
        return a;
}

static void ruleset_init(Ruleset *rs, const char *digest) {
        *rs = (Ruleset){};
        set_init(&rs->resolvers4, "resolvers4", SET_KEY_IPV4_PROTO_PORT, false, true);
        set_init(&rs->resolvers6, "resolvers6", SET_KEY_IPV6_PROTO_PORT, false, true);
        snprintf(rs->digest, sizeof(rs->digest), "%s", digest);
}

static void ruleset_done(Ruleset *rs) {
        free(rs->resolvers4.elems);
        free(rs->resolvers6.elems);
        for (size_t i = 0; i < rs->n_accounts; i++) {
                RulesetAccount *a = &rs->accounts[i];
                RulesetSet *sets[] = {&a->allow4, &a->allow6, &a->hosts4,
                                      &a->hosts6, &a->block4, &a->block6};
                for (size_t j = 0; j < ELEMENTSOF(sets); j++)
                        free(sets[j]->elems);
        }
        free(rs->accounts);
        *rs = (Ruleset){};
}

/* Two accounts: ranges ending at all ones, ranges starting at zero, empty sets, IPv6, timeouts. */
static void build_ruleset1(Ruleset *rs) {
        RulesetAccount *a;

        ruleset_init(rs, DIGEST1);
        add_elem(&rs->resolvers4, "127.0.0.53", TCP, TCP, 53, 53, 0);
        add_elem(&rs->resolvers4, "127.0.0.53", UDP, UDP, 53, 53, 0);
        add_elem(&rs->resolvers6, "::1", UDP, UDP, 53, 53, 0);

        a = add_account(rs, 1001, NET_MODE_STRICT);
        add_elem(&a->allow4, "0.0.0.0/0", TCP, TCP, 443, 443, 0);
        add_elem(&a->allow4, "10.1.0.0/16", TCP, TCP, 22, 22, 0);
        add_elem(&a->allow4, "192.0.2.0/24", UDP, UDP, 1000, 2000, 0);
        add_elem(&a->allow4, "198.18.0.0..198.19.255.255", 0, 255, 0, 65535, 0);
        add_elem(&a->allow6, "2001:db8::/32", TCP, TCP, 443, 443, 0);
        add_elem(&a->allow6, "::/0", UDP, UDP, 123, 123, 0);
        add_elem(&a->hosts4, "93.184.216.34", TCP, TCP, 443, 443, HOUR_MS);
        add_addr(&a->block4, "10.0.0.0/8");
        add_addr(&a->block4, "127.0.0.0/8");
        add_addr(&a->block4, "224.0.0.0..255.255.255.255");
        add_addr(&a->block6, "::/127");
        add_addr(&a->block6, "fc00::/7");
        add_addr(&a->block6, "fe80::/10");
        add_addr(&a->block6, "ff00::/8");

        a = add_account(rs, 1002, NET_MODE_PUBLIC);
        add_elem(&a->allow6, "2606:4700::/32", TCP, UDP, 80, 443, 0);
        add_elem(&a->hosts4, "198.51.100.7", TCP, TCP, 80, 80, HOUR_MS / 2);
        add_elem(&a->hosts4, "198.51.100.8", TCP, UDP, 443, 443, HOUR_MS);
        add_elem(&a->hosts6, "2001:db8:1::1", TCP, TCP, 443, 443, HOUR_MS);
        add_addr(&a->block4, "0.0.0.0/8");
        add_addr(&a->block4, "10.0.0.0/8");
        add_addr(&a->block4, "100.64.0.0/10");
        add_addr(&a->block4, "127.0.0.0/8");
        add_addr(&a->block4, "169.254.0.0/16");
        add_addr(&a->block4, "172.16.0.0/12");
        add_addr(&a->block4, "192.168.0.0/16");
        add_addr(&a->block4, "240.0.0.0/4");
        add_addr(&a->block6, "::1");
        add_addr(&a->block6, "fc00::/7");
        add_addr(&a->block6, "fe80::/10");
        add_addr(&a->block6, "ff00::..ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

/* What `nft -f` needs to build the same table as build_ruleset1(), written by hand in the order
 * render.c prints it. */
static const char ruleset1_text[] =
        "table inet rcc {\n"
        "  comment \"rcc sha256:" DIGEST1 "\"\n"
        "  map accounts { type uid : verdict;\n"
        "    elements = { 1001 : jump acct_1001, 1002 : jump acct_1002 } }\n"
        "  set resolvers4 { type ipv4_addr . inet_proto . inet_service; flags interval;\n"
        "    elements = { 127.0.0.53 . tcp . 53, 127.0.0.53 . udp . 53 } }\n"
        "  set resolvers6 { type ipv6_addr . inet_proto . inet_service; flags interval;\n"
        "    elements = { ::1 . udp . 53 } }\n"
        "  counter denied_1001 { }\n"
        "  set allow4_1001 { type ipv4_addr . inet_proto . inet_service; flags interval;\n"
        "    elements = { 0.0.0.0/0 . tcp . 443, 10.1.0.0/16 . tcp . 22,\n"
        "                 192.0.2.0/24 . udp . 1000-2000, 198.18.0.0/15 . 0-255 . 0-65535 } }\n"
        "  set allow6_1001 { type ipv6_addr . inet_proto . inet_service; flags interval;\n"
        "    elements = { 2001:db8::/32 . tcp . 443, ::/0 . udp . 123 } }\n"
        "  set hosts4_1001 { type ipv4_addr . inet_proto . inet_service; flags interval,timeout;\n"
        "    elements = { 93.184.216.34 . tcp . 443 timeout 3600s } }\n"
        "  set hosts6_1001 { type ipv6_addr . inet_proto . inet_service; flags interval,timeout; }\n"
        "  set block4_1001 { type ipv4_addr; flags interval;\n"
        "    elements = { 10.0.0.0/8, 127.0.0.0/8, 224.0.0.0/3 } }\n"
        "  set block6_1001 { type ipv6_addr; flags interval;\n"
        "    elements = { ::/127, fc00::/7, fe80::/10, ff00::/8 } }\n"
        "  counter denied_1002 { }\n"
        "  set allow4_1002 { type ipv4_addr . inet_proto . inet_service; flags interval; }\n"
        "  set allow6_1002 { type ipv6_addr . inet_proto . inet_service; flags interval;\n"
        "    elements = { 2606:4700::/32 . 6-17 . 80-443 } }\n"
        "  set hosts4_1002 { type ipv4_addr . inet_proto . inet_service; flags interval,timeout;\n"
        "    elements = { 198.51.100.7 . tcp . 80 timeout 1800s,\n"
        "                 198.51.100.8 . 6-17 . 443 timeout 3600s } }\n"
        "  set hosts6_1002 { type ipv6_addr . inet_proto . inet_service; flags interval,timeout;\n"
        "    elements = { 2001:db8:1::1 . tcp . 443 timeout 3600s } }\n"
        "  set block4_1002 { type ipv4_addr; flags interval;\n"
        "    elements = { 0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16,\n"
        "                 172.16.0.0/12, 192.168.0.0/16, 240.0.0.0/4 } }\n"
        "  set block6_1002 { type ipv6_addr; flags interval;\n"
        "    elements = { ::1, fc00::/7, fe80::/10, ff00::/8 } }\n"
        "  chain output { type filter hook output priority filter; policy accept;\n"
        "    meta skuid vmap @accounts\n"
        "  }\n"
        "  chain acct_1001 {\n"
        "    ip daddr . meta l4proto . th dport @allow4_1001 accept\n"
        "    ip6 daddr . meta l4proto . th dport @allow6_1001 accept\n"
        "    ip daddr . meta l4proto . th dport @hosts4_1001 accept\n"
        "    ip6 daddr . meta l4proto . th dport @hosts6_1001 accept\n"
        "    ip daddr . meta l4proto . th dport @resolvers4 accept\n"
        "    ip6 daddr . meta l4proto . th dport @resolvers6 accept\n"
        "    fib daddr type local goto deny_1001\n"
        "    ip daddr @block4_1001 goto deny_1001\n"
        "    ip6 daddr @block6_1001 goto deny_1001\n"
        "    goto deny_1001\n"
        "  }\n"
        "  chain deny_1001 {\n"
        "    counter name \"denied_1001\"\n"
        "    limit rate 50/second burst 100 packets log prefix \"rcc 1001 \" group 29283\n"
        "    limit rate 10/minute log level audit\n"
        "    meta l4proto tcp reject with tcp reset\n"
        "    reject with icmpx admin-prohibited\n"
        "  }\n"
        "  chain acct_1002 {\n"
        "    ip daddr . meta l4proto . th dport @allow4_1002 accept\n"
        "    ip6 daddr . meta l4proto . th dport @allow6_1002 accept\n"
        "    ip daddr . meta l4proto . th dport @hosts4_1002 accept\n"
        "    ip6 daddr . meta l4proto . th dport @hosts6_1002 accept\n"
        "    ip daddr . meta l4proto . th dport @resolvers4 accept\n"
        "    ip6 daddr . meta l4proto . th dport @resolvers6 accept\n"
        "    fib daddr type local goto deny_1002\n"
        "    ip daddr @block4_1002 goto deny_1002\n"
        "    ip6 daddr @block6_1002 goto deny_1002\n"
        "  }\n"
        "  chain deny_1002 {\n"
        "    counter name \"denied_1002\"\n"
        "    limit rate 50/second burst 100 packets log prefix \"rcc 1002 \" group 29283\n"
        "    limit rate 10/minute log level audit\n"
        "    meta l4proto tcp reject with tcp reset\n"
        "    reject with icmpx admin-prohibited\n"
        "  }\n"
        "}\n";

/* --- running nft (argv, no shell) --- */

/* Run nft with args; its stdout in *ret_out (malloc()ed). Returns its exit status, or -1. */
static int run_nft(char **ret_out, const char *arg1, const char *arg2, const char *arg3, const char *arg4) {
        const char *argv[] = {"nft", arg1, arg2, arg3, arg4, NULL};
        posix_spawn_file_actions_t fa;
        int pipefd[2], status = -1;
        char *out = NULL;
        size_t len = 0;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -1;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        if (posix_spawnp(&pid, "nft", &fa, NULL, (char *const *)argv, environ) != 0)
                pid = -1;
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        for (;;) {
                char buf[65536];
                ssize_t n = read(pipefd[0], buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                out = realloc(out, len + (size_t)n + 1);
                if (!out)
                        abort();
                memcpy(out + len, buf, (size_t)n);
                len += (size_t)n;
                out[len] = '\0';
        }
        close(pipefd[0]);
        if (pid > 0 && waitpid(pid, &status, 0) == pid)
                status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (!out)
                out = strdup("");
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        return pid > 0 ? status : -1;
}

/* `nft list table inet rcc`, without the "expires ..." part that changes every millisecond. */
static char *nft_listing(void) {
        char *out = NULL, *p;

        if (run_nft(&out, "list", "table", "inet", "rcc") != 0) {
                free(out);
                return strdup("<no table>");
        }
        while ((p = strstr(out, " expires "))) {
                char *end = p + strlen(" expires ");
                while (*end && *end != ',' && *end != '\n' && *end != ' ')
                        end++;
                memmove(p, end, strlen(end) + 1);
        }
        return out;
}

static int nft_load_text(const char *text) {
        char path[] = "/tmp/test-nft-batch-XXXXXX";
        int fd = mkstemp(path), r;

        if (fd < 0)
                return -1;
        if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
                close(fd);
                unlink(path);
                return -1;
        }
        close(fd);
        r = run_nft(NULL, "-f", path, NULL, NULL);
        unlink(path);
        return r;
}

/* --- the kernel's view, attribute by attribute --- */

typedef struct Text {
        char *s;
        size_t len;
} Text;

/* The sets' userdata as the kernel holds it, one line each, since the last kernel_state() (which
 * compares it as nft_verify() does: nft_set_userdata_compared()). */
static Text raw_udata;

_printf_(2, 3) static void text_add(Text *t, const char *fmt, ...) {
        va_list ap;
        char *line = NULL;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (n < 0)
                abort();
        t->s = realloc(t->s, t->len + (size_t)n + 1);
        if (!t->s)
                abort();
        memcpy(t->s + t->len, line, (size_t)n + 1);
        t->len += (size_t)n;
        free(line);
}

static void text_hex(Text *t, const void *data, uint32_t len) {
        for (uint32_t i = 0; i < len; i++)
                text_add(t, "%02x", ((const uint8_t *)data)[i]);
}

static int cmp_lines(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void text_add_sorted(Text *t, char *lines) {
        char **v = NULL, *save = NULL;
        size_t n = 0;

        for (char *l = lines ? strtok_r(lines, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
                v = reallocarray(v, n + 1, sizeof(char *));
                if (!v)
                        abort();
                v[n++] = l;
        }
        if (n > 0)
                qsort(v, n, sizeof(char *), cmp_lines);
        for (size_t i = 0; i < n; i++)
                text_add(t, "%s\n", v[i]);
        free(v);
}

typedef int (*DumpCallback)(const struct nlmsghdr *nlh, void *userdata);

static int dump(
        uint16_t type, uint16_t flags, void (*fill)(struct nlmsghdr *, const void *), const void *arg,
        DumpCallback cb, void *userdata) {
        char req[1024], *buf = malloc(NFT_RECV_BUFSIZE);
        struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
        uint32_t seq = (uint32_t)time(NULL);
        struct nlmsghdr *nlh;
        int r = -1;

        if (!nl || !buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
                goto out;
        nlh = nftnl_nlmsg_build_hdr(req, type, NFPROTO_INET, flags, seq);
        if (fill)
                fill(nlh, arg);
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                goto out;
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl, buf, NFT_RECV_BUFSIZE);
                if (n <= 0)
                        break;
                r = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), cb, userdata);
                if (r <= 0)
                        break;
        }
out:
        if (nl)
                mnl_socket_close(nl);
        free(buf);
        return r;
}

static void fill_table(struct nlmsghdr *nlh, const void *arg) {
        (void)arg;
        mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, RCC_TABLE);
}

static void fill_in_table(struct nlmsghdr *nlh, const void *arg) {
        (void)arg;
        mnl_attr_put_strz(nlh, 1 /* NFTA_{CHAIN,SET,OBJ,RULE}_TABLE */, RCC_TABLE);
}

static void fill_set_elems(struct nlmsghdr *nlh, const void *arg) {
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, RCC_TABLE);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, arg);
}

static int table_state_cb(const struct nlmsghdr *nlh, void *userdata) {
        struct nftnl_table *t = nftnl_table_alloc();
        uint32_t len = 0;
        const void *ud;

        if (nftnl_table_nlmsg_parse(nlh, t) == 0) {
                text_add(
                        userdata, "table %s flags %u udata ", nftnl_table_get_str(t, NFTNL_TABLE_NAME),
                        nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS));
                ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
                text_hex(userdata, ud, ud ? len : 0);
                text_add(userdata, "\n");
        }
        nftnl_table_free(t);
        return MNL_CB_OK;
}

static int chain_state_cb(const struct nlmsghdr *nlh, void *userdata) {
        struct nftnl_chain *c = nftnl_chain_alloc();

        if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
                text_add(userdata, "chain %s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
                if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
                        text_add(
                                userdata, " type %s hook %u prio %d policy %u",
                                nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE),
                                nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
                                nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO),
                                nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY));
                text_add(userdata, " flags %u\n", nftnl_chain_get_u32(c, NFTNL_CHAIN_FLAGS));
        }
        nftnl_chain_free(c);
        return MNL_CB_OK;
}

static int obj_state_cb(const struct nlmsghdr *nlh, void *userdata) {
        struct nftnl_obj *o = nftnl_obj_alloc();

        if (nftnl_obj_nlmsg_parse(nlh, o) == 0)
                text_add(
                        userdata, "obj %s type %u packets %" PRIu64 " bytes %" PRIu64 "\n",
                        nftnl_obj_get_str(o, NFTNL_OBJ_NAME), nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE),
                        nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS), nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES));
        nftnl_obj_free(o);
        return MNL_CB_OK;
}

typedef struct SetList {
        char names[64][RCC_NAME_MAX];
        size_t n;
        Text *t;
} SetList;

static int set_state_cb(const struct nlmsghdr *nlh, void *userdata) {
        static const uint16_t u32_attrs[] = {
                NFTNL_SET_FLAGS,     NFTNL_SET_KEY_TYPE,  NFTNL_SET_KEY_LEN,
                NFTNL_SET_DATA_TYPE, NFTNL_SET_DATA_LEN,  NFTNL_SET_OBJ_TYPE,
                NFTNL_SET_POLICY,    NFTNL_SET_DESC_SIZE, NFTNL_SET_GC_INTERVAL};
        struct nftnl_set *s = nftnl_set_alloc();
        SetList *l = userdata;
        uint32_t len = 0;
        const void *data;

        if (nftnl_set_nlmsg_parse(nlh, s) == 0) {
                const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
                text_add(l->t, "set %s", name);
                for (size_t i = 0; i < ELEMENTSOF(u32_attrs); i++)
                        if (nftnl_set_is_set(s, u32_attrs[i]))
                                text_add(l->t, " a%u=%u", u32_attrs[i], nftnl_set_get_u32(s, u32_attrs[i]));
                if (nftnl_set_is_set(s, NFTNL_SET_TIMEOUT))
                        text_add(l->t, " timeout=%" PRIu64, nftnl_set_get_u64(s, NFTNL_SET_TIMEOUT));
                text_add(l->t, " concat=");
                data = nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &len);
                text_hex(l->t, data, data ? len : 0);
                /* As nft_verify() compares it; as it is, in raw_udata. */
                uint8_t udata[NFT_SET_USERDATA_MAX];
                size_t n;
                text_add(l->t, " udata=");
                data = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len);
                n = nft_set_userdata_compared(data, data ? len : 0, udata);
                text_hex(l->t, udata, n);
                text_add(&raw_udata, "set %s udata=", name);
                text_hex(&raw_udata, data, data ? len : 0);
                text_add(&raw_udata, "\n");
                text_add(l->t, "\n");
                if (l->n < ELEMENTSOF(l->names))
                        snprintf(l->names[l->n++], RCC_NAME_MAX, "%s", name);
        }
        nftnl_set_free(s);
        return MNL_CB_OK;
}

static int elem_state_cb(const struct nlmsghdr *nlh, void *userdata) {
        static const uint16_t data_attrs[] = {
                NFTNL_SET_ELEM_KEY, NFTNL_SET_ELEM_KEY_END, NFTNL_SET_ELEM_DATA, NFTNL_SET_ELEM_USERDATA};
        struct nftnl_set *s = nftnl_set_alloc();
        struct nftnl_set_elems_iter *it;

        if (nftnl_set_elems_nlmsg_parse(nlh, s) == 0 && (it = nftnl_set_elems_iter_create(s))) {
                for (struct nftnl_set_elem *e; (e = nftnl_set_elems_iter_next(it));) {
                        uint32_t len = 0;
                        text_add(
                                userdata, "  elem flags=%u",
                                nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS)
                                        ? nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS)
                                        : 0);
                        for (size_t i = 0; i < ELEMENTSOF(data_attrs); i++) {
                                const void *d = nftnl_set_elem_get(e, data_attrs[i], &len);
                                if (!d)
                                        continue;
                                text_add(userdata, " a%u=", data_attrs[i]);
                                text_hex(userdata, d, len);
                        }
                        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT))
                                text_add(
                                        userdata, " verdict=%d chain=%s",
                                        (int)nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT),
                                        nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN));
                        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT))
                                text_add(
                                        userdata, " timeout=%" PRIu64,
                                        nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_TIMEOUT));
                        text_add(userdata, "\n");
                }
                nftnl_set_elems_iter_destroy(it);
        }
        nftnl_set_free(s);
        return MNL_CB_OK;
}

static int rule_state_cb(const struct nlmsghdr *nlh, void *userdata) {
        struct nftnl_rule *r = nftnl_rule_alloc();
        char buf[4096];

        if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
                /* Handles count objects in creation order, which differs between the two paths. */
                nftnl_rule_unset(r, NFTNL_RULE_HANDLE);
                nftnl_rule_unset(r, NFTNL_RULE_POSITION);
                nftnl_rule_snprintf(buf, sizeof(buf), r, NFTNL_OUTPUT_DEFAULT, 0);
                text_add(userdata, "rule %s\n", buf);
        }
        nftnl_rule_free(r);
        return MNL_CB_OK;
}

/* Everything the kernel reports about table inet rcc, one attribute at a time; set userdata as
 * nft_verify() compares it. */
static char *kernel_state(void) {
        Text t = {};
        SetList sets = {.t = &t};

        free(raw_udata.s);
        raw_udata = (Text){};
        dump(NFT_MSG_GETTABLE, NLM_F_ACK, fill_table, NULL, table_state_cb, &t);
        dump(NFT_MSG_GETCHAIN, NLM_F_DUMP, fill_in_table, NULL, chain_state_cb, &t);
        dump(NFT_MSG_GETOBJ, NLM_F_DUMP, fill_in_table, NULL, obj_state_cb, &t);
        dump(NFT_MSG_GETSET, NLM_F_DUMP, fill_in_table, NULL, set_state_cb, &sets);
        for (size_t i = 0; i < sets.n; i++) {
                Text elems = {};

                /* Sorted: a hash set (the accounts map) dumps its elements in a random order. */
                text_add(&t, "elements of %s\n", sets.names[i]);
                dump(NFT_MSG_GETSETELEM, NLM_F_DUMP, fill_set_elems, sets.names[i], elem_state_cb, &elems);
                text_add_sorted(&t, elems.s);
                free(elems.s);
        }
        dump(NFT_MSG_GETRULE, NLM_F_DUMP, fill_in_table, NULL, rule_state_cb, &t);
        return t.s ? t.s : strdup("");
}

/* Print the first line where a and b differ. */
static void show_difference(const char *what, const char *a, const char *b) {
        const char *line_a = a, *line_b = b;
        size_t line = 1;

        for (; *a && *a == *b; a++, b++)
                if (*a == '\n') {
                        line++;
                        line_a = a + 1;
                        line_b = b + 1;
                }
        fprintf(stderr, "%s differ at line %zu:\n  nft_apply: %.*s\n  nft -f:    %.*s\n", what, line,
                (int)strcspn(line_a, "\n"), line_a, (int)strcspn(line_b, "\n"), line_b);
}

/* --- the tests --- */

/* nft_verify() of the table as it is; why gets the reason when it is not intact. */
static bool verify(const Ruleset *rs, char *why, size_t size) {
        RccDiag diag = {};
        bool intact = false;
        int r = nft_verify(rs, &intact, why, size, &diag);

        CHECK(r == 0, "verify: %d %s", r, diag.msg);
        if (getenv("TEST_NFT_BATCH_VERBOSE"))
                printf("verify: %s%s\n", intact ? "intact" : "not intact: ", why);
        return r == 0 && intact;
}

static void test_apply_status_remove(void) {
        Ruleset rs;
        RccDiag diag = {};
        NftStatus st = {};
        bool existed = true;
        int r;

        build_ruleset1(&rs);
        r = nft_remove(NULL, &existed, &diag);
        CHECK(r == 0 && !existed, "remove of a missing table: %d %s", r, diag.msg);
        r = nft_status(&st, &diag);
        CHECK(r == 0 && !st.loaded, "status without table: %d %s", r, diag.msg);
        nft_status_done(&st);

        r = nft_apply(NULL, &rs, 0, &diag);
        CHECK(r == 0, "apply: %d %s", r, diag.msg);
        r = nft_status(&st, &diag);
        CHECK(r == 0 && st.loaded, "status: %d %s", r, diag.msg);
        CHECK(strcmp(st.table.comment, RCC_DIGEST_PREFIX DIGEST1) == 0, "comment '%s'", st.table.comment);
        CHECK(st.n_counters == 2, "%zu counters", st.n_counters);
        if (st.n_counters == 2) {
                CHECK(strcmp(st.counters[0].name, "denied_1001") == 0, "counter 0 is %s",
                      st.counters[0].name);
                CHECK(strcmp(st.counters[1].name, "denied_1002") == 0, "counter 1 is %s",
                      st.counters[1].name);
                CHECK(st.counters[0].packets == 0 && st.counters[0].bytes == 0, "fresh counter not zero");
        }
        nft_status_done(&st);

        /* Applying again replaces the table (whatever was added to it by hand goes too). */
        CHECK(run_nft(NULL, "add", "chain", "inet", "rcc stray") == 0, "adding a chain by hand");
        r = nft_apply(NULL, &rs, 0, &diag);
        CHECK(r == 0, "second apply: %d %s", r, diag.msg);
        char *listing = nft_listing();
        CHECK(!strstr(listing, "stray"), "a chain added by hand survived apply");
        free(listing);

        r = nft_remove(NULL, &existed, &diag);
        CHECK(r == 0 && existed, "remove: %d %s existed=%d", r, diag.msg, existed);
        r = nft_remove(NULL, &existed, &diag);
        CHECK(r == 0 && !existed, "second remove: %d %s existed=%d", r, diag.msg, existed);
        r = nft_status(&st, &diag);
        CHECK(r == 0 && !st.loaded, "status after remove: %d loaded=%d", r, st.loaded);
        nft_status_done(&st);
        ruleset_done(&rs);
}

/* nftables before 1.1 follows the load of the 1-byte `meta l4proto` in a concatenation with
 * `byteorder hton(reg, 2, 1)`: it converts len / size = 0 values, so it does nothing, and Linux 6.12
 * refuses it. rcc leaves it out (firewall/nft-rules.c), as nftables 1.1 does. Takes each such
 * expression out of a kernel state (kernel_state()); whether there was one. */
static bool drop_noop_byteorder(char *state) {
        static const char prefix[] = "[ byteorder reg ";
        bool dropped = false;

        for (char *p = state; (p = strstr(p, prefix));) {
                unsigned r1, r2;
                int end = 0;

                if (sscanf(p, "[ byteorder reg %u = hton(reg %u, 2, 1) ] %n", &r1, &r2, &end) == 2 &&
                    end > 0 && r1 == r2) {
                        memmove(p, p + end, strlen(p + end) + 1);
                        dropped = true;
                } else
                        p += sizeof(prefix) - 1;
        }
        return dropped;
}

/* Build the table from rs with nft_apply() and from text with `nft -f`; both must be the same, but
 * for the no-op byteorder of older nftables (drop_noop_byteorder()), which nft_verify() must then
 * notice: what rcc verifies is what rcc sends. */
static void check_equivalence(const char *what, const Ruleset *rs, const char *text) {
        RccDiag diag = {};
        char *list_ours, *list_nft, *state_ours, *state_nft;
        int r;

        r = nft_apply(NULL, rs, 0, &diag);
        CHECK(r == 0, "%s: apply: %d %s", what, r, diag.msg);
        list_ours = nft_listing();
        state_ours = kernel_state();
        char *udata_ours = raw_udata.s ? strdup(raw_udata.s) : NULL;

        CHECK(run_nft(NULL, "delete", "table", "inet", "rcc") == 0, "%s: nft delete table", what);
        r = nft_load_text(text);
        CHECK(r == 0, "%s: nft -f failed: %d", what, r);
        list_nft = nft_listing();
        state_nft = kernel_state();
        /* Said, not failed: the typeof notes nft writes differ between nftables versions. */
        if (udata_ours && raw_udata.s && strcmp(udata_ours, raw_udata.s) != 0) {
                printf("%s: nft -f writes other typeof userdata than rcc (compared without it; "
                       "nft lists both the same):\n",
                       what);
                show_difference("set userdata", udata_ours, raw_udata.s);
        }
        free(udata_ours);
        char why[512] = "";
        if (drop_noop_byteorder(state_nft)) {
                CHECK(!verify(rs, why, sizeof(why)) && strstr(why, "byteorder"),
                      "%s: nft_verify() accepts the no-op byteorder rcc does not send: %s", what, why);
        } else {
                /* What nft built from the text is what nft_apply() builds, so nft_verify() accepts it. */
                CHECK(verify(rs, why, sizeof(why)), "%s: the table nft -f built is not intact: %s", what,
                      why);
        }
        CHECK(!strstr(state_ours, "byteorder"), "%s: nft_apply() sent a byteorder expression", what);

        CHECK(strlen(list_ours) > 1000, "%s: listing too short:\n%s", what, list_ours);
        CHECK(strcmp(list_ours, list_nft) == 0, "%s: nft list differs", what);
        if (strcmp(list_ours, list_nft) != 0)
                show_difference("listings", list_ours, list_nft);
        CHECK(strcmp(state_ours, state_nft) == 0, "%s: kernel state differs", what);
        if (strcmp(state_ours, state_nft) != 0)
                show_difference("kernel states", state_ours, state_nft);
        if (getenv("TEST_NFT_BATCH_VERBOSE"))
                printf("%s\n%s\n", list_ours, state_ours);

        free(list_ours);
        free(list_nft);
        free(state_ours);
        free(state_nft);
}

static void test_equivalence(void) {
        Ruleset rs;
        char *text = NULL;
        size_t len = 0;
        FILE *f;

        build_ruleset1(&rs);
        /* Against nft syntax written by hand ... */
        check_equivalence("hand-written text", &rs, ruleset1_text);
        /* ... and against what render.c (`rcc-firewall show`) prints for the same ruleset. */
        f = open_memstream(&text, &len);
        CHECK(f && ruleset_render(&rs, RENDER_FULL, f) == 0 && fclose(f) == 0, "render failed");
        if (text)
                check_equivalence("render.c", &rs, text);
        free(text);
        ruleset_done(&rs);
}

static void test_atomicity(void) {
        Ruleset good, bad;
        RccDiag diag = {};
        char *before, *after;
        int r;

        build_ruleset1(&good);
        r = nft_apply(NULL, &good, 0, &diag);
        CHECK(r == 0, "apply: %d %s", r, diag.msg);
        before = nft_listing();

        /* Another digest and an extra account, and near the end of the batch two overlapping
         * elements, which the kernel only notices while inserting them. */
        build_ruleset1(&bad);
        snprintf(bad.digest, sizeof(bad.digest), "%s", DIGEST2);
        RulesetAccount *a = add_account(&bad, 1003, NET_MODE_PUBLIC);
        add_elem(&a->allow4, "10.0.0.0/8", TCP, TCP, 1, 100, 0);
        add_elem(&a->allow4, "10.1.0.0/16", TCP, TCP, 50, 60, 0);
        r = nft_apply(NULL, &bad, 0, &diag);
        CHECK(r == -EEXIST, "apply of overlapping elements: %d %s", r, diag.msg);
        CHECK(strstr(diag.msg, "allow4_1003") && strstr(diag.msg, "element 2 (10.1.0.0-10.1.255.255"),
              "error does not name the element: %s", diag.msg);
        after = nft_listing();
        CHECK(strcmp(before, after) == 0, "a failed apply changed the table");
        free(after);

        /* An element the IR forbids is refused before anything is sent. */
        add_elem(&bad.accounts[0].block4, "9.0.0.0/8", 0, 0, 0, 0, 0); /* out of order */
        r = nft_apply(NULL, &bad, 0, &diag);
        CHECK(r == -EINVAL && strstr(diag.msg, "block4_1001"), "unsorted set: %d %s", r, diag.msg);
        after = nft_listing();
        CHECK(strcmp(before, after) == 0, "a refused apply changed the table");
        free(after);

        free(before);
        ruleset_done(&good);
        ruleset_done(&bad);
}

static const SetElem *find_elem(const SetElem *elems, size_t n, const char *addr, bool v6) {
        uint8_t first[16], last[16];

        parse_range(addr, v6, first, last);
        for (size_t i = 0; i < n; i++)
                if (memcmp(elems[i].addr_first, first, 16) == 0 && memcmp(elems[i].addr_last, last, 16) == 0)
                        return &elems[i];
        return NULL;
}

/* The longest remaining lifetime of the elements matching addr . proto . port; 0 if none does. */
static uint64_t covering_timeout(
        const SetElem *elems, size_t n, const char *addr, unsigned proto, unsigned port) {
        uint8_t a[16], unused[16];
        uint64_t best = 0;

        parse_range(addr, false, a, unused);
        for (size_t i = 0; i < n; i++)
                if (memcmp(elems[i].addr_first, a, 4) <= 0 && memcmp(a, elems[i].addr_last, 4) <= 0 &&
                    elems[i].proto_first <= proto && proto <= elems[i].proto_last &&
                    elems[i].port_first <= port && port <= elems[i].port_last && elems[i].timeout_ms > best)
                        best = elems[i].timeout_ms;
        return best;
}

static int read_set(const RulesetSet *set, SetElem **ret, size_t *ret_n) {
        struct mnl_socket *nl = NULL;
        RccDiag diag = {};
        int r;

        r = nft_socket_open(&nl, &diag);
        if (r >= 0)
                r = nft_query_set_elems(nl, set, ret, ret_n, &diag);
        if (r < 0)
                fprintf(stderr, "reading %s: %s\n", set->name, diag.msg);
        nft_socket_closep(&nl);
        return r;
}

static void test_refresh(void) {
        Ruleset rs, fresh, other;
        RccDiag diag = {};
        SetElem *elems = NULL;
        size_t n = 0;
        int r;

        build_ruleset1(&rs);
        add_elem(&rs.accounts[1].hosts4, "203.0.113.200", TCP, TCP, 8443, 8443, 1000); /* expires soon */
        r = nft_apply(NULL, &rs, 0, &diag);
        CHECK(r == 0, "apply: %d %s", r, diag.msg);
        sleep(2);

        /* Same digest, new addresses: one overlapping an old one, one new; other resolvers. */
        build_ruleset1(&fresh);
        free(fresh.accounts[1].hosts4.elems);
        fresh.accounts[1].hosts4.elems = NULL;
        fresh.accounts[1].hosts4.n_elems = 0;
        add_elem(&fresh.accounts[1].hosts4, "198.51.100.0/28", TCP, TCP, 80, 80, 2 * HOUR_MS);
        add_elem(&fresh.accounts[1].hosts4, "203.0.113.9", TCP, TCP, 443, 443, 2 * HOUR_MS);
        free(fresh.resolvers4.elems);
        fresh.resolvers4.elems = NULL;
        fresh.resolvers4.n_elems = 0;
        add_elem(&fresh.resolvers4, "10.0.0.53", UDP, UDP, 53, 53, 0);
        r = nft_refresh(NULL, &fresh, &diag);
        CHECK(r == 0, "refresh: %d %s", r, diag.msg);

        if (read_set(&fresh.accounts[1].hosts4, &elems, &n) == 0) {
                uint64_t t;

                if (getenv("TEST_NFT_BATCH_VERBOSE"))
                        for (size_t i = 0; i < n; i++) {
                                char buf[NFT_ELEM_STRLEN];
                                printf("hosts4_1002: %s timeout %" PRIu64 "\n",
                                       nft_format_elem(SET_KEY_IPV4_PROTO_PORT, &elems[i], buf, sizeof(buf)),
                                       elems[i].timeout_ms);
                        }
                t = covering_timeout(elems, n, "203.0.113.9", TCP, 443);
                CHECK(t > HOUR_MS + HOUR_MS / 2, "new element missing or short-lived: %" PRIu64, t);
                /* The old 198.51.100.7 (30 min) lies inside the new /28 (2 h): the longer one wins. */
                t = covering_timeout(elems, n, "198.51.100.7", TCP, 80);
                CHECK(t > HOUR_MS, "merged element missing or short-lived: %" PRIu64, t);
                t = covering_timeout(elems, n, "198.51.100.15", TCP, 80);
                CHECK(t > HOUR_MS, "merged element missing or short-lived: %" PRIu64, t);
                CHECK(covering_timeout(elems, n, "198.51.100.16", TCP, 80) == 0, "element grew");
                /* An old element the new resolution does not have keeps what is left of its life. */
                t = covering_timeout(elems, n, "198.51.100.8", UDP, 443);
                CHECK(t <= HOUR_MS && t > HOUR_MS - 60000,
                      "old element lost or its lifetime reset: %" PRIu64, t);
                CHECK(covering_timeout(elems, n, "203.0.113.200", TCP, 8443) == 0,
                      "expired element came back");
                free(elems);
        }
        if (read_set(&fresh.resolvers4, &elems, &n) == 0) {
                CHECK(n == 1 && find_elem(elems, n, "10.0.0.53", false), "resolvers4 not replaced (%zu)", n);
                free(elems);
        }
        if (read_set(&fresh.accounts[0].allow4, &elems, &n) == 0) {
                CHECK(n == 4, "a static set changed on refresh: %zu", n);
                free(elems);
        }

        build_ruleset1(&other);
        snprintf(other.digest, sizeof(other.digest), "%s", DIGEST2);
        r = nft_refresh(NULL, &other, &diag);
        CHECK(r == -ESTALE, "refresh with another digest: %d %s", r, diag.msg);
        CHECK(nft_remove(NULL, NULL, &diag) == 0, "remove: %s", diag.msg);
        r = nft_refresh(NULL, &fresh, &diag);
        CHECK(r == -ENOENT, "refresh without table: %d %s", r, diag.msg);

        ruleset_done(&rs);
        ruleset_done(&fresh);
        ruleset_done(&other);
}

static void test_big_sets(void) {
        Ruleset rs;
        RccDiag diag = {};
        SetElem *elems = NULL;
        size_t n = 0;
        char addr[64];
        int r;

        build_ruleset1(&rs);
        for (unsigned i = 0; i < 10000; i++) {
                snprintf(addr, sizeof(addr), "10.%u.%u.%u", 100 + i / 65536, (i / 256) % 256, i % 256);
                add_elem(&rs.accounts[1].allow4, addr, TCP, UDP, 1000 + i % 7, 2000 + i % 13, 0);
        }
        free(rs.accounts[1].block4.elems);
        rs.accounts[1].block4.elems = NULL;
        rs.accounts[1].block4.n_elems = 0;
        for (unsigned i = 0; i < 10000; i++) { /* 20,000 interval boundaries */
                snprintf(addr, sizeof(addr), "11.%u.%u.%u", i / 128, (i * 2) % 256, 7);
                add_addr(&rs.accounts[1].block4, addr);
        }
        r = nft_apply(NULL, &rs, 0, &diag);
        CHECK(r == 0, "apply of 10,000-element sets: %d %s", r, diag.msg);
        char why[512] = "";
        CHECK(verify(&rs, why, sizeof(why)), "10,000-element sets not intact: %s", why);
        CHECK(run_nft(NULL, "delete element inet rcc block4_1002 { 11.39.14.7 }", NULL, NULL, NULL) == 0,
              "deleting an element of the big interval set");
        CHECK(!verify(&rs, why, sizeof(why)) && strstr(why, "element 11.39.14.7 missing"), "reason: %s",
              why);
        if (r == 0 && read_set(&rs.accounts[1].allow4, &elems, &n) == 0) {
                CHECK(n == 10000, "%zu elements in allow4_1002", n);
                free(elems);
        }
        CHECK(nft_remove(NULL, NULL, &diag) == 0, "remove: %s", diag.msg);
        ruleset_done(&rs);
}

/* One hand edit of the applied table: nft_verify() must notice it and name it (why contains
 * expect), and nft_apply() must repair it. */
static void check_drift(const Ruleset *rs, const char *command, const char *expect) {
        RccDiag diag = {};
        char why[512] = "";
        int r;

        r = run_nft(NULL, command, NULL, NULL, NULL);
        CHECK(r == 0, "nft %s: exit %d", command, r);
        CHECK(!verify(rs, why, sizeof(why)), "intact after 'nft %s'", command);
        CHECK(strstr(why, expect), "after 'nft %s': reason '%s', expected '%s'", command, why, expect);
        r = nft_apply(NULL, rs, 0, &diag);
        CHECK(r == 0, "apply after 'nft %s': %d %s", command, r, diag.msg);
        CHECK(verify(rs, why, sizeof(why)), "not intact after apply repaired 'nft %s': %s", command, why);
}

/* Bring lo up in the test's namespace, and send one UDP datagram to 127.0.0.1 as uid: acct_UID
 * sends it to deny_UID, whose counter counts it. */
static void send_denied_packet(uid_t uid) {
        struct ifreq ifr = {.ifr_name = "lo"};
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), status = 0;
        pid_t pid;

        if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
                ifr.ifr_flags |= IFF_UP;
                (void)ioctl(fd, SIOCSIFFLAGS, &ifr);
        }
        if (fd >= 0)
                close(fd);
        pid = fork();
        if (pid == 0) {
                struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
                int s;

                to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                if (setresuid(uid, uid, uid) < 0)
                        _exit(1);
                s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                (void)sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)); /* refused: EPERM */
                _exit(0);
        }
        if (pid > 0)
                waitpid(pid, &status, 0);
}

static void test_verify(void) {
        Ruleset rs, fresh;
        RccDiag diag = {};
        NftStatus st = {};
        char why[512] = "";
        bool intact = true;
        int r;

        build_ruleset1(&rs);
        CHECK(nft_remove(NULL, NULL, &diag) == 0, "remove: %s", diag.msg);
        r = nft_verify(&rs, &intact, why, sizeof(why), &diag);
        CHECK(r == 0 && !intact && strcmp(why, "not loaded") == 0, "verify without table: %d %d '%s' %s", r,
              intact, why, diag.msg);

        r = nft_apply(NULL, &rs, 0, &diag);
        CHECK(r == 0, "apply: %d %s", r, diag.msg);
        CHECK(verify(&rs, why, sizeof(why)), "not intact after apply: %s", why);

        /* Counter values are no difference. */
        send_denied_packet(1001);
        CHECK(nft_status(&st, &diag) == 0 && st.n_counters == 2 && st.counters[0].packets > 0,
              "the denied packet was not counted (%zu counters)", st.n_counters);
        nft_status_done(&st);
        CHECK(verify(&rs, why, sizeof(why)), "not intact after a denied packet: %s", why);

        /* Neither are the elements of dynamic sets, which refresh rewrites. */
        CHECK(run_nft(NULL, "add element inet rcc hosts4_1001 { 192.0.2.99 . tcp . 443 timeout 1h }", NULL,
                      NULL, NULL) == 0,
              "adding to hosts4_1001");
        CHECK(run_nft(NULL, "delete element inet rcc hosts4_1002 { 198.51.100.7 . tcp . 80 }", NULL, NULL,
                      NULL) == 0,
              "deleting from hosts4_1002");
        CHECK(run_nft(NULL, "add element inet rcc resolvers6 { ::2 . udp . 53 }", NULL, NULL, NULL) == 0,
              "adding to resolvers6");
        CHECK(run_nft(NULL, "delete element inet rcc resolvers4 { 127.0.0.53 . tcp . 53 }", NULL, NULL,
                      NULL) == 0,
              "deleting from resolvers4");
        CHECK(verify(&rs, why, sizeof(why)), "not intact after dynamic sets changed: %s", why);
        build_ruleset1(&fresh);
        add_elem(&fresh.accounts[0].hosts6, "2001:db8:2::2", TCP, TCP, 443, 443, HOUR_MS);
        r = nft_refresh(NULL, &fresh, &diag);
        CHECK(r == 0, "refresh: %d %s", r, diag.msg);
        CHECK(verify(&rs, why, sizeof(why)), "not intact after refresh: %s", why);
        ruleset_done(&fresh);

        check_drift(
                &rs, "add rule inet rcc acct_1001 ip daddr 10.9.9.9 accept",
                "chain acct_1001 has 11 rules, expected 10");
        check_drift(&rs, "flush chain inet rcc deny_1002", "chain deny_1002 has 0 rules, expected 5");
        check_drift(
                &rs, "delete element inet rcc block4_1001 { 10.0.0.0/8 }",
                "set block4_1001 differs: element 10.0.0.0/8 missing");
        check_drift(
                &rs, "delete element inet rcc block6_1002 { ff00::/8 }",
                "set block6_1002 differs: element ff00::/8 missing");
        check_drift(
                &rs, "add element inet rcc allow4_1002 { 10.9.9.9 . tcp . 8081 }",
                "set allow4_1002 differs: extra element 10.9.9.9 . tcp . 8081");
        check_drift(
                &rs, "delete element inet rcc allow6_1001 { ::/0 . udp . 123 }",
                "set allow6_1001 differs: element ::/0 . udp . 123 missing");
        check_drift(&rs, "add chain inet rcc x", "extra chain 'x'");
        check_drift(
                &rs, "delete element inet rcc accounts { 1002 }",
                "map accounts differs: element 1002 : jump acct_1002 missing");
        check_drift(&rs, "add counter inet rcc stray", "extra counter 'stray'");
        check_drift(&rs, "add set inet rcc stray { type ipv4_addr; }", "extra set 'stray'");
        check_drift(&rs, "add table inet rcc { flags dormant; }", "table inet rcc differs: flags 0x1");
        check_drift(
                &rs, "add chain inet rcc output { type filter hook output priority filter; policy drop; }",
                "chain output differs: policy 0, expected 1");

        /* A rule changed in place: as many rules as before, one expression differs. */
        char *listing = NULL, *p, command[128];
        CHECK(run_nft(&listing, "-a", "list chain inet rcc acct_1002", NULL, NULL) == 0, "nft -a list");
        p = listing ? strstr(listing, "ip daddr @block4_1002 goto deny_1002 # handle ") : NULL;
        CHECK(p, "no handle in:\n%s", listing);
        if (p) {
                snprintf(
                        command, sizeof(command),
                        "replace rule inet rcc acct_1002 handle %d ip saddr @block4_1002 goto deny_1002",
                        atoi(p + strlen("ip daddr @block4_1002 goto deny_1002 # handle ")));
                check_drift(&rs, command, "rule 8 of chain acct_1002 differs: expression 3 is 'payload");
        }
        free(listing);

        CHECK(nft_remove(NULL, NULL, &diag) == 0, "remove: %s", diag.msg);
        ruleset_done(&rs);
}

/* Without CAP_NET_ADMIN the kernel refuses the batch as a whole; the error says what to do. */
/* A rule the kernel refuses is named down to the expression it blamed (NLMSGERR_ATTR_OFFS): a
 * payload load of 0 bytes, which every kernel refuses, as the second expression of a rule. */
static void test_refused_expression(void) {
        struct mnl_socket *nl = NULL;
        struct nftnl_table *t = nftnl_table_alloc();
        struct nftnl_chain *c = nftnl_chain_alloc();
        struct nftnl_rule *rule = nftnl_rule_alloc();
        struct nftnl_expr *meta = nftnl_expr_alloc("meta"), *payload = nftnl_expr_alloc("payload");
        struct nlmsghdr *nlh;
        RccDiag diag = {};
        NftBatch b = {};
        int r;

        CHECK(t && c && rule && meta && payload, "out of memory");
        CHECK(nft_socket_open(&nl, &diag) == 0, "socket: %s", diag.msg);
        CHECK(nft_batch_begin(&b, 0) == 0, "batch");
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, "rcc_refused");
        nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
        nlh = nft_batch_msg(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE, "table inet rcc_refused");
        nftnl_table_nlmsg_build_payload(nlh, t);
        nft_batch_next(&b);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "rcc_refused");
        nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "c");
        nlh = nft_batch_msg(&b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, "chain c");
        nftnl_chain_nlmsg_build_payload(nlh, c);
        nft_batch_next(&b);
        nftnl_rule_set_str(rule, NFTNL_RULE_TABLE, "rcc_refused");
        nftnl_rule_set_str(rule, NFTNL_RULE_CHAIN, "c");
        nftnl_rule_set_u32(rule, NFTNL_RULE_FAMILY, NFPROTO_INET);
        nftnl_expr_set_u32(meta, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
        nftnl_expr_set_u32(meta, NFTNL_EXPR_META_DREG, NFT_REG_1);
        nftnl_rule_add_expr(rule, meta);
        nftnl_expr_set_u32(payload, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
        nftnl_expr_set_u32(payload, NFTNL_EXPR_PAYLOAD_OFFSET, 2);
        nftnl_expr_set_u32(payload, NFTNL_EXPR_PAYLOAD_LEN, 0);
        nftnl_expr_set_u32(payload, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_2);
        nftnl_rule_add_expr(rule, payload);
        nlh = nft_batch_msg(&b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, "rule 1 of chain c");
        nftnl_rule_nlmsg_build_payload(nlh, rule);
        nft_batch_next(&b);

        r = nft_batch_commit(nl, &b, &diag);
        CHECK(r == -EINVAL, "a rule with a 0-byte payload load was not refused with EINVAL: %d %s", r,
              diag.msg);
        CHECK(strstr(diag.msg, "rule 1 of chain c, expression 2 ('payload')"),
              "the error does not name the refused expression: %s", diag.msg);
        CHECK(run_nft(NULL, "list", "table", "inet", "rcc_refused") != 0, "the refused batch left a table");

        nft_batch_done(&b);
        nft_socket_closep(&nl);
        nftnl_rule_free(rule); /* frees its expressions */
        nftnl_chain_free(c);
        nftnl_table_free(t);
}

static void test_permission_denied(void) {
        int status = 0;
        pid_t pid = fork();

        if (pid == 0) {
                Ruleset rs;
                RccDiag diag = {};
                int r;

                if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                        _exit(2);
                build_ruleset1(&rs);
                r = nft_apply(NULL, &rs, 0, &diag);
                ruleset_done(&rs);
                if (r != -EPERM || !strstr(diag.msg, "run rcc-firewall as root")) {
                        fprintf(stderr, "unprivileged apply: %d %s\n", r, diag.msg);
                        _exit(1);
                }
                _exit(0);
        }
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "unprivileged apply did not fail with EPERM and advice (status %d)", status);
}

int main(void) {
        NftStatus st = {};
        RccDiag diag = {};

        if (geteuid() != 0) {
                printf("SKIP: test-nft-batch needs root (CAP_NET_ADMIN) for its own network namespace\n");
                return 77;
        }
        if (unshare(CLONE_NEWNET) < 0) {
                printf("SKIP: cannot create a network namespace: %s\n", strerror(errno));
                return 77;
        }
        if (run_nft(NULL, "--version", NULL, NULL, NULL) != 0) {
                printf("SKIP: the nft program is not installed (package nftables)\n");
                return 77;
        }
        if (nft_status(&st, &diag) < 0) {
                printf("SKIP: nftables does not work here: %s\n", diag.msg);
                return 77;
        }
        nft_status_done(&st);

        test_verify();
        test_apply_status_remove();
        test_equivalence();
        test_atomicity();
        test_refresh();
        test_big_sets();
        test_refused_expression();
        test_permission_denied();

        printf("%u checks, %u failed\n", n_checks, n_failed);
        return n_failed == 0 ? 0 : 1;
}
