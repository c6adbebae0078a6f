/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the image seal (lib/image-seal.c), the text rcc-setup writes at import and
 * rcc-stage trusts before every session. Whatever the input: no crash or overrun; a failure comes
 * with a message and leaves the output untouched; an accepted seal has 64-hex ids, at least one
 * layer and a name without a newline, and formats into text that parses back to the same seal and
 * is byte for byte the input (the parser accepts the canonical form only).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image-seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_id(const char *id) {
        if (strlen(id) != IMAGE_ID_LEN || strspn(id, "0123456789abcdef") != IMAGE_ID_LEN)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static ImageSeal seal, again, untouched;
        RccDiag diag = {};
        char *text = NULL;
        int r;

        memset(&seal, 0x5a, sizeof seal);
        untouched = seal;
        r = image_seal_parse((const char *)data, size, "fuzz", &seal, &diag);
        if (r > 0)
                abort();
        if (r < 0) {
                if (diag.msg[0] == '\0' || memcmp(&seal, &untouched, sizeof seal) != 0)
                        abort();
                return 0;
        }
        check_id(seal.id);
        if (seal.n_layers == 0 || seal.n_layers > IMAGE_SEAL_MAX_LAYERS || seal.name[0] == '\0' ||
            strchr(seal.name, '\n'))
                abort();
        for (size_t i = 0; i < seal.n_layers; i++)
                check_id(seal.layers[i].id);
        if (image_seal_format(&seal, &text) < 0)
                abort();
        if (strlen(text) != size || memcmp(text, data, size) != 0)
                abort();
        if (image_seal_parse(text, strlen(text), "fuzz", &again, &diag) < 0 ||
            memcmp(&again, &seal, sizeof seal) != 0)
                abort();
        free(text);
        return 0;
}
