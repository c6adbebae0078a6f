/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam_rcc in the PAM stacks of sshd, sudo and sudo -i: the files read and written here, the text
 * edited by pam-stack.c. Once wired, every session of a sandbox account needs pam_rcc's consent.
 */
#pragma once

#include "context.h"

/* RCC_PAM_MODULE exists, is a regular file, root-owned and writable by root alone (else an error
 * saying to install rcc first). */
int check_pam_module(void);

/* pam_rcc's block (pam-stack.h) in /etc/pam.d/sshd, sudo and sudo-i, those that exist, each
 * recorded ("pam") before it is changed. Once there, every session of a sandbox account needs
 * pam_rcc's consent, so this runs after the policy and the firewall are in place. */
int wire_pam_stacks(Setup *s);
