/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "control.h"
#include "firewall-service.h"
#include "log.h"

#define REQUEST_TIMEOUT_S 5

int control_listen(Service *svc, RccDiag *diag) {
        return service_listen(RCC_FIREWALL_CONTROL_SOCKET, 0600, &svc->control_fd, diag);
}

void control_serve(Service *svc) {
        static const struct {
                const char *verb;
                int (*run)(Service *svc, const Reply *rep);
        } requests[] = {
                {"apply", service_apply},
                {"refresh", service_refresh},
                {"remove", service_remove},
                {"denials", service_denials},
        };
        struct timeval timeout = {.tv_sec = REQUEST_TIMEOUT_S};
        struct ucred cred = {};
        socklen_t len = sizeof cred;
        char buf[FWSVC_MSG_MAX];
        const char *config = "";
        _cleanup_close_ int fd = accept4(svc->control_fd, NULL, NULL, SOCK_CLOEXEC);
        Reply rep = {.fd = fd};
        int r;

        if (fd < 0)
                return;
        /* The socket's mode lets only root connect; the peer's credentials say so again. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
                (void)fwsvc_send(fd, "done", "%d only root may control rcc-firewalld", -EPERM);
                return;
        }
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        r = fwsvc_recv(fd, buf, sizeof buf, &config);
        if (r <= 0)
                return;
        for (size_t i = 0; i < ELEMENTSOF(requests); i++) {
                if (!fwsvc_is(buf, requests[i].verb))
                        continue;
                /* rcc-firewall --config OTHER apply must not apply this service's policy instead. */
                if (config[0] && strcmp(config, svc->config_dir) != 0) {
                        (void)fwsvc_send(
                                fd, "done",
                                "%d rcc-firewalld serves the policy in %s, not %s; restart it with --config %s",
                                -EINVAL, svc->config_dir, config, config);
                        return;
                }
                log_info("%s requested by pid %d", requests[i].verb, (int)cred.pid);
                r = requests[i].run(svc, &rep);
                (void)fwsvc_send(fd, "done", "%d", r < 0 ? r : 0);
                return;
        }
        (void)fwsvc_send(fd, "done", "%d unknown request '%.64s'", -EINVAL, buf);
}
