/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcc-shell's link to rcc-firewalld (shell/netguard.c) without the rest of a session: joins the
 * service as the calling user, then does what rcc-shell's supervision loop does with the link
 * until SIGTERM. What netguard tells the human goes to stderr, as in a session; "joined" or
 * "refused: WHY" to stdout first. Used by test-firewall-service.sh, which runs it as the sandbox
 * account next to a stand-in network helper.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "firewall-service.h"
#include "netguard.h"

static volatile sig_atomic_t stop;

static void on_term(int sig) {
        (void)sig;
        stop = 1;
}

int main(void) {
        char why[FWSVC_MSG_MAX];
        NetGuard g;

        signal(SIGTERM, on_term);
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (netguard_join(&g, getuid(), false, why, sizeof why) < 0) {
                printf("refused: %s\n", why);
                return 1;
        }
        printf("joined\n");
        while (!stop) {
                struct pollfd p = {.fd = netguard_fd(&g), .events = POLLIN};
                int n = poll(&p, 1, netguard_timeout_ms(&g));

                if (n < 0 && errno != EINTR)
                        return 1;
                if (n > 0 || (n == 0 && netguard_timeout_ms(&g) == 0))
                        netguard_handle(&g);
        }
        netguard_leave(&g);
        return 0;
}
