/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "environ.h"
#include "paths.h"
#include "podman-argv.h"

#define ENV_MAX 16
#define ENV_VALUE_MAX 64

const char *env_lookup(char *const *env, const char *name) {
        size_t len = strlen(name);

        for (char *const *e = env; e && *e; e++)
                if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
                        return *e + len + 1;
        return NULL;
}

static const char *sane(char *const *env, const char *name, const char *allowed) {
        const char *v = env_lookup(env, name);

        if (!v || !v[0] || strlen(v) > ENV_VALUE_MAX || strspn(v, allowed) != strlen(v))
                return NULL;
        return v;
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

const char *env_sane_term(char *const *env) {
        const char *v = sane(env, "TERM", ALNUM "._+-");

        /* "-" alone or a leading '-' is no terminal name and would read as an option to someone. */
        return v && v[0] != '-' ? v : NULL;
}

const char *env_sane_lang(char *const *env) {
        return sane(env, "LANG", ALNUM "_.@-");
}

int session_env_build(const EnvSpec *spec, char ***ret) {
        char **env = NULL;
        size_t n = 0;
        int r = 0;

        if (!spec->home || spec->home[0] != '/' || !spec->user || !spec->user[0])
                return -EINVAL;
        env = calloc(ENV_MAX + 1, sizeof *env);
        if (!env)
                return -ENOMEM;

#define PUSH(...)                                                                     \
        do {                                                                          \
                if (r == 0 && (n >= ENV_MAX || asprintf(&env[n], __VA_ARGS__) < 0)) { \
                        env[n] = NULL;                                                \
                        r = -ENOMEM;                                                  \
                } else if (r == 0)                                                    \
                        n++;                                                          \
        } while (0)

        PUSH("PATH=/usr/bin:/bin");
        PUSH("HOME=%s", spec->home);
        PUSH("USER=%s", spec->user);
        PUSH("LOGNAME=%s", spec->user);
        /* podman reads only these files when the variables are set, so nothing in the account's
         * ~/.config/containers (which the agent can write) applies to the session. */
        PUSH("CONTAINERS_CONF=" RCC_CONTAINERS_CONF);
        PUSH("CONTAINERS_STORAGE_CONF=" RCC_STORAGE_CONF);
        PUSH("CONTAINERS_REGISTRIES_CONF=" RCC_REGISTRIES_CONF);
        if (spec->runtime_dir_ok)
                PUSH("XDG_RUNTIME_DIR=/run/user/%u", (unsigned)spec->uid);
        const char *term = spec->tty ? env_sane_term(spec->caller_env) : NULL;
        if (term)
                PUSH("TERM=%s", term);
        const char *lang = env_sane_lang(spec->caller_env);
        if (lang)
                PUSH("LANG=%s", lang);
#undef PUSH

        if (r < 0) {
                strv_free(env);
                return r;
        }
        *ret = env;
        return 0;
}
