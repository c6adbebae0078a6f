/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "context.h"
#include "firewall-service.h"
#include "firewall.h"
#include "log.h"
#include "manifest.h"
#include "run.h"

#define FIREWALL_UNIT "rcc-firewall.service"
#define FIREWALLD_COMM "rcc-firewalld"
#define FIREWALLD_STOP_MS 10000

/* The pid of the rcc-firewalld that answers on the control socket, from the socket's peer
 * credentials (it may hold no table and have no state file, after rcc-firewall remove): 1 and
 * *ret set, 0 when none answers, or a negative errno (reported). */
static int firewalld_pid(pid_t *ret) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = fwsvc_connect(RCC_FIREWALL_CONTROL_SOCKET, &fd);
        if (r == -ENOENT || r == -ECONNREFUSED)
                return 0;
        if (r < 0)
                return log_errno(r, "cannot connect to %s: %s", RCC_FIREWALL_CONTROL_SOCKET, strerror(-r));
        r = fwsvc_peer_pid(fd, ret);
        if (r < 0)
                return log_errno(
                        r, "cannot tell which process answers on %s: %s", RCC_FIREWALL_CONTROL_SOCKET,
                        strerror(-r));
        return 1;
}

/* Whether an rcc-firewalld answers on the control socket: 1, 0 (none), or -EEXIST (reported)
 * when the one that answers holds its table in another network namespace than ours: the socket is
 * the host's, the table is its namespace's, and sessions started from here would not be confined
 * by it. */
static int firewalld_answers(void) {
        pid_t pid;
        int r;

        r = firewalld_pid(&pid);
        if (r <= 0)
                return r;
        r = fwsvc_same_netns(pid);
        if (r < 0)
                return log_errno(
                        r, "cannot compare the network namespace of rcc-firewalld (pid %d): %s", (int)pid,
                        strerror(-r));
        if (r == 0)
                return log_errno(
                        -EEXIST,
                        "rcc-firewalld (pid %d) holds table inet rcc in another network namespace than "
                        "this rcc-setup's, so it would not confine sessions started here: run rcc-setup "
                        "in the namespace of that service, or stop it first",
                        (int)pid);
        return 1;
}

/* Where systemd runs: the unit, enabled (at boot, before sshd) and running. A unit that is
 * active but does not answer is an older rcc's (a oneshot that applied and exited): systemd reads
 * the installed unit again and restarts it. */
