/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dnsgrant.h"
#include "firewall-service.h"
#include "log.h"
#include "merge.h"
#include "netranges.h"
#include "nft-build.h"
#include "nft-commit.h"

/* An answer's TTL counts up to an hour; a connection may start a little after it ran out (a stub
 * resolver's cache, a slow client), hence the grace. */
#define GRANT_TTL_MAX_S 3600
#define GRANT_GRACE_S 60
#define GRANTS_PER_WAKEUP 64

int dnsgrant_listen(DnsGrants *g, RccDiag *diag) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct passwd *pw = getpwnam("rcc-dns");
        int one = 1;
        _cleanup_close_ int fd = -EBADF;

        g->relay_uid = pw ? pw->pw_uid : 0;
        strcpy(sa.sun_path, RCC_FIREWALL_DNS_SOCKET);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
                return diag_set(diag, -errno, RCC_FIREWALL_DNS_SOCKET, 0, 0, "cannot create the socket: %m");
        (void)unlink(RCC_FIREWALL_DNS_SOCKET);
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(RCC_FIREWALL_DNS_SOCKET, 0666) < 0)
                return diag_set(diag, -errno, RCC_FIREWALL_DNS_SOCKET, 0, 0, "cannot bind: %m");
        g->fd = TAKE_FD(fd);
        return 0;
}

void dnsgrant_close(DnsGrants *g) {
        if (g->fd >= 0) {
                close(g->fd);
                (void)unlink(RCC_FIREWALL_DNS_SOCKET);
        }
        g->fd = -EBADF;
        g->policy = policy_free(g->policy);
        g->for_rs = NULL;
}

/* One of this host's own addresses? A name must not open them, whatever the rules do first. */
static bool host_address(const Cidr *a) {
        struct ifaddrs *ifs = NULL;
        bool found = false;

        if (getifaddrs(&ifs) < 0)
                return true; /* cannot tell: refuse */
        for (struct ifaddrs *i = ifs; i && !found; i = i->ifa_next) {
                if (!i->ifa_addr || i->ifa_addr->sa_family != a->family)
                        continue;
                const void *p = a->family == AF_INET
                                        ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                                        : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
                found = memcmp(p, a->addr, family_addr_len(a->family)) == 0;
        }
        freeifaddrs(ifs);
        return found;
}

/* Why g may not be added (NULL: it may), and the rule and account set it goes to. */
static const char *check(
        DnsGrants *dg, Service *svc, const FwsvcGrant *g, const NetRule **ret_rule,
        const RulesetSet **ret_set) {
        const Account *acct;
        const RulesetAccount *ra = NULL;

        if (!svc->holder.held || !svc->applied)
                return "the table is not held";
        if (dg->for_rs != svc->applied) {
                /* The policy the applied table was compiled from, loaded again: the only judge. */
                PolicyOptions opts = {};
                RccDiag diag = {};
                Policy *p = NULL;
                if (policy_load(svc->config_dir, &opts, &p, &diag) < 0)
                        return "the policy does not load";
                policy_free(dg->policy);
                dg->policy = p;
                dg->for_rs = svc->applied;
        }
        acct = policy_find_account_by_uid(dg->policy, g->uid);
        if (!acct)
                return "not a sandbox account";
        for (size_t i = 0; i < svc->applied->n_accounts; i++)
                if (svc->applied->accounts[i].uid == g->uid)
                        ra = &svc->applied->accounts[i];
        if (!ra)
                return "the account is not in the table";
        *ret_rule = settings_find_host(&acct->settings, g->name);
        if (!*ret_rule)
                return "name not allowlisted";
        if (netranges_forbidden_for_names(&g->addr))
                return "an address no name may open (loopback, link-local, metadata, multicast)";
        if (host_address(&g->addr))
                return "this host's own address";
        *ret_set = g->addr.family == AF_INET ? &ra->hosts4 : &ra->hosts6;
        return NULL;
}

static int add(Service *svc, const FwsvcGrant *g, const NetRule *rule, const RulesetSet *target) {
        _cleanup_(nft_batch_done) NftBatch b = {};
        ElemVec v = {};
        RccDiag diag = {};
        uint64_t ttl = g->ttl < GRANT_TTL_MAX_S ? g->ttl : GRANT_TTL_MAX_S;
        int r;

        r = ruleset_rule_elems(rule, &g->addr, (ttl + GRANT_GRACE_S) * 1000, &v);
        if (r >= 0) {
                RulesetSet set = *target;
                set.elems = v.v;
                set.n_elems = v.n;
                r = nft_batch_begin(&b, 0);
                if (r >= 0)
                        r = nft_add_set_elems(&b, &set, 0);
                if (r >= 0)
                        r = nft_batch_commit(svc->holder.nl, &b, &diag);
        }
        elem_vec_done(&v);
        return r;
}

void dnsgrant_serve(DnsGrants *dg, Service *svc) {
        for (int k = 0; k < GRANTS_PER_WAKEUP; k++) {
                char buf[FWSVC_MSG_MAX];
                union {
                        char buf[CMSG_SPACE(sizeof(struct ucred))];
                        struct cmsghdr align;
                } ctl;
                struct iovec iov = {buf, sizeof buf - 1};
                struct msghdr mh = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof ctl.buf};
                ssize_t n = recvmsg(dg->fd, &mh, MSG_DONTWAIT);
                struct ucred cred = {.uid = (uid_t)-1};
                const NetRule *rule = NULL;
                const RulesetSet *set = NULL;
                FwsvcGrant g;
                const char *why;

                if (n < 0)
                        return;
                buf[n] = '\0';
                for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS)
                                memcpy(&cred, CMSG_DATA(cm), sizeof cred);
                /* The kernel vouches for these credentials: only root and the relay's user grant. */
                if (cred.uid != 0 && (dg->relay_uid == 0 || cred.uid != dg->relay_uid)) {
                        dg->refused++;
                        continue;
                }
                if (!fwsvc_is(buf, "grant") || fwsvc_grant_parse(buf + strlen("grant "), &g) < 0) {
                        dg->refused++;
                        log_warning("rcc-dnsrelay (pid %d) sent a malformed grant", (int)cred.pid);
                        continue;
                }
                why = check(dg, svc, &g, &rule, &set);
                char addr[CIDR_STRLEN];
                cidr_format(&g.addr, addr, sizeof addr);
                if (why) {
                        dg->refused++;
                        log_warning(
                                "uid %u: not opening %s for '%s': %s", (unsigned)g.uid, addr, g.name, why);
                        continue;
                }
                int r = add(svc, &g, rule, set);
                if (r < 0) {
                        dg->refused++;
                        log_errno(
                                r, "uid %u: cannot add %s for '%s' to %s: %m", (unsigned)g.uid, addr, g.name,
                                set->name);
                        continue;
                }
                dg->granted++;
                log_msg(LOG_DEBUG, "uid %u: %s of '%s' open for %us", (unsigned)g.uid, addr, g.name, g.ttl);
        }
}
