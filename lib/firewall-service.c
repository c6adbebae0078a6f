/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "fileio.h"
#include "policy-internal.h"
#include "firewall-service.h"
#include "macro.h"

#define STATE_MAX 4096

int fwsvc_connect(const char *path, int *ret_fd) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_close_ int fd = -EBADF;

        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int fwsvc_peer_pid(int fd, pid_t *ret) {
        struct ucred cred = {};
        socklen_t len = sizeof cred;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return negative_errno();
        if (cred.pid <= 0)
                return -ESRCH;
        *ret = cred.pid;
        return 0;
}

int fwsvc_send(int fd, const char *verb, const char *fmt, ...) {
        char buf[FWSVC_MSG_MAX];
        va_list ap;
        int n = snprintf(buf, sizeof buf, "%s ", verb);

        va_start(ap, fmt);
        vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
        va_end(ap);
        /* One line: a newline in TEXT (an error message quoting a file) becomes a space. */
        for (char *p = buf; *p; p++)
                if (*p == '\n')
                        *p = ' ';
        size_t len = strlen(buf);
        if (len > 0 && buf[len - 1] == ' ')
                buf[--len] = '\0';
        if (send(fd, buf, len, MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

int fwsvc_recv(int fd, char *buf, size_t size, const char **ret_text) {
        ssize_t n;

        do
                n = recv(fd, buf, size - 1, MSG_TRUNC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        if (n == 0) {
                buf[0] = '\0';
                return 0;
        }
        if ((size_t)n >= size || memchr(buf, '\0', (size_t)n) || memchr(buf, '\n', (size_t)n))
                return -EBADMSG;
        buf[n] = '\0';
        char *space = strchr(buf, ' ');
        if (ret_text)
                *ret_text = space ? space + 1 : buf + n;
        return 1;
}

bool fwsvc_is(const char *buf, const char *verb) {
        size_t n = strlen(verb);

        return strncmp(buf, verb, n) == 0 && (buf[n] == '\0' || buf[n] == ' ');
}

int fwsvc_state_format(const FwsvcState *st, char *buf, size_t size) {
        int n = snprintf(buf, size, "pid=%d\nportid=%u\nhow=%s\n", (int)st->pid, st->portid, st->how);

        return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}

static int parse_line(FwsvcState *st, char *line) {
        char *eq = strchr(line, '='), *end;
        unsigned long v;

        if (!eq)
                return -EBADMSG;
        *eq++ = '\0';
        if (strcmp(line, "how") == 0) {
                if (strlen(eq) >= sizeof st->how)
                        return -EBADMSG;
                strcpy(st->how, eq);
                return 0;
        }
        errno = 0;
        v = strtoul(eq, &end, 10);
        if (errno != 0 || end == eq || *end != '\0' || v > UINT32_MAX)
                return -EBADMSG;
        if (strcmp(line, "pid") == 0 && v > 0 && v <= INT32_MAX)
                st->pid = (pid_t)v;
        else if (strcmp(line, "portid") == 0)
                st->portid = (uint32_t)v;
        else
                return -EBADMSG;
        return 0;
}

int fwsvc_state_read(const char *path, FwsvcState *ret, RccDiag *diag) {
        _cleanup_free_ char *text = NULL;
        FwsvcState st = {};
        char *save = NULL;
        int r;

        r = file_read_trusted(path, STATE_MAX, false, "state file", &text, NULL, diag);
        if (r < 0)
                return r;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (parse_line(&st, line) < 0)
                        return diag_set(diag, -EBADMSG, path, 0, 0, "cannot parse '%s'", line);
        if (st.pid == 0)
                return diag_set(diag, -EBADMSG, path, 0, 0, "names no pid");
        *ret = st;
        return 0;
}

int fwsvc_same_netns(pid_t pid) {
        struct stat self, other;
        char path[64];

        if (pid <= 0)
                return -EINVAL;
        snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
        if (stat("/proc/self/ns/net", &self) < 0 || stat(path, &other) < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        return self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

int fwsvc_grant_parse(const char *text, FwsvcGrant *ret) {
        FwsvcGrant g = {};
        char addr[64], name[sizeof g.name];
        unsigned long long uid, ttl;
        int end = 0;

        if (!text || sscanf(text, "%llu %llu %63s %253s%n", &uid, &ttl, addr, name, &end) != 4 ||
            text[end] || !isdigit((unsigned char)text[0]) || uid >= UINT32_MAX || ttl > UINT32_MAX)
                return -EBADMSG;
        if (cidr_parse(addr, &g.addr) != CIDR_OK || strchr(addr, '/') ||
            (g.addr.family == AF_INET ? g.addr.prefixlen != 32 : g.addr.prefixlen != 128))
                return -EBADMSG;
        if (!valid_host_name(name))
                return -EBADMSG;
        g.uid = (uid_t)uid;
        g.ttl = (uint32_t)ttl;
        strcpy(g.name, name);
        *ret = g;
        return 0;
}
