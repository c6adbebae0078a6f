/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files that wire rcc into the host's services: the default policy, podman's configuration,
 * the sshd drop-in (checked by sshd itself before it is left in place), and pam_rcc in the sshd
 * and sudo PAM stacks. access.c has the sudoers drop-in, the firewall and the project ACLs.
 */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "pam-stack.h"
#include "paths.h"
#include "system.h"
#include "util.h"

#define CGROUP2_SUPER_MAGIC 0x63677270
#define CRUN_PATH "/usr/bin/crun"
#define TEST_PATH "/usr/bin/test"

const char default_policy_text[] =
        "# rcc policy: the defaults for every sandbox account. See rcc-policy(5).\n"
        "# Written by rcc-setup install, and never overwritten by it: this file is yours to edit.\n"
        "# After a change: rcc-firewall check && rcc-firewall apply\n"
        "version: 1\n"
        "network:\n"
        "  mode: public            # block private and host-local networks, allow the internet\n"
        "  resolvers: auto         # the host's own DNS servers, and only those, on port 53\n"
        "  # allow:                # destinations allowed despite the above (strict mode: the only ones)\n"
        "  #   - host: git.corp.example\n"
        "  #     ports: [443]\n"
        "files:\n"
        "  # Read-only inside the session: what could run on the human's side later. All of .git:\n"
        "  # with only hooks and config read-only the agent can redirect git elsewhere\n"
        "  # (.git/commondir) and run code as you; see rcc-policy(5).\n"
        "  readonly: [.git, .envrc, .vscode/tasks.json]\n"
        "container:\n"
        "  image: localhost/rcc-claude:latest   # rcc-setup image build\n"
        "  command: [claude]\n"
        "  memory: 8g\n"
        "  cpus: 2\n"
        "  pids: 1024\n"
        "# Who may use the sandbox accounts, and where their projects are (absolute paths or globs).\n"
        "# Then run rcc-setup install again to grant the ACLs and sudo rules, and add their keys with\n"
        "# rcc-setup key add. For example:\n"
        "#   users:\n"
        "#     alice: { projects: [\"/home/alice/src/*\"] }\n"
        "users: {}\n";

int load_policy(const Setup *s, Policy **ret) {
        PolicyOptions opts = {};
        RccDiag diag = {};
        int r;

        r = policy_load(s->config_dir, &opts, ret, &diag);
        if (r < 0)
                return log_diag(r, &diag);
        return 0;
}

/* ---- podman ---- */

