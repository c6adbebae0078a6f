/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the policy tests: temporary policy trees and loading them with the test passwd file. */
#pragma once

#include <stdio.h>
#include <sys/types.h>

#include "policy.h"

/* snprintf() into an array, failing the test rather than truncating. */
#define PATHF(buf, ...) assert_true((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf))

/* tests/fixtures, from argv[1] or $RCC_FIXTURES; exits when neither is given. */
extern const char *fixtures;
void fixtures_init(int argc, char *argv[]);

/* The fixtures' passwd file, files owned by the caller allowed. */
PolicyOptions test_options(void);

void write_file(const char *dir, const char *name, const char *text, mode_t mode);
char *read_text(const char *path);
char *make_tempdir(void);
void mkdir_in(const char *dir, const char *name, mode_t mode);
void chmod_in(const char *dir, const char *name, mode_t mode);
/* A copy of fixture dir src (rcc.yaml, accounts.d/ *) in a new temporary directory, modes 0644/0755. */
char *copy_fixture(const char *src);
/* DIR/rcc.yaml and, if account_name, DIR/accounts.d/ACCOUNT_NAME, in a new temporary directory. */
char *make_policy_dir(const char *defaults, const char *account_name, const char *account);
/* rm -r dir, then free(dir). */
void remove_tree(char *dir);

/* Load dir and expect failure with exactly this message ("DIR/" removed); *ret stays untouched. */
void expect_load_error(const char *dir, const PolicyOptions *opts, const char *expected);
Policy *load_ok(const char *dir, const PolicyOptions *opts);
/* Copy good/NAME to a temporary directory and load it. */
Policy *load_fixture(const char *name, char **ret_dir);
