/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam_rcc through a real PAM stack: libpam (redirected to this test's service files by
 * pam_wrapper) loads the built module, and every allow and refusal path runs as it would in sshd
 * or sudo. No root needed: the test re-executes itself in a user, mount and network namespace of
 * its own, where it is uid 0 and may load a real nftables table, with a private /run for the
 * session records and nss_wrapper's user database:
 *
 *   alice    uid 0  the human (the real uid of the process calling PAM, as sudo's caller is)
 *   rccacct  2000   a sandbox account of the policy (login shell: rcc-shell)
 *   rccstray 2001   login shell rcc-shell, but not in the policy
 *   bob      1001   an ordinary user
 *
 * Each stack line is "[success=done ignore=ignore default=die] pam_rcc.so" followed by pam_debug
 * returning PAM_AUTHINFO_UNAVAIL, so the result tells the module's verdict apart: PAM_SUCCESS
 * (allowed), PAM_AUTHINFO_UNAVAIL (ignored), the module's own error (refused).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <security/pam_appl.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "args.h"
#include "config.h"
#include "firewall-service.h"
#include "nft-apply.h"
#include "nft-query.h"
#include "policy.h"
#include "ruleset.h"
#include "session-record.h"

#define ED25519_ALICE "AAAAC3NzaC1lZDI1NTE5AAAAIISvjqNyZElBUexuhAt1S5ctd3NNV7+3Q98dovS4xCzu"
#define ED25519_CAROL "AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
#define ED25519_NOBODY "AAAAC3NzaC1lZDI1NTE5AAAAIAEBAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"

extern char **environ;

static char T[PATH_MAX];    /* the test's directory: policy, projects, PAM services, user database */
static char messages[8192]; /* what the module said to the human, one line each */

/* ---------------------------------------------------------------- files */

_printf_(2, 3) static void write_file(const char *rel, const char *fmt, ...) {
        char path[PATH_MAX * 2];
        va_list ap;

        snprintf(path, sizeof path, "%s/%s", T, rel);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        assert_int_equal(fclose(f), 0);
}

static void make_dir(const char *rel) {
        char path[PATH_MAX * 2];

        snprintf(path, sizeof path, "%s/%s", T, rel);
        assert_int_equal(mkdir(path, 0755), 0);
}

static void write_policy(const char *extra_defaults) {
        write_file(
                "rcc/rcc.yaml",
                "version: 1\n"
                "network:\n  mode: public\n  resolvers: [192.0.2.53]\n%s"
                "container:\n  image: localhost/rcc-test:latest\n"
                "users:\n"
                "  alice: { projects: [\"%s/proj/*\"] }\n"
                "  carol: { projects: [\"%s/proj/*\"] }\n",
                extra_defaults, T, T);
}

static void write_service(const char *name, const char *args) {
        const char *module = getenv("RCC_TEST_PAM_MODULE"), *debug = getenv("RCC_TEST_PAM_DEBUG_MODULE");

        write_file(
                name,
                "account [success=done ignore=ignore default=die] %s %s\n"
                "account required %s acct=authinfo_unavail\n"
                "session [success=done ignore=ignore default=die] %s %s\n"
                "session required %s open_session=authinfo_unavail close_session=success\n",
                module, args, debug, module, args, debug);
}

/* ---------------------------------------------------------------- the sandbox */

static void write_proc(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
                fprintf(stderr, "test-pam: writing %s: %m\n", path);
                exit(1);
        }
        close(fd);
}

