/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <string.h>

#include "macro.h"
#include "termfilter.h"

enum {
        ST_GROUND,
        ST_ESC,      /* seq: ESC and its intermediates */
        ST_CSI,      /* seq: ESC [ and what follows */
        ST_STR_HEAD, /* seq: ESC ] or ESC P and the string's head, not decided yet */
        ST_STR_PASS, /* a string being passed: its body is streamed */
        ST_STR_DROP, /* a string being dropped */
        ST_STR_ESC,  /* ESC inside a string: ST if '\' follows */
        ST_STR_ESC_DROP,
};

enum { STR_OSC, STR_DCS, STR_OTHER };

#define ESC 0x1b
#define BEL 0x07
#define CAN 0x18
#define SUB 0x1a
#define OSC_HEAD_DIGITS 5

/* The DEC private modes the session may leave set, and the value a terminal starts with. The
 * alternate screens come last: they are left after everything else is put back. */
static const struct {
        uint16_t mode;
        bool on;
} dec_modes[] = {
        {1, false},    /* application cursor keys */
        {5, false},    /* reverse video */
        {6, false},    /* origin mode */
        {7, true},     /* autowrap */
        {9, false},    /* X10 mouse */
        {25, true},    /* cursor shown */
        {45, false},   /* reverse wraparound */
        {66, false},   /* application keypad */
        {1000, false}, /* mouse: press and release */
        {1001, false}, /* mouse: highlight */
        {1002, false}, /* mouse: button motion */
        {1003, false}, /* mouse: any motion */
        {1004, false}, /* focus events */
        {1005, false}, /* mouse: UTF-8 coordinates */
        {1006, false}, /* mouse: SGR coordinates */
        {1007, false}, /* alternate scroll */
        {1015, false}, /* mouse: urxvt coordinates */
        {1016, false}, /* mouse: SGR pixel coordinates */
        {2004, false}, /* bracketed paste */
        {2026, false}, /* synchronized output */
        {2031, false}, /* colour palette change reports */
        {2048, false}, /* in-band resize reports */
        {1049, false}, /* alternate screen, cursor saved */
        {1047, false}, /* alternate screen */
        {47, false},   /* alternate screen (old form) */
};
_Static_assert(ELEMENTSOF(dec_modes) <= 32, "dec_modes is tracked in 32-bit masks");
#define FIRST_ALT_MODE (ELEMENTSOF(dec_modes) - 3)

/* ANSI modes (CSI Pm h / l). */
static const struct {
        uint16_t mode;
        bool on;
} ansi_modes[] = {
        {4, false},  /* insert */
        {12, true},  /* send/receive: reset turns local echo on */
        {20, false}, /* automatic newline */
};

typedef struct Out {
        uint8_t *p;
        size_t n;
} Out;

static void put(Out *o, uint8_t c) {
        o->p[o->n++] = c;
}

static void put_mem(Out *o, const void *p, size_t n) {
        memcpy(o->p + o->n, p, n);
        o->n += n;
}

void termfilter_init(TermFilter *f, const TermFilterOptions *opt) {
        assert(f);
        *f = (TermFilter){};
        if (opt)
                f->opt = *opt;
}

static int mode_index(unsigned mode) {
        for (size_t i = 0; i < ELEMENTSOF(dec_modes); i++)
                if (dec_modes[i].mode == mode)
                        return (int)i;
        return -1;
}

static bool mode_differs(const TermFilter *f, size_t i) {
        uint32_t bit = UINT32_C(1) << i;
        return (f->modes_touched & bit) && !!(f->modes_value & bit) != dec_modes[i].on;
}

static bool alt_screen(const TermFilter *f) {
        for (size_t i = FIRST_ALT_MODE; i < ELEMENTSOF(dec_modes); i++)
                if (mode_differs(f, i))
                        return true;
        return false;
}

static void forget_changes(TermFilter *f) {
        f->modes_touched = f->modes_value = 0;
        f->ansi_touched = f->ansi_value = 0;
        f->kitty_pushed[0] = f->kitty_pushed[1] = 0;
        f->colours_set = 0;
        f->keypad_app = f->charset = f->cursor_style = f->margins = f->modify_keys = false;
}

