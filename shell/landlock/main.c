/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-landlock: the entry point of every rcc session container. rcc-shell bind-mounts it read-only
 * at /.rcc/landlock and runs it (under podman's --init) with the policy's command after "--".
 * Before it executes the command it
 *   1. checks that /workspace is the project directory rcc-shell checked (device and inode) and a
 *      mount point, that each read-only carve-out is the inode rcc-shell checked on the host, on a
 *      read-only mount, and that each pinned directory above one is the inode checked and a mount
 *      point: this closes the window between rcc-shell's checks and the runtime's bind mounts, in
 *      which the human could swap their project for another directory, or a concurrent session of
 *      the account a carve-out for a symlink;
 *   2. restricts itself with Landlock (landlock-policy.c says what and why), at the ABI this kernel
 *      has, and never below the one rcc-shell found on the host;
 *   3. executes the command, which inherits the restriction: nothing it runs, root in the user
 *      namespace included, can lift it.
 * Any failure refuses the command: one line on stderr, exit status 126.
 *
 * Statically linked (it runs in whatever image the admin chose, whose libc may be missing or
 * hostile); no heap; every descriptor close-on-exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock-policy.h"

#define EXIT_REFUSED 126
#define EXIT_NOT_FOUND 127

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1

/* struct landlock_ruleset_attr of ABI 6; older kernels accept it with the newer fields zero. */
struct ll_ruleset_attr {
        uint64_t handled_access_fs;
        uint64_t handled_access_net;
        uint64_t scoped;
};

struct ll_path_beneath_attr {
        uint64_t allowed_access;
        int32_t parent_fd;
} __attribute__((packed));

__attribute__((format(printf, 1, 2))) static int refuse(const char *fmt, ...) {
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        fprintf(stderr, "rcc-landlock: %s; the session is refused\n", msg);
        return EXIT_REFUSED;
}

/* The kernel's Landlock ABI; 0 where it has none (not built, or not enabled at boot); -errno else. */
static int landlock_abi(void) {
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);

        if (abi >= 0)
                return (int)abi;
        return errno == ENOSYS || errno == EOPNOTSUPP ? 0 : -errno;
}

/* path opened O_PATH; with no_symlinks, no component may be a symlink (ELOOP). */
static int open_path(const char *path, bool no_symlinks) {
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC | (no_symlinks ? O_NOFOLLOW : 0),
                .resolve = no_symlinks ? RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS : 0,
        };
        int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);

        if (fd < 0 && errno == ENOSYS) /* before 5.6: at least the last component */
                fd = open(path, (int)how.flags);
        return fd;
}

/* Open path (what: "read-only carve-out", "pinned directory"), no symlinks, and check it is the
 * inode rcc-shell checked on the host (noun: "file", "directory"). 0 with the descriptor in
 * *ret_fd and its stat in *ret_st, or the exit status of a refusal. */
static int open_checked(
        const LandlockReadonly *id, const char *what, const char *noun, int *ret_fd, struct stat *ret_st) {
        struct stat st;
        int fd = open_path(id->path, true);

        if (fd < 0)
                return refuse("cannot open the %s '%s': %m", what, id->path);
        if (fstat(fd, &st) < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return refuse("cannot stat the %s '%s': %m", what, id->path);
        }
        /* st_dev is the superblock's device number, the same in every mount and user namespace
         * (checked in rootless podman on ext4 and overlayfs: tests/integration/test-session.sh). */
        if ((uint64_t)st.st_dev != id->dev || (uint64_t)st.st_ino != id->ino) {
                close(fd);
                return refuse(
                        "'%s' is not the %s rcc-shell checked (device:inode %llu:%llu, expected "
                        "%llu:%llu): it was replaced while the session started",
                        id->path, noun, (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                        (unsigned long long)id->dev, (unsigned long long)id->ino);
        }
        *ret_fd = fd;
        *ret_st = st;
        return 0;
}

static int check_readonly(const LandlockReadonly *ro) {
        struct statvfs sv;
        struct stat st;
        int fd = -1, r = open_checked(ro, "read-only carve-out", "file", &fd, &st);

        if (r != 0)
                return r;
        r = fstatvfs(fd, &sv);
        int e = errno;
        close(fd);
        errno = e;
        if (r < 0)
                return refuse("cannot stat the read-only carve-out '%s': %m", ro->path);
        if (!(sv.f_flag & ST_RDONLY))
                return refuse("'%s' is not on a read-only mount", ro->path);
        return 0;
}

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/* The id of the mount fd lies on, from /proc/self/fdinfo (Linux 3.15); -errno. */
static long long mount_id(int fd) {
        char path[64], buf[1024];
        const char *m;
        ssize_t n;
        int f;

        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
        f = open(path, O_RDONLY | O_CLOEXEC);
        if (f < 0)
                return -errno;
        n = read(f, buf, sizeof buf - 1);
        close(f);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        m = strstr(buf, "\nmnt_id:");
        if (!m)
                return -ENODATA;
        return strtoll(m + 8, NULL, 10);
}

/* Whether the directory fd is the root of a mount: statx's STATX_ATTR_MOUNT_ROOT (Linux 5.8), else
 * whether its mount differs from its parent's (".." from a mount's root leads into the mount
 * below). 1, 0 or -errno. */
static int is_mount_root(int fd) {
        struct statx stx;
        long long self, parent;
        int pfd;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) == 0 &&
            (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
                return !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
        pfd = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0)
                return -errno;
        self = mount_id(fd);
        parent = mount_id(pfd);
        close(pfd);
        if (self < 0)
                return (int)self;
        if (parent < 0)
                return (int)parent;
        return self != parent;
}

