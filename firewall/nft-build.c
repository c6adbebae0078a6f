/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ruleset -> the messages of one nf_tables transaction (the table, counters, sets and elements
 * here, the rules in nft-rules.c). Pure: it fills a batch and sends nothing; nft-apply.c commits
 * what it builds, nft-verify.c compares it with the kernel's table.
 *
 * The objects are exactly those `nft -f` creates from render.c's text: the same set flags, key
 * types and the userdata nft prints a set's type from, the same interval encoding, expressions
 * and registers, created in the same order. `nft list table inet rcc` cannot tell the two apart;
 * tests/integration/test-nft-batch.c checks that, attribute by attribute.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-build.h"

/* Elements per NEWSETELEM: 256 of the largest kind (ip6 . proto . port with end key, timeout and
 * userdata, ~120 bytes each) stay far below the 64 KiB an attribute nest can hold. */
#define ELEMS_PER_MSG 256u

/* nft's data type numbers (its src/datatype.h), stored as the set key type: nft prints a set's
 * type from them. A concatenation packs one 6-bit type per field, the first field highest. */
enum {
        NFT_DTYPE_IPADDR = 7,
        NFT_DTYPE_IP6ADDR = 8,
        NFT_DTYPE_INET_PROTOCOL = 12,
        NFT_DTYPE_INET_SERVICE = 13,
        NFT_DTYPE_UID = 24,
};
#define NFT_DTYPE_BITS 6
/* nft's byte order tags in set userdata, and its expression type number of a concatenation. */
enum {
        NFT_UD_BYTEORDER_INVALID = 0,
        NFT_UD_BYTEORDER_HOST = 1,
        NFT_UD_BYTEORDER_BIG = 2,
};
#define NFT_UD_EXPR_CONCAT 13

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_table *, nftnl_table_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_chain *, nftnl_chain_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_set *, nftnl_set_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_obj *, nftnl_obj_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nftnl_udata_buf *, nftnl_udata_buf_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(Arena *, arena_free);

/* --- tables, counters, sets, chains --- */

int nft_add_table(NftBatch *b, uint16_t type, uint16_t flags, uint32_t table_flags, const char *comment) {
        _cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();
        _cleanup_(nftnl_udata_buf_freep) struct nftnl_udata_buf *ud = NULL;
        struct nlmsghdr *nlh;

        if (!t || nftnl_table_set_str(t, NFTNL_TABLE_NAME, RCC_TABLE) < 0)
                return -ENOMEM;
        if (type == NFT_MSG_NEWTABLE && table_flags != NFT_TABLE_FLAGS_KEEP)
                nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, table_flags);
        if (comment) {
                ud = nftnl_udata_buf_alloc(UINT8_MAX);
                if (!ud || !nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, comment) ||
                    nftnl_table_set_data(
                            t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud)) < 0)
                        return -ENOMEM;
        }
        nlh = nft_batch_msg(b, type, flags, "table inet %s", RCC_TABLE);
        if (!nlh)
                return -ENOMEM;
        nftnl_table_nlmsg_build_payload(nlh, t);
        return nft_batch_next(b);
}

static int add_counter(NftBatch *b, const char *name) {
        _cleanup_(nftnl_obj_freep) struct nftnl_obj *o = nftnl_obj_alloc();
        struct nlmsghdr *nlh;

        if (!o)
                return -ENOMEM;
        nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, RCC_TABLE);
        nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
        nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
        nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_PKTS, 0);
        nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_BYTES, 0);
        if (!nftnl_obj_is_set(o, NFTNL_OBJ_NAME))
                return -ENOMEM;
        nlh = nft_batch_msg(b, NFT_MSG_NEWOBJ, NLM_F_CREATE, "counter %s", name);
        if (!nlh)
                return -ENOMEM;
        nftnl_obj_nlmsg_build_payload(nlh, o);
        return nft_batch_next(b);
}

/* What nft keeps in a set's userdata: the key's byte order (it decides how elements print), for a
 * concatenation the "typeof" marker nft writes for it, for a map the data's byte order. */