static bool pure_cgroup2(void) {
        struct statfs sf;

        return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int write_podman_conf(Setup *s) {
        _cleanup_free_ char *dir = NULL, *hooks = NULL, *mounts = NULL, *cc = NULL, *path = NULL;
        const char *runtime = pure_cgroup2() && access(CRUN_PATH, X_OK) == 0 ? "crun" : "runc";
        const char *manager = s->systemd ? "systemd" : "cgroupfs";
        int r;

        if (asprintf(&dir, "%s/podman", s->config_dir) < 0 || asprintf(&hooks, "%s/hooks.d", dir) < 0 ||
            asprintf(&mounts, "%s/mounts.conf", dir) < 0)
                return log_err(-ENOMEM, "out of memory");
        r = ensure_dir(s, dir, 0755, NULL);
        if (r < 0)
                return r;
        r = ensure_dir(s, hooks, 0755, NULL);
        if (r < 0)
                return r;
        r = replace_file(s, mounts, "", 0644, NULL);
        if (r < 0)
                return r;

        if (asprintf(
                    &cc,
                    "# Written by rcc-setup: the podman configuration of every rcc session (CONTAINERS_CONF).\n"
                    "# Root-owned, so nothing in a sandbox account's ~/.config/containers applies.\n"
                    "[containers]\n"
                    "# An empty list instead of ~/.config/containers/mounts.conf.\n"
                    "default_mounts_file = \"%s\"\n"
                    "\n"
                    "[engine]\n"
                    "runtime = \"%s\"\n"
                    "cgroup_manager = \"%s\"\n"
                    "events_logger = \"file\"\n"
                    "# An empty directory: no OCI hooks from anywhere else.\n"
                    "hooks_dir = [\"%s\"]\n",
                    mounts, runtime, manager, hooks) < 0 ||
            asprintf(&path, "%s/containers.conf", dir) < 0)
                return log_err(-ENOMEM, "out of memory");
        r = replace_file(s, path, cc, 0644, NULL);
        if (r < 0)
                return r;
        free(path);
        if (asprintf(&path, "%s/storage.conf", dir) < 0)
                return log_err(-ENOMEM, "out of memory");
        r = replace_file(
                s, path,
                "# Written by rcc-setup: container storage of rcc sessions (CONTAINERS_STORAGE_CONF).\n"
                "[storage]\n"
                "driver = \"overlay\"\n"
                "rootless_storage_path = \"$HOME/.local/share/containers/storage\"\n",
                0644, NULL);
        if (r < 0)
                return r;
        free(path);
        if (asprintf(&path, "%s/registries.conf", dir) < 0)
                return log_err(-ENOMEM, "out of memory");
        r = replace_file(
                s, path,
                "# Written by rcc-setup: registries for rcc sessions (CONTAINERS_REGISTRIES_CONF).\n"
                "# No search registries: an image name must say where it comes from.\n"
                "unqualified-search-registries = []\n"
                "short-name-mode = \"enforcing\"\n",
                0644, NULL);
        if (r < 0)
                return r;
        step("podman", "%s/{containers,storage,registries}.conf (runtime %s, cgroup manager %s)", dir,
             runtime, manager);
        return 0;
}

/* ---- sshd ---- */

static char *sshd_dropin_text(const Setup *s, const Policy *p) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        fputs("# Written by rcc-setup for the rcc sandbox accounts; regenerated by install, account add\n"
              "# and account remove. Do not edit: change the policy and run rcc-setup install again.\n",
              f);
        if (p->n_accounts > 0) {
                fputs("Match User ", f);
                for (size_t i = 0; i < p->n_accounts; i++)
                        fprintf(f, "%s%s", i ? "," : "", p->accounts[i].name);
                fprintf(f,
                        "\n"
                        "\tAuthorizedKeysFile %s/%%u\n"
                        "\tAuthorizedKeysCommand none\n"
                        "\tAuthorizedPrincipalsFile none\n"
                        "\tPasswordAuthentication no\n"
                        "\tKbdInteractiveAuthentication no\n"
                        "\tDisableForwarding yes\n"
                        "\tPermitTunnel no\n"
                        "\tPermitUserRC no\n"
                        "\tAcceptEnv " RCC_PROJECT_ENV "\n"
                        "\tForceCommand " RCC_SSHD_FORCED_COMMAND "\n",
                        s->keys_dir);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int sshd_effective(const char *user, char *out, size_t size) {
        _cleanup_free_ char *spec = NULL;
        int r;

        if (asprintf(&spec, "user=%s,host=localhost,addr=127.0.0.1", user) < 0)
                return -ENOMEM;
        const char *argv[] = {SSHD_PATH, "-T", "-C", spec, NULL};
        r = run_argv(argv, &(RunOptions){.capture = out, .capture_size = size});
        return r == 0 ? 0 : r < 0 ? r : -EINVAL;
}

static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; (p = strstr(p, line)); p++)
                if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

/* sshd -t, then sshd -T for every account: the settings really apply; and root's are what they
 * were before. */
static int sshd_verify(const Setup *s, const Policy *p, const char *root_before) {
        _cleanup_free_ char *out = malloc(256 * 1024), *want_keys = NULL;
        const char *argv[] = {SSHD_PATH, "-t", NULL};
        int r;

        if (!out || asprintf(&want_keys, "authorizedkeysfile %s/%%u", s->keys_dir) < 0)
                return log_err(-ENOMEM, "out of memory");
        r = run_argv(argv, NULL);
        if (r != 0)
                return log_err(-EINVAL, "sshd -t rejects the configuration with %s", SSHD_DROPIN);
        for (size_t i = 0; i < p->n_accounts; i++) {
                const char *want[] = {
                        "forcecommand " RCC_SSHD_FORCED_COMMAND,
                        "disableforwarding yes",
                        want_keys,
                        "authorizedkeyscommand none",
                        "passwordauthentication no",
                        "kbdinteractiveauthentication no",
                        "permittunnel no",
                        "permituserrc no",
                        "acceptenv " RCC_PROJECT_ENV,
                };
                r = sshd_effective(p->accounts[i].name, out, 256 * 1024);
                if (r < 0)
                        return log_err(r, "sshd -T -C user=%s failed", p->accounts[i].name);
                for (size_t k = 0; k < ELEMENTSOF(want); k++)
                        if (!has_line(out, want[k]))
                                return log_err(
                                        -EINVAL,
                                        "sshd -T for '%s' lacks \"%s\": an earlier setting in sshd's "
                                        "configuration takes precedence over %s",
                                        p->accounts[i].name, want[k], SSHD_DROPIN);
        }
        r = sshd_effective("root", out, 256 * 1024);
        if (r < 0 || strcmp(out, root_before) != 0)
                return log_err(-EINVAL, "%s changes sshd's settings for root; refusing it", SSHD_DROPIN);
        return 0;
}

void reload_sshd(void) {
        _cleanup_free_ char *pidtext = NULL, *comm = NULL;
        char path[64];
        long pid;

        if (read_file("/run/sshd.pid", 64, &pidtext, NULL) == 0 && (pid = strtol(pidtext, NULL, 10)) > 1) {
                snprintf(path, sizeof path, "/proc/%ld/comm", pid);
                if (read_file(path, 64, &comm, NULL) == 0 && strncmp(comm, "sshd", 4) == 0) {
                        if (kill((pid_t)pid, SIGHUP) < 0)
                                log_warning("cannot signal sshd (pid %ld) to reload: %m", pid);
                        else
                                step("sshd", "reloaded (pid %ld)", pid);
                        return;
                }
        }
        if (access("/run/systemd/system", F_OK) != 0)
                return;
        FOREACH_ARRAY (unit, ((const char *[]){"ssh.service", "sshd.service"}), 2) {
                const char *active[] = {SYSTEMCTL_PATH, "--quiet", "is-active", *unit, NULL};
                const char *reload[] = {SYSTEMCTL_PATH, "reload", *unit, NULL};
                if (run_argv(active, NULL) == 0) {
                        if (run_argv(reload, NULL) != 0)
                                log_warning("systemctl reload %s failed", *unit);
                        else
                                step("sshd", "reloaded (%s)", *unit);
                        return;
                }
        }
}

int write_sshd_dropin(Setup *s, const Policy *p) {
        _cleanup_free_ char *text = NULL, *old = NULL, *root_before = malloc(256 * 1024);
        bool made_run_dir = false;
        int r, q;

        if (!root_before)
                return log_err(-ENOMEM, "out of memory");
        if (!s->have_sshd) {
                log_warning("sshd is not installed: no ssh access to the sandbox accounts");
                return 0;
        }
        if (!s->have_sshd_include) {
                log_warning(
                        "%s does not include %s/*.conf: ssh to the sandbox accounts is not confined. "
                        "Add this line at the top of %s, then run rcc-setup install again:\n"
                        "    Include " SSHD_DROPIN_DIR "/*.conf",
                        SSHD_CONFIG, SSHD_DROPIN_DIR, SSHD_CONFIG);
                return 0;
        }
        text = sshd_dropin_text(s, p);
        if (!text)
                return log_err(-ENOMEM, "out of memory");

        /* sshd -T wants its privilege separation directory, which its service creates at start. */
        if (mkdir("/run/sshd", 0755) == 0)
                made_run_dir = true;
        r = sshd_effective("root", root_before, 256 * 1024);
        if (r < 0) {
                r = log_err(r, "sshd -T fails before any change: fix sshd's configuration first (sshd -t)");
                goto finish;
        }
        /* UsePAM is global (not allowed in a Match block), so root's settings say it for all. */
        if (!has_line(root_before, "usepam yes")) {
                r = log_err(
                        -EINVAL,
                        "sshd does not use PAM (sshd -T says usepam is not 'yes'): pam_rcc could never gate "
                        "an ssh session. Set 'UsePAM yes' in %s, then run rcc-setup install again",
                        SSHD_CONFIG);
                goto finish;
        }
        q = read_file(SSHD_DROPIN, 1024 * 1024, &old, NULL);
        if (q < 0 && q != -ENOENT) {
                r = log_err(q, "cannot read %s: %s", SSHD_DROPIN, strerror(-q));
                goto finish;
        }
        r = replace_file(s, SSHD_DROPIN, text, 0644, NULL);
        if (r < 0)
                goto finish;
        r = sshd_verify(s, p, root_before);
        if (r < 0) {
                /* Put back what was there, so sshd keeps working as before. */
                if (old)
                        q = write_file_atomic(SSHD_DROPIN, old, strlen(old), 0644, 0, 0);
                else
                        q = unlink(SSHD_DROPIN) < 0 ? -errno : 0;
                if (q < 0)
                        log_error("cannot restore %s: %s", SSHD_DROPIN, strerror(-q));
                goto finish;
        }
        step("sshd", "%s: Match User for %zu account(s); checked with sshd -t and sshd -T", SSHD_DROPIN,
             p->n_accounts);
        reload_sshd();
        r = 0;
finish:
        if (made_run_dir)
                (void)rmdir("/run/sshd");
        return r;
}

/* ---- PAM ---- */

int check_pam_module(void) {
        struct stat st;

        if (stat(RCC_PAM_MODULE, &st) < 0)
                return log_err(
                        -errno,
                        "%s: %m; install rcc first (meson install), then run rcc-setup install again",
                        RCC_PAM_MODULE);
        if (!S_ISREG(st.st_mode))
                return log_err(
                        -EINVAL, "%s is not a regular file; install rcc first (meson install)",
                        RCC_PAM_MODULE);
        /* sshd and sudo load it as root: whoever can write it runs code as root at every login. */
        if (st.st_uid != 0 || (st.st_mode & 022))
                return log_err(
                        -EPERM,
                        "%s is owned by uid %u, mode %04o: it must be root-owned and writable by root alone; "
                        "install rcc as root (meson install), or: chown root: %s && chmod go-w %s",
                        RCC_PAM_MODULE, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), RCC_PAM_MODULE,
                        RCC_PAM_MODULE);
        return 0;
}

