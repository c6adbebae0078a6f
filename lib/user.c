/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "user.h"

#define PW_BUF_MAX (1024 * 1024)

static int user_copy(const struct passwd *pw, UserEntry *ret) {
        const char *home = pw->pw_dir ? pw->pw_dir : "", *shell = pw->pw_shell ? pw->pw_shell : "";

        if (strlen(pw->pw_name) >= sizeof ret->name || strlen(home) >= sizeof ret->home ||
            strlen(shell) >= sizeof ret->shell)
                return -ENAMETOOLONG;
        strcpy(ret->name, pw->pw_name);
        strcpy(ret->home, home);
        strcpy(ret->shell, shell);
        ret->uid = pw->pw_uid;
        ret->gid = pw->pw_gid;
        return 0;
}

int user_lookup(const char *name, uid_t uid, UserEntry *ret) {
        _cleanup_free_ char *buf = NULL;
        struct passwd pw, *res = NULL;
        int r;

        /* A buffer that grows until the entry fits: an NSS entry (LDAP, say) may be long. */
        for (size_t size = 16384;; size *= 2) {
                free(buf);
                buf = malloc(size);
                if (!buf)
                        return -ENOMEM;
                r = name ? getpwnam_r(name, &pw, buf, size, &res) : getpwuid_r(uid, &pw, buf, size, &res);
                if (r != ERANGE || size >= PW_BUF_MAX)
                        break;
        }
        if (res)
                return user_copy(res, ret);
        /* "Not found" comes back as 0 or, from some NSS modules, as one of these. */
        if (r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
                return -ENOENT;
        return -r;
}

bool user_name_valid(const char *s, bool allow_upper) {
        size_t len = strlen(s);

        if (len == 0 || len > USER_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                bool ok = (c >= 'a' && c <= 'z') || c == '_' || (allow_upper && c >= 'A' && c <= 'Z') ||
                          (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
                if (!ok)
                        return false;
        }
        return true;
}
