/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup doctor's checks of podman: its version, the OCI runtime, the rootless network helper
 * rcc-shell will use, /dev/net/tun for each account, and the podman configuration rcc wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "config.h"
#include "doctor.h"
#include "files.h"
#include "log.h"
#include "network.h"
#include "parse.h"
#include "podman-network.h"
#include "policy.h"
#include "verbs.h"

/* The OCI runtime's path: absolute as given, else where podman looks by default. */
static bool find_runtime(const char *name, char *buf, size_t size) {
        static const char *const dirs[] = {"/usr/bin", "/usr/sbin", "/usr/local/bin",     "/usr/local/sbin",
                                           "/bin",     "/sbin",     "/usr/libexec/podman"};

        if (name[0] == '/') {
                snprintf(buf, size, "%s", name);
                return access(buf, X_OK) == 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(buf, size, "%s/%s", dirs[i], name);
                if (access(buf, X_OK) == 0)
                        return true;
        }
        return false;
}

static void check_podman_version(Doctor *d) {
        const char *argv[] = {RCC_PODMAN, "--version", NULL};
        char out[256] = "", why[1100];
        unsigned major, minor;

        if (access(RCC_PODMAN, X_OK) < 0) {
                report(d, VERDICT_FAIL, "apt-get install podman (or dnf install podman)", "podman: %s: %m",
                       RCC_PODMAN);
                return;
        }
        int r = doctor_run(argv, out, sizeof out, why, sizeof why);
        out[strcspn(out, "\n")] = '\0';
        if (r != 0)
                report(d, VERDICT_FAIL, "reinstall podman (apt-get install --reinstall podman)",
                       "podman: '%s --version' failed (%s)", RCC_PODMAN, why);
        else if (!podman_version_parse(out, &major, &minor))
                report(d, VERDICT_FAIL, "apt-get install podman (4.3 or later)",
                       "podman: '%s --version' did not say its version: '%s'", RCC_PODMAN, out);
        else if (major < 4 || (major == 4 && minor < 3))
                report(d, VERDICT_FAIL, "apt-get install podman (4.3 or later; Debian 12 has 4.3)",
                       "podman: %s is version %u.%u", RCC_PODMAN, major, minor);
        else
                report(d, VERDICT_OK, NULL, "podman: %s, version %u.%u", RCC_PODMAN, major, minor);
}

static void check_runtime(Doctor *d) {
        _cleanup_free_ char *text = NULL;
        char name[256] = "crun", path[PATH_MAX];
        bool named;
        int r;

        r = read_file(RCC_CONTAINERS_CONF, 1024 * 1024, &text, NULL);
        if (r < 0) {
                report(d, VERDICT_SKIP, NULL, "OCI runtime: cannot read %s: %s", RCC_CONTAINERS_CONF,
                       strerror(-r));
                return;
        }
        named = containers_conf_runtime(text, name, sizeof name);
        if (!find_runtime(name, path, sizeof path)) {
                report(d, VERDICT_FAIL,
                       "install it (apt-get install runc), or name an installed one in [engine] runtime",
                       "OCI runtime '%s'%s is not installed", name, named ? "" : " (podman's default)");
                return;
        }
        if (strcmp(basename(path), "crun") == 0 && d->cgroup != CGROUP_V2) {
                report(d, VERDICT_FAIL,
                       "apt-get install runc; set runtime = \"runc\" in [engine] of " RCC_CONTAINERS_CONF,
                       "OCI runtime %s: crun refuses to run on a cgroup v1/v2 hybrid or v1 machine", path);
                return;
        }
        report(d, VERDICT_OK, NULL, "OCI runtime: %s%s", path, named ? "" : " (podman's default)");
}

/* What rcc-shell will pass to podman (the record), and whether podman can run it here: FAIL when
 * no session could start with it, warn when install would choose another network now. */