/* path names pam_rcc, but not in rcc's block: say how it stands, and leave it. */
static void pam_left_alone(const Setup *s, const char *path, const char *text) {
        if (pam_stack_examine(text, RCC_PAM_MODULE) == PAM_STACK_HAND) {
                step("pam", "%s: pam_rcc wired by hand (account, session, before every other rule); kept",
                     path);
                return;
        }
        /* rcc rebuilt with another prefix: the lines an earlier install recorded name another path. */
        FOREACH_ARRAY (e, s->manifest->entries, s->manifest->n_entries)
                if (strcmp(e->kind, "pam") == 0 && e->n_args >= 2 && strcmp(e->args[0], path) == 0 &&
                    strcmp(e->args[1], RCC_PAM_MODULE) != 0) {
                        log_warning(
                                "%s has the pam_rcc lines an earlier install wrote for %s, not %s: run "
                                "rcc-setup uninstall, then install again",
                                path, e->args[1], RCC_PAM_MODULE);
                        return;
                }
        log_warning(
                "%s already names pam_rcc, but not as rcc-setup or rcc-setup(8) would (wired by hand?): left "
                "as it is. It needs these two lines before its first rule:\n"
                "    account    requisite    %s\n"
                "    session    requisite    %s",
                path, RCC_PAM_MODULE, RCC_PAM_MODULE);
}

