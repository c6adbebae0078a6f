/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "fileio.h"
#include "image-seal.h"
#include "macro.h"
#include "yaml-tree.h"

#define IMAGES_JSON "overlay-images/images.json"
#define IMAGES_JSON_MAX (8u * 1024 * 1024)
#define LINK_MAX_LEN 64 /* containers/storage's short names are 26 characters */
#define LOWER_MAX 65536 /* "l/NAME:l/NAME:..." of up to IMAGE_SEAL_MAX_LAYERS layers */
#define TREE_MAX_DEPTH 256

DEFINE_TRIVIAL_CLEANUP_FUNC(Arena *, arena_free);

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* What one computation walks: the storage, and where it reports. */
typedef struct Walk {
        int graph_fd, overlay_fd;
        const char *graph;
        uint64_t n_files;
        RccDiag *diag;
} Walk;

static bool is_id(const char *s, size_t len) {
        if (len != IMAGE_ID_LEN)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

_printf_(2, 3) static int bad_storage(Walk *w, const char *fmt, ...) {
        char msg[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        return diag_set(
                w->diag, -EBADMSG, w->graph, 0, 0,
                "%s; the account's storage was changed: an admin runs rcc-setup image import (or "
                "build) again",
                msg);
}

/* ---- the tree of a directory ---- */

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One entry. Not its owner: root on the host and rcc-stage inside podman's user namespace see other
 * uids for the same file; a chown changes its ctime, which is sealed. */
static void hash_entry(Sha256Ctx *ctx, const char *path, const struct stat *st, const char *target) {
        char rec[256];
        int n = snprintf(
                rec, sizeof rec, "%o %jd %ju %jd.%09ld %jd.%09ld %jx", (unsigned)st->st_mode,
                (intmax_t)st->st_size, (uintmax_t)st->st_ino, (intmax_t)st->st_mtim.tv_sec,
                st->st_mtim.tv_nsec, (intmax_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec,
                (uintmax_t)st->st_rdev);

        sha256_update(ctx, path, strlen(path) + 1);
        sha256_update(ctx, rec, (size_t)n + 1);
        if (target)
                sha256_update(ctx, target, strlen(target) + 1);
}

/* Every entry beneath the directory fd (closed here), sorted by name at each level, into ctx. */
static int hash_tree(Walk *w, Sha256Ctx *ctx, int fd, char *path, size_t len, unsigned depth) {
        _cleanup_(closedirp) DIR *d = fdopendir(fd);
        _cleanup_free_ char **names = NULL;
        size_t n = 0, cap = 0;
        int r = 0;

        if (!d) {
                safe_close(fd);
                return diag_set(w->diag, negative_errno(), w->graph, 0, 0, "cannot read '%s': %m", path);
        }
        if (depth > TREE_MAX_DEPTH)
                return bad_storage(w, "'%s' is nested too deep", path);
        for (struct dirent *e; (e = readdir(d));) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 64;
                        char **p = reallocarray(names, ncap, sizeof *p);
                        if (!p) {
                                r = -ENOMEM;
                                break;
                        }
                        names = p;
                        cap = ncap;
                }
                if (!(names[n] = strdup(e->d_name))) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        if (r == 0 && n > 1)
                qsort(names, n, sizeof *names, cmp_names);
        for (size_t i = 0; i < n && r == 0; i++) {
                size_t nlen = strlen(names[i]);
                char target[PATH_MAX];
                struct stat st;

                if (len + 1 + nlen >= PATH_MAX) {
                        r = bad_storage(w, "a path under '%s' is too long", path);
                        break;
                }
                path[len] = '/';
                memcpy(path + len + 1, names[i], nlen + 1);
                if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = diag_set(
                                w->diag, negative_errno(), w->graph, 0, 0, "cannot stat '%s': %m", path);
                        break;
                }
                w->n_files++;
                if (S_ISLNK(st.st_mode)) {
                        ssize_t k = readlinkat(dirfd(d), names[i], target, sizeof target - 1);
                        if (k < 0) {
                                r = diag_set(
                                        w->diag, negative_errno(), w->graph, 0, 0, "cannot read '%s': %m",
                                        path);
                                break;
                        }
                        target[k] = '\0';
                        hash_entry(ctx, path, &st, target);
                } else
                        hash_entry(ctx, path, &st, NULL);
                if (S_ISDIR(st.st_mode)) {
                        int sub =
                                openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        r = sub < 0 ? diag_set(
                                              w->diag, negative_errno(), w->graph, 0, 0,
                                              "cannot open '%s': %m", path)
                                    : hash_tree(w, ctx, sub, path, len + 1 + nlen, depth + 1);
                }
                path[len] = '\0';
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        return r == -ENOMEM ? diag_set(w->diag, r, w->graph, 0, 0, "out of memory") : r;
}

/* The tree at rel (relative to dirfd), itself included, into ctx. */
static int hash_dir(Walk *w, Sha256Ctx *ctx, int dirfd, const char *rel) {
        char path[PATH_MAX];
        struct stat st;
        int fd;

        fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = negative_errno();
                safe_close(fd);
                return diag_set(w->diag, r, w->graph, 0, 0, "cannot open '%s': %s", rel, strerror(-r));
        }
        snprintf(path, sizeof path, "%s", rel);
        hash_entry(ctx, path, &st, NULL);
        return hash_tree(w, ctx, fd, path, strlen(path), 0);
}

/* ---- one layer ---- */

/* A small file of the layer (link, lower), its trailing newline dropped; "" (and 0) if absent. */
static int read_layer_file(Walk *w, const char *layer, const char *name, char *buf, size_t size) {
        char rel[IMAGE_ID_LEN + 16];
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        snprintf(rel, sizeof rel, "%s/%s", layer, name);
        buf[0] = '\0';
        fd = openat(w->overlay_fd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT && strcmp(name, "lower") == 0
                               ? 0
                               : diag_set(
                                         w->diag, negative_errno(), w->graph, 0, 0,
                                         "cannot open overlay/%s: %m", rel);
        n = read(fd, buf, size - 1);
        if (n < 0)
                return diag_set(
                        w->diag, negative_errno(), w->graph, 0, 0, "cannot read overlay/%s: %m", rel);
        if ((size_t)n == size - 1)
                return bad_storage(w, "overlay/%s is too long", rel);
        buf[n] = '\0';
        while (n > 0 && buf[n - 1] == '\n')
                buf[--n] = '\0';
        return 0;
}

/* The layer a short name (overlay/l/NAME) stands for, checking it points at ../ID/diff. */
static int resolve_link(Walk *w, const char *name, size_t len, char ret_id[static IMAGE_ID_LEN + 1]) {
        char rel[LINK_MAX_LEN + 8], target[PATH_MAX];
        ssize_t n;

        if (len == 0 || len > LINK_MAX_LEN || memchr(name, '/', len) || memchr(name, '\0', len))
                return bad_storage(w, "a layer's short name is %s", len ? "malformed" : "empty");
        snprintf(rel, sizeof rel, "l/%.*s", (int)len, name);
        n = readlinkat(w->overlay_fd, rel, target, sizeof target - 1);
        if (n < 0)
                return diag_set(
                        w->diag, negative_errno(), w->graph, 0, 0, "cannot read the link overlay/%s: %m",
                        rel);
        target[n] = '\0';
        if (n != 3 + IMAGE_ID_LEN + 5 || strncmp(target, "../", 3) != 0 ||
            !is_id(target + 3, IMAGE_ID_LEN) || strcmp(target + 3 + IMAGE_ID_LEN, "/diff") != 0)
                return bad_storage(w, "overlay/l/%s points somewhere other than a layer", rel + 2);
        memcpy(ret_id, target + 3, IMAGE_ID_LEN);
        ret_id[IMAGE_ID_LEN] = '\0';
        return 0;
}

static int seal_layer(Walk *w, ImageSealLayer *l, char *lower, size_t lower_size) {
        char link[LINK_MAX_LEN + 2], linked[IMAGE_ID_LEN + 1], diff[IMAGE_ID_LEN + 8];
        Sha256Ctx ctx;
        int r;

        if ((r = read_layer_file(w, l->id, "link", link, sizeof link)) < 0 ||
            (r = read_layer_file(w, l->id, "lower", lower, lower_size)) < 0)
                return r;
        /* The short name must lead back to this layer: re-pointing it swaps the layer a container
         * is built on. */
        r = resolve_link(w, link, strlen(link), linked);
        if (r < 0)
                return r;
        if (strcmp(linked, l->id) != 0)
                return bad_storage(w, "overlay/l/%s was re-pointed from its layer to another", link);

        sha256_init(&ctx);
        sha256_update(&ctx, l->id, strlen(l->id) + 1);
        sha256_update(&ctx, link, strlen(link) + 1);
        sha256_update(&ctx, lower, strlen(lower) + 1);
        snprintf(diff, sizeof diff, "%s/diff", l->id);
        r = hash_dir(w, &ctx, w->overlay_fd, diff);
        if (r < 0)
                return r;
        sha256_final(&ctx, l->digest);
        return 0;
}

static bool have_layer(const ImageSeal *s, const char *id) {
        for (size_t i = 0; i < s->n_layers; i++)
                if (strcmp(s->layers[i].id, id) == 0)
                        return true;
        return false;
}

static int add_layer(Walk *w, ImageSeal *s, const char *id) {
        if (have_layer(s, id))
                return 0;
        if (s->n_layers >= IMAGE_SEAL_MAX_LAYERS)
                return bad_storage(w, "the image has more than %d layers", IMAGE_SEAL_MAX_LAYERS);
        snprintf(s->layers[s->n_layers++].id, IMAGE_ID_LEN + 1, "%s", id);
        return 0;
}

/* A top layer and everything below it, as its lower file lists them. */
static int seal_chain(Walk *w, ImageSeal *s, const char *top) {
        _cleanup_free_ char *lower = malloc(LOWER_MAX), *sub_lower = malloc(LOWER_MAX);
        size_t first = s->n_layers;
        int r;

        if (!lower || !sub_lower)
                return diag_set(w->diag, -ENOMEM, w->graph, 0, 0, "out of memory");
        r = add_layer(w, s, top);
        if (r < 0 || s->n_layers == first) /* already sealed with another chain */
                return r;
        r = seal_layer(w, &s->layers[first], lower, LOWER_MAX);
        if (r < 0)
                return r;
        for (const char *p = lower; *p;) {
                size_t n = strcspn(p, ":");
                char id[IMAGE_ID_LEN + 1];

                if (n < 3 || strncmp(p, "l/", 2) != 0)
                        return bad_storage(w, "overlay/%s/lower names something other than l/NAME", top);
                r = resolve_link(w, p + 2, n - 2, id);
                if (r < 0)
                        return r;
                size_t k = s->n_layers;
                r = add_layer(w, s, id);
                if (r < 0)
                        return r;
                if (s->n_layers > k) {
                        /* Its own lower file is a suffix of this one: it is sealed, not followed. */
                        r = seal_layer(w, &s->layers[k], sub_lower, LOWER_MAX);
                        if (r < 0)
                                return r;
                }
                p += n;
                p += *p == ':';
        }
        return 0;
}

/* ---- the image's entry in images.json ---- */

static bool scalar_is(const YNode *n, const char *s) {
        return n && n->type == YNODE_SCALAR && strcmp(n->str, s) == 0;
}

static bool names_hold(const YNode *names, const char *name) {
        if (!names || names->type != YNODE_SEQUENCE)
                return false;
        for (const YNode *n = names->first; n; n = n->next)
                if (scalar_is(n, name))
                        return true;
        return false;
}

/* The entry of id (or, id NULL, the one named name); its id and layers into s. */
static int read_image_entry(Walk *w, const char *name, const char *id, ImageSeal *s) {
        _cleanup_(arena_freep) Arena *a = arena_new();
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        YNode *root = NULL;
        const YNode *entry = NULL;
        size_t len = 0;
        int r;

        if (!a)
                return diag_set(w->diag, -ENOMEM, w->graph, 0, 0, "out of memory");
        fd = openat(w->graph_fd, IMAGES_JSON, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return diag_set(
                        w->diag, negative_errno(), w->graph, 0, 0,
                        "cannot open " IMAGES_JSON ": %m; no image was imported for this account");
        r = file_read_bounded(fd, IMAGES_JSON_MAX, IMAGES_JSON, "image list", &text, &len, w->diag);
        if (r < 0)
                return r;
        r = yaml_tree_parse(a, IMAGES_JSON, text, len, &root, w->diag);
        if (r < 0)
                return r;
        if (root->type != YNODE_SEQUENCE)
                return bad_storage(w, "%s is not a list of images", IMAGES_JSON);
        for (const YNode *e = root->first; e && !entry; e = e->next)
                if (e->type == YNODE_MAPPING &&
                    (id ? scalar_is(ynode_get(e, "id"), id) : names_hold(ynode_get(e, "names"), name)))
                        entry = e;
        if (!entry)
                return diag_set(
                        w->diag, -ENOENT, w->graph, 0, 0,
                        "no image %s in the account's storage; an admin runs rcc-setup image import (or "
                        "build)",
                        id ? id : name);

        const YNode *eid = ynode_get(entry, "id"), *layer = ynode_get(entry, "layer"),
                    *mapped = ynode_get(entry, "mapped-layers");
        if (!eid || eid->type != YNODE_SCALAR || !is_id(eid->str, eid->len))
                return bad_storage(w, "an image's id in %s is not 64 hex digits", IMAGES_JSON);
        snprintf(s->id, sizeof s->id, "%s", eid->str);
        if (!layer || layer->type != YNODE_SCALAR || !is_id(layer->str, layer->len))
                return bad_storage(w, "image %s has no layer id", s->id);
        r = seal_chain(w, s, layer->str);
        if (r < 0)
                return r;
        if (mapped && mapped->type == YNODE_SEQUENCE)
                for (const YNode *m = mapped->first; m; m = m->next) {
                        if (m->type != YNODE_SCALAR || !is_id(m->str, m->len))
                                return bad_storage(
                                        w, "a mapped layer of image %s is not 64 hex digits", s->id);
                        r = seal_chain(w, s, m->str);
                        if (r < 0)
                                return r;
                }
        return 0;
}

int image_seal_compute(const char *graph, const char *name, const char *id, ImageSeal *ret, RccDiag *diag) {
        _cleanup_free_ ImageSeal *s = calloc(1, sizeof *s);
        _cleanup_close_ int graph_fd = -EBADF, overlay_fd = -EBADF;
        Walk w = {.graph = graph, .diag = diag};
        char meta[IMAGE_ID_LEN + 32];
        Sha256Ctx ctx;
        int r;

        if (!s)
                return diag_set(diag, -ENOMEM, graph, 0, 0, "out of memory");
        if (!name && !id)
                return diag_set(diag, -EINVAL, graph, 0, 0, "no image named");
        if (name && strlen(name) >= sizeof s->name)
                return diag_set(diag, -ENAMETOOLONG, graph, 0, 0, "the image name '%s' is too long", name);
        snprintf(s->name, sizeof s->name, "%s", name ? name : "");
        graph_fd = open(graph, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (graph_fd < 0)
                return diag_set(
                        diag, negative_errno(), graph, 0, 0, "cannot open the account's storage: %m");
        overlay_fd = openat(graph_fd, "overlay", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (overlay_fd < 0)
                return diag_set(diag, negative_errno(), graph, 0, 0, "cannot open overlay/: %m");
        w.graph_fd = graph_fd;
        w.overlay_fd = overlay_fd;

        r = read_image_entry(&w, name, id, s);
        if (r < 0)
                return r;
        sha256_init(&ctx);
        snprintf(meta, sizeof meta, "overlay-images/%s", s->id);
        r = hash_dir(&w, &ctx, graph_fd, meta);
        if (r < 0)
                return r;
        sha256_final(&ctx, s->config);
        s->n_files = w.n_files;
        *ret = *s;
        return 0;
}

int image_seal_verify(const char *graph, const ImageSeal *want, RccDiag *diag) {
        _cleanup_free_ ImageSeal *got = calloc(1, sizeof *got);
        char hex[SHA256_HEX_SIZE];
        int r;

        if (!got)
                return diag_set(diag, -ENOMEM, graph, 0, 0, "out of memory");
        r = image_seal_compute(graph, NULL, want->id, got, diag);
        if (r < 0)
                return r;
        if (memcmp(got->config, want->config, sizeof want->config) != 0)
                return diag_set(
                        diag, -EBADMSG, graph, 0, 0,
                        "the configuration of image %.12s (%s) was changed since rcc-setup sealed it; an "
                        "admin runs rcc-setup image import (or build) again",
                        want->id, want->name);
        for (size_t i = 0; i < want->n_layers || i < got->n_layers; i++) {
                const ImageSealLayer *w = i < want->n_layers ? &want->layers[i] : NULL,
                                     *g = i < got->n_layers ? &got->layers[i] : NULL;

                if (w && g && strcmp(w->id, g->id) == 0 &&
                    memcmp(w->digest, g->digest, sizeof w->digest) == 0)
                        continue;
                if (w && g && strcmp(w->id, g->id) == 0)
                        return diag_set(
                                diag, -EBADMSG, graph, 0, 0,
                                "layer %.12s of image %.12s (%s) was changed since rcc-setup sealed it (its "
                                "files differ: %s); an admin runs rcc-setup image import (or build) again",
                                w->id, want->id, want->name, sha256_hex(g->digest, hex));
                return diag_set(
                        diag, -EBADMSG, graph, 0, 0,
                        "image %.12s (%s) is built on other layers than when rcc-setup sealed it (layer "
                        "%zu is %.12s, sealed %.12s); an admin runs rcc-setup image import (or build) again",
                        want->id, want->name, i + 1, g ? g->id : "missing", w ? w->id : "none");
        }
        return 0;
}

int image_seal_format(const ImageSeal *s, char **ret) {
        char *buf = NULL, hex[SHA256_HEX_SIZE];
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return -ENOMEM;
        fprintf(f, "version=1\nimage=%s\nid=%s\nconfig=%s\nfiles=%" PRIu64 "\n", s->name, s->id,
                sha256_hex(s->config, hex), s->n_files);
        for (size_t i = 0; i < s->n_layers; i++)
                fprintf(f, "layer=%s %s\n", s->layers[i].id, sha256_hex(s->layers[i].digest, hex));
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

static bool parse_hex(const char *s, size_t len, uint8_t out[static SHA256_DIGEST_SIZE]) {
        if (!is_id(s, len))
                return false;
        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
                unsigned hi = (unsigned)(s[2 * i] <= '9' ? s[2 * i] - '0' : s[2 * i] - 'a' + 10),
                         lo = (unsigned)(s[2 * i + 1] <= '9' ? s[2 * i + 1] - '0' : s[2 * i + 1] - 'a' + 10);
                out[i] = (uint8_t)(hi << 4 | lo);
        }
        return true;
}

int image_seal_parse(const char *text, size_t len, const char *path, ImageSeal *ret, RccDiag *diag) {
        static const char *const keys[] = {"version", "image", "id", "config", "files"};
        _cleanup_free_ ImageSeal *s = calloc(1, sizeof *s);
        size_t want = 0;
        unsigned line = 0;

        if (!s)
                return diag_set(diag, -ENOMEM, path, 0, 0, "out of memory");
        if (len > IMAGE_SEAL_MAX_SIZE)
                return diag_set(diag, -EFBIG, path, 0, 0, "larger than %d bytes", IMAGE_SEAL_MAX_SIZE);
        for (const char *p = text, *end = text + len; p < end; line++) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                if (!nl)
                        return diag_set(diag, -EBADMSG, path, line + 1, 0, "the last line has no newline");
                const char *eq = memchr(p, '=', (size_t)(nl - p));
                if (!eq || memchr(p, '\0', (size_t)(nl - p)))
                        return diag_set(diag, -EBADMSG, path, line + 1, 0, "expected KEY=VALUE");
                size_t klen = (size_t)(eq - p), vlen = (size_t)(nl - eq - 1);
                const char *v = eq + 1;

                if (want < ELEMENTSOF(keys)) {
                        if (klen != strlen(keys[want]) || memcmp(p, keys[want], klen) != 0)
                                return diag_set(
                                        diag, -EBADMSG, path, line + 1, 0, "expected %s=", keys[want]);
                        bool ok = true;
                        switch (want) {
                        case 0:
                                ok = vlen == 1 && v[0] == '1';
                                break;
                        case 1:
                                ok = vlen > 0 && vlen < sizeof s->name;
                                if (ok)
                                        memcpy(s->name, v, vlen);
                                break;
                        case 2:
                                ok = is_id(v, vlen);
                                if (ok)
                                        memcpy(s->id, v, vlen);
                                break;
                        case 3:
                                ok = parse_hex(v, vlen, s->config);
                                break;
                        case 4: {
                                /* Digits only, no leading zero: the one way format writes a count. */
                                char num[24] = "", *e;
                                ok = vlen > 0 && vlen < sizeof num && strspn(v, "0123456789") >= vlen &&
                                     (vlen == 1 || v[0] != '0');
                                if (ok) {
                                        memcpy(num, v, vlen);
                                        errno = 0;
                                        s->n_files = strtoull(num, &e, 10);
                                        ok = errno == 0 && *e == '\0';
                                }
                                break;
                        }
                        }
                        if (!ok)
                                return diag_set(
                                        diag, -EBADMSG, path, line + 1, 0, "bad value for %s", keys[want]);
                        want++;
                } else {
                        if (klen != 5 || memcmp(p, "layer", 5) != 0 || vlen != 2 * IMAGE_ID_LEN + 1 ||
                            v[IMAGE_ID_LEN] != ' ' || !is_id(v, IMAGE_ID_LEN) ||
                            s->n_layers >= IMAGE_SEAL_MAX_LAYERS)
                                return diag_set(
                                        diag, -EBADMSG, path, line + 1, 0, "expected layer=ID DIGEST");
                        ImageSealLayer *l = &s->layers[s->n_layers];
                        memcpy(l->id, v, IMAGE_ID_LEN);
                        if (!parse_hex(v + IMAGE_ID_LEN + 1, IMAGE_ID_LEN, l->digest))
                                return diag_set(
                                        diag, -EBADMSG, path, line + 1, 0, "expected layer=ID DIGEST");
                        s->n_layers++;
                }
                p = nl + 1;
        }
        if (want < ELEMENTSOF(keys) || s->n_layers == 0)
                return diag_set(
                        diag, -EBADMSG, path, line, 0, "incomplete: %s missing",
                        want < ELEMENTSOF(keys) ? keys[want] : "layer=");
        *ret = *s;
        return 0;
}
