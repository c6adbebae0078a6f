/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Talking to nf_tables: socket, requests and dumps, batch transport, errors; and reading table inet
 * rcc back (its comment, its counters, the elements of its dynamic sets). Every exchange is read
 * to its end (acknowledgement, end of dump, or every acknowledgement of a batch) on a socket the
 * caller opened for this one operation, so nothing is ever left behind for the next exchange.
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
#include <sys/uio.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-query.h"

#define NFT_REPLY_TIMEOUT_MS 10000
#define NFT_DUMP_RETRIES 3
/* A batch page, and how far one message may run past its end: an attribute nest holds at most
 * 64 KiB, so no message is larger. A few hundred accounts fit in a handful of pages. */
#define NFT_BATCH_PAGE_SIZE (256u * 1024)
#define NFT_BATCH_MSG_MAX (UINT16_MAX + 4096u)
/* Sequence numbers a batch may use: BEGIN, its messages, END. */
#define NFT_BATCH_SEQ_WINDOW (1u << 24)
#define NFT_REQ_BUFSIZE 1024 /* a GET request: a header and a name or two */

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_table *, nftnl_table_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_set *, nftnl_set_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_obj *, nftnl_obj_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_gen *, nftnl_gen_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_set_elems_iter *, nftnl_set_elems_iter_destroy);

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

/* The kernel's explanation (NLMSGERR_ATTR_MSG) of an error acknowledgement into buf ("" if none),
 * and the offset of the attribute it blames (NLMSGERR_ATTR_OFFS, 0 if none) into *ret_off. */
static void parse_extack(const struct nlmsghdr *nlh, char *buf, size_t size, uint32_t *ret_off) {
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
                                parse_extack(nlh, extack, extack_size, NULL);
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

int nft_batch_next(NftBatch *b) {
        return nftnl_batch_update(b->nb) < 0 ? -ENOMEM : 0;
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
                        parse_extack(nlh, a->batch_extack, sizeof(a->batch_extack), NULL);
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
                parse_extack(nlh, a->extack, sizeof(a->extack), &a->error_off);
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

static int report_error(const NftBatch *b, const AckState *a, RccDiag *diag) {
        const NftMsgInfo *m = &b->msgs[a->error_msg];
        char what[sizeof(m->what) + NFT_ELEM_STRLEN + 64], elem[NFT_ELEM_STRLEN];
        size_t j = m->n_elems;

        /* The extended ack points at the element the kernel refused: find it in the message. */
        while (a->error_off != 0 && j > 0 && m->elem_off[j - 1] > a->error_off)
                j--;
        if (a->error_off != 0 && j > 0 && m->set)
                snprintf(
                        what, sizeof(what), "element %u (%s) of set %s", m->elem_idx[j - 1] + 1,
                        nft_format_elem(m->set->key, &m->set->elems[m->elem_idx[j - 1]], elem, sizeof(elem)),
                        m->set->name);
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

        r = batch_delimiter(b, NFNL_MSG_BATCH_END, b->seq0 + (uint32_t)b->n_msgs + 1, 0);
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
                return report_error(b, &a, diag);
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

/* --- reading table inet rcc --- */

static int gen_cb(const struct nlmsghdr *nlh, void *userdata) {
        _cleanup_(nftnl_gen_freep) struct nftnl_gen *gen = nftnl_gen_alloc();

        if (!gen)
                return -ENOMEM;
        if (nftnl_gen_nlmsg_parse(nlh, gen) < 0)
                return -EBADMSG;
        *(uint32_t *)userdata = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
        return 0;
}

int nft_query_genid(struct mnl_socket *nl, uint32_t *ret_genid, RccDiag *diag) {
        char req[NFT_REQ_BUFSIZE] = {}, extack[256];
        struct nlmsghdr *nlh;
        uint32_t genid = 0;
        int r;

        nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, 0);
        r = nft_talk(nl, nlh, gen_cb, &genid, extack, sizeof(extack));
        if (r < 0)
                return nft_diag_errno(diag, r, "reading the ruleset generation", extack);
        *ret_genid = genid;
        return 0;
}

typedef struct CommentReply {
        char *buf;
        size_t size;
} CommentReply;

static int comment_udata_cb(const struct nftnl_udata *attr, void *userdata) {
        CommentReply *c = userdata;
        const char *value = nftnl_udata_get(attr);
        uint8_t len = nftnl_udata_len(attr);

        if (nftnl_udata_type(attr) != NFTNL_UDATA_TABLE_COMMENT || len == 0 || value[len - 1] != '\0')
                return 0;
        snprintf(c->buf, c->size, "%s", value);
        return 0;
}

int nft_table_comment(const struct nftnl_table *t, char *buf, size_t size) {
        CommentReply c = {.buf = buf, .size = size};
        const void *udata;
        uint32_t len = 0;

        buf[0] = '\0';
        udata = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
        if (udata && len > 0 && nftnl_udata_parse(udata, len, comment_udata_cb, &c) < 0)
                return -EBADMSG;
        return 0;
}

static int table_cb(const struct nlmsghdr *nlh, void *userdata) {
        _cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();
        CommentReply *c = userdata;

        if (!t)
                return -ENOMEM;
        if (nftnl_table_nlmsg_parse(nlh, t) < 0)
                return -EBADMSG;
        return nft_table_comment(t, c->buf, c->size);
}

int nft_query_comment(struct mnl_socket *nl, char *buf, size_t size, RccDiag *diag) {
        _cleanup_(nftnl_table_freep) struct nftnl_table *t = NULL;
        char req[NFT_REQ_BUFSIZE] = {}, extack[256];
        CommentReply c = {.buf = buf, .size = size};
        struct nlmsghdr *nlh;
        int r;

        t = nftnl_table_alloc();
        if (!t)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, RCC_TABLE);
        nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK, 0);
        nftnl_table_nlmsg_build_payload(nlh, t);

        buf[0] = '\0';
        r = nft_talk(nl, nlh, table_cb, &c, extack, sizeof(extack));
        if (r == -ENOENT)
                return r;
        if (r < 0)
                return nft_diag_errno(diag, r, "reading table inet " RCC_TABLE, extack);
        return 0;
}

