/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Set normalization. The kernel stores interval sets as disjoint ranges and refuses an element
 * that overlaps another, while a policy may say "10.0.0.0/8 port 22" and "10.1.0.0/16 ports
 * 22-80" side by side. Normalizing turns any list of boxes (address range x protocol range x
 * port range) into disjoint boxes that cover exactly the same points:
 *
 *   1. cut the protocol axis at every box edge; for each protocol slice,
 *   2. sweep the address axis: between two consecutive box edges the set of covering boxes is
 *      constant, so the ports there are the union of those boxes' port ranges;
 *   3. join neighbouring address slices whose port unions are equal, then neighbouring protocol
 *      slices whose address and port ranges are equal.
 *
 * Cost is O(n log n) plus the overlap actually present; 10,000 disjoint entries take a few ms.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "ruleset.h"

int elem_vec_push(ElemVec *vec, const SetElem *e) {
        if (vec->n == vec->cap) {
                size_t cap = vec->cap ? vec->cap * 2 : 64;
                SetElem *v = reallocarray(vec->v, cap, sizeof *v);
                if (!v)
                        return -ENOMEM;
                vec->v = v;
                vec->cap = cap;
        }
        vec->v[vec->n++] = *e;
        return 0;
}

void elem_vec_done(ElemVec *vec) {
        free(vec->v);
        *vec = (ElemVec){};
}

/* a += 1 over len bytes, big-endian; false when it wrapped (a was all ones). */
static bool addr_inc(uint8_t a[16], size_t len) {
        for (size_t i = len; i-- > 0;)
                if (++a[i] != 0)
                        return true;
        return false;
}

static void addr_dec(uint8_t a[16], size_t len) {
        for (size_t i = len; i-- > 0;)
                if (a[i]-- != 0)
                        return;
}

/* The longer of two element lifetimes; 0 means permanent, the longest of all. */
static uint64_t longer_timeout(uint64_t a, uint64_t b) {
        if (a == 0 || b == 0)
                return 0;
        return a > b ? a : b;
}

/* Comparators for qsort_r(); ctx points to the address length. */
static int cmp_addr(const void *a, const void *b, void *ctx) {
        return memcmp(a, b, *(size_t *)ctx);
}

static int cmp_by_addr_first(const void *a, const void *b, void *ctx) {
        const SetElem *x = a, *y = b;
        return memcmp(x->addr_first, y->addr_first, *(size_t *)ctx);
}

static int cmp_u32(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
        return x < y ? -1 : x > y;
}

/* Rewrite the port ranges in ports as disjoint ranges covering the same ports. Where ranges with
 * different timeouts overlap, the overlap is split off and gets the longest timeout. */
static int cut_ports(ElemVec *ports) {
        size_t n = ports->n;
        _cleanup_free_ uint32_t *edges = calloc(2 * n, sizeof *edges);
        _cleanup_free_ SetElem *in = calloc(n, sizeof *in);
        size_t n_edges = 0, out = 0;

        if (!edges || !in)
                return -ENOMEM;
        memcpy(in, ports->v, n * sizeof *in);
        for (size_t i = 0; i < n; i++) {
                edges[n_edges++] = in[i].port_first;
                edges[n_edges++] = (uint32_t)in[i].port_last + 1;
        }
        qsort(edges, n_edges, sizeof *edges, cmp_u32);
        for (size_t k = 0; k + 1 < n_edges; k++) {
                uint32_t first = edges[k], last = edges[k + 1] - 1;
                uint64_t timeout = 1; /* shorter than any real timeout; replaced by the first cover */
                bool covered = false;

                if (edges[k + 1] == edges[k])
                        continue;
                for (size_t i = 0; i < n; i++)
                        if (in[i].port_first <= first && in[i].port_last >= last) {
                                timeout = covered ? longer_timeout(timeout, in[i].timeout_ms)
                                                  : in[i].timeout_ms;
                                covered = true;
                        }
                if (!covered)
                        continue;
                if (out > 0 && (uint32_t)ports->v[out - 1].port_last + 1 == first &&
                    ports->v[out - 1].timeout_ms == timeout) {
                        ports->v[out - 1].port_last = (uint16_t)last;
                        continue;
                }
                ports->v[out] = in[0];
                ports->v[out].port_first = (uint16_t)first;
                ports->v[out].port_last = (uint16_t)last;
                ports->v[out].timeout_ms = timeout;
                out++;
        }
        ports->n = out;
        return 0;
}

