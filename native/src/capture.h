/* A live capture: a libpcap handle activated inside the target network namespace (the packet socket stays bound to
 * it), with no thread of its own. The reader calls pc_capture_dispatch when the handle's fd is readable, which copies
 * the packets of the kernel's ready blocks once into the shared ring, and reads them right after on the same thread:
 * no hand-off between threads, and the ring's records are still in this core's cache when they are read. */
#ifndef PODCAP_CAPTURE_H
#define PODCAP_CAPTURE_H

#include <stdint.h>

#include "error.h"
#include "ring.h"

typedef struct pc_capture_config {
    const char *netns_path;  /* NULL: the caller's namespace */
    const char *netns_label; /* how messages name it, e.g. "pid:1234" */
    const char *device;      /* "any" or an interface name */
    const char *filter;      /* BPF expression, or NULL/"" for everything */
    int snaplen;
    int buffer_size; /* kernel ring bytes; 0: libpcap's default */
    int promisc;
    int timeout_ms;
    int immediate;
} pc_capture_config;

typedef struct pc_capture_stats {
    int64_t received;          /* passed the filter (libpcap ps_recv) */
    int64_t kernel_dropped;    /* dropped by the kernel: the socket's ring was full (ps_drop) */
    int64_t interface_dropped; /* -1: unknown */
    int64_t ring_dropped;      /* dropped because the shared ring was full */
    int64_t delivered;         /* published into the shared ring */
    int64_t bytes;             /* wire bytes of the delivered packets */
} pc_capture_stats;

typedef struct pc_capture pc_capture;

/* Activates the handle inside the namespace, on a short-lived thread so that no thread ever stays there.
 * NULL on failure, err filled. */
pc_capture *pc_capture_open(const pc_capture_config *config, pc_error *err);

int pc_capture_link_type(const pc_capture *capture);
/* The interface's index inside its namespace, 0 for "any" (records carry the real one). */
int pc_capture_ifindex(const pc_capture *capture);
/* Readable (poll) when the kernel has a block of packets ready, or when the handle failed (the interface is gone). */
int pc_capture_fd(const pc_capture *capture);

/* Took nothing, and the interface went down: whether it is gone for good shows only to a later call (its removal
 * does not make the fd readable again), so call again soon even if the fd stays quiet. */
#define PC_CAPTURE_RECHECK (-2)

/* Copies what the kernel has ready into ring, without waiting, until nothing is left or the ring lacks room for one
 * more packet of the snap length (the rest stays in the kernel's buffer for the next call). Returns how many packets
 * it took (published, or dropped and counted should one not fit), PC_CAPTURE_RECHECK, or -1 with err filled when the
 * handle failed. One caller at a time; stats may be read meanwhile. */
int pc_capture_dispatch(pc_capture *capture, pc_ring *ring, pc_error *err);

/* Counters so far; any thread. */
void pc_capture_stats_get(pc_capture *capture, pc_capture_stats *out);

/* Closes the handle and frees everything; the ring memory is the caller's. */
void pc_capture_free(pc_capture *capture);

#endif
