/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy schema: one file's node tree → Settings, checking every value on the way. Each
 * mapping is walked once in document order through a table of known keys, so an unknown key, a
 * wrong type and a bad value all fail at the first offending node with its line and column. The
 * network section is policy-schema-network.c's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy-schema.h"

void schema_record(Schema *sc, const YNode *n, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_setv(sc->diag, -EINVAL, sc->file, n->line, n->column, fmt, ap);
        va_end(ap);
}

int schema_oom(Schema *sc) {
        return diag_set(sc->diag, -ENOMEM, sc->file, 0, 0, "out of memory");
}

int schema_type_error(Schema *sc, const YNode *n, const char *expected, const char *what) {
        char buf[128];
        return schema_error(
                sc, n, "expected %s for %s, found %s", expected, what, ynode_describe(n, buf, sizeof buf));
}

int schema_expect_type(Schema *sc, const YNode *n, YNodeType type, const char *what) {
        if (n->type == type)
                return 0;
        return schema_type_error(sc, n, type == YNODE_MAPPING ? "a mapping" : "a list", what);
}

int schema_get_string(Schema *sc, const YNode *n, const char *what, const char **ret) {
        if (n->type != YNODE_SCALAR || ynode_is_null(n))
                return schema_type_error(sc, n, "a string", what);
        *ret = arena_strndup(sc->arena, n->str, n->len);
        return *ret ? 0 : schema_oom(sc);
}

static bool key_applies(const Schema *sc, const KeyTable *k) {
        return k->kinds == 0 || (k->kinds & ONLY(sc->kind));
}

/* "a, b or c": the keys this kind of file takes, for "unknown key" messages. */
static const char *key_list(const Schema *sc, const KeyTable *t, size_t n, char *buf, size_t size) {
        size_t off = 0, total = 0, done = 0;

        for (size_t i = 0; i < n; i++)
                total += key_applies(sc, &t[i]);
        buf[0] = '\0';
        for (size_t i = 0; i < n && off < size; i++) {
                const char *sep;
                int k;

                if (!key_applies(sc, &t[i]))
                        continue;
                sep = done == 0 ? "" : done + 1 == total ? " or " : ", ";
                k = snprintf(buf + off, size - off, "%s%s", sep, t[i].key);
                if (k < 0)
                        break;
                off += (size_t)k;
                done++;
        }
        return buf;
}

