/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/keys.c: public key lines, the keys file of a sandbox account, and sshd's auth info. Keys of
 * every accepted type were made with ssh-keygen (the sk- ones by hand: no token here). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys.h"

#define ED25519 "AAAAC3NzaC1lZDI1NTE5AAAAIISvjqNyZElBUexuhAt1S5ctd3NNV7+3Q98dovS4xCzu"
#define ED25519_B "AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
#define RSA                                                                                                    \
        "AAAAB3NzaC1yc2EAAAADAQABAAAAgQC/rDv51IAfn6cCldBxDB8KzN07BAlahtLMCr1x9MZJMBQJp6MDcK5z9FiML/LAAPgcY8uP" \
        "LMOdX1ywIiP0OzvG3nFZXojpiBUjmgJGzrqb+d7NQRpTp95c48HkV4EB9u3x+lVmNJXxEHKNEGrl/6yx+wLPUzJ+vsUQn6ul5HKx" \
        "aQ=="
#define P256                                                                                                   \
        "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOWVJ5fq1g1tnJV7MvYdFA8S6RBvE4oIQki7ZHDurzHt0TZn" \
        "EvsBU/8EPep5lgrx/2VT2jr77dLYy2v8C5loBjw="
#define P384                                                                                                   \
        "AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBD3K6DMvODqQRyPogo7l1Hq7d/kFmsp/HswBlu+uEnAxfdga" \
        "mUFUngGNIdksgBC5yPvbhnoHyB38mMLkgpvm83rurPeVGFlpu95hWWO9Rqwg/df6MjiKVVrG4OXMQL50PA=="
#define P521                                                                                                   \
        "AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBADbByzDQrXbaa0H333bnZMskRAx6GgwzKzjZH5Uztwu2HLX" \
        "bBdpHguKOSuxM7kejnjbHX9r6KAq6lj9UpSajs0W4QH8UvC+jYlyj8JPa7j3zcGPUs13tXuge8EK5fS4EUX8y60Kk/d+BxeDASB0" \
        "8SmL27dPwW9JlZk0XYpwcOTtLD2wzw=="
#define SK_ED25519 \
        "AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fAAAABHNzaDo="
#define SK_P256                                                                                                \
        "AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEc3NoOg=="

typedef struct GoodLine {
        const char *line, *type, *blob;
} GoodLine;

static const GoodLine good_lines[] = {
        {"ssh-ed25519 " ED25519 " alice@laptop", "ssh-ed25519", ED25519},
        {"ssh-ed25519 " ED25519, "ssh-ed25519", ED25519},
        {"ssh-ed25519 " ED25519 "\n", "ssh-ed25519", ED25519},
        {"ssh-ed25519 " ED25519 " comment with spaces\r\n", "ssh-ed25519", ED25519},
        {"  ssh-ed25519\t" ED25519 "  ", "ssh-ed25519", ED25519},
        {"ssh-rsa " RSA " c-rsa", "ssh-rsa", RSA},
        {"ecdsa-sha2-nistp256 " P256 " x", "ecdsa-sha2-nistp256", P256},
        {"ecdsa-sha2-nistp384 " P384, "ecdsa-sha2-nistp384", P384},
        {"ecdsa-sha2-nistp521 " P521, "ecdsa-sha2-nistp521", P521},
        {"sk-ssh-ed25519@openssh.com " SK_ED25519 " token", "sk-ssh-ed25519@openssh.com", SK_ED25519},
        {"sk-ecdsa-sha2-nistp256@openssh.com " SK_P256, "sk-ecdsa-sha2-nistp256@openssh.com", SK_P256},
};

typedef struct BadLine {
        const char *line;
        unsigned column; /* where the error points */
        const char *msg; /* a substring of the message */
} BadLine;

