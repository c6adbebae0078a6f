/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "firewall-check.h"
#include "gate.h"
#include "keys.h"
#include "policy.h"
#include "project.h"
#include "user.h"

_printf_(3, 4) static void refuse(GateResult *res, const char *reason, const char *fmt, ...) {
        char what[sizeof res->message - sizeof res->record.account - 40];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        res->verdict = GATE_REFUSE;
        res->reason = reason;
        snprintf(
                res->message, sizeof res->message, "rcc: session of '%s' refused: %s", res->record.account,
                what);
}

static void refuse_diag(GateResult *res, const char *reason, const char *context, const RccDiag *diag) {
        char buf[DIAG_STRLEN];

        refuse(res, reason, "%s%s", context, diag_format(diag, buf, sizeof buf));
}

static const char *firewall_reason(FirewallState st) {
        switch (st) {
        case FIREWALL_CURRENT:
                return NULL;
        case FIREWALL_NOT_LOADED:
                return "firewall-not-loaded";
        case FIREWALL_NOT_CURRENT:
                return "firewall-not-current";
        case FIREWALL_MODIFIED:
                return "firewall-modified";
        case FIREWALL_NO_SERVICE:
                return "firewall-no-service";
        case FIREWALL_NOT_HELD:
                return "firewall-not-held";
        }
        return "firewall";
}

/* 2. The firewall: loaded, current, unmodified, and held by rcc-firewalld for the session's life. */
static bool firewall_in_force(const Policy *p, GateResult *res) {
        FirewallState fw = FIREWALL_NOT_LOADED;
        RccDiag diag = {};
        char why[512];

        if (firewall_check(p, &fw, why, sizeof why, &diag) < 0) {
                refuse_diag(res, "firewall-unreadable", "cannot read the firewall table: ", &diag);
                return false;
        }
        switch (fw) {
        case FIREWALL_CURRENT:
                return true;
        case FIREWALL_NOT_LOADED:
                refuse(res, firewall_reason(fw),
                       "the firewall table inet rcc is not loaded, so the session's network would not be "
                       "confined; an admin runs: rcc-setup apply");
                return false;
        case FIREWALL_NOT_CURRENT:
                refuse(res, firewall_reason(fw),
                       "the firewall table inet rcc is not current: the policy was changed and not applied "
                       "(%s); an admin runs: rcc-setup apply",
                       why);
                return false;
        case FIREWALL_MODIFIED:
                refuse(res, firewall_reason(fw),
                       "the firewall table inet rcc was modified since it was applied (%s); an admin "
                       "runs: rcc-setup apply",
                       why);
                return false;
        case FIREWALL_NO_SERVICE:
        case FIREWALL_NOT_HELD:
                refuse(res, firewall_reason(fw),
                       "the firewall table inet rcc is not held by rcc-firewalld (%s), so nothing would keep "
                       "the session confined if the table were lost; an admin runs: systemctl restart "
                       "rcc-firewall",
                       why);
                return false;
        }
        refuse(res, "firewall", "the firewall is in an unknown state");
        return false;
}

/* 3. Who is asking. */
static bool identify(const GateRequest *req, const char *account, GateResult *res) {
        RccDiag diag = {};
        UserEntry caller;
        int r;

        if (req->ruid == 0 && req->ssh_auth_info) {
                char keys_path[PATH_MAX];
                SshKey key;

                if (req->account_phase && req->ssh_auth_info[0] == '\0') {
                        res->deferred = true;
                        return true;
                }
                r = ssh_auth_info_key(req->ssh_auth_info, &key, &diag);
                if (r == -ENOENT) {
                        refuse(res, "invoker-unknown",
                               "this login did not use a public key; sandbox accounts take only the keys an "
                               "admin added with `rcc-setup key add %s FILE --user HUMAN`",
                               account);
                        return false;
                }
                if (r < 0) {
                        refuse_diag(res, "invoker-unknown", "cannot read which key logged in: ", &diag);
                        return false;
                }
                if ((size_t)snprintf(keys_path, sizeof keys_path, "%s/keys/%s", req->config_dir, account) >=
                    sizeof keys_path) {
                        refuse(res, "internal", "the keys file path is too long");
                        return false;
                }
                r = keys_find_invoker(
                        keys_path, false, &key, res->record.invoker, sizeof res->record.invoker, &diag);
                if (r == -ENOENT) {
                        refuse(res, "invoker-unknown",
                               "the %s key that logged in belongs to no human in %s; an admin adds it with "
                               "`rcc-setup key add %s FILE --user HUMAN`",
                               key.type, keys_path, account);
                        return false;
                }
                if (r < 0) {
                        refuse_diag(res, "invoker-unknown", "", &diag);
                        return false;
                }
                res->record.via = SESSION_VIA_SSH;
                return true;
        }

        r = user_lookup(NULL, req->ruid, &caller);
        if (r < 0) {
                refuse(res, "invoker-unknown", "the caller's uid %u is not in the user database (%s)",
                       (unsigned)req->ruid, strerror(-r));
                return false;
        }
        if (req->ruser && req->ruser[0] && strcmp(req->ruser, caller.name) != 0) {
                refuse(res, "invoker-unknown",
                       "the caller is uid %u (%s), but PAM_RUSER says '%s'; refusing an inconsistent request",
                       (unsigned)req->ruid, caller.name, req->ruser);
                return false;
        }
        strcpy(res->record.invoker, caller.name);
        res->record.via = SESSION_VIA_SUDO;
        return true;
}

