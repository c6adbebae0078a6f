/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>

#include "config.h"

#if HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "holder.h"
#include "log.h"
#include "nft-apply.h"
#include "nft-build.h"
#include "nft-commit.h"
#include "nft-query.h"
#include "nft-verify.h"

#define STORE_NAME "nft-owner"
#define PROBE_TABLE "rcc_probe"

/* The owner socket systemd kept for us, if it did: the one named STORE_NAME among LISTEN_FDS. */
static int stored_socket(void) {
#if HAVE_LIBSYSTEMD
        char **names = NULL;
        int n = sd_listen_fds_with_names(true, &names), fd = -EBADF;

        for (int i = 0; i < n; i++) {
                if (fd < 0 && names && strcmp(names[i], STORE_NAME) == 0 &&
                    sd_is_socket(SD_LISTEN_FDS_START + i, AF_NETLINK, SOCK_RAW, -1) > 0)
                        fd = SD_LISTEN_FDS_START + i;
                else
                        close(SD_LISTEN_FDS_START + i);
        }
        for (int i = 0; names && i < n; i++)
                free(names[i]);
        free(names);
        return fd;
#else
        return -EBADF;
#endif
}

/* Leave a copy of the owner socket with systemd (FileDescriptorStoreMax= in the unit). */
static void store_socket(Holder *h) {
#if HAVE_LIBSYSTEMD
        int fd = mnl_socket_get_fd(h->nl);

        if (h->from_store || h->stored || !getenv("NOTIFY_SOCKET"))
                return;
        if (sd_pid_notify_with_fds(0, false, "FDSTORE=1\nFDNAME=" STORE_NAME, &fd, 1) > 0)
                h->stored = true;
        else
                log_warning("systemd did not take the table's socket into its store; a crash of "
                            "rcc-firewalld would end the table on kernels without the persist flag");
#else
        (void)h;
#endif
}

int holder_open(Holder *h, RccDiag *diag) {
        int fd = stored_socket(), one = 1;
        struct sockaddr_nl sa;
        socklen_t len = sizeof sa;
        int r;

        if (fd >= 0) {
                h->nl = mnl_socket_fdopen(fd);
                if (!h->nl) {
                        close(fd);
                        return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
                }
                (void)mnl_socket_setsockopt(h->nl, NETLINK_EXT_ACK, &one, sizeof one);
                (void)mnl_socket_setsockopt(h->nl, NETLINK_CAP_ACK, &one, sizeof one);
                h->from_store = true;
        } else if ((r = nft_socket_open(&h->nl, diag)) < 0)
                return r;
        if (getsockname(mnl_socket_get_fd(h->nl), (struct sockaddr *)&sa, &len) < 0)
                return diag_set(diag, negative_errno(), NULL, 0, 0, "getsockname of the netlink socket: %m");
        h->portid = sa.nl_pid;
        return 0;
}

void holder_close(Holder *h) {
        nft_socket_closep(&h->nl);
        free(h->uids);
        h->uids = NULL;
        h->n_uids = 0;
}

/* Whether this kernel takes table flags: a table named PROBE_TABLE created with them and deleted
 * again in one transaction. The kernel refuses flags it does not know (EOPNOTSUPP) before it
 * commits anything. */
static int probe_flags(Holder *h, uint32_t flags, RccDiag *diag) {
        _cleanup_(nft_batch_done) NftBatch b = {};
        struct nlmsghdr *nlh;
        int r;

        if ((r = nft_batch_begin(&b, 0)) < 0)
                return diag_set(diag, r, NULL, 0, 0, "out of memory");
        for (int i = 0; i < 2; i++) {
                struct nftnl_table *t = nftnl_table_alloc();
                uint16_t type = i == 0 ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE;

                if (!t)
                        return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
                nftnl_table_set_str(t, NFTNL_TABLE_NAME, PROBE_TABLE);
                if (i == 0)
                        nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, flags);
                nlh = nft_batch_msg(&b, type, i == 0 ? NLM_F_CREATE : 0, "table inet %s", PROBE_TABLE);
                if (nlh)
                        nftnl_table_nlmsg_build_payload(nlh, t);
                nftnl_table_free(t);
                if (!nlh || nft_batch_next(&b) < 0)
                        return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        }
        return nft_batch_commit(h->nl, &b, diag);
}

