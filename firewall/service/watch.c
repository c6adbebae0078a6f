/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-netlink.h"
#include "ruleset.h"
#include "watch.h"

/* Every nf_tables object message names its table in attribute 1: NFTA_TABLE_NAME,
 * NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE, NFTA_SET_ELEM_LIST_TABLE, NFTA_OBJ_TABLE,
 * NFTA_FLOWTABLE_TABLE. */
#define NFTA_ANY_TABLE 1
#define WATCH_RCVBUF (4 * 1024 * 1024)

int watch_open(Watch *w, uint32_t own_portid, RccDiag *diag) {
        unsigned group = NFNLGRP_NFTABLES;
        int size = WATCH_RCVBUF, r;

        *w = (Watch){.own_portid = own_portid};
        if ((r = nft_socket_open(&w->nl, diag)) < 0)
                return r;
        if (mnl_socket_setsockopt(w->nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0)
                return nft_diag_errno(diag, negative_errno(), "joining nf_tables' notifications", NULL);
        /* Room for a large transaction's notifications; root may go past rmem_max. */
        if (setsockopt(mnl_socket_get_fd(w->nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
                (void)setsockopt(mnl_socket_get_fd(w->nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        return 0;
}

void watch_close(Watch *w) {
        nft_socket_closep(&w->nl);
}

int watch_fd(const Watch *w) {
        return mnl_socket_get_fd(w->nl);
}

static bool names_rcc(const struct nlmsghdr *nlh) {
        const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *a;

        if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof *g) || g->nfgen_family != NFPROTO_INET)
                return false;
        mnl_attr_for_each(a, nlh, sizeof *g) {
                if (mnl_attr_get_type(a) != NFTA_ANY_TABLE)
                        continue;
                return mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
                       strcmp(mnl_attr_get_str(a), RCC_TABLE) == 0;
        }
        return false;
}

static void committer(const struct nlmsghdr *nlh, char *who, size_t size) {
        const struct nlattr *a;
        uint32_t pid = 0;
        const char *name = NULL;

        mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
                if (mnl_attr_get_type(a) == NFTA_GEN_PROC_PID && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
                        pid = ntohl(mnl_attr_get_u32(a));
                else if (
                        mnl_attr_get_type(a) == NFTA_GEN_PROC_NAME &&
                        mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
                        name = mnl_attr_get_str(a);
        }
        if (pid > 0)
                snprintf(who, size, "pid %u (%s)", pid, name ? name : "?");
}

static WatchEvent parse(Watch *w, const char *buf, size_t len, char *who, size_t who_size) {
        WatchEvent ev = WATCH_NOTHING;
        int left = (int)len;

        for (const struct nlmsghdr *nlh = (const void *)buf; mnl_nlmsg_ok(nlh, left);
             nlh = mnl_nlmsg_next(nlh, &left)) {
                uint16_t type = nlh->nlmsg_type;

                if (NFNL_SUBSYS_ID(type) != NFNL_SUBSYS_NFTABLES)
                        continue;
                if (NFNL_MSG_TYPE(type) == NFT_MSG_NEWGEN) {
                        if (w->pending) {
                                committer(nlh, who, who_size);
                                w->pending = false;
                                ev = WATCH_TOUCHED;
                        }
                        continue;
                }
                if (nlh->nlmsg_pid != w->own_portid && names_rcc(nlh))
                        w->pending = true;
        }
        return ev;
}

int watch_read(Watch *w, WatchEvent *ret, char *who, size_t who_size) {
        static char buf[NFT_RECV_BUFSIZE];
        WatchEvent ev = WATCH_NOTHING;

        who[0] = '\0';
        for (;;) {
                ssize_t n = recv(watch_fd(w), buf, sizeof buf, MSG_DONTWAIT);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        break;
                if (n < 0 && errno == ENOBUFS) {
                        ev = WATCH_OVERFLOW;
                        continue;
                }
                if (n < 0)
                        return negative_errno();
                WatchEvent e = parse(w, buf, (size_t)n, who, who_size);
                if (e > ev)
                        ev = e;
        }
        /* A foreign change whose NEWGEN is still to come is acted on now all the same. */
        if (w->pending && ev < WATCH_TOUCHED) {
                w->pending = false;
                ev = WATCH_TOUCHED;
        }
        *ret = ev;
        return 0;
}
