/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_verify(): the snapshot of what nft_apply() would create against the snapshot of what the
 * kernel holds (nft-snapshot.c), object by object and attribute by attribute, stopping at the
 * first difference and describing it for a human.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nft-build.h"
#include "nft-query.h"
#include "nft-snapshot.h"
#include "nft-verify.h"

#define ELEM_LINE_MAX 2048 /* key, end, verdict chain and 255 bytes of userdata, in hex */

typedef struct Verify {
        char why[512];
        bool differs;
        int error; /* out of memory while comparing */
} Verify;

/* --- comparing --- */

_printf_(2, 3) static void mismatch(Verify *v, const char *fmt, ...) {
        va_list ap;

        if (v->differs)
                return;
        v->differs = true;
        va_start(ap, fmt);
        vsnprintf(v->why, sizeof(v->why), fmt, ap);
        va_end(ap);
}

static void out_of_memory(Verify *v) {
        v->error = -ENOMEM;
        v->differs = true;
}

typedef const void *(*AttrGet)(const void *obj, uint16_t attr, uint32_t *len);

typedef struct Attr {
        uint16_t attr;
        char fmt;      /* how to print it: 'u' unsigned, 'd' signed, 'x' flags, 's' string, 'b' bytes,
                        * 'U' a set's userdata (bytes, compared as nft_set_userdata_compared() says) */
        bool presence; /* an absent attribute differs from a zero one (a hook, a chain type) */
        const char *name;
} Attr;

static const void *chain_get(const void *o, uint16_t a, uint32_t *len) {
        return nftnl_chain_get_data(o, a, len);
}
static const void *rule_get(const void *o, uint16_t a, uint32_t *len) {
        return nftnl_rule_get_data(o, a, len);
}
static const void *set_get(const void *o, uint16_t a, uint32_t *len) {
        return nftnl_set_get_data(o, a, len);
}
static const void *obj_get(const void *o, uint16_t a, uint32_t *len) {
        return nftnl_obj_get_data((struct nftnl_obj *)o, a, len);
}
static const void *table_get(const void *o, uint16_t a, uint32_t *len) {
        return nftnl_table_get_data(o, a, len);
}

static const Attr table_attrs[] = {
        {NFTNL_TABLE_FLAGS, 'x', false, "flags"},
        {NFTNL_TABLE_USERDATA, 'b', false, "userdata"},
};
static const Attr chain_attrs[] = {
        {NFTNL_CHAIN_TYPE, 's', true, "type"},         {NFTNL_CHAIN_HOOKNUM, 'u', true, "hook"},
        {NFTNL_CHAIN_PRIO, 'd', false, "priority"},    {NFTNL_CHAIN_POLICY, 'u', false, "policy"},
        {NFTNL_CHAIN_FLAGS, 'x', false, "flags"},      {NFTNL_CHAIN_DEV, 's', false, "device"},
        {NFTNL_CHAIN_USERDATA, 'b', false, "comment"},
};
static const Attr rule_attrs[] = {
        {NFTNL_RULE_USERDATA, 'b', false, "comment"},
        {NFTNL_RULE_COMPAT_PROTO, 'u', false, "compat protocol"},
        {NFTNL_RULE_COMPAT_FLAGS, 'x', false, "compat flags"},
};
size_t nft_set_userdata_compared(const void *udata, size_t len, uint8_t out[static NFT_SET_USERDATA_MAX]) {
        const uint8_t *p = udata;
        size_t i = 0, n = 0;

        if (!p)
                return 0;
        if (len > NFT_SET_USERDATA_MAX)
                len = NFT_SET_USERDATA_MAX;
        for (; i + 2 <= len && i + 2 + p[i + 1] <= len; i += 2 + (size_t)p[i + 1]) {
                if (p[i] == NFTNL_UDATA_SET_KEY_TYPEOF || p[i] == NFTNL_UDATA_SET_DATA_TYPEOF)
                        continue;
                memcpy(out + n, p + i, 2 + (size_t)p[i + 1]);
                n += 2 + (size_t)p[i + 1];
        }
        memcpy(out + n, p + i, len - i);
        return n + len - i;
}

