/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc's lines in a PAM service file (/etc/pam.d/sshd, sudo, sudo-i): text in, text out, no I/O,
 * so that adding and removing them is unit-tested on its own (tests/unit/test-pam-stack.c). The
 * callers (install, uninstall, doctor) read and write the files.
 *
 * The block is three whole lines, inserted before the first rule of the file (its first line that
 * is neither blank nor a comment):
 *
 *     # rcc: pam_rcc gates the sessions of rcc sandbox accounts (rcc-setup install added this; ...)
 *     account    requisite    MODULE
 *     session    requisite    MODULE
 *
 * Removing it after adding it gives back the original bytes, whatever the file looked like.
 */
#pragma once

#include <stdbool.h>

/* The services rcc wires pam_rcc into: sshd's, sudo's, and sudo -i's where the system has one. */
#define PAM_STACK_SSHD "/etc/pam.d/sshd"
#define PAM_STACK_SUDO "/etc/pam.d/sudo"
#define PAM_STACK_SUDO_I "/etc/pam.d/sudo-i"

#define PAM_STACK_COMMENT                                                                           \
        "# rcc: pam_rcc gates the sessions of rcc sandbox accounts (rcc-setup install added this; " \
        "rcc-setup uninstall removes it)"

/* What a service file holds of pam_rcc. */
typedef enum PamStackState {
        PAM_STACK_ABSENT, /* no mention of pam_rcc at all */
        PAM_STACK_OURS,   /* rcc's block with this module, before every rule */
        PAM_STACK_LATE,   /* rcc's block with this module, but a rule comes before it */
        PAM_STACK_HAND,   /* not rcc's block, but the file's first two rules are "account" and
                           * "session", each "requisite" or "required", with this module (and
                           * perhaps arguments): wired by hand, as on systems rcc-setup does not
                           * edit */
        PAM_STACK_OTHER,  /* pam_rcc in any other form: rcc's block edited, a line commented out,
                           * placed after other rules, another module path */
} PamStackState;

PamStackState pam_stack_examine(const char *text, const char *module);

/* text with rcc's block for module added. Returns 1 and the new text (malloc'd) in *ret; 0 if the
 * block is already there, exactly (*ret untouched); -EEXIST if text names pam_rcc in another form
 * (an admin wired it by hand, or edited rcc's block: left alone, not added twice); -EINVAL if
 * module is not an absolute path without blanks; -ENOMEM. */
int pam_stack_add(const char *text, const char *module, char **ret);

/* text with rcc's block for module removed, exactly as pam_stack_add() put it. Returns 1 and the
 * new text (malloc'd) in *ret; 0 if text names pam_rcc nowhere (nothing to remove); -EEXIST if it
 * names pam_rcc but not in rcc's block (edited since: left alone); -EINVAL, -ENOMEM. */
int pam_stack_remove(const char *text, const char *module, char **ret);
