/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The two snapshots nft_verify() compares: what nft_apply() would create, parsed back out of its
 * own batch, and what the kernel dumps of table inet rcc. Nothing is sent but GET requests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-build.h"
#include "nft-query.h"
#include "nft-snapshot.h"

#define SNAPSHOT_ATTEMPTS 3 /* reads of the whole table, when a concurrent change spoils one */
#define REQ_BUFSIZE 1024

/* --- the objects --- */

static void obj_free(NftObjKind k, void *p) {
        switch (k) {
        case NFT_KIND_CHAIN:
                nftnl_chain_free(p);
                break;
        case NFT_KIND_RULE:
                nftnl_rule_free(p);
                break;
        case NFT_KIND_SET:
                nftnl_set_free(p);
                break;
        case NFT_KIND_OBJ:
                nftnl_obj_free(p);
                break;
        case _NFT_KIND_MAX:
                break;
        }
}

/* Parse a NEW* message of the batch or a reply of a dump: the object, its name and its table. */
static int obj_parse(NftObjKind k, const struct nlmsghdr *nlh, NftObj *ret, const char **ret_table) {
        void *p = NULL;
        int r = -1;

        *ret = (NftObj){};
        *ret_table = NULL;
        switch (k) {
        case NFT_KIND_CHAIN:
                if ((p = nftnl_chain_alloc()) && (r = nftnl_chain_nlmsg_parse(nlh, p)) >= 0) {
                        *ret_table = nftnl_chain_get_str(p, NFTNL_CHAIN_TABLE);
                        ret->name = nftnl_chain_get_str(p, NFTNL_CHAIN_NAME);
                        /* The kernel flags every chain with a hook as a base chain; the hook is
                         * compared on its own. */
                        if (nftnl_chain_is_set(p, NFTNL_CHAIN_FLAGS))
                                nftnl_chain_set_u32(
                                        p, NFTNL_CHAIN_FLAGS,
                                        nftnl_chain_get_u32(p, NFTNL_CHAIN_FLAGS) &
                                                ~(uint32_t)NFT_CHAIN_BASE);
                }
                break;
        case NFT_KIND_RULE:
                if ((p = nftnl_rule_alloc()) && (r = nftnl_rule_nlmsg_parse(nlh, p)) >= 0) {
                        *ret_table = nftnl_rule_get_str(p, NFTNL_RULE_TABLE);
                        ret->name = nftnl_rule_get_str(p, NFTNL_RULE_CHAIN);
                }
                break;
        case NFT_KIND_SET:
                if ((p = nftnl_set_alloc()) && (r = nftnl_set_nlmsg_parse(nlh, p)) >= 0) {
                        *ret_table = nftnl_set_get_str(p, NFTNL_SET_TABLE);
                        ret->name = nftnl_set_get_str(p, NFTNL_SET_NAME);
                        /* A verdict map's data length is the kernel's business (nft sends 0, the
                         * kernel reports the size of its verdict structure). */
                        if (nftnl_set_is_set(p, NFTNL_SET_DATA_TYPE) &&
                            nftnl_set_get_u32(p, NFTNL_SET_DATA_TYPE) == NFT_DATA_VERDICT)
                                nftnl_set_unset(p, NFTNL_SET_DATA_LEN);
                }
                break;
        case NFT_KIND_OBJ:
                if ((p = nftnl_obj_alloc()) && (r = nftnl_obj_nlmsg_parse(nlh, p)) >= 0) {
                        *ret_table = nftnl_obj_get_str(p, NFTNL_OBJ_TABLE);
                        ret->name = nftnl_obj_get_str(p, NFTNL_OBJ_NAME);
                }
                break;
        case _NFT_KIND_MAX:
                break;
        }
        if (!p)
                return -ENOMEM;
        if (r < 0 || !*ret_table || !ret->name) {
                obj_free(k, p);
                return -EBADMSG;
        }
        ret->p = p;
        return 0;
}