static void drop_sequence(TermFilter *f, int next_state) {
        f->dropped_sequences++;
        f->seq_len = 0;
        f->seq_dropping = false;
        f->state = (uint8_t)next_state;
}

static void hold(TermFilter *f, uint8_t c) {
        if (f->seq_len < TERMFILTER_SEQ_MAX)
                f->seq[f->seq_len++] = c;
        else
                f->seq_dropping = true;
}

static void start_escape(TermFilter *f) {
        f->seq_len = 0;
        f->seq_dropping = false;
        hold(f, ESC);
        f->state = ST_ESC;
}

/* ---- text: UTF-8, checked ---- */

/* c >= 0x80 in text (ground or a passed string's body): held until its sequence is complete,
 * which is then passed unless it encodes a C1 control. Anything invalid is dropped. */
static void text_high(TermFilter *f, uint8_t c, Out *o) {
        if (f->utf8_need > 0) {
                if (c >= f->utf8_lo && c <= f->utf8_hi) {
                        f->utf8[f->utf8_len++] = c;
                        f->utf8_lo = 0x80;
                        f->utf8_hi = 0xbf;
                        if (--f->utf8_need == 0) {
                                /* U+0080-U+009F: C2 80 - C2 9F. */
                                if (!(f->utf8[0] == 0xc2 && f->utf8[1] < 0xa0))
                                        put_mem(o, f->utf8, f->utf8_len);
                                f->utf8_len = 0;
                        }
                        return;
                }
                f->utf8_need = f->utf8_len = 0; /* cut short: dropped; c starts afresh */
        }
        f->utf8_lo = 0x80;
        f->utf8_hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf)
                f->utf8_need = 1;
        else if (c >= 0xe0 && c <= 0xef) {
                f->utf8_need = 2;
                if (c == 0xe0)
                        f->utf8_lo = 0xa0; /* not overlong */
                else if (c == 0xed)
                        f->utf8_hi = 0x9f; /* not a surrogate */
        } else if (c >= 0xf0 && c <= 0xf4) {
                f->utf8_need = 3;
                if (c == 0xf0)
                        f->utf8_lo = 0x90;
                else if (c == 0xf4)
                        f->utf8_hi = 0x8f; /* not past U+10FFFF */
        } else
                return; /* a stray continuation byte or raw C1, C0/C1 leads, F5-FF */
        f->utf8[0] = c;
        f->utf8_len = 1;
}

/* An ASCII byte ends any UTF-8 sequence in progress (which is dropped). */
static void text_ascii(TermFilter *f) {
        f->utf8_need = f->utf8_len = 0;
}

/* ---- CSI ---- */

typedef struct Csi {
        uint8_t private; /* '<', '=', '>', '?' or 0 */
        uint8_t final;
        const uint8_t *inter; /* intermediates */
        size_t n_inter;
        unsigned n;
        int p[16]; /* -1: empty (default) */
} Csi;

static void csi_parse(const TermFilter *f, uint8_t final, Csi *ret) {
        size_t i = 2;
        Csi c = {.final = final, .p = {-1}};

        if (i < f->seq_len && f->seq[i] >= 0x3c && f->seq[i] <= 0x3f)
                c.private = f->seq[i++];
        c.n = 1;
        for (; i < f->seq_len && f->seq[i] >= 0x30 && f->seq[i] <= 0x3f; i++) {
                uint8_t b = f->seq[i];
                if (b == ';') {
                        if (c.n < ELEMENTSOF(c.p))
                                c.p[c.n++] = -1;
                } else if (b >= '0' && b <= '9') {
                        int *v = &c.p[c.n - 1];
                        *v = *v < 0 ? b - '0' : *v > 65535 ? 65536 : *v * 10 + (b - '0');
                }
                /* ':' (sub-parameters): nothing here needs them. */
        }
        c.inter = f->seq + i;
        c.n_inter = f->seq_len - i;
        *ret = c;
}

static void track_dec_mode(TermFilter *f, int mode, bool on) {
        int i = mode < 0 ? -1 : mode_index((unsigned)mode);

        if (i < 0)
                return;
        f->modes_touched |= UINT32_C(1) << i;
        if (on)
                f->modes_value |= UINT32_C(1) << i;
        else
                f->modes_value &= ~(UINT32_C(1) << i);
}