static const BadLine bad_lines[] = {
        {"", 1, "expected a public key"},
        {"   ", 4, "expected a public key"},
        {"ssh-dss AAAAB3NzaC1kc3MAAACBAP", 1, "unsupported key type 'ssh-dss'"},
        {"ssh-ed25519-cert-v01@openssh.com AAAA", 1, "unsupported key type"},
        {"restrict ssh-ed25519 " ED25519, 1, "unsupported key type 'restrict'"},
        {"ssh-ed25519", 12, "key data missing"},
        {"ssh-ed25519 ", 13, "key data missing"},
        {"ssh-ed25519 AAAA*AAA", 13, "not valid base64"},
        {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIISvjqNyZElBUexuhAt1S5ctd3NNV7+3Q98dovS4xCz", 13,
         "not valid base64"}, /* length not a multiple of 4 */
        {"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOWVJ5fq1g1tnJV7MvYdFA8S6RBvE4oI"
         "Qki7ZHDurzHt0TZnEvsBU/8EPep5lgrx/2VT2jr77dLYy2v8C5loBjx=",
         21, "not valid base64"}, /* unused bits set: not the canonical encoding */
        {"ssh-ed25519 AA=A", 13, "not valid base64"},
        {"ssh-rsa " ED25519, 9, "not a 'ssh-rsa' public key"},
        {"ssh-ed25519 " RSA, 13, "not a 'ssh-ed25519' public key"},
        {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", 13, "not a 'ssh-ed25519' public key"}, /* type only */
        {"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=", 21, "not a 'ecdsa-sha2-nistp256'"},
        {"ssh-ed25519 " ED25519 "\nssh-ed25519 " ED25519, 0, "more than one line"},
        {"ssh-ed25519 " ED25519 " a\001b", 83, "control character"},
};

static void test_parse_good(void **state) {
        (void)state;
        FOREACH_ARRAY (g, good_lines, ELEMENTSOF(good_lines)) {
                RccDiag diag = {};
                SshKey key;

                if (ssh_key_parse(g->line, &key, &diag) < 0)
                        fail_msg("'%s': %s", g->line, diag.msg);
                assert_string_equal(key.type, g->type);
                assert_string_equal(key.blob, g->blob);
        }
}

static void test_parse_bad(void **state) {
        (void)state;
        FOREACH_ARRAY (b, bad_lines, ELEMENTSOF(bad_lines)) {
                RccDiag diag = {};
                SshKey key = {.type = "untouched"};

                if (ssh_key_parse(b->line, &key, &diag) != -EBADMSG)
                        fail_msg("'%s' was accepted", b->line);
                assert_string_equal(key.type, "untouched");
                if (!strstr(diag.msg, b->msg))
                        fail_msg("'%s': message '%s' lacks '%s'", b->line, diag.msg, b->msg);
                if (diag.column != b->column)
                        fail_msg("'%s': column %u, expected %u", b->line, diag.column, b->column);
        }
}

static void test_parse_long_blob(void **state) {
        char line[sizeof(((SshKey *)0)->blob) + 64];
        RccDiag diag = {};
        SshKey key;

        (void)state;
        memcpy(line, "ssh-rsa ", 8);
        memset(line + 8, 'A', sizeof line - 9);
        line[sizeof line - 1] = '\0';
        assert_int_equal(ssh_key_parse(line, &key, &diag), -EBADMSG);
        assert_non_null(strstr(diag.msg, "too long"));
}

static void test_format_line(void **state) {
        SshKey key;
        char buf[512];

        (void)state;
        assert_int_equal(ssh_key_parse("ssh-ed25519 " ED25519 " x", &key, NULL), 0);
        assert_int_equal(keys_format_line(&key, "alice", buf, sizeof buf), 0);
        assert_string_equal(buf, "restrict,pty ssh-ed25519 " ED25519 " rcc-invoker=alice");
        assert_int_equal(keys_format_line(&key, "alice", buf, 20), -ENOBUFS);
        assert_int_equal(keys_format_line(&key, "al ice", buf, sizeof buf), -EINVAL);
        assert_int_equal(keys_format_line(&key, "", buf, sizeof buf), -EINVAL);
        assert_int_equal(keys_format_line(&key, "-x", buf, sizeof buf), -EINVAL);
        assert_int_equal(keys_format_line(&key, "a\nb", buf, sizeof buf), -EINVAL);
}

static char dir[] = "/tmp/test-keys-XXXXXX";

static const char *write_keys(const char *name, const char *text, mode_t mode) {
        static char path[256];
        int fd;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        unlink(path);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
        return path;
}

typedef struct FindCase {
        const char *text;
        const char *key; /* the key line looked up */
        int r;
        const char *user; /* on success */
        unsigned line;    /* on failure: the line the diagnostic names */
        const char *msg;  /* on failure: a substring */
} FindCase;

#define L_ALICE "restrict,pty ssh-ed25519 " ED25519 " rcc-invoker=alice\n"
#define L_BOB "restrict,pty ssh-rsa " RSA " rcc-invoker=bob\n"

static const FindCase find_cases[] = {
        {L_ALICE L_BOB, "ssh-ed25519 " ED25519, 0, "alice", 0, NULL},
        {L_ALICE L_BOB, "ssh-rsa " RSA " other comment", 0, "bob", 0, NULL},
        {"# keys of rcc\n\n" L_ALICE "  \n" L_BOB, "ssh-rsa " RSA, 0, "bob", 0, NULL},
        {L_ALICE, "ssh-ed25519 " ED25519_B, -ENOENT, NULL, 0, "not listed"},
        {"", "ssh-ed25519 " ED25519, -ENOENT, NULL, 0, "not listed"},
        {L_ALICE L_ALICE, "ssh-ed25519 " ED25519, 0, "alice", 0, NULL},
        {L_ALICE "restrict,pty ssh-ed25519 " ED25519 " rcc-invoker=mallory\n", "ssh-ed25519 " ED25519,
         -EBADMSG, NULL, 2, "another user"},
        /* A malformed line anywhere fails the lookup, even after the match. */
        {L_ALICE "ssh-ed25519 " ED25519_B " rcc-invoker=bob\n", "ssh-ed25519 " ED25519, -EBADMSG, NULL, 2,
         "starting with"},
        {L_ALICE "restrict,pty,agent-forwarding ssh-ed25519 " ED25519_B " rcc-invoker=bob\n",
         "ssh-ed25519 " ED25519, -EBADMSG, NULL, 2, "starting with"},
        {"restrict,pty ssh-ed25519 " ED25519 " alice\n", "ssh-ed25519 " ED25519, -EBADMSG, NULL, 1,
         "rcc-invoker=USER"},
        {"restrict,pty ssh-ed25519 " ED25519 " rcc-invoker=\n", "ssh-ed25519 " ED25519, -EBADMSG, NULL, 1,
         "rcc-invoker=USER"},
        {"restrict,pty ssh-ed25519 " ED25519 " rcc-invoker=alice extra\n", "ssh-ed25519 " ED25519, -EBADMSG,
         NULL, 1, "rcc-invoker=USER"},
        {"restrict,pty ssh-ed25519 " ED25519 "\n", "ssh-ed25519 " ED25519, -EBADMSG, NULL, 1,
         "rcc-invoker=USER"},
        {"\n\nrestrict,pty ssh-ed25519 AAAA rcc-invoker=a\n", "ssh-ed25519 " ED25519, -EBADMSG, NULL, 3,
         "not a 'ssh-ed25519' public key"},
};

static void test_find_invoker(void **state) {
        (void)state;
        FOREACH_ARRAY (c, find_cases, ELEMENTSOF(find_cases)) {
                const char *path = write_keys("rcc", c->text, 0644);
                RccDiag diag = {};
                char user[64] = "untouched";
                SshKey key;
                int r;

                assert_int_equal(ssh_key_parse(c->key, &key, NULL), 0);
                r = keys_find_invoker(path, true, &key, user, sizeof user, &diag);
                if (r != c->r)
                        fail_msg(
                                "case %zu: %d, expected %d (%s)", (size_t)(c - find_cases), r, c->r,
                                diag.msg);
                if (r == 0) {
                        assert_string_equal(user, c->user);
                        continue;
                }
                assert_string_equal(user, "untouched");
                assert_string_equal(diag.file, path);
                assert_int_equal(diag.line, c->line);
                if (!strstr(diag.msg, c->msg))
                        fail_msg("case %zu: '%s' lacks '%s'", (size_t)(c - find_cases), diag.msg, c->msg);
        }
}

static void test_find_invoker_file_checks(void **state) {
        char link[300], user[64];
        RccDiag diag = {};
        const char *path;
        SshKey key;

        (void)state;
        assert_int_equal(ssh_key_parse("ssh-ed25519 " ED25519, &key, NULL), 0);

        path = write_keys("gw", L_ALICE, 0664);
        assert_int_equal(keys_find_invoker(path, true, &key, user, sizeof user, &diag), -EPERM);
        assert_non_null(strstr(diag.msg, "writable"));
        path = write_keys("ow", L_ALICE, 0646);
        assert_int_equal(keys_find_invoker(path, true, &key, user, sizeof user, &diag), -EPERM);

        /* Owned by the caller: accepted only when asked for (and by root's files always). */
        path = write_keys("own", L_ALICE, 0644);
        if (geteuid() != 0) {
                assert_int_equal(keys_find_invoker(path, false, &key, user, sizeof user, &diag), -EPERM);
                assert_non_null(strstr(diag.msg, "owned by root"));
        } else {
                assert_int_equal(keys_find_invoker(path, false, &key, user, sizeof user, &diag), 0);
                assert_int_equal(chown(path, 65534, 65534), 0);
                assert_int_equal(keys_find_invoker(path, false, &key, user, sizeof user, &diag), -EPERM);
                assert_int_equal(keys_find_invoker(path, true, &key, user, sizeof user, &diag), -EPERM);
        }

        /* A symlink is not followed, a directory is not a keys file, a missing file says so. */
        snprintf(link, sizeof link, "%s/link", dir);
        unlink(link);
        assert_int_equal(symlink("own", link), 0);
        assert_int_equal(keys_find_invoker(link, true, &key, user, sizeof user, &diag), -ELOOP);
        assert_int_equal(keys_find_invoker(dir, true, &key, user, sizeof user, &diag), -EPERM);
        snprintf(link, sizeof link, "%s/missing", dir);
        assert_int_equal(keys_find_invoker(link, true, &key, user, sizeof user, &diag), -ENOENT);
        assert_string_equal(diag.file, link);

        /* The user name must fit. */
        path = write_keys("rcc", L_ALICE, 0644);
        assert_int_equal(keys_find_invoker(path, true, &key, user, 5, &diag), -ENOBUFS);
        assert_int_equal(keys_find_invoker(path, true, &key, user, 6, &diag), 0);
        assert_string_equal(user, "alice");
}

static void test_find_invoker_size_cap(void **state) {
        _cleanup_free_ char *big = malloc(KEYS_MAX_FILE_SIZE + 2);
        char user[64];
        RccDiag diag = {};
        SshKey key;

        (void)state;
        assert_non_null(big);
        memset(big, '\n', KEYS_MAX_FILE_SIZE + 1);
        big[KEYS_MAX_FILE_SIZE + 1] = '\0';
        assert_int_equal(ssh_key_parse("ssh-ed25519 " ED25519, &key, NULL), 0);
        assert_int_equal(
                keys_find_invoker(write_keys("big", big, 0644), true, &key, user, sizeof user, &diag),
                -EFBIG);
        big[KEYS_MAX_FILE_SIZE] = '\0'; /* exactly the cap is fine */
        assert_int_equal(
                keys_find_invoker(write_keys("big", big, 0644), true, &key, user, sizeof user, &diag),
                -ENOENT);
}

typedef struct AuthCase {
        const char *text;
        int r;
        const char *blob; /* on success */
        unsigned line;    /* on failure */
} AuthCase;

static const AuthCase auth_cases[] = {
        {"publickey ssh-ed25519 " ED25519 "\n", 0, ED25519, 0},
        {"publickey ssh-ed25519 " ED25519, 0, ED25519, 0},
        {"password\npublickey ssh-rsa " RSA "\n", 0, RSA, 0},
        /* AuthenticationMethods publickey,publickey: the last one wins. */
        {"publickey ssh-rsa " RSA "\npublickey ssh-ed25519 " ED25519 "\n", 0, ED25519, 0},
        {"keyboard-interactive\n", -ENOENT, NULL, 0},
        {"", -ENOENT, NULL, 0},
        {"publickeyssh-ed25519 " ED25519 "\n", -ENOENT, NULL, 0},
        {"password\npublickey ssh-ed25519 AAAA\n", -EBADMSG, NULL, 2},
        {"publickey ssh-ed25519-cert-v01@openssh.com AAAA\n", -EBADMSG, NULL, 1},
};

static void test_auth_info(void **state) {
        (void)state;
        FOREACH_ARRAY (c, auth_cases, ELEMENTSOF(auth_cases)) {
                RccDiag diag = {};
                SshKey key = {.blob = "untouched"};
                int r = ssh_auth_info_key(c->text, &key, &diag);

                if (r != c->r)
                        fail_msg(
                                "case %zu: %d, expected %d (%s)", (size_t)(c - auth_cases), r, c->r,
                                diag.msg);
                if (r == 0)
                        assert_string_equal(key.blob, c->blob);
                else {
                        assert_string_equal(key.blob, "untouched");
                        assert_true(diag.msg[0] != '\0');
                        assert_int_equal(diag.line, c->line);
                }
        }
}

static int setup_dir(void **state) {
        (void)state;
        return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
        static const char *const names[] = {"rcc", "gw", "ow", "own", "link", "big"};
        char path[300];

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                snprintf(path, sizeof path, "%s/%s", dir, names[i]);
                unlink(path);
        }
        return rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_good),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_parse_long_blob),
                cmocka_unit_test(test_format_line),
                cmocka_unit_test(test_find_invoker),
                cmocka_unit_test(test_find_invoker_file_checks),
                cmocka_unit_test(test_find_invoker_size_cap),
                cmocka_unit_test(test_auth_info),
        };

        return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