static const Attr set_attrs[] = {
        {NFTNL_SET_FLAGS, 'x', false, "flags"},
        {NFTNL_SET_KEY_TYPE, 'x', false, "key type"},
        {NFTNL_SET_KEY_LEN, 'u', false, "key length"},
        {NFTNL_SET_DATA_TYPE, 'x', false, "data type"},
        {NFTNL_SET_DATA_LEN, 'u', false, "data length"},
        {NFTNL_SET_OBJ_TYPE, 'u', false, "object type"},
        {NFTNL_SET_POLICY, 'u', false, "policy"},
        {NFTNL_SET_DESC_SIZE, 'u', false, "size"},
        {NFTNL_SET_DESC_CONCAT, 'b', false, "concatenation"},
        {NFTNL_SET_TIMEOUT, 'u', false, "timeout"},
        {NFTNL_SET_GC_INTERVAL, 'u', false, "gc-interval"},
        {NFTNL_SET_USERDATA, 'U', false, "userdata"},
};
static const Attr obj_attrs[] = {
        {NFTNL_OBJ_TYPE, 'u', false, "type"},
        {NFTNL_OBJ_USERDATA, 'b', false, "comment"},
};

static bool is_zero(const void *p, uint32_t len) {
        for (uint32_t i = 0; p && i < len; i++)
                if (((const uint8_t *)p)[i] != 0)
                        return false;
        return true;
}

/* Equal, where an attribute one side lacks equals a zero one on the other unless presence matters:
 * the kernel reports some defaults (lookup flags 0, say) that nft and nft_apply() leave out. */
static bool attr_equal(const void *w, uint32_t wl, const void *h, uint32_t hl, bool presence) {
        if (!w || !h)
                return presence ? !w && !h : is_zero(w, wl) && is_zero(h, hl);
        return wl == hl && memcmp(w, h, wl) == 0;
}

/* A numeric or string attribute for a message (userdata is only said to differ). */
static const char *attr_text(const Attr *a, const void *p, uint32_t len, char *buf, size_t size) {
        uint8_t u8 = 0;
        uint16_t u16 = 0;
        uint32_t u32 = 0;
        uint64_t u64 = 0;

        if (!p && a->presence)
                return "none";
        if (a->fmt == 's')
                snprintf(buf, size, "'%.*s'", p ? (int)strnlen(p, len) : 0, p ? (const char *)p : "");
        else if (p && len != 1 && len != 2 && len != 4 && len != 8)
                snprintf(buf, size, "%" PRIu32 " bytes", len);
        else {
                /* Host byte order, as libnftnl keeps numbers. */
                switch (p ? len : 0) {
                case 1:
                        memcpy(&u8, p, sizeof(u8));
                        u64 = u8;
                        break;
                case 2:
                        memcpy(&u16, p, sizeof(u16));
                        u64 = u16;
                        break;
                case 4:
                        memcpy(&u32, p, sizeof(u32));
                        u64 = u32;
                        break;
                case 8:
                        memcpy(&u64, p, sizeof(u64));
                        break;
                default: /* absent: zero */
                        break;
                }
                if (a->fmt == 'd')
                        snprintf(buf, size, "%" PRId32, (int32_t)(uint32_t)u64);
                else
                        snprintf(buf, size, a->fmt == 'x' ? "%#" PRIx64 : "%" PRIu64, u64);
        }
        return buf;
}

/* The first attribute in which want and have differ, described into detail; false if none. */
static bool attrs_differ(
        AttrGet get, const void *want, const void *have, const Attr *attrs, size_t n, char *detail,
        size_t size) {
        for (size_t i = 0; i < n; i++) {
                uint32_t wl = 0, hl = 0;
                const void *w = get(want, attrs[i].attr, &wl), *h = get(have, attrs[i].attr, &hl);
                uint8_t wc[NFT_SET_USERDATA_MAX], hc[NFT_SET_USERDATA_MAX];
                char ws[64], hs[64];

                if (attrs[i].fmt == 'U') { /* a set's userdata: as nft_set_userdata_compared() */
                        wl = (uint32_t)nft_set_userdata_compared(w, wl, wc);
                        hl = (uint32_t)nft_set_userdata_compared(h, hl, hc);
                        w = w ? wc : NULL;
                        h = h ? hc : NULL;
                }
                if (attr_equal(w, wl, h, hl, attrs[i].presence))
                        continue;
                if (attrs[i].fmt == 'b' || attrs[i].fmt == 'U')
                        snprintf(detail, size, "its %s is not what apply made", attrs[i].name);
                else
                        snprintf(
                                detail, size, "%s %s, expected %s", attrs[i].name,
                                attr_text(&attrs[i], h, hl, hs, sizeof(hs)),
                                attr_text(&attrs[i], w, wl, ws, sizeof(ws)));
                return true;
        }
        return false;
}