/* The strongest hold this kernel offers: owner and persist (>= 6.9), owner (>= 5.12), or none. */
static int settle_flags(Holder *h, RccDiag *diag) {
        static const struct {
                uint32_t flags;
                const char *how;
        } choices[] = {
                {NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST, "owner,persist"},
                {NFT_TABLE_F_OWNER, "owner (this kernel has no persist flag: Linux >= 6.9)"},
        };
        struct utsname u = {};
        int r;

        if (h->flags_known)
                return 0;
        if (h->no_owner) {
                h->table_flags = 0;
                snprintf(h->how, sizeof h->how, "none (rcc-firewalld --no-owner)");
                h->flags_known = true;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(choices); i++) {
                RccDiag probe = {};

                r = probe_flags(h, choices[i].flags, &probe);
                if (r == -EOPNOTSUPP)
                        continue;
                if (r < 0) {
                        *diag = probe;
                        return r;
                }
                h->table_flags = choices[i].flags;
                snprintf(h->how, sizeof h->how, "%s", choices[i].how);
                h->flags_known = true;
                return 0;
        }
        uname(&u);
        h->table_flags = 0;
        snprintf(
                h->how, sizeof h->how, "none (kernel %s has no table owner flag: Linux >= 5.12)", u.release);
        h->flags_known = true;
        return 0;
}

int holder_set_accounts(Holder *h, const Policy *p) {
        uid_t *uids = calloc(p->n_accounts + 1, sizeof(uid_t));

        if (!uids)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_accounts; i++)
                uids[i] = p->accounts[i].uid;
        free(h->uids);
        h->uids = uids;
        h->n_uids = p->n_accounts;
        return 0;
}

int holder_apply(Holder *h, const Ruleset *rs, const Policy *p, RccDiag *diag) {
        int r;

        if ((r = settle_flags(h, diag)) < 0)
                return r;
        if ((r = nft_apply(h->nl, rs, h->table_flags, diag)) < 0)
                return r;
        snprintf(h->digest, sizeof h->digest, "%s", rs->digest);
        h->held = true;
        if (h->table_flags & NFT_TABLE_F_OWNER)
                store_socket(h);
        if (p && holder_set_accounts(h, p) < 0)
                return diag_set(diag, -ENOMEM, NULL, 0, 0, "out of memory");
        return 0;
}

int holder_refresh(Holder *h, const Ruleset *rs, RccDiag *diag) {
        return nft_refresh(h->nl, rs, diag);
}

int holder_remove(Holder *h, bool *ret_existed, RccDiag *diag) {
        int r = nft_remove(h->nl, ret_existed, diag);

        if (r >= 0)
                h->held = false;
        return r;
}

int holder_check(Holder *h, const Ruleset *rs, bool *ret_whole, char *why, size_t why_size, RccDiag *diag) {
        NftTableInfo info;
        char want[sizeof info.comment];
        bool intact = false;
        int r;

        *ret_whole = false;
        r = nft_query_table(h->nl, &info, diag);
        if (r == -ENOENT) {
                snprintf(why, why_size, "table inet " RCC_TABLE " is gone");
                return 0;
        }
        if (r < 0)
                return r;
        if ((h->table_flags & NFT_TABLE_F_OWNER) && info.owner != h->portid) {
                if (info.flags & NFT_TABLE_F_OWNER)
                        snprintf(
                                why, why_size, "table inet " RCC_TABLE " is held by netlink port %u, not %u",
                                info.owner, h->portid);
                else
                        snprintf(why, why_size, "table inet " RCC_TABLE " has no owner");
                return 0;
        }
        snprintf(want, sizeof want, "%s%s", RCC_DIGEST_PREFIX, rs->digest);
        if (strcmp(info.comment, want) != 0) {
                snprintf(why, why_size, "table inet " RCC_TABLE " is '%s', not '%s'", info.comment, want);
                return 0;
        }
        if ((r = nft_verify(rs, &intact, why, why_size, diag)) < 0)
                return r;
        *ret_whole = intact;
        return 0;
}

int holder_publish(const Holder *h) {
        FwsvcState st = {.pid = getpid(), .portid = (h->table_flags & NFT_TABLE_F_OWNER) ? h->portid : 0};
        char text[512], tmp[] = RCC_FIREWALL_STATE ".XXXXXX";
        _cleanup_close_ int fd = -EBADF;
        size_t len;

        if (!h->held) {
                if (unlink(RCC_FIREWALL_STATE) < 0 && errno != ENOENT)
                        return negative_errno();
                return 0;
        }
        snprintf(st.how, sizeof st.how, "%s", h->how);
        if (fwsvc_state_format(&st, text, sizeof text) < 0)
                return -ENOBUFS;
        len = strlen(text);
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fchmod(fd, 0644) < 0 || write(fd, text, len) != (ssize_t)len ||
            rename(tmp, RCC_FIREWALL_STATE) < 0) {
                int r = negative_errno();
                unlink(tmp);
                return r;
        }
        return 0;
}
