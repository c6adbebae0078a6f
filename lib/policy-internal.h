/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What policy-load.c, policy-schema.c and policy.c share; not for other components. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "policy.h"
#include "user.h"
#include "yaml-tree.h"

typedef enum PolicyFileKind {
        POLICY_FILE_DEFAULTS, /* rcc.yaml */
        POLICY_FILE_ACCOUNT,  /* accounts.d/NAME.yaml */
} PolicyFileKind;

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

/* What rcc.yaml starts from: public mode, automatic resolvers, the default read-only paths,
 * image and command, no limits, no users. */
int settings_builtin_defaults(Arena *a, Settings *ret);

/* Validate one file's tree and apply it on top of base (see docs/policy.md for the merge rules).
 * file must live in a; ret_owner gets the account's owner, or NULL. */
int policy_schema_apply(
        Arena *a, const YNode *root, const char *file, PolicyFileKind kind, const Settings *base,
        Settings *ret, const char **ret_owner, RccDiag *diag);

/* policy-values.c. The parsers take decimal digits only (no sign, blanks or 0x) and return
 * -EINVAL for malformed text, -ERANGE for a value too large; *ret is set only on success. */

/* Digits at the start of s, their value saturated at UINT64_MAX; returns how many there were. */
size_t parse_digits(const char *s, uint64_t *ret);
/* Bytes, or a whole number with k, m, g or t (binary multiples, either case): "8g". */
int parse_memory_size(const char *s, uint64_t *ret);
/* Thousandths of a positive or zero number with up to 3 decimals: "0.5" is 500. */
int parse_milli(const char *s, uint32_t *ret);
int parse_uint32(const char *s, uint32_t *ret);
/* Dot-separated letter-digit-hyphen labels of 1..63, at most 253 in all, last label not numeric. */
bool valid_host_name(const char *s);
/* An address, a prefix, or something getaddrinfo() would read as one ("10.1", "0x7f.1"). */
bool host_looks_like_address(const char *s);
