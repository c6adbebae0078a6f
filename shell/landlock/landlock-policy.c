/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rules rcc-landlock applies inside the container, and its command line. Pure.
 *
 * What the session may do under Landlock:
 *   - read and execute everywhere ("/"): the image, /proc, /sys as the container shows them;
 *   - write beneath the --writable paths (/workspace, /tmp, the session's home) and /dev/shm;
 *   - read and write the usual devices (/dev/null, zero, full, random, urandom) and terminals
 *     (/dev/tty, console, ptmx and what is beneath /dev/pts, with device ioctls), so interactive shells
 * work. Nothing else: in particular no write to the image's own files (/etc, /usr), which the container's
 * overlay would otherwise allow to whoever owns them there, and no mknod of devices anywhere.
 *
 * The read-only carve-outs beneath /workspace (files.readonly) get no Landlock rule of their own.
 * Landlock only adds: a right granted on /workspace holds for everything beneath it, and a right
 * withheld from /workspace would be missing from every file the agent creates at the top of the
 * project (or in any directory it creates) during the session, since rules attach to the inodes
 * that exist when the ruleset is made. The carve-outs are read-only bind mounts instead, which the
 * kernel enforces for every process (EROFS) whatever Landlock grants; the launcher checks that each
 * is the inode rcc-shell checked and that it sits on a read-only mount, and Landlock then forbids
 * every change of the mount topology (mount, umount, pivot_root, move), so they stay in place.
 * A bind mount moves along with a renamed parent, though: so every directory between /workspace and a
 * carve-out (.git for .git/hooks) is bound onto itself read-write (--pinned), and the launcher
 * checks it is the inode rcc-shell checked and a mount point, which cannot be renamed or removed
 * (EBUSY).
 *
 * Network rights (ABI 4: TCP bind and connect) are deliberately not handled: what the session may
 * reach is the host firewall's job (rcc-firewall matches the account's sockets by uid, outside
 * anything the agent can touch), and a second, port-only list here would only drift from it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "landlock-policy.h"

#define LL_READ (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR)
#define LL_WRITE                                                                                     \
        (LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_DIR | LL_FS_MAKE_REG | \
         LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_SYM | LL_FS_REFER | LL_FS_TRUNCATE)
#define LL_DEVICE (LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE)
#define LL_TERMINAL (LL_DEVICE | LL_FS_IOCTL_DEV)

/* The filesystem rights each ABI added; index = ABI. */
static const uint64_t fs_added[LL_ABI_KNOWN + 1] = {
        [1] = LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_REMOVE_DIR |
              LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR | LL_FS_MAKE_REG | LL_FS_MAKE_SOCK |
              LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK | LL_FS_MAKE_SYM,
        [2] = LL_FS_REFER,
        [3] = LL_FS_TRUNCATE,
        [4] = 0, /* network rights: not handled, see above */
        [5] = LL_FS_IOCTL_DEV,
        [6] = 0, /* scopes */
        [7] = 0, /* audit logging flags only */
};

static const char *const descriptions[LL_ABI_KNOWN + 1] = {
        [0] = "nothing: no Landlock in this kernel",
        [1] = "filesystem (renames and links across directories always refused)",
        [2] = "filesystem",
        [3] = "filesystem, truncation",
        [4] = "filesystem, truncation (network is the firewall's)",
        [5] = "filesystem, truncation, device ioctls (network is the firewall's)",
        [6] = "filesystem, truncation, device ioctls, abstract unix sockets and signals scoped",
        [7] = "filesystem, truncation, device ioctls, abstract unix sockets and signals scoped",
};

static int clamp_abi(int abi) {
        return abi < 0 ? 0 : abi > LL_ABI_KNOWN ? LL_ABI_KNOWN : abi;
}

LandlockHandled landlock_handled(int abi) {
        LandlockHandled h = {};

        abi = clamp_abi(abi);
        for (int i = 1; i <= abi; i++)
                h.fs |= fs_added[i];
        if (abi >= 6)
                h.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
        return h;
}

const char *landlock_describe(int abi) {
        return descriptions[clamp_abi(abi)];
}

uint64_t landlock_rule_access(uint64_t access, bool is_dir) {
        return is_dir ? access : access & LL_FS_FILE_RIGHTS;
}

uint32_t landlock_restrict_flags(int abi) {
        return abi >= 7 ? 1U << 1 /* LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON */ : 0;
}

/* no_symlinks for the directories made writable: the image could make its /tmp a link to /etc.
 * The device files are runc's (/dev/ptmx is its link to pts/ptmx), "/" is the root itself. */
static void rule_add(
        LandlockRule *rules, size_t *n, const char *path, uint64_t access, uint64_t handled,
        bool no_symlinks) {
        access &= handled;
        if (access && *n < LAUNCHER_MAX_RULES)
                rules[(*n)++] = (LandlockRule){.path = path, .access = access, .no_symlinks = no_symlinks};
}

