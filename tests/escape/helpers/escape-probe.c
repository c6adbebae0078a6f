/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * escape-probe: the system calls the escape suite's attacks need that the busybox test image has no
 * tool for. Static, so the runner copies it into the project and an attack runs it from /workspace.
 * Each subcommand makes one attempt and prints one line saying what the kernel answered:
 *
 *   connect tcp|udp ADDR PORT MS   a connection (ADDR may be IPv6, v4-mapped, or fe80::1%IFACE);
 *                                  "reached LINE" (exit 0) or "failed ERRNO" / "timeout" (exit 1)
 *   tiocsti TEXT                   TIOCSTI of TEXT into every terminal it holds or can open;
 *                                  "fd0=/dev/pts/0:ok /dev/tty:ENXIO ..."
 *   tiocsti-stdin TEXT             the same into standard input only (the runner's control, on
 *                                  the host: never the host's /dev/console)
 *   ptrace PID                     PTRACE_SEIZE (detached again at once): "ok" or the errno
 *   abstract NAME                  connect to the abstract unix stream socket @NAME
 *   abstract-self                  control: listen on an abstract socket of its own and connect
 *   membomb MB [HOLD]              allocate and touch MB MiB, 16 MiB at a time; how far it got;
 *                                  then keep it for HOLD seconds
 *   nftdel FAMILY TABLE            one nftables netlink batch deleting FAMILY TABLE; the ack
 *   setfcap PATH                   write a security.capability xattr granting CAP_SYS_ADMIN
 *
 * Errors are named (EPERM, ...), so the attack scripts can tell a refusal from a broken attack.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>
/* After the libc headers: linux/netfilter.h pulls in linux/in.h, which defers to netinet/in.h. */
#include <linux/capability.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

static const char *errname(int e) {
        switch (e) {
        case EPERM:
                return "EPERM";
        case ENOENT:
                return "ENOENT";
        case ESRCH:
                return "ESRCH";
        case EACCES:
                return "EACCES";
        case EBADF:
                return "EBADF";
        case EBUSY:
                return "EBUSY";
        case EINVAL:
                return "EINVAL";
        case ENOTTY:
                return "ENOTTY";
        case ENXIO:
                return "ENXIO";
        case EIO:
                return "EIO";
        case ENOMEM:
                return "ENOMEM";
        case EROFS:
                return "EROFS";
        case ENOTSUP:
                return "ENOTSUP";
        case ENETUNREACH:
                return "ENETUNREACH";
        case EHOSTUNREACH:
                return "EHOSTUNREACH";
        case ECONNREFUSED:
                return "ECONNREFUSED";
        case ECONNRESET:
                return "ECONNRESET";
        case ETIMEDOUT:
                return "ETIMEDOUT";
        case EADDRNOTAVAIL:
                return "EADDRNOTAVAIL";
        case EAFNOSUPPORT:
                return "EAFNOSUPPORT";
        case EPROTONOSUPPORT:
                return "EPROTONOSUPPORT";
        case EAGAIN:
                return "EAGAIN";
        case ENOSYS:
                return "ENOSYS";
        case ENODEV:
                return "ENODEV";
        default:
                break;
        }
        static char buf[32];
        snprintf(buf, sizeof buf, "errno%d", e);
        return buf;
}

static int usage(void) {
        fprintf(stderr,
                "usage: escape-probe connect|tiocsti|ptrace|abstract|abstract-self|membomb|nftdel|setfcap ...\n");
        return 2;
}

/* ---- connect ---- */

static int parse_addr(const char *text, unsigned port, struct sockaddr_storage *ss, socklen_t *len) {
        char buf[128];
        char *pct;

        snprintf(buf, sizeof buf, "%s", text);
        memset(ss, 0, sizeof *ss);
        pct = strchr(buf, '%');
        if (pct)
                *pct++ = '\0';
        if (strchr(buf, ':')) {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t)port);
                if (inet_pton(AF_INET6, buf, &s6->sin6_addr) != 1)
                        return -1;
                if (pct) {
                        s6->sin6_scope_id = if_nametoindex(pct);
                        if (!s6->sin6_scope_id)
                                return -1;
                }
                *len = sizeof *s6;
        } else {
                struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t)port);
                if (inet_pton(AF_INET, buf, &s4->sin_addr) != 1)
                        return -1;
                *len = sizeof *s4;
        }
        return 0;
}

static int wait_fd(int fd, short events, int ms) {
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, ms);
        return n;
}

static int print_reply(int fd, int ms) {
        char buf[256];
        ssize_t n;

        if (wait_fd(fd, POLLIN, ms) <= 0) {
                puts("timeout (no reply)");
                return 1;
        }
        n = recv(fd, buf, sizeof buf - 1, 0);
        if (n < 0) {
                printf("failed %s\n", errname(errno));
                return 1;
        }
        if (n == 0) {
                puts("failed closed-without-reply");
                return 1;
        }
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
        printf("reached %s\n", buf);
        return 0;
}

