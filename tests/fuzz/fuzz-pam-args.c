/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for pam_rcc's argument parser (pam_module/args.c). The input is split on '\0'
 * and '\n' into up to 16 arguments, as they would stand on the module's line in /etc/pam.d.
 *
 * Whatever the input: no crash or overrun; debug is set iff some argument is exactly "debug";
 * config_dir is RCC_CONFIG_DIR, or the value of the last config= whose value is a clean absolute
 * path (no empty, "." or ".." component, no trailing slash) that fits; and the warning callback
 * is called exactly once, in order, with the argument itself, for every other argument. The
 * expectations are computed here independently of the parser.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "config.h"

#define MAX_ARGS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Warnings {
        const char *args[MAX_ARGS];
        size_t n;
        bool overflow;
} Warnings;

static void record_warning(void *userdata, const char *arg, const char *why) {
        Warnings *w = userdata;

        if (!arg || !why || why[0] == '\0')
                abort();
        if (w->n >= MAX_ARGS) {
                w->overflow = true;
                return;
        }
        w->args[w->n++] = arg;
}

/* Whether the component of len bytes at c is acceptable in a config directory. */
static bool component_ok(const char *c, size_t len) {
        return len > 0 && !(len == 1 && c[0] == '.') && !(len == 2 && c[0] == '.' && c[1] == '.');
}

/* "/" alone, or "/" followed by components separated by single slashes, none empty, "." or "..". */
static bool clean_path(const char *p) {
        size_t len = strlen(p), start = 1;

        if (len == 0 || p[0] != '/')
                return false;
        if (len == 1)
                return true;
        for (size_t i = 1; i <= len; i++) {
                if (i < len && p[i] != '/')
                        continue;
                if (!component_ok(p + start, i - start))
                        return false;
                start = i + 1;
        }
        return true;
}

static bool accepted_config(const char *arg) {
        const char *value = arg + strlen("config=");

        return strncmp(arg, "config=", strlen("config=")) == 0 && clean_path(value) &&
               strlen(value) < PATH_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        const char *argv[MAX_ARGS], *expected_warnings[MAX_ARGS];
        const char *expected_dir = RCC_CONFIG_DIR;
        size_t n_expected = 0;
        bool expected_debug = false;
        Warnings warnings = {};
        PamArgs args;
        int argc = 0;

        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';

        /* Split: every '\0' or '\n' ends an argument; the empty input is no argument at all. Past the
         * 16th argument, the rest of the input is ignored. */
        for (size_t i = 0; i < size; i++)
                if (text[i] == '\n')
                        text[i] = '\0';
        if (size > 0) {
                argv[argc++] = text;
                for (size_t i = 0; i < size && argc < MAX_ARGS; i++)
                        if (text[i] == '\0')
                                argv[argc++] = text + i + 1;
        }

        for (int i = 0; i < argc; i++) {
                if (strcmp(argv[i], "debug") == 0)
                        expected_debug = true;
                else if (accepted_config(argv[i]))
                        expected_dir = argv[i] + strlen("config=");
                else
                        expected_warnings[n_expected++] = argv[i];
        }

        memset(&args, 0xa5, sizeof args);
        pam_args_parse(argc, argc > 0 ? argv : NULL, &args, record_warning, &warnings);

        if (args.debug != expected_debug)
                abort();
        if (strnlen(args.config_dir, sizeof args.config_dir) == sizeof args.config_dir ||
            strcmp(args.config_dir, expected_dir) != 0)
                abort();
        /* The directory in use is the default or some accepted config= value, whatever the order. */
        if (strcmp(args.config_dir, RCC_CONFIG_DIR) != 0) {
                bool found = false;
                for (int i = 0; i < argc && !found; i++)
                        found = accepted_config(argv[i]) &&
                                strcmp(argv[i] + strlen("config="), args.config_dir) == 0;
                if (!found)
                        abort();
        }
        /* One warning per ignored argument, with the caller's own pointer, in order. */
        if (warnings.overflow || warnings.n != n_expected)
                abort();
        for (size_t i = 0; i < n_expected; i++)
                if (warnings.args[i] != expected_warnings[i])
                        abort();

        free(text);
        return 0;
}
