/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "fileio.h"
#include "podman-network.h"

#define RECORD_MAX 4096

const char *const podman_network_helper_dirs[] = {
        "/usr/local/libexec/podman",
        "/usr/local/lib/podman",
        "/usr/libexec/podman",
        "/usr/lib/podman",
        "/usr/bin",
        "/bin",
        NULL,
};

static const char *const names[_PODMAN_NETWORK_MAX] = {
        [PODMAN_NETWORK_SLIRP4NETNS] = "slirp4netns",
        [PODMAN_NETWORK_PASTA] = "pasta",
};

/* The container's connections leave as host sockets of the account's uid, which the firewall
 * matches. Each network also has ways to the host that are not such a socket to a remote address;
 * these options close them, so that the firewall is not the only thing between the container and
 * the host's own services:
 *
 * slirp4netns: its gateway 10.0.2.2 is the host's loopback unless allow_host_loopback=false.
 *
 * pasta, as podman 5.4 starts it (--config-net --dns-forward 169.254.1.1 -t none -u none -T none
 * -U none --no-map-gw --quiet --netns … --map-guest-addr 169.254.1.2):
 *   --map-host-loopback none  the container's gateway address is the host's loopback unless
 *                             this is none (podman's --no-map-gw says the same; this says it
 *                             whatever podman's defaults become);
 *   --map-guest-addr none     podman maps 169.254.1.2 (host.containers.internal) to the host's
 *                             own address; none maps nothing;
 *   -T none, -U none          no port of the container's loopback is spliced to the host's
 *                             loopback (podman passes these by default; explicit here);
 *   -t none, -u none          no port of the host is forwarded into the container.
 * pasta's DNS forwarder (169.254.1.1) stays: it relays to the host's resolver as a socket of the
 * account's uid, which the firewall allows to the resolvers only, as with slirp4netns's 10.0.2.3. */
static const char *const arguments[_PODMAN_NETWORK_MAX] = {
        [PODMAN_NETWORK_SLIRP4NETNS] = "--network=slirp4netns:allow_host_loopback=false",
        [PODMAN_NETWORK_PASTA] = "--network=pasta:--map-host-loopback,none,--map-guest-addr,none,"
                                 "-t,none,-u,none,-T,none,-U,none",
};

const char *podman_network_to_string(PodmanNetwork n) {
        return (unsigned)n < _PODMAN_NETWORK_MAX ? names[n] : NULL;
}

int podman_network_from_string(const char *s, PodmanNetwork *ret) {
        for (unsigned i = 0; i < _PODMAN_NETWORK_MAX; i++)
                if (s && strcmp(s, names[i]) == 0) {
                        *ret = (PodmanNetwork)i;
                        return 0;
                }
        return -EINVAL;
}

const char *podman_network_argument(PodmanNetwork n) {
        return (unsigned)n < _PODMAN_NETWORK_MAX ? arguments[n] : NULL;
}

int podman_network_choose(const PodmanNetworkFacts *f, PodmanNetwork *ret, char *why, size_t why_size) {
        if (f->podman_major < 4) {
                snprintf(
                        why, why_size, "podman %u.%u is too old: rcc needs podman 4.3 or later",
                        f->podman_major, f->podman_minor);
                return -EOPNOTSUPP;
        }
        if (f->podman_major >= 5 && f->pasta) {
                snprintf(
                        why, why_size, "podman %u.%u with %s: pasta, podman 5's rootless network",
                        f->podman_major, f->podman_minor, f->pasta);
                *ret = PODMAN_NETWORK_PASTA;
                return 0;
        }
        if (f->slirp4netns) {
                if (f->podman_major >= 5)
                        snprintf(
                                why, why_size,
                                "podman %u.%u with %s and no pasta: slirp4netns (deprecated in podman 5; "
                                "apt-get install passt, then rcc-setup install again, moves to pasta)",
                                f->podman_major, f->podman_minor, f->slirp4netns);
                else
                        snprintf(
                                why, why_size,
                                "podman %u.%u with %s: slirp4netns, podman 4's rootless network",
                                f->podman_major, f->podman_minor, f->slirp4netns);
                *ret = PODMAN_NETWORK_SLIRP4NETNS;
                return 0;
        }
        if (f->podman_major >= 5)
                snprintf(
                        why, why_size,
                        "podman %u.%u finds neither pasta nor slirp4netns: no rootless container can have a "
                        "network; apt-get install passt",
                        f->podman_major, f->podman_minor);
        else
                snprintf(
                        why, why_size,
                        "podman %u.%u finds no slirp4netns%s: no rootless container can have a network; "
                        "apt-get install slirp4netns",
                        f->podman_major, f->podman_minor,
                        f->pasta ? " (rcc uses pasta only with podman 5 or later)" : "");
        return -ENOENT;
}

