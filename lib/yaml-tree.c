/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "policy.h"
#include "yaml-tree.h"

typedef struct Frame {
        YNode *node;
        YNode *last;        /* the last item or key appended */
        YNode *pending_key; /* mapping: a key still waiting for its value */
} Frame;

typedef struct TreeParser {
        Arena *arena;
        const char *file;
        RccDiag *diag;
        Frame stack[POLICY_MAX_DEPTH];
        unsigned depth;
        unsigned n_documents;
        YNode *root;
} TreeParser;

static void yaml_parser_deletep(yaml_parser_t *p) {
        yaml_parser_delete(p);
}

static void yaml_event_deletep(yaml_event_t *e) {
        yaml_event_delete(e);
}

static bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

_printf_(3, 4) static int tree_error(TreeParser *tp, const yaml_mark_t *m, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_setv(tp->diag, -EINVAL, tp->file, (unsigned)m->line + 1, (unsigned)m->column + 1, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

bool ynode_is_null(const YNode *n) {
        if (n->type != YNODE_SCALAR || n->quoted)
                return false;
        return n->len == 0 || streq(n->str, "~") || streq(n->str, "null") || streq(n->str, "Null") ||
               streq(n->str, "NULL");
}

const char *ynode_describe(const YNode *n, char *buf, size_t size) {
        switch (n->type) {
        case YNODE_SEQUENCE:
                return "a list";
        case YNODE_MAPPING:
                return "a mapping";
        case YNODE_SCALAR:
                if (ynode_is_null(n))
                        return "nothing";
                snprintf(buf, size, "'%s'", n->str);
                return buf;
        }
        return "?";
}

const YNode *ynode_get(const YNode *map, const char *key) {
        if (map->type != YNODE_MAPPING)
                return NULL;
        for (const YNode *k = map->first; k; k = k->next)
                if (streq(k->str, key))
                        return k->value;
        return NULL;
}

static YNode *node_new(TreeParser *tp, YNodeType type, const yaml_mark_t *m) {
        YNode *n = arena_alloc(tp->arena, sizeof(YNode));
        if (!n)
                return NULL;
        n->type = type;
        n->line = (unsigned)m->line + 1;
        n->column = (unsigned)m->column + 1;
        return n;
}

/* Attach a new node to the collection being built (or make it the root). */
static int node_attach(TreeParser *tp, YNode *n, const yaml_mark_t *m) {
        Frame *f;

        if (tp->depth == 0) {
                tp->root = n;
                return 0;
        }
        f = &tp->stack[tp->depth - 1];

        if (f->node->type == YNODE_MAPPING && f->pending_key) {
                f->pending_key->value = n;
                f->pending_key = NULL;
                return 0;
        }
        if (f->node->type == YNODE_MAPPING && n->type != YNODE_SCALAR)
                return tree_error(
                        tp, m, "%s as a mapping key; expected a string", ynode_describe(n, NULL, 0));
        if (f->node->n >= POLICY_MAX_LIST)
                return tree_error(tp, m, "more than %u entries in one list or mapping", POLICY_MAX_LIST);

        if (f->last)
                f->last->next = n;
        else
                f->node->first = n;
        f->last = n;
        f->node->n++;
        if (f->node->type == YNODE_MAPPING)
                f->pending_key = n;
        return 0;
}

typedef struct KeyRef {
        const YNode *key;
        size_t index;
} KeyRef;

static bool key_equal(const YNode *a, const YNode *b) {
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
}

static int keyref_compare(const void *a, const void *b) {
        const KeyRef *x = a, *y = b;
        size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
        int c = memcmp(x->key->str, y->key->str, n);

        if (c != 0)
                return c;
        if (x->key->len != y->key->len)
                return x->key->len < y->key->len ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorting keeps this O(n log n) for big mappings; of all repeated keys, report the one that comes
 * first in the file, naming where it was first defined. */
static int check_duplicate_keys(TreeParser *tp, const YNode *map) {
        _cleanup_free_ KeyRef *refs = NULL;
        const KeyRef *dup = NULL, *orig = NULL;
        size_t i = 0;

        if (map->n < 2)
                return 0;
        refs = calloc(map->n, sizeof(KeyRef));
        if (!refs)
                return diag_set(tp->diag, -ENOMEM, tp->file, 0, 0, "out of memory");
        for (const YNode *k = map->first; k; k = k->next, i++)
                refs[i] = (KeyRef){.key = k, .index = i};
        qsort(refs, map->n, sizeof(KeyRef), keyref_compare);

        /* Equal keys sort together by position: the second of each run is that key's first repeat. */
        for (i = 1; i < map->n; i++) {
                if (!key_equal(refs[i].key, refs[i - 1].key))
                        continue;
                if (i >= 2 && key_equal(refs[i].key, refs[i - 2].key))
                        continue;
                if (!dup || refs[i].index < dup->index) {
                        dup = &refs[i];
                        orig = &refs[i - 1];
                }
        }
        if (!dup)
                return 0;
        return diag_set(
                tp->diag, -EINVAL, tp->file, dup->key->line, dup->key->column,
                "duplicate key '%s'; it was already given on line %u", dup->key->str, orig->key->line);
}

static int check_node_props(
        TreeParser *tp, const yaml_event_t *ev, const yaml_char_t *anchor, const yaml_char_t *tag) {
        if (anchor)
                return tree_error(
                        tp, &ev->start_mark, "anchors ('&%s') and aliases are not allowed",
                        (const char *)anchor);
        if (tag)
                return tree_error(
                        tp, &ev->start_mark, "YAML tags ('%s') are not allowed", (const char *)tag);
        return 0;
}

static int on_scalar(TreeParser *tp, const yaml_event_t *ev) {
        const char *value = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        YNode *n;
        int r;

        r = check_node_props(tp, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
        if (r < 0)
                return r;
        if (memchr(value, '\0', len))
                return tree_error(tp, &ev->start_mark, "a NUL character in a string is not allowed");

        n = node_new(tp, YNODE_SCALAR, &ev->start_mark);
        if (!n || !(n->str = arena_strndup(tp->arena, value, len)))
                return diag_set(tp->diag, -ENOMEM, tp->file, 0, 0, "out of memory");
        n->len = len;
        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        return node_attach(tp, n, &ev->start_mark);
}

static int on_collection_start(TreeParser *tp, const yaml_event_t *ev, YNodeType type) {
        const yaml_char_t *anchor, *tag;
        YNode *n;
        int r;

        if (type == YNODE_MAPPING)
                anchor = ev->data.mapping_start.anchor, tag = ev->data.mapping_start.tag;
        else
                anchor = ev->data.sequence_start.anchor, tag = ev->data.sequence_start.tag;
        r = check_node_props(tp, ev, anchor, tag);
        if (r < 0)
                return r;
        if (tp->depth >= POLICY_MAX_DEPTH)
                return tree_error(tp, &ev->start_mark, "nested more than %u levels deep", POLICY_MAX_DEPTH);

        n = node_new(tp, type, &ev->start_mark);
        if (!n)
                return diag_set(tp->diag, -ENOMEM, tp->file, 0, 0, "out of memory");
        r = node_attach(tp, n, &ev->start_mark);
        if (r < 0)
                return r;
        tp->stack[tp->depth++] = (Frame){.node = n};
        return 0;
}

static int on_collection_end(TreeParser *tp) {
        YNode *n;

        assert(tp->depth > 0);
        n = tp->stack[--tp->depth].node;
        if (n->type == YNODE_MAPPING)
                return check_duplicate_keys(tp, n);
        return 0;
}

static int on_event(TreeParser *tp, const yaml_event_t *ev) {
        switch (ev->type) {
        case YAML_STREAM_START_EVENT:
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT:
        case YAML_NO_EVENT:
                return 0;
        case YAML_DOCUMENT_START_EVENT:
                if (tp->n_documents++ > 0)
                        return tree_error(
                                tp, &ev->start_mark,
                                "a second YAML document; expected one document per file");
                return 0;
        case YAML_ALIAS_EVENT:
                return tree_error(
                        tp, &ev->start_mark, "aliases ('*%s') and anchors are not allowed",
                        (const char *)ev->data.alias.anchor);
        case YAML_SCALAR_EVENT:
                return on_scalar(tp, ev);
        case YAML_SEQUENCE_START_EVENT:
                return on_collection_start(tp, ev, YNODE_SEQUENCE);
        case YAML_MAPPING_START_EVENT:
                return on_collection_start(tp, ev, YNODE_MAPPING);
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                return on_collection_end(tp);
        }
        return 0;
}

/* libyaml's reader reports a byte offset rather than a position: count lines and characters. */
static void offset_to_position(
        const char *text, size_t len, size_t offset, unsigned *line, unsigned *column) {
        *line = 1;
        *column = 1;
        for (size_t i = 0; i < offset && i < len; i++) {
                if (text[i] == '\n') {
                        (*line)++;
                        *column = 1;
                } else if (((unsigned char)text[i] & 0xc0) != 0x80)
                        (*column)++;
        }
}

static int parser_error(TreeParser *tp, const yaml_parser_t *p, const char *text, size_t len) {
        const char *problem = p->problem ? p->problem : "unknown error";
        unsigned line, column;

        switch (p->error) {
        case YAML_MEMORY_ERROR:
                return diag_set(tp->diag, -ENOMEM, tp->file, 0, 0, "out of memory");
        case YAML_READER_ERROR:
                offset_to_position(text, len, p->problem_offset, &line, &column);
                return diag_set(tp->diag, -EINVAL, tp->file, line, column, "invalid text: %s", problem);
        case YAML_NO_ERROR:
        case YAML_SCANNER_ERROR:
        case YAML_PARSER_ERROR:
        case YAML_COMPOSER_ERROR:
        case YAML_WRITER_ERROR:
        case YAML_EMITTER_ERROR:
                break;
        }
        line = (unsigned)p->problem_mark.line + 1;
        column = (unsigned)p->problem_mark.column + 1;
        if (p->context)
                return diag_set(
                        tp->diag, -EINVAL, tp->file, line, column, "invalid YAML: %s (%s on line %u)",
                        problem, p->context, (unsigned)p->context_mark.line + 1);
        return diag_set(tp->diag, -EINVAL, tp->file, line, column, "invalid YAML: %s", problem);
}

int yaml_tree_parse(Arena *a, const char *file, const char *text, size_t len, YNode **ret, RccDiag *diag) {
        _cleanup_(yaml_parser_deletep) yaml_parser_t parser = {};
        TreeParser tp = {.arena = a, .file = file, .diag = diag};
        bool done = false;

        if (len > POLICY_MAX_FILE_SIZE)
                return diag_set(
                        diag, -EFBIG, file, 0, 0, "larger than %u bytes; expected a small policy file",
                        POLICY_MAX_FILE_SIZE);
        if (!yaml_parser_initialize(&parser))
                return diag_set(diag, -ENOMEM, file, 0, 0, "out of memory");
        yaml_parser_set_input_string(&parser, (const unsigned char *)(len > 0 ? text : ""), len);
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

        while (!done) {
                _cleanup_(yaml_event_deletep) yaml_event_t ev = {};
                int r;

                if (!yaml_parser_parse(&parser, &ev))
                        return parser_error(&tp, &parser, text, len);
                r = on_event(&tp, &ev);
                if (r < 0)
                        return r;
                done = ev.type == YAML_STREAM_END_EVENT;
        }

        if (!tp.root) {
                static const yaml_mark_t start = {};
                tp.root = node_new(&tp, YNODE_SCALAR, &start);
                if (!tp.root)
                        return diag_set(diag, -ENOMEM, file, 0, 0, "out of memory");
                tp.root->str = "";
        }
        *ret = tp.root;
        return 0;
}
