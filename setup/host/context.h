/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every change rcc-setup makes starts from: the configuration directory, the manifest every
 * change is recorded in before it is made (manifest.h), and the host facts looked at once. The
 * files next to this one each make one kind of change; every one is idempotent, so re-running
 * after a crash at any point finishes the job.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "macro.h"
#include "manifest.h"
#include "policy.h"

/* The service managers' tools, for the steps that enable, start, stop or reload a unit. */
#define SYSTEMCTL_PATH "/usr/bin/systemctl"
#define LOGINCTL_PATH "/usr/bin/loginctl"

typedef struct Setup {
        char config_dir[PATH_MAX]; /* absolute */
        char keys_dir[PATH_MAX];   /* config_dir/keys: sshd's AuthorizedKeysFile directory */
        Manifest *manifest;
        bool systemd;           /* systemd is PID 1 */
        bool init_netns;        /* we run in PID 1's network namespace (where its units' tables are) */
        bool have_sshd;         /* sshd installed */
        bool have_sshd_include; /* ...and its configuration includes the drop-in directory */
        bool have_sudo;
        bool selinux_module_loaded; /* selinux_load_module() ran in this run */
        /* The policy of config_dir, read once (setup_load_policy()): every step of a run acts on
         * the same policy, even when the files change under it. NULL until then. */
        Policy *policy;
} Setup;

/* Look at the host, load the manifest. config_dir need not exist yet. */
int setup_init(Setup *s, const char *config_dir);
void setup_done(Setup *s);

/* Load the policy of s->config_dir into s->policy, unless it is loaded already; errors are
 * reported. A verb calls it once it needs the policy, and after it has written what the policy is
 * made of: install, only once rcc.yaml and accounts.d/NAME.yaml are there. */
int setup_load_policy(Setup *s);
/* Load it again, for the steps that follow a change the verb made itself to accounts.d (account
 * add wrote a file there, account remove took one away). The one way a run changes its policy. */
int setup_reload_policy(Setup *s);

/* Progress lines: "  name: what" on stdout. */
void step(const char *name, const char *fmt, ...) _printf_(2, 3);
