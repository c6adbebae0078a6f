/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure parsers behind `rcc-setup doctor` and `rcc-setup image`: text in, facts out, no I/O, so
 * that each is unit-tested on its own (tests/unit/test-doctor-parse.c). The callers read the files
 * and run the programs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What /etc/subuid (or /etc/subgid) grants one account. Lines are "NAME:START:COUNT" or
 * "UID:START:COUNT"; an account may have several ranges. */
typedef struct SubidReport {
        uint64_t total;         /* ids in the account's ranges, summed */
        unsigned n_ranges;      /* how many lines name the account */
        bool overlap;           /* one of its ranges overlaps another owner's */
        char overlap_with[64];  /* that owner, as the file spells it */
        uint64_t overlap_start; /* the first id both ranges hold */
        unsigned n_bad_lines;   /* lines that are not NAME:START:COUNT */
} SubidReport;

/* Examine text (a whole subuid/subgid file) for the account name/uid. */
void subid_examine(const char *text, const char *name, uid_t uid, SubidReport *ret);

/* `sshd -T -C user=…` output for a sandbox account, checked against what rcc's drop-in sets.
 * Returns true if it holds; otherwise false with the first difference in why (one line). */
bool sshd_effective_ok(
        const char *text, const char *forced_command, const char *keys_dir, char *why, size_t why_size);

/* "podman version 4.3.1" → 4, 3. Returns false if text is not podman's --version line. */
bool podman_version_parse(const char *text, unsigned *ret_major, unsigned *ret_minor);

/* The OCI runtime containers.conf names in its [engine] section (runtime = "runc"), into buf;
 * returns false when it names none (podman then picks its default, crun where installed). */
bool containers_conf_runtime(const char *text, char *buf, size_t size);

/* The first http(s) Debian mirror for suite in an APT sources file: one-line format
 * ("deb [opts] URL SUITE COMPONENTS…") when deb822 is false, deb822 paragraphs (Types: deb,
 * URIs:, Suites:) when true. Only "deb" entries that list suite exactly count, so that a
 * third-party repository (or the security archive) is never taken for the Debian mirror. */
bool apt_sources_mirror(const char *text, bool deb822, const char *suite, char *buf, size_t size);