static int cmd_connect(int argc, char **argv) {
        struct sockaddr_storage ss;
        socklen_t len;
        int ms, fd, udp, err;
        socklen_t errlen = sizeof err;

        if (argc != 6)
                return usage();
        udp = strcmp(argv[2], "udp") == 0;
        ms = atoi(argv[5]);
        if (parse_addr(argv[3], (unsigned)atoi(argv[4]), &ss, &len) < 0) {
                printf("broken: cannot parse address %s\n", argv[3]);
                return 2;
        }
        fd = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                printf("failed socket %s\n", errname(errno));
                return 1;
        }
        if (udp) {
                if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
                        printf("failed %s\n", errname(errno));
                        return 1;
                }
                for (int i = 0; i < 3; i++) {
                        if (send(fd, "q\n", 2, 0) < 0) {
                                printf("failed %s\n", errname(errno));
                                return 1;
                        }
                        if (wait_fd(fd, POLLIN, ms / 3) > 0)
                                return print_reply(fd, 0);
                }
                puts("timeout (no reply)");
                return 1;
        }
        if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
                printf("failed %s\n", errname(errno));
                return 1;
        }
        if (wait_fd(fd, POLLOUT, ms) <= 0) {
                puts("timeout (connect)");
                return 1;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err) {
                printf("failed %s\n", errname(err));
                return 1;
        }
        return print_reply(fd, ms);
}

/* ---- tiocsti ---- */

static void sti(const char *what, int fd, const char *text) {
        char path[64] = "?", link[256];
        ssize_t n;

        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        n = readlink(path, link, sizeof link - 1);
        link[n < 0 ? 0 : n] = '\0';
        if (!isatty(fd)) {
                printf(" %s=%s:not-a-tty", what, link);
                return;
        }
        for (const char *c = text; *c; c++)
                if (ioctl(fd, TIOCSTI, c) < 0) {
                        printf(" %s=%s:%s", what, link, errname(errno));
                        return;
                }
        printf(" %s=%s:ok", what, link);
}

static int cmd_tiocsti(int argc, char **argv) {
        static const char *const paths[] = {"/dev/tty", "/dev/console", "/dev/ptmx", NULL};
        char what[16];

        if (argc != 3)
                return usage();
        printf("tiocsti:");
        for (int fd = 0; fd <= 2; fd++) {
                snprintf(what, sizeof what, "fd%d", fd);
                sti(what, fd, argv[2]);
        }
        for (size_t i = 0; paths[i]; i++) {
                int fd = open(paths[i], O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (fd < 0) {
                        printf(" %s:open-%s", paths[i], errname(errno));
                        continue;
                }
                sti(paths[i], fd, argv[2]);
                close(fd);
        }
        printf("\n");
        return 0;
}

/* ---- ptrace ---- */

static int cmd_ptrace(int argc, char **argv) {
        pid_t pid;

        if (argc != 3)
                return usage();
        pid = (pid_t)atoi(argv[2]);
        if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
                printf("%s\n", errname(errno));
                return 1;
        }
        /* Attached: prove it with an interrupt, then let go. */
        ptrace(PTRACE_INTERRUPT, pid, NULL, NULL);
        waitpid(pid, NULL, __WALL);
        ptrace(PTRACE_DETACH, pid, NULL, NULL);
        puts("ok");
        return 0;
}

/* ---- abstract unix sockets ---- */

static socklen_t abstract_addr(const char *name, struct sockaddr_un *sun) {
        size_t n = strlen(name);

        memset(sun, 0, sizeof *sun);
        sun->sun_family = AF_UNIX;
        if (n > sizeof sun->sun_path - 1)
                n = sizeof sun->sun_path - 1;
        memcpy(sun->sun_path + 1, name, n);
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int cmd_abstract(int argc, char **argv) {
        struct sockaddr_un sun;
        socklen_t len;
        int fd;

        if (argc != 3)
                return usage();
        len = abstract_addr(argv[2], &sun);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sun, len) < 0) {
                printf("failed %s\n", errname(errno));
                return 1;
        }
        printf("connected, ");
        print_reply(fd, 2000);
        return 0;
}

static int cmd_abstract_self(void) {
        struct sockaddr_un sun;
        char name[64];
        socklen_t len;
        int l, c, a;

        snprintf(name, sizeof name, "rccesc-self-%d", (int)getpid());
        len = abstract_addr(name, &sun);
        l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&sun, len) < 0 || listen(l, 1) < 0) {
                printf("failed listen %s\n", errname(errno));
                return 1;
        }
        if (connect(c, (struct sockaddr *)&sun, len) < 0) {
                printf("failed connect %s\n", errname(errno));
                return 1;
        }
        a = accept(l, NULL, NULL);
        if (a < 0 || write(a, "self\n", 5) != 5) {
                printf("failed accept %s\n", errname(errno));
                return 1;
        }
        return print_reply(c, 2000);
}

/* ---- memory ---- */

static void *volatile membomb_head; /* every chunk stays reachable: nothing is optimised away */

