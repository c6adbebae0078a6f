/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-firewall: compile the rcc policy into table "inet rcc" and keep the kernel's copy of it
 * current. Every verb loads the policy through librcc; only apply, refresh and remove change
 * anything, each in one netlink transaction.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "hostfacts.h"
#include "log.h"
#include "nft-batch.h"
#include "nft-query.h"
#include "nft-verify.h"
#include "ruleset.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2

static const char *arg_config = RCC_CONFIG_DIR;
static const char *arg_passwd = NULL;

static void help(void) {
        printf("Usage: rcc-firewall [OPTIONS] COMMAND\n"
               "\n"
               "Enforce the rcc network policy in the host's nftables (table inet %s).\n"
               "\n"
               "Commands:\n"
               "  check     validate the policy; exit 1 with the errors if it is not valid\n"
               "  show      print the ruleset the policy compiles to, in nft syntax\n"
               "  apply     load the ruleset in one atomic transaction (replacing the old one)\n"
               "  status    say whether the table is loaded, current and unmodified; the deny counters\n"
               "  refresh   re-resolve allowlisted names and the host's resolvers in place\n"
               "  remove    delete the table (no error if it is not loaded)\n"
               "\n"
               "Options:\n"
               "  -c, --config DIR   policy directory (default %s)\n"
               "      --passwd FILE  resolve accounts from this passwd(5) file (check, show only)\n"
               "  -h, --help         show this help\n"
               "      --version      show the version\n"
               "\n"
               "Exit status: 0 ok, 1 invalid policy, failed apply or (status) table missing or not\n"
               "current, 2 usage error. See rcc-firewall(8).\n",
               RCC_TABLE, RCC_CONFIG_DIR);
}

static int parse_argv(int argc, char **argv, const char **ret_verb) {
        enum { ARG_PASSWD = 0x100, ARG_VERSION };
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"passwd", required_argument, NULL, ARG_PASSWD},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "+c:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        arg_config = optarg;
                        break;
                case ARG_PASSWD:
                        arg_passwd = optarg;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("rcc-firewall " RCC_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }

        if (optind + 1 != argc) {
                log_error(
                        optind == argc ? "no command given; see rcc-firewall --help"
                                       : "too many arguments; see rcc-firewall --help");
                return -EINVAL;
        }
        *ret_verb = argv[optind];
        return 1;
}

static int load_policy(Policy **ret) {
        PolicyOptions opts = {.passwd_file = arg_passwd, .allow_own_files = geteuid() != 0};
        RccDiag diag = {};
        int r = policy_load(arg_config, &opts, ret, &diag);

        if (r < 0)
                return log_diag(r, &diag);
        return 0;
}

static void warn_unresolved(const char *name, const char *why) {
        log_warning(
                "allowlisted name '%s' did not resolve (%s); it stays blocked until refresh resolves it",
                name, why);
}

/* Load and compile. resolve: look up allowlisted names (apply, refresh) or not (show, status). */
static int compile(bool resolve, Policy **ret_policy, Ruleset **ret_rs) {
        _cleanup_(policy_freep) Policy *p = NULL;
        HostFactsStore facts = {};
        RccDiag diag = {};
        int r;

        if ((r = load_policy(&p)) < 0)
                return r;
        r = hostfacts_gather(p, resolve, warn_unresolved, &facts, &diag);
        if (r < 0)
                return log_diag(r, &diag);
        r = ruleset_compile(p, &facts.facts, ret_rs, &diag);
        hostfacts_done(&facts);
        if (r < 0)
                return log_diag(r, &diag);
        if (ret_policy)
                *ret_policy = TAKE_PTR(p);
        return 0;
}

static int verb_check(void) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        int r = compile(false, &p, &rs);

        if (r < 0)
                return r;
        printf("%s: valid, %zu account%s, ruleset sha256:%s\n", p->dir, p->n_accounts,
               p->n_accounts == 1 ? "" : "s", rs->digest);
        return 0;
}

static int verb_show(void) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        int r = compile(false, NULL, &rs);

        if (r < 0)
                return r;
        r = ruleset_render(rs, RENDER_FULL, stdout);
        if (fflush(stdout) != 0 || r < 0) {
                log_error("writing the ruleset failed: %m");
                return -EIO;
        }
        return 0;
}

/* Whether the loaded table carries rs's digest. */
static bool table_is_current(const NftStatus *st, const Ruleset *rs) {
        char want[sizeof st->comment];

        snprintf(want, sizeof want, "%s%s", RCC_DIGEST_PREFIX, rs->digest);
        return st->loaded && strcmp(st->comment, want) == 0;
}

