/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup doctor, the sandbox accounts and the ways into them: each account as a user (shell,
 * groups, subordinate ids, home, lingering, its image), sshd's effective configuration for it,
 * sudo's, pam_rcc in their PAM stacks, and the cron and at deny lists.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "config.h"
#include "doctor.h"
#include "fileio.h"
#include "files.h"
#include "image-seal.h"
#include "pam-stack.h"
#include "parse.h"
#include "paths.h"
#include "policy.h"
#include "run.h"
#include "sshd.h"
#include "storage.h"
#include "sudoers.h"

/* Whether text has line as a whole line. */
static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; *p;) {
                const char *end = strchrnul(p, '\n');
                if ((size_t)(end - p) == n && memcmp(p, line, n) == 0)
                        return true;
                p = *end ? end + 1 : end;
        }
        return false;
}

/* ---- each account ---- */

/* Groups that are as good as root, or read what the sandbox must not. */
static const char *const privileged_groups[] = {"root", "sudo",   "wheel", "admin",
                                                "adm",  "docker", "lxd",   "libvirt",
                                                "disk", "shadow", "kvm",   "systemd-journal"};

static void check_groups(Doctor *d, const struct passwd *pw) {
        gid_t groups[256];
        int n = ELEMENTSOF(groups);
        bool clean = true;
        char fix[600];

        if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0) {
                report(d, VERDICT_WARN, NULL, "%s: in more than %zu groups; not checked", pw->pw_name,
                       ELEMENTSOF(groups));
                return;
        }
        for (int i = 0; i < n; i++) {
                const struct group *g = getgrgid(groups[i]);
                for (size_t j = 0; g && j < ELEMENTSOF(privileged_groups); j++)
                        if (strcmp(g->gr_name, privileged_groups[j]) == 0) {
                                snprintf(fix, sizeof fix, "gpasswd -d %s %s", pw->pw_name, g->gr_name);
                                report(d, VERDICT_FAIL, fix,
                                       "%s is in group '%s', which grants what the sandbox must not have",
                                       pw->pw_name, g->gr_name);
                                clean = false;
                        }
        }
        if (clean)
                report(d, VERDICT_OK, NULL, "%s: in no privileged group", pw->pw_name);
}

static void check_subids(Doctor *d, const struct passwd *pw, const char *file, const char *text) {
        SubidReport s;
        char fix[600];

        if (!text) {
                report(d, VERDICT_FAIL, FIX_INSTALL, "%s: cannot read %s", pw->pw_name, file);
                return;
        }
        subid_examine(text, pw->pw_name, pw->pw_uid, &s);
        snprintf(
                fix, sizeof fix,
                "usermod --add-sub%cids N-M %s with a free range of 65536 (rcc-setup install does)",
                strstr(file, "subuid") ? 'u' : 'g', pw->pw_name);
        if (s.overlap)
                report(d, VERDICT_FAIL, fix,
                       "%s: its range in %s overlaps %s's from id %" PRIu64
                       ": their containers could touch each "
                       "other's files",
                       pw->pw_name, file, s.overlap_with, s.overlap_start);
        else if (s.total < 65536)
                report(d, VERDICT_FAIL, fix, "%s: %" PRIu64 " ids in %s; images need 65536", pw->pw_name,
                       s.total, file);
        else
                report(d, VERDICT_OK, NULL, "%s: %" PRIu64 " ids in %s (%u range%s), overlapping no one",
                       pw->pw_name, s.total, file, s.n_ranges, s.n_ranges == 1 ? "" : "s");
}

