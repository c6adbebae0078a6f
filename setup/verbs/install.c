/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-setup install: the sandbox account and everything that confines it. Idempotent: each step
 * looks before it changes anything, and records what it creates in the manifest first, so a re-run
 * after a crash finishes the job and uninstall removes exactly what was added.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl.h"
#include "config.h"
#include "context.h"
#include "files.h"
#include "follow-policy.h"
#include "log.h"
#include "network.h"
#include "pam-wiring.h"
#include "paths.h"
#include "podman-conf.h"
#include "policy.h"
#include "selinux.h"
#include "storage.h"
#include "user.h"
#include "users.h"
#include "verbs.h"

/* The commented default rcc.yaml: written once, never overwritten. */
static const char default_policy_text[] =
        "# rcc policy: the defaults for every sandbox account. See rcc-policy(5).\n"
        "# Written by rcc-setup install, and never overwritten by it: this file is yours to edit.\n"
        "# After a change: rcc-setup apply (rcc-setup apply --dry-run first shows what it changes)\n"
        "version: 1\n"
        "network:\n"
        "  mode: public            # block private and host-local networks, allow the internet\n"
        "  resolvers: auto         # the host's own DNS servers, and only those, on port 53\n"
        "  # allow:                # destinations allowed despite the above (strict mode: the only ones)\n"
        "  #   - host: git.corp.example\n"
        "  #     ports: [443]\n"
        "files:\n"
        "  # Read-only inside the session: what your own tools run from the project without asking\n"
        "  # (git, direnv, Claude Code's project settings and MCP servers, VS Code tasks, pre-commit).\n"
        "  # All of .git: with only hooks and config read-only the agent can redirect git elsewhere\n"
        "  # (.git/commondir) and run code as you. Missing files are made empty for the session and\n"
        "  # removed after it. See rcc-policy(5).\n"
        "  readonly: [.git, .envrc, .claude/settings.json, .claude/settings.local.json, .mcp.json,\n"
        "             .vscode/tasks.json, .pre-commit-config.yaml]\n"
        "container:\n"
        "  image: localhost/rcc-claude:latest   # rcc-setup image build\n"
        "  command: [claude]\n"
        "  memory: 8g\n"
        "  cpus: 2\n"
        "  pids: 1024\n"
        "# Who may use the sandbox accounts, and where their projects are (absolute paths or globs).\n"
        "# Then run rcc-setup apply to grant the ACLs and sudo rules, and add their keys with\n"
        "# rcc-setup key add. For example:\n"
        "#   users:\n"
        "#     alice: { projects: [\"/home/alice/src/*\"] }\n"
        "users: {}\n";

static int preflight(const Setup *s) {
        /* What install runs or installs for, with the Debian package that has it. */
        static const struct {
                const char *path, *package;
        } required[] = {
                {RCC_SHELL_PATH, "rcc"},          {RCC_PODMAN, "podman"},
                {RCC_FIREWALL_PATH, "rcc"},       {"/usr/bin/newuidmap", "uidmap"},
                {"/usr/bin/newgidmap", "uidmap"}, {SETFACL_PATH, "acl"},
                {USERADD_PATH, "passwd"},         {USERMOD_PATH, "passwd"},
                {MKFS_EXT4_PATH, "e2fsprogs"}, /* not in a minimal Debian 13 */
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(required); i++)
                if (access(required[i].path, X_OK) < 0)
                        return log_errno(
                                -ENOENT, "%s is missing (%m); install it first (Debian: apt-get install %s)",
                                required[i].path, required[i].package);
        r = check_pam_module();
        if (r < 0)
                return r;
        if (!s->have_sshd)
                log_warning("sshd is not installed: skipping the ssh wiring");
        if (!s->have_sudo)
                log_warning("sudo is not installed: skipping the sudo wiring");
        step("preflight",
             "rcc-shell, pam_rcc, podman, rcc-firewall, newuidmap/newgidmap, setfacl, mkfs.ext4 present%s%s",
             s->have_sshd ? "" : "; no sshd", s->have_sudo ? "" : "; no sudo");
        return 0;
}

