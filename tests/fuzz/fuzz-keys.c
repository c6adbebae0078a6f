/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for lib/keys.c. The input is used three ways: as one public key line
 * (ssh_key_parse), as sshd's auth info (ssh_auth_info_key), and as the contents of a keys file
 * (keys_find_invoker, looking up the key the input itself parsed to, if any).
 *
 * Whatever the input: no crash, leak or overrun; every failure comes with a message; an accepted
 * key formats into a keys-file line that parses back to the same key and finds its user.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char keys_path[] = "/tmp/rcc-fuzz-keys-XXXXXX";

static void remove_keys(void) {
        unlink(keys_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        int fd;

        (void)argc, (void)argv;
        fd = mkstemp(keys_path);
        if (fd < 0) {
                perror("rcc-fuzz: cannot create the keys file");
                abort();
        }
        close(fd);
        atexit(remove_keys);
        return 0;
}

static void write_keys(const char *data, size_t size) {
        int fd = open(keys_path, O_WRONLY | O_TRUNC | O_CLOEXEC);

        if (fd < 0 || write(fd, data, size) != (ssize_t)size)
                abort();
        close(fd);
}

static void check_key(const SshKey *k) {
        if (k->type[0] == '\0' || k->blob[0] == '\0' || strlen(k->blob) % 4 != 0)
                abort();
        if (strpbrk(k->type, " \t\r\n") || strpbrk(k->blob, " \t\r\n"))
                abort();
}

static void check_roundtrip(const SshKey *k) {
        char line[sizeof k->type + sizeof k->blob + 64], user[64];
        RccDiag diag = {};
        SshKey again;

        if (keys_format_line(k, "alice", line, sizeof line) < 0)
                abort();
        /* Without the options, the line is a public key line again. */
        if (ssh_key_parse(line + strlen(KEYS_OPTIONS) + 1, &again, &diag) < 0)
                abort();
        if (strcmp(again.type, k->type) != 0 || strcmp(again.blob, k->blob) != 0)
                abort();
        strcat(line, "\n");
        write_keys(line, strlen(line));
        if (keys_find_invoker(keys_path, true, k, user, sizeof user, &diag) < 0 ||
            strcmp(user, "alice") != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1), user[300] = "";
        SshKey key = {}, lookup = {};
        bool have_key;
        RccDiag diag;
        int r;

        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';

        diag = (RccDiag){};
        r = ssh_key_parse(text, &key, &diag);
        if (r < 0 && diag.msg[0] == '\0')
                abort();
        have_key = r == 0;
        if (have_key) {
                check_key(&key);
                check_roundtrip(&key);
        }

        diag = (RccDiag){};
        r = ssh_auth_info_key(text, &lookup, &diag);
        if (r < 0 && diag.msg[0] == '\0')
                abort();
        if (r == 0)
                check_key(&lookup);

        /* Look up the key the input parsed to, else the one from the auth info, else any key. */
        if (have_key)
                lookup = key;
        else if (
                r < 0 &&
                ssh_key_parse(
                        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f",
                        &lookup, NULL) < 0)
                abort();
        write_keys((const char *)data, size);
        diag = (RccDiag){};
        r = keys_find_invoker(keys_path, true, &lookup, user, sizeof user, &diag);
        if (r < 0 && (diag.msg[0] == '\0' || strcmp(diag.file, keys_path) != 0))
                abort();
        if (r == 0 && (user[0] == '\0' || strpbrk(user, " \t\r\n")))
                abort();

        free(text);
        return 0;
}