int schema_walk_mapping(
        Schema *sc, const YNode *map, const char *where, const KeyTable *t, size_t n_t, Settings *s) {
        char buf[256];

        for (const YNode *k = map->first; k; k = k->next) {
                size_t i;
                int r;

                for (i = 0; i < n_t; i++)
                        if (streq(k->str, t[i].key))
                                break;
                if (i == n_t)
                        return schema_error(
                                sc, k, "unknown key '%s'%s%s; expected %s", k->str, where[0] ? " in " : "",
                                where, key_list(sc, t, n_t, buf, sizeof buf));
                r = t[i].handler(sc, k, k->value, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

SourceLoc schema_loc_of(const Schema *sc, const YNode *n) {
        return (SourceLoc){.file = sc->file, .line = n->line, .column = n->column};
}

/* ---- files ---- */

static int check_relative_path(Schema *sc, const YNode *n, const char *p) {
        if (p[0] == '\0')
                return schema_error(sc, n, "empty path; expected a path relative to the project");
        if (p[0] == '/')
                return schema_error(
                        sc, n, "'%s' is an absolute path; expected a path relative to the project", p);
        for (const char *c = p; c; c = strchr(c, '/')) {
                if (*c == '/')
                        c++;
                if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
                        return schema_error(sc, n, "'%s' leaves the project; '..' is not allowed", p);
        }
        return 0;
}

/* A list of strings; check() vets each one. An empty list is an error when nonempty is set. */
static int parse_string_list(
        Schema *sc, const YNode *n, const char *what, bool nonempty,
        int (*check)(Schema *, const YNode *, const char *), const char ***ret, size_t *ret_n) {
        const char **list;
        size_t i = 0;
        int r;

        r = schema_expect_type(sc, n, YNODE_SEQUENCE, what);
        if (r < 0)
                return r;
        if (nonempty && n->n == 0)
                return schema_error(sc, n, "empty list for %s; expected at least one entry", what);
        list = arena_alloc_array(sc->arena, n->n + 1, sizeof(char *));
        if (!list)
                return schema_oom(sc);
        for (const YNode *item = n->first; item; item = item->next, i++) {
                r = schema_get_string(sc, item, what, &list[i]);
                if (r < 0)
                        return r;
                if (check && (r = check(sc, item, list[i])) < 0)
                        return r;
        }
        *ret = list;
        *ret_n = n->n;
        return 0;
}

static int on_readonly(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        (void)key;
        return parse_string_list(
                sc, v, "'readonly'", false, check_relative_path, &s->readonly, &s->n_readonly);
}

static int on_files(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        static const KeyTable t[] = {
                {"readonly", on_readonly},
        };
        int r;

        (void)key;
        r = schema_expect_type(sc, v, YNODE_MAPPING, "'files'");
        if (r < 0)
                return r;
        return schema_walk_mapping(sc, v, "files", t, ELEMENTSOF(t), s);
}

/* ---- container ---- */

static int on_image(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        int r;

        (void)key;
        r = schema_get_string(sc, v, "'image'", &s->image);
        if (r < 0)
                return r;
        /* It goes on podman's command line: never let it look like an option. */
        if (s->image[0] == '\0' || s->image[0] == '-' || strpbrk(s->image, " \t\n\r\v\f"))
                return schema_error(
                        sc, v, "'%s' is not an image name; expected e.g. localhost/rcc-claude:latest",
                        s->image);
        return 0;
}

static int check_command_word(Schema *sc, const YNode *n, const char *w) {
        if (w[0] == '\0')
                return schema_error(
                        sc, n, "empty string in 'command'; expected a program and its arguments");
        return 0;
}

static int on_command(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        (void)key;
        return parse_string_list(sc, v, "'command'", true, check_command_word, &s->command, &s->n_command);
}

static int on_memory(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        const char *m;
        int r;

        (void)key;
        r = schema_get_string(sc, v, "'memory'", &m);
        if (r < 0)
                return r;
        r = parse_memory_size(m, &s->memory_bytes);
        if (r == -ERANGE)
                return schema_error(sc, v, "memory '%s' is too large", m);
        if (r < 0)
                return schema_error(
                        sc, v,
                        "'%s' is not a memory size; expected bytes or a whole number with k, m, g or t "
                        "(e.g. 8g)",
                        m);
        if (s->memory_bytes == 0)
                return schema_error(sc, v, "memory '%s' must be greater than 0", m);
        return 0;
}

static int on_disk(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        const char *d;
        int r;

        (void)key;
        r = schema_get_string(sc, v, "'disk'", &d);
        if (r < 0)
                return r;
        r = parse_memory_size(d, &s->disk_bytes);
        if (r == -ERANGE)
                return schema_error(sc, v, "disk '%s' is too large", d);
        if (r < 0)
                return schema_error(
                        sc, v,
                        "'%s' is not a disk size; expected bytes or a whole number with k, m, g or t "
                        "(e.g. 20g)",
                        d);
        if (s->disk_bytes < POLICY_MIN_DISK)
                return schema_error(sc, v, "disk '%s' is too small; expected at least 256m", d);
        return 0;
}

static int on_home(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        const char *h;
        int r;

        (void)key;
        r = schema_get_string(sc, v, "'home'", &h);
        if (r < 0)
                return r;
        if (streq(h, "project"))
                s->home = HOME_PROJECT;
        else if (streq(h, "human"))
                s->home = HOME_HUMAN;
        else if (streq(h, "ephemeral"))
                s->home = HOME_EPHEMERAL;
        else
                return schema_error(
                        sc, v,
                        "'%s' is not a home; expected project (one per human and project), human "
                        "(one per human) or ephemeral (none kept)",
                        h);
        return 0;
}

static int on_cpus(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        const char *c;
        int r;

        (void)key;
        r = schema_get_string(sc, v, "'cpus'", &c);
        if (r < 0)
                return r;
        r = parse_milli(c, &s->cpus_milli);
        if (r == -ERANGE)
                return schema_error(sc, v, "cpus '%s' is too large", c);
        if (r < 0)
                return schema_error(
                        sc, v,
                        "'%s' is not a number of CPUs; expected a number with up to 3 decimals, e.g. 2 or "
                        "0.5",
                        c);
        if (s->cpus_milli == 0)
                return schema_error(sc, v, "cpus '%s' must be greater than 0", c);
        return 0;
}

static int on_pids(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        const char *p;
        int r;

        (void)key;
        r = schema_get_string(sc, v, "'pids'", &p);
        if (r < 0)
                return r;
        r = parse_uint32(p, &s->pids);
        if (r == -ERANGE)
                return schema_error(sc, v, "pids '%s' is too large", p);
        if (r < 0)
                return schema_error(
                        sc, v, "'%s' is not a number of processes; expected a positive whole number", p);
        if (s->pids == 0)
                return schema_error(sc, v, "pids '%s' must be greater than 0", p);
        return 0;
}

static int on_container(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        static const KeyTable t[] = {
                {"image", on_image}, {"command", on_command}, {"memory", on_memory}, {"cpus", on_cpus},
                {"pids", on_pids},   {"disk", on_disk},       {"home", on_home},
        };
        int r;

        (void)key;
        r = schema_expect_type(sc, v, YNODE_MAPPING, "'container'");
        if (r < 0)
                return r;
        return schema_walk_mapping(sc, v, "container", t, ELEMENTSOF(t), s);
}

/* ---- terminal ---- */

/* YAML's true or false, spelt as YAML 1.2's core schema does. */
static int get_bool(Schema *sc, const YNode *v, const char *what, bool *ret) {
        const char *b;
        int r;

        r = schema_get_string(sc, v, what, &b);
        if (r < 0)
                return r;
        if (streq(b, "true") || streq(b, "True") || streq(b, "TRUE"))
                *ret = true;
        else if (streq(b, "false") || streq(b, "False") || streq(b, "FALSE"))
                *ret = false;
        else
                return schema_error(sc, v, "'%s' is not a boolean; expected true or false for %s", b, what);
        return 0;
}

static int on_clipboard(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        (void)key;
        return get_bool(sc, v, "'clipboard'", &s->terminal_clipboard);
}

static int on_title(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        (void)key;
        return get_bool(sc, v, "'title'", &s->terminal_title);
}

static int on_terminal(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        static const KeyTable t[] = {
                {"clipboard", on_clipboard},
                {"title", on_title},
        };
        int r;

        (void)key;
        r = schema_expect_type(sc, v, YNODE_MAPPING, "'terminal'");
        if (r < 0)
                return r;
        return schema_walk_mapping(sc, v, "terminal", t, ELEMENTSOF(t), s);
}

/* ---- users ---- */

static int user_name_error(Schema *sc, const YNode *n, const char *name) {
        return schema_error(
                sc, n,
                "'%s' is not a valid user name; expected letters, digits, '_', '.' or '-', starting "
                "with a letter or '_', at most %d characters",
                name, USER_NAME_MAX);
}

static int check_project(Schema *sc, const YNode *n, const char *p) {
        if (p[0] != '/')
                return schema_error(
                        sc, n,
                        "'%s' is not an absolute path; expected an absolute path or glob such as "
                        "'/home/alice/src/*'",
                        p);
        for (const char *c = strstr(p, "/.."); c; c = strstr(c + 1, "/.."))
                if (c[3] == '/' || c[3] == '\0')
                        return schema_error(sc, n, "'%s' contains '..'; expected a path without '..'", p);
        return 0;
}

static int parse_user(Schema *sc, const YNode *key, UserGrant *g) {
        const YNode *v = key->value, *projects = NULL;
        char what[USER_NAME_MAX + 32];
        int r;

        if (!user_name_valid(key->str, true))
                return user_name_error(sc, key, key->str);
        snprintf(what, sizeof what, "user '%s'", key->str);
        r = schema_expect_type(sc, v, YNODE_MAPPING, what);
        if (r < 0)
                return r;
        for (const YNode *k = v->first; k; k = k->next) {
                if (!streq(k->str, "projects"))
                        return schema_error(
                                sc, k, "unknown key '%s' in user '%s'; expected projects", k->str, key->str);
                projects = k->value;
        }
        if (!projects)
                return schema_error(sc, v, "missing key 'projects' in user '%s'", key->str);

        *g = (UserGrant){.loc = schema_loc_of(sc, key)};
        g->user = arena_strdup(sc->arena, key->str);
        if (!g->user)
                return schema_oom(sc);
        return parse_string_list(
                sc, projects, "'projects'", true, check_project, &g->projects, &g->n_projects);
}

static int on_users(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        size_t i = 0;
        int r;

        (void)key;
        r = schema_expect_type(sc, v, YNODE_MAPPING, "'users'");
        if (r < 0)
                return r;
        /* users replaces the base's grants entirely: an account lists exactly who may use it. */
        s->users = arena_alloc_array(sc->arena, v->n, sizeof(UserGrant));
        if (!s->users)
                return schema_oom(sc);
        for (const YNode *k = v->first; k; k = k->next, i++) {
                r = parse_user(sc, k, &s->users[i]);
                if (r < 0)
                        return r;
        }
        s->n_users = v->n;
        return 0;
}

/* ---- top level ---- */

static int on_version(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        char buf[64];

        (void)key, (void)s;
        if (v->type != YNODE_SCALAR || !streq(v->str, "1"))
                return schema_error(
                        sc, v, "unsupported version %s; expected 1", ynode_describe(v, buf, sizeof buf));
        sc->have_version = true;
        return 0;
}

static int on_owner(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        int r;

        (void)s;
        if (sc->kind != POLICY_FILE_ACCOUNT)
                return schema_error(
                        sc, key,
                        "'owner' is only allowed in account files (accounts.d/NAME.yaml), not in rcc.yaml");
        r = schema_get_string(sc, v, "'owner'", &sc->owner);
        if (r < 0)
                return r;
        if (!user_name_valid(sc->owner, true))
                return user_name_error(sc, v, sc->owner);
        return 0;
}

int policy_schema_apply(
        Arena *a, const YNode *root, const char *file, PolicyFileKind kind, const Settings *base,
        Settings *ret, const char **ret_owner, RccDiag *diag) {
        static const KeyTable keys[] = {
                {"version", on_version},
                {"network", schema_on_network},
                {"files", on_files},
                {"container", on_container},
                {"terminal", on_terminal},
                {"users", on_users},
                {"owner", on_owner, ONLY(POLICY_FILE_ACCOUNT)},
        };
        Schema sc = {.arena = a, .file = file, .kind = kind, .diag = diag};
        Settings s = *base;
        int r;

        /* An empty file is an empty mapping: an account file may only need to exist. */
        if (!ynode_is_null(root)) {
                r = schema_expect_type(&sc, root, YNODE_MAPPING, "the top level");
                if (r < 0)
                        return r;
                r = schema_walk_mapping(&sc, root, "", keys, ELEMENTSOF(keys), &s);
                if (r < 0)
                        return r;
        }
        if (kind == POLICY_FILE_DEFAULTS && !sc.have_version)
                return schema_error(&sc, root, "missing key 'version'; expected 'version: 1' at the top");

        *ret = s;
        if (ret_owner)
                *ret_owner = sc.owner;
        return 0;
}

int settings_builtin_defaults(Arena *a, Settings *ret) {
        /* What the human's own tools run from a project without being asked: git (all of .git, not
         * only hooks and config: commondir, config.worktree, a submodule's config and more make the
         * human's next git command run what the agent wrote there), direnv, Claude Code (the hooks
         * of its project settings, the servers of .mcp.json), VS Code (tasks run at folder open),
         * pre-commit (at the human's next commit). The ones missing are made as placeholders for
         * the session (shell/placeholder.h). */
        static const char *const readonly[] = {
                ".git",
                ".envrc",
                ".claude/settings.json",
                ".claude/settings.local.json",
                ".mcp.json",
                ".vscode/tasks.json",
                ".pre-commit-config.yaml",
        };
        Settings s = {.mode = NET_MODE_PUBLIC, .resolvers_auto = true, .disk_bytes = POLICY_DEFAULT_DISK};

        s.readonly = arena_alloc_array(a, ELEMENTSOF(readonly), sizeof(char *));
        s.command = arena_alloc_array(a, 1, sizeof(char *));
        if (!s.readonly || !s.command)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(readonly); i++)
                if (!(s.readonly[i] = arena_strdup(a, readonly[i])))
                        return -ENOMEM;
        s.n_readonly = ELEMENTSOF(readonly);
        s.image = arena_strdup(a, "localhost/rcc-claude:latest");
        s.command[0] = arena_strdup(a, "claude");
        if (!s.image || !s.command[0])
                return -ENOMEM;
        s.n_command = 1;
        *ret = s;
        return 0;
}