static const char *obj_what(NftObjKind k, const void *p) {
        switch (k) {
        case NFT_KIND_CHAIN:
                return "chain";
        case NFT_KIND_SET:
                return nftnl_set_get_u32(p, NFTNL_SET_FLAGS) & NFT_SET_MAP ? "map" : "set";
        case NFT_KIND_OBJ:
                return nftnl_obj_get_u32((struct nftnl_obj *)p, NFTNL_OBJ_TYPE) == NFT_OBJECT_COUNTER
                               ? "counter"
                               : "object";
        case NFT_KIND_RULE:
        case _NFT_KIND_MAX:
                break;
        }
        return "rule";
}

static int count_cb(struct nftnl_expr *e, void *userdata) {
        (void)e;
        (*(unsigned *)userdata)++;
        return 0;
}

static void compare_pair(Verify *v, NftObjKind k, const NftObj *w, const NftObj *h) {
        char detail[256];
        bool differs = false;

        switch (k) {
        case NFT_KIND_CHAIN:
                differs = attrs_differ(
                        chain_get, w->p, h->p, chain_attrs, ELEMENTSOF(chain_attrs), detail, sizeof(detail));
                break;
        case NFT_KIND_SET: {
                unsigned nw = 0, nh = 0;

                differs = attrs_differ(
                        set_get, w->p, h->p, set_attrs, ELEMENTSOF(set_attrs), detail, sizeof(detail));
                nftnl_set_expr_foreach(w->p, count_cb, &nw);
                nftnl_set_expr_foreach(h->p, count_cb, &nh);
                if (!differs && nw != nh) {
                        snprintf(detail, sizeof(detail), "it has %u expressions, expected %u", nh, nw);
                        differs = true;
                }
                break;
        }
        case NFT_KIND_OBJ:
                differs = attrs_differ(
                        obj_get, w->p, h->p, obj_attrs, ELEMENTSOF(obj_attrs), detail, sizeof(detail));
                break;
        case NFT_KIND_RULE:
        case _NFT_KIND_MAX:
                break;
        }
        if (differs)
                mismatch(v, "%s %s differs: %s", obj_what(k, w->p), w->name, detail);
}

/* Chains, sets or objects: missing ones, extra ones, and attributes of those in both. */
static void compare_named(Verify *v, NftObjKind k, const NftObjList *want, const NftObjList *have) {
        size_t i = 0, j = 0;

        while (!v->differs && (i < want->n || j < have->n)) {
                int c = i == want->n ? 1 : j == have->n ? -1 : strcmp(want->v[i].name, have->v[j].name);

                if (c < 0)
                        mismatch(v, "%s '%s' is missing", obj_what(k, want->v[i].p), want->v[i].name);
                else if (c > 0)
                        mismatch(v, "extra %s '%s'", obj_what(k, have->v[j].p), have->v[j].name);
                else
                        compare_pair(v, k, &want->v[i], &have->v[j]);
                i += c <= 0;
                j += c >= 0;
        }
}

/* Expression attributes that name an object of the same transaction: sent, never reported. */
static bool expr_attr_ignored(const char *name, uint16_t attr) {
        return (strcmp(name, "lookup") == 0 && attr == NFTNL_EXPR_LOOKUP_SET_ID) ||
               (strcmp(name, "dynset") == 0 && attr == NFTNL_EXPR_DYNSET_SET_ID) ||
               (strcmp(name, "objref") == 0 && attr == NFTNL_EXPR_OBJREF_SET_ID) ||
               (strcmp(name, "immediate") == 0 && attr == NFTNL_EXPR_IMM_CHAIN_ID);
}

