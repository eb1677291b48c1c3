#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pc_fail(pc_error *err, int kind, int errnum, const char *fmt, ...) {
    if (err == NULL) return -1;
    err->kind = kind;
    err->errnum = errnum;
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, args);
    va_end(args);
    if (errnum != 0 && n >= 0 && (size_t)n < sizeof err->message) {
        char buf[128];
        /* GNU strerror_r returns the string, which need not be buf */
        const char *text = strerror_r(errnum, buf, sizeof buf);
        snprintf(err->message + n, sizeof err->message - (size_t)n, ": %s", text);
    }
    return -1;
}

int pc_error_kind_of(int errnum) {
    switch (errnum) {
    case EPERM:
    case EACCES:
        return PC_ERR_PERMISSION;
    case ENOENT:
    case ENODEV:
    case ENXIO:
    case ESRCH:
    case ENOTDIR:
    case EINVAL:
        return PC_ERR_ARGUMENT;
    default:
        return PC_ERR_SYSTEM;
    }
}
