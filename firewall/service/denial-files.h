/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file in each session's container that lists what the network policy refused this session
 * (issue 17): RCC_DENIALS_DIR/PID/RCC_DENIALS_FILE on the host (lib/paths.h), written by
 * rcc-firewalld alone. Every path is root's from RCC_RUN_DIR down and its last part is a number the
 * kernel gave (the peer's pid), so nothing the account controls steers where root writes. The file
 * is replaced whole (rename) at most once every DENIAL_FILE_INTERVAL_MS, and holds at most
 * DENIAL_FILE_MAX bytes.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "denial.h"

#define DENIAL_FILE_MAX (32 * 1024)
#define DENIAL_FILE_INTERVAL_MS 1000

struct Account;

/* Make (or take back, after a restart of the service) the directory of the session whose rcc-shell
 * is pid, for the account's group, and write its file from l. */
int denial_file_create(pid_t pid, gid_t gid, const struct Account *a, const DenialList *l);
/* Replace the session's file with l's text. */
int denial_file_write(pid_t pid, gid_t gid, const struct Account *a, const DenialList *l);
/* The session ended: its file and directory go. */
void denial_file_remove(pid_t pid);
/* At the service's start: remove the directories of sessions whose rcc-shell is gone. */
void denial_files_prune(void);