static bool expr_equal(const struct nftnl_expr *w, const struct nftnl_expr *h) {
        const char *name = nftnl_expr_get_str(w, NFTNL_EXPR_NAME);

        if (!name || strcmp(name, nftnl_expr_get_str(h, NFTNL_EXPR_NAME)) != 0)
                return false;
        /* Every attribute libnftnl knows of, the ones rcc does not use included. */
        for (uint16_t a = NFTNL_EXPR_BASE; a < 32; a++) {
                uint32_t wl = 0, hl = 0;
                const void *wv = nftnl_expr_get(w, a, &wl), *hv = nftnl_expr_get(h, a, &hl);

                if (!expr_attr_ignored(name, a) && !attr_equal(wv, wl, hv, hl, false))
                        return false;
        }
        return true;
}

static const char *expr_text(const struct nftnl_expr *e, char *buf, size_t size) {
        char text[160];

        if (!e)
                return "nothing";
        if (nftnl_expr_snprintf(text, sizeof(text), e, NFTNL_OUTPUT_DEFAULT, 0) < 0)
                text[0] = '\0';
        text[strcspn(text, "\n")] = '\0';
        for (size_t n = strlen(text); n > 0 && text[n - 1] == ' '; n--)
                text[n - 1] = '\0';
        snprintf(buf, size, "'%s %s'", nftnl_expr_get_str(e, NFTNL_EXPR_NAME), text);
        return buf;
}

static void compare_rule(
        Verify *v, const char *chain, size_t n, const struct nftnl_rule *w, const struct nftnl_rule *h) {
        struct nftnl_expr_iter *wi, *hi;
        char detail[256];

        if (attrs_differ(rule_get, w, h, rule_attrs, ELEMENTSOF(rule_attrs), detail, sizeof(detail))) {
                mismatch(v, "rule %zu of chain %s differs: %s", n, chain, detail);
                return;
        }
        wi = nftnl_expr_iter_create(w);
        hi = nftnl_expr_iter_create(h);
        if (wi && hi)
                for (unsigned i = 1;; i++) {
                        const struct nftnl_expr *we = nftnl_expr_iter_next(wi),
                                                *he = nftnl_expr_iter_next(hi);
                        char ws[128], hs[128];

                        if (!we && !he)
                                break;
                        if (we && he && expr_equal(we, he))
                                continue;
                        mismatch(
                                v, "rule %zu of chain %s differs: expression %u is %s, expected %s", n,
                                chain, i, expr_text(he, hs, sizeof(hs)), expr_text(we, ws, sizeof(ws)));
                        break;
                }
        else
                out_of_memory(v);
        if (wi)
                nftnl_expr_iter_destroy(wi);
        if (hi)
                nftnl_expr_iter_destroy(hi);
}

static size_t run_length(const NftObjList *l, size_t start, const char *name) {
        size_t n = 0;

        while (start + n < l->n && strcmp(l->v[start + n].name, name) == 0)
                n++;
        return n;
}

/* Both lists are sorted by chain, and within a chain in rule order. */
static void compare_rules(Verify *v, const NftObjList *want, const NftObjList *have) {
        size_t i = 0, j = 0;

        while (!v->differs && (i < want->n || j < have->n)) {
                const char *chain =
                        j == have->n || (i < want->n && strcmp(want->v[i].name, have->v[j].name) <= 0)
                                ? want->v[i].name
                                : have->v[j].name;
                size_t nw = run_length(want, i, chain), nh = run_length(have, j, chain);

                if (nw != nh)
                        mismatch(
                                v, "chain %s has %zu rule%s, expected %zu", chain, nh, nh == 1 ? "" : "s",
                                nw);
                for (size_t k = 0; k < nw && !v->differs; k++)
                        compare_rule(v, chain, k + 1, want->v[i + k].p, have->v[j + k].p);
                i += nw;
                j += nh;
        }
}

/* --- elements --- */

typedef struct ElemLine {
        char *line; /* everything compared, the key first (in hex, so lines sort by key) */
        struct nftnl_set_elem *e;
} ElemLine;

