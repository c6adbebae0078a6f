/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Talking to nf_tables: the socket, requests and dumps read to their end, the batch under
 * construction, and errno turned into what to do about it. Both the read side (pam_rcc, status,
 * verify) and the write side (nft-commit.c) are built on it; nothing here changes the ruleset.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-netlink.h"

/* A batch page, and how far one message may run past its end: an attribute nest holds at most
 * 64 KiB, so no message is larger. A few hundred accounts fit in a handful of pages. */
#define NFT_BATCH_PAGE_SIZE (256u * 1024)
#define NFT_BATCH_MSG_MAX (UINT16_MAX + 4096u)
/* Sequence numbers a batch may use: BEGIN, its messages, END. */
#define NFT_BATCH_SEQ_WINDOW (1u << 24)

void nft_socket_closep(struct mnl_socket **nl) {
        if (*nl) {
                int saved_errno = errno;
                mnl_socket_close(*nl);
                errno = saved_errno;
                *nl = NULL;
        }
}

int nft_socket_open(struct mnl_socket **ret, RccDiag *diag) {
        struct mnl_socket *nl;
        int one = 1;

        nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (!nl)
                return nft_diag_errno(diag, negative_errno(), "the netfilter netlink socket", NULL);
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                int r = negative_errno();
                mnl_socket_close(nl);
                return nft_diag_errno(diag, r, "the netfilter netlink socket", NULL);
        }
        /* Both are optional: without extended acks errors just lose the kernel's explanation, without
         * capped acks every error carries a copy of the message it refers to. */
        (void)mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
        (void)mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
        *ret = nl;
        return 0;
}

static const char *errno_advice(int error, const char *what) {
        switch (error) {
        case EPERM:
        case EACCES:
                /* With the batch accepted, a message refused this way hits a table another program
                 * created with "flags owner". */
                if (strncmp(what, "table", 5) == 0)
                        return "table inet " RCC_TABLE " belongs to another program (nft flags owner); "
                               "stop it";
                return "permission denied talking to nftables; run rcc-firewall as root (CAP_NET_ADMIN)";
        case EPROTONOSUPPORT:
        case EAFNOSUPPORT:
                return "this kernel has no nftables support; load the nf_tables module";
        case ENOENT:
                if (strncmp(what, "rule", 4) == 0)
                        return "the kernel lacks an nftables expression this rule uses (nft_ct, "
                               "nft_fib_inet, nft_limit, nft_log, nft_objref, nft_reject_inet), or what it "
                               "refers to is missing";
                return "it does not exist; if table inet " RCC_TABLE " was changed by hand, run "
                       "'rcc-firewall apply'";
        case EOPNOTSUPP:
                if (strncmp(what, "rule", 4) == 0)
                        return "this kernel does not support that expression as rcc encodes it; report it "
                               "with the kernel's version and 'rcc-firewall show'";
                return "the kernel lacks an nftables feature this needs (sets of concatenated ranges need "
                       "Linux >= 5.6)";
        case EEXIST:
                if (strstr(what, "element"))
                        return "it overlaps or duplicates another element of the set";
                return "it is defined twice";
        case ENOMEM:
        case ENOBUFS:
                return "the kernel ran out of memory; free memory or shrink the policy and retry";
        case EMSGSIZE:
                return "the batch is too large for the netlink socket";
        case ERESTART:
                return "the nftables ruleset changed while rcc-firewall was working; run it again";
        case EBUSY:
                return "it is in use by something outside rcc; remove that and retry";
        case ETIMEDOUT:
                return "the kernel did not answer in time; the outcome is unknown, check with "
                       "'rcc-firewall status'";
        default:
                return NULL;
        }
}

int nft_diag_errno(RccDiag *diag, int r, const char *what, const char *extack) {
        int error = r < 0 ? -r : r;
        const char *advice = errno_advice(error, what);
        bool has_extack = extack && extack[0] != '\0';

        return diag_set(
                diag, r, NULL, 0, 0, "nftables: %s: %s%s%s%s%s%s", what, strerror(error),
                has_extack ? " (kernel: " : "", has_extack ? extack : "", has_extack ? ")" : "",
                advice ? "; " : "", advice ? advice : "");
}

