/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the two halves of the policy schema share; lib-private, like policy-internal.h.
 * policy-schema.c walks a file's mappings through tables of known keys and holds the top level
 * and the files, container and users sections; policy-schema-network.c the network section.
 */
#pragma once

#include <errno.h>

#include "policy-internal.h"

typedef struct Schema {
        Arena *arena;
        const char *file;
        PolicyFileKind kind;
        RccDiag *diag;
        const char *owner;
        bool have_version;
} Schema;

typedef int (*KeyHandler)(Schema *sc, const YNode *key, const YNode *value, Settings *s);

typedef struct KeyTable {
        const char *key;
        KeyHandler handler;
        unsigned kinds; /* the files it may appear in; 0: both (its handler explains otherwise) */
} KeyTable;

#define ONLY(kind) (1u << (kind))

void schema_record(Schema *sc, const YNode *n, const char *fmt, ...) _printf_(3, 4);

/* Record an error at n and evaluate to -EINVAL, visibly to the compiler (as diag_set() does):
 * a handler's `if (r < 0) return r;` after schema_get_string() and the like then covers the error
 * paths, and what those set only on success is not "maybe uninitialized" after them. */
#define schema_error(sc, n, ...)                       \
        ({                                             \
                schema_record((sc), (n), __VA_ARGS__); \
                -EINVAL;                               \
        })

int schema_oom(Schema *sc);
/* "expected EXPECTED for WHAT, found ..." at n. */
int schema_type_error(Schema *sc, const YNode *n, const char *expected, const char *what);
/* n is a mapping or a list (type), else schema_type_error(). */
int schema_expect_type(Schema *sc, const YNode *n, YNodeType type, const char *what);
/* A string: any scalar but a YAML null; copied into the policy's arena. */
int schema_get_string(Schema *sc, const YNode *n, const char *what, const char **ret);
/* Each key of map through its handler in t, in document order; an unknown key fails at itself,
 * naming the keys this kind of file takes (where: the mapping's name, "" at the top level). */
int schema_walk_mapping(
        Schema *sc, const YNode *map, const char *where, const KeyTable *t, size_t n_t, Settings *s);
SourceLoc schema_loc_of(const Schema *sc, const YNode *n);

/* policy-schema-network.c: the "network" key. */
int schema_on_network(Schema *sc, const YNode *key, const YNode *v, Settings *s);
