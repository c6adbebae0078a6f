/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy schema: one file's node tree → Settings, checking every value on the way. Each
 * mapping is walked once in document order through a table of known keys, so an unknown key, a
 * wrong type and a bad value all fail at the first offending node with its line and column.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "policy-internal.h"

typedef struct Schema {
        Arena *arena;
        const char *file;
        PolicyFileKind kind;
        RccDiag *diag;
        const char *owner;
        bool have_version;
} Schema;

typedef int (*KeyHandler)(Schema *sc, const YNode *key, const YNode *value, Settings *s);

typedef struct KeyTable {
        const char *key;
        KeyHandler handler;
        unsigned kinds; /* the files it may appear in; 0: both (its handler explains otherwise) */
} KeyTable;

#define ONLY(kind) (1u << (kind))

_printf_(3, 4) static int schema_error(Schema *sc, const YNode *n, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_setv(sc->diag, -EINVAL, sc->file, n->line, n->column, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static int oom(Schema *sc) {
        return diag_set(sc->diag, -ENOMEM, sc->file, 0, 0, "out of memory");
}

static int type_error(Schema *sc, const YNode *n, const char *expected, const char *what) {
        char buf[128];
        return schema_error(
                sc, n, "expected %s for %s, found %s", expected, what, ynode_describe(n, buf, sizeof buf));
}

static int expect_type(Schema *sc, const YNode *n, YNodeType type, const char *what) {
        if (n->type == type)
                return 0;
        return type_error(sc, n, type == YNODE_MAPPING ? "a mapping" : "a list", what);
}

/* A string: any scalar but a YAML null; copied into the policy's arena. */
static int get_string(Schema *sc, const YNode *n, const char *what, const char **ret) {
        if (n->type != YNODE_SCALAR || ynode_is_null(n))
                return type_error(sc, n, "a string", what);
        *ret = arena_strndup(sc->arena, n->str, n->len);
        return *ret ? 0 : oom(sc);
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

static int walk_mapping(
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

static SourceLoc loc_of(const Schema *sc, const YNode *n) {
        return (SourceLoc){.file = sc->file, .line = n->line, .column = n->column};
}

/* ---- values ---- */

/* s[0..len) is one port number; s is n's text or a part of it. */
static int parse_port_number(Schema *sc, const YNode *n, const char *s, size_t len, uint16_t *ret) {
        uint64_t v;

        if (len == 0 || parse_digits(s, &v) != len)
                return schema_error(
                        sc, n,
                        "'%s' is not a port; expected a number 1..65535 or a range such as '8000-8100'",
                        n->str);
        if (v < 1 || v > 65535)
                return schema_error(sc, n, "port %.*s is out of range; expected 1..65535", (int)len, s);
        *ret = (uint16_t)v;
        return 0;
}

static int parse_port_range(Schema *sc, const YNode *n, PortRange *ret) {
        const char *dash;
        PortRange pr;
        int r;

        if (n->type != YNODE_SCALAR || ynode_is_null(n))
                return type_error(sc, n, "a port or a range 'A-B'", "a ports entry");

        dash = strchr(n->str, '-');
        if (!dash) {
                r = parse_port_number(sc, n, n->str, n->len, &pr.first);
                if (r < 0)
                        return r;
                pr.last = pr.first;
        } else {
                r = parse_port_number(sc, n, n->str, (size_t)(dash - n->str), &pr.first);
                if (r < 0)
                        return r;
                r = parse_port_number(sc, n, dash + 1, strlen(dash + 1), &pr.last);
                if (r < 0)
                        return r;
                if (pr.first > pr.last)
                        return schema_error(
                                sc, n, "port range '%s' is backwards; expected A-B with A <= B", n->str);
        }
        *ret = pr;
        return 0;
}

static int parse_ports(Schema *sc, const YNode *n, NetRule *rule) {
        size_t i = 0;
        int r;

        r = expect_type(sc, n, YNODE_SEQUENCE, "'ports'");
        if (r < 0)
                return r;
        if (n->n == 0)
                return schema_error(
                        sc, n, "an empty ports list allows nothing; leave out 'ports' to allow every port");
        rule->ports = arena_alloc_array(sc->arena, n->n, sizeof(PortRange));
        if (!rule->ports)
                return oom(sc);
        for (const YNode *item = n->first; item; item = item->next, i++) {
                r = parse_port_range(sc, item, &rule->ports[i]);
                if (r < 0)
                        return r;
        }
        rule->n_ports = n->n;
        return 0;
}

static int parse_cidr(Schema *sc, const YNode *n, const char *what, Cidr *ret) {
        char buf[CIDR_STRLEN];
        const char *s;
        int r;

        r = get_string(sc, n, what, &s);
        if (r < 0)
                return r;
        switch (cidr_parse(s, ret)) {
        case CIDR_OK:
                return 0;
        case CIDR_BAD_ADDRESS:
                return schema_error(sc, n, "'%s' is not an IPv4 or IPv6 address or prefix", s);
        case CIDR_BAD_PREFIX:
                if (strchr(s, ':'))
                        return schema_error(sc, n, "'%s': prefix length must be 0..128 for IPv6", s);
                return schema_error(sc, n, "'%s': prefix length must be 0..32 for IPv4", s);
        case CIDR_HOST_BITS_SET:
                return schema_error(
                        sc, n, "'%s' has host bits set; did you mean '%s'?", s,
                        cidr_format(ret, buf, sizeof buf));
        }
        return schema_error(sc, n, "'%s' is not an address or prefix", s);
}

static int parse_host(Schema *sc, const YNode *n, const char **ret) {
        char *host;
        int r;

        r = get_string(sc, n, "'host'", (const char **)&host);
        if (r < 0)
                return r;
        if (host_looks_like_address(host))
                return schema_error(sc, n, "'%s' is an address; use cidr: for addresses and prefixes", host);
        if (!valid_host_name(host))
                return schema_error(
                        sc, n,
                        "'%s' is not a valid host name; expected dot-separated labels of letters, "
                        "digits and '-' (1-63 characters each, 253 in all)",
                        host);
        for (char *p = host; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        *ret = host;
        return 0;
}

static int parse_proto(Schema *sc, const YNode *n, NetProto *ret) {
        const char *s;
        int r;

        r = get_string(sc, n, "'proto'", &s);
        if (r < 0)
                return r;
        if (streq(s, "tcp"))
                *ret = NET_PROTO_TCP;
        else if (streq(s, "udp"))
                *ret = NET_PROTO_UDP;
        else if (streq(s, "any"))
                *ret = NET_PROTO_ANY;
        else
                return schema_error(sc, n, "'%s' is not a protocol; expected tcp, udp or any", s);
        return 0;
}

/* ---- network ---- */

static int parse_allow_rule(Schema *sc, const YNode *n, NetRule *rule) {
        static const char *const keys[] = {"host", "cidr", "ports", "proto"};
        const YNode *v[4] = {};
        int r;

        r = expect_type(sc, n, YNODE_MAPPING, "an allow rule");
        if (r < 0)
                return r;
        for (const YNode *k = n->first; k; k = k->next) {
                size_t i;
                for (i = 0; i < ELEMENTSOF(keys) && !streq(k->str, keys[i]); i++)
                        ;
                if (i == ELEMENTSOF(keys))
                        return schema_error(
                                sc, k, "unknown key '%s' in allow rule; expected host, cidr, ports or proto",
                                k->str);
                v[i] = k->value;
        }

        *rule = (NetRule){.proto = NET_PROTO_TCP, .loc = loc_of(sc, n)};
        if (v[0] && v[1])
                return schema_error(sc, n, "an allow rule takes host or cidr, not both");
        if (!v[0] && !v[1])
                return schema_error(sc, n, "an allow rule needs host or cidr");
        r = v[0] ? parse_host(sc, v[0], &rule->host) : parse_cidr(sc, v[1], "'cidr'", &rule->cidr);
        if (r < 0)
                return r;
        if (v[2] && (r = parse_ports(sc, v[2], rule)) < 0)
                return r;
        if (v[3] && (r = parse_proto(sc, v[3], &rule->proto)) < 0)
                return r;
        return 0;
}

static int parse_deny_rule(Schema *sc, const YNode *n, NetRule *rule) {
        const YNode *cidr = NULL;
        int r;

        r = expect_type(sc, n, YNODE_MAPPING, "a deny rule");
        if (r < 0)
                return r;
        for (const YNode *k = n->first; k; k = k->next) {
                if (streq(k->str, "cidr"))
                        cidr = k->value;
                else if (streq(k->str, "host"))
                        return schema_error(
                                sc, k,
                                "deny takes prefixes only; use cidr: with an address or prefix instead of "
                                "host:");
                else if (streq(k->str, "ports") || streq(k->str, "proto"))
                        return schema_error(
                                sc, k,
                                "'%s' is not allowed in deny; a deny rule blocks every port and protocol",
                                k->str);
                else
                        return schema_error(sc, k, "unknown key '%s' in deny rule; expected cidr", k->str);
        }
        if (!cidr)
                return schema_error(sc, n, "a deny rule needs cidr");

        *rule = (NetRule){.proto = NET_PROTO_ANY, .loc = loc_of(sc, n)};
        return parse_cidr(sc, cidr, "'cidr'", &rule->cidr);
}

/* allow and deny add to the base's rules: the defaults' first, then this file's. */
static int parse_rules(
        Schema *sc, const YNode *n, const char *what, int (*parse)(Schema *, const YNode *, NetRule *),
        NetRule **rules, size_t *n_rules) {
        NetRule *all;
        size_t i = *n_rules;
        int r;

        r = expect_type(sc, n, YNODE_SEQUENCE, what);
        if (r < 0)
                return r;
        all = arena_alloc_array(sc->arena, *n_rules + n->n, sizeof(NetRule));
        if (!all)
                return oom(sc);
        if (*n_rules > 0)
                memcpy(all, *rules, *n_rules * sizeof(NetRule));
        for (const YNode *item = n->first; item; item = item->next, i++) {
                r = parse(sc, item, &all[i]);
                if (r < 0)
                        return r;
        }
        *rules = all;
        *n_rules = i;
        return 0;
}

static int on_allow(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        (void)key;
        return parse_rules(sc, v, "'allow'", parse_allow_rule, &s->allow, &s->n_allow);
}

static int on_deny(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        (void)key;
        return parse_rules(sc, v, "'deny'", parse_deny_rule, &s->deny, &s->n_deny);
}

static int on_mode(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        const char *m;
        int r;

        (void)key;
        r = get_string(sc, v, "'mode'", &m);
        if (r < 0)
                return r;
        if (streq(m, "public"))
                s->mode = NET_MODE_PUBLIC;
        else if (streq(m, "strict"))
                s->mode = NET_MODE_STRICT;
        else
                return schema_error(sc, v, "'%s' is not a network mode; expected public or strict", m);
        return 0;
}

static int on_resolvers(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        size_t i = 0;
        int r;

        if (sc->kind != POLICY_FILE_DEFAULTS)
                return schema_error(
                        sc, key,
                        "'resolvers' is only allowed in rcc.yaml; the host's resolvers are the same for "
                        "every account");
        if (v->type == YNODE_SCALAR && streq(v->str, "auto")) {
                s->resolvers_auto = true;
                s->resolvers = NULL;
                s->n_resolvers = 0;
                return 0;
        }
        if (v->type != YNODE_SEQUENCE)
                return type_error(sc, v, "auto or a list of addresses", "'resolvers'");

        s->resolvers = arena_alloc_array(sc->arena, v->n, sizeof(Cidr));
        if (!s->resolvers)
                return oom(sc);
        for (const YNode *item = v->first; item; item = item->next, i++) {
                Cidr *c = &s->resolvers[i];

                r = parse_cidr(sc, item, "a resolver", c);
                if (r < 0)
                        return r;
                if (c->prefixlen != family_addr_len(c->family) * 8)
                        return schema_error(
                                sc, item, "'%s' is a prefix; expected one resolver address", item->str);
        }
        s->n_resolvers = v->n;
        s->resolvers_auto = false;
        return 0;
}

static int on_network(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        static const KeyTable t[] = {
                {"mode", on_mode},
                {"allow", on_allow},
                {"deny", on_deny},
                {"resolvers", on_resolvers, ONLY(POLICY_FILE_DEFAULTS)},
        };
        int r;

        (void)key;
        r = expect_type(sc, v, YNODE_MAPPING, "'network'");
        if (r < 0)
                return r;
        return walk_mapping(sc, v, "network", t, ELEMENTSOF(t), s);
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

        r = expect_type(sc, n, YNODE_SEQUENCE, what);
        if (r < 0)
                return r;
        if (nonempty && n->n == 0)
                return schema_error(sc, n, "empty list for %s; expected at least one entry", what);
        list = arena_alloc_array(sc->arena, n->n + 1, sizeof(char *));
        if (!list)
                return oom(sc);
        for (const YNode *item = n->first; item; item = item->next, i++) {
                r = get_string(sc, item, what, &list[i]);
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
        r = expect_type(sc, v, YNODE_MAPPING, "'files'");
        if (r < 0)
                return r;
        return walk_mapping(sc, v, "files", t, ELEMENTSOF(t), s);
}

/* ---- container ---- */

static int on_image(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        int r;

        (void)key;
        r = get_string(sc, v, "'image'", &s->image);
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
        r = get_string(sc, v, "'memory'", &m);
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

static int on_cpus(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        const char *c;
        int r;

        (void)key;
        r = get_string(sc, v, "'cpus'", &c);
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
        r = get_string(sc, v, "'pids'", &p);
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
                {"image", on_image}, {"command", on_command}, {"memory", on_memory},
                {"cpus", on_cpus},   {"pids", on_pids},
        };
        int r;

        (void)key;
        r = expect_type(sc, v, YNODE_MAPPING, "'container'");
        if (r < 0)
                return r;
        return walk_mapping(sc, v, "container", t, ELEMENTSOF(t), s);
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

        if (!valid_user_name(key->str, true))
                return user_name_error(sc, key, key->str);
        snprintf(what, sizeof what, "user '%s'", key->str);
        r = expect_type(sc, v, YNODE_MAPPING, what);
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

        *g = (UserGrant){.loc = loc_of(sc, key)};
        g->user = arena_strdup(sc->arena, key->str);
        if (!g->user)
                return oom(sc);
        return parse_string_list(
                sc, projects, "'projects'", true, check_project, &g->projects, &g->n_projects);
}

static int on_users(Schema *sc, const YNode *key, const YNode *v, Settings *s) {
        size_t i = 0;
        int r;

        (void)key;
        r = expect_type(sc, v, YNODE_MAPPING, "'users'");
        if (r < 0)
                return r;
        /* users replaces the base's grants entirely: an account lists exactly who may use it. */
        s->users = arena_alloc_array(sc->arena, v->n, sizeof(UserGrant));
        if (!s->users)
                return oom(sc);
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
        r = get_string(sc, v, "'owner'", &sc->owner);
        if (r < 0)
                return r;
        if (!valid_user_name(sc->owner, true))
                return user_name_error(sc, v, sc->owner);
        return 0;
}

int policy_schema_apply(
        Arena *a, const YNode *root, const char *file, PolicyFileKind kind, const Settings *base,
        Settings *ret, const char **ret_owner, RccDiag *diag) {
        static const KeyTable keys[] = {
                {"version", on_version}, {"network", on_network},
                {"files", on_files},     {"container", on_container},
                {"users", on_users},     {"owner", on_owner, ONLY(POLICY_FILE_ACCOUNT)},
        };
        Schema sc = {.arena = a, .file = file, .kind = kind, .diag = diag};
        Settings s = *base;
        int r;

        /* An empty file is an empty mapping: an account file may only need to exist. */
        if (!ynode_is_null(root)) {
                r = expect_type(&sc, root, YNODE_MAPPING, "the top level");
                if (r < 0)
                        return r;
                r = walk_mapping(&sc, root, "", keys, ELEMENTSOF(keys), &s);
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
        /* All of .git, not only hooks and config: commondir, config.worktree, a submodule's
         * config and more make the human's next git command run what the agent wrote there. */
        static const char *const readonly[] = {".git", ".envrc"};
        Settings s = {.mode = NET_MODE_PUBLIC, .resolvers_auto = true};

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
