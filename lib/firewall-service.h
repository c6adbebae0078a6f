/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-firewalld, as the rest of rcc talks to it. The service holds table inet rcc (the kernel's
 * table owner flag: no other process can change or delete it) and answers on two sockets:
 *
 *   RCC_FIREWALL_CONTROL_SOCKET  root only (0600): rcc-firewall apply, refresh and remove.
 *   RCC_FIREWALL_SESSION_SOCKET  every sandbox account's rcc-shell, for the whole session: it
 *                                learns that the table is held before the container starts, and
 *                                hears when its network is held, resumed or cut.
 *
 * Both are SOCK_SEQPACKET: one message is one line of text, "VERB[ TEXT]", at most
 * FWSVC_MSG_MAX bytes, no newline. The service also writes RCC_FIREWALL_STATE, which pam_rcc and
 * doctor read to know which socket holds the table.
 *
 * Session socket, service to rcc-shell:
 *   ok TEXT      the table is held and whole; TEXT says how ("owner,persist")
 *   refuse TEXT  it is not: the session must not start
 *   hold TEXT    the session's network is stopped (its network helper, net-helper.h) while the
 *                service restores the table
 *   resume TEXT  ...and runs again
 *   cut TEXT     ...and is gone for the rest of the session
 * A service that goes away (EOF) is a hold: rcc-shell stops its account's helpers itself and waits
 * for a service to answer "ok" again (FWSVC_REJOIN_MS), then cuts them.
 *
 * Control socket, rcc-firewall to service: "apply DIR", "refresh DIR", "remove DIR" (DIR: the policy
 * directory meant, absolute; the service refuses one it does not serve). The service answers with
 * any number of "error TEXT", "warning TEXT" and "info TEXT", then "done 0 TEXT" or "done -ERRNO TEXT".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cidr.h"
#include "diag.h"
#include "paths.h"

#define RCC_FIREWALL_CONTROL_SOCKET RCC_RUN_DIR "/firewall.sock"
#define RCC_FIREWALL_SESSION_SOCKET RCC_RUN_DIR "/firewall-session.sock"
#define RCC_FIREWALL_STATE RCC_RUN_DIR "/firewall.state"
/* rcc-dnsrelay to rcc-firewalld: datagrams "grant UID TTL ADDR NAME", each an address that the
 * relay answered for NAME to the account UID, valid TTL seconds. A SOCK_DGRAM socket, mode 0666;
 * the service takes grants only from root and the relay's user (SCM_CREDENTIALS), and checks each
 * against the policy as if nothing of it were true (fwsvc_grant_parse(), firewall/service). */
#define RCC_FIREWALL_DNS_SOCKET RCC_RUN_DIR "/firewall-dns.sock"

#define FWSVC_MSG_MAX 2048
/* How long a session whose service went away waits, its network held, for one to answer again. */
#define FWSVC_REJOIN_MS 30000

/* Connect to the service's socket at path (SOCK_SEQPACKET, close-on-exec). -ENOENT or
 * -ECONNREFUSED: no service is running. */
int fwsvc_connect(const char *path, int *ret_fd);

/* The pid of the service that answers on fd (connected by fwsvc_connect): the process that made
 * the listening socket (SO_PEERCRED), whether or not it holds the table and has a state file. */
int fwsvc_peer_pid(int fd, pid_t *ret);

/* Send one message, "verb text". */
int fwsvc_send(int fd, const char *verb, const char *fmt, ...) _printf_(3, 4);

/* Receive one message into buf (NUL-terminated); *ret_text points after the verb and its space
 * ("" when there is no text). 0 at EOF (buf ""), 1 for a message, or a negative errno; -EBADMSG for
 * a message that is empty, too long or holds a NUL or a newline. */
int fwsvc_recv(int fd, char *buf, size_t size, const char **ret_text);

/* Whether a received message in buf has this verb. */
bool fwsvc_is(const char *buf, const char *verb);

/* What the service wrote to RCC_FIREWALL_STATE: which netlink socket holds the table. */
typedef struct FwsvcState {
        pid_t pid;       /* the service's */
        uint32_t portid; /* the netlink port id that owns the table; 0: held without the owner flag */
        char how[128];   /* "owner,persist", "owner" or why there is no owner ("kernel 5.10 has no ...") */
} FwsvcState;

/* Read and check RCC_FIREWALL_STATE (path: another file, for tests): root's, not writable by
 * others, every line known. -ENOENT when there is none: no service holds the table. */
int fwsvc_state_read(const char *path, FwsvcState *ret, RccDiag *diag);
/* The text of the state file for st. */
int fwsvc_state_format(const FwsvcState *st, char *buf, size_t size);

/* Whether process pid is in the caller's network namespace: 1 yes, 0 no, or a negative errno
 * (-ESRCH: no such process). The run directory is the host's, shared by every namespace: a service
 * answering on its socket may hold its table in a namespace where this caller's sessions are not. */
int fwsvc_same_netns(pid_t pid);

/* One grant of rcc-dnsrelay (RCC_FIREWALL_DNS_SOCKET). */
typedef struct FwsvcGrant {
        uid_t uid;
        uint32_t ttl;   /* seconds */
        Cidr addr;      /* a single address: /32 or /128 */
        char name[254]; /* as the relay asked it: lower case, no final dot */
} FwsvcGrant;

/* The text after "grant ": "UID TTL ADDR NAME". -EBADMSG for anything else (a prefix, a name
 * that is not a valid host name). */
int fwsvc_grant_parse(const char *text, FwsvcGrant *ret);
