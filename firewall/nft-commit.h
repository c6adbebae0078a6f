/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sending a batch to the kernel (nft-commit.c): the write side of nft-netlink.h. */
#pragma once

#include "nft-netlink.h"

/* End the batch, send it and read every acknowledgement. 0 when the kernel committed all of it;
 * otherwise the first error, named down to the set element or rule expression the kernel blamed. */
int nft_batch_commit(struct mnl_socket *nl, NftBatch *b, RccDiag *diag);