void landlock_rules_build(const LauncherArgs *args, int abi, LandlockRule *ret, size_t *ret_n) {
        static const char *const devices[] = {
                "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};
        static const char *const terminals[] = {"/dev/tty", "/dev/console", "/dev/ptmx", "/dev/pts"};
        uint64_t handled = landlock_handled(abi).fs;
        size_t n = 0;

        rule_add(ret, &n, "/", LL_READ, handled, false);
        for (size_t i = 0; i < args->n_writable; i++)
                rule_add(ret, &n, args->writable[i], LL_READ | LL_WRITE, handled, true);
        rule_add(ret, &n, "/dev/shm", LL_READ | LL_WRITE, handled, true); /* POSIX shared memory */
        for (size_t i = 0; i < sizeof devices / sizeof *devices; i++)
                rule_add(ret, &n, devices[i], LL_DEVICE, handled, false);
        for (size_t i = 0; i < sizeof terminals / sizeof *terminals; i++)
                rule_add(ret, &n, terminals[i], LL_TERMINAL, handled, false);
        *ret_n = n;
}

/* A decimal number that fits in uint64_t, all of s up to end. */
static bool parse_u64(const char *s, const char *end, uint64_t *ret) {
        uint64_t v = 0;

        if (s == end || end - s > 20)
                return false;
        for (const char *c = s; c < end; c++) {
                if (*c < '0' || *c > '9')
                        return false;
                unsigned d = (unsigned)(*c - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}

/* An absolute path without "." or ".." components: what the launcher opens must be what was named. */
static bool path_plain(const char *p) {
        if (p[0] != '/')
                return false;
        for (const char *c = p; *c;) {
                c += strspn(c, "/");
                size_t len = strcspn(c, "/");
                if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += len;
        }
        return true;
}

static bool parse_readonly(const char *s, LandlockReadonly *ret) {
        const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

        if (!c2 || !parse_u64(s, c1, &ret->dev) || !parse_u64(c1 + 1, c2, &ret->ino) || !path_plain(c2 + 1))
                return false;
        ret->path = c2 + 1;
        return true;
}

static int fail(const char *error, const char *arg, const char **ret_error, const char **ret_arg) {
        *ret_error = error;
        *ret_arg = arg;
        return -EINVAL;
}

int launcher_args_parse(
        int argc, char *const *argv, LauncherArgs *ret, const char **ret_error, const char **ret_arg) {
        bool have_abi = false, have_workspace = false;
        int i;

        *ret = (LauncherArgs){};
        for (i = 1; i < argc; i++) {
                const char *a = argv[i];
                uint64_t v;

                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
                if (strcmp(a, "--describe") == 0)
                        ret->describe = true;
                else if (strncmp(a, "--abi=", 6) == 0) {
                        if (have_abi || !parse_u64(a + 6, a + strlen(a), &v) || v > 1000)
                                return fail("bad or repeated --abi", a, ret_error, ret_arg);
                        ret->abi = (int)v;
                        have_abi = true;
                } else if (strncmp(a, "--workspace=", 12) == 0) {
                        if (have_workspace || !parse_readonly(a + 12, &ret->workspace))
                                return fail(
                                        "bad or repeated --workspace (DEV:INO:ABSOLUTE-PATH)", a, ret_error,
                                        ret_arg);
                        have_workspace = true;
                } else if (strncmp(a, "--writable=", 11) == 0) {
                        if (!path_plain(a + 11))
                                return fail(
                                        "--writable needs an absolute path without . or ..", a, ret_error,
                                        ret_arg);
                        if (ret->n_writable >= LAUNCHER_MAX_WRITABLE)
                                return fail("too many --writable paths", a, ret_error, ret_arg);
                        ret->writable[ret->n_writable++] = a + 11;
                } else if (strncmp(a, "--pinned=", 9) == 0) {
                        if (ret->n_pinned >= LAUNCHER_MAX_PINNED)
                                return fail("too many --pinned paths", a, ret_error, ret_arg);
                        if (!parse_readonly(a + 9, &ret->pinned[ret->n_pinned]))
                                return fail("--pinned needs DEV:INO:ABSOLUTE-PATH", a, ret_error, ret_arg);
                        ret->n_pinned++;
                } else if (strncmp(a, "--readonly=", 11) == 0) {
                        if (ret->n_readonly >= LAUNCHER_MAX_READONLY)
                                return fail("too many --readonly paths", a, ret_error, ret_arg);
                        if (!parse_readonly(a + 11, &ret->readonly[ret->n_readonly]))
                                return fail("--readonly needs DEV:INO:ABSOLUTE-PATH", a, ret_error, ret_arg);
                        ret->n_readonly++;
                } else
                        return fail("unknown argument", a, ret_error, ret_arg);
        }
        if (ret->describe) {
                if (have_abi || have_workspace || ret->n_writable || ret->n_readonly || ret->n_pinned ||
                    i < argc)
                        return fail("--describe takes no other argument", NULL, ret_error, ret_arg);
                return 0;
        }
        if (!have_abi)
                return fail("--abi=N is required", NULL, ret_error, ret_arg);
        if (!have_workspace)
                return fail("--workspace=DEV:INO:PATH is required", NULL, ret_error, ret_arg);
        if (i >= argc || !argv[i][0])
                return fail("no command after --", NULL, ret_error, ret_arg);
        ret->command = argv + i;
        return 0;
}
