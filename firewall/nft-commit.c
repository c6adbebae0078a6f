/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Committing a batch: the one sendmsg() that carries a whole nf_tables transaction, and every
 * acknowledgement read back, each error mapped to the object (the set element, the rule's
 * expression) the kernel blamed. The write side: rcc-firewall links it, pam_rcc does not.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-commit.h"

/* Which expression of the rule message msg the kernel blamed: NLMSGERR_ATTR_OFFS counts from the
 * refused message's header to the attribute at fault, for a rule one NFTA_LIST_ELEM of
 * NFTA_RULE_EXPRESSIONS. "expression N ('NAME')" into buf, or "" when off points elsewhere. */
static void blamed_expression(const struct nlmsghdr *msg, uint32_t off, char *buf, size_t size) {
        const struct nlattr *attr, *elem, *a;
        unsigned idx = 0;

        if (size > 0)
                buf[0] = '\0';
        if (off == 0 || (msg->nlmsg_type & 0xff) != NFT_MSG_NEWRULE)
                return;
        mnl_attr_for_each(attr, msg, sizeof(struct nfgenmsg)) {
                if (mnl_attr_get_type(attr) != NFTA_RULE_EXPRESSIONS ||
                    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
                        continue;
                mnl_attr_for_each_nested(elem, attr) {
                        uint32_t start = (uint32_t)((const char *)elem - (const char *)msg);

                        idx++;
                        if (off < start || off >= start + elem->nla_len)
                                continue;
                        mnl_attr_for_each_nested(a, elem) if (
                                mnl_attr_get_type(a) == NFTA_EXPR_NAME &&
                                mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0) {
                                snprintf(buf, size, "expression %u ('%s')", idx, mnl_attr_get_str(a));
                                return;
                        }
                        snprintf(buf, size, "expression %u", idx);
                        return;
                }
        }
}

/* The message with sequence number seq in the batch as sent (iov[0..n)): acknowledgements are capped
 * (nft_socket_open), so the kernel does not send it back. NULL if it is not there. */
static const struct nlmsghdr *sent_msg(const struct iovec *iov, int n, uint32_t seq) {
        for (int i = 0; i < n; i++) {
                int len = (int)iov[i].iov_len;

                for (const struct nlmsghdr *nlh = iov[i].iov_base; mnl_nlmsg_ok(nlh, len);
                     nlh = mnl_nlmsg_next(nlh, &len))
                        if (nlh->nlmsg_seq == seq)
                                return nlh;
        }
        return NULL;
}

typedef struct AckState {
        size_t pending;
        int batch_error; /* the kernel refused the batch as a whole (answered its BEGIN) */
        char batch_extack[256];
        int error; /* the first message that failed: later failures are often its consequences */
        size_t error_msg;
        uint32_t error_off;
        char extack[256];
        size_t n_errors;
} AckState;

static void ack_one(const NftBatch *b, AckState *a, const struct nlmsghdr *nlh) {
        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
        size_t i;
        int e;

        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
                return;
        e = err->error < 0 ? err->error : -err->error;
        if (nlh->nlmsg_seq == b->seq0) {
                if (e < 0 && a->batch_error == 0) {
                        a->batch_error = e;
                        nft_parse_extack(nlh, a->batch_extack, sizeof(a->batch_extack), NULL);
                }
                return;
        }
        if (nlh->nlmsg_seq <= b->seq0 || nlh->nlmsg_seq > b->seq0 + b->n_msgs)
                return; /* BATCH_END (newer kernels acknowledge it too), or not ours */
        i = nlh->nlmsg_seq - b->seq0 - 1;
        if (b->msgs[i].answered)
                return;
        b->msgs[i].answered = true;
        a->pending--;
        if (e == 0)
                return;
        if (a->n_errors++ == 0) {
                a->error = e;
                a->error_msg = i;
                nft_parse_extack(nlh, a->extack, sizeof(a->extack), &a->error_off);
        }
}

static int read_acks(struct mnl_socket *nl, const NftBatch *b, AckState *a) {
        _cleanup_free_ char *buf = malloc(NFT_RECV_BUFSIZE);
        struct pollfd pfd = {.fd = mnl_socket_get_fd(nl), .events = POLLIN};

        if (!buf)
                return -ENOMEM;
        /* The kernel handles the whole batch inside sendmsg(), so every answer is queued by now;
         * the timeout only guards against a kernel that never answers. Once it has refused the
         * batch as a whole, the other messages get no answer: take what is there and stop. */
        while (a->pending > 0) {
                ssize_t n;
                int len, r = poll(&pfd, 1, a->batch_error < 0 ? 0 : NFT_REPLY_TIMEOUT_MS);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return negative_errno();
                if (r == 0)
                        return a->batch_error < 0 ? 0 : -ETIMEDOUT;
                n = mnl_socket_recvfrom(nl, buf, NFT_RECV_BUFSIZE);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0)
                        return negative_errno(); /* ENOBUFS: acknowledgements were dropped */
                len = (int)n;
                for (const struct nlmsghdr *nlh = (const void *)buf; mnl_nlmsg_ok(nlh, len);
                     nlh = mnl_nlmsg_next(nlh, &len))
                        if (nlh->nlmsg_type == NLMSG_ERROR)
                                ack_one(b, a, nlh);
        }
        return 0;
}

