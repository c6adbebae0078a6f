/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/image-seal.c on a podman storage laid out as containers/storage's overlay driver keeps it (in
 * a temporary directory): the seal of an image with two layers and a mapped copy of them, its text
 * round trip, and each tampering rcc-shell must refuse: a file of a layer rewritten, replaced,
 * chmod-ed or added, an overlay/l link re-pointed at another layer, images.json given another top
 * layer, the image's configuration changed, a layer's lower file rewritten. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "image-seal.h"
#include "macro.h"

#define PATHF(buf, ...) assert_true((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf))

static char graph[PATH_MAX];

/* Layer ids: base (A), top (B), and their mapped copies (C over D); an unrelated one (E). */
#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define ID_D "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define ID_E "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
#define IMAGE "1111111111111111111111111111111111111111111111111111111111111111"
#define NAME "localhost/rcc-test:latest"

static void put(const char *rel, const char *text) {
        char p[PATH_MAX * 2];

        PATHF(p, "%s/%s", graph, rel);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static void dir(const char *rel) {
        char p[PATH_MAX * 2];

        PATHF(p, "%s/%s", graph, rel);
        assert_int_equal(mkdir(p, 0755), 0);
}

static void link_to(const char *target, const char *rel) {
        char p[PATH_MAX * 2];

        PATHF(p, "%s/%s", graph, rel);
        unlink(p);
        assert_int_equal(symlink(target, p), 0);
}

/* A layer: overlay/ID/{diff,link,lower}, overlay/l/SHORT -> ../ID/diff. */
static void layer(const char *id, const char *shortname, const char *lower) {
        char rel[256];

        PATHF(rel, "overlay/%s", id);
        dir(rel);
        PATHF(rel, "overlay/%s/diff", id);
        dir(rel);
        PATHF(rel, "overlay/%s/link", id);
        put(rel, shortname);
        if (lower) {
                PATHF(rel, "overlay/%s/lower", id);
                put(rel, lower);
        }
        PATHF(rel, "../%s/diff", id);
        char l[128];
        PATHF(l, "overlay/l/%s", shortname);
        link_to(rel, l);
}

static void images_json(const char *top, const char *mapped) {
        char text[1024];

        PATHF(text,
              "[{\"id\":\"" IMAGE "\",\"digest\":\"sha256:00\",\"names\":[\"" NAME "\"],\"layer\":\"%s\","
              "\"mapped-layers\":[\"%s\"],\"metadata\":\"{\\\"x\\\":1}\"}]",
              top, mapped);
        put("overlay-images/images.json", text);
}

static int setup_storage(void **state) {
        char tmpl[] = "/tmp/test-image-seal-XXXXXX";
        (void)state;

        assert_non_null(mkdtemp(tmpl));
        assert_non_null(realpath(tmpl, graph));
        dir("overlay");
        dir("overlay/l");
        dir("overlay-images");
        dir("overlay-images/" IMAGE);
        put("overlay-images/" IMAGE "/manifest", "{\"config\":1}");
        layer(ID_A, "AAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
        layer(ID_B, "BBBBBBBBBBBBBBBBBBBBBBBBBB", "l/AAAAAAAAAAAAAAAAAAAAAAAAAA");
        layer(ID_D, "DDDDDDDDDDDDDDDDDDDDDDDDDD", NULL);
        layer(ID_C, "CCCCCCCCCCCCCCCCCCCCCCCCCC", "l/DDDDDDDDDDDDDDDDDDDDDDDDDD");
        layer(ID_E, "EEEEEEEEEEEEEEEEEEEEEEEEEE", NULL);
        dir("overlay/" ID_A "/diff/bin");
        put("overlay/" ID_A "/diff/bin/sh", "the shell");
        link_to("sh", "overlay/" ID_A "/diff/bin/ash");
        put("overlay/" ID_B "/diff/claude", "the agent");
        dir("overlay/" ID_D "/diff/bin");
        put("overlay/" ID_D "/diff/bin/sh", "the shell, mapped");
        put("overlay/" ID_C "/diff/claude", "the agent, mapped");
        put("overlay/" ID_E "/diff/claude", "someone else's agent");
        images_json(ID_B, ID_C);
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st, (void)type, (void)ftw;
        return remove(path);
}

static int teardown_storage(void **state) {
        (void)state;
        assert_int_equal(nftw(graph, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
        return 0;
}

static ImageSeal sealed;

/* ctime has nanoseconds, but a coarse clock may give two changes the same one. */
static void tick(void) {
        nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
}

static void test_seal_round_trip(void **state) {
        _cleanup_free_ char *text = NULL;
        ImageSeal parsed;
        RccDiag diag = {};
        (void)state;

        assert_int_equal(image_seal_compute(graph, NAME, NULL, &sealed, &diag), 0);
        assert_string_equal(sealed.id, IMAGE);
        assert_string_equal(sealed.name, NAME);
        /* B and its lower A, then the mapped C and its lower D; E is no part of it. */
        assert_int_equal(sealed.n_layers, 4);
        assert_string_equal(sealed.layers[0].id, ID_B);
        assert_string_equal(sealed.layers[1].id, ID_A);
        assert_string_equal(sealed.layers[2].id, ID_C);
        assert_string_equal(sealed.layers[3].id, ID_D);
        assert_true(sealed.n_files >= 7);

        assert_int_equal(image_seal_format(&sealed, &text), 0);
        assert_int_equal(image_seal_parse(text, strlen(text), "image.seal", &parsed, &diag), 0);
        assert_memory_equal(&parsed, &sealed, sizeof parsed);
        assert_int_equal(image_seal_verify(graph, &sealed, &diag), 0);

        /* By id it is the same seal, but for the name, which only import gives. */
        ImageSeal by_id;
        assert_int_equal(image_seal_compute(graph, NULL, IMAGE, &by_id, &diag), 0);
        assert_memory_equal(by_id.layers, sealed.layers, sizeof sealed.layers);
}

/* Each tampering: do it, verify must refuse naming it, undo it, verify must pass again. */
static void expect_refused(const char *what, const char *message) {
        RccDiag diag = {};

        print_message("%s\n", what);
        assert_int_equal(image_seal_verify(graph, &sealed, &diag), -EBADMSG);
        if (!strstr(diag.msg, message))
                fail_msg("%s: '%s' does not say '%s'", what, diag.msg, message);
        assert_non_null(strstr(diag.msg, "rcc-setup image import"));
}

static void test_tampered(void **state) {
        char p[PATH_MAX * 2];
        RccDiag diag = {};
        (void)state;

        /* The re-pointed link of the issue: the mapped layer's short name to a layer of one's own. */
        link_to("../" ID_E "/diff", "overlay/l/CCCCCCCCCCCCCCCCCCCCCCCCCC");
        expect_refused("re-pointed link", "overlay/l/CCCCCCCCCCCCCCCCCCCCCCCCCC was re-pointed");
        link_to("../" ID_C "/diff", "overlay/l/CCCCCCCCCCCCCCCCCCCCCCCCCC");
        link_to("/etc", "overlay/l/DDDDDDDDDDDDDDDDDDDDDDDDDD");
        expect_refused("link out of the storage", "points somewhere other than a layer");
        link_to("../" ID_D "/diff", "overlay/l/DDDDDDDDDDDDDDDDDDDDDDDDDD");

        /* A file of a layer rewritten with the same size and mtime: ctime still tells. */
        tick();
        put("overlay/" ID_C "/diff/claude", "the EVIL, mapped");
        PATHF(p, "%s/overlay/" ID_C "/diff/claude", graph);
        expect_refused("rewritten file", "layer cccccccccccc of image 111111111111");
        tick();
        put("overlay/" ID_C "/diff/claude", "the agent, mapped");
        /* Its content is back, but it was written: ctime differs from the seal's. */
        expect_refused("rewritten back", "layer cccccccccccc");

        /* Everything after this compares with a fresh seal. */
        assert_int_equal(image_seal_compute(graph, NAME, NULL, &sealed, &diag), 0);
        tick();
        assert_int_equal(chmod(p, 0755), 0);
        expect_refused("chmod", "layer cccccccccccc");
        assert_int_equal(image_seal_compute(graph, NAME, NULL, &sealed, &diag), 0);
        put("overlay/" ID_A "/diff/bin/extra", "planted");
        expect_refused("file added to the base layer", "layer aaaaaaaaaaaa");
        PATHF(p, "%s/overlay/" ID_A "/diff/bin/extra", graph);
        assert_int_equal(unlink(p), 0);
        tick();
        assert_int_equal(image_seal_compute(graph, NAME, NULL, &sealed, &diag), 0);

        images_json(ID_E, ID_C);
        expect_refused("another top layer", "built on other layers");
        images_json(ID_B, ID_C);
        assert_int_equal(image_seal_verify(graph, &sealed, &diag), 0);

        tick();
        put("overlay/" ID_B "/lower", "l/EEEEEEEEEEEEEEEEEEEEEEEEEE");
        expect_refused("lower file rewritten", "");
        put("overlay/" ID_B "/lower", "l/AAAAAAAAAAAAAAAAAAAAAAAAAA");
        assert_int_equal(image_seal_compute(graph, NAME, NULL, &sealed, &diag), 0);

        tick();
        put("overlay-images/" IMAGE "/manifest", "{\"config\":2}");
        expect_refused("configuration", "configuration of image 111111111111");
}

static void test_parse_bad(void **state) {
        static const char *const bad[] = {
                "",
                "version=2\n",
                "version=1\nimage=x\nid=zz\n",
                "version=1\nimage=x\nid=" IMAGE "\nconfig=" IMAGE "\nfiles=1\n", /* no layer */
                "version=1\nimage=x\nid=" IMAGE "\nconfig=" IMAGE "\nfiles=-1\nlayer=" IMAGE " " IMAGE "\n",
                "version=1\nimage=x\nid=" IMAGE "\nconfig=" IMAGE "\nfiles=1\nlayer=" IMAGE " " IMAGE,
                "version=1\nid=" IMAGE "\nimage=x\nconfig=" IMAGE "\nfiles=1\nlayer=" IMAGE " " IMAGE "\n",
                "version=1\nimage=x\nid=" IMAGE "\nconfig=" IMAGE "\nfiles=1\nlayer=" IMAGE "\n",
                "version=1\nimage=x\nid=" IMAGE "\nconfig=" IMAGE "\nfiles=1\nlayer=" IMAGE " " IMAGE
                "\nx=1\n",
        };
        ImageSeal s;
        (void)state;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                RccDiag diag = {};
                print_message("case %zu\n", i);
                assert_true(image_seal_parse(bad[i], strlen(bad[i]), "image.seal", &s, &diag) < 0);
                assert_string_equal(diag.file, "image.seal");
                assert_true(diag.msg[0] != '\0');
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_seal_round_trip),
                cmocka_unit_test(test_tampered),
                cmocka_unit_test(test_parse_bad),
        };
        return cmocka_run_group_tests(tests, setup_storage, teardown_storage);
}
