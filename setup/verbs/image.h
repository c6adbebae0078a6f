/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the two halves of rcc-setup image share: image.c imports a tarball into the accounts'
 * storage, image-build.c builds the default image and hands its tarball to the same import.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "verbs.h"

/* Seconds on the monotonic clock, for the durations the steps print. */
double image_now(void);

/* "1.23 GB" or "456 MB". */
void image_format_size(uint64_t bytes, char *buf, size_t size);

/* The policy, with the accounts to act on: --account NAME, or every sandbox account in it. */
int image_load_targets(const SetupArgs *args, Policy **ret);

/* Import tarball into the storage of each account of p that --account names (all without it),
 * and seal it there; the first error, after trying every account. */
int image_import_all(const SetupArgs *args, const Policy *p, const char *tarball);

/* image build [--mirror URL] [--output TARBALL]; argv[0] is "build". */
int image_build(const SetupArgs *args, int argc, char **argv);