static int config_dir(Setup *s) {
        _cleanup_free_ char *accounts = NULL, *policy = NULL;
        int r;

        if (asprintf(&accounts, "%s/accounts.d", s->config_dir) < 0 ||
            asprintf(&policy, "%s/rcc.yaml", s->config_dir) < 0)
                return log_errno(-ENOMEM, "out of memory");
        r = ensure_dir(s, s->config_dir, 0755, NULL);
        if (r < 0)
                return r;
        r = ensure_dir(s, accounts, 0755, NULL);
        if (r < 0)
                return r;
        r = ensure_dir(s, s->keys_dir, 0755, NULL);
        if (r < 0)
                return r;
        /* Never overwrite an admin's policy. */
        r = ensure_file(s, policy, default_policy_text, 0644, NULL);
        if (r < 0)
                return r;
        step("config", "%s: %s", s->config_dir,
             r > 0 ? "default rcc.yaml written" : "existing rcc.yaml kept");
        return 0;
}

static void check_tun(const char *account) {
        struct stat st;

        if (stat("/dev/net/tun", &st) < 0) {
                log_warning(
                        "/dev/net/tun is missing: rootless podman networking (slirp4netns, pasta) needs it; "
                        "load the tun module (modprobe tun)");
                return;
        }
        if ((st.st_mode & 0006) != 0006)
                log_warning(
                        "/dev/net/tun has mode %04o, so '%s' cannot open it and containers get no network; "
                        "fix: chmod 0666 /dev/net/tun (and a udev rule, KERNEL==\"tun\", MODE=\"0666\")",
                        (unsigned)(st.st_mode & 07777), account);
        else
                step("tun", "/dev/net/tun usable by the account");
}

static int grant_all(Setup *s) {
        const Policy *p = s->policy;
        int r;

        for (size_t i = 0; i < p->n_accounts; i++) {
                r = grant_project_acls(s, &p->accounts[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The SELinux layer, where SELinux is enabled (selinux.h). */
static int selinux_step(Setup *s) {
        int r;

        r = selinux_install(s, s->policy);
        if (r == SELINUX_SKIPPED)
                step("selinux", "SELinux not enabled: skipped");
        return r < 0 ? r : 0;
}

int verb_install(const SetupArgs *args, int argc, char **argv) {
        const char *name = args->account ?: SETUP_DEFAULT_ACCOUNT;
        _cleanup_(setup_done) Setup s = {};
        _cleanup_free_ char *yaml = NULL;
        int r;

        if (argc > 1) {
                log_error("'%s' takes no arguments; see rcc-setup --help", argv[0]);
                return VERB_USAGE;
        }
        if (!user_name_valid(name, false)) {
                log_error("'%s' is not a valid account name: expected ^[a-z_][a-z0-9_-]{0,31}$", name);
                return VERB_USAGE;
        }
        r = setup_init(&s, args->config_dir);
        if (r < 0)
                return r;
        printf("rcc-setup: installing sandbox account '%s' (policy %s)\n", name, s.config_dir);

        r = preflight(&s);
        if (r < 0)
                return r;
        r = ensure_state_dir(&s);
        if (r < 0)
                return r;
        r = config_dir(&s);
        if (r < 0)
                return r;
        if (asprintf(
                    &yaml,
                    "# The sandbox account '%s'. Settings here apply on top of ../rcc.yaml; see rcc-policy(5).\n"
                    "version: 1\n",
                    name) < 0)
                return log_errno(-ENOMEM, "out of memory");
        /* Before the account's storage is made: under SELinux, mount may attach the storage image
         * to a loop device only once the module has labelled it (selinux/rcc.te). */
        r = selinux_load_module(&s);
        if (r < 0)
                return r;
        r = ensure_account(&s, name, "main", yaml);
        if (r < 0)
                return r;
        /* Now that rcc.yaml and the account's file are there: the policy every step below acts on. */
        r = setup_load_policy(&s);
        if (r < 0)
                return r;
        r = write_podman_conf(&s);
        if (r < 0)
                return r;
        r = write_podman_network(&s);
        if (r < 0)
                return r;
        r = grant_all(&s);
        if (r < 0)
                return r;
        r = follow_policy(&s);
        if (r < 0)
                return r;
        r = selinux_step(&s);
        if (r < 0)
                return r;
        /* Last: from here on a session of a sandbox account is refused unless pam_rcc finds the
         * policy valid and the firewall loaded and current, which the steps above made so. */
        r = wire_pam_stacks(&s);
        if (r < 0)
                return r;
        check_tun(name);

        printf("rcc-setup: '%s' is installed; everything added is listed in %s.\n"
               "next: rcc-setup key add %s ~alice/.ssh/id_ed25519.pub --user alice   "
               "(after granting alice in %s/rcc.yaml)\n",
               name, RCC_INSTALL_MANIFEST, name, s.config_dir);
        return 0;
}
