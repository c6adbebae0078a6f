/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the resolv.conf(5) reader that decides which resolvers the sandbox may
 * reach. The input is served from a memfd, through the same open() path the tool uses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostfacts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[64];
        Cidr *list = NULL;
        size_t n = 0;
        int fd = memfd_create("resolv.conf", MFD_CLOEXEC);

        if (fd < 0)
                abort();
        if (size > 0 && write(fd, data, size) != (ssize_t)size)
                abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (hostfacts_read_resolvers(path, &list, &n) == 0) {
                for (size_t i = 0; i < n; i++)
                        if (list[i].family != AF_INET && list[i].family != AF_INET6)
                                abort();
                free(list);
        }
        close(fd);
        return 0;
}