static int set_userdata(struct nftnl_set *s, SetKey key, bool map) {
        _cleanup_(nftnl_udata_buf_freep) struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(UINT8_MAX);
        bool ok;

        if (!ud)
                return -ENOMEM;
        if (map)
                ok = nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, NFT_UD_BYTEORDER_HOST) &&
                     nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER, NFT_UD_BYTEORDER_INVALID) &&
                     nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATA_INTERVAL, 0);
        else if (nft_key_layout(key).concat) {
                struct nftnl_udata *typeof_nest, *data_nest;

                ok = nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, NFT_UD_BYTEORDER_INVALID);
                typeof_nest = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_KEY_TYPEOF);
                ok = ok && typeof_nest &&
                     nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR, NFT_UD_EXPR_CONCAT);
                data_nest = ok ? nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA) : NULL;
                ok = ok && data_nest;
                if (ok) {
                        nftnl_udata_nest_end(ud, data_nest);
                        nftnl_udata_nest_end(ud, typeof_nest);
                }
        } else
                ok = nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, NFT_UD_BYTEORDER_BIG);
        if (!ok ||
            nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud)) < 0)
                return -ENOMEM;
        return 0;
}

static struct nftnl_set *set_new(const char *name, uint32_t id) {
        struct nftnl_set *s = nftnl_set_alloc();

        if (!s)
                return NULL;
        if (nftnl_set_set_str(s, NFTNL_SET_TABLE, RCC_TABLE) < 0 ||
            nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0) {
                nftnl_set_free(s);
                return NULL;
        }
        nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
        nftnl_set_set_u32(s, NFTNL_SET_ID, id);
        return s;
}

static int add_set(NftBatch *b, const RulesetSet *set, uint32_t id) {
        _cleanup_(nftnl_set_freep) struct nftnl_set *s = set_new(set->name, id);
        NftKeyLayout l = nft_key_layout(set->key);
        uint32_t addr_type = l.addr_len == 4 ? NFT_DTYPE_IPADDR : NFT_DTYPE_IP6ADDR;
        struct nlmsghdr *nlh;
        int r;

        if (!s)
                return -ENOMEM;
        nftnl_set_set_u32(
                s, NFTNL_SET_FLAGS,
                NFT_SET_INTERVAL | (l.concat ? NFT_SET_CONCAT : 0) |
                        (set->has_timeout ? NFT_SET_TIMEOUT : 0));
        nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, l.key_len);
        if (l.concat) {
                const uint8_t field_len[] = {(uint8_t)l.addr_len, 1, 2};

                nftnl_set_set_u32(
                        s, NFTNL_SET_KEY_TYPE,
                        addr_type << (2 * NFT_DTYPE_BITS) | NFT_DTYPE_INET_PROTOCOL << NFT_DTYPE_BITS |
                                NFT_DTYPE_INET_SERVICE);
                if (nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, field_len, sizeof(field_len)) < 0)
                        return -ENOMEM;
        } else
                nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, addr_type);
        r = set_userdata(s, set->key, false);
        if (r < 0)
                return r;

        nlh = nft_batch_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE, "set %s", set->name);
        if (!nlh)
                return -ENOMEM;
        nftnl_set_nlmsg_build_payload(nlh, s);
        return nft_batch_next(b);
}

static int add_accounts_map(NftBatch *b) {
        _cleanup_(nftnl_set_freep) struct nftnl_set *s = set_new(NFT_ACCOUNTS_MAP, NFT_ACCOUNTS_MAP_ID);
        struct nlmsghdr *nlh;
        int r;

        if (!s)
                return -ENOMEM;
        nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
        nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_DTYPE_UID);
        nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sizeof(uint32_t));
        nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
        nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 0);
        r = set_userdata(s, SET_KEY_IPV4, true);
        if (r < 0)
                return r;

        nlh = nft_batch_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE, "map %s", NFT_ACCOUNTS_MAP);
        if (!nlh)
                return -ENOMEM;
        nftnl_set_nlmsg_build_payload(nlh, s);
        return nft_batch_next(b);
}

static int add_chain(NftBatch *b, const char *name, bool output_hook) {
        _cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();
        struct nlmsghdr *nlh;

        if (!c || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, RCC_TABLE) < 0 ||
            nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name) < 0)
                return -ENOMEM;
        nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
        if (output_hook) {
                if (nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter") < 0)
                        return -ENOMEM;
                nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_OUT);
                nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
                nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
        }
        nlh = nft_batch_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, "chain %s", name);
        if (!nlh)
                return -ENOMEM;
        nftnl_chain_nlmsg_build_payload(nlh, c);
        return nft_batch_next(b);
}

/* --- set elements, a few hundred per message --- */