/* Set up the directory, enter the namespaces and re-execute with the wrappers preloaded. */
static int enter_sandbox(char **argv) {
        const char *module = getenv("RCC_TEST_PAM_MODULE"), *pw = getenv("RCC_TEST_PAM_WRAPPER"),
                   *nw = getenv("RCC_TEST_NSS_WRAPPER"), *debug = getenv("RCC_TEST_PAM_DEBUG_MODULE");
        char tmpl[] = "/tmp/test-pam-XXXXXX", map[64], env[6][PATH_MAX + 64];
        uid_t uid = getuid();
        gid_t gid = getgid();

        if (!module || !pw || !nw || !debug) {
                fprintf(stderr, "test-pam: run through meson test (RCC_TEST_PAM_* not set)\n");
                return 1;
        }
        if (access(pw, R_OK) < 0 || access(nw, R_OK) < 0 || access(debug, R_OK) < 0) {
                fprintf(stderr,
                        "test-pam: SKIP: needs %s, %s and %s (Debian: libpam-wrapper, libnss-wrapper, libpam-modules)\n",
                        pw, nw, debug);
                return 77;
        }
        if (!mkdtemp(tmpl) || !realpath(tmpl, T)) {
                fprintf(stderr, "test-pam: mkdtemp: %m\n");
                return 1;
        }
        snprintf(messages, sizeof messages, "%s/passwd", T);
        FILE *f = fopen(messages, "we");
        if (!f)
                return 1;
        fprintf(f,
                "alice:x:0:0:test human:%s:/bin/sh\n"
                "rccacct:x:2000:0:sandbox account:/nonexistent:%s\n"
                "rccstray:x:2001:0:not in the policy:/nonexistent:%s\n"
                "bob:x:1001:0:ordinary user:%s:/bin/sh\n",
                T, RCC_SHELL_PATH, RCC_SHELL_PATH, T);
        fclose(f);
        snprintf(messages, sizeof messages, "%s/group", T);
        f = fopen(messages, "we");
        if (!f)
                return 1;
        fprintf(f, "root:x:0:\n");
        fclose(f);
        messages[0] = '\0';
        /* pam_wrapper reads the service files when it is loaded. */
        char args[PATH_MAX + 16];
        make_dir("pam.d");
        snprintf(args, sizeof args, "config=%s/rcc", T);
        write_service("pam.d/rcc-test", args);
        write_service("pam.d/rcc-test-badargs", "config=relative/rcc debug bogus=1");
        write_file("pam.d/other", "account required %s acct=perm_denied\n", debug);

        if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) < 0) {
                fprintf(stderr, "test-pam: SKIP: cannot create user, mount and network namespaces (%m); "
                                "unprivileged user namespaces are needed\n");
                return 77;
        }
        write_proc("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        write_proc("/proc/self/uid_map", map);
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        write_proc("/proc/self/gid_map", map);
        if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
                fprintf(stderr, "test-pam: a private /run: %m\n");
                return 1;
        }

        snprintf(env[0], sizeof env[0], "LD_PRELOAD=%s:%s", pw, nw);
        snprintf(env[1], sizeof env[1], "PAM_WRAPPER_SERVICE_DIR=%s/pam.d", T);
        snprintf(env[2], sizeof env[2], "NSS_WRAPPER_PASSWD=%s/passwd", T);
        snprintf(env[3], sizeof env[3], "NSS_WRAPPER_GROUP=%s/group", T);
        snprintf(env[4], sizeof env[4], "RCC_TEST_PAM_DIR=%s", T);
        /* The wrappers are preloaded ahead of the sanitizer runtime, and pam_wrapper's deep binding
         * hides the module's allocations from it. */
        snprintf(
                env[5], sizeof env[5], "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1%s%s",
                getenv("ASAN_OPTIONS") ? ":" : "", getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "");
        for (size_t i = 0; i < 6; i++)
                putenv(env[i]);
        putenv("PAM_WRAPPER=1");
        /* pam_wrapper 1.1.4 reads its switch under uid_wrapper's name. */
        putenv("PAM_WRAPPER_DISABLE_DEEPBIND=1");
        putenv("UID_WRAPPER_DISABLE_DEEPBIND=1");
        putenv("NSS_WRAPPER_DISABLE_DEEPBIND=1");
        /* Not execv("/proc/self/exe"): under valgrind that is valgrind itself. */
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
                return 1;
        self[n] = '\0';
        execv(self, argv);
        fprintf(stderr, "test-pam: re-executing: %m\n");
        return 1;
}

static int remove_one(
        const char *path, const struct stat *st _unused_, int flag _unused_, struct FTW *ftw _unused_) {
        return remove(path);
}

/* ---------------------------------------------------------------- PAM */

