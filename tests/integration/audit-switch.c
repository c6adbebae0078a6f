/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * audit-switch [on|off]: print whether the kernel's audit is enabled (1) or not (0), after turning
 * it on or off. For test-pam-gate.sh, which turns auditing on for its duration, so that pam_rcc's
 * USER_START/END/ERR records reach the kernel log even on a machine without auditd, and puts the
 * previous state back. Exit 77 when this kernel or namespace has no audit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libaudit.h>

int main(int argc, char **argv) {
        int fd = audit_open(), r = 1;

        if (fd < 0) {
                fprintf(stderr, "audit-switch: no kernel audit here: %s\n", strerror(errno));
                return 77;
        }
        if (argc == 2 && (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0) &&
            audit_set_enabled(fd, strcmp(argv[1], "on") == 0) <= 0) {
                fprintf(stderr, "audit-switch: cannot turn audit %s: %s\n", argv[1], strerror(errno));
                goto out;
        }
        r = audit_is_enabled(fd);
        if (r < 0) {
                fprintf(stderr, "audit-switch: cannot read the audit state: %s\n", strerror(errno));
                r = 1;
                goto out;
        }
        printf("%d\n", r);
        r = 0;
out:
        close(fd);
        return r;
}
