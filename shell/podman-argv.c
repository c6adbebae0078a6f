/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "paths.h"
#include "podman-argv.h"

/* A vector under construction; the first failure sticks, so callers check once at the end. */
typedef struct StrvBuilder {
        char **v;
        size_t n, cap;
        int r;
} StrvBuilder;

char **strv_free(char **v) {
        if (v)
                for (char **s = v; *s; s++)
                        free(*s);
        free(v);
        return NULL;
}

size_t strv_length(char *const *v) {
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

static void builder_take(StrvBuilder *b, char *s) {
        if (b->r < 0 || !s) {
                free(s);
                if (b->r == 0)
                        b->r = -ENOMEM;
                return;
        }
        if (b->n + 2 > b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 64;
                char **v = reallocarray(b->v, cap, sizeof *v);
                if (!v) {
                        free(s);
                        b->r = -ENOMEM;
                        return;
                }
                b->v = v;
                b->cap = cap;
        }
        b->v[b->n++] = s;
        b->v[b->n] = NULL;
}

static void add(StrvBuilder *b, const char *s) {
        builder_take(b, strdup(s));
}

_printf_(2, 3) static void addf(StrvBuilder *b, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        builder_take(b, s);
}

static int builder_finish(StrvBuilder *b, char ***ret) {
        if (b->r < 0) {
                strv_free(b->v);
                return b->r;
        }
        *ret = b->v;
        return 0;
}

/* Whether s can be one field of a --mount option list: no ',' (next option), no ':' or newline. */
static bool mount_safe(const char *s) {
        return s && s[0] && !strpbrk(s, ",:\n");
}

/* Whether rel is a relative path below the project: not absolute, no "." or ".." component. */
static bool relative_below(const char *rel) {
        if (!mount_safe(rel) || rel[0] == '/')
                return false;
        for (const char *c = rel; *c;) {
                size_t len = strcspn(c, "/");
                if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += len;
                c += *c == '/';
        }
        return true;
}

/* A pinned directory must hold a carve-out and be neither one nor beneath one: a read-write bind
 * there would cover a read-only one. */
static bool pinned_valid(const SessionSpec *s, const char *p) {
        bool holds = false;

        if (!relative_below(p))
                return false;
        for (size_t i = 0; i < s->n_readonly; i++) {
                if (readonly_path_within(p, s->readonly[i], false))
                        return false;
                holds = holds || readonly_path_within(s->readonly[i], p, true);
        }
        return holds;
}

static bool spec_valid(const SessionSpec *s) {
        if ((s->n_readonly && !s->readonly_ids) || (s->n_pinned && (!s->pinned || !s->pinned_ids)))
                return false;
        if (s->landlock_abi < 0 || s->tmp_bytes == 0 || !podman_network_argument(s->network))
                return false;
        if (!s->name || !s->name[0] || !s->image || !s->image[0] || s->image[0] == '-' || s->n_command == 0)
                return false;
        if (s->denials_dir && (!mount_safe(s->denials_dir) || s->denials_dir[0] != '/'))
                return false;
        if (s->home_source && (!mount_safe(s->home_source) || s->home_source[0] != '/'))
                return false;
        if (!mount_safe(s->home) || s->home[0] != '/' || !mount_safe(s->project_source) ||
            s->project_source[0] != '/' || strcmp(s->project_source, "/") == 0)
                return false;
        if (!s->project_subdir || (s->project_subdir[0] && !relative_below(s->project_subdir)))
                return false;
        for (size_t i = 0; i < s->n_readonly; i++)
                if (!relative_below(s->readonly[i]))
                        return false;
        for (size_t i = 0; i < s->n_pinned; i++) {
                if (!pinned_valid(s, s->pinned[i]))
                        return false;
                /* Parents first: a later bind of a parent would cover this one. */
                for (size_t j = i + 1; j < s->n_pinned; j++)
                        if (readonly_path_within(s->pinned[i], s->pinned[j], false))
                                return false;
        }
        for (size_t i = 0; i < s->n_command; i++)
                if (!s->command[i])
                        return false;
        return true;
}

static void add_limits(StrvBuilder *b, const SessionSpec *s) {
        switch (s->limits) {
        case LIMITS_CGROUP:
                if (s->memory_bytes) {
                        /* Swap counts against the same ceiling: memory+swap == memory means none. */
                        add(b, "--memory");
                        addf(b, "%" PRIu64, s->memory_bytes);
                        add(b, "--memory-swap");
                        addf(b, "%" PRIu64, s->memory_bytes);
                }
                if (s->pids) {
                        add(b, "--pids-limit");
                        addf(b, "%" PRIu32, s->pids);
                }
                if (s->cpus_milli) {
                        add(b, "--cpus");
                        addf(b, "%" PRIu32 ".%03" PRIu32, s->cpus_milli / 1000, s->cpus_milli % 1000);
                }
                break;
        case LIMITS_RLIMIT:
                /* Without delegated cgroup controllers podman accepts --memory and friends with a
                 * warning and applies nothing. rlimits hold instead: nproc counts every process of
                 * the account's uid (rcc-shell also caps it for podman's own helpers), data bounds
                 * each process's heap. There is no rlimit for a CPU share. */
                if (s->pids) {
                        add(b, "--ulimit");
                        addf(b, "nproc=%" PRIu32 ":%" PRIu32, s->pids, s->pids);
                }
                if (s->memory_bytes) {
                        add(b, "--ulimit");
                        addf(b, "data=%" PRIu64 ":%" PRIu64, s->memory_bytes, s->memory_bytes);
                }
                break;
        }
}

/* What the container sees of the host: the launcher, the project with its pinned and read-only
 * directories, and the agent's home. */
static void add_mounts(StrvBuilder *b, const SessionSpec *s) {
        /* The launcher: a static binary of root's, read-only, so neither the image nor the agent
         * can change what restricts the session before the command runs. */
        add(b, "--mount");
        add(b, "type=bind,src=" RCC_LANDLOCK_PATH ",dst=" LANDLOCK_LAUNCHER ",ro,nosuid,nodev");
        add(b, "--entrypoint");
        add(b, LANDLOCK_LAUNCHER);
        add(b, "--mount");
        addf(b, "type=bind,src=%s,dst=" WORKSPACE_DIR ",rw,nosuid,nodev", s->project_source);
        /* Each pinned directory onto itself, before the carve-outs beneath it (a bind made later
         * would cover them, and the launcher would find them on a read-write mount): a mount point
         * cannot be renamed or removed, so .git cannot be moved away with the read-only .git/hooks
         * in it and replaced by a writable one. */
        for (size_t i = 0; i < s->n_pinned; i++) {
                add(b, "--mount");
                addf(b, "type=bind,src=%s/%s,dst=" WORKSPACE_DIR "/%s,rw,nosuid,nodev", s->project_source,
                     s->pinned[i], s->pinned[i]);
        }
        for (size_t i = 0; i < s->n_readonly; i++) {
                add(b, "--mount");
                addf(b, "type=bind,src=%s/%s,dst=" WORKSPACE_DIR "/%s,ro,nosuid,nodev", s->project_source,
                     s->readonly[i], s->readonly[i]);
        }
        /* What the firewall refused this session, for the agent to read: a directory of root's, so
         * the file in it is replaced (renamed over) while the session runs, and the container sees
         * each new one; read-only, and root's on the host besides. */
        if (s->denials_dir) {
                add(b, "--mount");
                addf(b, "type=bind,src=%s,dst=" RCC_DENIALS_CONTAINER_DIR ",ro,nosuid,nodev,noexec",
                     s->denials_dir);
        }
        /* The agent's home: the session's own, one human's (shell/home.h), or a tmpfs of the account's
         * that keeps nothing. */
        if (s->home_source) {
                add(b, "--mount");
                addf(b, "type=bind,src=%s,dst=%s,rw,nosuid,nodev", s->home_source, s->home);
        } else {
                add(b, "--tmpfs");
                addf(b, "%s:rw,nosuid,nodev,mode=0700,size=%" PRIu64 ",uid=%u,gid=%u", s->home, s->tmp_bytes,
                     (unsigned)s->uid, (unsigned)s->gid);
        }
}

/* rcc-landlock's own arguments (shell/landlock/landlock-policy.h), then "--" before the command.
 * Write access: the project, /tmp and the home volume; each pinned directory and carve-out by what
 * was checked. */
static void add_launcher_args(StrvBuilder *b, const SessionSpec *s) {
        addf(b, "--abi=%d", s->landlock_abi);
        addf(b, "--workspace=%" PRIu64 ":%" PRIu64 ":" WORKSPACE_DIR, s->project_dev, s->project_ino);
        add(b, "--writable=" WORKSPACE_DIR);
        add(b, "--writable=/tmp");
        addf(b, "--writable=%s", s->home);
        for (size_t i = 0; i < s->n_pinned; i++)
                addf(b, "--pinned=%" PRIu64 ":%" PRIu64 ":" WORKSPACE_DIR "/%s", s->pinned_ids[i].dev,
                     s->pinned_ids[i].ino, s->pinned[i]);
        for (size_t i = 0; i < s->n_readonly; i++)
                addf(b, "--readonly=%" PRIu64 ":%" PRIu64 ":" WORKSPACE_DIR "/%s", s->readonly_ids[i].dev,
                     s->readonly_ids[i].ino, s->readonly[i]);
        add(b, "--");
}

int podman_argv_build(const SessionSpec *s, char ***ret) {
        StrvBuilder b = {};

        if (!spec_valid(s))
                return -EINVAL;

        add(&b, RCC_PODMAN);
        /* podman 4.3 ignores containers.conf's default_mounts_file and reads the account's own
         * ~/.config/containers/mounts.conf, whose entries it bind-mounts into every container:
         * the agent could map any host path its uid can read. Only these global flags keep the
         * account's home out of it (seen here; the session test plants such a file). */
        add(&b, "--default-mounts-file=" RCC_PODMAN_CONF_DIR "/mounts.conf");
        add(&b, "--hooks-dir=" RCC_PODMAN_CONF_DIR "/hooks.d");
        add(&b, "run");
        add(&b, "--rm");
        add(&b, "-i");
        if (s->tty)
                add(&b, "-t");
        /* Only what an admin imported with rcc-setup image; never a registry at session start. */
        add(&b, "--pull=never");
        add(&b, "--name");
        add(&b, s->name);
        /* A real init as pid 1: reaps orphans and passes the signals podman proxies to the command. */
        add(&b, "--init");
        add(&b, "--cap-drop=ALL");
        add(&b, "--security-opt=no-new-privileges");
        /* The account's uid is the container user: files written in the project are the account's. */
        add(&b, "--userns=keep-id");
        /* The container's connections leave as host sockets of the account's uid (which the
         * firewall matches); the network's own routes to the host are closed as well. */
        add(&b, podman_network_argument(s->network));
        /* The image's own /etc/hosts, not one podman writes with the host's name and address
         * (host.containers.internal): the session learns nothing of the host from it. */
        add(&b, "--no-hosts");
        /* No key sequence detaches: a detached container would outlive the session unsupervised. */
        add(&b, "--detach-keys=");
        /* Nothing of the session is kept in the account's storage; attach works without a log
         * (checked with podman 4.3.1, tty and not). */
        add(&b, "--log-driver=none");
        /* The image's file system read-only, so the container's own layer takes no writes (Landlock
         * refuses them too: writes go to /workspace, /tmp, the home and /dev/shm only), and /tmp a
         * tmpfs of the size given: what the session writes on the host is the project and the home,
         * bounded by the account's storage file system. podman's own tmpfs on /run, /tmp and
         * /var/tmp, unbounded, are left out. */
        add(&b, "--read-only");
        add(&b, "--read-only-tmpfs=false");
        add(&b, "--tmpfs");
        addf(&b, "/tmp:rw,nosuid,nodev,mode=1777,size=%" PRIu64, s->tmp_bytes);

        add_mounts(&b, s);

        add(&b, "--workdir");
        if (s->project_subdir[0])
                addf(&b, WORKSPACE_DIR "/%s", s->project_subdir);
        else
                add(&b, WORKSPACE_DIR);
        if (s->tty && s->term) {
                add(&b, "--env");
                addf(&b, "TERM=%s", s->term);
        }
        add_limits(&b, s);

        add(&b, s->image);
        add_launcher_args(&b, s);
        for (size_t i = 0; i < s->n_command; i++)
                add(&b, s->command[i]);
        return builder_finish(&b, ret);
}

static bool absolute(const char *p) {
        return p && p[0] == '/';
}

int podman_stage_argv_build(const StageSpec *spec, char ***ret) {
        StrvBuilder b = {};

        if (!absolute(spec->mountpoint) || !absolute(spec->project) || !absolute(spec->graph) ||
            !spec->seal || !spec->seal[0])
                return -EINVAL;
        add(&b, RCC_PODMAN);
        add(&b, "unshare");
        add(&b, RCC_STAGE_PATH);
        add(&b, "stage");
        add(&b, spec->mountpoint);
        add(&b, spec->project);
        addf(&b, "%" PRIu64 ":%" PRIu64, spec->dev, spec->ino);
        add(&b, spec->graph);
        add(&b, spec->seal);
        return builder_finish(&b, ret);
}

int podman_unstage_argv_build(const char *mountpoint, char ***ret) {
        StrvBuilder b = {};

        if (!absolute(mountpoint))
                return -EINVAL;
        add(&b, RCC_PODMAN);
        add(&b, "unshare");
        add(&b, RCC_STAGE_PATH);
        add(&b, "unstage");
        add(&b, mountpoint);
        return builder_finish(&b, ret);
}

int podman_rm_argv_build(const char *name, char ***ret) {
        StrvBuilder b = {};

        if (!name || !name[0] || name[0] == '-')
                return -EINVAL;
        add(&b, RCC_PODMAN);
        add(&b, "rm");
        add(&b, "-f");
        add(&b, "-t");
        add(&b, "0");
        add(&b, name);
        return builder_finish(&b, ret);
}

int podman_kill_argv_build(const char *name, int sig, char ***ret) {
        StrvBuilder b = {};

        if (!name || !name[0] || name[0] == '-' || sig <= 0)
                return -EINVAL;
        add(&b, RCC_PODMAN);
        add(&b, "kill");
        add(&b, "--signal");
        addf(&b, "%d", sig);
        add(&b, name);
        return builder_finish(&b, ret);
}
