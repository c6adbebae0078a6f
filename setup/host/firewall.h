/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firewall of the sandbox accounts: rcc-firewalld holds table inet rcc (the kernel lets no
 * other process change it) and rcc-firewall asks it to apply the policy. Where systemd runs, the
 * service is rcc-firewall.service (firewall/rcc-firewall.service.in), started at boot before sshd;
 * elsewhere rcc-setup starts it in the background and the admin's boot scripts must.
 */
#pragma once

#include "context.h"

/* Start the service if it is not running (recorded in the manifest), then apply the policy. */
int apply_firewall(Setup *s);

/* Stop an rcc-firewalld that was started without systemd (the pid in RCC_FIREWALL_STATE, if it is
 * still rcc-firewalld) and wait until it is gone. 0 when none runs. */
int stop_firewalld(void);
