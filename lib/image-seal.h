/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seal of an account's image: what `rcc-setup image import` (or `build`) found in the account's
 * podman storage once the image was in, written root-owned next to it (RCC_STORAGE_DIR/UID/
 * image.seal), and computed again before every session, which runs the image by its id and is
 * refused if anything differs. The storage is the account's own: nothing of a session can reach it
 * (setup/host/storage.h), and the seal is what says so if something did. rcc-shell cannot read all of it
 * (podman's copies of the layers for --userns=keep-id belong to the account's subordinate uids), so
 * rcc-stage makes the check, inside podman's user namespace, before it binds the project.
 *
 * What is sealed, per layer the image's containers are built on (its own layers and, where podman
 * copied them for --userns=keep-id, their "mapped" copies), as containers/storage's overlay driver
 * keeps it and mounts it:
 *   - overlay/LAYER/link and overlay/LAYER/lower (the short names the mount is made of), and that
 *     overlay/l/LINK points at ../LAYER/diff;
 *   - every entry of overlay/LAYER/diff: path, type, mode, size, inode, mtime, ctime (which no one
 *     but root can set: a write, chmod, chown, rename or replacement changes it), link target.
 * and the image's metadata, overlay-images/ID/ (its configuration and manifest), the same way.
 * Which layers: images.json's entry for the id ("layer", "mapped-layers"), then each one's lower
 * file, resolved through overlay/l/ as the driver resolves it.
 *
 * Format (text, one key=value a line, in this order, nothing else):
 *     version=1  image=NAME  id=64HEX  config=64HEX  files=N  layer=64HEX 64HEX ...
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "sha256.h"

#define IMAGE_SEAL_FILE "image.seal"
#define IMAGE_ID_LEN 64
#define IMAGE_SEAL_MAX_LAYERS 128
#define IMAGE_SEAL_MAX_SIZE (64 * 1024)

typedef struct ImageSealLayer {
        char id[IMAGE_ID_LEN + 1];
        uint8_t digest[SHA256_DIGEST_SIZE];
} ImageSealLayer;

typedef struct ImageSeal {
        char name[256]; /* the name it was imported as: container.image */
        char id[IMAGE_ID_LEN + 1];
        uint8_t config[SHA256_DIGEST_SIZE];
        uint64_t n_files; /* entries sealed, all layers and the metadata together */
        ImageSealLayer layers[IMAGE_SEAL_MAX_LAYERS];
        size_t n_layers;
} ImageSeal;

/* The seal of the image called name (or, name NULL, with id) in the podman storage graph (a
 * graphroot: overlay/, overlay-images/). Refuses (-EBADMSG, with what is wrong) storage whose
 * metadata does not hold together: an overlay/l/ link that points elsewhere than its layer, an id
 * that is not 64 hex digits. */
int image_seal_compute(const char *graph, const char *name, const char *id, ImageSeal *ret, RccDiag *diag);

/* Compute the seal of want->id and compare: 0, or -EBADMSG with a diag that names what differs. */
int image_seal_verify(const char *graph, const ImageSeal *want, RccDiag *diag);

/* The seal as text (malloc()ed). */
int image_seal_format(const ImageSeal *s, char **ret);

/* Parse text (len bytes, no NUL needed). Errors name path:line. */
int image_seal_parse(const char *text, size_t len, const char *path, ImageSeal *ret, RccDiag *diag);