/* The first refused message of the batch as sent (iov[0..n_iov)), named down to the set element or
 * the rule's expression the kernel blamed. */
static int report_error(
        const NftBatch *b, const AckState *a, const struct iovec *iov, int n_iov, RccDiag *diag) {
        const NftMsgInfo *m = &b->msgs[a->error_msg];
        const struct nlmsghdr *sent = sent_msg(iov, n_iov, b->seq0 + 1 + (uint32_t)a->error_msg);
        char what[sizeof(m->what) + NFT_ELEM_STRLEN + 128], elem[NFT_ELEM_STRLEN], blamed[96] = "";
        size_t j = m->n_elems;

        if (sent)
                blamed_expression(sent, a->error_off, blamed, sizeof(blamed));
        /* The extended ack points at the element the kernel refused: find it in the message. */
        while (a->error_off != 0 && j > 0 && m->elem_off[j - 1] > a->error_off)
                j--;
        if (a->error_off != 0 && j > 0 && m->set)
                snprintf(
                        what, sizeof(what), "element %u (%s) of set %s", m->elem_idx[j - 1] + 1,
                        nft_format_elem(m->set->key, &m->set->elems[m->elem_idx[j - 1]], elem, sizeof(elem)),
                        m->set->name);
        else if (blamed[0])
                snprintf(what, sizeof(what), "%s, %s", m->what, blamed);
        else
                snprintf(what, sizeof(what), "%s", m->what);
        if (a->n_errors > 1) {
                size_t len = strlen(what);
                snprintf(what + len, sizeof(what) - len, " (first of %zu errors)", a->n_errors);
        }
        return nft_diag_errno(diag, a->error, what, a->extack);
}

static void grow_buffer(int fd, int opt, int force_opt, size_t want) {
        int cur = 0, val = want > INT_MAX / 2 ? INT_MAX / 2 : (int)want;
        socklen_t len = sizeof(cur);

        /* The kernel reports (and keeps) twice what was asked for. */
        if (getsockopt(fd, SOL_SOCKET, opt, &cur, &len) == 0 && cur / 2 >= val)
                return;
        if (setsockopt(fd, SOL_SOCKET, force_opt, &val, sizeof(val)) < 0)
                (void)setsockopt(fd, SOL_SOCKET, opt, &val, sizeof(val));
}

int nft_batch_commit(struct mnl_socket *nl, NftBatch *b, RccDiag *diag) {
        _cleanup_free_ struct iovec *iov = NULL;
        struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
        struct msghdr msg = {.msg_name = &snl, .msg_namelen = sizeof(snl)};
        AckState a = {.pending = b->n_msgs};
        size_t len = 0;
        int n_iov, r;

        r = nft_batch_end(b);
        if (r < 0)
                return diag_set(diag, r, NULL, 0, 0, "out of memory building the nftables batch");
        n_iov = nftnl_batch_iovec_len(b->nb);
        if (n_iov <= 0 || n_iov > IOV_MAX)
                return diag_set(
                        diag, -E2BIG, NULL, 0, 0, "nftables: the ruleset is too large for one transaction");
        iov = calloc((size_t)n_iov, sizeof(struct iovec));
        if (!iov)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory sending the nftables batch");
        nftnl_batch_iovec(b->nb, iov, (uint32_t)n_iov);
        for (int i = 0; i < n_iov; i++)
                len += iov[i].iov_len;
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)n_iov;

        /* The batch is one skb that must fit the send buffer; each message's acknowledgement (a few
         * hundred bytes of kernel memory) must fit the receive buffer until it is read. */
        grow_buffer(mnl_socket_get_fd(nl), SO_SNDBUF, SO_SNDBUFFORCE, len + 65536);
        grow_buffer(mnl_socket_get_fd(nl), SO_RCVBUF, SO_RCVBUFFORCE, b->n_msgs * 2048 + 262144);
        if (sendmsg(mnl_socket_get_fd(nl), &msg, 0) < 0)
                return nft_diag_errno(
                        diag, negative_errno(), "sending the batch for table inet " RCC_TABLE, NULL);

        r = read_acks(nl, b, &a);
        if (a.error < 0)
                return report_error(b, &a, iov, n_iov, diag);
        if (a.batch_error < 0)
                return nft_diag_errno(
                        diag, a.batch_error, "the transaction on table inet " RCC_TABLE, a.batch_extack);
        if (r == -ENOBUFS)
                return diag_set(
                        diag, r, NULL, 0, 0,
                        "nftables: acknowledgements from the kernel were lost (receive buffer overrun); "
                        "the outcome is unknown, check with 'rcc-firewall status'");
        if (r < 0)
                return nft_diag_errno(
                        diag, r, "waiting for the kernel's answer about table inet " RCC_TABLE, NULL);
        return 0;
}