static int elems_cb(const struct nlmsghdr *nlh, void *userdata) {
        return nftnl_set_elems_nlmsg_parse(nlh, userdata) < 0 ? -EBADMSG : 0;
}

/* Turn one kernel element of a concatenated set back into a SetElem. */
static int decode_concat_elem(struct nftnl_set_elem *e, NftKeyLayout l, SetElem *ret) {
        const uint8_t *key, *key_end;
        uint32_t key_len = 0, end_len = 0;
        uint16_t port;

        key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &key_len);
        key_end = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &end_len);
        if (!key || key_len != l.key_len)
                return -EBADMSG;
        if (!key_end) { /* a single value in every field */
                key_end = key;
                end_len = key_len;
        }
        if (end_len != l.key_len)
                return -EBADMSG;

        *ret = (SetElem){};
        memcpy(ret->addr_first, key, l.addr_len);
        memcpy(ret->addr_last, key_end, l.addr_len);
        ret->proto_first = key[l.addr_len];
        ret->proto_last = key_end[l.addr_len];
        memcpy(&port, key + l.addr_len + 4, sizeof(port));
        ret->port_first = ntohs(port);
        memcpy(&port, key_end + l.addr_len + 4, sizeof(port));
        ret->port_last = ntohs(port);
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT))
                ret->timeout_ms = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION)
                                          ? nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_EXPIRATION)
                                          : nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_TIMEOUT);
        return 0;
}

static int collect_elems(struct nftnl_set *s, NftKeyLayout l, SetElem **ret, size_t *ret_n) {
        _cleanup_(nftnl_set_elems_iter_destroyp) struct nftnl_set_elems_iter *it = NULL;
        _cleanup_free_ SetElem *elems = NULL;
        size_t n = 0, allocated = 0;

        it = nftnl_set_elems_iter_create(s);
        if (!it)
                return -ENOMEM;
        for (struct nftnl_set_elem *e; (e = nftnl_set_elems_iter_next(it));) {
                int r;

                if (n == allocated) {
                        size_t m = allocated ? allocated * 2 : 64;
                        SetElem *p = reallocarray(elems, m, sizeof(SetElem));
                        if (!p)
                                return -ENOMEM;
                        elems = p;
                        allocated = m;
                }
                r = decode_concat_elem(e, l, &elems[n]);
                if (r < 0)
                        return r;
                n++;
        }
        *ret = n > 0 ? TAKE_PTR(elems) : NULL;
        *ret_n = n;
        return 0;
}