/* The whole element in a stable order, protocol last, for the final join of protocol slices. */
static int cmp_for_proto_join(const void *a, const void *b, void *ctx) {
        const SetElem *x = a, *y = b;
        size_t sort_len = *(size_t *)ctx;
        int r;

        if ((r = memcmp(x->addr_first, y->addr_first, sort_len)) != 0)
                return r;
        if ((r = memcmp(x->addr_last, y->addr_last, sort_len)) != 0)
                return r;
        if (x->port_first != y->port_first)
                return (int)x->port_first - (int)y->port_first;
        if (x->port_last != y->port_last)
                return (int)x->port_last - (int)y->port_last;
        if (x->timeout_ms != y->timeout_ms)
                return x->timeout_ms < y->timeout_ms ? -1 : 1;
        return (int)x->proto_first - (int)y->proto_first;
}

/* The ports the active boxes cover, as disjoint ranges into ports (cleared first). */
static int union_ports(SetElem *const *active, size_t n_active, ElemVec *ports) {
        int r;

        ports->n = 0;
        for (size_t i = 0; i < n_active; i++)
                if ((r = elem_vec_push(ports, active[i])) < 0)
                        return r;
        return cut_ports(ports);
}

static bool same_ports(const ElemVec *a, const ElemVec *b) {
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (a->v[i].port_first != b->v[i].port_first || a->v[i].port_last != b->v[i].port_last ||
                    a->v[i].timeout_ms != b->v[i].timeout_ms)
                        return false;
        return true;
}