static void track_ansi_mode(TermFilter *f, int mode, bool on) {
        for (size_t i = 0; i < ELEMENTSOF(ansi_modes); i++)
                if (ansi_modes[i].mode == mode) {
                        f->ansi_touched |= UINT32_C(1) << i;
                        if (on)
                                f->ansi_value |= UINT32_C(1) << i;
                        else
                                f->ansi_value &= ~(UINT32_C(1) << i);
                }
}

/* XTWINOPS (CSI Ps t): the size reports and the title stack pass; moving, resizing, iconifying
 * the human's window and reporting its title do not. */
static bool window_op_allowed(int op) {
        return op == 14 || op == 15 || op == 16 || op == 18 || op == 19 || op == 22 || op == 23;
}

/* Whether the CSI sequence passes; records what it changes. */
static bool csi_dispatch(TermFilter *f, uint8_t final) {
        Csi c;

        csi_parse(f, final, &c);
        if (c.n_inter == 0 && (final == 'h' || final == 'l')) {
                for (unsigned i = 0; i < c.n; i++)
                        if (c.private == '?')
                                track_dec_mode(f, c.p[i], final == 'h');
                        else if (c.private == 0)
                                track_ansi_mode(f, c.p[i], final == 'h');
                return true;
        }
        if (c.n_inter == 0 && final == 'r' && c.private == '?') {
                /* XTRESTORE: values this filter did not see; put each back at the end. */
                for (unsigned i = 0; i < c.n; i++) {
                        int m = c.p[i] < 0 ? -1 : mode_index((unsigned)c.p[i]);
                        if (m >= 0)
                                track_dec_mode(f, c.p[i], !dec_modes[m].on);
                }
                return true;
        }
        if (c.n_inter == 0 && final == 'r' && c.private == 0)
                f->margins = true;
        if (c.n_inter == 1 && c.inter[0] == ' ' && final == 'q' && c.private == 0)
                f->cursor_style = true;
        if (c.n_inter == 0 && final == 'u' && (c.private == '>' || c.private == '<')) {
                uint16_t *pushed = &f->kitty_pushed[alt_screen(f)];
                int k = c.private == '<' ? (c.p[0] < 0 ? 1 : c.p[0]) : 1;
                if (c.private == '>')
                        *pushed = *pushed < UINT16_MAX ? *pushed + 1 : UINT16_MAX;
                else
                        *pushed = k >= *pushed ? 0 : (uint16_t)(*pushed - k);
        }
        if (c.n_inter == 0 && final == 'm' && c.private == '>' && c.p[0] == 4)
                f->modify_keys = c.n >= 2 && c.p[1] > 0;
        if (final == 'i')
                return false; /* media copy */
        if (c.n_inter == 0 && final == 't' && c.private == 0)
                return window_op_allowed(c.p[0] < 0 ? 0 : c.p[0]);
        return true;
}

/* ---- strings ---- */

static bool osc_allowed(const TermFilter *f, int n) {
        switch (n) {
        case 0:
        case 1:
        case 2:
                return f->opt.allow_title;
        case 4:
        case 8:
        case 104:
                return true;
        default:
                return (n >= 10 && n <= 19) || (n >= 110 && n <= 119);
        }
}

/* The OSC number in the held head (ESC ] digits [; ...]), or -1 if it is not one. */
static int osc_head_number(const TermFilter *f, size_t *ret_fields) {
        int n = -1;
        size_t fields = 0, digits = 0;

        for (size_t i = 2; i < f->seq_len; i++) {
                uint8_t b = f->seq[i];
                if (b == ';') {
                        if (fields++ == 0 && digits == 0)
                                return -1;
                } else if (fields == 0) {
                        if (b < '0' || b > '9' || ++digits > OSC_HEAD_DIGITS)
                                return -1;
                        n = (n < 0 ? 0 : n * 10) + (b - '0');
                }
        }
        *ret_fields = fields;
        return n;
}

static void string_pass(TermFilter *f, int osc_number, Out *o) {
        put_mem(o, f->seq, f->seq_len);
        f->seq_len = 0;
        f->osc_number = osc_number;
        f->osc_sets = false;
        f->state = ST_STR_PASS;
}

