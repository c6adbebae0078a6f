/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK (64u * 1024)

typedef struct Chunk {
        struct Chunk *next;
        size_t size, used;
        max_align_t data[];
} Chunk;

struct Arena {
        Chunk *head;
};

Arena *arena_new(void) {
        return calloc(1, sizeof(Arena));
}

Arena *arena_free(Arena *a) {
        if (!a)
                return NULL;
        for (Chunk *c = a->head, *next; c; c = next) {
                next = c->next;
                free(c);
        }
        free(a);
        return NULL;
}

void *arena_alloc(Arena *a, size_t size) {
        const size_t align = _Alignof(max_align_t);
        size_t need;

        if (size > SIZE_MAX / 2)
                return NULL;
        need = (size + align - 1) & ~(align - 1);
        if (need == 0)
                need = align;

        if (!a->head || a->head->size - a->head->used < need) {
                size_t csize = need > ARENA_CHUNK ? need : ARENA_CHUNK;
                Chunk *c = malloc(sizeof(Chunk) + csize);
                if (!c)
                        return NULL;
                c->size = csize;
                c->used = 0;
                /* A big one-off allocation goes behind the current chunk, so its free space stays usable. */
                if (a->head && need > ARENA_CHUNK) {
                        c->next = a->head->next;
                        a->head->next = c;
                } else {
                        c->next = a->head;
                        a->head = c;
                }
                c->used = need;
                return memset((char *)c->data, 0, need);
        }

        void *p = (char *)a->head->data + a->head->used;
        a->head->used += need;
        return memset(p, 0, need);
}

void *arena_alloc_array(Arena *a, size_t n, size_t size) {
        if (size != 0 && n > SIZE_MAX / size)
                return NULL;
        return arena_alloc(a, n * size);
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
        char *p = arena_alloc(a, n + 1);
        if (!p)
                return NULL;
        memcpy(p, s, n);
        p[n] = '\0';
        return p;
}

char *arena_strdup(Arena *a, const char *s) {
        return arena_strndup(a, s, strlen(s));
}

void *arena_realloc_array(Arena *a, void *old, size_t old_n, size_t new_n, size_t size) {
        void *p = arena_alloc_array(a, new_n, size);
        if (!p)
                return NULL;
        if (old && old_n > 0)
                memcpy(p, old, (old_n < new_n ? old_n : new_n) * size);
        return p;
}
