/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-firewall: compile the rcc policy into table "inet rcc", say what the kernel holds, and ask
 * rcc-firewalld, which holds the table, to apply, refresh or remove it. check, show and status
 * read; they load the policy through librcc themselves.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "firewall-service.h"
#include "denials-report.h"
#include "load.h"
#include "nft-apply.h"
#include "log.h"
#include "nft-query.h"
#include "nft-verify.h"
#include "ruleset.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2

static const char *arg_config = RCC_CONFIG_DIR;
static const char *arg_passwd = NULL;
static const char *arg_account = NULL;
static int64_t arg_since = 0;
static bool arg_json = false;

static void help(void) {
        printf("Usage: rcc-firewall [OPTIONS] COMMAND\n"
               "\n"
               "Enforce the rcc network policy in the host's nftables (table inet %s).\n"
               "\n"
               "Commands:\n"
               "  check     validate the policy; exit 1 with the errors if it is not valid\n"
               "  show      print the ruleset the policy compiles to, in nft syntax\n"
               "  apply     have rcc-firewalld load the ruleset in one atomic transaction\n"
               "  status    say whether the table is loaded, current, unmodified and held by\n"
               "            rcc-firewalld; the deny counters\n"
               "  refresh   have rcc-firewalld re-resolve allowlisted names and resolvers in place\n"
               "  remove    have rcc-firewalld cut every sandbox session's network and delete the table\n"
               "  denials   what the sandbox accounts were refused, why, and the policy that would allow it\n"
               "\n"
               "Options:\n"
               "  -c, --config DIR   policy directory (default %s)\n"
               "      --passwd FILE  resolve accounts from this passwd(5) file (check, show only)\n"
               "      --account NAME only this account's denials\n"
               "      --since DURATION  only denials this recent (30s, 10m, 2h, 7d)\n"
               "      --json         denials as one JSON document\n"
               "  -h, --help         show this help\n"
               "      --version      show the version\n"
               "\n"
               "Exit status: 0 ok, 1 invalid policy, failed apply or (status) table missing or not\n"
               "current, 2 usage error. See rcc-firewall(8).\n",
               RCC_TABLE, RCC_CONFIG_DIR);
}

static int parse_argv(int argc, char **argv, const char **ret_verb) {
        enum { ARG_PASSWD = 0x100, ARG_VERSION, ARG_ACCOUNT, ARG_SINCE, ARG_JSON };
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"passwd", required_argument, NULL, ARG_PASSWD},
                {"account", required_argument, NULL, ARG_ACCOUNT},
                {"since", required_argument, NULL, ARG_SINCE},
                {"json", no_argument, NULL, ARG_JSON},
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
                case ARG_ACCOUNT:
                        arg_account = optarg;
                        break;
                case ARG_SINCE: {
                        int64_t ago;
                        if (parse_duration(optarg, &ago) < 0) {
                                log_error(
                                        "--since '%s': expected a duration such as 30s, 10m, 2h or 7d",
                                        optarg);
                                return -EINVAL;
                        }
                        arg_since = (int64_t)time(NULL) - ago;
                        break;
                }
                case ARG_JSON:
                        arg_json = true;
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

static void warn_unresolved(void *userdata _unused_, const char *name, const char *why) {
        log_warning(
                "allowlisted name '%s' did not resolve (%s); it stays blocked until refresh resolves it",
                name, why);
}

/* Load and compile, without looking up allowlisted names (check, show, status). */
static int compile(Policy **ret_policy, Ruleset **ret_rs) {
        FirewallLoad l = {.config_dir = arg_config, .passwd_file = arg_passwd, .warn = warn_unresolved};
        RccDiag diag = {};
        int r = firewall_load(&l, ret_policy, ret_rs, &diag);

        return r < 0 ? log_diag(r, &diag) : 0;
}

