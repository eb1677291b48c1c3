/* A live capture: one thread that enters the target network namespace, activates a libpcap handle there (the packet
 * socket stays bound to that namespace), switches back, and then copies every packet once into the shared ring. */
#ifndef PODCAP_CAPTURE_H
#define PODCAP_CAPTURE_H

#include <stdint.h>

#include "error.h"

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
    void *ring_memory; /* zeroed, 128-byte aligned, capacity (power of two) + ring trailer */
    int64_t ring_length;
    /* Nonzero: signal wake_fd, the caller's eventfd, instead of an own one, and never close it. Several captures
     * share one this way, so a single consumer can sleep until any of them has published. */
    int wake_fd_shared;
    int wake_fd;
} pc_capture_config;

typedef struct pc_capture_stats {
    int64_t received;          /* passed the filter (libpcap ps_recv) */
    int64_t kernel_dropped;    /* dropped by the kernel: the socket's ring was full (ps_drop) */
    int64_t interface_dropped; /* -1: unknown */
    int64_t ring_dropped;      /* dropped because the shared ring was full */
    int64_t delivered;         /* published into the shared ring */
    int64_t bytes;             /* wire bytes of the delivered packets */
} pc_capture_stats;

enum pc_capture_state { PC_CAPTURE_RUNNING = 1, PC_CAPTURE_STOPPED = 2, PC_CAPTURE_FAILED = 3 };

typedef struct pc_capture pc_capture;

/* Starts the capture thread and waits until it is capturing or has failed. NULL on failure, err filled. */
pc_capture *pc_capture_open(const pc_capture_config *config, pc_error *err);

int pc_capture_link_type(const pc_capture *capture);
/* The interface's index inside its namespace, 0 for "any" (records carry the real one). */
int pc_capture_ifindex(const pc_capture *capture);
/* The eventfd the consumer waits on; signalled after publishing when the consumer parked, and at the end. */
int pc_capture_wake_fd(const pc_capture *capture);
void pc_capture_stats_get(const pc_capture *capture, pc_capture_stats *out);
/* RUNNING, STOPPED or FAILED; on FAILED, err (if not NULL) receives why. */
int pc_capture_state_get(const pc_capture *capture, pc_error *err);
/* Stops the capture thread and waits for it; safe from any thread, any number of times. The wake fd and the state
 * stay valid until pc_capture_free, so a consumer still waiting can see the end. */
void pc_capture_stop(pc_capture *capture);
/* Stops if needed, closes the handle and frees everything; the ring memory is the caller's. */
void pc_capture_free(pc_capture *capture);

#endif