/* Takes o.p: frees it on failure. */
static int list_add(NftObjList *l, NftObjKind k, NftObj o) {
        if (l->n == l->allocated) {
                size_t n = l->allocated ? l->allocated * 2 : 64;
                NftObj *v = reallocarray(l->v, n, sizeof(NftObj));
                if (!v) {
                        obj_free(k, o.p);
                        return -ENOMEM;
                }
                l->v = v;
                l->allocated = n;
        }
        o.seq = l->n;
        l->v[l->n++] = o;
        return 0;
}

static int obj_cmp(const void *a, const void *b) {
        const NftObj *x = a, *y = b;
        int c = strcmp(x->name, y->name);

        return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int obj_name_cmp(const void *key, const void *o) {
        return strcmp(key, ((const NftObj *)o)->name);
}

NftObj *nft_objlist_find(const NftObjList *l, const char *name) {
        return l->n > 0 ? bsearch(name, l->v, l->n, sizeof(NftObj), obj_name_cmp) : NULL;
}

static void snapshot_sort(NftSnapshot *s) {
        for (NftObjKind k = 0; k < _NFT_KIND_MAX; k++)
                if (s->lists[k].n > 1)
                        qsort(s->lists[k].v, s->lists[k].n, sizeof(NftObj), obj_cmp);
}

void nft_snapshot_done(NftSnapshot *s) {
        if (s->table)
                nftnl_table_free(s->table);
        for (NftObjKind k = 0; k < _NFT_KIND_MAX; k++) {
                for (size_t i = 0; i < s->lists[k].n; i++)
                        obj_free(k, s->lists[k].v[i].p);
                free(s->lists[k].v);
        }
        *s = (NftSnapshot){};
}

/* --- what nft_apply() would create: its own batch, parsed --- */

/* Element lists as nft_apply() sends them number their elements 1, 2, ... (as nft does; the
 * kernel does not care), libnftnl's parser wants every one to be NFTA_LIST_ELEM: renumber a copy. */
static int want_elems(struct nftnl_set *s, const struct nlmsghdr *nlh) {
        _cleanup_free_ struct nlmsghdr *copy = malloc(nlh->nlmsg_len);
        struct nlattr *attr, *e;

        if (!copy)
                return -ENOMEM;
        memcpy(copy, nlh, nlh->nlmsg_len);
        mnl_attr_for_each(attr, copy, sizeof(struct nfgenmsg)) {
                if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS)
                        continue;
                mnl_attr_for_each_nested(e, attr) {
                        e->nla_type = (uint16_t)((e->nla_type & ~NLA_TYPE_MASK) | NFTA_LIST_ELEM);
                }
        }
        return nftnl_set_elems_nlmsg_parse(copy, s) < 0 ? -EBADMSG : 0;
}

static int want_message(NftSnapshot *s, const NftMsgInfo *m, const struct nlmsghdr *nlh) {
        const char *table;
        NftObjKind k;
        NftObj o;
        int r;

        switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
        case NFT_MSG_NEWTABLE: {
                struct nftnl_table *t = nftnl_table_alloc();

                if (!t)
                        return -ENOMEM;
                if (nftnl_table_nlmsg_parse(nlh, t) < 0) {
                        nftnl_table_free(t);
                        return -EBADMSG;
                }
                if (s->table) /* the batch creates the table, deletes it, creates it with the comment */
                        nftnl_table_free(s->table);
                s->table = t;
                return 0;
        }
        case NFT_MSG_NEWSETELEM: {
                const char *name = m->set ? m->set->name : NFT_ACCOUNTS_MAP;
                NftObjList *sets = &s->lists[NFT_KIND_SET];

                if (m->set && m->set->dynamic)
                        return 0;
                for (size_t i = sets->n; i > 0; i--) /* the set was just created, usually */
                        if (strcmp(sets->v[i - 1].name, name) == 0) {
                                r = want_elems(sets->v[i - 1].p, nlh);
                                /* Parsing elements replaces the set's name string. */
                                sets->v[i - 1].name = nftnl_set_get_str(sets->v[i - 1].p, NFTNL_SET_NAME);
                                return r;
                        }
                return -EBADMSG;
        }
        case NFT_MSG_NEWCHAIN:
                k = NFT_KIND_CHAIN;
                break;
        case NFT_MSG_NEWRULE:
                k = NFT_KIND_RULE;
                break;
        case NFT_MSG_NEWSET:
                k = NFT_KIND_SET;
                break;
        case NFT_MSG_NEWOBJ:
                k = NFT_KIND_OBJ;
                break;
        default: /* DELTABLE */
                return 0;
        }
        r = obj_parse(k, nlh, &o, &table);
        return r < 0 ? r : list_add(&s->lists[k], k, o);
}