static void check_podman_network(Doctor *d) {
        PodmanNetwork recorded, now;
        NetworkProbe p;
        RccDiag diag = {};
        char why[512], buf[PATH_MAX + 600];
        int r;

        r = podman_network_load(RCC_PODMAN_NETWORK_CONF, &recorded, &diag);
        if (r < 0) {
                report(d, VERDICT_FAIL, "rcc-setup install", "network: rcc-shell refuses every session: %s",
                       diag_format(&diag, buf, sizeof buf));
                return;
        }
        const char *name = podman_network_to_string(recorded);
        if (network_probe(&p) < 0) {
                report(d, VERDICT_FAIL, "apt-get install podman",
                       "network: %s recorded, but podman cannot be asked its version here ('%s')", name,
                       p.podman_version);
                return;
        }
        const char *helper = recorded == PODMAN_NETWORK_PASTA ? p.facts.pasta : p.facts.slirp4netns;
        if (!helper) {
                snprintf(
                        buf, sizeof buf, "apt-get install %s, or rcc-setup install to choose again",
                        recorded == PODMAN_NETWORK_PASTA ? "passt" : "slirp4netns");
                report(d, VERDICT_FAIL, buf,
                       "network: %s recorded in %s, but podman finds no %s: every session would fail to start",
                       name, RCC_PODMAN_NETWORK_CONF, name);
                return;
        }
        if (recorded == PODMAN_NETWORK_PASTA && p.facts.podman_major < 5) {
                report(d, VERDICT_FAIL, "rcc-setup install",
                       "network: pasta recorded in %s, but podman is %u.%u: rcc runs pasta with podman 5 or "
                       "later only",
                       RCC_PODMAN_NETWORK_CONF, p.facts.podman_major, p.facts.podman_minor);
                return;
        }
        r = podman_network_choose(&p.facts, &now, why, sizeof why);
        if (r == 0 && now != recorded) {
                snprintf(
                        buf, sizeof buf, "rcc-setup install (it would choose %s: %s)",
                        podman_network_to_string(now), why);
                report(d, VERDICT_WARN, buf, "network: %s (%s), recorded when the system was different",
                       name, helper);
                return;
        }
        report(d, VERDICT_OK, NULL, "network: %s (%s), recorded in %s: %s", name, helper,
               RCC_PODMAN_NETWORK_CONF, r == 0 ? why : "-");
}

static int probe_tun(void *arg) {
        _cleanup_close_ int fd = open(arg, O_RDWR | O_CLOEXEC);

        return fd < 0 ? errno : 0;
}

static void check_tun(Doctor *d) {
        static const char *const tun = "/dev/net/tun";
        struct stat st;
        bool all = true;

        if (stat(tun, &st) < 0 || !S_ISCHR(st.st_mode)) {
                report(d, VERDICT_FAIL, "modprobe tun; mknod -m 0666 /dev/net/tun c 10 200",
                       "%s is missing: rootless networking (pasta, slirp4netns) needs it", tun);
                return;
        }
        if ((st.st_mode & 0666) == 0666) {
                report(d, VERDICT_OK, NULL, "%s is 0666", tun);
                return;
        }
        if (!d->root || !d->policy) {
                report(d, VERDICT_FAIL, "chmod 0666 /dev/net/tun (udev does this on standard systems)",
                       "%s is %04o: rootless networking (pasta, slirp4netns) cannot open it", tun,
                       (unsigned)(st.st_mode & 07777));
                return;
        }
        FOREACH_ARRAY (a, d->policy->accounts, d->policy->n_accounts) {
                int r = doctor_wants(d, a->name) ? doctor_fork_as(a->uid, probe_tun, (void *)tun) : 0;
                if (r != 0) {
                        all = false;
                        report(d, VERDICT_FAIL,
                               "chmod 0666 /dev/net/tun (udev does this on standard systems)",
                               "%s is %04o and %s cannot open it (%s): rootless networking (pasta, slirp4netns) would fail",
                               tun, (unsigned)(st.st_mode & 07777), a->name, strerror(abs(r)));
                }
        }
        if (all)
                report(d, VERDICT_OK, NULL, "%s is %04o; every sandbox account can open it", tun,
                       (unsigned)(st.st_mode & 07777));
}

void check_podman(Doctor *d) {
        static const char *const idmaps[] = {"/usr/bin/newuidmap", "/usr/bin/newgidmap"};
        struct stat st;

        check_podman_version(d);
        check_runtime(d);
        for (size_t i = 0; i < ELEMENTSOF(idmaps); i++) {
                bool setuid_root = stat(idmaps[i], &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID);
                /* Fedora's shadow-utils grants them file capabilities instead of the setuid bit. */
                bool caps = getxattr(idmaps[i], "security.capability", NULL, 0) > 0;

                if (setuid_root || caps)
                        report(d, VERDICT_OK, NULL, "%s is %s", idmaps[i],
                               setuid_root ? "setuid root" : "granted file capabilities");
                else
                        report(d, VERDICT_FAIL, "apt-get install uidmap (it installs them setuid root)",
                               "%s is missing or neither setuid root nor granted capabilities: rootless podman "
                               "cannot map the subordinate ids",
                               idmaps[i]);
        }
        check_podman_network(d);
        check_tun(d);
}

void check_podman_conf(Doctor *d) {
        static const char *const files[] = {
                RCC_PODMAN_CONF_DIR, RCC_CONTAINERS_CONF, RCC_STORAGE_CONF, RCC_REGISTRIES_CONF};
        bool all = true;

        if (access(RCC_PODMAN_CONF_DIR, F_OK) < 0) {
                report(d, VERDICT_FAIL, FIX_INSTALL, "podman configuration %s: %m", RCC_PODMAN_CONF_DIR);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                all &= check_root_owned(d, files[i], "podman configuration");
        if (all)
                report(d, VERDICT_OK, NULL, "podman configuration in %s: root-owned, writable by root alone",
                       RCC_PODMAN_CONF_DIR);
}