typedef struct ElemSink {
        NftBatch *b;
        const char *set_name;
        const RulesetSet *set; /* NULL: the accounts map */
        uint32_t set_id;       /* 0: an existing set, refer to it by name only */
        bool delete;           /* DELSETELEM of these elements (keys only) instead of NEWSETELEM */
        struct nftnl_set_elem *elems[ELEMS_PER_MSG];
        uint32_t idx[ELEMS_PER_MSG]; /* which SetElem (or account) each one encodes */
        size_t n;
} ElemSink;

static int sink_flush(ElemSink *k) {
        _cleanup_free_ uint32_t *off = NULL, *idx = NULL;
        struct nlattr *list;
        struct nlmsghdr *nlh;
        NftMsgInfo *m;
        int r = -ENOMEM;

        if (k->n == 0)
                return 0;
        off = calloc(k->n, sizeof(uint32_t));
        idx = calloc(k->n, sizeof(uint32_t));
        nlh = off && idx ? nft_batch_msg(
                                   k->b, k->delete ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
                                   k->delete ? 0 : NLM_F_CREATE, "%s %s (%s elements %u-%u)",
                                   k->set ? "set" : "map", k->set_name, k->delete ? "deleting" : "adding",
                                   k->idx[0] + 1, k->idx[k->n - 1] + 1)
                         : NULL;
        if (nlh) {
                mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, RCC_TABLE);
                mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, k->set_name);
                if (k->set_id != 0)
                        mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID, htonl(k->set_id));
                list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
                for (size_t i = 0; i < k->n; i++) {
                        /* Numbered like libnftnl (and so nft) numbers them; the kernel ignores it. */
                        struct nlattr *e = mnl_attr_nest_start(nlh, (uint16_t)(i + 1));

                        off[i] = (uint32_t)((char *)e - (char *)nlh);
                        idx[i] = k->idx[i];
                        nftnl_set_elem_nlmsg_build_payload(nlh, k->elems[i]);
                        mnl_attr_nest_end(nlh, e);
                }
                mnl_attr_nest_end(nlh, list);
                m = nft_batch_last(k->b);
                m->set = k->set;
                m->n_elems = (uint32_t)k->n;
                m->elem_off = TAKE_PTR(off);
                m->elem_idx = TAKE_PTR(idx);
                r = nft_batch_next(k->b);
        }
        for (size_t i = 0; i < k->n; i++)
                nftnl_set_elem_free(k->elems[i]);
        k->n = 0;
        return r;
}

static int sink_push(ElemSink *k, struct nftnl_set_elem *e, size_t idx) {
        if (!e)
                return -ENOMEM;
        k->elems[k->n] = e;
        k->idx[k->n] = (uint32_t)idx;
        if (++k->n == ELEMS_PER_MSG)
                return sink_flush(k);
        return 0;
}

static struct nftnl_set_elem *elem_new(const void *key, uint32_t len, uint32_t flags, uint64_t timeout_ms) {
        struct nftnl_set_elem *e = nftnl_set_elem_alloc();

        if (!e)
                return NULL;
        if (nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len) < 0) {
                nftnl_set_elem_free(e);
                return NULL;
        }
        if (flags != 0)
                nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
        if (timeout_ms != 0)
                nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, timeout_ms);
        return e;
}

/* nft marks an interval that runs to the top of the address space (and so has no end element) in
 * the element's userdata. */
static struct nftnl_set_elem *elem_mark_open(struct nftnl_set_elem *e) {
        _cleanup_(nftnl_udata_buf_freep) struct nftnl_udata_buf *ud = NULL;

        if (!e)
                return NULL;
        ud = nftnl_udata_buf_alloc(UINT8_MAX);
        if (!ud || !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_ELEM_FLAGS, NFTNL_SET_ELEM_F_INTERVAL_OPEN) ||
            nftnl_set_elem_set(
                    e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud)) < 0) {
                nftnl_set_elem_free(e);
                return NULL;
        }
        return e;
}

/* Big-endian increment; false when addr was all ones (and wrapped to zero). */
static bool addr_increment(uint8_t *addr, size_t len) {
        for (size_t i = len; i > 0; i--)
                if (++addr[i - 1] != 0)
                        return true;
        return false;
}

/* An rbtree interval set holds boundaries, as nft encodes them: an end element at 0 when the first
 * range does not start there, then per range its start and (unless it runs to the top, which is
 * marked open instead) an end element one past its last address. */