/* A directory that must be the inode checked on the host and a mount point: the project at
 * /workspace, or a pinned directory bound onto itself (any mount will do, read-only or not: what
 * matters is that a mount point cannot be renamed or removed). */
static int check_mount_root(const LandlockReadonly *p, const char *what) {
        struct stat st;
        int fd = -1, r = open_checked(p, what, "directory", &fd, &st);

        if (r != 0)
                return r;
        r = S_ISDIR(st.st_mode) ? is_mount_root(fd) : 0;
        close(fd);
        if (r < 0) {
                errno = -r;
                return refuse("cannot tell whether '%s' is a mount point: %m", p->path);
        }
        if (r == 0)
                return refuse(
                        "'%s' is not a mount point, so it is not the %s rcc-shell bound there", p->path,
                        what);
        return 0;
}

/* 0, or the exit status of a refusal. */
static int add_rule(int ruleset, const LandlockRule *rule) {
        struct ll_path_beneath_attr attr = {.parent_fd = open_path(rule->path, rule->no_symlinks)};
        struct stat st;
        int r = 0;

        if (attr.parent_fd < 0) {
                if (errno == ENOENT) /* this image has no /dev/console, say: nothing to grant */
                        return 0;
                return refuse(
                        "cannot open '%s' for its Landlock rule: %m%s", rule->path,
                        errno == ELOOP ? " (rcc grants write access to real directories only)" : "");
        }
        if (fstat(attr.parent_fd, &st) < 0)
                r = refuse("cannot stat '%s': %m", rule->path);
        else {
                attr.allowed_access = landlock_rule_access(rule->access, S_ISDIR(st.st_mode));
                if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0) < 0)
                        r = refuse("cannot add the Landlock rule for '%s': %m", rule->path);
        }
        close(attr.parent_fd);
        return r;
}

static int restrict_self(const LauncherArgs *args, int abi) {
        LandlockHandled h = landlock_handled(abi);
        struct ll_ruleset_attr attr = {.handled_access_fs = h.fs, .scoped = h.scoped};
        LandlockRule rules[LAUNCHER_MAX_RULES];
        size_t n = 0;
        int r = 0;

        int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
        if (ruleset < 0)
                return refuse("cannot create a Landlock ruleset (ABI %d): %m", abi);
        landlock_rules_build(args, abi, rules, &n);
        for (size_t i = 0; i < n && r == 0; i++)
                r = add_rule(ruleset, &rules[i]);
        /* podman's no-new-privileges has set it already; Landlock requires it, so make sure. */
        if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                r = refuse("cannot set no_new_privs: %m");
        if (r == 0 && syscall(SYS_landlock_restrict_self, ruleset, landlock_restrict_flags(abi)) < 0)
                r = refuse("cannot enforce the Landlock ruleset: %m");
        close(ruleset);
        return r;
}

int main(int argc, char **argv) {
        LauncherArgs args;
        const char *error = NULL, *arg = NULL;
        int abi, r;

        if (launcher_args_parse(argc, argv, &args, &error, &arg) < 0) {
                if (arg)
                        return refuse("%s: '%s'", error, arg);
                return refuse("%s", error);
        }
        abi = landlock_abi();
        if (args.describe) {
                if (abi < 0) {
                        errno = -abi;
                        fprintf(stderr, "rcc-landlock: cannot ask the kernel for its Landlock ABI: %m\n");
                        return EXIT_REFUSED;
                }
                printf("ABI %d: %s\n", abi, landlock_describe(abi));
                return 0;
        }

        if ((r = check_mount_root(&args.workspace, "project directory")) != 0)
                return r;
        for (size_t i = 0; i < args.n_pinned; i++)
                if ((r = check_mount_root(&args.pinned[i], "pinned directory")) != 0)
                        return r;
        for (size_t i = 0; i < args.n_readonly; i++)
                if ((r = check_readonly(&args.readonly[i])) != 0)
                        return r;

        if (abi < 0) {
                errno = -abi;
                return refuse("cannot ask the kernel for its Landlock ABI: %m");
        }
        /* Best effort down to what the kernel has, decided on the host: rcc-shell asked the same
         * kernel outside the container. Less in here means something (an old seccomp profile) hides
         * Landlock from the container, and that must not quietly switch it off. */
        if (abi < args.abi)
                return refuse(
                        "the kernel has Landlock ABI %d but the container sees %s%d (is podman's "
                        "seccomp profile older than the kernel?)",
                        args.abi, abi ? "ABI " : "", abi);
        if (abi == 0)
                fprintf(stderr, "rcc-landlock: this kernel has no Landlock; the session is confined by the "
                                "container alone (see rcc-setup doctor)\n");
        else if ((r = restrict_self(&args, abi)) != 0)
                return r;

        execvp(args.command[0], args.command);
        fprintf(stderr, "rcc-landlock: cannot run '%s': %m\n", args.command[0]);
        return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_REFUSED;
}
