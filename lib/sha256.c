/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 as FIPS 180-4 describes it: sections 4.1.2 (functions), 4.2.2 (constants), 5.1.1
 * (padding), 5.3.3 (initial hash value) and 6.2.2 (computation). */
#include <string.h>

#include "sha256.h"

static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, unsigned n) {
        return (x >> n) | (x << (32 - n));
}

#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x) (rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22))
#define BSIG1(x) (rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25))
#define SSIG0(x) (rotr(x, 7) ^ rotr(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (rotr(x, 17) ^ rotr(x, 19) ^ ((x) >> 10))

static void sha256_block(uint32_t h[8], const uint8_t block[64]) {
        uint32_t w[64], a, b, c, d, e, f, g, hh;

        for (unsigned t = 0; t < 16; t++)
                w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
                       (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
        for (unsigned t = 16; t < 64; t++)
                w[t] = SSIG1(w[t - 2]) + w[t - 7] + SSIG0(w[t - 15]) + w[t - 16];

        a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (unsigned t = 0; t < 64; t++) {
                uint32_t t1 = hh + BSIG1(e) + CH(e, f, g) + K[t] + w[t];
                uint32_t t2 = BSIG0(a) + MAJ(a, b, c);
                hh = g, g = f, f = e, e = d + t1;
                d = c, c = b, b = a, a = t1 + t2;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void sha256_init(Sha256Ctx *ctx) {
        static const uint32_t H0[8] = {
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };

        memcpy(ctx->h, H0, sizeof H0);
        ctx->length = 0;
        ctx->n_buf = 0;
}

void sha256_update(Sha256Ctx *ctx, const void *data, size_t len) {
        const uint8_t *p = data;

        if (len == 0)
                return;
        ctx->length += len;
        if (ctx->n_buf > 0) {
                size_t n = 64 - ctx->n_buf < len ? 64 - ctx->n_buf : len;
                memcpy(ctx->buf + ctx->n_buf, p, n);
                ctx->n_buf += n;
                p += n;
                len -= n;
                if (ctx->n_buf < 64)
                        return;
                sha256_block(ctx->h, ctx->buf);
                ctx->n_buf = 0;
        }
        for (; len >= 64; p += 64, len -= 64)
                sha256_block(ctx->h, p);
        if (len > 0) {
                memcpy(ctx->buf, p, len);
                ctx->n_buf = len;
        }
}

void sha256_final(Sha256Ctx *ctx, uint8_t out[static SHA256_DIGEST_SIZE]) {
        uint64_t bits = ctx->length * 8;

        /* 5.1.1: a 1 bit, zeros up to 56 mod 64 bytes, then the message length in bits, big-endian. */
        ctx->buf[ctx->n_buf++] = 0x80;
        if (ctx->n_buf > 56) {
                memset(ctx->buf + ctx->n_buf, 0, 64 - ctx->n_buf);
                sha256_block(ctx->h, ctx->buf);
                ctx->n_buf = 0;
        }
        memset(ctx->buf + ctx->n_buf, 0, 56 - ctx->n_buf);
        for (unsigned i = 0; i < 8; i++)
                ctx->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
        sha256_block(ctx->h, ctx->buf);

        for (unsigned i = 0; i < 8; i++) {
                out[4 * i] = (uint8_t)(ctx->h[i] >> 24);
                out[4 * i + 1] = (uint8_t)(ctx->h[i] >> 16);
                out[4 * i + 2] = (uint8_t)(ctx->h[i] >> 8);
                out[4 * i + 3] = (uint8_t)ctx->h[i];
        }
        memset(ctx, 0, sizeof *ctx);
}

void sha256(const void *data, size_t len, uint8_t out[static SHA256_DIGEST_SIZE]) {
        Sha256Ctx ctx;

        sha256_init(&ctx);
        sha256_update(&ctx, data, len);
        sha256_final(&ctx, out);
}

char *sha256_hex(const uint8_t digest[static SHA256_DIGEST_SIZE], char buf[static SHA256_HEX_SIZE]) {
        static const char hex[] = "0123456789abcdef";

        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
                buf[2 * i] = hex[digest[i] >> 4];
                buf[2 * i + 1] = hex[digest[i] & 0xf];
        }
        buf[SHA256_HEX_SIZE - 1] = '\0';
        return buf;
}