static int push_interval_elems(ElemSink *k, const RulesetSet *set) {
        static const uint8_t zero[16];
        unsigned len = nft_key_layout(set->key).addr_len;
        int r = 0;

        for (size_t i = 0; i < set->n_elems && r >= 0; i++) {
                const SetElem *x = &set->elems[i];
                uint8_t end[16];
                bool open;

                if (i == 0 && memcmp(x->addr_first, zero, len) != 0) {
                        r = sink_push(k, elem_new(zero, len, NFT_SET_ELEM_INTERVAL_END, 0), i);
                        if (r < 0)
                                break;
                }
                memcpy(end, x->addr_last, len);
                open = !addr_increment(end, len);
                if (open)
                        r = sink_push(k, elem_mark_open(elem_new(x->addr_first, len, 0, x->timeout_ms)), i);
                else {
                        r = sink_push(k, elem_new(x->addr_first, len, 0, x->timeout_ms), i);
                        if (r >= 0)
                                r = sink_push(k, elem_new(end, len, NFT_SET_ELEM_INTERVAL_END, 0), i);
                }
        }
        return r;
}

static void concat_key(const SetElem *x, NftKeyLayout l, bool last, uint8_t *key) {
        uint16_t port = htons(last ? x->port_last : x->port_first);

        memset(key, 0, l.key_len);
        memcpy(key, last ? x->addr_last : x->addr_first, l.addr_len);
        key[l.addr_len] = last ? x->proto_last : x->proto_first;
        memcpy(key + l.addr_len + 4, &port, sizeof(port));
}

/* A concatenated (pipapo) set takes each element as one [key, key_end] range. */
static int push_concat_elems(ElemSink *k, const RulesetSet *set) {
        NftKeyLayout l = nft_key_layout(set->key);
        int r = 0;

        for (size_t i = 0; i < set->n_elems && r >= 0; i++) {
                uint8_t key[32], key_end[32];
                struct nftnl_set_elem *e;

                concat_key(&set->elems[i], l, false, key);
                concat_key(&set->elems[i], l, true, key_end);
                e = elem_new(key, l.key_len, 0, k->delete ? 0 : set->elems[i].timeout_ms);
                if (e && nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, key_end, l.key_len) < 0) {
                        nftnl_set_elem_free(e);
                        e = NULL;
                }
                r = sink_push(k, e, i);
        }
        return r;
}

/* Send what is left in the sink unless r already failed, then free its elements either way. */
static int sink_finish(ElemSink *k, int r) {
        if (r >= 0)
                r = sink_flush(k);
        for (size_t i = 0; i < k->n; i++)
                nftnl_set_elem_free(k->elems[i]);
        return r;
}

int nft_add_set_elems(NftBatch *b, const RulesetSet *set, uint32_t set_id) {
        ElemSink k = {.b = b, .set_name = set->name, .set = set, .set_id = set_id};
        int r;

        r = nft_key_layout(set->key).concat ? push_concat_elems(&k, set) : push_interval_elems(&k, set);
        return sink_finish(&k, r);
}

static int add_account_elems(NftBatch *b, const Ruleset *rs) {
        ElemSink k = {.b = b, .set_name = NFT_ACCOUNTS_MAP, .set_id = NFT_ACCOUNTS_MAP_ID};
        int r = 0;

        for (size_t i = 0; i < rs->n_accounts && r >= 0; i++) {
                uint32_t uid = (uint32_t)rs->accounts[i].uid; /* the key is in host byte order */
                struct nftnl_set_elem *e = elem_new(&uid, sizeof(uid), 0, 0);

                if (e) {
                        nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
                        if (nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, rs->accounts[i].chain) < 0) {
                                nftnl_set_elem_free(e);
                                e = NULL;
                        }
                }
                r = sink_push(&k, e, i);
        }
        return sink_finish(&k, r);
}

/* Delete exactly the elements of gone, a concatenated (pipapo) set's as the kernel reported them. */
int nft_del_set_elems(NftBatch *b, const RulesetSet *gone) {
        ElemSink k = {.b = b, .set_name = gone->name, .set = gone, .delete = true};

        if (!nft_key_layout(gone->key).concat)
                return -EINVAL; /* only the hosts sets have timeouts, and they are concatenations */
        return sink_finish(&k, push_concat_elems(&k, gone));
}

int nft_add_flush(NftBatch *b, const RulesetSet *set) {
        struct nlmsghdr *nlh = nft_batch_msg(b, NFT_MSG_DELSETELEM, 0, "set %s (flushing it)", set->name);

        if (!nlh)
                return -ENOMEM;
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, RCC_TABLE);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set->name);
        return nft_batch_next(b);
}