int nft_query_set_elems(
        struct mnl_socket *nl, const RulesetSet *set, SetElem **ret, size_t *ret_n, RccDiag *diag) {
        NftKeyLayout l = nft_key_layout(set->key);
        char req[NFT_REQ_BUFSIZE] = {}, extack[256], what[RCC_NAME_MAX + 32];
        int r = -EINTR;

        snprintf(what, sizeof(what), "reading the elements of set %s", set->name);
        if (!l.concat)
                return diag_set(
                        diag, -EOPNOTSUPP, NULL, 0, 0,
                        "nftables: %s: only addr . proto . port sets can be read back", what);

        for (unsigned attempt = 0; attempt < NFT_DUMP_RETRIES && r == -EINTR; attempt++) {
                _cleanup_(nftnl_set_freep) struct nftnl_set *s = nftnl_set_alloc();
                struct nlmsghdr *nlh;

                if (!s)
                        return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
                nftnl_set_set_str(s, NFTNL_SET_TABLE, RCC_TABLE);
                nftnl_set_set_str(s, NFTNL_SET_NAME, set->name);
                nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
                nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, 0);
                nftnl_set_elems_nlmsg_build_payload(nlh, s);

                r = nft_talk(nl, nlh, elems_cb, s, extack, sizeof(extack));
                if (r == 0)
                        r = collect_elems(s, l, ret, ret_n);
        }
        if (r < 0)
                return nft_diag_errno(diag, r, what, extack);
        return 0;
}

typedef struct CounterReply {
        NftCounter *counters;
        size_t n, allocated;
} CounterReply;

static int obj_cb(const struct nlmsghdr *nlh, void *userdata) {
        _cleanup_(nftnl_obj_freep) struct nftnl_obj *o = nftnl_obj_alloc();
        CounterReply *c = userdata;
        const char *table, *name;

        if (!o)
                return -ENOMEM;
        if (nftnl_obj_nlmsg_parse(nlh, o) < 0)
                return -EBADMSG;
        table = nftnl_obj_get_str(o, NFTNL_OBJ_TABLE);
        name = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
        if (!table || !name || strcmp(table, RCC_TABLE) != 0 ||
            nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) != NFT_OBJECT_COUNTER)
                return 0;

        if (c->n == c->allocated) {
                size_t m = c->allocated ? c->allocated * 2 : 16;
                NftCounter *p = reallocarray(c->counters, m, sizeof(NftCounter));
                if (!p)
                        return -ENOMEM;
                c->counters = p;
                c->allocated = m;
        }
        c->counters[c->n] = (NftCounter){
                .packets = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS),
                .bytes = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES),
        };
        snprintf(c->counters[c->n].name, sizeof(c->counters[c->n].name), "%s", name);
        c->n++;
        return 0;
}

static int query_counters(struct mnl_socket *nl, NftCounter **ret, size_t *ret_n, RccDiag *diag) {
        char req[NFT_REQ_BUFSIZE] = {}, extack[256];
        int r = -EINTR;

        for (unsigned attempt = 0; attempt < NFT_DUMP_RETRIES && r == -EINTR; attempt++) {
                _cleanup_(nftnl_obj_freep) struct nftnl_obj *o = nftnl_obj_alloc();
                CounterReply c = {};
                struct nlmsghdr *nlh;

                if (!o)
                        return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
                nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, RCC_TABLE);
                nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
                nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETOBJ, NFPROTO_INET, NLM_F_DUMP, 0);
                nftnl_obj_nlmsg_build_payload(nlh, o);

                r = nft_talk(nl, nlh, obj_cb, &c, extack, sizeof(extack));
                if (r < 0) {
                        free(c.counters);
                        continue;
                }
                *ret = c.counters;
                *ret_n = c.n;
        }
        if (r < 0)
                return nft_diag_errno(diag, r, "reading the counters of table inet " RCC_TABLE, extack);
        return 0;
}

int nft_status(NftStatus *ret, RccDiag *diag) {
        _cleanup_(nft_socket_closep) struct mnl_socket *nl = NULL;
        NftStatus s = {};
        int r;

        r = nft_socket_open(&nl, diag);
        if (r < 0)
                return r;
        r = nft_query_comment(nl, s.comment, sizeof(s.comment), diag);
        if (r == -ENOENT) {
                *ret = s;
                return 0;
        }
        if (r < 0)
                return r;
        s.loaded = true;
        r = query_counters(nl, &s.counters, &s.n_counters, diag);
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}

void nft_status_done(NftStatus *s) {
        if (!s)
                return;
        free(s->counters);
        *s = (NftStatus){};
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
