/* BPF filters for offline reads: libpcap compiles the expression for a link type (no device needed) and the
 * instructions go to Java, which runs them itself, so reading a file costs no JNI call per packet. */
#ifndef PODCAP_FILTER_H
#define PODCAP_FILTER_H

#include <stdint.h>

#include "error.h"

/* Compiles expr for link_type and snaplen. On success *out is a malloc'd array of *count instructions, each packed
 * as code << 48 | jt << 40 | jf << 32 | k; the caller frees it. A bad expression is a PC_ERR_ARGUMENT error. */
int pc_filter_compile(const char *expr, int link_type, int snaplen, int64_t **out, int *count, pc_error *err);

#endif
