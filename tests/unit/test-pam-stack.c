/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rcc's lines in a PAM service file (setup/host/pam-stack.c): where they go in Debian 12's own sshd,
 * sudo and sudo-i stacks (tests/fixtures/pam.d, copied unchanged from the packages), that adding
 * twice changes nothing, that removing gives back the same bytes, and that a file an admin wired
 * or edited by hand is left alone. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "pam-stack.h"

#define M "/usr/lib/x86_64-linux-gnu/security/pam_rcc.so"
#define COMMENT                                                                                     \
        "# rcc: pam_rcc gates the sessions of rcc sandbox accounts (rcc-setup install added this; " \
        "rcc-setup uninstall removes it)"
#define ACCOUNT "account    requisite    " M
#define SESSION "session    requisite    " M
#define BLOCK COMMENT "\n" ACCOUNT "\n" SESSION

/* The first line of text that is neither blank nor a comment, from p on, and where the next one
 * starts; NULL if there is none. */
/* The next line from p that is a rule (not blank, not a comment) and its length; the test fails
 * here when there is none (fail_msg() does not return: the callers use both without a check the
 * compiler could doubt). */
static const char *next_rule(const char *p, size_t *ret_len) {
        while (*p) {
                const char *s = p + strspn(p, " \t"), *end = strchrnul(p, '\n');
                if (s < end && *s != '#') {
                        *ret_len = (size_t)(end - p);
                        return p;
                }
                p = *end ? end + 1 : end;
        }
        fail_msg("no further rule in the text");
        abort(); /* not reached: fail_msg() jumps out of the test (older cmocka.h does not say so) */
}

/* What every text with the block added must satisfy: the block's two rules are the first two, right
 * after its comment; adding again is a no-op; removing gives back original, byte for byte. */
static void check_added(const char *original, const char *added) {
        char *again = NULL, *removed = NULL;
        const char *rule;
        size_t len;

        rule = next_rule(added, &len);
        assert_int_equal(len, strlen(ACCOUNT));
        assert_memory_equal(rule, ACCOUNT, len);
        assert_true(rule - added >= (ptrdiff_t)strlen(COMMENT) + 1);
        assert_memory_equal(rule - strlen(COMMENT) - 1, COMMENT "\n", strlen(COMMENT) + 1);
        rule = next_rule(rule + len + 1, &len);
        assert_int_equal(len, strlen(SESSION));
        assert_memory_equal(rule, SESSION, len);

        assert_int_equal(pam_stack_examine(added, M), PAM_STACK_OURS);
        assert_int_equal(pam_stack_add(added, M, &again), 0);
        assert_null(again);
        assert_int_equal(pam_stack_remove(added, M, &removed), 1);
        assert_non_null(removed);
        assert_int_equal(strlen(removed), strlen(original));
        assert_memory_equal(removed, original, strlen(original) + 1);
        free(removed);
}

/* ---- Debian 12's own files ---- */

