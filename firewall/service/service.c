/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "firewall-service.h"
#include "load.h"
#include "log.h"
#include "net-helper.h"
#include "nft-query.h"
#include "record.h"
#include "service.h"

static long long now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void reply_line(const Reply *rep, int priority, const char *fmt, ...) {
        char text[FWSVC_MSG_MAX - 16];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        log_msg(priority, "%s", text);
        if (rep && rep->fd >= 0 && priority <= LOG_INFO)
                (void)fwsvc_send(
                        rep->fd,
                        priority <= LOG_ERR       ? "error"
                        : priority <= LOG_WARNING ? "warning"
                                                  : "info",
                        "%s", text);
}

int reply_diag(const Reply *rep, int r, const RccDiag *diag) {
        char text[DIAG_STRLEN];

        reply_line(rep, LOG_ERR, "%s", diag_format(diag, text, sizeof text));
        return r;
}

static void warn_unresolved(void *userdata, const char *name, const char *why) {
        reply_line(
                userdata, LOG_WARNING,
                "allowlisted name '%s' did not resolve (%s); it stays blocked until refresh resolves it",
                name, why);
}

static int load(Service *svc, const Reply *rep, bool resolve, Policy **ret_policy, Ruleset **ret_rs) {
        FirewallLoad l = {
                .config_dir = svc->config_dir,
                .resolve = resolve,
                .warn = warn_unresolved,
                .userdata = (void *)rep,
        };
        RccDiag diag = {};
        int r = firewall_load(&l, ret_policy, ret_rs, &diag);

        return r < 0 ? reply_diag(rep, r, &diag) : 0;
}

/* Hold, resume or cut every sandbox session's network helper; how many it reached. */
static int helpers(Service *svc, NetHelperAction action) {
        int n = net_helpers_signal(svc->holder.uids, svc->holder.n_uids, action);

        if (n < 0)
                log_errno(n, "cannot reach the sandbox sessions' network helpers through /proc: %m");
        svc->helpers_held = action == NET_HELPER_HOLD;
        return n;
}

static void resume_sessions(Service *svc, const char *fmt, ...) _printf_(2, 3);
static void resume_sessions(Service *svc, const char *fmt, ...) {
        char text[512];
        va_list ap;

        if (!svc->helpers_held)
                return;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        int n = helpers(svc, NET_HELPER_RESUME);
        sessions_tell(&svc->sessions, "resume", "%s", text);
        service_record(RECORD_RESUMED, "%s; %d network helper(s) of sandbox sessions resumed", text, n);
}

/* The table is whole: record it for pam_rcc, let held sessions go on. */
static int now_held(Service *svc, Policy **p, Ruleset **rs) {
        int r;

        ruleset_free(svc->applied);
        svc->applied = TAKE_PTR(*rs);
        policy_free(svc->policy);
        svc->policy = TAKE_PTR(*p);
        svc->sessions.policy = svc->policy;
        r = holder_publish(&svc->holder);
        if (r < 0)
                log_errno(r, "cannot write %s: %m; pam_rcc will refuse sessions", RCC_FIREWALL_STATE);
        resume_sessions(svc, "table inet " RCC_TABLE " is whole again");
        return 0;
}

