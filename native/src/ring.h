/* The shared ring: one producer (a capture's dispatch, or the seqgen test thread), one consumer (Java). A
 * power-of-two data area followed by a trailer of control words, each in its own 128-byte slot so producer and
 * consumer never share a cache line (two lines, for the adjacent-line prefetcher).
 *
 * Records are 8-byte aligned: a 32-byte header, then the packet bytes. The length is written last with release
 * semantics; a length <= 0 means "not yet published". Before publishing, the producer clears the length word where
 * the next record will go, so the consumer stops there even though the space still holds an old lap's bytes: the
 * consumer only moves head, it never writes the data area. A PAD record fills the end of the data area when the next
 * record would not fit there; it is published after the record it makes room for.
 * When the ring is full the newest packet is dropped and counted: the kernel is never made to wait.
 *
 * The layout is a contract with io.podcap.capture.RingDescriptor, checked at load by pc_ring_layout(). */
#ifndef PODCAP_RING_H
#define PODCAP_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum pc_record_type { PC_RECORD_PACKET = 1, PC_RECORD_PAD = 2, PC_RECORD_EVENT = 3 };

typedef struct pc_record {
    _Atomic int32_t length; /* header + caplen, unaligned; written last */
    int32_t type;
    int64_t ts_ns;
    int32_t caplen;
    int32_t wirelen;
    int32_t ifindex;
    int32_t flags;
    /* packet bytes follow */
} pc_record;

#define PC_RING_ALIGNMENT 8
#define PC_RING_SLOT 128
#define PC_RECORD_HEADER ((int)sizeof(pc_record))

typedef struct pc_ring_trailer {
    _Alignas(PC_RING_SLOT) _Atomic int64_t tail;   /* producer position; bytes, never wraps */
    _Alignas(PC_RING_SLOT) int64_t head_cache;     /* producer's last look at head, so it rarely reads the consumer's line */
    _Alignas(PC_RING_SLOT) _Atomic int64_t head;   /* consumer position */
    _Alignas(PC_RING_SLOT) _Atomic int64_t dropped; /* packets dropped because the ring was full */
    _Alignas(PC_RING_SLOT) _Atomic int32_t parked;  /* 1 while the consumer sleeps and wants a signal */
    char end_pad[PC_RING_SLOT - sizeof(int32_t)];
} pc_ring_trailer;

typedef struct pc_ring {
    unsigned char *data;
    int64_t capacity;
    pc_ring_trailer *trailer;
} pc_ring;

/* Attaches to memory of capacity + sizeof(pc_ring_trailer) bytes; capacity must be a power of two >= 4 KiB and the
 * memory 128-byte aligned. The memory must start zeroed. */
int pc_ring_attach(pc_ring *ring, void *memory, int64_t length, pc_error *err);

/* Publishes one record; returns 1, or 0 when it was dropped because the ring is full (counted). */
int pc_ring_offer(pc_ring *ring, int type, int64_t ts_ns, const void *bytes, int32_t caplen, int32_t wirelen,
                  int32_t ifindex, int32_t flags);

/* Whether a record of caplen bytes fits now (reads the consumer's head). */
int pc_ring_has_room(pc_ring *ring, int32_t caplen);

/* Whether a record of caplen bytes can ever fit. */
int pc_ring_fits(const pc_ring *ring, int32_t caplen);

/* After publishing: returns 1 when the consumer had parked and must be woken (the flag is cleared). */
int pc_ring_take_parked(pc_ring *ring);

/* The layout as offsets, for the load-time check against the Java descriptor:
 * header size, length, type, ts, caplen, wirelen, ifindex, flags offsets, then trailer size, tail, head cache, head,
 * dropped and parked offsets. Returns the number of values written (at most max). */
int pc_ring_layout(int64_t *out, int max);

#endif