/* A byte of an OSC's head: its number, and for OSC 52 its selection and the first byte of its
 * data (a write passes where allowed, a query never). */
static void osc_head(TermFilter *f, uint8_t c, Out *o) {
        size_t fields;
        int n;

        hold(f, c);
        n = osc_head_number(f, &fields);
        if (n < 0 || f->seq_dropping)
                return drop_sequence(f, ST_STR_DROP);
        if (fields == 0)
                return; /* the number goes on */
        if (n != 52)
                return osc_allowed(f, n) ? string_pass(f, n, o) : drop_sequence(f, ST_STR_DROP);
        if (!f->opt.allow_clipboard)
                return drop_sequence(f, ST_STR_DROP);
        if (fields < 2 || (fields == 2 && c == ';'))
                return; /* the selection, then the data's first byte */
        return c == '?' ? drop_sequence(f, ST_STR_DROP) : string_pass(f, 52, o);
}

/* An OSC ended before its first ';' (OSC 104 ST): passed if its number is. */
static bool osc_head_complete(TermFilter *f, Out *o) {
        size_t fields;
        int n = osc_head_number(f, &fields);

        if (n < 0 || fields != 0 || n == 52 || !osc_allowed(f, n))
                return false;
        string_pass(f, n, o);
        return true;
}

/* The head of a DCS ended with final: DECRQSS ($q), XTGETTCAP (+q) and synchronized output (=1s,
 * =2s) pass; the rest (tmux's passthrough "tmux;" among them) is dropped. */
static bool dcs_allowed(const TermFilter *f, uint8_t final) {
        const char *head = (const char *)f->seq + 2;
        size_t n = f->seq_len - 2;

        if (final == 'q')
                return n == 1 && (head[0] == '$' || head[0] == '+');
        if (final == 's')
                return n == 2 && head[0] == '=' && (head[1] == '1' || head[1] == '2');
        return false;
}

static void dcs_head(TermFilter *f, uint8_t c, Out *o) {
        if (c >= 0x20 && c <= 0x3f) {
                hold(f, c);
                if (f->seq_dropping)
                        drop_sequence(f, ST_STR_DROP);
                return;
        }
        if (c >= 0x40 && c <= 0x7e && dcs_allowed(f, c)) {
                hold(f, c);
                return string_pass(f, -1, o);
        }
        drop_sequence(f, ST_STR_DROP);
}

/* A passed string ends (ST, BEL, CAN, SUB): what the terminal had open is closed. */
static void string_end(TermFilter *f) {
        text_ascii(f);
        f->state = ST_GROUND;
}

static void string_body(TermFilter *f, uint8_t c, Out *o) {
        if (c >= 0x80)
                return text_high(f, c, o);
        text_ascii(f);
        if (c >= 0x20 && c < 0x7f) {
                put(o, c);
                if (f->osc_number >= 0 && !(c == ';' || c == '?' || (c >= '0' && c <= '9')) &&
                    !f->osc_sets) {
                        f->osc_sets = true;
                        if (f->osc_number == 4)
                                f->colours_set |= 1;
                        else if (f->osc_number >= 10 && f->osc_number <= 19)
                                f->colours_set |= UINT32_C(1) << (f->osc_number - 9);
                }
        } else if ((c == BEL && f->string_kind == STR_OSC) || c == CAN || c == SUB) {
                put(o, c);
                string_end(f);
        }
        /* Other C0 and DEL: ignored by terminals inside a string; dropped. */
}

/* ---- the machine ---- */