static int verb_check(void) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        int r = compile(&p, &rs);

        if (r < 0)
                return r;
        printf("%s: valid, %zu account%s, ruleset sha256:%s\n", p->dir, p->n_accounts,
               p->n_accounts == 1 ? "" : "s", rs->digest);
        return 0;
}

static int verb_show(void) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        int r = compile(NULL, &rs);

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
        char want[sizeof st->table.comment];

        snprintf(want, sizeof want, "%s%s", RCC_DIGEST_PREFIX, rs->digest);
        return st->loaded && strcmp(st->table.comment, want) == 0;
}

/* The service's last answer, "done 0 TEXT" or "done -ERRNO TEXT": its error, if any, printed. */
static int done(const char *text) {
        char *end;
        long r = strtol(text, &end, 10);

        if (r >= 0)
                return 0;
        if (*end == ' ' && end[1])
                log_error("%s", end + 1);
        return r >= -4095 ? (int)r : -EIO;
}

/* apply, refresh and remove: rcc-firewalld holds the table, and the kernel lets no other process
 * change it. Its messages are printed as they come; its last says how it ended. */
/* For a request whose answer carries data (denials): each line that is not error, warning, info or
 * done, with its verb. */
typedef int (*LineHandler)(const char *buf, const char *text, void *userdata);

static int ask_service_with(const char *request, LineHandler on_line, void *userdata) {
        _cleanup_close_ int fd = -EBADF;
        char buf[FWSVC_MSG_MAX], config[PATH_MAX];
        const char *text;
        int r;

        r = fwsvc_connect(RCC_FIREWALL_CONTROL_SOCKET, &fd);
        if (r == -ENOENT || r == -ECONNREFUSED)
                return log_errno(
                        r,
                        "rcc-firewalld is not running (%s: %m), and only it can change table inet %s; start "
                        "it: systemctl start rcc-firewall, or where systemd does not run: %s --background",
                        RCC_FIREWALL_CONTROL_SOCKET, RCC_TABLE, RCC_FIREWALLD_PATH);
        if (r < 0)
                return log_errno(
                        r, "cannot connect to rcc-firewalld at %s: %m", RCC_FIREWALL_CONTROL_SOCKET);
        /* The policy meant, so that the service refuses if it serves another. */
        if (!realpath(arg_config, config))
                return log_errno(-errno, "cannot resolve the policy directory %s: %m", arg_config);
        if ((r = fwsvc_send(fd, request, "%s", config)) < 0)
                return log_errno(r, "cannot send '%s' to rcc-firewalld: %m", request);
        for (;;) {
                r = fwsvc_recv(fd, buf, sizeof buf, &text);
                if (r == 0)
                        return log_errno(
                                -ECONNRESET, "rcc-firewalld closed the connection before it answered");
                if (r < 0)
                        return log_errno(r, "reading rcc-firewalld's answer: %m");
                if (fwsvc_is(buf, "error"))
                        log_error("%s", text);
                else if (fwsvc_is(buf, "warning"))
                        log_warning("%s", text);
                else if (fwsvc_is(buf, "info"))
                        log_info("%s", text);
                else if (fwsvc_is(buf, "done"))
                        return done(text);
                else if (on_line && (r = on_line(buf, text, userdata)) < 0)
                        return log_errno(
                                r, "rcc-firewalld's answer has a line this rcc-firewall cannot read: %.64s",
                                buf);
        }
}

static int ask_service(const char *request) {
        return ask_service_with(request, NULL, NULL);
}

static int on_denial(const char *buf, const char *text, void *userdata) {
        return denials_report_add(userdata, buf, text);
}

static int verb_denials(void) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_(denials_report_done) DenialsReport report = {
                .config_dir = arg_config, .account = arg_account, .since = arg_since, .json = arg_json};
        int r;

        if ((r = compile(&p, &rs)) < 0)
                return r;
        if (arg_account && !policy_find_account(p, arg_account))
                return log_errno(-ENOENT, "--account '%s': the policy has no such account", arg_account);
        report.policy = p;
        if ((r = ask_service_with("denials", on_denial, &report)) < 0)
                return r;
        return denials_report_print(&report);
}

