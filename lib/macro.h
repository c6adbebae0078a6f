/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers every rcc component shares: cleanup attributes and ownership transfer. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))
#define _pure_ __attribute__((pure))
#define _public_ __attribute__((visibility("default")))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define FOREACH_ARRAY(i, array, num) for (typeof(array[0]) *i = (array); i < (array) + (num); i++)

/* Hand ownership of *ptr to the caller and leave NULL behind for the cleanup handler. */
#define TAKE_PTR(ptr)                         \
        ({                                    \
                typeof(ptr) *_pptr_ = &(ptr); \
                typeof(ptr) _ptr_ = *_pptr_;  \
                *_pptr_ = NULL;               \
                _ptr_;                        \
        })

#define TAKE_FD(fd)                 \
        ({                          \
                int *_pfd_ = &(fd); \
                int _fd_ = *_pfd_;  \
                *_pfd_ = -EBADF;    \
                _fd_;               \
        })

static inline void freep(void *p) {
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved_errno = errno;
                close(*fd);
                errno = saved_errno;
        }
}
#define _cleanup_close_ _cleanup_(closep)

/* Close fd (if open) and return -EBADF, for "fd = safe_close(fd);". */
static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved_errno = errno;
                close(fd);
                errno = saved_errno;
        }
        return -EBADF;
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Define a NULL-tolerant "freep" for a type with a destructor, for use with _cleanup_(). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
        static inline void func##p(type *p) {   \
                if (*p)                         \
                        func(*p);               \
        }

static inline int negative_errno(void) {
        /* errno as a negative value, never 0: for callers that must report a failure. */
        return errno > 0 ? -errno : -EIO;
}