char *podman_network_format(PodmanNetwork n, const char *why) {
        char *text = NULL;

        if (!podman_network_to_string(n))
                return NULL;
        if (asprintf(
                    &text,
                    "# Written by rcc-setup install: the rootless network of every rcc session, which\n"
                    "# rcc-shell passes to podman. Chosen from what this system has: %s.\n"
                    "# Run rcc-setup install again after installing or removing podman, passt or slirp4netns.\n"
                    "network=%s\n",
                    why && why[0] ? why : "-", names[n]) < 0)
                return NULL;
        return text;
}

int podman_network_parse(const char *text, PodmanNetwork *ret, RccDiag *diag) {
        PodmanNetwork n = _PODMAN_NETWORK_MAX;
        unsigned lineno = 0;

        for (const char *p = text, *next; *p; p = next) {
                size_t len = strcspn(p, "\n");
                char value[32];

                next = p + len + (p[len] == '\n');
                lineno++;
                while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
                        len--;
                if (len == 0 || p[0] == '#')
                        continue;
                if (len <= strlen("network=") || strncmp(p, "network=", strlen("network=")) != 0)
                        return diag_set(
                                diag, -EBADMSG, NULL, lineno, 1,
                                "expected network=pasta or network=slirp4netns");
                if (n != _PODMAN_NETWORK_MAX)
                        return diag_set(diag, -EBADMSG, NULL, lineno, 1, "network= is given twice");
                len -= strlen("network=");
                if (len >= sizeof value)
                        len = sizeof value - 1;
                memcpy(value, p + strlen("network="), len);
                value[len] = '\0';
                if (podman_network_from_string(value, &n) < 0)
                        return diag_set(
                                diag, -EBADMSG, NULL, lineno, (unsigned)strlen("network=") + 1,
                                "unknown network '%s'; expected pasta or slirp4netns", value);
        }
        if (n == _PODMAN_NETWORK_MAX)
                return diag_set(diag, -EBADMSG, NULL, 0, 0, "no network= line");
        *ret = n;
        return 0;
}

int podman_network_load(const char *path, PodmanNetwork *ret, RccDiag *diag) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;
        int r;

        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                r = negative_errno();
                if (r == -ENOENT)
                        return diag_set(
                                diag, r, path, 0, 0,
                                "missing: rcc-setup install records the sessions' network there; run it again");
                return diag_set(diag, r, path, 0, 0, "cannot open: %s", strerror(-r));
        }
        if (fstat(fd, &st) < 0)
                return diag_set(diag, negative_errno(), path, 0, 0, "cannot stat: %m");
        if (!S_ISREG(st.st_mode))
                return diag_set(diag, -EPERM, path, 0, 0, "not a regular file; run rcc-setup install again");
        if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
                return diag_set(
                        diag, -EPERM, path, 0, 0,
                        "owned by uid %u, mode %04o: it must be root's and writable by root alone "
                        "(chown root: %s && chmod go-w %s)",
                        (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), path, path);
        r = file_read_fd(fd, RECORD_MAX - 1, &buf, &len);
        if (r == -EFBIG)
                return diag_set(diag, r, path, 0, 0, "larger than %d bytes", RECORD_MAX - 1);
        if (r < 0)
                return diag_set(diag, r, path, 0, 0, "cannot read: %s", strerror(-r));
        if (memchr(buf, '\0', len))
                return diag_set(diag, -EBADMSG, path, 0, 0, "contains a NUL byte");
        buf[len] = '\0';
        r = podman_network_parse(buf, ret, diag);
        if (r < 0)
                snprintf(diag->file, sizeof diag->file, "%s", path);
        return r;
}
