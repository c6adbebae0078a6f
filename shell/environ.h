/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The environment podman runs with: built from an allowlist, never inherited. HOME comes from the
 * user database, the podman configuration from root-owned files named at compile time; of the
 * caller's variables only a sanitised TERM (tty sessions) and LANG pass, by value.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

typedef struct EnvSpec {
        const char *home; /* pw_dir of the account */
        const char *user; /* the account's name: USER and LOGNAME */
        uid_t uid;
        bool runtime_dir_ok; /* /run/user/UID is ours, a directory, mode 0700 */
        bool tty;
        char *const *caller_env; /* environ as rcc-shell got it; only TERM and LANG are read */
} EnvSpec;

/* The value of NAME in env (a NULL-terminated "NAME=value" vector), or NULL. */
const char *env_lookup(char *const *env, const char *name);

/* TERM from env if it is a plausible terminal name ([A-Za-z0-9._+-], at most 64), else NULL. */
const char *env_sane_term(char *const *env);
/* LANG from env if it matches [A-Za-z0-9_.@-]+ (at most 64), else NULL. */
const char *env_sane_lang(char *const *env);

/* The NULL-terminated environment for podman into *ret (free with strv_free()). -EINVAL, -ENOMEM. */
int session_env_build(const EnvSpec *spec, char ***ret);
