/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Talking to nf_tables (nft-netlink.c): the netlink plumbing, done the way nftables' own src/mnl.c
 * does it:
 *
 *   - one socket per operation, extended acks on;
 *   - requests and dumps, read until their acknowledgement or end, retried when a concurrent
 *     change interrupts a dump;
 *   - batches: a multi-page nftnl_batch between BEGIN and END (nft-commit.c sends it and reads
 *     every acknowledgement back);
 *   - errno -> what to do about it, for RccDiag.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ruleset.h"

struct mnl_socket;
struct nlmsghdr;
struct nftnl_batch;
struct nftnl_table;

#define NFT_REPLY_TIMEOUT_MS 10000

/* A NETLINK_NETFILTER socket with extended acks on and acks capped to the header. */
int nft_socket_open(struct mnl_socket **ret, RccDiag *diag);
void nft_socket_closep(struct mnl_socket **nl);

/* Fill diag with what went wrong talking to the kernel about `what` ("set allow4_1001") and what to
 * do about it; extack is the kernel's own explanation or NULL. Returns r (negative errno). */
int nft_diag_errno(RccDiag *diag, int r, const char *what, const char *extack);

/* Called for each reply message of a request or dump; a negative errno stops the exchange (after
 * the rest of the replies are read) and becomes its result. */
typedef int (*NftReplyCallback)(const struct nlmsghdr *nlh, void *userdata);

/* Send one request (its sequence number is filled in) and read replies until its acknowledgement or
 * the end of its dump. Returns 0, -EINTR when a dump was interrupted by a concurrent change (the
 * caller retries), or a negative errno (the kernel's, the callback's or the socket's); extack (may be
 * NULL) gets the kernel's explanation if any. */
int nft_talk(
        struct mnl_socket *nl, struct nlmsghdr *req, NftReplyCallback cb, void *userdata, char *extack,
        size_t extack_size);

/* What one message of a batch is about, for error messages. */
typedef struct NftMsgInfo {
        char what[96];         /* "rule 3 of chain acct_1001" */
        const RulesetSet *set; /* element messages: the set (NULL: the accounts map) */
        uint32_t *elem_off;    /* element messages: where each element starts in the message */
        uint32_t *elem_idx;    /* ... and which of set->elems (or which account) it encodes */
        uint32_t n_elems;
        bool answered;
} NftMsgInfo;

typedef struct NftBatch {
        struct nftnl_batch *nb;
        uint32_t seq0; /* BATCH_BEGIN's; message i has seq0 + 1 + i, then comes BATCH_END */
        NftMsgInfo *msgs;
        size_t n_msgs, allocated;
} NftBatch;

/* Start a batch; with genid != 0 the kernel applies it only if the ruleset is still at genid. */
int nft_batch_begin(NftBatch *b, uint32_t genid);
void nft_batch_done(NftBatch *b);
/* Start the next message (family inet, acknowledged) in the batch buffer, described by fmt. The
 * caller puts the payload, may annotate nft_batch_last(), and calls nft_batch_next(). NULL on ENOMEM. */
struct nlmsghdr *nft_batch_msg(NftBatch *b, uint16_t type, uint16_t flags, const char *fmt, ...)
        _printf_(4, 5);
NftMsgInfo *nft_batch_last(NftBatch *b);
int nft_batch_next(NftBatch *b);
/* Append BATCH_END (nft-commit.c, before it sends the batch). */
int nft_batch_end(NftBatch *b);

/* The kernel's explanation (NLMSGERR_ATTR_MSG) of an error acknowledgement into buf ("" if none),
 * and the offset of the attribute it blames (NLMSGERR_ATTR_OFFS, 0 if none) into *ret_off. */
void nft_parse_extack(const struct nlmsghdr *nlh, char *buf, size_t size, uint32_t *ret_off);

/* Where each field of a set key lives: nft stores every field of a concatenation in whole 32-bit
 * registers, so the key is addr | proto padded to 4 | port (big endian) padded to 4. */
typedef struct NftKeyLayout {
        bool concat;
        unsigned addr_len; /* 4 or 16 */
        unsigned key_len;  /* bytes of the whole key */
} NftKeyLayout;

static inline NftKeyLayout nft_key_layout(SetKey key) {
        switch (key) {
        case SET_KEY_IPV4:
                return (NftKeyLayout){.concat = false, .addr_len = 4, .key_len = 4};
        case SET_KEY_IPV6:
                return (NftKeyLayout){.concat = false, .addr_len = 16, .key_len = 16};
        case SET_KEY_IPV4_PROTO_PORT:
                return (NftKeyLayout){.concat = true, .addr_len = 4, .key_len = 4 + 4 + 4};
        case SET_KEY_IPV6_PROTO_PORT:
                return (NftKeyLayout){.concat = true, .addr_len = 16, .key_len = 16 + 4 + 4};
        }
        return (NftKeyLayout){.concat = false, .addr_len = 0, .key_len = 0};
}

/* "10.0.0.0-10.255.255.255 . 6-6 . 22-22" for error messages; buf needs >= NFT_ELEM_STRLEN. */
#define NFT_ELEM_STRLEN 160
const char *nft_format_elem(SetKey key, const SetElem *e, char *buf, size_t size);

/* Receive buffer for one recv(): the largest nf_tables message is a bit over 64 KiB. */
#define NFT_RECV_BUFSIZE (128u * 1024)
