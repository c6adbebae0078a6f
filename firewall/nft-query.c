/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading table inet rcc back: the ruleset generation, the table's comment, the elements of its
 * dynamic sets, its counters. Every exchange is read to its end on a socket the caller opened for
 * this one operation, so nothing is ever left behind for the next exchange.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
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

#define NFT_DUMP_RETRIES 3
#define NFT_REQ_BUFSIZE 1024 /* a GET request: a header and a name or two */

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_table *, nftnl_table_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_set *, nftnl_set_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_obj *, nftnl_obj_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_gen *, nftnl_gen_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_set_elems_iter *, nftnl_set_elems_iter_destroy);

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
        NftTableInfo *info = userdata;

        if (!t)
                return -ENOMEM;
        if (nftnl_table_nlmsg_parse(nlh, t) < 0)
                return -EBADMSG;
        if (nftnl_table_is_set(t, NFTNL_TABLE_FLAGS))
                info->flags = nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS);
        /* The kernel reports an owner only while the table has one (not for an orphaned table). */
        if ((info->flags & NFT_TABLE_F_OWNER) && nftnl_table_is_set(t, NFTNL_TABLE_OWNER))
                info->owner = nftnl_table_get_u32(t, NFTNL_TABLE_OWNER);
        return nft_table_comment(t, info->comment, sizeof(info->comment));
}

int nft_query_table(struct mnl_socket *nl, NftTableInfo *ret, RccDiag *diag) {
        _cleanup_(nftnl_table_freep) struct nftnl_table *t = NULL;
        char req[NFT_REQ_BUFSIZE] = {}, extack[256];
        NftTableInfo info = {};
        struct nlmsghdr *nlh;
        int r;

        t = nftnl_table_alloc();
        if (!t)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, RCC_TABLE);
        nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK, 0);
        nftnl_table_nlmsg_build_payload(nlh, t);

        r = nft_talk(nl, nlh, table_cb, &info, extack, sizeof(extack));
        if (r == -ENOENT)
                return r;
        if (r < 0)
                return nft_diag_errno(diag, r, "reading table inet " RCC_TABLE, extack);
        *ret = info;
        return 0;
}

int nft_query_comment(struct mnl_socket *nl, char *buf, size_t size, RccDiag *diag) {
        NftTableInfo info;
        int r;

        buf[0] = '\0';
        r = nft_query_table(nl, &info, diag);
        if (r < 0)
                return r;
        snprintf(buf, size, "%s", info.comment);
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
        r = nft_query_table(nl, &s.table, diag);
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