static int emit_slice(
        ElemVec *out, const uint8_t first[16], const uint8_t last[16], unsigned proto_first,
        unsigned proto_last, const ElemVec *ports) {
        for (size_t i = 0; i < ports->n; i++) {
                SetElem e = ports->v[i];
                memcpy(e.addr_first, first, 16);
                memcpy(e.addr_last, last, 16);
                e.proto_first = (uint8_t)proto_first;
                e.proto_last = (uint8_t)proto_last;
                int r = elem_vec_push(out, &e);
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef struct Sweep {
        size_t len;           /* address bytes */
        uint8_t (*edges)[16]; /* every addr_first and addr_last + 1, sorted, unique */
        size_t n_edges;
        SetElem **active; /* boxes covering the current slice */
        size_t n_active;
        ElemVec ports, pending_ports;
        uint8_t pending_first[16], pending_last[16];
        bool have_pending;
} Sweep;

static int flush_pending(Sweep *sw, ElemVec *out, unsigned pf, unsigned pl) {
        if (!sw->have_pending)
                return 0;
        sw->have_pending = false;
        return emit_slice(out, sw->pending_first, sw->pending_last, pf, pl, &sw->pending_ports);
}

/* Step 2 and the address half of step 3, for the boxes of one protocol slice. */
static int sweep_addresses(Sweep *sw, SetElem *boxes, size_t n, unsigned pf, unsigned pl, ElemVec *out) {
        size_t len = sw->len, next = 0;
        int r;

        sw->n_edges = 0;
        for (size_t i = 0; i < n; i++) {
                memcpy(sw->edges[sw->n_edges++], boxes[i].addr_first, 16);
                uint8_t end[16];
                memcpy(end, boxes[i].addr_last, 16);
                if (addr_inc(end, len))
                        memcpy(sw->edges[sw->n_edges++], end, 16);
        }
        qsort_r(sw->edges, sw->n_edges, 16, cmp_addr, &len);
        qsort_r(boxes, n, sizeof *boxes, cmp_by_addr_first, &len);

        sw->n_active = 0;
        sw->have_pending = false;
        for (size_t k = 0; k < sw->n_edges; k++) {
                const uint8_t *start = sw->edges[k];
                uint8_t last[16];

                if (k > 0 && memcmp(start, sw->edges[k - 1], len) == 0)
                        continue;
                while (next < n && memcmp(boxes[next].addr_first, start, len) <= 0)
                        sw->active[sw->n_active++] = &boxes[next++];
                size_t kept = 0;
                for (size_t i = 0; i < sw->n_active; i++)
                        if (memcmp(sw->active[i]->addr_last, start, len) >= 0)
                                sw->active[kept++] = sw->active[i];
                sw->n_active = kept;

                if (sw->n_active == 0) {
                        if ((r = flush_pending(sw, out, pf, pl)) < 0)
                                return r;
                        continue;
                }

                /* This slice ends just before the next distinct edge, or at the top of the space. */
                size_t k2 = k + 1;
                while (k2 < sw->n_edges && memcmp(sw->edges[k2], start, len) == 0)
                        k2++;
                if (k2 < sw->n_edges) {
                        memcpy(last, sw->edges[k2], 16);
                        addr_dec(last, len);
                } else {
                        memset(last, 0, 16);
                        memset(last, 0xff, len);
                }

                if ((r = union_ports(sw->active, sw->n_active, &sw->ports)) < 0)
                        return r;

                uint8_t after_pending[16];
                memcpy(after_pending, sw->pending_last, 16);
                bool adjacent = sw->have_pending && addr_inc(after_pending, len) &&
                                memcmp(after_pending, start, len) == 0;
                if (adjacent && same_ports(&sw->ports, &sw->pending_ports)) {
                        memcpy(sw->pending_last, last, 16);
                        continue;
                }
                if ((r = flush_pending(sw, out, pf, pl)) < 0)
                        return r;
                memcpy(sw->pending_first, start, 16);
                memcpy(sw->pending_last, last, 16);
                ElemVec tmp = sw->pending_ports;
                sw->pending_ports = sw->ports;
                sw->ports = tmp;
                sw->have_pending = true;
        }
        return flush_pending(sw, out, pf, pl);
}

static int normalize_concat(const SetElem *in, size_t n, size_t len, ElemVec *out) {
        _cleanup_free_ SetElem *slice = calloc(n ? n : 1, sizeof(SetElem));
        _cleanup_free_ SetElem **active = calloc(n ? n : 1, sizeof(SetElem *));
        _cleanup_free_ uint8_t(*edges)[16] = calloc(2 * n + 1, 16);
        uint16_t cuts[512];
        size_t n_cuts = 0;
        int r = 0;

        if (!slice || !active || !edges)
                return -ENOMEM;

        /* Step 1: the protocol axis is at most 256 values wide; mark where slices begin. */
        bool cut_at[257] = {[0] = true};
        for (size_t i = 0; i < n; i++) {
                cut_at[in[i].proto_first] = true;
                cut_at[in[i].proto_last + 1] = true;
        }
        for (unsigned p = 0; p <= 256; p++)
                if (cut_at[p])
                        cuts[n_cuts++] = (uint16_t)p;

        Sweep sw = {.len = len, .edges = edges, .active = active};
        for (size_t c = 0; c + 1 < n_cuts && r >= 0; c++) {
                unsigned pf = cuts[c], pl = cuts[c + 1] - 1u;
                size_t m = 0;

                for (size_t i = 0; i < n; i++)
                        if (in[i].proto_first <= pf && in[i].proto_last >= pl)
                                slice[m++] = in[i];
                if (m > 0)
                        r = sweep_addresses(&sw, slice, m, pf, pl, out);
        }
        elem_vec_done(&sw.ports);
        elem_vec_done(&sw.pending_ports);
        if (r < 0)
                return r;

        /* Step 3, protocol half: join slices that carry the same address and port ranges. */
        if (out->n > 1)
                qsort_r(out->v, out->n, sizeof(SetElem), cmp_for_proto_join, &len);
        size_t kept = 0;
        for (size_t i = 0; i < out->n; i++) {
                SetElem *cur = &out->v[i], *prev = kept > 0 ? &out->v[kept - 1] : NULL;
                if (prev && memcmp(prev->addr_first, cur->addr_first, len) == 0 &&
                    memcmp(prev->addr_last, cur->addr_last, len) == 0 &&
                    prev->port_first == cur->port_first && prev->port_last == cur->port_last &&
                    prev->timeout_ms == cur->timeout_ms && prev->proto_last + 1u == cur->proto_first) {
                        prev->proto_last = cur->proto_last;
                        continue;
                }
                out->v[kept++] = *cur;
        }
        out->n = kept;
        return 0;
}

int ruleset_set_normalize(Arena *a, RulesetSet *s, const SetElem *in, size_t n) {
        size_t len = set_key_addr_len(s->key);
        ElemVec out = {};
        int r;

        /* An address-only set is the same problem with one protocol and one port: its elements
         * carry proto 0-0 and port 0-0 through the sweep, and nobody reads them afterwards. */
        _cleanup_free_ SetElem *flat = NULL;
        if (!set_key_is_concat(s->key) && n > 0) {
                flat = calloc(n, sizeof(SetElem));
                if (!flat)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        flat[i] = in[i];
                        flat[i].proto_first = flat[i].proto_last = 0;
                        flat[i].port_first = flat[i].port_last = 0;
                }
                in = flat;
        }
        r = normalize_concat(in, n, len, &out);
        if (r < 0) {
                elem_vec_done(&out);
                return r;
        }

        SetElem *elems = arena_alloc_array(a, out.n ? out.n : 1, sizeof(SetElem));
        if (!elems) {
                elem_vec_done(&out);
                return -ENOMEM;
        }
        if (out.n > 0)
                memcpy(elems, out.v, out.n * sizeof(SetElem));
        s->elems = elems;
        s->n_elems = out.n;
        elem_vec_done(&out);
        return 0;
}
