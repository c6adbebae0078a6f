/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include "denials.h"
#include "log.h"
#include "nft-netlink.h"
#include "ruleset.h"

/* Enough of each packet for its IP header and the transport header's ports. */
#define COPY_RANGE 128
#define RCVBUF (1024 * 1024)
#define CONFIG_BUF 4096
#define READ_BUF 65536

static int config(
        struct mnl_socket *nl, uint16_t group, uint8_t family, uint16_t type, const void *data, size_t len) {
        char buf[CONFIG_BUF];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct nfgenmsg *g;
        uint32_t seq = (uint32_t)time(NULL);
        ssize_t n;
        int r;

        nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = seq;
        g = mnl_nlmsg_put_extra_header(nlh, sizeof *g);
        g->nfgen_family = family;
        g->version = NFNETLINK_V0;
        g->res_id = htons(group);
        mnl_attr_put(nlh, type, len, data);
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        n = mnl_socket_recvfrom(nl, buf, sizeof buf);
        if (n < 0)
                return -errno;
        r = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), NULL, NULL);
        return r < 0 ? -errno : 0;
}

int denials_open(Denials *d, RccDiag *diag) {
        const struct nfulnl_msg_config_cmd bind_group = {.command = NFULNL_CFG_CMD_BIND};
        const struct nfulnl_msg_config_mode mode = {
                .copy_range = htonl(COPY_RANGE), .copy_mode = NFULNL_COPY_PACKET};
        const uint32_t qthresh = htonl(1), timeout = htonl(0);
        int size = RCVBUF, r;

        *d = (Denials){};
        d->entries = calloc(DENIALS_MAX, sizeof *d->entries);
        if (!d->entries)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        d->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (!d->nl || mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0)
                return diag_set(diag, -errno, NULL, 0, 0, "cannot open a netfilter netlink socket: %m");
        /* Replies to the configuration come before any packet: read them with a blocking wait. */
        r = config(d->nl, RCC_NFLOG_GROUP, AF_UNSPEC, NFULA_CFG_CMD, &bind_group, sizeof bind_group);
        if (r == -EAGAIN)
                r = -ETIMEDOUT;
        if (r < 0) {
                errno = -r;
                return diag_set(
                        diag, r, NULL, 0, 0, "cannot bind nflog group %u%s: %m", RCC_NFLOG_GROUP,
                        r == -EBUSY ? " (another process has it)" : "");
        }
        if ((r = config(d->nl, RCC_NFLOG_GROUP, AF_UNSPEC, NFULA_CFG_MODE, &mode, sizeof mode)) < 0 ||
            (r = config(d->nl, RCC_NFLOG_GROUP, AF_UNSPEC, NFULA_CFG_QTHRESH, &qthresh, sizeof qthresh)) <
                    0 ||
            (r = config(d->nl, RCC_NFLOG_GROUP, AF_UNSPEC, NFULA_CFG_TIMEOUT, &timeout, sizeof timeout)) <
                    0) {
                errno = -r;
                return diag_set(diag, r, NULL, 0, 0, "cannot configure nflog group %u: %m", RCC_NFLOG_GROUP);
        }
        (void)setsockopt(mnl_socket_get_fd(d->nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
        return 0;
}

void denials_close(Denials *d) {
        if (d->nl)
                mnl_socket_close(d->nl);
        free(d->entries);
        *d = (Denials){};
}

int denials_fd(const Denials *d) {
        return d->nl ? mnl_socket_get_fd(d->nl) : -EBADF;
}

void denials_add(Denials *d, uid_t uid, const Denial *dest, int64_t now) {
        Denial *e = NULL;

        d->packets++;
        for (size_t i = 0; i < d->n && !e; i++)
                if (d->entries[i].uid == uid && denial_same_destination(&d->entries[i], dest))
                        e = &d->entries[i];
        if (!e) {
                if (d->n < DENIALS_MAX)
                        e = &d->entries[d->n++];
                else {
                        /* Full: the destination refused longest ago makes room. */
                        e = &d->entries[0];
                        for (size_t i = 1; i < d->n; i++)
                                if (d->entries[i].last < e->last)
                                        e = &d->entries[i];
                        d->evicted++;
                }
                *e = *dest;
                e->uid = uid;
                e->count = 0;
                e->first = now;
        }
        e->count++;
        e->last = now;
}

static int on_packet(const struct nlmsghdr *nlh, void *userdata) {
        Denials *d = userdata;
        const struct nlattr *a;
        const char *prefix = NULL;
        const uint8_t *payload = NULL;
        size_t len = 0;
        Denial dest = {};
        uid_t uid;

        if (nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
                return MNL_CB_OK;
        mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
                if (mnl_attr_get_type(a) == NFULA_PREFIX && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
                        prefix = mnl_attr_get_str(a);
                else if (mnl_attr_get_type(a) == NFULA_PAYLOAD) {
                        payload = mnl_attr_get_payload(a);
                        len = mnl_attr_get_payload_len(a);
                }
        }
        /* Another rule's packets in our group, or a packet that is not IP: not ours to count. */
        if (!prefix || !payload || denial_parse_prefix(prefix, &uid) < 0 ||
            denial_parse_packet(payload, len, &dest) < 0)
                return MNL_CB_OK;
        int64_t now = (int64_t)time(NULL);
        denials_add(d, uid, &dest, now);
        if (d->on_denial)
                d->on_denial(d->userdata, uid, &dest, now);
        return MNL_CB_OK;
}

int denials_read(Denials *d) {
        /* One service, one thread: the buffer need not be on the stack. */
        static char buf[READ_BUF];

        for (;;) {
                ssize_t n = mnl_socket_recvfrom(d->nl, buf, sizeof buf);
                if (n < 0 && errno == EAGAIN)
                        return 0;
                /* ENOBUFS: a burst beyond the socket's buffer; those packets are not counted. */
                if (n < 0 && errno == ENOBUFS)
                        continue;
                if (n < 0)
                        return -errno;
                if (mnl_cb_run(buf, (size_t)n, 0, 0, on_packet, d) < 0 && errno != ESRCH)
                        log_errno(-errno, "reading nflog group %u: %m", RCC_NFLOG_GROUP);
        }
}
