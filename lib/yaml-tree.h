/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * YAML → a small tree of nodes with their positions, built from libyaml's event stream. Only what
 * a policy needs and nothing that can blow up: no anchors or aliases (billion laughs), no tags, one
 * document, bounded depth, size and entry counts, no duplicate mapping keys. Every node lives in
 * the arena given to yaml_tree_parse().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"

typedef enum YNodeType {
        YNODE_SCALAR,
        YNODE_SEQUENCE,
        YNODE_MAPPING,
} YNodeType;

typedef struct YNode YNode;
struct YNode {
        YNodeType type;
        unsigned line, column; /* 1-based */
        const char *str;       /* scalar: NUL-terminated and without a NUL inside */
        size_t len;
        bool quoted;  /* scalar: written quoted or as a block, so always a string, never null */
        YNode *first; /* sequence: the items; mapping: the keys (scalars); in document order */
        size_t n;
        YNode *next;  /* the next item or key */
        YNode *value; /* mapping key: its value */
};

/* Parse one YAML document. An empty stream gives a null scalar at 1:1. Errors name file:line:col. */
int yaml_tree_parse(Arena *a, const char *file, const char *text, size_t len, YNode **ret, RccDiag *diag);

/* A plain scalar that YAML reads as null: empty, "~" or "null". */
bool ynode_is_null(const YNode *n);

/* "a list", "a mapping", "nothing" or the quoted scalar, for "expected X, found Y". */
const char *ynode_describe(const YNode *n, char *buf, size_t size);

/* The value of key in a mapping, or NULL. */
const YNode *ynode_get(const YNode *map, const char *key);