/* 5. Which project, and whether it is theirs. */
static bool check_project(const GateRequest *req, const Settings *s, GateResult *res) {
        char requested[PATH_MAX];
        RccDiag diag = {};
        Project project;

        if (res->record.via == SESSION_VIA_SSH) {
                /* The client's choice is not known yet; record the default when it resolves, and leave
                 * a missing or broken one to rcc-shell, which may be given another. */
                if (project_default(s, res->record.invoker, requested, sizeof requested, &diag) == 0 &&
                    project_resolve(s, res->record.invoker, requested, &project, &diag) == 0)
                        snprintf(res->record.project, sizeof res->record.project, "%s", project.root);
                return true;
        }
        if (!req->cwd) {
                refuse(res, "project", "cannot tell the working directory; cd into a granted project");
                return false;
        }
        if (project_resolve(s, res->record.invoker, req->cwd, &project, &diag) < 0) {
                refuse_diag(res, "project", "", &diag);
                return false;
        }
        /* The directories above it are the human's or root's alone, or rcc-shell would refuse the
         * session after sudo let it in: say so now. rcc-shell opens it again for the session. */
        _cleanup_close_ int fd = -EBADF;
        if (project_open(&project, req->ruid, &fd, &diag) < 0) {
                refuse_diag(res, "project", "", &diag);
                return false;
        }
        if ((size_t)snprintf(
                    res->record.project, sizeof res->record.project, "%s%s%s", project.root,
                    project.subdir[0] ? "/" : "", project.subdir) >= sizeof res->record.project) {
                refuse(res, "project", "the project path is too long");
                return false;
        }
        return true;
}

/* A refusal before step 3 still names the human in the audit trail when they can be told: the
 * same identification, its verdict ignored. */
static void note_invoker(const GateRequest *req, GateResult *res) {
        GateResult probe = *res;

        if (identify(req, res->record.account, &probe) && !probe.deferred) {
                memcpy(res->record.invoker, probe.record.invoker, sizeof res->record.invoker);
                res->record.via = probe.record.via;
        }
}

void gate_check(const GateRequest *req, GateResult *ret) {
        _cleanup_(policy_freep) Policy *p = NULL;
        GateResult res = {.verdict = GATE_IGNORE};
        RccDiag diag = {};
        UserEntry target;

        *ret = res;
        /* Not a sandbox account (or no such user, which the rest of the stack reports): not ours. */
        if (!req->user || user_lookup(req->user, 0, &target) < 0 ||
            strcmp(target.shell, RCC_SHELL_PATH) != 0)
                return;
        snprintf(res.record.account, sizeof res.record.account, "%s", target.name);
        res.record.uid = target.uid;
        res.gid = target.gid;

        /* 1. */
        if (policy_load(req->config_dir, &(PolicyOptions){0}, &p, &diag) < 0) {
                refuse_diag(
                        &res, "policy",
                        "the policy does not load, so nothing says what this session may do; an admin "
                        "fixes it (rcc-setup apply --dry-run shows the error) and runs rcc-setup apply: ",
                        &diag);
                goto done;
        }
        const Account *a = policy_find_account(p, target.name);
        if (!a || a->uid != target.uid) {
                refuse(&res, "policy",
                       "its login shell is rcc-shell, but the policy in %s does not name it as a sandbox "
                       "account; an admin runs rcc-setup account add, or rcc-setup doctor",
                       req->config_dir);
                goto done;
        }

        /* 2. */
        if (!firewall_in_force(p, &res))
                goto done;

        /* 3, 4, 5. */
        if (!identify(req, a->name, &res))
                goto done;
        if (res.deferred) {
                res.verdict = GATE_ALLOW;
                goto done;
        }
        if (!settings_find_user(&a->settings, res.record.invoker)) {
                refuse(&res, "invoker-not-allowed",
                       "'%s' may not use this account; an admin grants it under users.%s in %s",
                       res.record.invoker, res.record.invoker, a->file);
                goto done;
        }
        if (!check_project(req, &a->settings, &res))
                goto done;
        res.verdict = GATE_ALLOW;
done:
        if (res.verdict == GATE_REFUSE && !res.record.invoker[0])
                note_invoker(req, &res);
        *ret = res;
}
