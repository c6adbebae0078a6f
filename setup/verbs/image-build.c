/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup image build: the default image, Debian bookworm (debootstrap) + Node.js + Claude Code
 * (npm), from what a machine can reach without any container registry, built in a private
 * temporary directory and imported into each account's storage (image.c), or written to
 * --output. Every step runs through run_argv() in a mount namespace of its own, most of them
 * inside the image (chroot), their output shortened to phases and counts.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "image.h"
#include "log.h"
#include "parse.h"
#include "run.h"
#include "verbs.h"

#define SUITE "bookworm"
#define DEFAULT_MIRROR "http://deb.debian.org/debian"
#define DEBOOTSTRAP "/usr/sbin/debootstrap"
#define DEBIAN_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"
#define CLAUDE_PACKAGE "@anthropic-ai/claude-code"
/* All in bookworm/main; debootstrap resolves their dependencies. */
/* All in bookworm/main. debootstrap's own resolver cannot install npm (it ignores Provides, and
 * npm's dependencies need them), so debootstrap lays down the base and apt-get adds these. */
#define IMAGE_PACKAGE_LIST "ca-certificates nodejs npm git bash coreutils procps less ripgrep"
#define IMAGE_PACKAGES \
        "ca-certificates", "nodejs", "npm", "git", "bash", "coreutils", "procps", "less", "ripgrep"
#define CHILD_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
        interrupted = sig;
}

typedef struct Build {
        char dir[64];           /* the private temporary directory, mode 0700 */
        char rootfs[96];        /* dir/rootfs */
        char tarball[PATH_MAX]; /* dir/rootfs.tar, or --output FILE */
        char claude[64];        /* where npm put the claude command, inside the rootfs */
        const char *npm_route;  /* how Claude Code got installed */
        double t0;
} Build;

static void build_step(const Build *b, const char *fmt, ...) _printf_(2, 3);
static void build_step(const Build *b, const char *fmt, ...) {
        va_list ap;

        printf("[%4.0f s] ", image_now() - b->t0);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st;
        (void)ftw;
        if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
                log_warning("could not remove '%s': %m", path);
        return 0;
}

/* Remove path and everything under it, never crossing into another file system: a /proc or /dev
 * that were somehow still mounted inside would stay untouched, and so would what they lead to. */
static void remove_tree(const char *path) {
        (void)nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Remove what is inside dir, not dir itself. */
static void empty_dir(const char *dir) {
        _cleanup_(closedirp) DIR *d = opendir(dir);
        char path[PATH_MAX];

        if (!d)
                return;
        for (struct dirent *de; (de = readdir(d));) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
                        continue;
                remove_tree(path);
        }
}

/* debootstrap and apt-get print several lines per package: show their phases and warnings, and
 * count the per-package lines into one progress line every ten seconds. */
typedef enum Filter {
        FILTER_NONE,
        FILTER_DEBOOTSTRAP,
        FILTER_APT,
} Filter;

typedef struct Progress {
        unsigned n[5];
        double last_print;
        char tail[8][256]; /* the last lines, shown when it fails */
        unsigned n_tail;
} Progress;

typedef struct FilterRules {
        const char *tool;
        const char *counted[5]; /* line prefixes counted, not shown */
        const char *labels[5];
        const char *dropped[5]; /* line prefixes neither counted nor shown */
} FilterRules;

static const FilterRules filter_rules[] = {
        [FILTER_DEBOOTSTRAP] =
                {"debootstrap",
                 {"I: Retrieving ", "I: Validating ", "I: Extracting ", "I: Unpacking ", "I: Configuring "},
                 {"retrieved", "validated", "extracted", "unpacked", "configured"},
                 {}},
        [FILTER_APT] =
                {"apt-get",
                 {"Get:", "Unpacking ", "Setting up "},
                 {"downloaded", "unpacked", "set up"},
                 {"Selecting previously", "Preparing to unpack", "(Reading database", "Processing triggers",
                  "update-alternatives"}},
};