static int verb_apply(void) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        NftStatus st = {};
        RccDiag diag = {};
        int r;

        if ((r = compile(true, NULL, &rs)) < 0)
                return r;
        if ((r = nft_status(&st, &diag)) < 0)
                return log_diag(r, &diag);
        bool current = table_is_current(&st, rs);
        nft_status_done(&st);

        if (current) {
                /* The comment says which policy the table was built from, not that nobody edited it
                 * since: compare the contents too, and rebuild the table if they changed. */
                char why[512];
                bool intact = false;

                if ((r = nft_verify(rs, &intact, why, sizeof why, &diag)) < 0)
                        return log_diag(r, &diag);
                if (!intact) {
                        log_warning(
                                "table inet %s was modified since it was applied (%s); replacing it",
                                RCC_TABLE, why);
                        current = false;
                }
        }
        if (current) {
                /* Same static ruleset: keep the table (and its counters), renew the names only. */
                if ((r = nft_refresh(rs, &diag)) < 0)
                        return log_diag(r, &diag);
                log_info(
                        "table inet %s is already current (sha256:%s); refreshed resolved names", RCC_TABLE,
                        rs->digest);
                return 0;
        }
        if ((r = nft_apply(rs, &diag)) < 0) {
                log_diag(r, &diag);
                log_audit(
                        LOG_ERR, "apply failed; the previous table inet %s, if any, is unchanged",
                        RCC_TABLE);
                return r;
        }
        log_audit(
                LOG_NOTICE, "applied table inet %s for %zu account%s from %s (sha256:%s)", RCC_TABLE,
                rs->n_accounts, rs->n_accounts == 1 ? "" : "s", arg_config, rs->digest);
        return 0;
}

static int verb_refresh(void) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        RccDiag diag = {};
        int r;

        if ((r = compile(true, NULL, &rs)) < 0)
                return r;
        if ((r = nft_refresh(rs, &diag)) < 0)
                return log_diag(r, &diag);
        log_info("refreshed resolvers and allowlisted names in table inet %s", RCC_TABLE);
        return 0;
}

static int verb_status(void) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        NftStatus st = {};
        RccDiag diag = {};
        int r;

        if ((r = nft_status(&st, &diag)) < 0)
                return log_diag(r, &diag);
        int rc = compile(false, &p, &rs);
        bool current = st.loaded && rc >= 0 && table_is_current(&st, rs), intact = false;
        char why[512] = "";

        /* Same comment, so built from this policy; but has anyone edited it by hand since? */
        if (current && (r = nft_verify(rs, &intact, why, sizeof why, &diag)) < 0) {
                log_diag(r, &diag);
                current = false;
        }

        if (!st.loaded)
                printf("table inet %s: not loaded; no sandbox account is confined. Run: rcc-firewall apply\n",
                       RCC_TABLE);
        else if (rc < 0)
                printf("table inet %s: loaded (%s), but the policy does not load (see above)\n", RCC_TABLE,
                       st.comment);
        else if (current && intact)
                printf("table inet %s: loaded and current (sha256:%s)\n", RCC_TABLE, rs->digest);
        else if (current)
                printf("table inet %s: loaded but MODIFIED since apply: %s. Run: rcc-firewall apply\n",
                       RCC_TABLE, why);
        else if (table_is_current(&st, rs))
                printf("table inet %s: loaded (sha256:%s), but its contents could not be read (see above)\n",
                       RCC_TABLE, rs->digest);
        else
                printf("table inet %s: loaded but NOT current: it is '%s', the policy compiles to sha256:%s. "
                       "Run: rcc-firewall apply\n",
                       RCC_TABLE, st.comment, rs->digest);

        for (size_t i = 0; i < st.n_counters; i++) {
                const NftCounter *c = &st.counters[i];
                const char *uid_text = strchr(c->name, '_');
                const Account *a =
                        p && uid_text ? policy_find_account_by_uid(p, (uid_t)strtoul(uid_text + 1, NULL, 10))
                                      : NULL;
                printf("  %-24s %" PRIu64 " packets denied (%s)\n", a ? a->name : c->name, c->packets,
                       c->name);
        }
        bool ok = current && intact;
        nft_status_done(&st);
        return ok ? 0 : -ESTALE;
}

static int verb_remove(void) {
        RccDiag diag = {};
        bool existed = false;
        int r = nft_remove(&existed, &diag);

        if (r < 0)
                return log_diag(r, &diag);
        if (existed)
                log_audit(
                        LOG_NOTICE, "removed table inet %s: sandbox accounts are no longer confined",
                        RCC_TABLE);
        else
                log_info("table inet %s was not loaded", RCC_TABLE);
        return 0;
}

int main(int argc, char **argv) {
        static const struct {
                const char *name;
                int (*run)(void);
                bool takes_passwd;
        } verbs[] = {
                {"check", verb_check, true},      {"show", verb_show, true},
                {"apply", verb_apply, false},     {"status", verb_status, false},
                {"refresh", verb_refresh, false}, {"remove", verb_remove, false},
        };
        const char *verb = NULL;
        int r;

        log_open("rcc-firewall");
        r = parse_argv(argc, argv, &verb);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (strcmp(verbs[i].name, verb) != 0)
                        continue;
                if (arg_passwd && !verbs[i].takes_passwd) {
                        log_error(
                                "--passwd only works with check and show: '%s' needs the system's real uids",
                                verb);
                        return EXIT_USAGE;
                }
                return verbs[i].run() < 0 ? EXIT_INVALID : EXIT_SUCCESS;
        }
        log_error("unknown command '%s'; see rcc-firewall --help", verb);
        return EXIT_USAGE;
}
