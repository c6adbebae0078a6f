/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sealing an account's image once it is imported (lib/image-seal.h says what a seal holds and why):
 * first a container is created and removed as a session would create it (--userns=keep-id), so that
 * podman makes its mapped copy of the layers now, and the seal covers it; then the seal is written
 * root-owned to RCC_STORAGE_DIR/UID/image.seal, where rcc-shell checks it before every session.
 */
#pragma once

#include "policy.h"

/* Seal the image a->settings.image in a's storage; env is podman's environment for the account. */
int seal_account_image(const Account *a, const char *home, const char *const *env);