static int verb_apply(void) {
        return ask_service("apply");
}

static int verb_refresh(void) {
        return ask_service("refresh");
}

/* remove: through the service when it runs (it cuts the sessions' network first). When it does
 * not, the table is either gone or left unowned (the persist flag outlives its owner), and then
 * anyone with CAP_NET_ADMIN may delete it; with no service there is no session to cut, since
 * pam_rcc admits none and rcc-shell cuts its own after FWSVC_REJOIN_MS. */
static int verb_remove(void) {
        _cleanup_close_ int probe = -EBADF;
        RccDiag diag = {};
        bool existed = false;
        int r;

        r = fwsvc_connect(RCC_FIREWALL_CONTROL_SOCKET, &probe);
        if (r != -ENOENT && r != -ECONNREFUSED)
                return ask_service("remove");
        r = nft_remove(NULL, &existed, &diag);
        if (r < 0)
                return log_diag(r, &diag);
        log_info(
                "rcc-firewalld is not running; table inet %s %s", RCC_TABLE,
                existed ? "deleted" : "was not loaded");
        return 0;
}

/* Who holds the table: the service's state file against the kernel's owner. Whether the service
 * does (pam_rcc admits no session otherwise). */
static bool print_holder(const NftStatus *st) {
        FwsvcState svc = {};
        RccDiag diag = {};
        int r = fwsvc_state_read(RCC_FIREWALL_STATE, &svc, &diag);

        if (r == -ENOENT) {
                printf("  held by: nobody: rcc-firewalld is not running. Start it: systemctl start rcc-firewall, "
                       "or where systemd does not run: %s --background\n",
                       RCC_FIREWALLD_PATH);
                return false;
        }
        if (r < 0) {
                char buf[DIAG_STRLEN];
                printf("  held by: unknown: %s\n", diag_format(&diag, buf, sizeof buf));
                return false;
        }
        if (kill(svc.pid, 0) < 0 && errno == ESRCH) {
                printf("  held by: nobody: rcc-firewalld (pid %d) is gone. Start it again\n", (int)svc.pid);
                return false;
        }
        if (svc.portid == 0)
                printf("  held by: rcc-firewalld (pid %d) without an owner: %s\n", (int)svc.pid, svc.how);
        else if (st->table.owner == svc.portid)
                printf("  held by: rcc-firewalld (pid %d), flags %s\n", (int)svc.pid, svc.how);
        else {
                printf("  held by: NOT rcc-firewalld: the table's owner is netlink port %u, the service's %u\n",
                       st->table.owner, svc.portid);
                return false;
        }
        return true;
}

static int verb_status(void) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        NftStatus st = {};
        RccDiag diag = {};
        int r;

        if ((r = nft_status(&st, &diag)) < 0)
                return log_diag(r, &diag);
        int rc = compile(&p, &rs);
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
                       st.table.comment);
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
                       RCC_TABLE, st.table.comment, rs->digest);

        bool held = st.loaded && print_holder(&st);
        for (size_t i = 0; i < st.n_counters; i++) {
                const NftCounter *c = &st.counters[i];
                const char *uid_text = strchr(c->name, '_');
                const Account *a =
                        p && uid_text ? policy_find_account_by_uid(p, (uid_t)strtoul(uid_text + 1, NULL, 10))
                                      : NULL;
                printf("  %-24s %" PRIu64 " packets denied (%s)\n", a ? a->name : c->name, c->packets,
                       c->name);
        }
        bool ok = current && intact && held;
        nft_status_done(&st);
        return ok ? 0 : -ESTALE;
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
                {"denials", verb_denials, false},
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
                if ((arg_account || arg_since || arg_json) && strcmp(verb, "denials") != 0) {
                        log_error("--account, --since and --json only work with denials");
                        return EXIT_USAGE;
                }
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