static void esc_final(TermFilter *f, uint8_t c, Out *o) {
        if (f->seq_len == 1)
                switch (c) {
                case '[':
                        hold(f, c);
                        f->state = ST_CSI;
                        return;
                case ']':
                case 'P':
                        hold(f, c);
                        f->string_kind = c == ']' ? STR_OSC : STR_DCS;
                        f->state = ST_STR_HEAD;
                        return;
                case 'X':
                case '^':
                case '_':
                        f->string_kind = STR_OTHER;
                        return drop_sequence(f, ST_STR_DROP);
                case '\\':
                        /* ST with no string open: nothing for the terminal (a dropped string's
                         * doubled ESCs, as tmux's passthrough writes them, end here). */
                        f->seq_len = 0;
                        f->state = ST_GROUND;
                        return;
                case 'c':
                        forget_changes(f);
                        break;
                case '=':
                        f->keypad_app = true;
                        break;
                case '>':
                        f->keypad_app = false;
                        break;
                default:
                        break;
                }
        else if (f->seq[1] == '%' || (f->seq[1] == ' ' && c == 'G') || f->seq_dropping)
                return drop_sequence(f, ST_GROUND);
        else if (strchr("()*+-./", f->seq[1]) && !(f->seq[1] == '(' && c == 'B'))
                f->charset = true;
        put_mem(o, f->seq, f->seq_len);
        put(o, c);
        f->seq_len = 0;
        f->state = ST_GROUND;
}

/* Inside ESC or CSI: what cancels the sequence or is executed in its middle. Returns true if c
 * was handled. */
static bool in_sequence_control(TermFilter *f, uint8_t c, Out *o, bool *reprocess) {
        if (c >= 0x80) {
                drop_sequence(f, ST_GROUND);
                *reprocess = true;
                return true;
        }
        if (c == ESC) {
                f->dropped_sequences++;
                start_escape(f);
                return true;
        }
        if (c == CAN || c == SUB) {
                drop_sequence(f, ST_GROUND);
                put(o, c);
                return true;
        }
        if (c < 0x20) {
                put(o, c); /* executed by the terminal where it stands: the same before the sequence */
                return true;
        }
        return c == 0x7f; /* ignored */
}

static void step(TermFilter *f, uint8_t c, Out *o) {
        bool again;

        do {
                again = false;
                switch (f->state) {
                case ST_GROUND:
                        if (c >= 0x80)
                                text_high(f, c, o);
                        else {
                                text_ascii(f);
                                if (c == ESC)
                                        start_escape(f);
                                else {
                                        if (c == 0x0e)
                                                f->charset = true; /* SO: G1 */
                                        put(o, c);
                                }
                        }
                        break;
                case ST_ESC:
                        if (in_sequence_control(f, c, o, &again))
                                break;
                        if (c < 0x30)
                                hold(f, c);
                        else
                                esc_final(f, c, o);
                        break;
                case ST_CSI:
                        if (in_sequence_control(f, c, o, &again))
                                break;
                        if (c < 0x40) {
                                /* A parameter byte after an intermediate, or a private marker
                                 * not first: malformed, dropped at its final byte. */
                                bool after_inter = f->seq_len > 2 && f->seq[f->seq_len - 1] < 0x30;
                                if ((c >= 0x30 && after_inter) || (c >= 0x3c && f->seq_len > 2))
                                        f->seq_dropping = true;
                                hold(f, c);
                        } else if (f->seq_dropping || !csi_dispatch(f, c))
                                drop_sequence(f, ST_GROUND);
                        else {
                                put_mem(o, f->seq, f->seq_len);
                                put(o, c);
                                f->seq_len = 0;
                                f->state = ST_GROUND;
                        }
                        break;
                case ST_STR_HEAD:
                        if (c == ESC || c == BEL || c == CAN || c == SUB || c >= 0x80) {
                                /* Ended (or broken) before it was decided: nothing of it passes
                                 * but a whole OSC that has no parameters. */
                                if (!(f->string_kind == STR_OSC && (c == ESC || c == BEL) &&
                                      osc_head_complete(f, o)))
                                        drop_sequence(f, ST_STR_DROP);
                                again = true;
                        } else if (c < 0x20 || c == 0x7f)
                                ; /* ignored */
                        else if (f->string_kind == STR_OSC)
                                osc_head(f, c, o);
                        else
                                dcs_head(f, c, o);
                        break;
                case ST_STR_PASS:
                        if (c == ESC)
                                f->state = ST_STR_ESC;
                        else
                                string_body(f, c, o);
                        break;
                case ST_STR_DROP:
                        if (c == ESC)
                                f->state = ST_STR_ESC_DROP;
                        else if ((c == BEL && f->string_kind == STR_OSC) || c == CAN || c == SUB)
                                f->state = ST_GROUND;
                        break;
                case ST_STR_ESC:
                case ST_STR_ESC_DROP:
                        if (f->state == ST_STR_ESC) {
                                put_mem(o, "\033\\", 2); /* ST, also when ESC starts something else */
                                string_end(f);
                        }
                        f->state = ST_GROUND;
                        if (c != '\\') {
                                start_escape(f);
                                again = true;
                        }
                        break;
                default:
                        assert(false);
                }
        } while (again);
}

