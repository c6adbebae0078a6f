/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for what rcc-firewalld reads from rcc-dnsrelay, another user: a grant line
 * (fwsvc_grant_parse). What it accepts must be a single address and a valid host name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "firewall-service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char text[FWSVC_MSG_MAX];
        FwsvcGrant g;

        if (size >= sizeof text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (fwsvc_grant_parse(text, &g) == 0) {
                if (!(g.addr.family == AF_INET && g.addr.prefixlen == 32) &&
                    !(g.addr.family == AF_INET6 && g.addr.prefixlen == 128))
                        abort();
                if (strlen(g.name) == 0 || strlen(g.name) > 253 || strchr(g.name, '*') ||
                    strchr(g.name, ' '))
                        abort();
        }
        return 0;
}
