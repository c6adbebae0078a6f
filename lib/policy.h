/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy model: DIR/rcc.yaml (defaults) and DIR/accounts.d/NAME.yaml (one sandbox account
 * each), loaded with libyaml into one validated, immutable Policy. Every component reads policy
 * through this interface and nothing else, so they cannot disagree about what it says.
 *
 * A Policy is returned whole or not at all: policy_load() either hands back a fully validated
 * policy or fails with one diagnostic that names FILE:LINE:COLUMN and what was expected.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cidr.h"
#include "diag.h"

#define POLICY_VERSION 1
#define POLICY_MAX_FILE_SIZE (8u * 1024 * 1024) /* bytes per YAML file */
#define POLICY_MAX_LIST 100000u                 /* entries per list */
#define POLICY_MAX_DEPTH 16u                    /* YAML nesting */
#define POLICY_MAX_ACCOUNTS 1024u
#define POLICY_DEFAULT_DISK (20ull << 30) /* container.disk when no file names it */
#define POLICY_MIN_DISK (256ull << 20)

typedef struct Arena Arena;

typedef struct SourceLoc {
        const char *file; /* points into the policy's arena */
        unsigned line, column;
} SourceLoc;

typedef enum NetMode {
        NET_MODE_PUBLIC, /* block private and host-local destinations, allow the public internet */
        NET_MODE_STRICT, /* allow nothing but the allowlist (and the host's resolvers) */
} NetMode;

/* Whose the agent's home is, between sessions (container.home): nothing written there is ever
 * seen by a session of another human. */
typedef enum HomeScope {
        HOME_PROJECT,   /* one home per human and project (the default) */
        HOME_HUMAN,     /* one home per human, shared by their projects */
        HOME_EPHEMERAL, /* a tmpfs: nothing is kept */
} HomeScope;

typedef enum NetProto {
        NET_PROTO_TCP,
        NET_PROTO_UDP,
        NET_PROTO_ANY, /* tcp and udp; with no ports, every protocol */
} NetProto;

typedef struct PortRange {
        uint16_t first, last; /* 1..65535, first <= last */
} PortRange;

typedef struct NetRule {
        /* A DNS name, resolved by rcc-firewall, or a wildcard "*.zone" that only rcc-dnsrelay's
         * answers open; lower case; NULL for a cidr rule. */
        const char *host;
        Cidr cidr;        /* valid when host == NULL */
        PortRange *ports; /* NULL with n_ports == 0: every port */
        size_t n_ports;
        NetProto proto;
        SourceLoc loc;
} NetRule;

typedef struct UserGrant {
        const char *user;      /* a human's login name */
        const char **projects; /* absolute paths or glob patterns (fnmatch, FNM_PATHNAME) */
        size_t n_projects;
        SourceLoc loc;
} UserGrant;

typedef struct Settings {
        NetMode mode;
        NetRule *allow;
        size_t n_allow;
        NetRule *deny; /* cidr rules only */
        size_t n_deny;
        bool resolvers_auto; /* true: the host's resolvers (resolv.conf, systemd-resolved) */
        Cidr *resolvers;     /* used when !resolvers_auto; /32 or /128 each */
        size_t n_resolvers;

        const char **readonly; /* relative to the project; no "..", not absolute */
        size_t n_readonly;

        const char *image;
        const char **command;
        size_t n_command;
        uint64_t memory_bytes; /* 0: no limit given */
        uint32_t cpus_milli;   /* thousandths of a CPU; 0: no limit given */
        uint32_t pids;         /* 0: no limit given */
        /* The size of the account's storage filesystem, which holds all it writes on the host: its
         * image, its sessions' containers and homes (setup/host/storage.h). Never 0. */
        uint64_t disk_bytes;
        HomeScope home;

        /* What the session's output may do to the human's terminal beyond its screen
         * (lib/termfilter.h); both false by default. */
        bool terminal_clipboard; /* OSC 52: set the clipboard (tmux's paste buffer) */
        bool terminal_title;     /* OSC 0, 1, 2: set the window and icon title */

        UserGrant *users;
        size_t n_users;
} Settings;

typedef struct Account {
        const char *name; /* the system user; also the file name without ".yaml" */
        uid_t uid;
        gid_t gid;
        const char *owner; /* lab mode: the human this account belongs to; NULL otherwise */
        const char *file;  /* DIR/accounts.d/NAME.yaml */
        Settings settings; /* the defaults with this account's file applied on top */
} Account;

typedef struct Policy {
        Arena *arena; /* owns every pointer below */
        const char *dir;
        Settings defaults;
        Account *accounts; /* sorted by uid */
        size_t n_accounts;
} Policy;

typedef struct PolicyOptions {
        /* Resolve account names from this passwd(5)-format file instead of the system's user
         * database. For previewing a policy made for another machine, and for tests. */
        const char *passwd_file;
        /* Accept files owned by the calling user as well as by root. Only ever set for tools run
         * by an unprivileged user on their own copy of a policy; never in the PAM module. */
        bool allow_own_files;
} PolicyOptions;

/* Load and validate DIR. On failure *ret is untouched and diag says what and where. */
int policy_load(const char *dir, const PolicyOptions *opts, Policy **ret, RccDiag *diag);

/* Load from memory: one defaults document and n account documents (names[i], texts[i]). Same
 * validation as policy_load(), less the file checks; for the fuzzer and unit tests. Diagnostics
 * and SourceLocs name "rcc.yaml" and "accounts.d/NAME.yaml"; Policy.dir is "". Account names are
 * still looked up (in opts->passwd_file when set). */
int policy_load_buffers(
        const char *defaults_text, size_t defaults_len, const char *const *account_names,
        const char *const *account_texts, const size_t *account_lens, size_t n_accounts,
        const PolicyOptions *opts, Policy **ret, RccDiag *diag);

Policy *policy_free(Policy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Policy *, policy_free);

const Account *policy_find_account(const Policy *p, const char *name);
const Account *policy_find_account_by_uid(const Policy *p, uid_t uid);
/* The grant of a human user in these settings, or NULL. */
const UserGrant *settings_find_user(const Settings *s, const char *user);
/* The humans who may use account a: its owner alone in lab mode, else everyone it grants. */
void account_humans(const Account *a, const UserGrant **ret, size_t *ret_n);

/* The size of a session's /tmp, a tmpfs: memory, charged to the session where cgroups hold. Half
 * the session's memory (so that a full /tmp leaves the processes room, rather than meeting the
 * memory limit first), and no more than its disk. */
uint64_t settings_tmp_bytes(const Settings *s);

const char *net_mode_to_string(NetMode m);
const char *home_scope_to_string(HomeScope h);
const char *net_proto_to_string(NetProto p);

/* A host rule's name is a wildcard "*.zone": it names every name below zone, never zone itself. */
bool host_is_wildcard(const char *host);
/* Whether name (a DNS name, either case, an optional trailing dot) is what host (a validated,
 * lower-case host rule) names: the same name, or for "*.zone" any name with one or more labels
 * before ".zone". */
bool host_matches(const char *host, const char *name);
/* The allow rule of s whose host matches name, or NULL: what rcc-dnsrelay asks of a query. */
const NetRule *settings_find_host(const Settings *s, const char *name);