/* --- the whole table --- */

int nft_validate_set(const RulesetSet *s, RccDiag *diag) {
        NftKeyLayout l = nft_key_layout(s->key);
        char buf[NFT_ELEM_STRLEN];

        if (l.key_len == 0 || s->name[0] == '\0' || (s->n_elems > 0 && !s->elems))
                return diag_set(diag, -EINVAL, NULL, 0, 0, "internal error: set '%s' is malformed", s->name);
        for (size_t i = 0; i < s->n_elems; i++) {
                const SetElem *x = &s->elems[i];
                const char *why = NULL;

                if (memcmp(x->addr_first, x->addr_last, l.addr_len) > 0 ||
                    (l.concat && (x->proto_first > x->proto_last || x->port_first > x->port_last)))
                        why = "is an empty range";
                else if (x->timeout_ms != 0 && !s->has_timeout)
                        why = "has a timeout but the set has no timeout flag";
                else if (
                        !l.concat && i > 0 &&
                        memcmp(s->elems[i - 1].addr_last, x->addr_first, l.addr_len) >= 0)
                        why = "is out of order or overlaps the one before (not normalized)";
                if (why)
                        return diag_set(
                                diag, -EINVAL, NULL, 0, 0, "internal error: element %zu (%s) of set %s %s",
                                i + 1, nft_format_elem(s->key, x, buf, sizeof(buf)), s->name, why);
        }
        return 0;
}

int nft_validate_ruleset(const Ruleset *rs, RccDiag *diag) {
        int r;

        if (rs->n_accounts > 0 && !rs->accounts)
                return diag_set(diag, -EINVAL, NULL, 0, 0, "internal error: ruleset without accounts array");
        for (size_t i = 0; i < nft_n_sets(rs); i++)
                if ((r = nft_validate_set(nft_set_at(rs, i), diag)) < 0)
                        return r;
        for (size_t i = 0; i < rs->n_accounts; i++) {
                const RulesetAccount *a = &rs->accounts[i];
                if (!a->chain[0] || !a->deny_chain[0] || !a->counter[0])
                        return diag_set(
                                diag, -EINVAL, NULL, 0, 0, "internal error: account %zu has no chain names",
                                i + 1);
        }
        return 0;
}

int nft_build_apply(NftBatch *b, const Ruleset *rs, uint32_t table_flags) {
        char comment[sizeof(RCC_DIGEST_PREFIX) + sizeof(rs->digest)];
        int r;

        snprintf(comment, sizeof(comment), "%s%s", RCC_DIGEST_PREFIX, rs->digest);
        /* Create-if-missing makes the delete that follows valid whether or not the table exists. It
         * carries no flags: on an existing table flags would be an update, which the kernel refuses
         * for the owner flag. The new table carries table_flags: with NFT_TABLE_F_OWNER, the socket
         * that commits the batch holds it from the moment it exists. */
        if ((r = nft_add_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, NFT_TABLE_FLAGS_KEEP, NULL)) < 0 ||
            (r = nft_add_table(b, NFT_MSG_DELTABLE, 0, 0, NULL)) < 0 ||
            (r = nft_add_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, table_flags, comment)) < 0)
                return r;
        for (size_t i = 0; i < rs->n_accounts; i++)
                if ((r = add_counter(b, rs->accounts[i].counter)) < 0)
                        return r;
        if ((r = add_accounts_map(b)) < 0)
                return r;
        for (size_t i = 0; i < nft_n_sets(rs); i++) {
                const RulesetSet *set = nft_set_at(rs, i);
                if ((r = add_set(b, set, nft_set_id_at(i))) < 0 ||
                    (r = nft_add_set_elems(b, set, nft_set_id_at(i))) < 0)
                        return r;
        }
        /* Every chain before the map elements and rules that jump to them. */
        if ((r = add_chain(b, "output", true)) < 0)
                return r;
        for (size_t i = 0; i < rs->n_accounts; i++)
                if ((r = add_chain(b, rs->accounts[i].chain, false)) < 0 ||
                    (r = add_chain(b, rs->accounts[i].deny_chain, false)) < 0)
                        return r;
        if ((r = add_account_elems(b, rs)) < 0)
                return r;
        if ((r = nft_add_output_rule(b)) < 0)
                return r;
        for (size_t i = 0; i < rs->n_accounts; i++)
                if ((r = nft_add_account_rules(b, rs, i)) < 0)
                        return r;
        return 0;
}