static int cmd_membomb(int argc, char **argv) {
        const size_t chunk = 16u << 20;
        long want, got = 0;

        if (argc != 3 && argc != 4)
                return usage();
        want = atol(argv[2]);
        while (got < want) {
                char *p = malloc(chunk);
                if (!p) {
                        printf("stopped after %ld MiB of %ld: %s\n", got, want, errname(errno));
                        if (argc == 4)
                                sleep((unsigned)atoi(argv[3]));
                        return 1;
                }
                memset(p, 0xa5, chunk);
                *(void **)p = membomb_head;
                membomb_head = p;
                got += 16;
        }
        printf("allocated all %ld MiB\n", got);
        if (argc == 4)
                sleep((unsigned)atoi(argv[3]));
        return 0;
}

/* ---- nftables over netlink ---- */

static void put_msg(
        char *buf, size_t *off, uint16_t type, uint16_t flags, uint32_t seq, uint8_t family, uint16_t res_id,
        const char *name) {
        struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + *off);
        struct nfgenmsg *nfg = (struct nfgenmsg *)NLMSG_DATA(nlh);
        size_t len = NLMSG_LENGTH(sizeof *nfg);

        memset(nlh, 0, NLMSG_SPACE(sizeof *nfg));
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
        nlh->nlmsg_seq = seq;
        nfg->nfgen_family = family;
        nfg->version = NFNETLINK_V0;
        nfg->res_id = htons(res_id);
        if (name) {
                struct nlattr *nla = (struct nlattr *)(buf + *off + NLMSG_ALIGN(len));
                size_t n = strlen(name) + 1;
                nla->nla_type = NFTA_TABLE_NAME;
                nla->nla_len = (uint16_t)(NLA_HDRLEN + n);
                memcpy((char *)nla + NLA_HDRLEN, name, n);
                len = NLMSG_ALIGN(len) + NLA_ALIGN(nla->nla_len);
        }
        nlh->nlmsg_len = (uint32_t)len;
        *off += NLMSG_ALIGN(len);
}

static int cmd_nftdel(int argc, char **argv) {
        char buf[1024] = {0}, ack[8192];
        struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
        size_t off = 0;
        uint8_t family;
        ssize_t n;
        int fd;

        if (argc != 4)
                return usage();
        family = strcmp(argv[2], "ip") == 0    ? NFPROTO_IPV4
                 : strcmp(argv[2], "ip6") == 0 ? NFPROTO_IPV6
                                               : NFPROTO_INET;
        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        if (fd < 0) {
                printf("socket %s\n", errname(errno));
                return 1;
        }
        put_msg(buf, &off, NFNL_MSG_BATCH_BEGIN, 0, 1, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NULL);
        put_msg(buf, &off, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELTABLE, NLM_F_ACK, 2, family, 0, argv[3]);
        put_msg(buf, &off, NFNL_MSG_BATCH_END, 0, 3, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NULL);
        if (sendto(fd, buf, off, 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
                printf("send %s\n", errname(errno));
                return 1;
        }
        if (wait_fd(fd, POLLIN, 2000) <= 0) {
                puts("no ack");
                return 1;
        }
        n = recv(fd, ack, sizeof ack, 0);
        if (n < 0) {
                printf("recv %s\n", errname(errno));
                return 1;
        }
        for (struct nlmsghdr *h = (struct nlmsghdr *)ack; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
                if (h->nlmsg_type == NLMSG_ERROR) {
                        const struct nlmsgerr *e = (const struct nlmsgerr *)NLMSG_DATA(h);
                        if (e->error) {
                                printf("%s\n", errname(-e->error));
                                return 1;
                        }
                        puts("deleted");
                        return 0;
                }
        puts("no error message in the ack");
        return 1;
}

/* ---- file capabilities ---- */

static int cmd_setfcap(int argc, char **argv) {
        struct vfs_cap_data cap = {0};

        if (argc != 3)
                return usage();
        cap.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE;
        cap.data[0].permitted = 1u << CAP_SYS_ADMIN;
        if (setxattr(argv[2], "security.capability", &cap, XATTR_CAPS_SZ_2, 0) < 0) {
                printf("%s\n", errname(errno));
                return 1;
        }
        puts("ok");
        return 0;
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2)
                return usage();
        if (strcmp(argv[1], "connect") == 0)
                return cmd_connect(argc, argv);
        if (strcmp(argv[1], "tiocsti") == 0)
                return cmd_tiocsti(argc, argv);
        if (strcmp(argv[1], "tiocsti-stdin") == 0 && argc == 3) {
                printf("tiocsti:");
                sti("fd0", STDIN_FILENO, argv[2]);
                printf("\n");
                return 0;
        }
        if (strcmp(argv[1], "ptrace") == 0)
                return cmd_ptrace(argc, argv);
        if (strcmp(argv[1], "abstract") == 0)
                return cmd_abstract(argc, argv);
        if (strcmp(argv[1], "abstract-self") == 0)
                return cmd_abstract_self();
        if (strcmp(argv[1], "membomb") == 0)
                return cmd_membomb(argc, argv);
        if (strcmp(argv[1], "nftdel") == 0)
                return cmd_nftdel(argc, argv);
        if (strcmp(argv[1], "setfcap") == 0)
                return cmd_setfcap(argc, argv);
        return usage();
}