typedef struct ElemLines {
        ElemLine *v;
        size_t n;
} ElemLines;

static void elem_lines_done(ElemLines *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i].line);
        free(l->v);
        *l = (ElemLines){};
}

static void hex_append(char *buf, size_t size, size_t *pos, const char *tag, const void *p, uint32_t len) {
        if (*pos + strlen(tag) + 2 * (size_t)len + 1 >= size)
                return; /* cannot happen: attributes are bounded, and truncating only loses detail */
        *pos += (size_t)snprintf(buf + *pos, size - *pos, "%s", tag);
        for (uint32_t i = 0; i < len; i++)
                *pos += (size_t)snprintf(buf + *pos, size - *pos, "%02x", ((const uint8_t *)p)[i]);
}

static char *elem_line(struct nftnl_set_elem *e) {
        /* Not EXPIRATION: what is left of an element's life is no difference. */
        static const struct {
                uint16_t attr;
                const char *tag;
        } attrs[] = {
                {NFTNL_SET_ELEM_KEY_END, " end="},     {NFTNL_SET_ELEM_FLAGS, " flags="},
                {NFTNL_SET_ELEM_VERDICT, " verdict="}, {NFTNL_SET_ELEM_CHAIN, " chain="},
                {NFTNL_SET_ELEM_DATA, " data="},       {NFTNL_SET_ELEM_USERDATA, " udata="},
                {NFTNL_SET_ELEM_TIMEOUT, " timeout="}, {NFTNL_SET_ELEM_OBJREF, " objref="},
        };
        char buf[ELEM_LINE_MAX];
        unsigned n_expr = 0;
        size_t pos = 0;
        uint32_t len = 0;
        const void *p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

        buf[0] = '\0';
        hex_append(buf, sizeof(buf), &pos, "", p, p ? len : 0);
        for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
                p = nftnl_set_elem_get(e, attrs[i].attr, &len);
                if (p && !is_zero(p, len))
                        hex_append(buf, sizeof(buf), &pos, attrs[i].tag, p, len);
        }
        nftnl_set_elem_expr_foreach(e, count_cb, &n_expr);
        if (n_expr > 0 && pos + 16 < sizeof(buf))
                snprintf(buf + pos, sizeof(buf) - pos, " expr=%u", n_expr);
        return strdup(buf);
}

static int line_cmp(const void *a, const void *b) {
        return strcmp(((const ElemLine *)a)->line, ((const ElemLine *)b)->line);
}

static int elem_lines(const struct nftnl_set *s, ElemLines *ret) {
        struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
        ElemLines l = {};
        size_t allocated = 0;
        int r = 0;

        if (!it)
                return -ENOMEM;
        for (struct nftnl_set_elem *e; r >= 0 && (e = nftnl_set_elems_iter_next(it));) {
                if (l.n == allocated) {
                        size_t m = allocated ? allocated * 2 : 64;
                        ElemLine *v = reallocarray(l.v, m, sizeof(ElemLine));
                        if (!v) {
                                r = -ENOMEM;
                                break;
                        }
                        l.v = v;
                        allocated = m;
                }
                l.v[l.n] = (ElemLine){.line = elem_line(e), .e = e};
                if (!l.v[l.n++].line)
                        r = -ENOMEM;
        }
        nftnl_set_elems_iter_destroy(it);
        if (r < 0) {
                elem_lines_done(&l);
                return r;
        }
        if (l.n > 1)
                qsort(l.v, l.n, sizeof(ElemLine), line_cmp);
        *ret = l;
        return 0;
}

/* "10.0.0.0/8", "10.0.0.1", "10.0.0.1-10.0.0.9" */
static void format_range(unsigned len, const uint8_t *first, const uint8_t *last, char *buf, size_t size) {
        char a[INET6_ADDRSTRLEN] = "?", b[INET6_ADDRSTRLEN] = "?";
        unsigned plen = 0;
        bool cidr = true;

        while (plen < len * 8 && !((first[plen / 8] ^ last[plen / 8]) & (0x80u >> (plen % 8))))
                plen++;
        for (unsigned i = plen; i < len * 8; i++)
                cidr = cidr && !(first[i / 8] & (0x80u >> (i % 8))) && (last[i / 8] & (0x80u >> (i % 8)));
        inet_ntop(len == 4 ? AF_INET : AF_INET6, first, a, sizeof(a));
        inet_ntop(len == 4 ? AF_INET : AF_INET6, last, b, sizeof(b));
        if (plen == len * 8)
                snprintf(buf, size, "%s", a);
        else if (cidr)
                snprintf(buf, size, "%s/%u", a, plen);
        else
                snprintf(buf, size, "%s-%s", a, b);
}