size_t termfilter_feed(TermFilter *f, const void *in, size_t n, void *out) {
        const uint8_t *p = in;
        Out o = {.p = out};

        for (size_t i = 0; i < n; i++) {
                /* Printable ASCII in the ground state, the bulk of any screen, in one copy. */
                if (f->state == ST_GROUND && f->utf8_need == 0) {
                        size_t j = i;
                        while (j < n && p[j] >= 0x20 && p[j] < 0x7f)
                                j++;
                        put_mem(&o, p + i, j - i);
                        if (j == n)
                                break;
                        i = j;
                }
                step(f, p[i], &o);
        }
        assert(o.n <= TERMFILTER_OUT_SIZE(n));
        return o.n;
}

/* prefix, v in decimal, suffix. */
static void put_num(Out *o, const char *prefix, unsigned v, const char *suffix) {
        char digits[12];
        size_t k = sizeof digits;

        do
                digits[--k] = (char)('0' + v % 10);
        while ((v /= 10) > 0 && k > 0);
        put_mem(o, prefix, strlen(prefix));
        put_mem(o, digits + k, sizeof digits - k);
        put_mem(o, suffix, strlen(suffix));
}

static void reset_modes(TermFilter *f, Out *o, size_t from, size_t to) {
        for (size_t i = from; i < to; i++)
                if (mode_differs(f, i) && dec_modes[i].mode != 2026)
                        put_num(o, "\033[?", dec_modes[i].mode, dec_modes[i].on ? "h" : "l");
}

size_t termfilter_reset(TermFilter *f, void *out) {
        Out o = {.p = out};
        int sync = mode_index(2026);

        /* Whatever string the terminal may think is open (the session's last one, cut short),
         * closed; a terminator with nothing open is ignored. Then the picture is let through. */
        put_mem(&o, "\033\\", 2);
        if (sync >= 0 && mode_differs(f, (size_t)sync))
                put_mem(&o, "\033[?2026l", 8);
        put_mem(&o, "\033[0m", 4);
        if (alt_screen(f) && f->kitty_pushed[1] > 0)
                put_num(&o, "\033[<", f->kitty_pushed[1], "u");
        reset_modes(f, &o, 0, FIRST_ALT_MODE);
        reset_modes(f, &o, FIRST_ALT_MODE, ELEMENTSOF(dec_modes));
        if (f->kitty_pushed[0] > 0)
                put_num(&o, "\033[<", f->kitty_pushed[0], "u");
        for (size_t i = 0; i < ELEMENTSOF(ansi_modes); i++) {
                uint32_t bit = UINT32_C(1) << i;
                if ((f->ansi_touched & bit) && !!(f->ansi_value & bit) != ansi_modes[i].on)
                        put_num(&o, "\033[", ansi_modes[i].mode, ansi_modes[i].on ? "h" : "l");
        }
        if (f->keypad_app)
                put_mem(&o, "\033>", 2);
        if (f->charset)
                put_mem(&o, "\017\033(B", 4);
        if (f->cursor_style)
                put_mem(&o, "\033[0 q", 5);
        if (f->margins)
                put_mem(&o, "\0337\033[r\0338", 7);
        if (f->modify_keys)
                put_mem(&o, "\033[>4m", 5);
        if (f->colours_set & 1)
                put_mem(&o, "\033]104\033\\", 7);
        for (unsigned n = 10; n <= 19; n++)
                if (f->colours_set & (UINT32_C(1) << (n - 9)))
                        put_num(&o, "\033]1", n, "\033\\");
        assert(o.n <= TERMFILTER_RESET_MAX);

        TermFilterOptions opt = f->opt;
        uint64_t dropped = f->dropped_sequences;
        termfilter_init(f, &opt);
        f->dropped_sequences = dropped;
        return o.n;
}