int nft_snapshot_expected(const Ruleset *rs, NftSnapshot *ret) {
        _cleanup_(nft_batch_done) NftBatch b = {};
        _cleanup_free_ struct iovec *iov = NULL;
        _cleanup_(nft_snapshot_done) NftSnapshot s = {};
        size_t i = 0;
        int n_iov, r;

        if ((r = nft_batch_begin(&b, 0)) < 0 || (r = nft_build_apply(&b, rs, 0)) < 0)
                return r;
        n_iov = nftnl_batch_iovec_len(b.nb);
        iov = calloc(n_iov > 0 ? (size_t)n_iov : 1, sizeof(struct iovec));
        if (!iov)
                return -ENOMEM;
        nftnl_batch_iovec(b.nb, iov, (uint32_t)n_iov);
        for (int p = 0; p < n_iov; p++) {
                int len = (int)iov[p].iov_len;

                for (const struct nlmsghdr *nlh = iov[p].iov_base; mnl_nlmsg_ok(nlh, len);
                     nlh = mnl_nlmsg_next(nlh, &len)) {
                        if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
                                continue; /* BATCH_BEGIN */
                        if (i >= b.n_msgs)
                                return -EBADMSG;
                        if ((r = want_message(&s, &b.msgs[i++], nlh)) < 0)
                                return r;
                }
        }
        if (!s.table)
                return -EBADMSG;
        snapshot_sort(&s);
        for (size_t j = 0; j < nft_n_sets(rs); j++) {
                NftObj *o = nft_objlist_find(&s.lists[NFT_KIND_SET], nft_set_at(rs, j)->name);
                if (o)
                        o->dynamic = nft_set_at(rs, j)->dynamic;
        }
        *ret = s;
        s = (NftSnapshot){};
        return 0;
}

/* --- what the kernel holds --- */

typedef struct DumpState {
        NftObjKind kind;
        NftObjList *list;
} DumpState;

static int dump_cb(const struct nlmsghdr *nlh, void *userdata) {
        DumpState *d = userdata;
        const char *table;
        NftObj o;
        int r = obj_parse(d->kind, nlh, &o, &table);

        if (r < 0)
                return r;
        if (strcmp(table, RCC_TABLE) != 0) { /* an old kernel that does not filter by table */
                obj_free(d->kind, o.p);
                return 0;
        }
        return list_add(d->list, d->kind, o);
}

/* The table as the kernel has it, less who holds it: the owner and persist flags and the owner's
 * port id say which process keeps the table, not what it enforces; nft_status() reports them. */
static int table_cb(const struct nlmsghdr *nlh, void *userdata) {
        struct nftnl_table **t = userdata;

        if (!*t && !(*t = nftnl_table_alloc()))
                return -ENOMEM;
        if (nftnl_table_nlmsg_parse(nlh, *t) < 0)
                return -EBADMSG;
        if (nftnl_table_is_set(*t, NFTNL_TABLE_FLAGS))
                nftnl_table_set_u32(
                        *t, NFTNL_TABLE_FLAGS,
                        nftnl_table_get_u32(*t, NFTNL_TABLE_FLAGS) & ~NFT_TABLE_F_HOLD);
        nftnl_table_unset(*t, NFTNL_TABLE_OWNER);
        return 0;
}

static int elems_cb(const struct nlmsghdr *nlh, void *userdata) {
        return nftnl_set_elems_nlmsg_parse(nlh, userdata) < 0 ? -EBADMSG : 0;
}