static int start_unit(Setup *s) {
        const char *enabled[] = {SYSTEMCTL_PATH, "--quiet", "is-enabled", FIREWALL_UNIT, NULL};
        const char *enable[] = {SYSTEMCTL_PATH, "enable", "--now", FIREWALL_UNIT, NULL};
        const char *reload[] = {SYSTEMCTL_PATH, "daemon-reload", NULL};
        const char *restart[] = {SYSTEMCTL_PATH, "restart", FIREWALL_UNIT, NULL};
        int r;

        if (strcmp(s->config_dir, RCC_CONFIG_DIR) != 0)
                log_warning(
                        "%s serves %s, not %s: rcc-firewall apply will refuse until the policy is there",
                        FIREWALL_UNIT, RCC_CONFIG_DIR, s->config_dir);
        if (run_argv(enabled, NULL) != 0) {
                r = manifest_add(s->manifest, "unit", NULL, FIREWALL_UNIT, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record %s: %s", FIREWALL_UNIT, strerror(-r));
                r = run_argv(enable, NULL);
        } else if ((r = firewalld_answers()) < 0)
                return r;
        else if (r == 0) {
                r = run_argv(reload, NULL);
                if (r == 0)
                        r = run_argv(restart, NULL);
        } else
                r = 0;
        if (r != 0)
                return log_errno(
                        r < 0 ? r : -EIO, "%s did not start; journalctl -u %s says why", FIREWALL_UNIT,
                        FIREWALL_UNIT);
        return 0;
}

/* Where systemd does not run, or runs in another network namespace: rcc-firewalld started in the
 * background, which returns once the
 * table is held. Nothing starts it at boot: the admin's boot scripts must. */
static int start_daemon(Setup *s) {
        const char *argv[] = {RCC_FIREWALLD_PATH, "--config", s->config_dir, "--background", NULL};
        int r;

        r = firewalld_answers();
        if (r != 0)
                return r < 0 ? r : 0;
        r = manifest_add(s->manifest, "firewalld", NULL, s->config_dir, NULL);
        if (r < 0)
                return log_errno(r, "cannot record rcc-firewalld: %s", strerror(-r));
        r = run_argv(argv, NULL);
        if (r != 0)
                return log_errno(
                        r < 0 ? r : -EIO,
                        "%s --background failed; no session can start until it holds the table",
                        RCC_FIREWALLD_PATH);
        if (s->systemd)
                log_warning(
                        "this rcc-setup runs in another network namespace than PID 1, where %s would "
                        "hold the table: rcc-firewalld runs in this one, and nothing starts it at boot",
                        FIREWALL_UNIT);
        else
                log_warning(
                        "systemd is not PID 1, so nothing starts rcc-firewalld at boot: run '%s --config "
                        "%s --background' from the boot scripts",
                        RCC_FIREWALLD_PATH, s->config_dir);
        return 0;
}

int apply_firewall(Setup *s) {
        const char *apply[] = {RCC_FIREWALL_PATH, "--config", s->config_dir, "apply", NULL};
        int r;

        /* The service first in the manifest, so that undo (last entry first) removes the table
         * through it and stops it only then. */
        r = s->systemd && s->init_netns ? start_unit(s) : start_daemon(s);
        if (r < 0)
                return r;
        if (!manifest_find(s->manifest, "firewall", NULL, NULL)) {
                r = manifest_add(s->manifest, "firewall", NULL, s->config_dir, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record the firewall: %s", strerror(-r));
        }
        /* The service applied the policy as it started; this applies what changed since and says
         * what the policy's problems are, if any. */
        r = run_argv(apply, NULL);
        if (r != 0)
                return log_errno(
                        r < 0 ? r : -EIO, "%s apply failed; no session can start until it succeeds",
                        RCC_FIREWALL_PATH);
        step("firewall", "applied; table inet rcc held by rcc-firewalld (%s)",
             s->systemd && s->init_netns ? FIREWALL_UNIT " enabled" : "started in the background");
        return 0;
}

/* The service is found by its control socket, not by its state file: after rcc-firewall remove
 * (which uninstall runs first) it holds no table and has no state file, and still runs. */
int stop_firewalld(void) {
        char path[64], comm[32] = "";
        struct pollfd pfd = {.events = POLLIN};
        ssize_t n;
        pid_t pid;
        int r;

        r = firewalld_pid(&pid);
        if (r <= 0)
                return r;
        pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pfd.fd < 0)
                return errno == ESRCH ? 0 : log_errno(-errno, "cannot open process %d: %m", (int)pid);
        _cleanup_close_ int pidfd = pfd.fd;
        /* It may have exited since, and its pid be another process's now. */
        snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : -1;
        if (n <= 0 || strncmp(comm, FIREWALLD_COMM "\n", strlen(FIREWALLD_COMM) + 1) != 0)
                return 0;
        if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) < 0)
                return errno == ESRCH
                               ? 0
                               : log_errno(-errno, "cannot stop rcc-firewalld (pid %d): %m", (int)pid);
        r = poll(&pfd, 1, FIREWALLD_STOP_MS);
        if (r <= 0)
                return log_errno(
                        r < 0 ? -errno : -ETIMEDOUT, "rcc-firewalld (pid %d) did not stop within %d s",
                        (int)pid, FIREWALLD_STOP_MS / 1000);
        step("stopped", "rcc-firewalld (pid %d)", (int)pid);
        return 0;
}
