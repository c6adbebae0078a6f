/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "environ.h"
#include "invoker.h"
#include "keys.h"
#include "paths.h"

#define AUTH_INFO_MAX (64u * 1024)

#define HOW_TO_ENTER "enter through ssh with a key added by `rcc-setup key add`, or through sudo"

/* The text of sshd's ExposeAuthInfo file at path into buf (NUL-terminated). sshd writes it for
 * this session, as this uid, mode 0600, before it runs the shell. */
static int read_auth_info(const char *path, uid_t uid, char *buf, size_t size, RccDiag *diag) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        size_t len = 0;

        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0)
                return diag_set(
                        diag, negative_errno(), NULL, 0, 0,
                        "cannot read sshd's record of the key that logged in (%s: %s); is ExposeAuthInfo "
                        "on? run rcc-setup doctor",
                        path, strerror(errno));
        if (!S_ISREG(st.st_mode) || st.st_uid != uid || (uint64_t)st.st_size >= size)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "sshd's record of the key that logged in (%s) is not a small regular file of "
                        "this account; refusing to trust it",
                        path);
        while (len + 1 < size) {
                ssize_t n = read(fd, buf + len, size - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return diag_set(
                                diag, negative_errno(), NULL, 0, 0, "reading %s: %s", path, strerror(errno));
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        return 0;
}

/* The key sshd accepted, looked up in the root-owned keys file of the account, which names the
 * human each key belongs to. Neither the client nor the agent can choose what sshd writes in
 * SSH_USER_AUTH, and the keys file is root's.
 * Residual: the file is owned by the account's uid, so another process of the same account could
 * rewrite it between sshd writing and us reading; the PAM record that replaces this closes that. */
static int identify_ssh(const char *account, uid_t uid, char *const *env, Invoker *ret, RccDiag *diag) {
        const char *path = env_lookup(env, "SSH_USER_AUTH");
        _cleanup_free_ char *text = NULL;
        char keys_path[PATH_MAX], user[sizeof ret->user];
        SshKey key;
        int r;

        if (!path || path[0] != '/')
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "sshd did not say which key logged in (no SSH_USER_AUTH; ExposeAuthInfo must be "
                        "on for this account, see rcc-setup doctor); " HOW_TO_ENTER);
        text = malloc(AUTH_INFO_MAX);
        if (!text)
                return -ENOMEM;
        if ((r = read_auth_info(path, uid, text, AUTH_INFO_MAX, diag)) < 0)
                return r;
        r = ssh_auth_info_key(text, &key, diag);
        if (r == -ENOENT)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "this session did not log in with a public key; " HOW_TO_ENTER);
        if (r < 0)
                return r;
        if ((size_t)snprintf(keys_path, sizeof keys_path, "%s/%s", RCC_KEYS_DIR, account) >=
            sizeof keys_path)
                return -ENAMETOOLONG;
        r = keys_find_invoker(keys_path, false, &key, user, sizeof user, diag);
        if (r == -ENOENT)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "the %s key that logged in belongs to no human in %s; an admin adds it with "
                        "`rcc-setup key add %s FILE --user HUMAN`",
                        key.type, keys_path, account);
        if (r < 0)
                return r;
        ret->via = INVOKER_SSH;
        memcpy(ret->user, user, sizeof ret->user);
        return 0;
}

/* sudo sets SUDO_USER and SUDO_UID itself. The sudoers drop-in keeps env_reset and grants no
 * SETENV, so the human cannot pass their own values through sudo, and sshd accepts no variable
 * but RCC_PROJECT, so an ssh client cannot set them either. Checking SUDO_UID against the user
 * database still catches a stale or inconsistent pair. */
static int identify_sudo(char *const *env, Invoker *ret, RccDiag *diag) {
        const char *user = env_lookup(env, "SUDO_USER"), *uid_text = env_lookup(env, "SUDO_UID");
        struct passwd *pw;
        char *end = NULL;

        errno = 0;
        uintmax_t uid = strtoumax(uid_text, &end, 10);
        if (!user[0] || strlen(user) >= sizeof ret->user || errno != 0 || !end || *end || end == uid_text ||
            uid > UINT32_MAX)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0, "sudo's SUDO_USER/SUDO_UID are malformed; " HOW_TO_ENTER);
        errno = 0;
        pw = getpwnam(user);
        if (!pw || (uintmax_t)pw->pw_uid != uid)
                return diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "sudo says the caller is '%s' (uid %ju), which the user database does not confirm; " HOW_TO_ENTER,
                        user, uid);
        ret->via = INVOKER_SUDO;
        snprintf(ret->user, sizeof ret->user, "%s", user);
        return 0;
}

int invoker_identify(
        const char *account, uid_t uid, bool via_sshd, char *const *env, Invoker *ret, RccDiag *diag) {
        Invoker inv = {};
        int r;

        if (via_sshd)
                r = identify_ssh(account, uid, env, &inv, diag);
        else if (
                env_lookup(env, "SUDO_USER") && env_lookup(env, "SUDO_UID") &&
                !env_lookup(env, "SSH_ORIGINAL_COMMAND"))
                r = identify_sudo(env, &inv, diag);
        else
                r = diag_set(
                        diag, -EPERM, NULL, 0, 0,
                        "cannot tell which human started this session: " HOW_TO_ENTER);
        if (r < 0)
                return r;
        *ret = inv;
        return 0;
}

const char *invoker_via_to_string(InvokerVia via) {
        switch (via) {
        case INVOKER_SSH:
                return "ssh";
        case INVOKER_SUDO:
                return "sudo";
        }
        return "?";
}