static char *read_fixture(const char *name) {
        const char *dir = getenv("RCC_FIXTURES");
        char path[4096], *buf;
        FILE *f;
        long n;

        assert_non_null(dir);
        snprintf(path, sizeof path, "%s/pam.d/%s", dir, name);
        f = fopen(path, "re");
        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        assert_true(n > 0);
        rewind(f);
        buf = malloc((size_t)n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static const struct {
        const char *file;
        const char *first_rule; /* the file's own first rule, which the block must precede */
        const char *later[4];   /* rules the block must precede too */
} fixtures[] = {
        {"sshd",
         "@include common-auth\n",
         {"account    required     pam_nologin.so", "@include common-session",
          "session    required     pam_env.so user_readenv=1", NULL}},
        {"sudo", "session    required   pam_limits.so\n", {"@include common-account", NULL}},
        {"sudo-i", "session    required   pam_limits.so\n", {"@include common-session", NULL}},
};

static void test_fixtures(void **state) {
        (void)state;
        FOREACH_ARRAY (c, fixtures, ELEMENTSOF(fixtures)) {
                char *original = read_fixture(c->file), *added = NULL, *removed = NULL, *expected = NULL;
                const char *first = strstr(original, c->first_rule);
                const char *block;

                print_message("pam.d/%s\n", c->file);
                assert_non_null(first);
                assert_int_equal(pam_stack_examine(original, M), PAM_STACK_ABSENT);
                assert_int_equal(pam_stack_remove(original, M, &removed), 0);
                assert_null(removed);

                assert_int_equal(pam_stack_add(original, M, &added), 1);
                /* Everything before the first rule (comments, "#%PAM-1.0") stays first. */
                assert_true(
                        asprintf(&expected, "%.*s" BLOCK "\n%s", (int)(first - original), original, first) >
                        0);
                assert_string_equal(added, expected);
                block = strstr(added, BLOCK);
                assert_non_null(block);
                for (size_t i = 0; i < ELEMENTSOF(c->later) && c->later[i]; i++) {
                        const char *later = strstr(added, c->later[i]);
                        assert_non_null(later);
                        assert_true(block < later);
                }
                check_added(original, added);
                free(expected);
                free(added);
                free(original);
        }
}

/* ---- small cases ---- */

typedef struct Case {
        const char *name;
        const char *text;
        int add;             /* pam_stack_add()'s result */
        const char *added;   /* its text, when add is 1 */
        PamStackState state; /* pam_stack_examine() of text */
        int remove;          /* pam_stack_remove()'s result */
        const char *removed; /* its text, when remove is 1 */
} Case;

static const Case cases[] = {
        {"empty file", "", 1, BLOCK "\n", PAM_STACK_ABSENT, 0, NULL},
        {"comments only", "#%PAM-1.0\n# nothing yet\n", 1, "#%PAM-1.0\n# nothing yet\n" BLOCK "\n",
         PAM_STACK_ABSENT, 0, NULL},
        /* The file keeps ending without a newline, so that removal gives back the same bytes. */
        {"comments only, no trailing newline", "# nothing yet", 1, "# nothing yet\n" BLOCK, PAM_STACK_ABSENT,
         0, NULL},
        {"rule without trailing newline", "#%PAM-1.0\n@include common-auth", 1,
         "#%PAM-1.0\n" BLOCK "\n@include common-auth", PAM_STACK_ABSENT, 0, NULL},
        {"indented comment, blank line of blanks, indented rule",
         "  # c\n \t\n\tauth required pam_unix.so\n", 1,
         "  # c\n \t\n" BLOCK "\n\tauth required pam_unix.so\n", PAM_STACK_ABSENT, 0, NULL},
        {"sufficient first", "auth sufficient pam_rootok.so\n@include common-auth\n", 1,
         BLOCK "\nauth sufficient pam_rootok.so\n@include common-auth\n", PAM_STACK_ABSENT, 0, NULL},
        {"CRLF", "#%PAM-1.0\r\n@include common-auth\r\n", 1,
         "#%PAM-1.0\r\n" BLOCK "\n@include common-auth\r\n", PAM_STACK_ABSENT, 0, NULL},

        /* Already there: nothing to add. */
        {"the block", BLOCK "\n@include common-auth\n", 0, NULL, PAM_STACK_OURS, 1,
         "@include common-auth\n"},
        {"the block, after a rule", "@include common-auth\n" BLOCK "\n", 0, NULL, PAM_STACK_LATE, 1,
         "@include common-auth\n"},
        /* An admin's own pam_rcc line besides rcc's block: removal takes only the block. */
        {"the block and an admin's line", BLOCK "\n@include common-auth\nauth optional " M "\n", 0, NULL,
         PAM_STACK_OURS, 1, "@include common-auth\nauth optional " M "\n"},

        /* Wired by hand: left alone by both. */
        {"by hand",
         "#%PAM-1.0\naccount requisite " M "\nsession required " M " debug\n@include common-auth\n", -EEXIST,
         NULL, PAM_STACK_HAND, -EEXIST, NULL},
        {"by hand, session first", "session requisite " M "\naccount requisite " M "\n", -EEXIST, NULL,
         PAM_STACK_HAND, -EEXIST, NULL},
        {"by hand, the block without its comment", ACCOUNT "\n" SESSION "\n", -EEXIST, NULL, PAM_STACK_HAND,
         -EEXIST, NULL},
        {"by hand, module name only", "account requisite pam_rcc.so\nsession requisite pam_rcc.so\n",
         -EEXIST, NULL, PAM_STACK_OTHER, -EEXIST, NULL},
        {"by hand, after a rule", "@include common-auth\naccount requisite " M "\nsession requisite " M "\n",
         -EEXIST, NULL, PAM_STACK_OTHER, -EEXIST, NULL},
        {"by hand, account only", "account requisite " M "\n@include common-auth\n", -EEXIST, NULL,
         PAM_STACK_OTHER, -EEXIST, NULL},
        {"by hand, -session", "account requisite " M "\n-session requisite " M "\n", -EEXIST, NULL,
         PAM_STACK_OTHER, -EEXIST, NULL},
        {"by hand, bracketed control", "account [default=die] " M "\nsession requisite " M "\n", -EEXIST,
         NULL, PAM_STACK_OTHER, -EEXIST, NULL},
        {"commented out", "# account requisite " M "\n@include common-auth\n", -EEXIST, NULL,
         PAM_STACK_OTHER, -EEXIST, NULL},

        /* rcc's block, edited: left alone by both. */
        {"edited control", COMMENT "\naccount    required     " M "\n" SESSION "\n@include common-auth\n",
         -EEXIST, NULL, PAM_STACK_HAND, -EEXIST, NULL},
        {"edited: an argument added", COMMENT "\n" ACCOUNT "\n" SESSION " debug\n", -EEXIST, NULL,
         PAM_STACK_HAND, -EEXIST, NULL},
        {"edited: a line removed", COMMENT "\n" ACCOUNT "\n@include common-auth\n", -EEXIST, NULL,
         PAM_STACK_OTHER, -EEXIST, NULL},
        {"edited: the comment alone is left", COMMENT "\n@include common-auth\n", -EEXIST, NULL,
         PAM_STACK_OTHER, -EEXIST, NULL},
        {"another module path",
         COMMENT "\naccount    requisite    /lib/security/pam_rcc.so\nsession    requisite    "
                 "/lib/security/pam_rcc.so\n",
         -EEXIST, NULL, PAM_STACK_OTHER, -EEXIST, NULL},
        {"our module path as a prefix", COMMENT "\n" ACCOUNT "\n" SESSION ".bak\n", -EEXIST, NULL,
         PAM_STACK_OTHER, -EEXIST, NULL},
};

static void test_cases(void **state) {
        (void)state;
        FOREACH_ARRAY (c, cases, ELEMENTSOF(cases)) {
                char *added = NULL, *removed = NULL;

                print_message("%s\n", c->name);
                assert_int_equal(pam_stack_examine(c->text, M), c->state);

                assert_int_equal(pam_stack_add(c->text, M, &added), c->add);
                if (c->add == 1) {
                        assert_non_null(added);
                        assert_string_equal(added, c->added);
                        check_added(c->text, added);
                } else
                        assert_null(added);

                assert_int_equal(pam_stack_remove(c->text, M, &removed), c->remove);
                if (c->remove == 1) {
                        assert_non_null(removed);
                        assert_string_equal(removed, c->removed);
                } else
                        assert_null(removed);
                free(added);
                free(removed);
        }
}

static void test_bad_module(void **state) {
        static const char *const bad[] = {"", "pam_rcc.so", "/usr/lib/pam rcc.so", "/x\n/y", "/x\t"};
        char *out = NULL;

        (void)state;
        FOREACH_ARRAY (m, bad, ELEMENTSOF(bad)) {
                assert_int_equal(pam_stack_add("@include common-auth\n", *m, &out), -EINVAL);
                assert_int_equal(pam_stack_remove(BLOCK "\n", *m, &out), -EINVAL);
                assert_null(out);
        }
}

static void test_comment(void **state) {
        (void)state;
        /* The text install writes is what rcc-setup(8) and the doctor promise. */
        assert_string_equal(PAM_STACK_COMMENT, COMMENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_comment),
                cmocka_unit_test(test_fixtures),
                cmocka_unit_test(test_cases),
                cmocka_unit_test(test_bad_module),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
