/* How the C core reports failure: a negative return and a filled pc_error, which the JNI glue turns into a Java
 * exception. The message says what was attempted and ends with the errno text. */
#ifndef PODCAP_ERROR_H
#define PODCAP_ERROR_H

enum pc_error_kind {
    PC_ERR_NONE = 0,
    PC_ERR_ARGUMENT,   /* bad input: unknown namespace or interface, filter that does not compile */
    PC_ERR_PERMISSION, /* a capability is missing; the message names it */
    PC_ERR_SYSTEM,     /* anything else the kernel or libpcap refused */
};

typedef struct pc_error {
    int kind;
    int errnum; /* 0 when the failure has no errno */
    char message[512];
} pc_error;

/* Fills err with kind, errnum and "<formatted>: <strerror(errnum)>" (no suffix when errnum is 0); returns -1. */
int pc_fail(pc_error *err, int kind, int errnum, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The kind an errno usually means: EPERM/EACCES are permission, ENOENT/ENODEV/ESRCH argument, the rest system. */
int pc_error_kind_of(int errnum);

#endif