static void format_num_range(unsigned first, unsigned last, bool proto, char *buf, size_t size) {
        if (first == last && proto && (first == IPPROTO_TCP || first == IPPROTO_UDP))
                snprintf(buf, size, "%s", first == IPPROTO_TCP ? "tcp" : "udp");
        else if (first == last)
                snprintf(buf, size, "%u", first);
        else
                snprintf(buf, size, "%u-%u", first, last);
}

static const uint8_t *elem_key(const ElemLine *l, unsigned key_len) {
        uint32_t len = 0;
        const uint8_t *k = nftnl_set_elem_get(l->e, NFTNL_SET_ELEM_KEY, &len);
        static const uint8_t zero[32];

        return k && len == key_len ? k : zero;
}

static bool elem_is_end(const ElemLine *l) {
        return nftnl_set_elem_is_set(l->e, NFTNL_SET_ELEM_FLAGS) &&
               (nftnl_set_elem_get_u32(l->e, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END);
}

/* The i-th element of l (of a set like s) for a human. An interval set holds range boundaries: an
 * element is shown as the range it starts (up to the next boundary) or ends. */
static void format_elem(const struct nftnl_set *s, const ElemLines *l, size_t i, char *buf, size_t size) {
        uint32_t flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
                 key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
        const uint8_t *key = elem_key(&l->v[i], key_len);
        uint8_t first[16], last[16];

        if (flags & NFT_SET_MAP) {
                uint32_t uid = 0;
                const char *chain = nftnl_set_elem_get_str(l->v[i].e, NFTNL_SET_ELEM_CHAIN);

                memcpy(&uid, key, key_len < 4 ? key_len : 4);
                snprintf(
                        buf, size, "%" PRIu32 " : %s %s", uid, chain ? "jump" : "verdict",
                        chain ? chain : "");
        } else if (flags & NFT_SET_CONCAT && (key_len == 12 || key_len == 24)) {
                unsigned alen = key_len - 8;
                uint32_t end_len = 0;
                const uint8_t *end = nftnl_set_elem_get(l->v[i].e, NFTNL_SET_ELEM_KEY_END, &end_len);
                char addr[2 * INET6_ADDRSTRLEN + 8], proto[16], port[16];

                if (!end || end_len != key_len)
                        end = key;
                format_range(alen, key, end, addr, sizeof(addr));
                format_num_range(key[alen], end[alen], true, proto, sizeof(proto));
                format_num_range(
                        (unsigned)key[alen + 4] << 8 | key[alen + 5],
                        (unsigned)end[alen + 4] << 8 | end[alen + 5], false, port, sizeof(port));
                snprintf(buf, size, "%s . %s . %s", addr, proto, port);
        } else if ((key_len == 4 || key_len == 16) && (flags & NFT_SET_INTERVAL)) {
                bool end = elem_is_end(&l->v[i]);
                size_t start = end ? i - 1 : i;

                if (end && (i == 0 || elem_is_end(&l->v[i - 1]))) {
                        format_range(key_len, key, key, buf, size);
                        snprintf(buf + strlen(buf), size - strlen(buf), " (a range end)");
                        return;
                }
                memcpy(first, elem_key(&l->v[start], key_len), key_len);
                memset(last, 0xff, sizeof(last));
                if (start + 1 < l->n) {
                        memcpy(last, elem_key(&l->v[start + 1], key_len), key_len);
                        for (size_t b = key_len; b > 0 && last[b - 1]-- == 0; b--) /* minus one */
                                ;
                }
                format_range(key_len, first, last, buf, size);
        } else if (key_len == 4 || key_len == 16)
                format_range(key_len, key, key, buf, size);
        else
                snprintf(buf, size, "of %u bytes", key_len);
}

static void compare_elems(Verify *v, const NftObj *w, const NftObj *h) {
        ElemLines lw = {}, lh = {};
        char text[256];
        size_t i = 0, j = 0;

        if (elem_lines(w->p, &lw) < 0 || elem_lines(h->p, &lh) < 0) {
                out_of_memory(v);
                goto out;
        }
        while (i < lw.n || j < lh.n) {
                int c = i == lw.n ? 1 : j == lh.n ? -1 : strcmp(lw.v[i].line, lh.v[j].line);

                if (c == 0) {
                        i++;
                        j++;
                        continue;
                }
                if (c < 0)
                        format_elem(w->p, &lw, i, text, sizeof(text));
                else
                        format_elem(w->p, &lh, j, text, sizeof(text));
                mismatch(
                        v, "%s %s differs: %selement %s%s", obj_what(NFT_KIND_SET, w->p), w->name,
                        c < 0 ? "" : "extra ", text, c < 0 ? " missing" : "");
                break;
        }
out:
        elem_lines_done(&lw);
        elem_lines_done(&lh);
}

static void compare(Verify *v, const Ruleset *rs, const NftSnapshot *want, const NftSnapshot *have) {
        char comment[256], expected[sizeof(RCC_DIGEST_PREFIX) + sizeof(rs->digest)], detail[256];

        if (!have->table) {
                mismatch(v, "not loaded");
                return;
        }
        snprintf(expected, sizeof(expected), "%s%s", RCC_DIGEST_PREFIX, rs->digest);
        if (nft_table_comment(have->table, comment, sizeof(comment)) < 0 || strcmp(comment, expected) != 0)
                mismatch(v, "the table's comment is '%s', expected '%s'", comment, expected);
        if (attrs_differ(
                    table_get, want->table, have->table, table_attrs, ELEMENTSOF(table_attrs), detail,
                    sizeof(detail)))
                mismatch(v, "table inet " RCC_TABLE " differs: %s", detail);
        compare_named(v, NFT_KIND_CHAIN, &want->lists[NFT_KIND_CHAIN], &have->lists[NFT_KIND_CHAIN]);
        compare_rules(v, &want->lists[NFT_KIND_RULE], &have->lists[NFT_KIND_RULE]);
        compare_named(v, NFT_KIND_SET, &want->lists[NFT_KIND_SET], &have->lists[NFT_KIND_SET]);
        compare_named(v, NFT_KIND_OBJ, &want->lists[NFT_KIND_OBJ], &have->lists[NFT_KIND_OBJ]);
        for (size_t i = 0; i < want->lists[NFT_KIND_SET].n && !v->differs; i++) {
                const NftObj *w = &want->lists[NFT_KIND_SET].v[i];
                const NftObj *h = nft_objlist_find(&have->lists[NFT_KIND_SET], w->name);

                if (!w->dynamic && h)
                        compare_elems(v, w, h);
        }
}

int nft_verify(const Ruleset *rs, bool *ret_intact, char *why, size_t why_size, RccDiag *diag) {
        _cleanup_(nft_socket_closep) struct mnl_socket *nl = NULL;
        _cleanup_(nft_snapshot_done) NftSnapshot want = {}, have = {};
        Verify v = {};
        int r;

        r = nft_validate_ruleset(rs, diag);
        if (r < 0)
                return r;
        r = nft_snapshot_expected(rs, &want);
        if (r < 0)
                return diag_set(
                        diag, r, NULL, 0, 0, "building the expected table inet " RCC_TABLE ": %s",
                        strerror(-r));
        r = nft_socket_open(&nl, diag);
        if (r < 0)
                return r;
        r = nft_snapshot_kernel(nl, &want, &have, diag);
        if (r < 0)
                return r;
        compare(&v, rs, &want, &have);
        if (v.error < 0)
                return diag_set(diag, v.error, NULL, 0, 0, "out of memory comparing table inet " RCC_TABLE);
        if (why && why_size > 0)
                snprintf(why, why_size, "%s", v.differs ? v.why : "");
        *ret_intact = !v.differs;
        return 0;
}
