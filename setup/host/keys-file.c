/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "files.h"
#include "keys-file.h"
#include "keys.h"
#include "log.h"

int keys_file_add(Setup *s, const char *account, const SshKey *key, const char *human) {
        _cleanup_free_ char *path = NULL, *old = NULL, *text = NULL;
        char line[sizeof key->type + sizeof key->blob + 300], owner[300];
        RccDiag diag = {};
        int r;

        if (asprintf(&path, "%s/%s", s->keys_dir, account) < 0)
                return log_errno(-ENOMEM, "out of memory");
        r = keys_find_invoker(path, false, key, owner, sizeof owner, &diag);
        if (r == 0 && strcmp(owner, human) == 0)
                return 0;
        if (r == 0)
                return log_errno(
                        -EEXIST,
                        "this %s key is already authorized for '%s' as '%s'; a key belongs to one human",
                        key->type, account, owner);
        if (r != -ENOENT)
                return log_diag(r, &diag);
        r = keys_format_line(key, human, line, sizeof line);
        if (r < 0)
                return log_errno(r, "cannot format the key line for '%s'", human);
        r = read_file(path, KEYS_MAX_FILE_SIZE, &old, NULL);
        if (r < 0 && r != -ENOENT)
                return log_errno(r, "cannot read '%s': %s", path, strerror(-r));
        size_t n = old ? strlen(old) : 0;
        if (asprintf(&text, "%s%s%s\n", old ?: "", n > 0 && old[n - 1] != '\n' ? "\n" : "", line) < 0)
                return log_errno(-ENOMEM, "out of memory");
        if (old && !file_is_ours(s, path)) {
                /* Someone else's file (edited by hand): add to it, but uninstall leaves it. */
                r = write_file_atomic(path, text, strlen(text), 0644, 0, 0);
                if (r < 0)
                        return log_errno(r, "cannot write '%s': %s", path, strerror(-r));
        } else {
                r = replace_file(s, path, text, 0644, account);
                if (r < 0)
                        return r;
        }
        return 1;
}
