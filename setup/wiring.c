/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files that wire rcc into the host's services: the default policy, podman's configuration,
 * the sshd and sudoers drop-ins (each checked by the service's own tool before it is left in
 * place), the firewall, and the project ACLs.
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
        "  # Read-only inside the session: what could run on the human's side later.\n"
        "  readonly: [.git/hooks, .git/config, .envrc, .vscode/tasks.json]\n"
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
                        "\tExposeAuthInfo yes\n"
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
                        "exposeauthinfo yes",
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