int service_apply(Service *svc, const Reply *rep) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        RccDiag diag = {};
        char why[512];
        bool whole = false;
        int r;

        if ((r = load(svc, rep, true, &p, &rs)) < 0)
                return r;
        if (svc->holder.held && (r = holder_check(&svc->holder, rs, &whole, why, sizeof why, &diag)) < 0)
                return reply_diag(rep, r, &diag);
        if (whole) {
                /* Same ruleset: keep the table (and its counters), renew the names only. */
                if ((r = holder_refresh(&svc->holder, rs, &diag)) < 0)
                        return reply_diag(rep, r, &diag);
                reply_line(
                        rep, LOG_INFO,
                        "table inet %s is already current (sha256:%s); refreshed resolved names", RCC_TABLE,
                        rs->digest);
                return now_held(svc, &p, &rs);
        }
        if (svc->holder.held)
                reply_line(rep, LOG_INFO, "replacing table inet %s: %s", RCC_TABLE, why);
        if ((r = holder_apply(&svc->holder, rs, p, &diag)) < 0) {
                reply_diag(rep, r, &diag);
                service_record(
                        RECORD_APPLY_FAILED,
                        "apply failed; the previous table inet %s, if any, is unchanged", RCC_TABLE);
                return r;
        }
        service_record(
                RECORD_APPLIED, "applied table inet %s for %zu account%s from %s (sha256:%s), held: %s",
                RCC_TABLE, rs->n_accounts, rs->n_accounts == 1 ? "" : "s", svc->config_dir, rs->digest,
                svc->holder.how);
        reply_line(
                rep, LOG_INFO, "applied table inet %s (sha256:%s), held: %s", RCC_TABLE, rs->digest,
                svc->holder.how);
        return now_held(svc, &p, &rs);
}

int service_refresh(Service *svc, const Reply *rep) {
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        RccDiag diag = {};
        int r;

        if (!svc->holder.held) {
                reply_line(
                        rep, LOG_ERR, "table inet %s is not loaded; run 'rcc-firewall apply' first",
                        RCC_TABLE);
                return -ENOENT;
        }
        if ((r = load(svc, rep, true, NULL, &rs)) < 0)
                return r;
        if ((r = holder_refresh(&svc->holder, rs, &diag)) < 0)
                return reply_diag(rep, r, &diag);
        ruleset_free(svc->applied);
        svc->applied = TAKE_PTR(rs);
        reply_line(rep, LOG_INFO, "refreshed resolvers and allowlisted names in table inet %s", RCC_TABLE);
        return 0;
}

int service_remove(Service *svc, const Reply *rep) {
        RccDiag diag = {};
        bool existed = false;
        int n, r;

        /* First the sessions, then the table: no moment in which a session has a network the table
         * no longer confines. */
        n = helpers(svc, NET_HELPER_CUT);
        sessions_tell(
                &svc->sessions, "cut",
                "an admin removed the firewall (rcc-firewall remove); this session has no network any more");
        r = holder_remove(&svc->holder, &existed, &diag);
        if (r < 0)
                return reply_diag(rep, r, &diag);
        (void)holder_publish(&svc->holder);
        service_record(
                RECORD_REMOVED, "removed table inet %s: %d network helper(s) of sandbox sessions cut first",
                RCC_TABLE, n);
        reply_line(
                rep, LOG_INFO, "removed table inet %s%s; %d sandbox session network helper(s) cut",
                RCC_TABLE, existed ? "" : " (it was not loaded)", n);
        return 0;
}

/* Put the table back exactly as it was held, without looking anything up: one transaction, which
 * the kernel applies whole or not at all. */
static int restore(Service *svc, char *why, size_t why_size) {
        RccDiag diag = {};
        int r;

        if (!svc->applied) {
                snprintf(why, why_size, "nothing was applied yet");
                return -ENOENT;
        }
        /* The uids to hold stay those of the table being restored. */
        r = holder_apply(&svc->holder, svc->applied, NULL, &diag);
        if (r < 0)
                diag_format(&diag, why, why_size);
        return r;
}

void service_incident(Service *svc, const char *what) {
        long long t0 = now_us();
        int held = helpers(svc, NET_HELPER_HOLD);
        long long t1 = now_us();
        char why[512] = "";
        int r;

        sessions_tell(
                &svc->sessions, "hold",
                "%s; this session's network is held while rcc-firewalld restores the firewall", what);
        service_record(
                RECORD_LOST,
                "%s: held %d network helper(s) of sandbox sessions %.1f ms after the notification", what,
                held, (double)(t1 - t0) / 1000);
        r = restore(svc, why, sizeof why);
        if (r < 0) {
                int cut = helpers(svc, NET_HELPER_CUT);
                svc->holder.held = false;
                (void)holder_publish(&svc->holder);
                sessions_tell(
                        &svc->sessions, "cut",
                        "%s and rcc-firewalld could not restore the firewall (%s); this session has no network "
                        "any more",
                        what, why);
                service_record(
                        RECORD_CUT, "could not restore table inet %s (%s): %d network helper(s) cut",
                        RCC_TABLE, why, cut);
                return;
        }
        resume_sessions(
                svc, "rcc-firewalld restored the firewall %.1f ms after it was lost",
                (double)(now_us() - t0) / 1000);
}

