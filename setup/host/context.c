/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "firewall-service.h"
#include "log.h"
#include "manifest.h"
#include "paths.h"
#include "policy.h"
#include "sshd.h"
#include "sudoers.h"

void step(const char *name, const char *fmt, ...) {
        va_list ap;

        printf("  %-10s ", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

int setup_init(Setup *s, const char *config_dir) {
        int r;

        *s = (Setup){};
        if (config_dir[0] == '/') {
                if (strlen(config_dir) >= sizeof s->config_dir - 8)
                        return log_errno(-ENAMETOOLONG, "'%s': path too long", config_dir);
                memcpy(s->config_dir, config_dir, strlen(config_dir) + 1);
        } else {
                _cleanup_free_ char *cwd = get_current_dir_name(), *abs = NULL;
                if (!cwd)
                        return log_errno(-errno, "cannot get the current directory: %m");
                if (asprintf(&abs, "%s/%s", cwd, config_dir) < 0)
                        return log_errno(-ENOMEM, "out of memory");
                if (strlen(abs) >= sizeof s->config_dir - 8)
                        return log_errno(-ENAMETOOLONG, "'%s': path too long", abs);
                memcpy(s->config_dir, abs, strlen(abs) + 1);
        }
        /* sshd and the PAM module trust the keys directory by path: strip a trailing '/'. */
        for (size_t n = strlen(s->config_dir); n > 1 && s->config_dir[n - 1] == '/'; n--)
                s->config_dir[n - 1] = '\0';
        memcpy(s->keys_dir, s->config_dir, strlen(s->config_dir));
        strcpy(s->keys_dir + strlen(s->config_dir), "/keys");
        s->systemd = access("/run/systemd/system", F_OK) == 0;
        s->init_netns = fwsvc_same_netns(1) != 0;
        s->have_sshd = access(SSHD_PATH, X_OK) == 0;
        s->have_sshd_include = s->have_sshd && sshd_includes_dropins();
        s->have_sudo = access(SUDO_PATH, X_OK) == 0 && access(VISUDO_PATH, X_OK) == 0;

        r = manifest_load(RCC_INSTALL_MANIFEST, &s->manifest);
        if (r < 0)
                return log_errno(r, "cannot read %s: %s", RCC_INSTALL_MANIFEST, strerror(-r));
        return 0;
}

void setup_done(Setup *s) {
        s->manifest = manifest_free(s->manifest);
        s->policy = policy_free(s->policy);
}

int setup_load_policy(Setup *s) {
        PolicyOptions opts = {};
        RccDiag diag = {};
        int r;

        if (s->policy)
                return 0;
        r = policy_load(s->config_dir, &opts, &s->policy, &diag);
        if (r < 0)
                return log_diag(r, &diag);
        return 0;
}

int setup_reload_policy(Setup *s) {
        s->policy = policy_free(s->policy);
        return setup_load_policy(s);
}
