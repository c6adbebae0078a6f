/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "context.h"
#include "files.h"
#include "log.h"
#include "manifest.h"
#include "paths.h"
#include "policy.h"
#include "run.h"
#include "selinux.h"
#include "storage.h"

#define SYSTEMD_UNIT_DIR "/etc/systemd/system"

typedef struct StoragePaths {
        char dir[sizeof RCC_STORAGE_DIR + 16];
        char image[sizeof RCC_STORAGE_DIR + 24];
        char unit[2 * sizeof RCC_STORAGE_DIR + 32]; /* var-lib-rcc-storage-UID.mount */
        char label[17];                             /* ext4 labels hold 16 bytes */
} StoragePaths;

/* systemd's name for the mount unit of an absolute path (systemd-escape --path --suffix=mount). */
static void unit_name(const char *path, char *buf, size_t size) {
        size_t n = 0;

        for (const char *c = path + 1; *c && n + 5 < size; c++) {
                if (*c == '/')
                        buf[n++] = '-';
                else if (
                        (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                        *c == '_' || (*c == '.' && c != path + 1))
                        buf[n++] = *c;
                else
                        n += (size_t)snprintf(buf + n, size - n, "\\x%02x", (unsigned char)*c);
        }
        snprintf(buf + n, size - n, ".mount");
}

static void storage_paths(uid_t uid, StoragePaths *ret) {
        snprintf(ret->dir, sizeof ret->dir, RCC_STORAGE_DIR "/%u", (unsigned)uid);
        snprintf(ret->image, sizeof ret->image, "%s.img", ret->dir);
        unit_name(ret->dir, ret->unit, sizeof ret->unit);
        snprintf(ret->label, sizeof ret->label, "rcc-%u", (unsigned)uid);
}

int storage_is_mounted(const char *dir) {
        struct stat st, parent;
        char up[PATH_MAX];

        if (lstat(dir, &st) < 0)
                return -errno;
        if (snprintf(up, sizeof up, "%s/..", dir) >= (int)sizeof up)
                return -ENAMETOOLONG;
        if (stat(up, &parent) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) && st.st_dev != parent.st_dev;
}

/* A sparse file of bytes with an ext4 file system on it, created only if absent. */
static int make_image(const StoragePaths *p, uint64_t bytes) {
        const char *mkfs[] = {MKFS_EXT4_PATH,   "-q", "-F",     "-m",     "0", "-E",
                              "root_owner=0:0", "-L", p->label, p->image, NULL};
        _cleanup_close_ int fd = open(p->image, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        int r;

        if (fd < 0)
                return errno == EEXIST ? 0 : log_errno(-errno, "cannot create '%s': %m", p->image);
        if (ftruncate(fd, (off_t)bytes) < 0) {
                r = log_errno(-errno, "cannot size '%s' to %" PRIu64 " bytes: %m", p->image, bytes);
                unlink(p->image);
                return r;
        }
        fd = safe_close(fd);
        r = run_argv(mkfs, &(RunOptions){.quiet = true});
        if (r != 0) {
                unlink(p->image);
                return log_errno(r < 0 ? r : -EIO, "mkfs.ext4 '%s' failed (%d)", p->image, r);
        }
        return 1;
}

/* Mounted by systemd at every boot where it runs (a mount unit of rcc's), by rcc-setup elsewhere. */
static int mount_image(Setup *s, const Account *a, const StoragePaths *p) {
        _cleanup_free_ char *unit = NULL, *path = NULL;
        /* Under SELinux the whole file system gets one label (selinux.h): its files carry none. */
        const char *options = selinux_enabled() ? "loop,nosuid,nodev,context=" SELINUX_STORAGE_CONTEXT
                                                : "loop,nosuid,nodev";
        int r;

        if (!s->systemd) {
                const char *argv[] = {MOUNT_PATH, "-o", options, p->image, p->dir, NULL};
                r = run_argv(argv, NULL);
                if (r != 0)
                        return log_errno(
                                r < 0 ? r : -EIO,
                                "mount -o loop %s %s failed (%d): rcc needs loop devices to bound what the "
                                "account writes",
                                p->image, p->dir, r);
                return 0;
        }
        if (asprintf(
                    &unit,
                    "# Written by rcc-setup: the storage of sandbox account %s (rcc-setup(8)).\n"
                    "[Unit]\n"
                    "Description=rcc: storage of sandbox account %s\n"
                    "\n"
                    "[Mount]\n"
                    "What=%s\n"
                    "Where=%s\n"
                    "Type=ext4\n"
                    "Options=%s\n"
                    "\n"
                    "[Install]\n"
                    "WantedBy=multi-user.target\n",
                    a->name, a->name, p->image, p->dir, options) < 0 ||
            asprintf(&path, SYSTEMD_UNIT_DIR "/%s", p->unit) < 0)
                return log_errno(-ENOMEM, "out of memory");
        r = replace_file(s, path, unit, 0644, a->name);
        if (r < 0)
                return r;
        const char *reload[] = {SYSTEMCTL_PATH, "daemon-reload", NULL};
        const char *enable[] = {SYSTEMCTL_PATH, "enable", "--now", p->unit, NULL};
        (void)run_argv(reload, NULL);
        if (!manifest_find(s->manifest, "unit", NULL, p->unit, NULL)) {
                r = manifest_add(s->manifest, "unit", NULL, p->unit, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record %s: %s", p->unit, strerror(-r));
        }
        r = run_argv(enable, NULL);
        if (r != 0)
                return log_errno(r < 0 ? r : -EIO, "systemctl enable --now %s failed", p->unit);
        return 0;
}

/* dir / name as a directory owned by uid:gid with mode; created if absent. An existing entry must
 * be a directory, not a symlink to one. */
static int ensure_owned_dir(
        int dir_fd, const char *path, const char *name, uid_t uid, gid_t gid, mode_t mode) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (mkdirat(dir_fd, name, mode) < 0 && errno != EEXIST)
                return log_errno(-errno, "cannot create '%s/%s': %m", path, name);
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_errno(
                        -errno, "'%s/%s' is not a directory (%m); remove it and run this again", path, name);
        if (fstat(fd, &st) < 0)
                return log_errno(-errno, "cannot stat '%s/%s': %m", path, name);
        if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
                return log_errno(-errno, "cannot give '%s/%s' to uid %u: %m", path, name, (unsigned)uid);
        if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
                return log_errno(-errno, "cannot set the mode of '%s/%s': %m", path, name);
        return 0;
}

int ensure_account_storage(Setup *s, const Account *a) {
        static const char *const subdirs[] = {"graph", "stage", "homes"};
        _cleanup_close_ int top = -EBADF, fd = -EBADF;
        StoragePaths p;
        struct statvfs sv;
        char uid[16];
        int r, made;

        storage_paths(a->uid, &p);
        snprintf(uid, sizeof uid, "%u", (unsigned)a->uid);
        r = ensure_dir(s, RCC_STORAGE_DIR, 0755, NULL);
        if (r < 0)
                return r;
        if (!manifest_find(s->manifest, "storage", a->name, p.dir, NULL)) {
                r = manifest_add(s->manifest, "storage", a->name, p.dir, p.image, NULL);
                if (r < 0)
                        return log_errno(r, "cannot record '%s' in the manifest: %s", p.dir, strerror(-r));
        }
        top = open(RCC_STORAGE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (top < 0)
                return log_errno(-errno, "cannot open '%s': %m", RCC_STORAGE_DIR);
        r = ensure_owned_dir(top, RCC_STORAGE_DIR, uid, 0, 0, 0711);
        if (r < 0)
                return r;
        made = make_image(&p, a->settings.disk_bytes);
        if (made < 0)
                return made;
        /* rcc_storage_image_t (selinux/rcc.fc), the one file type besides images that mount_t may
         * attach to a loop device read-write; an image made before the module was loaded too. */
        selinux_restore(p.image);
        r = storage_is_mounted(p.dir);
        if (r < 0)
                return log_errno(r, "cannot stat '%s': %s", p.dir, strerror(-r));
        if (r == 0 && (r = mount_image(s, a, &p)) < 0)
                return r;
        if (storage_is_mounted(p.dir) != 1)
                return log_errno(
                        -EIO, "'%s' is not mounted at '%s'; rcc-shell refuses the account's sessions",
                        p.image, p.dir);

        /* The mounted file system's root, then the account's directories in it. */
        r = ensure_owned_dir(top, RCC_STORAGE_DIR, uid, 0, 0, 0711);
        if (r < 0)
                return r;
        fd = openat(top, uid, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_errno(-errno, "cannot open '%s': %m", p.dir);
        FOREACH_ARRAY (sub, subdirs, ELEMENTSOF(subdirs)) {
                r = ensure_owned_dir(fd, p.dir, *sub, a->uid, a->gid, 0700);
                if (r < 0)
                        return r;
        }
        if (fstatvfs(fd, &sv) < 0)
                return log_errno(-errno, "cannot statvfs '%s': %m", p.dir);
        uint64_t size = (uint64_t)sv.f_blocks * sv.f_frsize, want = a->settings.disk_bytes;
        step("storage", "%s: %" PRIu64 " MiB file system %s (%s), %s; graph/, stage/ and homes/ are %s's",
             p.dir, size >> 20, made ? "made" : "mounted", p.image,
             s->systemd ? p.unit : "mounted by rcc-setup", a->name);
        /* Where the storage was before (rcc 0.1): left alone, it holds nothing rcc uses. Only its
         * storage/: podman keeps a cache of blob digests beside it (cache/) on every import. */
        struct passwd *pw = getpwuid(a->uid);
        char old[PATH_MAX];
        if (pw &&
            snprintf(old, sizeof old, "%s/.local/share/containers/storage", pw->pw_dir) < (int)sizeof old &&
            access(old, F_OK) == 0)
                log_warning(
                        "%s holds podman storage of an earlier rcc, where a grant could point, and its "
                        "volume " RCC_HOME_VOLUME ", the one home every human's sessions shared; neither is "
                        "used or mounted again: import the image again (rcc-setup image import), keep what "
                        "you need of the volume, and remove that storage (rm -rf %s)",
                        old, old);
        /* ext4 keeps a few percent for itself: compare with the file it lives in. */
        struct stat st;
        if (stat(p.image, &st) == 0 && (uint64_t)st.st_size != want)
                log_warning(
                        "%s is %" PRIu64 " MiB, but the policy's container.disk is %" PRIu64
                        " MiB; it changes when the account's storage is made again (rcc-setup account "
                        "remove and add, or uninstall and install), which removes its image and homes",
                        p.image, (uint64_t)st.st_size >> 20, want >> 20);
        return 0;
}

/* Everything in the directory fd (closed here), depth first, by descriptor. */
static int remove_contents(int fd) {
        DIR *d = fdopendir(fd);
        int r = 0;

        if (!d) {
                safe_close(fd);
                return -errno;
        }
        for (struct dirent *e; (e = readdir(d));) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0) {
                        int k = remove_contents(sub);
                        if (k < 0 && r == 0)
                                r = k;
                        if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0 && r == 0)
                                r = -errno;
                } else if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT && r == 0)
                        r = -errno;
        }
        closedir(d);
        return r;
}

int remove_tree_at(int dir_fd, const char *name) {
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r;

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = remove_contents(fd);
        if (r == 0 && unlinkat(dir_fd, name, AT_REMOVEDIR) < 0)
                r = -errno;
        return r;
}

int remove_storage(const char *dir, const char *image) {
        int r = storage_is_mounted(dir), fd;

        if (r == -ENOENT)
                r = 0;
        else if (r < 0)
                return log_errno(r, "cannot stat '%s': %s", dir, strerror(-r));
        else if (r == 1) {
                const char *argv[] = {UMOUNT_PATH, dir, NULL};
                r = run_argv(argv, NULL);
                if (r != 0)
                        return log_errno(r < 0 ? r : -EIO, "umount '%s' failed (%d)", dir, r);
        }
        /* What is left under the mount point: written while it was not mounted. */
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && ((r = remove_contents(fd)) < 0 || (rmdir(dir) < 0 && (r = -errno) < 0)))
                return log_errno(r, "cannot remove '%s' entirely: %s", dir, strerror(-r));
        if (image && unlink(image) < 0 && errno != ENOENT)
                return log_errno(-errno, "cannot remove '%s': %m", image);
        return 0;
}