static int conversation(
        int n, const struct pam_message **msg, struct pam_response **resp, void *data _unused_) {
        for (int i = 0; i < n; i++) {
                size_t len = strlen(messages);
                snprintf(messages + len, sizeof messages - len, "%s\n", msg[i]->msg);
        }
        *resp = NULL;
        return PAM_SUCCESS;
}

typedef struct Request {
        const char *service; /* default "rcc-test" */
        const char *user;
        const char *ruser;
        const char *ssh_auth_info;         /* SSH_AUTH_INFO_0 in the account phase */
        const char *ssh_auth_info_session; /* and in the session phase, if it changes (as in sshd) */
        const char *cwd;                   /* relative to T; default "proj/p1" */
} Request;

typedef struct Outcome {
        int account, open, close;
        char token[SESSION_TOKEN_LEN + 1];
        char record[SESSION_RECORD_MAX + 1];
        struct stat record_st;
        bool record_gone_after_close;
} Outcome;

static void read_record(const char *token, Outcome *o) {
        char path[PATH_MAX];
        int fd;
        ssize_t n;

        snprintf(path, sizeof path, "%s/%s", RCC_SESSION_DIR, token);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &o->record_st), 0);
        n = read(fd, o->record, sizeof o->record - 1);
        assert_true(n > 0);
        o->record[n] = '\0';
        close(fd);
}

/* account, then (if allowed) open_session and close_session, as sshd and sudo call them. */
static void run(const Request *req, Outcome *o) {
        struct pam_conv conv = {conversation, NULL};
        pam_handle_t *pamh = NULL;
        char cwd[PATH_MAX * 2];

        memset(o, 0, sizeof *o);
        o->open = o->close = -1;
        messages[0] = '\0';
        snprintf(cwd, sizeof cwd, "%s/%s", T, req->cwd ? req->cwd : "proj/p1");
        assert_int_equal(chdir(cwd), 0);
        assert_int_equal(
                pam_start(req->service ? req->service : "rcc-test", req->user, &conv, &pamh), PAM_SUCCESS);
        if (req->ruser)
                assert_int_equal(pam_set_item(pamh, PAM_RUSER, req->ruser), PAM_SUCCESS);
        if (req->ssh_auth_info) {
                char env[1024];
                snprintf(env, sizeof env, "SSH_AUTH_INFO_0=%s", req->ssh_auth_info);
                assert_int_equal(pam_putenv(pamh, env), PAM_SUCCESS);
        }
        o->account = pam_acct_mgmt(pamh, 0);
        if (o->account == PAM_SUCCESS) {
                if (req->ssh_auth_info_session) {
                        char env[1024];
                        snprintf(env, sizeof env, "SSH_AUTH_INFO_0=%s", req->ssh_auth_info_session);
                        assert_int_equal(pam_putenv(pamh, env), PAM_SUCCESS);
                }
                o->open = pam_open_session(pamh, 0);
                const char *token = pam_getenv(pamh, RCC_SESSION_ENV);
                if (o->open == PAM_SUCCESS && token) {
                        snprintf(o->token, sizeof o->token, "%s", token);
                        read_record(token, o);
                }
                if (o->open == PAM_SUCCESS) {
                        char path[PATH_MAX];
                        o->close = pam_close_session(pamh, 0);
                        snprintf(path, sizeof path, "%s/%s", RCC_SESSION_DIR, o->token);
                        o->record_gone_after_close = access(path, F_OK) < 0 && errno == ENOENT;
                }
        }
        assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
        assert_int_equal(chdir("/"), 0);
}

static void assert_refused_in(const Outcome *o, const char *phrase, bool session_phase) {
        if (session_phase) {
                assert_int_equal(o->account, PAM_SUCCESS);
                assert_int_equal(o->open, PAM_PERM_DENIED); /* not PAM_SESSION_ERR: sudo ignores that */
                assert_string_equal(o->token, "");          /* no record */
        } else
                assert_int_equal(o->account, PAM_PERM_DENIED);
        if (!strstr(messages, phrase)) {
                fprintf(stderr, "expected '%s' in the message, got: %s\n", phrase, messages);
                fail();
        }
        /* One line, naming the account. */
        assert_non_null(strstr(messages, "rcc: session of 'rccacct' refused: "));
        assert_ptr_equal(strchr(messages, '\n'), messages + strlen(messages) - 1);
}

