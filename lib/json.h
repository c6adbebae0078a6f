/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing JSON strings, for output that scripts and monitoring read (rcc-setup doctor --json):
 * whatever bytes a message holds — a tool's own words, a path, a name — come out as one valid JSON
 * string of valid UTF-8 (RFC 8259).
 */
#pragma once

#include <stdio.h>

/* s as a JSON string, quotes included, or null when s is NULL. '"', '\\' and the control
 * characters (below 0x20, and 0x7f) are escaped (\n, \t, ... or \u00XX); valid UTF-8 is kept as it
 * is; each byte that does not belong to a valid UTF-8 sequence (a stray continuation byte, a
 * truncated or overlong sequence, a surrogate, beyond U+10FFFF) becomes \ufffd. Errors of f are
 * f's to report (ferror). */
void json_write_string(FILE *f, const char *s);

/* The length of the valid UTF-8 sequence at s (1 to 4; 1 for ASCII), or 0 when the bytes there
 * are not one. s is NUL-terminated; a sequence never includes the NUL. */
size_t utf8_sequence_length(const char *s);