static void check_home(Doctor *d, const struct passwd *pw) {
        struct stat st;
        char fix[3 * PATH_MAX];

        if (stat(pw->pw_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                report(d, VERDICT_FAIL, FIX_INSTALL, "%s: home %s: %s", pw->pw_name, pw->pw_dir,
                       errno ? strerror(errno) : "not a directory");
                return;
        }
        snprintf(fix, sizeof fix, "chown %s: %s && chmod 0700 %s", pw->pw_name, pw->pw_dir, pw->pw_dir);
        if (st.st_uid != pw->pw_uid)
                report(d, VERDICT_FAIL, fix, "%s: home %s is owned by uid %u, not the account", pw->pw_name,
                       pw->pw_dir, (unsigned)st.st_uid);
        else if ((st.st_mode & 07777) != 0700)
                report(d, VERDICT_WARN, fix, "%s: home %s is %04o, not 0700", pw->pw_name, pw->pw_dir,
                       (unsigned)(st.st_mode & 07777));
        else
                report(d, VERDICT_OK, NULL, "%s: home %s, its own, 0700", pw->pw_name, pw->pw_dir);
}

/* The account's storage file system (storage.h): mounted, its size (the session's disk bound), how
 * full, and whether the host has room for all of it. */
static void check_storage(Doctor *d, const Account *a) {
        char dir[PATH_MAX], image[PATH_MAX], fix[PATH_MAX + 64];
        struct statvfs sv, host;
        struct stat st;
        int r;

        snprintf(dir, sizeof dir, RCC_STORAGE_DIR "/%u", (unsigned)a->uid);
        snprintf(image, sizeof image, RCC_STORAGE_DIR "/%u.img", (unsigned)a->uid);
        r = storage_is_mounted(dir);
        if (r != 1) {
                report(d, VERDICT_FAIL, FIX_INSTALL,
                       "%s: storage %s is %s: nothing bounds what its sessions write, so rcc-shell refuses "
                       "them",
                       a->name, dir, r == -ENOENT ? "missing" : "not mounted");
                return;
        }
        if (statvfs(dir, &sv) < 0 || stat(image, &st) < 0 || statvfs(RCC_STORAGE_DIR, &host) < 0) {
                report(d, VERDICT_FAIL, FIX_INSTALL, "%s: storage %s: %m", a->name, dir);
                return;
        }
        uint64_t size = (uint64_t)st.st_size, used = (uint64_t)(sv.f_blocks - sv.f_bfree) * sv.f_frsize,
                 allocated = (uint64_t)st.st_blocks * 512, room = (uint64_t)host.f_bavail * host.f_frsize;
        if (size != a->settings.disk_bytes)
                report(d, VERDICT_WARN, "rcc-setup account remove and add (or uninstall and install)",
                       "%s: disk: storage %s is %" PRIu64 " MiB, the policy's container.disk %" PRIu64
                       " MiB",
                       a->name, dir, size >> 20, a->settings.disk_bytes >> 20);
        snprintf(
                fix, sizeof fix, "free %" PRIu64 " MiB on the file system of %s, or lower container.disk",
                (size - allocated) >> 20, RCC_STORAGE_DIR);
        if (size > allocated && size - allocated > room)
                report(d, VERDICT_WARN, fix,
                       "%s: disk: storage %s may grow by %" PRIu64 " MiB, but the host has %" PRIu64
                       " MiB free there",
                       a->name, dir, (size - allocated) >> 20, room >> 20);
        else
                report(d, VERDICT_OK, NULL,
                       "%s: disk: sessions write into their own %" PRIu64
                       " MiB file system (%s, loop, %" PRIu64 " MiB used); /tmp a tmpfs of %" PRIu64
                       " MiB; the image read-only",
                       a->name, size >> 20, image, used >> 20, settings_tmp_bytes(&a->settings) >> 20);
}

/* The image a session runs: sealed at import, and the storage still as sealed (lib/image-seal.h). */
static void check_image(Doctor *d, const Account *a) {
        _cleanup_free_ ImageSeal *seal = calloc(1, sizeof *seal);
        _cleanup_free_ char *text = NULL;
        char path[PATH_MAX], graph[PATH_MAX], fix[512], buf[DIAG_STRLEN];
        RccDiag diag = {};
        size_t len = 0;

        snprintf(fix, sizeof fix, "rcc-setup --account %s image build (or image import TARBALL)", a->name);
        if (!d->root) {
                report(d, VERDICT_SKIP, NULL, "%s: image %s and its seal: needs root", a->name,
                       a->settings.image);
                return;
        }
        if (!seal) {
                report(d, VERDICT_FAIL, NULL, "out of memory");
                return;
        }
        snprintf(path, sizeof path, RCC_STORAGE_DIR "/%u/" IMAGE_SEAL_FILE, (unsigned)a->uid);
        snprintf(graph, sizeof graph, RCC_STORAGE_DIR "/%u/graph", (unsigned)a->uid);
        if (file_read_trusted(path, IMAGE_SEAL_MAX_SIZE, false, "image seal", &text, &len, &diag) < 0 ||
            image_seal_parse(text, len, path, seal, &diag) < 0) {
                report(d, VERDICT_FAIL, fix, "%s: image %s: no seal: %s", a->name, a->settings.image,
                       diag_format(&diag, buf, sizeof buf));
                return;
        }
        if (strcmp(seal->name, a->settings.image) != 0) {
                report(d, VERDICT_FAIL, fix,
                       "%s: the policy's image is %s, the sealed one %s: sessions cannot start", a->name,
                       a->settings.image, seal->name);
                return;
        }
        if (image_seal_verify(graph, seal, &diag) < 0)
                report(d, VERDICT_FAIL, fix, "%s: %s", a->name, diag_format(&diag, buf, sizeof buf));
        else
                report(d, VERDICT_OK, NULL, "%s: image %s (%.12s) as sealed: %zu layers, %" PRIu64 " files",
                       a->name, seal->name, seal->id, seal->n_layers, seal->n_files);
}

static void check_one_account(Doctor *d, const Account *a, const char *subuid, const char *subgid) {
        const struct passwd *pw = getpwnam(a->name);
        char fix[512], path[PATH_MAX];

        if (!pw) {
                report(d, VERDICT_FAIL, FIX_INSTALL, "%s: no such user", a->name);
                return;
        }
        /* getpwnam's buffer is static: keep a copy while other lookups run. */
        struct passwd copy = *pw;
        char name[256], dir[PATH_MAX], shell[PATH_MAX];
        snprintf(name, sizeof name, "%s", pw->pw_name);
        snprintf(dir, sizeof dir, "%s", pw->pw_dir);
        snprintf(shell, sizeof shell, "%s", pw->pw_shell);
        copy.pw_name = name;
        copy.pw_dir = dir;
        copy.pw_shell = shell;

        snprintf(fix, sizeof fix, "usermod --shell %s %s", RCC_SHELL_PATH, a->name);
        if (strcmp(shell, RCC_SHELL_PATH) != 0)
                report(d, VERDICT_FAIL, fix,
                       "%s (uid %u): login shell is %s, not %s: logins would not be confined", a->name,
                       (unsigned)a->uid, shell, RCC_SHELL_PATH);
        else
                report(d, VERDICT_OK, NULL, "%s (uid %u): login shell %s", a->name, (unsigned)a->uid, shell);
        check_groups(d, &copy);
        check_subids(d, &copy, "/etc/subuid", subuid);
        check_subids(d, &copy, "/etc/subgid", subgid);
        check_home(d, &copy);

        if (d->systemd) {
                snprintf(path, sizeof path, "/var/lib/systemd/linger/%s", a->name);
                snprintf(fix, sizeof fix, "loginctl enable-linger %s", a->name);
                if (access(path, F_OK) == 0)
                        report(d, VERDICT_OK, NULL, "%s: lingering enabled (its user manager runs)",
                               a->name);
                else
                        report(d, VERDICT_WARN, fix,
                               "%s: lingering disabled: no user manager, so no cgroup limits", a->name);
        }
        check_storage(d, a);
        check_image(d, a);
}

void check_accounts(Doctor *d) {
        _cleanup_free_ char *shells = NULL, *subuid = NULL, *subgid = NULL;
        struct stat st;

        if (stat(RCC_SHELL_PATH, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022))
                report(d, VERDICT_FAIL, FIX_REINSTALL,
                       "%s is missing or not root-owned and writable by root alone", RCC_SHELL_PATH);
        if (read_file("/etc/shells", 1024 * 1024, &shells, NULL) < 0 || !has_line(shells, RCC_SHELL_PATH))
                report(d, VERDICT_FAIL, FIX_INSTALL,
                       "/etc/shells does not list %s: sshd and su refuse the account", RCC_SHELL_PATH);
        else
                report(d, VERDICT_OK, NULL, "/etc/shells lists %s", RCC_SHELL_PATH);
        if (!d->systemd)
                report(d, VERDICT_SKIP, NULL, "lingering: systemd is not PID 1 here");

        (void)read_file("/etc/subuid", 16u * 1024 * 1024, &subuid, NULL);
        (void)read_file("/etc/subgid", 16u * 1024 * 1024, &subgid, NULL);
        FOREACH_ARRAY (a, d->policy->accounts, d->policy->n_accounts)
                if (doctor_wants(d, a->name))
                        check_one_account(d, a, subuid, subgid);
}

/* ---- sshd ---- */

/* UsePAM is global (sshd refuses it in a Match block): one account's settings say it for all. */
static void check_sshd_usepam(Doctor *d, const char *sshd_t) {
        if (has_line(sshd_t, "usepam yes"))
                report(d, VERDICT_OK, NULL, "sshd: UsePAM yes, so pam_rcc sees every ssh session");
        else
                report(d, VERDICT_FAIL,
                       d->systemd
                               ? "set 'UsePAM yes' in /etc/ssh/sshd_config, then systemctl reload ssh (sshd on "
                                 "Fedora)"
                               : "set 'UsePAM yes' in /etc/ssh/sshd_config, then service ssh reload",
                       "sshd: UsePAM is not 'yes': sshd skips the PAM stack, so pam_rcc never gates or records "
                       "an ssh session and rcc-shell refuses them all");
}

/* sshd's service: Debian calls its unit ssh.service (sshd.service an alias of it), Fedora
 * sshd.service; their init scripts likewise. */
static const char *sshd_service(void) {
        return access("/lib/systemd/system/ssh.service", F_OK) == 0 ||
                               access("/usr/lib/systemd/system/ssh.service", F_OK) == 0 ||
                               access("/etc/init.d/ssh", F_OK) == 0
                       ? "ssh"
                       : "sshd";
}

/* The command that starts sshd here, which makes its runtime directory dir. */
static void sshd_start_fix(const Doctor *d, const char *dir, char *buf, size_t size) {
        if (d->systemd)
                snprintf(buf, size, "systemctl enable --now %s", sshd_service());
        else
                snprintf(
                        buf, size,
                        "service %s start (or, where sshd is started otherwise, mkdir -m 0755 -p %s before it)",
                        sshd_service(), dir);
}

/* Why 'sshd -T' failed, once: it is the same for every account. */
static void report_sshd_failure(Doctor *d, const char *err, int status) {
        char line[1024], fix[PATH_MAX + 128];

        switch (sshd_test_classify(err, status, line, sizeof line)) {
        case SSHD_TEST_NOT_STARTED:
                sshd_start_fix(d, line, fix, sizeof fix);
                report(d, VERDICT_WARN, fix,
                       "sshd: not started here: its runtime directory %s is missing (sshd's service makes it "
                       "when it starts), so 'sshd -T' cannot show the effective configuration; ssh logins "
                       "wait for sshd to run",
                       line);
                return;
        case SSHD_TEST_NO_HOST_KEYS:
                report(d, VERDICT_WARN,
                       "ssh-keygen -A, then start sshd (Fedora's sshd.service makes them itself)",
                       "sshd: no host key loads ('%s'): not generated yet, so sshd has not started here and "
                       "'sshd -T' cannot show the effective configuration",
                       line);
                return;
        case SSHD_TEST_BROKEN:
                if (strncmp(line, SSHD_DROPIN, strlen(SSHD_DROPIN)) == 0)
                        snprintf(fix, sizeof fix, "rcc-setup apply (it rewrites %s)", SSHD_DROPIN);
                else
                        snprintf(
                                fix, sizeof fix,
                                "correct what sshd names ('%s -t' checks it again), then %s %s%s", SSHD_PATH,
                                d->systemd ? "systemctl reload" : "service", sshd_service(),
                                d->systemd ? "" : " reload");
                report(d, VERDICT_FAIL, fix,
                       "sshd: its configuration is broken: 'sshd -T' exits %d: %s; sshd refuses to (re)start and "
                       "no ssh login gets in",
                       status, line[0] ? line : "(it said nothing)");
                return;
        case SSHD_TEST_OK:
                break;
        }
}

/* sshd's effective configuration for the account. false when sshd could not say, which it could
 * not for any account. */
static bool check_sshd_account(Doctor *d, const Account *a, bool first) {
        char spec[512], why[512], path[PATH_MAX], fix[512], err[4096] = "";
        static char out[64 * 1024];
        int r;

        snprintf(spec, sizeof spec, "user=%s,host=localhost,addr=127.0.0.1", a->name);
        const char *argv[] = {SSHD_PATH, "-T", "-C", spec, NULL};
        r = run_argv(
                argv, &(RunOptions){
                              .capture = out,
                              .capture_size = sizeof out,
                              .capture_stderr = err,
                              .capture_stderr_size = sizeof err});
        if (r < 0) {
                report(d, VERDICT_FAIL, NULL, "sshd: could not run '%s -T': %s", SSHD_PATH, strerror(-r));
                return false;
        }
        if (r != 0) {
                report_sshd_failure(d, err, r);
                return false;
        }
        if (first)
                check_sshd_usepam(d, out);
        if (!sshd_effective_ok(out, RCC_SSHD_FORCED_COMMAND, RCC_KEYS_DIR, why, sizeof why))
                report(d, VERDICT_FAIL,
                       "rcc-setup apply; /etc/ssh/sshd_config must Include sshd_config.d/*.conf before any Match "
                       "block",
                       "%s: sshd's effective configuration: %s", a->name, why);
        else
                report(d, VERDICT_OK, NULL,
                       "%s: sshd forces '%s', no forwarding or tunnels, keys only from %s/", a->name,
                       RCC_SSHD_FORCED_COMMAND, RCC_KEYS_DIR);

        snprintf(path, sizeof path, "%s/%s", RCC_KEYS_DIR, a->name);
        snprintf(fix, sizeof fix, "rcc-setup key add %s PUBKEY_FILE --user HUMAN", a->name);
        if (access(path, F_OK) < 0)
                report(d, VERDICT_WARN, fix, "%s: no ssh key authorized yet (%s)", a->name, path);
        else
                (void)check_root_owned(d, path, "authorized keys");
        return true;
}

void check_sshd(Doctor *d) {
        bool first = true;

        if (access(SSHD_PATH, X_OK) < 0) {
                report(d, VERDICT_SKIP, NULL, "sshd: not installed; the ssh entry point is unused");
                return;
        }
        if (!check_root_owned(d, SSHD_DROPIN, "sshd drop-in"))
                return;
        report(d, VERDICT_OK, NULL, "sshd drop-in %s", SSHD_DROPIN);
        if (!d->root) {
                report(d, VERDICT_SKIP, NULL, "sshd: 'sshd -T' (the effective configuration) needs root");
                return;
        }
        FOREACH_ARRAY (a, d->policy->accounts, d->policy->n_accounts)
                if (doctor_wants(d, a->name)) {
                        if (!check_sshd_account(d, a, first))
                                return;
                        first = false;
                }
}

/* ---- sudo ---- */

/* The fix for what visudo -c said (why): the file it names ("FILE:LINE:COLUMN: syntax error", or
 * "visudo: FILE: bad permissions, should be mode 0440") corrected with visudo -f, or rewritten by
 * rcc-setup apply when it is rcc's drop-in. */
static void visudo_fix(const char *why, char *buf, size_t size) {
        const char *file = strchr(why, '/');
        size_t n = file ? strcspn(file, ": ") : 0;

        if (n == strlen(SUDOERS_DROPIN) && strncmp(file, SUDOERS_DROPIN, n) == 0)
                snprintf(buf, size, "rcc-setup apply (it rewrites %s)", SUDOERS_DROPIN);
        else if (n > 0)
                snprintf(buf, size, "visudo -f %.*s", (int)n, file);
        else
                snprintf(buf, size, "visudo -c names the file; correct it with visudo -f FILE");
}

void check_sudo(Doctor *d) {
        const char *argv[] = {VISUDO_PATH, "-c", NULL};
        static char out[16 * 1024];
        char why[1100], fix[PATH_MAX + 64];
        int r;

        if (access(SUDO_PATH, X_OK) < 0) {
                report(d, VERDICT_SKIP, NULL, "sudo: not installed; the sudo entry point is unused");
                return;
        }
        if (!check_root_owned(d, SUDOERS_DROPIN, "sudoers drop-in"))
                return;
        if (!d->root) {
                report(d, VERDICT_SKIP, NULL, "sudo: drop-in %s present; 'visudo -c' needs root",
                       SUDOERS_DROPIN);
                return;
        }
        r = doctor_run(argv, out, sizeof out, why, sizeof why);
        if (r != 0) {
                visudo_fix(why, fix, sizeof fix);
                report(d, VERDICT_FAIL, fix,
                       "sudo: 'visudo -c' finds errors (%s): sudo would refuse everyone", why);
        } else if (!strstr(out, SUDOERS_DROPIN))
                report(d, VERDICT_FAIL, "add '@includedir /etc/sudoers.d' to /etc/sudoers (with visudo)",
                       "sudo: /etc/sudoers does not read %s", SUDOERS_DROPIN);
        else
                report(d, VERDICT_OK, NULL, "sudo: drop-in %s parses (visudo -c)", SUDOERS_DROPIN);
}

/* ---- PAM ---- */

static void check_pam_module_file(Doctor *d) {
        char fix[2 * PATH_MAX + 64];
        struct stat st;

        if (stat(RCC_PAM_MODULE, &st) < 0) {
                report(d, VERDICT_FAIL, FIX_REINSTALL, "pam_rcc: %s: %s", RCC_PAM_MODULE, strerror(errno));
                return;
        }
        if (!S_ISREG(st.st_mode)) {
                report(d, VERDICT_FAIL, FIX_REINSTALL, "pam_rcc: %s is not a regular file", RCC_PAM_MODULE);
                return;
        }
        if (st.st_uid != 0 || (st.st_mode & 022)) {
                snprintf(fix, sizeof fix, "chown root: %s && chmod go-w %s", RCC_PAM_MODULE, RCC_PAM_MODULE);
                report(d, VERDICT_FAIL, fix,
                       "pam_rcc: %s is owned by uid %u, mode %04o: whoever can write it runs code as root in "
                       "every login",
                       RCC_PAM_MODULE, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
                return;
        }
        report(d, VERDICT_OK, NULL, "pam_rcc: %s, root-owned, writable by root alone", RCC_PAM_MODULE);
}

/* service: how a session comes in ("ssh", "sudo"), for the messages; binary: its program. */
static void check_pam_stack(Doctor *d, const char *path, const char *service, const char *binary) {
        _cleanup_free_ char *text = NULL;
        char fix[3 * PATH_MAX];
        int r;

        r = read_file(path, 1024 * 1024, &text, NULL);
        if (r == -ENOENT && access(binary, F_OK) < 0) {
                report(d, VERDICT_SKIP, NULL, "PAM stack %s: %s is not installed", path, binary);
                return;
        }
        if (r == -ENOENT) {
                report(d, VERDICT_FAIL, "reinstall the package that provides it, then " FIX_INSTALL,
                       "PAM stack %s is missing: %s sessions fall back to /etc/pam.d/other, which does not run "
                       "pam_rcc, and rcc-shell refuses them",
                       path, service);
                return;
        }
        if (r < 0) {
                report(d, VERDICT_FAIL, NULL, "PAM stack %s: cannot read it: %s", path, strerror(-r));
                return;
        }
        switch (pam_stack_examine(text, RCC_PAM_MODULE)) {
        case PAM_STACK_OURS:
                report(d, VERDICT_OK, NULL,
                       "PAM stack %s: pam_rcc gates account and session, before every other rule", path);
                break;
        case PAM_STACK_HAND:
                report(d, VERDICT_OK, NULL,
                       "PAM stack %s: pam_rcc gates account and session, before every other rule (wired by hand)",
                       path);
                break;
        case PAM_STACK_LATE:
                snprintf(
                        fix, sizeof fix, "move the three lines from '# rcc:' on above the first rule of %s",
                        path);
                report(d, VERDICT_FAIL, fix,
                       "PAM stack %s: pam_rcc comes after other rules, which can end the stack or rewrite the "
                       "environment before it runs",
                       path);
                break;
        case PAM_STACK_OTHER:
                snprintf(
                        fix, sizeof fix,
                        "make 'account requisite %s' and 'session requisite %s' the first rules of %s",
                        RCC_PAM_MODULE, RCC_PAM_MODULE, path);
                report(d, VERDICT_FAIL, fix,
                       "PAM stack %s names pam_rcc, but not as the first account and session rules with %s",
                       path, RCC_PAM_MODULE);
                break;
        case PAM_STACK_ABSENT:
                report(d, VERDICT_FAIL, FIX_INSTALL,
                       "PAM stack %s does not run pam_rcc: %s sessions of the sandbox accounts are neither "
                       "gated nor recorded, and rcc-shell refuses them",
                       path, service);
                break;
        }
}

void check_pam(Doctor *d) {
        check_pam_module_file(d);
        check_pam_stack(d, PAM_STACK_SSHD, "ssh", SSHD_PATH);
        check_pam_stack(d, PAM_STACK_SUDO, "sudo", SUDO_PATH);
        if (access(PAM_STACK_SUDO_I, F_OK) == 0)
                check_pam_stack(d, PAM_STACK_SUDO_I, "sudo -i", SUDO_PATH);
}

/* ---- cron and at ---- */

static void check_deny(
        Doctor *d, const char *tool, const char *binary, const char *allow, const char *deny) {
        _cleanup_free_ char *allowed = NULL, *denied = NULL;
        bool all = true;
        char fix[512];
        int r;

        if (access(binary, F_OK) < 0) {
                report(d, VERDICT_OK, NULL, "%s: not installed", tool);
                return;
        }
        r = read_file(allow, 1024 * 1024, &allowed, NULL);
        if (r == -ENOENT)
                r = read_file(deny, 1024 * 1024, &denied, NULL);
        if (r == -EACCES) {
                report(d, VERDICT_SKIP, NULL, "%s: reading %s and %s needs root", tool, allow, deny);
                return;
        }
        FOREACH_ARRAY (a, d->policy->accounts, d->policy->n_accounts) {
                /* With an allow file, only those it lists may use the tool; else all but the denied. */
                bool ok = allowed ? !has_line(allowed, a->name) : denied && has_line(denied, a->name);
                if (ok || !doctor_wants(d, a->name))
                        continue;
                all = false;
                snprintf(
                        fix, sizeof fix, FIX_INSTALL " (or add the line '%s' to %s)", a->name,
                        allowed ? allow : deny);
                report(d, VERDICT_FAIL, fix, "%s: %s may use %s: its jobs would run outside any container",
                       tool, a->name, tool);
        }
        if (all)
                report(d, VERDICT_OK, NULL, "%s: every sandbox account is denied (%s)", tool,
                       allowed ? allow : deny);
}

void check_cron_at(Doctor *d) {
        check_deny(d, "cron", "/usr/bin/crontab", "/etc/cron.allow", "/etc/cron.deny");
        check_deny(d, "at", "/usr/bin/at", "/etc/at.allow", "/etc/at.deny");
}
