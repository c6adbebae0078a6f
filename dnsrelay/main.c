/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-dnsrelay: the sandbox accounts' DNS server (rcc-dnsrelay(8)). Binds its privileged port,
 * drops to its own unprivileged user, loads the policy through lib/ and relays (relay.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pwd.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"

#if HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "dns.h"
#include "firewall-service.h"
#include "hostfacts.h"
#include "log.h"
#include "macro.h"
#include "policy.h"
#include "relay.h"

#define EXIT_USAGE 2
#define MAX_UPSTREAMS 8

static const char *arg_config = RCC_CONFIG_DIR;
static const char *arg_user = "rcc-dns";
static const char *arg_passwd_file;
static uint16_t arg_port = RCC_DNSRELAY_PORT;
static RelayUpstream arg_upstreams[MAX_UPSTREAMS];
static size_t arg_n_upstreams;

static void help(void) {
        printf("Usage: rcc-dnsrelay [OPTIONS]\n"
               "\n"
               "Answer the DNS queries of rcc's sandbox accounts: in strict mode only for names their\n"
               "policy allows, forwarded to the host's resolvers. See rcc-dnsrelay(8).\n"
               "\n"
               "Options:\n"
               "  -c, --config DIR        policy directory (default %s)\n"
               "  -u, --user NAME         the user to run as once the port is bound (default rcc-dns)\n"
               "  -p, --port N            the port (default %u)\n"
               "      --upstream ADDR[#PORT]  a resolver to forward to instead of the host's (repeatable)\n"
               "      --passwd-file FILE  account names from this passwd(5) file (for tests)\n"
               "  -h, --help              show this help\n"
               "      --version           show the version\n",
               RCC_CONFIG_DIR, RCC_DNSRELAY_PORT);
}

static int parse_upstream(const char *s, uint16_t port, RelayUpstream *ret) {
        char buf[INET6_ADDRSTRLEN + 8];
        char *hash;
        RelayUpstream u = {};

        if (strlen(s) >= sizeof buf)
                return -EINVAL;
        strcpy(buf, s);
        hash = strchr(buf, '#');
        if (hash) {
                char *end;
                unsigned long p = strtoul(hash + 1, &end, 10);
                if (*end || p < 1 || p > 65535)
                        return -EINVAL;
                port = (uint16_t)p;
                *hash = '\0';
        }
        if (inet_pton(AF_INET, buf, &u.sa.in.sin_addr) == 1) {
                u.family = u.sa.in.sin_family = AF_INET;
                u.sa.in.sin_port = htons(port);
        } else if (inet_pton(AF_INET6, buf, &u.sa.in6.sin6_addr) == 1) {
                u.family = u.sa.in6.sin6_family = AF_INET6;
                u.sa.in6.sin6_port = htons(port);
        } else
                return -EINVAL;
        *ret = u;
        return 0;
}

static int parse_argv(int argc, char **argv) {
        enum { ARG_UPSTREAM = 0x100, ARG_PASSWD, ARG_VERSION };
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"user", required_argument, NULL, 'u'},
                {"port", required_argument, NULL, 'p'},
                {"upstream", required_argument, NULL, ARG_UPSTREAM},
                {"passwd-file", required_argument, NULL, ARG_PASSWD},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        unsigned long v;
        char *end;
        int c;

        while ((c = getopt_long(argc, argv, "c:u:p:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        arg_config = optarg;
                        break;
                case 'u':
                        arg_user = optarg;
                        break;
                case 'p':
                        v = strtoul(optarg, &end, 10);
                        if (*end || v < 1 || v > 65535) {
                                log_error("'%s' is not a port; expected 1..65535", optarg);
                                return -EINVAL;
                        }
                        arg_port = (uint16_t)v;
                        break;
                case ARG_UPSTREAM:
                        if (arg_n_upstreams == MAX_UPSTREAMS ||
                            parse_upstream(optarg, 53, &arg_upstreams[arg_n_upstreams]) < 0) {
                                log_error(
                                        "'%s' is not a resolver address (ADDR or ADDR#PORT), or one too many",
                                        optarg);
                                return -EINVAL;
                        }
                        arg_n_upstreams++;
                        break;
                case ARG_PASSWD:
                        arg_passwd_file = optarg;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("rcc-dnsrelay " RCC_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind != argc) {
                log_error("unexpected argument '%s'; see rcc-dnsrelay --help", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

/* The resolvers to forward to: --upstream, else the policy's resolvers, else the host's as
 * rcc-firewall finds them for `resolvers: auto` (one source for both). */
static int find_upstreams(const Policy *p) {
        _cleanup_free_ Cidr *found = NULL;
        const Cidr *list;
        size_t n = 0;
        char buf[CIDR_STRLEN];
        int r;

        if (arg_n_upstreams > 0)
                return 0;
        if (p->defaults.resolvers_auto) {
                r = hostfacts_read_resolvers("/etc/resolv.conf", &found, &n);
                if (r < 0)
                        return log_errno(r, "cannot read the host's resolvers from /etc/resolv.conf: %m");
                list = found;
        } else {
                list = p->defaults.resolvers;
                n = p->defaults.n_resolvers;
        }
        for (size_t i = 0; i < n && arg_n_upstreams < MAX_UPSTREAMS; i++)
                if (parse_upstream(
                            cidr_format(&list[i], buf, sizeof buf), 53, &arg_upstreams[arg_n_upstreams]) ==
                    0)
                        arg_n_upstreams++;
        if (arg_n_upstreams == 0) {
                log_error("no resolver to forward to: none in /etc/resolv.conf or the policy's resolvers");
                return -EDESTADDRREQ;
        }
        return 0;
}

static int load_policy(Policy **ret) {
        PolicyOptions opts = {.passwd_file = arg_passwd_file};
        RccDiag diag = {};
        int r = policy_load(arg_config, &opts, ret, &diag);
        return r < 0 ? log_diag(r, &diag) : 0;
}

static int open_sockets(int *ret_udp, int *ret_tcp) {
        _cleanup_close_ int udp = -EBADF, tcp = -EBADF;
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(arg_port)};
        int one = 1;

        /* The wildcard address, because the relay addresses are many (one per account, all of
         * 127.0.0.0/8); what arrives elsewhere is dropped (rcc_dnsrelay_uid()). */
        udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (udp < 0 || tcp < 0)
                return log_errno(-errno, "cannot create the relay's sockets: %m");
        if (setsockopt(udp, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
            setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
                return log_errno(-errno, "cannot set up the relay's sockets: %m");
        if (bind(udp, (struct sockaddr *)&sa, sizeof sa) < 0 ||
            bind(tcp, (struct sockaddr *)&sa, sizeof sa) < 0)
                return log_errno(-errno, "cannot bind port %u: %m", arg_port);
        if (listen(tcp, 64) < 0)
                return log_errno(-errno, "cannot listen on port %u: %m", arg_port);
        *ret_udp = TAKE_FD(udp);
        *ret_tcp = TAKE_FD(tcp);
        return 0;
}

/*
 * Privileges: the relay needs them only to bind a port below 1024. Started as root, it becomes
 * arg_user for good: supplementary groups first, then the gid, then the uid (after setuid() the
 * others could no longer be changed), and a check that root cannot be regained. Started by
 * systemd as its user with CAP_NET_BIND_SERVICE, it clears every capability it was given. Either
 * way nothing that answers a packet runs with a privilege, and no-new-privs keeps it so.
 */
static int drop_privileges(void) {
        if (geteuid() == 0) {
                struct passwd *pw = getpwnam(arg_user);
                if (!pw)
                        return log_errno(
                                -ESRCH, "no user '%s' to run as (rcc-setup install creates it)", arg_user);
                if (pw->pw_uid == 0)
                        return log_errno(-EPERM, "refusing to run as '%s', which is root", arg_user);
                if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
                        return log_errno(-errno, "cannot become '%s': %m", arg_user);
                if (setuid(0) == 0)
                        return log_errno(-EPERM, "could become root again after dropping to '%s'", arg_user);
        }
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[2] = {};
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 ||
            syscall(SYS_capset, &hdr, data) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_errno(-errno, "cannot drop capabilities: %m");
        return 0;
}

/* Hand the addresses answered for an allowlisted name to rcc-firewalld, which checks them again
 * and adds them to the account's sets. A datagram each, never waited for: a service that is
 * away or busy loses them, and the name stays closed until the next answer. */
static void on_answered(void *userdata, uid_t uid, const char *name, const DnsAddr *addrs, size_t n) {
        int fd = *(int *)userdata;
        struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = RCC_FIREWALL_DNS_SOCKET};
        char buf[CIDR_STRLEN], msg[FWSVC_MSG_MAX];

        for (size_t i = 0; i < n; i++) {
                int len = snprintf(
                        msg, sizeof msg, "grant %u %u %s %s", (unsigned)uid, addrs[i].ttl,
                        cidr_format(&addrs[i].addr, buf, sizeof buf), name);
                if (len < 0 || (size_t)len >= sizeof msg)
                        continue;
                if (fd < 0 ||
                    sendto(fd, msg, (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof sa) < 0)
                        log_msg(LOG_DEBUG, "uid %u: '%s' is %s for %us, not handed to rcc-firewalld: %m",
                                (unsigned)uid, name, buf, addrs[i].ttl);
        }
}

typedef struct State {
        Policy *policy;
        int grant_fd;
} State;

static int reload(Relay *relay, void *userdata) {
        State *s = userdata;
        Policy *p = NULL;

        if (load_policy(&p) < 0) {
                log_warning("keeping the policy loaded before");
                return -EINVAL;
        }
        relay_set_policy(relay, p);
        policy_free(s->policy);
        s->policy = p;
        log_info("policy reloaded from %s", arg_config);
        return 0;
}

static int serve(void) {
        _cleanup_close_ int udp = -EBADF, tcp = -EBADF, sfd = -EBADF;
        State s = {.grant_fd = -EBADF};
        Relay *relay = NULL;
        sigset_t mask;
        int r;

        r = load_policy(&s.policy);
        if (r < 0)
                return r;
        r = find_upstreams(s.policy);
        if (r < 0)
                goto out;
        r = open_sockets(&udp, &tcp);
        if (r < 0)
                goto out;
        r = drop_privileges();
        if (r < 0)
                goto out;
        sigemptyset(&mask);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                r = log_errno(-errno, "signalfd: %m");
                goto out;
        }
        r = relay_new(udp, tcp, arg_upstreams, arg_n_upstreams, &relay);
        if (r < 0) {
                log_errno(r, "cannot start the relay: %m");
                goto out;
        }
        relay_set_policy(relay, s.policy);
        s.grant_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        relay_set_answered(relay, on_answered, &s.grant_fd);
        log_info(
                "relaying DNS on port %u for %zu accounts, to %zu resolvers", arg_port, s.policy->n_accounts,
                arg_n_upstreams);
#if HAVE_LIBSYSTEMD
        (void)sd_notify(false, "READY=1");
#endif
        r = relay_run(relay, sfd, reload, &s);
        RelayStats st;
        relay_stats(relay, &st);
        log_info(
                "stopping: %" PRIu64 " queries, %" PRIu64 " forwarded, %" PRIu64 " refused (%" PRIu64
                " names not allowlisted), %" PRIu64 " timed out, %" PRIu64 " dropped",
                st.queries, st.forwarded, st.refused, st.denied_names, st.timeouts, st.dropped);
out:
        if (s.grant_fd >= 0)
                close(s.grant_fd);
        relay_free(relay);
        policy_free(s.policy);
        return r;
}

int main(int argc, char **argv) {
        int r;

        log_open("rcc-dnsrelay");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        return serve() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