static int wire_pam_stack(Setup *s, const char *path) {
        _cleanup_free_ char *text = NULL, *out = NULL;
        struct stat st;
        size_t len;
        int r;

        if (lstat(path, &st) < 0)
                return log_err(-errno, "cannot stat '%s': %m", path);
        if (!S_ISREG(st.st_mode))
                return log_err(
                        -EINVAL,
                        "'%s' is not a regular file: rcc-setup edits only regular files; add the lines of "
                        "rcc-setup(8), PAM, to the file it stands for by hand",
                        path);
        r = read_file(path, 1024 * 1024, &text, &len);
        if (r < 0)
                return log_err(r, "cannot read '%s': %s", path, strerror(-r));
        if (strlen(text) != len)
                return log_err(-EINVAL, "'%s' contains a NUL byte: not a PAM service file", path);
        r = pam_stack_add(text, RCC_PAM_MODULE, &out);
        if (r == -EEXIST) {
                pam_left_alone(s, path, text);
                return 0;
        }
        if (r < 0)
                return log_err(r, "cannot add pam_rcc to '%s': %s", path, strerror(-r));
        if (r == 0) {
                if (pam_stack_examine(text, RCC_PAM_MODULE) == PAM_STACK_LATE)
                        log_warning(
                                "%s: rcc's pam_rcc lines come after other rules, which can act first; move the "
                                "three lines that start with '# rcc:' above the first rule",
                                path);
                step("pam", "%s: pam_rcc already wired", path);
                return 0;
        }
        if (!manifest_find(s->manifest, "pam", NULL, path, RCC_PAM_MODULE, NULL)) {
                r = manifest_add(s->manifest, "pam", NULL, path, RCC_PAM_MODULE, NULL);
                if (r < 0)
                        return log_err(r, "cannot record '%s' in the manifest: %s", path, strerror(-r));
        }
        r = write_file_atomic(path, out, strlen(out), st.st_mode & 07777, st.st_uid, st.st_gid);
        if (r < 0)
                return log_err(r, "cannot write '%s': %s", path, strerror(-r));
        step("pam", "%s: pam_rcc gates account and session, before every other rule", path);
        return 0;
}

int wire_pam_stacks(Setup *s) {
        static const struct {
                const char *path, *service;
                bool expected; /* when its program is installed */
        } stacks[] = {
                {PAM_STACK_SSHD, "sshd", true},
                {PAM_STACK_SUDO, "sudo", true},
                {PAM_STACK_SUDO_I, "sudo -i", false},
        };
        int r;

        r = check_pam_module();
        if (r < 0)
                return r;
        FOREACH_ARRAY (st, stacks, ELEMENTSOF(stacks)) {
                bool installed = st == &stacks[0] ? s->have_sshd : s->have_sudo;

                if (access(st->path, F_OK) < 0 && errno == ENOENT) {
                        if (st->expected && installed)
                                log_warning(
                                        "%s is missing: %s falls back to /etc/pam.d/other, which does not run "
                                        "pam_rcc, and rcc-shell refuses a session pam_rcc did not record",
                                        st->path, st->service);
                        continue;
                }
                r = wire_pam_stack(s, st->path);
                if (r < 0)
                        return r;
        }
        return 0;
}