static bool starts_with(const char *s, const char *prefix) {
        return prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void progress_line(const Build *b, Filter filter, Progress *p, const char *line) {
        const FilterRules *rules = &filter_rules[filter];
        char *t = p->tail[p->n_tail++ % ELEMENTSOF(p->tail)];
        size_t len = strnlen(line, sizeof p->tail[0] - 1);
        /* debootstrap's phase lines ("I: Unpacking required packages...") look like its
         * per-package ones. */
        bool phase = filter == FILTER_DEBOOTSTRAP && (strstr(line, "ackages") || strstr(line, "Release"));

        memcpy(t, line, len);
        t[len] = '\0';
        if (!line[0])
                return;
        for (size_t i = 0; i < ELEMENTSOF(rules->dropped); i++)
                if (starts_with(line, rules->dropped[i]))
                        return;
        for (size_t i = 0; !phase && i < ELEMENTSOF(rules->counted); i++) {
                if (!starts_with(line, rules->counted[i]))
                        continue;
                p->n[i]++;
                if (image_now() - p->last_print < 10)
                        return;
                p->last_print = image_now();
                char counts[256] = "";
                for (size_t k = 0, n = 0; k < ELEMENTSOF(rules->labels) && rules->labels[k]; k++)
                        n += (size_t)snprintf(
                                counts + n, sizeof counts - MIN(n, sizeof counts), "%s%u %s", k ? ", " : "",
                                p->n[k], rules->labels[k]);
                build_step(b, "%s: packages %s", rules->tool, counts);
                return;
        }
        p->last_print = image_now();
        build_step(b, "%s: %s", rules->tool, line);
}

/* What one build step needs beyond run_argv()'s defaults. */
typedef struct BuildRun {
        const char *chroot_dir; /* run inside this root, with /proc (and /dev if need be) mounted */
        Filter filter;          /* read the output and show it through progress_line() */
        const char *const *env; /* extra NAME=VALUE entries */
} BuildRun;

typedef struct BuildOutput {
        const Build *b;
        Filter filter;
        Progress progress;
} BuildOutput;

static void build_output_line(const char *line, void *userdata) {
        BuildOutput *o = userdata;

        progress_line(o->b, o->filter, &o->progress, line);
}

/* A build step through run_argv(): as root, in a mount namespace of its own (what it mounts goes
 * with it, so nothing stays mounted in the temporary directory removed afterwards), with the
 * environment of a Debian root shell; with a filter, its output shown through progress_line() and
 * its last lines again when it fails. */
static int build_run(const Build *b, const char *const *argv, const BuildRun *s) {
        const char *envp[16] = {
                CHILD_PATH, "HOME=/root", "LC_ALL=C.UTF-8", "DEBIAN_FRONTEND=noninteractive"};
        size_t n = 4;
        BuildOutput out = {.b = b, .filter = s->filter, .progress = {.last_print = image_now()}};
        int r;

        for (size_t i = 0; s->env && s->env[i] && n < ELEMENTSOF(envp) - 1; i++)
                envp[n++] = s->env[i];
        fflush(NULL);
        r = run_argv(
                argv, &(RunOptions){
                              .envp = envp,
                              .unshare_mount = true,
                              .chroot_dir = s->chroot_dir,
                              .line_filter = s->filter ? build_output_line : NULL,
                              .userdata = &out,
                      });
        if (r != 0 && s->filter) {
                const Progress *p = &out.progress;
                unsigned first =
                        p->n_tail > ELEMENTSOF(p->tail) ? p->n_tail - (unsigned)ELEMENTSOF(p->tail) : 0;

                for (unsigned i = first; i < p->n_tail; i++)
                        fprintf(stderr, "  | %s\n", p->tail[i % ELEMENTSOF(p->tail)]);
        }
        return r;
}

/* The mirror: --mirror, else the first Debian bookworm entry of the host's APT sources, else
 * deb.debian.org. */
static void choose_mirror(const char *arg, char *buf, size_t size) {
        _cleanup_free_ char *text = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent **names = NULL;
        int n;

        if (arg) {
                snprintf(buf, size, "%s", arg);
                return;
        }
        if (read_file("/etc/apt/sources.list", 1024 * 1024, &text, NULL) >= 0 &&
            apt_sources_mirror(text, false, SUITE, buf, size))
                return;
        n = scandir("/etc/apt/sources.list.d", &names, NULL, alphasort);
        bool found = false;
        for (int i = 0; i < n; i++) {
                const char *name = names[i]->d_name;
                size_t len = strlen(name);
                bool deb822 = len > 8 && strcmp(name + len - 8, ".sources") == 0;
                bool list = len > 5 && strcmp(name + len - 5, ".list") == 0;
                char path[PATH_MAX];

                if (!found && (deb822 || list)) {
                        free(text);
                        text = NULL;
                        snprintf(path, sizeof path, "/etc/apt/sources.list.d/%s", name);
                        found = read_file(path, 1024 * 1024, &text, NULL) >= 0 &&
                                apt_sources_mirror(text, deb822, SUITE, buf, size);
                }
                free(names[i]);
        }
        free(names);
        if (!found)
                snprintf(buf, size, "%s", DEFAULT_MIRROR);
}

static int debootstrap(Build *b, const char *mirror) {
        struct stat st;
        char log_path[PATH_MAX];
        int r;

        const char *argv[10] = {
                DEBOOTSTRAP, "--variant=minbase", "--include=ca-certificates", "--components=main"};
        size_t n = 4;

        /* Debian's own keyring where the host has it (an Ubuntu host's default is Ubuntu's). */
        if (stat(DEBIAN_KEYRING, &st) == 0)
                argv[n++] = "--keyring=" DEBIAN_KEYRING;
        argv[n++] = SUITE;
        argv[n++] = b->rootfs;
        argv[n++] = mirror;
        build_step(b, "debootstrap --variant=minbase %s from %s (a few minutes)", SUITE, mirror);
        r = build_run(b, argv, &(BuildRun){.filter = FILTER_DEBOOTSTRAP});
        if (r == 0)
                return 0;
        snprintf(log_path, sizeof log_path, "%s/debootstrap/debootstrap.log", b->rootfs);
        log_error(
                "debootstrap failed (%s %d); the last lines of its log:", r < 0 ? "error" : "exit",
                r < 0 ? -r : r);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (read_file(log_path, 64u * 1024 * 1024, &text, &len) >= 0) {
                const char *p = text + len;
                for (int lines = 0; p > text && lines <= 15; p--)
                        if (p[-1] == '\n')
                                lines++;
                fprintf(stderr, "%s", p);
        }
        return -EIO;
}

static int copy_resolv_conf(const Build *b) {
        _cleanup_free_ char *real = realpath("/etc/resolv.conf", NULL), *text = NULL;
        char path[PATH_MAX];
        size_t len = 0;
        int r;

        if (!real)
                return -errno;
        if ((r = read_file(real, 1024 * 1024, &text, &len)) < 0)
                return r;
        snprintf(path, sizeof path, "%s/etc/resolv.conf", b->rootfs);
        (void)unlink(path); /* may be a symlink into a /run that is not there */
        return write_file_atomic(path, text, len, 0644, 0, 0);
}

/* The rest of the packages, with apt's resolver. The image keeps these sources, with updates and,
 * from deb.debian.org, security updates. */
static int apt_install(const Build *b, const char *mirror) {
        const char *update[] = {"/usr/bin/apt-get", "-q", "-o", "Dpkg::Use-Pty=0", "update", NULL};
        const char *install[] = {
                "/usr/bin/apt-get",        "-q",      "-y",           "-o", "Dpkg::Use-Pty=0",
                "--no-install-recommends", "install", IMAGE_PACKAGES, NULL};
        char sources[4096], path[PATH_MAX];
        int r;

        if ((r = copy_resolv_conf(b)) < 0)
                return log_error("copying /etc/resolv.conf into the image failed: %s", strerror(-r)), r;
        snprintf(
                sources, sizeof sources, "deb %s %s main\ndeb %s %s-updates main\n%s", mirror, SUITE, mirror,
                SUITE,
                starts_with(mirror, "http://deb.debian.org/") ||
                                starts_with(mirror, "https://deb.debian.org/")
                        ? "deb http://deb.debian.org/debian-security " SUITE "-security main\n"
                        : "");
        snprintf(path, sizeof path, "%s/etc/apt/sources.list", b->rootfs);
        if ((r = write_file_atomic(path, sources, strlen(sources), 0644, 0, 0)) < 0)
                return log_error("writing %s: %s", path, strerror(-r)), r;

        build_step(b, "apt-get install --no-install-recommends %s, inside the image", IMAGE_PACKAGE_LIST);
        r = build_run(b, update, &(BuildRun){.chroot_dir = b->rootfs, .filter = FILTER_APT});
        if (r == 0)
                r = build_run(b, install, &(BuildRun){.chroot_dir = b->rootfs, .filter = FILTER_APT});
        if (r != 0) {
                log_error(
                        "apt-get inside the image failed (%s %d)", r < 0 ? "error" : "exit", r < 0 ? -r : r);
                return -EIO;
        }
        return 0;
}

/* Where the claude command ended up, inside the rootfs. */
static bool find_claude(Build *b) {
        static const char *const where[] = {"/usr/local/bin/claude", "/usr/bin/claude"};
        char path[PATH_MAX];

        for (size_t i = 0; i < ELEMENTSOF(where); i++) {
                snprintf(path, sizeof path, "%s%s", b->rootfs, where[i]);
                if (access(path, X_OK) == 0) {
                        snprintf(b->claude, sizeof b->claude, "%s", where[i]);
                        return true;
                }
        }
        return false;
}

/* The host's CA bundle: a machine behind a TLS-inspecting proxy trusts the proxy's CA there, and
 * npm must too, on the host and inside the image. NULL if there is none. */
static const char *host_ca_bundle(void) {
        static const char *const bundles[] = {
                "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"};

        for (size_t i = 0; i < ELEMENTSOF(bundles); i++)
                if (access(bundles[i], R_OK) == 0)
                        return bundles[i];
        return NULL;
}

/* Copy the host's CA bundle to the image's /tmp (emptied by clean_rootfs()), for node's
 * NODE_EXTRA_CA_CERTS, which adds to the certificates node trusts rather than replacing them. */
static bool copy_ca_bundle(const Build *b, const char *bundle) {
        _cleanup_free_ char *text = NULL;
        char path[PATH_MAX];
        size_t len = 0;

        snprintf(path, sizeof path, "%s/tmp/rcc-host-ca.crt", b->rootfs);
        return bundle && read_file(bundle, 16u * 1024 * 1024, &text, &len) >= 0 &&
               write_file_atomic(path, text, len, 0644, 0, 0) >= 0;
}

static int install_claude(Build *b) {
        const char *bundle = host_ca_bundle();
        char prefix[PATH_MAX], cache_env[PATH_MAX + 32], ca_env[PATH_MAX + 32];
        int r;

        const char *npm_env[] = {
                "npm_config_cache=/tmp/npm-cache", "npm_config_update_notifier=false",
                copy_ca_bundle(b, bundle) ? "NODE_EXTRA_CA_CERTS=/tmp/rcc-host-ca.crt" : NULL, NULL};
        const char *in_root[] = {"/usr/bin/npm", "install",         "--global",     "--no-audit",
                                 "--no-fund",    "--loglevel=warn", CLAUDE_PACKAGE, NULL};
        build_step(b, "npm install --global %s, inside the image (chroot)", CLAUDE_PACKAGE);
        r = build_run(b, in_root, &(BuildRun){.chroot_dir = b->rootfs, .env = npm_env});
        if (r == 0 && find_claude(b)) {
                b->npm_route = "npm inside the image (chroot)";
                return 0;
        }
        if (interrupted)
                return -EINTR;

        /* The image's own npm could not do it (too old, or the chroot would not run): the host's
         * npm can, writing into the image's /usr/local. Claude Code is JavaScript; the image's
         * node runs it. */
        if (access("/usr/bin/npm", X_OK) < 0) {
                log_error(
                        "npm inside the image failed and there is no /usr/bin/npm on this host to try instead");
                return -EIO;
        }
        snprintf(prefix, sizeof prefix, "%s/usr/local", b->rootfs);
        snprintf(cache_env, sizeof cache_env, "npm_config_cache=%s/npm-cache", b->dir);
        snprintf(ca_env, sizeof ca_env, "NODE_EXTRA_CA_CERTS=%s", bundle ?: "");
        build_step(
                b, "npm inside the image failed; trying the host's: npm install --global --prefix %s",
                prefix);
        const char *on_host[] = {"/usr/bin/npm", "install",   "--global",        "--prefix",     prefix,
                                 "--no-audit",   "--no-fund", "--loglevel=warn", CLAUDE_PACKAGE, NULL};
        const char *env[] = {cache_env, "npm_config_update_notifier=false", bundle ? ca_env : NULL, NULL};
        r = run_argv(on_host, &(RunOptions){.env = env, .cwd = b->dir});
        if (r != 0 || !find_claude(b)) {
                log_error("npm install of %s failed on the host too", CLAUDE_PACKAGE);
                return -EIO;
        }
        b->npm_route = "the host's npm (--prefix into the image)";
        return 0;
}

static int check_claude(const Build *b) {
        const char *argv[] = {b->claude, "--version", NULL};

        build_step(b, "%s --version, inside the image:", b->claude);
        if (build_run(b, argv, &(BuildRun){.chroot_dir = b->rootfs}) != 0) {
                log_error("'claude --version' does not run inside the image");
                return -EIO;
        }
        return 0;
}

/* Caches, logs of the build and the host's files that debootstrap copied in: none of it belongs
 * in the image. podman provides /etc/resolv.conf and /etc/hostname to every container. */
static void clean_rootfs(const Build *b) {
        static const char *const emptied[] = {"/var/cache/apt", "/var/lib/apt/lists", "/tmp",
                                              "/var/tmp",       "/root/.npm",         "/root/.cache"};
        static const char *const removed[] = {"/etc/resolv.conf", "/etc/hostname", "/.npm"};
        char path[PATH_MAX];

        build_step(b, "removing apt and npm caches");
        for (size_t i = 0; i < ELEMENTSOF(emptied); i++) {
                snprintf(path, sizeof path, "%s%s", b->rootfs, emptied[i]);
                empty_dir(path);
        }
        for (size_t i = 0; i < ELEMENTSOF(removed); i++) {
                snprintf(path, sizeof path, "%s%s", b->rootfs, removed[i]);
                remove_tree(path);
        }
        snprintf(path, sizeof path, "%s/var/cache/apt/archives", b->rootfs);
        (void)mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/var/cache/apt/archives/partial", b->rootfs);
        (void)mkdir(path, 0700);

        /* npm 9 cannot tell glibc from musl and installs Claude Code's native binary for both
         * (some 370 MB each); Debian is glibc. */
        char dir[PATH_MAX];
        snprintf(
                dir, sizeof dir,
                "%s/usr/local/lib/node_modules/" CLAUDE_PACKAGE "/node_modules/@anthropic-ai", b->rootfs);
        _cleanup_(closedirp) DIR *d = opendir(dir);
        for (struct dirent *de; d && (de = readdir(d));) {
                size_t n = strlen(de->d_name);
                if (n > 5 && strcmp(de->d_name + n - 5, "-musl") == 0 &&
                    snprintf(path, sizeof path, "%s/%s", dir, de->d_name) < (int)sizeof path)
                        remove_tree(path);
        }
}

static int make_tarball(const Build *b) {
        char workspace[PATH_MAX], size[64];
        struct stat st;
        int r;

        snprintf(workspace, sizeof workspace, "%s/workspace", b->rootfs);
        if (mkdir(workspace, 0755) < 0 && errno != EEXIST)
                return log_error("mkdir %s: %m", workspace), -errno;

        build_step(b, "tar of the root file system into %s", b->tarball);
        /* podman gives every container its own /dev, /proc and /sys; device nodes in a layer would
         * only trip rootless podman, which cannot create them. */
        const char *argv[] = {
                "/bin/tar",
                "--numeric-owner",
                "--exclude=./dev/*",
                "--exclude=./proc/*",
                "--exclude=./sys/*",
                "-C",
                b->rootfs,
                "-cf",
                b->tarball,
                ".",
                NULL};
        r = run_argv(argv, NULL);
        if (r != 0) {
                log_error("tar failed (%s %d)", r < 0 ? "error" : "exit", r < 0 ? -r : r);
                return -EIO;
        }
        if (stat(b->tarball, &st) == 0) {
                image_format_size((uint64_t)st.st_size, size, sizeof size);
                build_step(b, "tarball: %s", size);
        }
        return 0;
}

static int build_steps(
        const SetupArgs *args, Build *b, const Policy *p, const char *mirror, const char *output) {
        int r;

        if ((r = debootstrap(b, mirror)) < 0 || interrupted)
                return r < 0 ? r : -EINTR;
        if ((r = apt_install(b, mirror)) < 0 || interrupted)
                return r < 0 ? r : -EINTR;
        if ((r = install_claude(b)) < 0 || interrupted)
                return r < 0 ? r : -EINTR;
        build_step(b, "Claude Code installed with %s", b->npm_route);
        clean_rootfs(b);
        if ((r = check_claude(b)) < 0 || interrupted)
                return r < 0 ? r : -EINTR;
        if ((r = make_tarball(b)) < 0 || interrupted)
                return r < 0 ? r : -EINTR;
        if (output)
                return 0;
        return image_import_all(args, p, b->tarball);
}

int image_build(const SetupArgs *args, int argc, char **argv) {
        enum { ARG_MIRROR = 0x100, ARG_OUTPUT };
        static const struct option options[] = {
                {"mirror", required_argument, NULL, ARG_MIRROR},
                {"output", required_argument, NULL, ARG_OUTPUT},
                {},
        };
        _cleanup_(policy_freep) Policy *p = NULL;
        const char *arg_mirror = NULL, *output = NULL;
        char mirror[1024];
        struct sigaction sa = {.sa_handler = on_signal}, old[3];
        static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
        Build b = {.t0 = image_now()};
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case ARG_MIRROR:
                        arg_mirror = optarg;
                        break;
                case ARG_OUTPUT:
                        output = optarg;
                        break;
                default:
                        return VERB_USAGE; /* getopt said what */
                }
        if (optind != argc) {
                log_error("usage: rcc-setup [--account NAME] image build [--mirror URL] [--output TARBALL]");
                return VERB_USAGE;
        }
        if (arg_mirror && strncmp(arg_mirror, "http://", 7) != 0 &&
            strncmp(arg_mirror, "https://", 8) != 0) {
                log_error("--mirror '%s' is not an http:// or https:// URL", arg_mirror);
                return VERB_USAGE;
        }
        if (access(DEBOOTSTRAP, X_OK) < 0) {
                log_error("%s is missing; install it: apt-get install debootstrap", DEBOOTSTRAP);
                return -ENOENT;
        }
        /* Load the policy first: a typo should not cost a ten-minute build. */
        if (!output && (r = image_load_targets(args, &p)) < 0)
                return r;
        choose_mirror(arg_mirror, mirror, sizeof mirror);

        snprintf(b.dir, sizeof b.dir, "/var/tmp/rcc-image.XXXXXX");
        if (!mkdtemp(b.dir))
                return log_error("mkdtemp /var/tmp: %m"), -errno;
        snprintf(b.rootfs, sizeof b.rootfs, "%s/rootfs", b.dir);
        snprintf(b.tarball, sizeof b.tarball, "%s", output ?: "");
        if (!output)
                snprintf(b.tarball, sizeof b.tarball, "%s/rootfs.tar", b.dir);
        build_step(&b, "building in %s", b.dir);

        /* Children get the terminal's signals themselves and fail; we only note it and clean up. */
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaction(sigs[i], &sa, &old[i]);
        r = build_steps(args, &b, p, mirror, output);
        if (r == -EINTR)
                log_error("interrupted");
        if (r < 0 && output)
                (void)unlink(output);
        remove_tree(b.dir);
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaction(sigs[i], &old[i], NULL);

        if (access(b.dir, F_OK) == 0)
                log_warning("could not remove all of %s", b.dir);
        if (r < 0) {
                build_step(&b, "image build failed; removed %s", b.dir);
                return r;
        }
        build_step(&b, "image build done%s%s; removed %s", output ? ": " : "", output ?: "", b.dir);
        return 0;
}
