/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The set normalizer (merge.c): what the compiler and refresh use to build a set's elements. */
#pragma once

#include "arena.h"
#include "ruleset.h"

/* A growable array of elements, for building a set's contents before normalizing them. */
typedef struct ElemVec {
        SetElem *v;
        size_t n, cap;
} ElemVec;
int elem_vec_push(ElemVec *vec, const SetElem *e);
void elem_vec_done(ElemVec *vec);

/* Replace s's elements by the normalized form of in[0..n): sorted, disjoint (the kernel refuses
 * overlapping interval elements), adjacent ranges joined. Where elements with different
 * timeouts overlap, the overlap gets the longest (0, permanent, is longest of all). New storage
 * comes from a. */
int ruleset_set_normalize(Arena *a, RulesetSet *s, const SetElem *in, size_t n);
