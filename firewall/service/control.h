/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket (RCC_FIREWALL_CONTROL_SOCKET, 0600, root's): rcc-firewall apply, refresh and
 * remove, each one request answered in full before the next is read. Since the table has an owner,
 * the service is the only process that can change it: these are the only ways to.
 */
#pragma once

#include "service.h"

int control_listen(Service *svc, RccDiag *diag);
/* Accept one request, carry it out, answer it. */
void control_serve(Service *svc);
