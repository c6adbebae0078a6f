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

/* What `sshd -T` (or -t) failing says about sshd. */
typedef enum SshdTest {
        SSHD_TEST_OK,           /* exit status 0: the configuration is sound */
        SSHD_TEST_NOT_STARTED,  /* sound as far as sshd got, but sshd has not been started here: its
                                 * runtime directory (/run/sshd, made by its service) is missing */
        SSHD_TEST_NO_HOST_KEYS, /* no host key loads: not generated yet (Fedora's service makes them
                                 * on its first start), or HostKey names files that are not there */
        SSHD_TEST_BROKEN,       /* anything else: sshd refuses its configuration */
} SshdTest;

/* Classify sshd's exit status (0..255) and what it said on stderr (err). line gets the line that
 * says why: the missing directory for SSHD_TEST_NOT_STARTED, else sshd's first line ("" when it
 * said nothing). */
SshdTest sshd_test_classify(const char *err, int status, char *line, size_t size);

/* What a failing tool said, for the message that reports it: the first line of err that is not
 * blank, else of out (either may be NULL), without surrounding blanks, truncated to size; "" when
 * it said nothing. */
void tool_message(const char *err, const char *out, char *buf, size_t size);
