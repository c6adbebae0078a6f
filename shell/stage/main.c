/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-stage: puts the project rcc-shell checked where podman will mount it from, inside rootless
 * podman's own user and mount namespace (rcc-shell runs it with `podman unshare`).
 *
 * Why it exists: rcc-shell checks the project by descriptor (lib/project.c), but podman takes a
 * path, which the runtime resolves again later, and the human owns the directories above their
 * project: they could rename it away and put another directory (another human's project, the
 * account's storage) in its place in between. A descriptor cannot be handed over instead: inside
 * its user namespace podman may not follow rcc-shell's /proc/PID/fd links (ptrace access across
 * user namespaces), the runtime reads /proc/self/fd/N in a descriptor table of its own, and a bind
 * mount from a descriptor opened in another mount namespace is refused (EINVAL). So the bind is
 * made here, in podman's namespace: this program opens the project without following symlinks,
 * checks that it is the directory rcc-shell checked (device and inode), and binds that very
 * descriptor onto a directory of the account's that no human can write (RCC_STORAGE_DIR/ACCOUNT/
 * stage/NAME). podman then mounts from there: whatever is done to the project's path afterwards
 * no longer matters. rcc-landlock checks the inode once more inside the container.
 *
 * Before that it checks the image against its seal (lib/image-seal.h): here, and not in rcc-shell,
 * because podman's copies of the layers for --userns=keep-id belong to the account's subordinate
 * uids, which only this namespace can read. rcc-shell hands over the seal's text, which it read
 * from its root-owned file (in here, root's files belong to no one).
 *
 *   rcc-stage stage MOUNTPOINT PROJECT DEV:INO GRAPH SEAL
 *       check the image in GRAPH (podman's graphroot) against SEAL, sweep the stale mount points
 *       next to MOUNTPOINT (their rcc-shell, gone, no longer holds their lock), and bind PROJECT
 *       onto MOUNTPOINT if it is DEV:INO
 *   rcc-stage unstage MOUNTPOINT
 *       undo that (no error if nothing is mounted)
 *
 * Exit status: 0 done, 1 refused or failed (one line on stderr), 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "diag.h"
#include "image-seal.h"
#include "macro.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...) {
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        fprintf(stderr, "rcc-stage: %s\n", msg);
        return EXIT_FAILED;
}

/* path (absolute) opened O_PATH as a directory, no symlink or magic link at any component. */
static int open_dir(const char *path) {
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };

        if (path[0] != '/') {
                errno = EINVAL;
                return -1;
        }
        return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
}

static int parse_id(const char *s, uint64_t *ret_dev, uint64_t *ret_ino) {
        char *end;

        errno = 0;
        *ret_dev = strtoull(s, &end, 10);
        if (errno || end == s || *end != ':')
                return -1;
        s = end + 1;
        *ret_ino = strtoull(s, &end, 10);
        return errno || end == s || *end ? -1 : 0;
}

static int check_image(const char *graph, const char *text) {
        _cleanup_free_ ImageSeal *seal = calloc(1, sizeof *seal);
        char buf[DIAG_STRLEN];
        RccDiag diag = {};

        if (!seal)
                return fail("out of memory");
        if (image_seal_parse(text, strlen(text), "the image's seal", seal, &diag) < 0 ||
            image_seal_verify(graph, seal, &diag) < 0)
                return fail("%s", diag_format(&diag, buf, sizeof buf));
        return 0;
}

static int sweep(const char *dir);

static int stage(
        const char *mountpoint, const char *project, const char *id, const char *graph, const char *seal) {
        char src[64], dst[64], parent[4096];
        uint64_t dev, ino;
        struct stat st;
        int pfd, mfd, r;

        if (parse_id(id, &dev, &ino) < 0)
                return fail("'%s' is not DEV:INO", id);
        if ((r = check_image(graph, seal)) != 0)
                return r;
        /* Mount points left by sessions that are gone: a failure here refuses nothing. */
        snprintf(parent, sizeof parent, "%s", mountpoint);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
                *slash = '\0';
                (void)sweep(parent);
        }
        pfd = open_dir(project);
        if (pfd < 0)
                return fail(
                        "cannot open the project '%s': %m; it changed while the session started", project);
        if (fstat(pfd, &st) < 0)
                return fail("cannot stat the project '%s': %m", project);
        if ((uint64_t)st.st_dev != dev || (uint64_t)st.st_ino != ino)
                return fail(
                        "'%s' is not the directory rcc-shell checked (device:inode %ju:%ju, expected %s): "
                        "it was replaced while the session started",
                        project, (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, id);
        mfd = open_dir(mountpoint);
        if (mfd < 0)
                return fail("cannot open the mount point '%s': %m", mountpoint);

        /* Both by descriptor: what is bound is what was checked, onto the directory just opened. Not
         * recursive: mounts below the project on the host stay out of the session. */
        snprintf(src, sizeof src, "/proc/self/fd/%d", pfd);
        snprintf(dst, sizeof dst, "/proc/self/fd/%d", mfd);
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                return fail("cannot bind the project '%s' onto '%s': %m", project, mountpoint);
        /* Private: nothing done to it later propagates anywhere, and nothing propagates into it. */
        if (mount(NULL, mountpoint, NULL, MS_PRIVATE, NULL) < 0 ||
            mount(NULL, mountpoint, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL) < 0) {
                int e = errno;
                umount2(mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW);
                errno = e;
                return fail("cannot make '%s' private, nosuid and nodev: %m", mountpoint);
        }
        if (stat(mountpoint, &st) < 0 || (uint64_t)st.st_dev != dev || (uint64_t)st.st_ino != ino) {
                umount2(mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW);
                return fail("'%s' is not the project after the bind; refusing", mountpoint);
        }
        return 0;
}

static int unstage(const char *mountpoint) {
        if (mountpoint[0] != '/')
                return fail("'%s' is not an absolute path", mountpoint);
        if (umount2(mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
                return fail("cannot unmount '%s': %m", mountpoint);
        return 0;
}

/* Every mount point in dir whose session is gone: rcc-shell holds an exclusive lock on its mount
 * point's directory for the whole session, so one that can be locked here is left over (rcc-shell
 * was killed, or the machine rebooted). */
static int sweep(const char *dir) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d;
        int status = 0;

        if (dfd < 0)
                return fail("cannot open '%s': %m", dir);
        d = fdopendir(dfd);
        if (!d)
                return fail("cannot read '%s': %m", dir);
        for (struct dirent *e; (e = readdir(d));) {
                char path[4096];
                int fd;

                if (e->d_name[0] == '.' || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
                        continue;
                fd = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        continue;
                if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
                        /* A cut-off name could be another mount point: leave it, and say so. */
                        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
                                status = fail("'%s/%s': path too long to unmount", dir, e->d_name);
                        else if (
                                unstage(path) != 0 ||
                                (unlinkat(dfd, e->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT))
                                status = EXIT_FAILED;
                }
                close(fd);
        }
        closedir(d);
        return status;
}

int main(int argc, char **argv) {
        if (argc == 7 && strcmp(argv[1], "stage") == 0)
                return stage(argv[2], argv[3], argv[4], argv[5], argv[6]);
        if (argc == 3 && strcmp(argv[1], "unstage") == 0)
                return unstage(argv[2]);
        fprintf(stderr, "usage: rcc-stage stage MOUNTPOINT PROJECT DEV:INO GRAPH SEAL | unstage MOUNTPOINT\n"
                        "rcc-shell runs it inside podman's namespace; see rcc-shell(8)\n");
        return EXIT_USAGE;
}
