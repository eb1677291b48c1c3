#include "filter.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

/* A handle that reads an empty savefile of this link type. Not pcap_open_dead: libpcap compiles for a file differently
 * than for a live capture (DLT_NULL matches every BSD's AF_INET6 only in a file), and tcpdump -r compiles for a file. */
static pcap_t *open_empty_savefile(int link_type, int snaplen, pc_error *err) {
    static __thread uint32_t header[6];
    header[0] = 0xa1b2c3d4; /* host order: the file is "ours", nothing is swapped */
    header[1] = 2 | 4 << 16;
    header[2] = header[3] = 0;
    header[4] = (uint32_t)snaplen;
    header[5] = (uint32_t)link_type;
    FILE *file = fmemopen(header, sizeof header, "r");
    if (file == NULL) {
        pc_fail(err, PC_ERR_SYSTEM, errno, "fmemopen");
        return NULL;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_fopen_offline(file, errbuf); /* owns file from here on */
    if (p == NULL) {
        fclose(file);
        pc_fail(err, PC_ERR_ARGUMENT, 0, "link type %d: %s", link_type, errbuf);
    }
    return p;
}

int pc_filter_compile(const char *expr, int link_type, int snaplen, int64_t **out, int *count, pc_error *err) {
    *out = NULL;
    *count = 0;
    pcap_t *handle = open_empty_savefile(link_type, snaplen, err);
    if (handle == NULL) return -1;
    struct bpf_program program;
    int rc = 0;
    if (pcap_compile(handle, &program, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        rc = pc_fail(err, PC_ERR_ARGUMENT, 0, "filter '%s' does not compile: %s", expr, pcap_geterr(handle));
    } else {
        *out = malloc(sizeof(int64_t) * (program.bf_len ? program.bf_len : 1));
        if (*out == NULL) {
            rc = pc_fail(err, PC_ERR_SYSTEM, 0, "out of memory for a filter of %u instructions", program.bf_len);
        } else {
            for (unsigned i = 0; i < program.bf_len; i++) {
                const struct bpf_insn *in = &program.bf_insns[i];
                (*out)[i] = (int64_t)in->code << 48 | (int64_t)in->jt << 40 | (int64_t)in->jf << 32 | in->k;
            }
            *count = (int)program.bf_len;
        }
        pcap_freecode(&program);
    }
    pcap_close(handle);
    return rc;
}
