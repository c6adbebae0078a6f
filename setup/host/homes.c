/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "homes.h"
#include "log.h"
#include "paths.h"
#include "policy.h"

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

int homes_open(uid_t uid) {
        char path[sizeof RCC_STORAGE_DIR + 32];

        snprintf(path, sizeof path, RCC_STORAGE_DIR "/%u/homes", (unsigned)uid);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int retire_homes(const Account *a) {
        _cleanup_close_ int homes = homes_open(a->uid);
        _cleanup_(closedirp) DIR *d = NULL;
        char stamp[32];
        time_t now = time(NULL);
        int r = 0;

        if (homes < 0)
                return homes == -ENOENT ? 0 : log_errno(homes, "cannot open the homes of '%s'", a->name);
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", gmtime(&now));
        d = fdopendir(fcntl(homes, F_DUPFD_CLOEXEC, 3));
        for (struct dirent *e; d && (e = readdir(d));) {
                char to[NAME_MAX + 64];

                if (e->d_name[0] == '.' || settings_find_user(&a->settings, e->d_name))
                        continue;
                if (mkdirat(homes, HOMES_RETIRED, 0700) < 0 && errno != EEXIST)
                        return log_errno(-errno, "cannot make %s/homes/%s: %m", a->name, HOMES_RETIRED);
                snprintf(to, sizeof to, HOMES_RETIRED "/%s.%s", e->d_name, stamp);
                if (renameat(homes, e->d_name, homes, to) < 0) {
                        r = log_errno(
                                -errno, "cannot retire the homes of '%s' on '%s': %m", e->d_name, a->name);
                        continue;
                }
                step("state",
                     "%s: '%s' is no longer one of its users: their homes retired (rcc-setup state list)",
                     a->name, e->d_name);
        }
        return r;
}
