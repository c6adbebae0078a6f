/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memhog STEP_MIB MAX_MIB [DELAY_MS [HOLD_S]]: the VM scenarios' memory bomb (tests/vm/run builds
 * it with gcc -static and puts it in the test image as /usr/local/bin/memhog).
 *
 * Allocates MAX_MIB in blocks of STEP_MIB with malloc, writes every byte of each block (so the
 * pages are really there, not just reserved), and reports after each block, waiting DELAY_MS
 * between blocks so that the host can watch it grow:
 *
 *   memhog: reached N MiB            after each block
 *   memhog: holding N MiB for S s    all of it allocated and touched
 *   memhog: freed N MiB              after free(), just before exiting 0
 *   memhog: malloc failed at N MiB   exit 1
 *
 * Each line is one write(2) to stdout, unbuffered, so the last line printed before an OOM kill
 * (SIGKILL) says how far it got.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
        char line[128];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        if (n > 0)
                (void)!write(STDOUT_FILENO, line, (size_t)n);
}

static void sleep_ms(long ms) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0)
                ;
}

static long arg(const char *s, const char *what) {
        char *end;
        long v = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || v < 0 || v > 1L << 20) {
                fprintf(stderr, "memhog: bad %s '%s'\n", what, s);
                exit(2);
        }
        return v;
}

int main(int argc, char **argv) {
        if (argc < 3 || argc > 5) {
                fprintf(stderr, "usage: memhog STEP_MIB MAX_MIB [DELAY_MS [HOLD_S]]\n");
                return 2;
        }
        long step = arg(argv[1], "step"), max = arg(argv[2], "maximum");
        long delay = argc > 3 ? arg(argv[3], "delay") : 0;
        long hold = argc > 4 ? arg(argv[4], "hold") : 0;
        if (step == 0) {
                fprintf(stderr, "memhog: the step must be at least 1 MiB\n");
                return 2;
        }
        size_t n = (size_t)((max + step - 1) / step), got = 0;
        char **blocks = calloc(n ? n : 1, sizeof *blocks);
        if (!blocks)
                return 1;

        long reached = 0;
        while (got < n) {
                size_t size = (size_t)step << 20;
                char *p = malloc(size);
                if (!p) {
                        say("memhog: malloc failed at %ld MiB\n", reached);
                        return 1;
                }
                memset(p, 0x5a, size);
                blocks[got++] = p;
                reached += step;
                say("memhog: reached %ld MiB\n", reached);
                if (delay && got < n)
                        sleep_ms(delay);
        }
        say("memhog: holding %ld MiB for %ld s\n", reached, hold);
        if (hold)
                sleep_ms(hold * 1000);
        for (size_t i = 0; i < got; i++)
                free(blocks[i]);
        free(blocks);
        say("memhog: freed %ld MiB\n", reached);
        return 0;
}