/* One request; -EINTR when the table changed under it (the caller reads it all again). */
static int talk(
        struct mnl_socket *nl, struct nlmsghdr *req, NftReplyCallback cb, void *userdata, const char *what,
        RccDiag *diag) {
        char extack[256], buf[128];
        int r = nft_talk(nl, req, cb, userdata, extack, sizeof(extack));

        if (r == -ENOENT) /* the table went away after it was found */
                return -EINTR;
        if (r >= 0 || r == -EINTR)
                return r;
        snprintf(buf, sizeof(buf), "reading %s of table inet " RCC_TABLE, what);
        return nft_diag_errno(diag, r, buf, extack);
}

static int kernel_snapshot_once(
        struct mnl_socket *nl, const NftSnapshot *want, NftSnapshot *s, RccDiag *diag) {
        static const struct {
                uint16_t msg, table_attr;
                const char *what;
        } dumps[] = {
                [NFT_KIND_CHAIN] = {NFT_MSG_GETCHAIN, NFTA_CHAIN_TABLE, "the chains"},
                [NFT_KIND_RULE] = {NFT_MSG_GETRULE, NFTA_RULE_TABLE, "the rules"},
                [NFT_KIND_SET] = {NFT_MSG_GETSET, NFTA_SET_TABLE, "the sets"},
                [NFT_KIND_OBJ] = {NFT_MSG_GETOBJ, NFTA_OBJ_TABLE, "the named objects"},
        };
        char req[REQ_BUFSIZE] = {}, extack[256];
        struct nlmsghdr *nlh;
        int r;

        nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK, 0);
        mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, RCC_TABLE);
        r = nft_talk(nl, nlh, table_cb, &s->table, extack, sizeof(extack));
        if (r == -ENOENT || (r >= 0 && !s->table))
                return 0;
        if (r < 0)
                return r == -EINTR ? r : nft_diag_errno(diag, r, "reading table inet " RCC_TABLE, extack);

        for (NftObjKind k = 0; k < _NFT_KIND_MAX; k++) {
                DumpState d = {.kind = k, .list = &s->lists[k]};

                nlh = nftnl_nlmsg_build_hdr(req, dumps[k].msg, NFPROTO_INET, NLM_F_DUMP, 0);
                mnl_attr_put_strz(nlh, dumps[k].table_attr, RCC_TABLE);
                if ((r = talk(nl, nlh, dump_cb, &d, dumps[k].what, diag)) < 0)
                        return r;
        }
        snapshot_sort(s);

        for (size_t i = 0; i < s->lists[NFT_KIND_SET].n; i++) {
                NftObj *o = &s->lists[NFT_KIND_SET].v[i];
                const NftObj *w = nft_objlist_find(&want->lists[NFT_KIND_SET], o->name);
                char what[RCC_NAME_MAX + 32];

                if (!w || w->dynamic)
                        continue; /* an extra set is reported as such; its elements do not matter */
                nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, 0);
                mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, RCC_TABLE);
                mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, o->name);
                snprintf(what, sizeof(what), "the elements of set %s", o->name);
                r = talk(nl, nlh, elems_cb, o->p, what, diag);
                /* Parsing elements replaces the set's name string: the same name, a new copy. */
                o->name = nftnl_set_get_str(o->p, NFTNL_SET_NAME);
                if (r < 0)
                        return r;
                if (!o->name)
                        return diag_set(
                                diag, -EBADMSG, NULL, 0, 0, "nftables: %s: a set without a name", what);
        }
        return 0;
}

/* All of table inet rcc as of one ruleset generation: read again if it changed while being read. */
int nft_snapshot_kernel(struct mnl_socket *nl, const NftSnapshot *want, NftSnapshot *ret, RccDiag *diag) {
        for (unsigned attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
                _cleanup_(nft_snapshot_done) NftSnapshot s = {};
                uint32_t before, after;
                int r;

                if ((r = nft_query_genid(nl, &before, diag)) < 0)
                        return r;
                r = kernel_snapshot_once(nl, want, &s, diag);
                if (r == -EINTR)
                        continue;
                if (r < 0 || (r = nft_query_genid(nl, &after, diag)) < 0)
                        return r;
                if (before == after) {
                        *ret = s;
                        s = (NftSnapshot){};
                        return 0;
                }
        }
        return nft_diag_errno(diag, -ERESTART, "reading table inet " RCC_TABLE, NULL);
}