/* n consecutive sequence numbers no earlier exchange of this process used, so that a late answer
 * to one can never pass for an answer to another. 0 is never used. The one piece of process-wide
 * state in this code (pam_rcc links it into sshd and sudo): atomic, so any number of PAM handles,
 * in any number of threads, may talk to the kernel at once. */
static uint32_t seq_reserve(uint32_t n) {
        static _Atomic uint32_t next;
        uint32_t first = atomic_load(&next), want;

        do {
                uint32_t base = first == 0 ? ((uint32_t)time(NULL) | 1) : first;

                if (base > UINT32_MAX - n)
                        base = 1;
                want = base + n;
                if (atomic_compare_exchange_weak(&next, &first, want)) {
                        first = base;
                        break;
                }
        } while (true);
        return first;
}

void nft_parse_extack(const struct nlmsghdr *nlh, char *buf, size_t size, uint32_t *ret_off) {
        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
        size_t hlen = sizeof(*err);
        const struct nlattr *attr;

        if (ret_off)
                *ret_off = 0;
        if (size > 0)
                buf[0] = '\0';
        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)) || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
                return;
        if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
                hlen += mnl_nlmsg_get_payload_len(&err->msg);
        if (mnl_nlmsg_size(hlen) > nlh->nlmsg_len)
                return;
        mnl_attr_for_each(attr, nlh, hlen) {
                uint16_t type = mnl_attr_get_type(attr);

                if (type == NLMSGERR_ATTR_MSG && size > 0 &&
                    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
                        snprintf(buf, size, "%s", mnl_attr_get_str(attr));
                else if (type == NLMSGERR_ATTR_OFFS && ret_off && mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
                        *ret_off = mnl_attr_get_u32(attr);
        }
}

typedef struct TalkState {
        uint32_t seq, portid;
        bool done, interrupted;
        int error;
} TalkState;

static int talk_handle(
        TalkState *t, const void *buf, int len, NftReplyCallback cb, void *userdata, char *extack,
        size_t extack_size) {
        for (const struct nlmsghdr *nlh = buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
                if (nlh->nlmsg_seq != t->seq || (nlh->nlmsg_pid != 0 && nlh->nlmsg_pid != t->portid))
                        continue; /* not ours: a late reply to nothing we are waiting for */
                if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
                        t->interrupted = true;
                if (nlh->nlmsg_type == NLMSG_DONE) {
                        if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
                                int e = *(const int *)mnl_nlmsg_get_payload(nlh);
                                if (e < 0 && t->error == 0)
                                        t->error = e;
                        }
                        t->done = true;
                } else if (nlh->nlmsg_type == NLMSG_ERROR) {
                        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

                        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
                                return -EBADMSG;
                        if (err->error != 0 && t->error == 0) {
                                t->error = err->error < 0 ? err->error : -err->error;
                                nft_parse_extack(nlh, extack, extack_size, NULL);
                        }
                        t->done = true;
                } else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && t->error == 0 && cb) {
                        int r = cb(nlh, userdata);
                        if (r < 0)
                                t->error = r;
                }
                if (t->done)
                        break;
        }
        return 0;
}

int nft_talk(
        struct mnl_socket *nl, struct nlmsghdr *req, NftReplyCallback cb, void *userdata, char *extack,
        size_t extack_size) {
        _cleanup_free_ char *buf = NULL;
        TalkState t = {.seq = seq_reserve(1), .portid = mnl_socket_get_portid(nl)};
        struct pollfd pfd = {.fd = mnl_socket_get_fd(nl), .events = POLLIN};

        if (extack && extack_size > 0)
                extack[0] = '\0';
        buf = malloc(NFT_RECV_BUFSIZE);
        if (!buf)
                return -ENOMEM;
        req->nlmsg_seq = t.seq;
        if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
                return negative_errno();

        while (!t.done) {
                ssize_t n;
                int r = poll(&pfd, 1, NFT_REPLY_TIMEOUT_MS);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (r == 0)
                        return -ETIMEDOUT;
                n = mnl_socket_recvfrom(nl, buf, NFT_RECV_BUFSIZE);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return negative_errno();
                }
                r = talk_handle(&t, buf, (int)n, cb, userdata, extack, extack_size);
                if (r < 0)
                        return r;
        }
        if (t.error < 0)
                return t.error;
        return t.interrupted ? -EINTR : 0;
}