static void assert_refused(const Outcome *o, const char *phrase) {
        assert_refused_in(o, phrase, false);
}

/* ---------------------------------------------------------------- the firewall in this namespace */

/* The firewall as rcc-firewalld holds it: applied with the owner flag through a socket this test
 * keeps open (holder), and the service's state file naming that socket. */
static struct mnl_socket *holder;

static uint32_t portid_of(struct mnl_socket *nl) {
        struct sockaddr_nl sa;
        socklen_t len = sizeof sa;

        assert_int_equal(getsockname(mnl_socket_get_fd(nl), (struct sockaddr *)&sa, &len), 0);
        return sa.nl_pid;
}

static void write_state(uint32_t portid) {
        char text[256];

        mkdir(RCC_RUN_DIR, 0755);
        assert_int_equal(
                fwsvc_state_format(
                        &(FwsvcState){.pid = getpid(), .portid = portid, .how = "owner"}, text, sizeof text),
                0);
        FILE *f = fopen(RCC_FIREWALL_STATE, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static void firewall(bool loaded) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        RccDiag diag = {};
        char dir[PATH_MAX + 8];
        bool existed;

        if (!holder)
                assert_int_equal(nft_socket_open(&holder, &diag), 0);
        if (!loaded) {
                assert_int_equal(nft_remove(holder, &existed, &diag), 0);
                return;
        }
        snprintf(dir, sizeof dir, "%s/rcc", T);
        if (policy_load(dir, &(PolicyOptions){0}, &p, &diag) < 0 ||
            ruleset_compile(p, NULL, &rs, &diag) < 0 ||
            nft_apply(holder, rs, NFT_TABLE_F_OWNER, &diag) < 0) {
                char buf[DIAG_STRLEN];
                fprintf(stderr, "firewall: %s\n", diag_format(&diag, buf, sizeof buf));
                fail();
        }
        write_state(portid_of(holder));
}

static int setup_all(void **state _unused_) {
        snprintf(T, sizeof T, "%s", getenv("RCC_TEST_PAM_DIR"));
        make_dir("rcc");
        make_dir("rcc/accounts.d");
        make_dir("rcc/keys");
        make_dir("proj");
        make_dir("proj/p1");
        make_dir("proj/p1/sub");
        make_dir("outside");
        char link[PATH_MAX * 2], target[PATH_MAX * 2];
        snprintf(link, sizeof link, "%s/proj/p1/link-out", T);
        snprintf(target, sizeof target, "%s/outside", T);
        assert_int_equal(symlink(target, link), 0);
        write_policy("");
        write_file("rcc/accounts.d/rccacct.yaml", "version: 1\n");
        write_file(
                "rcc/keys/rccacct", "restrict,pty ssh-ed25519 " ED25519_ALICE " rcc-invoker=alice\n"
                                    "restrict,pty ssh-ed25519 " ED25519_CAROL " rcc-invoker=carol\n");
        firewall(true);
        return 0;
}

static int teardown_all(void **state _unused_) {
        return nftw(T, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---------------------------------------------------------------- tests */

static void ordinary_user_is_ignored(void **state _unused_) {
        Outcome o;

        run(&(Request){.user = "bob"}, &o);
        assert_int_equal(o.account, PAM_AUTHINFO_UNAVAIL);
        assert_null(strstr(messages, "rcc"));
        run(&(Request){.user = "nosuchuser"}, &o);
        assert_int_equal(o.account, PAM_AUTHINFO_UNAVAIL);
        assert_null(strstr(messages, "rcc"));
}

static void sudo_from_the_project_is_let_in(void **state _unused_) {
        char want[PATH_MAX * 2];
        Outcome o;

        run(&(Request){.user = "rccacct", .ruser = "alice", .cwd = "proj/p1/sub"}, &o);
        assert_int_equal(o.account, PAM_SUCCESS);
        assert_int_equal(o.open, PAM_SUCCESS);
        assert_string_equal(messages, "");
        assert_true(session_token_valid(o.token));
        snprintf(
                want, sizeof want,
                "version=1\naccount=rccacct\nuid=2000\ninvoker=alice\nvia=sudo\nproject=%s/proj/p1/sub\n",
                T);
        assert_string_equal(o.record, want);
        assert_int_equal(o.record_st.st_uid, 0);
        assert_int_equal(o.record_st.st_mode & 07777, 0640);
        /* The directory can be searched, not listed. */
        struct stat st;
        assert_int_equal(stat(RCC_SESSION_DIR, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0711);
        assert_int_equal(o.close, PAM_SUCCESS);
        assert_true(o.record_gone_after_close);
}

static void ssh_key_names_the_human(void **state _unused_) {
        char want[PATH_MAX * 2];
        Outcome o;

        run(
                &(Request){
                        .user = "rccacct",
                        .ssh_auth_info = "publickey ssh-ed25519 " ED25519_ALICE "\n",
                        .cwd = "outside"},
                &o);
        assert_int_equal(o.account, PAM_SUCCESS);
        assert_int_equal(o.open, PAM_SUCCESS);
        /* alice's only grant is a pattern: no default project, rcc-shell takes RCC_PROJECT. */
        snprintf(
                want, sizeof want,
                "version=1\naccount=rccacct\nuid=2000\ninvoker=alice\nvia=ssh\nproject=\n");
        assert_string_equal(o.record, want);
        assert_true(o.record_gone_after_close);
}

static void ssh_unknown_key_is_refused(void **state _unused_) {
        Outcome o;

        run(&(Request){.user = "rccacct", .ssh_auth_info = "publickey ssh-ed25519 " ED25519_NOBODY "\n"},
            &o);
        assert_refused(&o, "belongs to no human");
        run(&(Request){.user = "rccacct", .ssh_auth_info = "password\n"}, &o);
        assert_refused(&o, "did not use a public key");
}

/* sshd (OpenSSH 9) sets SSH_AUTH_INFO_0 only after its account check: empty there, filled in for
 * the session. The account phase checks policy and firewall, the session phase the human. */
static void ssh_human_is_checked_when_sshd_knows_the_key(void **state _unused_) {
        Outcome o;

        run(
                &(Request){
                        .user = "rccacct",
                        .ssh_auth_info = "",
                        .ssh_auth_info_session = "publickey ssh-ed25519 " ED25519_ALICE "\n"},
                &o);
        assert_int_equal(o.account, PAM_SUCCESS);
        assert_int_equal(o.open, PAM_SUCCESS);
        assert_non_null(strstr(o.record, "invoker=alice\nvia=ssh\n"));
        run(&(Request){.user = "rccacct", .ssh_auth_info = ""}, &o);
        assert_refused_in(&o, "did not use a public key", true);
        run(
                &(Request){
                        .user = "rccacct",
                        .ssh_auth_info = "",
                        .ssh_auth_info_session = "publickey ssh-ed25519 " ED25519_NOBODY "\n"},
                &o);
        assert_refused_in(&o, "belongs to no human", true);
        /* The firewall is still checked before the key is known. */
        firewall(false);
        run(&(Request){.user = "rccacct", .ssh_auth_info = ""}, &o);
        firewall(true);
        assert_refused(&o, "not loaded");
}

/* Between the phases, something rewrote the PAM environment (pam_env user_readenv): refused. */
static void human_changing_between_phases_is_refused(void **state _unused_) {
        Outcome o;

        run(
                &(Request){
                        .user = "rccacct",
                        .ssh_auth_info = "publickey ssh-ed25519 " ED25519_ALICE "\n",
                        .ssh_auth_info_session = "publickey ssh-ed25519 " ED25519_CAROL "\n"},
                &o);
        assert_refused_in(&o, "changed after the account check (now 'carol')", true);
}

static void human_not_among_users_is_refused(void **state _unused_) {
        Outcome o;

        write_file("rcc/keys/rccacct", "restrict,pty ssh-ed25519 " ED25519_CAROL " rcc-invoker=dave\n");
        run(&(Request){.user = "rccacct", .ssh_auth_info = "publickey ssh-ed25519 " ED25519_CAROL "\n"}, &o);
        write_file(
                "rcc/keys/rccacct", "restrict,pty ssh-ed25519 " ED25519_ALICE " rcc-invoker=alice\n"
                                    "restrict,pty ssh-ed25519 " ED25519_CAROL " rcc-invoker=carol\n");
        assert_refused(&o, "'dave' may not use this account");
}

static void ruser_disagreeing_with_real_uid_is_refused(void **state _unused_) {
        Outcome o;

        run(&(Request){.user = "rccacct", .ruser = "carol"}, &o);
        assert_refused(&o, "PAM_RUSER says 'carol'");
}

static void project_outside_grants_is_refused(void **state _unused_) {
        Outcome o;

        run(&(Request){.user = "rccacct", .ruser = "alice", .cwd = "outside"}, &o);
        assert_refused(&o, "outside");
        run(&(Request){.user = "rccacct", .ruser = "alice", .cwd = "proj/p1/link-out"}, &o);
        assert_refused(&o, "outside");
        run(&(Request){.user = "rccacct", .ruser = "alice", .cwd = "proj/p1/sub/../../../outside"}, &o);
        assert_refused(&o, "outside");
}

static void firewall_not_loaded_is_refused(void **state _unused_) {
        Outcome o;

        firewall(false);
        run(&(Request){.user = "rccacct", .ruser = "alice"}, &o);
        firewall(true);
        assert_refused(&o, "the firewall table inet rcc is not loaded");
        run(&(Request){.user = "rccacct", .ruser = "alice"}, &o);
        assert_int_equal(o.account, PAM_SUCCESS);
}

/* The table is right, but rcc-firewalld does not hold it: nothing would keep a session confined
 * if it were lost, so no session starts. */
static void firewall_not_held_by_the_service_is_refused(void **state _unused_) {
        _cleanup_(nft_socket_closep) struct mnl_socket *other = NULL;
        RccDiag diag = {};
        Outcome o;

        assert_int_equal(unlink(RCC_FIREWALL_STATE), 0);
        run(&(Request){.user = "rccacct", .ssh_auth_info = "publickey ssh-ed25519 " ED25519_ALICE "\n"}, &o);
        assert_refused(&o, "not held by rcc-firewalld (rcc-firewalld is not running");
        /* A state file naming another socket than the table's owner. */
        assert_int_equal(nft_socket_open(&other, &diag), 0);
        write_state(portid_of(other));
        run(&(Request){.user = "rccacct", .ssh_auth_info = "publickey ssh-ed25519 " ED25519_ALICE "\n"}, &o);
        assert_refused(&o, "not held by rcc-firewalld (the table's owner is netlink port");
        /* A service that is gone. */
        write_state(portid_of(holder));
        run(&(Request){.user = "rccacct", .ssh_auth_info = "publickey ssh-ed25519 " ED25519_ALICE "\n"}, &o);
        assert_int_equal(o.account, PAM_SUCCESS);
        char text[256];
        assert_int_equal(
                fwsvc_state_format(
                        &(FwsvcState){.pid = INT32_MAX - 1, .portid = portid_of(holder), .how = "owner"},
                        text, sizeof text),
                0);
        FILE *f = fopen(RCC_FIREWALL_STATE, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
        run(&(Request){.user = "rccacct", .ssh_auth_info = "publickey ssh-ed25519 " ED25519_ALICE "\n"}, &o);
        assert_refused(&o, "is gone");
        firewall(true);
}

static void policy_edited_not_applied_is_refused(void **state _unused_) {
        Outcome o;

        write_policy("  allow:\n    - cidr: 10.1.2.3/32\n");
        run(&(Request){.user = "rccacct", .ruser = "alice"}, &o);
        write_policy("");
        assert_refused(&o, "is not current");
        run(&(Request){.user = "rccacct", .ruser = "alice"}, &o);
        assert_int_equal(o.account, PAM_SUCCESS);
}

static void broken_policy_is_refused_for_sandbox_accounts_only(void **state _unused_) {
        Outcome o;

        write_file("rcc/rcc.yaml", "version: 1\nnetwork: [\n");
        run(&(Request){.user = "rccacct", .ruser = "alice"}, &o);
        assert_refused(&o, "the policy does not load");
        assert_non_null(strstr(messages, "rcc.yaml:"));
        run(&(Request){.user = "bob"}, &o);
        write_policy("");
        assert_int_equal(o.account, PAM_AUTHINFO_UNAVAIL);
}

static void stray_account_is_refused(void **state _unused_) {
        Outcome o;

        run(&(Request){.user = "rccstray", .ruser = "alice"}, &o);
        assert_int_equal(o.account, PAM_PERM_DENIED);
        assert_non_null(strstr(messages, "does not name it as a sandbox account"));
}

static void bad_arguments_never_loosen_the_gate(void **state _unused_) {
        Outcome o;

        /* config=relative is ignored: the compiled-in directory is used, which this test never
         * created, so the sandbox account is refused; bob is still not the module's business. */
        run(&(Request){.service = "rcc-test-badargs", .user = "rccacct", .ruser = "alice"}, &o);
        assert_int_equal(o.account, PAM_PERM_DENIED);
        assert_non_null(strstr(messages, RCC_CONFIG_DIR));
        run(&(Request){.service = "rcc-test-badargs", .user = "bob"}, &o);
        assert_int_equal(o.account, PAM_AUTHINFO_UNAVAIL);
}

/* pam_args_parse() directly: what is taken and what is reported. */
typedef struct Warned {
        int n;
        char last[256];
} Warned;

static void note_warning(void *userdata, const char *arg, const char *why _unused_) {
        Warned *w = userdata;
        w->n++;
        snprintf(w->last, sizeof w->last, "%s", arg);
}

static void argument_parsing(void **state _unused_) {
        const char *good[] = {"config=/etc/rcc-test", "debug"};
        const char *bad[] = {
                "config=rel", "config=/a/../b", "config=/a//b", "config=/a/", "config=/a/.", "nodebug", "",
                NULL};
        PamArgs args;
        Warned w = {};

        pam_args_parse(2, good, &args, note_warning, &w);
        assert_string_equal(args.config_dir, "/etc/rcc-test");
        assert_true(args.debug);
        assert_int_equal(w.n, 0);
        pam_args_parse((int)ELEMENTSOF(bad), bad, &args, note_warning, &w);
        assert_string_equal(args.config_dir, RCC_CONFIG_DIR);
        assert_false(args.debug);
        assert_int_equal(w.n, 7); /* the NULL is skipped */
        pam_args_parse(0, NULL, &args, note_warning, &w);
        assert_string_equal(args.config_dir, RCC_CONFIG_DIR);
}

int main(int argc _unused_, char **argv) {
        if (!getenv("RCC_TEST_PAM_DIR"))
                return enter_sandbox(argv);

        const struct CMUnitTest tests[] = {
                cmocka_unit_test(argument_parsing),
                cmocka_unit_test(ordinary_user_is_ignored),
                cmocka_unit_test(sudo_from_the_project_is_let_in),
                cmocka_unit_test(ssh_key_names_the_human),
                cmocka_unit_test(ssh_unknown_key_is_refused),
                cmocka_unit_test(ssh_human_is_checked_when_sshd_knows_the_key),
                cmocka_unit_test(human_changing_between_phases_is_refused),
                cmocka_unit_test(human_not_among_users_is_refused),
                cmocka_unit_test(ruser_disagreeing_with_real_uid_is_refused),
                cmocka_unit_test(project_outside_grants_is_refused),
                cmocka_unit_test(firewall_not_loaded_is_refused),
                cmocka_unit_test(firewall_not_held_by_the_service_is_refused),
                cmocka_unit_test(policy_edited_not_applied_is_refused),
                cmocka_unit_test(broken_policy_is_refused_for_sandbox_accounts_only),
                cmocka_unit_test(stray_account_is_refused),
                cmocka_unit_test(bad_arguments_never_loosen_the_gate),
        };
        return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
