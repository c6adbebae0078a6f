/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for rcc-dnsrelay's query and answer handling (dnsrelay/dns.c). The input is
 * taken both as a query from a sandbox (parsed, refused) and as an upstream's answer to the
 * query the input itself asks, or to a fixed one, so answers with a matching question are
 * reached without the fuzzer having to find one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_answer(const uint8_t *data, size_t size, const DnsQuery *q) {
        DnsAddr out[16];
        size_t n = 0;

        bool is_answer = dns_is_answer(data, size, q);
        if (dns_answer_addresses(data, size, q, out, 16, &n) < 0) {
                /* Both read the same question the same way. */
                if (is_answer)
                        abort();
                return;
        }
        if (!is_answer)
                abort();
        if (n > 16)
                abort();
        for (size_t i = 0; i < n; i++)
                if (!(out[i].addr.family == AF_INET && out[i].addr.prefixlen == 32) &&
                    !(out[i].addr.family == AF_INET6 && out[i].addr.prefixlen == 128))
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        DnsQuery q = {.id = 0, .qtype = 1, .qclass = 1};
        uint8_t *resp = NULL;
        size_t resp_len = 0;

        if (dns_query_parse(data, size, &q) == 0) {
                if (strlen(q.name) >= DNS_NAME_MAX)
                        abort();
                check_answer(data, size, &q);
        }
        if (dns_build_error(data, size, DNS_RCODE_REFUSED, &resp, &resp_len) == 0) {
                if (resp_len < 12 || resp_len > 65535)
                        abort();
                free(resp);
        }
        DnsQuery fixed = {.id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0, .qtype = 1, .qclass = 1};
        strcpy(fixed.name, "example.com");
        check_answer(data, size, &fixed);
        return 0;
}
