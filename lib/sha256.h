/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4), small and dependency-free: for the ruleset digest and policy fingerprints. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE (SHA256_DIGEST_SIZE * 2 + 1)

typedef struct Sha256Ctx {
        uint32_t h[8];
        uint64_t length; /* bytes hashed so far */
        uint8_t buf[64];
        size_t n_buf;
} Sha256Ctx;

void sha256_init(Sha256Ctx *ctx);
void sha256_update(Sha256Ctx *ctx, const void *data, size_t len);
void sha256_final(Sha256Ctx *ctx, uint8_t out[static SHA256_DIGEST_SIZE]);

/* One-shot digest. */
void sha256(const void *data, size_t len, uint8_t out[static SHA256_DIGEST_SIZE]);

/* Lower-case hex of a digest into buf (>= SHA256_HEX_SIZE bytes); returns buf. */
char *sha256_hex(const uint8_t digest[static SHA256_DIGEST_SIZE], char buf[static SHA256_HEX_SIZE]);
