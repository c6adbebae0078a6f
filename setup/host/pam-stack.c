/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc's block in a PAM service file. Where it goes: before the first rule, so that pam_rcc runs
 * ahead of every other module of the account and session stacks:
 *
 *  - ahead of every @include and every "sufficient" (or [success=done]) rule, which would end the
 *    stack before pam_rcc had a say: requisite is only a gate if it is reached;
 *  - ahead of pam_env in the session stack: pam_rcc reads SSH_AUTH_INFO_0, the key sshd
 *    authenticated the login with, from the PAM environment, and "pam_env user_readenv=1" (Debian's
 *    sshd stack has it) would let a file in the account's own home overwrite that variable first.
 *
 * Leading comments stay where they are ("#%PAM-1.0" must remain the first line).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pam-stack.h"

#define PAM_RCC_NAME "pam_rcc"
#define BLANKS " \t\r\v\f"

static bool module_valid(const char *module) {
        return module && module[0] == '/' && !module[strcspn(module, BLANKS "\n")];
}

/* The block without its final newline. */
static char *block_text(const char *module) {
        char *b = NULL;

        if (asprintf(
                    &b,
                    PAM_STACK_COMMENT "\n"
                                      "account    requisite    %s\n"
                                      "session    requisite    %s",
                    module, module) < 0)
                return NULL;
        return b;
}

/* The offset of the first line that is neither blank nor a comment, or strlen(text) if none. */
static size_t first_rule(const char *text) {
        for (const char *p = text; *p;) {
                const char *s = p + strspn(p, BLANKS), *end = strchrnul(p, '\n');
                if (s < end && *s != '#')
                        return (size_t)(p - text);
                p = *end ? end + 1 : end;
        }
        return strlen(text);
}

/* Where block stands in text as whole lines: its offset, and its length with the newline that
 * ends it (none at the end of the file). */
static bool find_block(const char *text, const char *block, size_t *ret_at, size_t *ret_len) {
        size_t n = strlen(block);

        for (const char *p = text; (p = strstr(p, block)); p++)
                if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0')) {
                        *ret_at = (size_t)(p - text);
                        *ret_len = n + (p[n] == '\n');
                        return true;
                }
        return false;
}

/* The next blank-separated word of [*p, end) into buf, or "" if it does not fit; false at the
 * end of the line. */
static bool next_word(const char **p, const char *end, char *buf, size_t size) {
        const char *s = *p, *e;

        while (s < end && strchr(BLANKS, *s))
                s++;
        for (e = s; e < end && !strchr(BLANKS, *e);)
                e++;
        if (s == e)
                return false;
        if ((size_t)(e - s) < size) {
                memcpy(buf, s, (size_t)(e - s));
                buf[e - s] = '\0';
        } else
                buf[0] = '\0';
        *p = e;
        return true;
}

/* Whether the first two rules of text are pam_rcc's account and session gates, in either order.
 * "-account" (skipped when the module is missing) and bracketed controls do not count. */
static bool hand_wired(const char *text, const char *module) {
        bool account = false, session = false;
        unsigned rules = 0;

        for (const char *p = text + first_rule(text); *p && rules < 2;) {
                const char *end = strchrnul(p, '\n'), *w = p;
                char type[16], control[16], path[4096];

                if (*(p + strspn(p, BLANKS)) != '#' && next_word(&w, end, type, sizeof type)) {
                        if (!next_word(&w, end, control, sizeof control) ||
                            !next_word(&w, end, path, sizeof path) ||
                            (strcmp(control, "requisite") != 0 && strcmp(control, "required") != 0) ||
                            strcmp(path, module) != 0)
                                return false;
                        if (strcmp(type, "account") == 0 && !account)
                                account = true;
                        else if (strcmp(type, "session") == 0 && !session)
                                session = true;
                        else
                                return false;
                        rules++;
                }
                p = *end ? end + 1 : end;
        }
        return account && session;
}

PamStackState pam_stack_examine(const char *text, const char *module) {
        char *block = module_valid(module) ? block_text(module) : NULL;
        size_t at, len;
        bool found = block && find_block(text, block, &at, &len);

        free(block);
        if (found)
                return first_rule(text) < at ? PAM_STACK_LATE : PAM_STACK_OURS;
        if (!strstr(text, PAM_RCC_NAME))
                return PAM_STACK_ABSENT;
        return module_valid(module) && hand_wired(text, module) ? PAM_STACK_HAND : PAM_STACK_OTHER;
}

int pam_stack_add(const char *text, const char *module, char **ret) {
        char *block = NULL, *out = NULL;
        size_t at, len, n = strlen(text);
        int r;

        if (!module_valid(module))
                return -EINVAL;
        block = block_text(module);
        if (!block)
                return -ENOMEM;
        if (find_block(text, block, &at, &len)) {
                free(block);
                return 0;
        }
        if (strstr(text, PAM_RCC_NAME)) {
                free(block);
                return -EEXIST;
        }
        at = first_rule(text);
        if (at < n)
                r = asprintf(&out, "%.*s%s\n%s", (int)at, text, block, text + at);
        else if (n == 0 || text[n - 1] == '\n')
                r = asprintf(&out, "%s%s\n", text, block);
        else
                /* Comments only, and no newline at the end: the file keeps ending without one, so
                 * that removal can give back the same bytes. */
                r = asprintf(&out, "%s\n%s", text, block);
        free(block);
        if (r < 0)
                return -ENOMEM;
        *ret = out;
        return 1;
}

int pam_stack_remove(const char *text, const char *module, char **ret) {
        char *block = NULL, *out = NULL;
        size_t at, len, n = strlen(text);

        if (!module_valid(module))
                return -EINVAL;
        block = block_text(module);
        if (!block)
                return -ENOMEM;
        if (!find_block(text, block, &at, &len)) {
                free(block);
                return strstr(text, PAM_RCC_NAME) ? -EEXIST : 0;
        }
        free(block);
        /* At the very end without a newline: pam_stack_add() put a newline before it. */
        if (at + len == n && text[n - 1] != '\n' && at > 0 && text[at - 1] == '\n') {
                at--;
                len++;
        }
        out = malloc(n - len + 1);
        if (!out)
                return -ENOMEM;
        memcpy(out, text, at);
        memcpy(out + at, text + at + len, n - at - len + 1);
        *ret = out;
        return 1;
}
