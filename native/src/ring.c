#include "ring.h"

#include <string.h>

#define ALIGN(n) (((n) + (PC_RING_ALIGNMENT - 1)) & ~(int64_t)(PC_RING_ALIGNMENT - 1))

int pc_ring_attach(pc_ring *ring, void *memory, int64_t length, pc_error *err) {
    int64_t capacity = length - (int64_t)sizeof(pc_ring_trailer);
    if (capacity < 4096 || (capacity & (capacity - 1)) != 0)
        return pc_fail(err, PC_ERR_ARGUMENT, 0, "ring data area of %lld bytes is not a power of two >= 4096",
                       (long long)capacity);
    if (((uintptr_t)memory & (PC_RING_SLOT - 1)) != 0)
        return pc_fail(err, PC_ERR_ARGUMENT, 0, "ring memory is not %d-byte aligned", PC_RING_SLOT);
    ring->data = memory;
    ring->capacity = capacity;
    ring->trailer = (pc_ring_trailer *)((unsigned char *)memory + capacity);
    return 0;
}

/* A record needs its aligned length, plus the padding when it wraps, plus room for the next record's length word:
 * the producer clears that word before it publishes, so the consumer always stops at a zero and never has to clear
 * what it consumed. */
int pc_ring_fits(const pc_ring *ring, int32_t caplen) {
    return caplen >= 0 && ALIGN((int64_t)PC_RECORD_HEADER + caplen) + PC_RING_ALIGNMENT <= ring->capacity;
}

static int64_t needed(const pc_ring *ring, int64_t tail, int64_t aligned) {
    const int64_t to_end = ring->capacity - (tail & (ring->capacity - 1));
    return (aligned > to_end ? to_end : 0) + aligned + PC_RING_ALIGNMENT;
}

int pc_ring_has_room(pc_ring *ring, int32_t caplen) {
    pc_ring_trailer *t = ring->trailer;
    const int64_t aligned = ALIGN((int64_t)PC_RECORD_HEADER + caplen);
    const int64_t tail = atomic_load_explicit(&t->tail, memory_order_relaxed);
    t->head_cache = atomic_load_explicit(&t->head, memory_order_acquire);
    return tail + needed(ring, tail, aligned) - t->head_cache <= ring->capacity;
}

int pc_ring_offer(pc_ring *ring, int type, int64_t ts_ns, const void *bytes, int32_t caplen, int32_t wirelen,
                  int32_t ifindex, int32_t flags) {
    pc_ring_trailer *t = ring->trailer;
    const int64_t length = PC_RECORD_HEADER + (int64_t)caplen;
    const int64_t aligned = ALIGN(length);
    const int64_t tail = atomic_load_explicit(&t->tail, memory_order_relaxed);
    const int64_t mask = ring->capacity - 1;
    const int64_t need = needed(ring, tail, aligned);

    if (need > ring->capacity || tail + need - t->head_cache > ring->capacity) {
        /* Only now touch the consumer's cache line. */
        t->head_cache = atomic_load_explicit(&t->head, memory_order_acquire);
        if (need > ring->capacity || tail + need - t->head_cache > ring->capacity) {
            atomic_store_explicit(&t->dropped, atomic_load_explicit(&t->dropped, memory_order_relaxed) + 1,
                                  memory_order_release);
            return 0;
        }
    }

    /* A record never straddles the end: it goes to 0, and a PAD record fills the end. */
    const int64_t index = tail & mask;
    const int wraps = aligned > ring->capacity - index;
    pc_record *record = (pc_record *)(ring->data + (wraps ? 0 : index));
    record->type = type;
    record->ts_ns = ts_ns;
    record->caplen = caplen;
    record->wirelen = wirelen;
    record->ifindex = ifindex;
    record->flags = flags;
    memcpy(record + 1, bytes, (size_t)caplen);
    pc_record *next = (pc_record *)(ring->data + (((unsigned char *)record - ring->data + aligned) & mask));
    atomic_store_explicit(&next->length, 0, memory_order_relaxed);
    atomic_store_explicit(&record->length, (int32_t)length, memory_order_release);
    if (wraps) {
        /* Published after the record at 0, which the consumer reads right after skipping it. Its length word was
         * cleared with the previous record. */
        pc_record *pad = (pc_record *)(ring->data + index);
        pad->type = PC_RECORD_PAD;
        atomic_store_explicit(&pad->length, (int32_t)(ring->capacity - index), memory_order_release);
    }
    atomic_store_explicit(&t->tail, tail + need - PC_RING_ALIGNMENT, memory_order_release);
    return 1;
}

int pc_ring_take_parked(pc_ring *ring) {
    /* Pairs with the consumer's volatile store of parked followed by a volatile re-read of the next length: either
     * it sees our record or we see its flag (a store-load fence on both sides). */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&ring->trailer->parked, memory_order_relaxed) == 0) return 0;
    return atomic_exchange_explicit(&ring->trailer->parked, 0, memory_order_acq_rel) != 0;
}

int pc_ring_layout(int64_t *out, int max) {
    const int64_t values[] = {
        PC_RECORD_HEADER,
        offsetof(pc_record, length),
        offsetof(pc_record, type),
        offsetof(pc_record, ts_ns),
        offsetof(pc_record, caplen),
        offsetof(pc_record, wirelen),
        offsetof(pc_record, ifindex),
        offsetof(pc_record, flags),
        sizeof(pc_ring_trailer),
        offsetof(pc_ring_trailer, tail),
        offsetof(pc_ring_trailer, head_cache),
        offsetof(pc_ring_trailer, head),
        offsetof(pc_ring_trailer, dropped),
        offsetof(pc_ring_trailer, parked),
        PC_RECORD_PACKET,
        PC_RECORD_PAD,
        PC_RECORD_EVENT,
    };
    int n = (int)(sizeof values / sizeof values[0]);
    if (n > max) n = max;
    memcpy(out, values, (size_t)n * sizeof(int64_t));
    return n;
}
