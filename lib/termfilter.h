/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a session writes to the human's terminal, filtered: a byte-stream parser (ECMA-48, as the
 * DEC VT500 parser and xterm read it) that passes what draws the session's own screen and drops
 * what would reach beyond it, and remembers the terminal modes the session left changed so that
 * rcc can put them back when it ends. Pure: no I/O, no allocation, any split of the stream into
 * buffers gives the same output.
 *
 * Passed: text (valid UTF-8), C0 controls, ESC sequences, CSI sequences (colours, cursor movement,
 * DEC private modes: alternate screen, mouse, bracketed paste, focus, synchronized output, the
 * kitty keyboard protocol), and among the strings OSC 4, 8 (hyperlinks), 10-19 (colours, their
 * queries too), 104 and 110-119 (colour resets), and DCS $q (DECRQSS), +q (XTGETTCAP) and =Ns
 * (synchronized output). OSC 0, 1 and 2 (titles) only with allow_title, OSC 52 (clipboard) only
 * with allow_clipboard and only its writes: a query ("?") would hand the human's clipboard to
 * the session.
 *
 * Dropped, whole: every other OSC (46 log file, 50 font, 7, 9, 777, 1337, 5522, ...), every
 * other DCS (tmux's passthrough, ESC P tmux; ... ESC \, which would carry any of the above past
 * a filter that only looked at OSC; DECUDK, sixel), SOS, PM, APC (kitty graphics, which can make
 * the terminal read the human's files); CSI i (media copy: xterm's printer command), CSI Ps t
 * window operations but the size reports and the title stack (22, 23) - 20 and 21 would report
 * the human's window title to the session; ESC % (switching the terminal out of UTF-8, after
 * which bytes this parser reads as UTF-8 would be C1 controls) and ESC SP G (8-bit replies).
 *
 * UTF-8: the human's terminal is taken to decode UTF-8, as every terminal Claude Code supports
 * does. Text is validated strictly (RFC 3629: no overlong forms, surrogates or code points past
 * U+10FFFF); an invalid or cut-short sequence is dropped. C1 controls are dropped in both their
 * forms, a raw byte 0x80-0x9f outside a valid sequence (0x9b CSI, 0x9d OSC, 0x90 DCS, 0x9c ST)
 * and the encoded code points U+0080-U+009F: no terminal then sees an 8-bit introducer, whatever
 * its C1 setting, and the 7-bit forms above are the only ones to parse. A byte >= 0x80 inside an
 * ESC or CSI sequence cancels it (the sequence is dropped).
 *
 * Memory: an ESC or CSI sequence and the head of a string (OSC up to its number, DCS up to its
 * final byte) are held until they are decided, at most TERMFILTER_SEQ_MAX bytes; a longer one is
 * dropped whole. A passed string's body is streamed, never held.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TERMFILTER_SEQ_MAX 128
/* The most termfilter_feed() writes for n bytes in. */
#define TERMFILTER_OUT_SIZE(n) ((size_t)(n) + TERMFILTER_SEQ_MAX + 8)
/* The most termfilter_reset() writes. */
#define TERMFILTER_RESET_MAX 512

typedef struct TermFilterOptions {
        bool allow_clipboard; /* OSC 52 writes */
        bool allow_title;     /* OSC 0, 1, 2 */
} TermFilterOptions;

typedef struct TermFilter {
        TermFilterOptions opt;
        uint8_t state;
        uint8_t string_kind; /* while in a string: OSC, DCS, other */
        bool seq_dropping;   /* the held sequence went past TERMFILTER_SEQ_MAX */
        uint8_t utf8_need;   /* continuation bytes still expected */
        uint8_t utf8_lo, utf8_hi;
        uint8_t utf8_len;
        uint8_t utf8[4];
        uint16_t seq_len;
        uint8_t seq[TERMFILTER_SEQ_MAX];
        int osc_number; /* the passed OSC being streamed */
        bool osc_sets;  /* its body is more than a query */
        /* What the session changed, to be put back (termfilter_reset). */
        uint32_t modes_touched, modes_value; /* bit i: dec_modes[i] in termfilter.c */
        uint32_t ansi_touched, ansi_value;
        uint16_t kitty_pushed[2]; /* kitty keyboard flags pushed, net, per screen: main, alternate */
        uint32_t colours_set;     /* bit 0: palette (OSC 4), bit n: OSC 10+n-1 */
        bool keypad_app, charset, cursor_style, margins, modify_keys;
        /* Counters, for tests and the log. */
        uint64_t dropped_sequences;
} TermFilter;

void termfilter_init(TermFilter *f, const TermFilterOptions *opt);

/* Filter n bytes of the session's output into out, which has room for TERMFILTER_OUT_SIZE(n)
 * bytes; returns the number written. Bytes of a sequence not yet decided are held in f. */
size_t termfilter_feed(TermFilter *f, const void *in, size_t n, void *out);

/* What puts the human's terminal back as the session found it (as far as the filter saw it
 * change): a string terminator, whatever ends the modes the session left set, SGR 0. At most
 * TERMFILTER_RESET_MAX bytes into out (of that size); returns the number written. f's tracking
 * is then as if the session had undone its changes itself. */
size_t termfilter_reset(TermFilter *f, void *out);
