/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "args.h"
#include "config.h"

/* An absolute path with no empty, "." or ".." component and no trailing slash (except "/"). */
static bool clean_absolute_path(const char *p) {
        if (p[0] != '/')
                return false;
        for (const char *c = p + 1; *c;) {
                const char *slash = strchr(c, '/');
                size_t n = slash ? (size_t)(slash - c) : strlen(c);

                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                if (!slash)
                        break;
                c = slash + 1;
                if (!*c)
                        return false;
        }
        return true;
}

void pam_args_parse(int argc, const char **argv, PamArgs *ret, PamArgsWarn warn, void *userdata) {
        PamArgs args = {.debug = false};

        strcpy(args.config_dir, RCC_CONFIG_DIR);
        for (int i = 0; i < argc && argv; i++) {
                const char *a = argv[i];

                if (!a)
                        continue;
                if (strcmp(a, "debug") == 0)
                        args.debug = true;
                else if (strncmp(a, "config=", 7) == 0) {
                        const char *dir = a + 7;

                        if (!clean_absolute_path(dir))
                                warn(userdata, a,
                                     "config= needs an absolute path without '.', '..' or '//'");
                        else if (strlen(dir) >= sizeof args.config_dir)
                                warn(userdata, a, "config= path is too long");
                        else
                                strcpy(args.config_dir, dir);
                } else
                        warn(userdata, a, "unknown argument");
        }
        *ret = args;
}
