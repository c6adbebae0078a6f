/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One session of a sandbox account, from the policy to the `podman run` that is the session: who
 * the human is (pam_rcc's record), which project (checked by descriptor, then staged where podman
 * mounts it from: shell/stage/main.c), its carve-outs, its limits, its command line and
 * environment. Every step returns a negative errno with a diag that tells the human what to do;
 * rcc-shell's main() turns that into one line and an exit status, in one place.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "home.h"
#include "netguard.h"
#include "placeholder.h"
#include "podman-network.h"
#include "policy.h"
#include "project.h"
#include "readonly.h"
#include "session-limits.h"
#include "session-record.h"
#include "user.h"

typedef struct Request {
        bool via_sshd;         /* started by sshd's ForceCommand */
        const char *command;   /* -c CMD, or NULL: the policy's interactive command */
        char *const *cmd_args; /* ARG0 ARGS... after -c CMD */
        size_t n_cmd_args;
} Request;

typedef struct Session {
        Policy *policy;
        const Account *account; /* in policy; NULL until known */
        UserEntry user;         /* the account's own entry */
        SessionRecord record;   /* record.invoker[0] == '\0' until known */
        char requested[PATH_MAX];
        Project project;
        int project_fd;
        Placeholders placeholders; /* carve-outs made for the session, removed at its end */
        const char **present;      /* carve-outs that exist (into the policy's list) */
        ReadonlyId *present_ids;
        size_t n_present;
        char **pinned;
        ReadonlyId *pinned_ids;
        size_t n_pinned;
        const char **command;
        size_t n_command;
        LimitsProbe probe;
        PodmanNetwork network; /* as rcc-setup install recorded it */
        int landlock_abi;
        bool tty;
        char *seal_text;      /* the image's seal, as read (lib/image-seal.h) */
        char image_id[65];    /* what podman runs: the sealed image's id */
        char name[128];       /* the container's */
        char stage[PATH_MAX]; /* the project's staged mount point, "" until staged */
        int stage_fd;         /* its directory, locked for the session's life */
        bool staged;
        SessionHome home;
        NetGuard guard;       /* registered with rcc-firewalld for the session's life */
        char denials_dir[64]; /* RCC_DENIALS_DIR/PID as the service made it, or "": none to bind */
        char **argv, **env;
} Session;

#define SESSION_NULL                       \
        ((Session){                        \
                .project_fd = -EBADF,      \
                .stage_fd = -EBADF,        \
                .home = SESSION_HOME_NULL, \
                .guard = {.fd = -EBADF}})

/* Everything up to the podman command line: s->argv and s->env are ready to run. Fills s as it
 * goes, so that a refusal can name the account, human and project known by then. */
int session_prepare(const Request *req, Session *s, RccDiag *diag);

/* Keep the session's login for the human (shell/home.h), unstage the project (if it was), free
 * everything. */
void session_done(Session *s);