/* --- batches --- */

void nft_batch_done(NftBatch *b) {
        for (size_t i = 0; i < b->n_msgs; i++) {
                free(b->msgs[i].elem_off);
                free(b->msgs[i].elem_idx);
        }
        free(b->msgs);
        if (b->nb)
                nftnl_batch_free(b->nb);
        *b = (NftBatch){};
}

static int batch_delimiter(NftBatch *b, uint16_t type, uint32_t seq, uint32_t genid) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(nftnl_batch_buffer(b->nb));
        struct nfgenmsg *nfg;

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST;
        nlh->nlmsg_seq = seq;
        nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
        nfg->nfgen_family = AF_UNSPEC;
        nfg->version = NFNETLINK_V0;
        nfg->res_id = htons(NFNL_SUBSYS_NFTABLES);
        if (genid != 0)
                mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
        return nftnl_batch_update(b->nb) < 0 ? -ENOMEM : 0;
}

int nft_batch_begin(NftBatch *b, uint32_t genid) {
        *b = (NftBatch){.seq0 = seq_reserve(NFT_BATCH_SEQ_WINDOW)};
        b->nb = nftnl_batch_alloc(NFT_BATCH_PAGE_SIZE, NFT_BATCH_MSG_MAX);
        if (!b->nb)
                return -ENOMEM;
        return batch_delimiter(b, NFNL_MSG_BATCH_BEGIN, b->seq0, genid);
}

struct nlmsghdr *nft_batch_msg(NftBatch *b, uint16_t type, uint16_t flags, const char *fmt, ...) {
        NftMsgInfo *m;
        va_list ap;

        if (b->n_msgs + 2 >= NFT_BATCH_SEQ_WINDOW)
                return NULL;
        if (b->n_msgs == b->allocated) {
                size_t n = b->allocated ? b->allocated * 2 : 256;
                NftMsgInfo *p = reallocarray(b->msgs, n, sizeof(NftMsgInfo));
                if (!p)
                        return NULL;
                b->msgs = p;
                b->allocated = n;
        }
        m = &b->msgs[b->n_msgs++];
        *m = (NftMsgInfo){};
        va_start(ap, fmt);
        vsnprintf(m->what, sizeof(m->what), fmt, ap);
        va_end(ap);
        /* libmnl 1.0.4 leaves attribute padding as it finds it, and libnftnl puts some strings
         * without their NUL: zero the room of the next message (each page has NFT_BATCH_MSG_MAX
         * bytes past its fill line) so what nft_verify() parses back is exactly what was sent. */
        memset(nftnl_batch_buffer(b->nb), 0, NFT_BATCH_MSG_MAX);
        return nftnl_nlmsg_build_hdr(
                nftnl_batch_buffer(b->nb), type, NFPROTO_INET, flags | NLM_F_ACK,
                b->seq0 + (uint32_t)b->n_msgs);
}

NftMsgInfo *nft_batch_last(NftBatch *b) {
        return b->n_msgs > 0 ? &b->msgs[b->n_msgs - 1] : NULL;
}

int nft_batch_end(NftBatch *b) {
        return batch_delimiter(b, NFNL_MSG_BATCH_END, b->seq0 + (uint32_t)b->n_msgs + 1, 0);
}

int nft_batch_next(NftBatch *b) {
        return nftnl_batch_update(b->nb) < 0 ? -ENOMEM : 0;
}

static void format_addr(unsigned addr_len, const uint8_t *a, char *buf, size_t size) {
        if (!inet_ntop(addr_len == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)size))
                snprintf(buf, size, "?");
}

const char *nft_format_elem(SetKey key, const SetElem *e, char *buf, size_t size) {
        NftKeyLayout l = nft_key_layout(key);
        char first[INET6_ADDRSTRLEN], last[INET6_ADDRSTRLEN];

        format_addr(l.addr_len, e->addr_first, first, sizeof(first));
        format_addr(l.addr_len, e->addr_last, last, sizeof(last));
        if (!l.concat)
                snprintf(buf, size, "%s-%s", first, last);
        else
                snprintf(
                        buf, size, "%s-%s . %u-%u . %u-%u", first, last, e->proto_first, e->proto_last,
                        e->port_first, e->port_last);
        return buf;
}
