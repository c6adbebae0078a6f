/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 against the FIPS 180-2 / NIST example vectors, block-boundary lengths (from an
 * independent implementation) and every way of splitting the input for the incremental API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

typedef struct Vector {
        const char *message; /* NULL: repeat 'a' n times */
        size_t n;
        const char *hex;
} Vector;

static const Vector vectors[] = {
        {"abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        /* The 448-bit message: padding needs a second block. */
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        /* The 896-bit message. */
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
         "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
        {NULL, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {NULL, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {NULL, 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {NULL, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {NULL, 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {NULL, 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {NULL, 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
        /* One million 'a'. */
        {NULL, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

static char *message_of(const Vector *v) {
        char *m = malloc(v->n + 1);

        assert_non_null(m);
        if (v->message)
                memcpy(m, v->message, v->n + 1);
        else
                memset(m, 'a', v->n);
        return m;
}

static void test_one_shot(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
                char *m = message_of(&vectors[i]);
                uint8_t digest[SHA256_DIGEST_SIZE];
                char hex[SHA256_HEX_SIZE];

                sha256(m, vectors[i].n, digest);
                assert_string_equal(sha256_hex(digest, hex), vectors[i].hex);
                free(m);
        }
}

static void test_empty_null(void **state) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[SHA256_HEX_SIZE];

        (void)state;
        sha256(NULL, 0, digest);
        assert_string_equal(sha256_hex(digest, hex), vectors[1].hex);
}

/* Feed each vector in chunks of every size from 1 to 130 bytes: same digest as one shot. */
static void test_incremental(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
                char *m;

                if (vectors[i].n > 1000)
                        continue;
                m = message_of(&vectors[i]);
                for (size_t chunk = 1; chunk <= 130; chunk++) {
                        uint8_t digest[SHA256_DIGEST_SIZE];
                        char hex[SHA256_HEX_SIZE];
                        Sha256Ctx ctx;

                        sha256_init(&ctx);
                        for (size_t off = 0; off < vectors[i].n; off += chunk) {
                                size_t n = vectors[i].n - off < chunk ? vectors[i].n - off : chunk;
                                sha256_update(&ctx, m + off, n);
                                sha256_update(&ctx, m + off, 0);
                        }
                        sha256_final(&ctx, digest);
                        assert_string_equal(sha256_hex(digest, hex), vectors[i].hex);
                }
                free(m);
        }
}

/* The million 'a' in uneven pieces, crossing block boundaries at every offset. */
static void test_incremental_large(void **state) {
        const Vector *v = &vectors[sizeof vectors / sizeof vectors[0] - 1];
        char *m = message_of(v);
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[SHA256_HEX_SIZE];
        Sha256Ctx ctx;
        size_t off = 0, step = 1;

        (void)state;
        sha256_init(&ctx);
        while (off < v->n) {
                size_t n = v->n - off < step ? v->n - off : step;
                sha256_update(&ctx, m + off, n);
                off += n;
                step = step % 997 + 7;
        }
        sha256_final(&ctx, digest);
        assert_string_equal(sha256_hex(digest, hex), v->hex);
        free(m);
}

static void test_hex(void **state) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[SHA256_HEX_SIZE];

        (void)state;
        for (size_t i = 0; i < sizeof digest; i++)
                digest[i] = (uint8_t)(i * 8 + 7);
        assert_string_equal(
                sha256_hex(digest, hex), "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
        assert_int_equal(strlen(hex), 64);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_one_shot),    cmocka_unit_test(test_empty_null),
                cmocka_unit_test(test_incremental), cmocka_unit_test(test_incremental_large),
                cmocka_unit_test(test_hex),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
