/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy-internal.h"

Policy *policy_free(Policy *p) {
        if (!p)
                return NULL;
        /* The Policy itself lives in its arena too. */
        arena_free(p->arena);
        return NULL;
}

const Account *policy_find_account(const Policy *p, const char *name) {
        if (!p || !name)
                return NULL;
        FOREACH_ARRAY (a, p->accounts, p->n_accounts)
                if (streq(a->name, name))
                        return a;
        return NULL;
}

const Account *policy_find_account_by_uid(const Policy *p, uid_t uid) {
        size_t lo = 0, hi;

        if (!p)
                return NULL;
        /* Accounts are sorted by uid. */
        hi = p->n_accounts;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (p->accounts[mid].uid == uid)
                        return &p->accounts[mid];
                if (p->accounts[mid].uid < uid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

const UserGrant *settings_find_user(const Settings *s, const char *user) {
        if (!s || !user)
                return NULL;
        FOREACH_ARRAY (g, s->users, s->n_users)
                if (streq(g->user, user))
                        return g;
        return NULL;
}

bool host_is_wildcard(const char *host) {
        return host && host[0] == '*' && host[1] == '.';
}

bool host_matches(const char *host, const char *name) {
        size_t hl, nl;

        if (!host || !name)
                return false;
        hl = strlen(host);
        nl = strlen(name);
        if (nl > 0 && name[nl - 1] == '.')
                nl--;
        if (!host_is_wildcard(host))
                return nl == hl && strncasecmp(host, name, nl) == 0;
        /* "*.zone" (hl bytes) names "x.zone" for any non-empty x: name ends in ".zone" and has at
         * least one byte before that dot. */
        size_t zl = hl - 1; /* ".zone" */
        return nl > zl && strncasecmp(name + nl - zl, host + 1, zl) == 0;
}

const NetRule *settings_find_host(const Settings *s, const char *name) {
        if (!s || !name)
                return NULL;
        FOREACH_ARRAY (rule, s->allow, s->n_allow)
                if (rule->host && host_matches(rule->host, name))
                        return rule;
        return NULL;
}

void account_humans(const Account *a, const UserGrant **ret, size_t *ret_n) {
        if (a->owner) {
                const UserGrant *g = settings_find_user(&a->settings, a->owner);
                *ret = g;
                *ret_n = g ? 1 : 0;
                return;
        }
        *ret = a->settings.users;
        *ret_n = a->settings.n_users;
}

uint64_t settings_tmp_bytes(const Settings *s) {
        if (s->memory_bytes && s->memory_bytes / 2 < s->disk_bytes)
                return s->memory_bytes / 2;
        return s->disk_bytes;
}

const char *home_scope_to_string(HomeScope h) {
        switch (h) {
        case HOME_PROJECT:
                return "project";
        case HOME_HUMAN:
                return "human";
        case HOME_EPHEMERAL:
                return "ephemeral";
        }
        return "?";
}

const char *net_mode_to_string(NetMode m) {
        switch (m) {
        case NET_MODE_PUBLIC:
                return "public";
        case NET_MODE_STRICT:
                return "strict";
        }
        return NULL;
}

const char *net_proto_to_string(NetProto p) {
        switch (p) {
        case NET_PROTO_TCP:
                return "tcp";
        case NET_PROTO_UDP:
                return "udp";
        case NET_PROTO_ANY:
                return "any";
        }
        return NULL;
}
