/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bump allocator: everything of one Policy (or one compiled Ruleset) lives in one arena and
 * is freed at once. Makes "immutable after load" cheap and every error path leak-free.
 */
#pragma once

#include <stddef.h>

typedef struct Arena Arena;

Arena *arena_new(void);
Arena *arena_free(Arena *a);

/* Zeroed memory; NULL on overflow or when out of memory. */
void *arena_alloc(Arena *a, size_t size);
void *arena_alloc_array(Arena *a, size_t n, size_t size);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
/* Grow an array allocated from this arena (the old copy stays until the arena is freed). */
void *arena_realloc_array(Arena *a, void *old, size_t old_n, size_t new_n, size_t size);