void service_stop(Service *svc, const char *why) {
        int n = helpers(svc, NET_HELPER_HOLD);

        sessions_tell(
                &svc->sessions, "hold",
                "%s; this session's network is held until rcc-firewalld is back (%d s at most)", why,
                FWSVC_REJOIN_MS / 1000);
        svc->holder.held = false;
        (void)holder_publish(&svc->holder);
        service_record(
                RECORD_STOPPED, "%s: %d network helper(s) of sandbox sessions held until a service is back",
                why, n);
}

int service_start(Service *svc) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        Reply log_only = {.fd = -EBADF};
        RccDiag diag = {};
        char why[512];
        bool whole = false;
        int r;

        /* A table systemd kept for us (our socket from the store) that is still exactly the policy's
         * is adopted as it is: no moment without it, no lookups before the sessions may go on. */
        if (svc->holder.from_store) {
                if ((r = load(svc, &log_only, false, &p, &rs)) < 0)
                        return r;
                svc->holder.held = true;
                r = holder_check(&svc->holder, rs, &whole, why, sizeof why, &diag);
                svc->holder.held = false;
                if (r < 0)
                        log_diag(r, &diag);
                if (whole) {
                        NftTableInfo info = {};
                        (void)nft_query_table(svc->holder.nl, &info, &diag);
                        svc->holder.table_flags = info.flags & NFT_TABLE_F_HOLD;
                        svc->holder.flags_known = true;
                        snprintf(
                                svc->holder.how, sizeof svc->holder.how, "%s",
                                info.flags & NFT_TABLE_F_PERSIST ? "owner,persist" : "owner");
                        svc->holder.held = true;
                        service_record(
                                RECORD_APPLIED, "took back table inet %s (sha256:%s) from systemd's store",
                                RCC_TABLE, rs->digest);
                        svc->helpers_held = true; /* an earlier service may have held them */
                        if (holder_set_accounts(&svc->holder, p) < 0)
                                return log_errno(-ENOMEM, "out of memory");
                        now_held(svc, &p, &rs);
                        (void)service_refresh(svc, &log_only); /* the names, now that sessions go on */
                        return 0;
                }
                log_info("the table systemd kept is not the policy's (%s); applying the policy", why);
        }
        /* Sessions an earlier service held when it stopped go on once the table is whole. */
        svc->helpers_held = true;
        r = service_apply(svc, &log_only);
        if (r < 0)
                svc->helpers_held = false;
        return r;
}

bool service_ready(const Service *svc, const char **ret_why) {
        if (!svc->holder.held) {
                *ret_why = "rcc-firewalld does not hold the firewall table (run: rcc-firewall apply)";
                return false;
        }
        if (svc->helpers_held) {
                *ret_why = "rcc-firewalld is restoring the firewall table; try again in a moment";
                return false;
        }
        return true;
}

int service_denials(Service *svc, const Reply *rep) {
        char line[256];

        if (!svc->denials.nl) {
                reply_line(
                        rep, LOG_WARNING,
                        "rcc-firewalld records no denials: it could not bind nflog group %u (see its log)",
                        RCC_NFLOG_GROUP);
                return -ENOTCONN;
        }
        (void)denials_read(&svc->denials);
        for (size_t i = 0; i < svc->denials.n; i++)
                if (denial_format(&svc->denials.entries[i], line, sizeof line) == 0 && rep->fd >= 0)
                        (void)fwsvc_send(rep->fd, "denial", "%s", line);
        if (rep->fd >= 0)
                (void)fwsvc_send(
                        rep->fd, "totals", "%" PRIu64 " %" PRIu64 " %zu", svc->denials.packets,
                        svc->denials.evicted, svc->denials.n);
        return 0;
}
