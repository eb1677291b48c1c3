/* The ring's producer side, read back by a minimal consumer written here from the layout contract alone. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ring.h"
#include "seqgen.h"
#include "wake.h"

#define CAPACITY 4096

typedef struct {
    void *memory;
    pc_ring ring;
} fixture;

static void setup(fixture *f) {
    f->memory = aligned_alloc(PC_RING_SLOT, CAPACITY + sizeof(pc_ring_trailer));
    memset(f->memory, 0, CAPACITY + sizeof(pc_ring_trailer));
    pc_error err;
    CHECK_EQ(pc_ring_attach(&f->ring, f->memory, CAPACITY + sizeof(pc_ring_trailer), &err), 0);
}

/* Consumes one record the way the Java reader does; returns its type, 0 when nothing is published. */
static int consume(fixture *f, pc_record *copy, unsigned char *payload) {
    for (;;) {
        int64_t head = atomic_load(&f->ring.trailer->head);
        int64_t index = head & (f->ring.capacity - 1);
        pc_record *r = (pc_record *)(f->ring.data + index);
        int32_t length = atomic_load_explicit(&r->length, memory_order_acquire);
        if (length <= 0) return 0;
        int64_t aligned = (length + 7) & ~7;
        int type = r->type;
        if (type == PC_RECORD_PACKET) {
            *copy = *r;
            memcpy(payload, r + 1, (size_t)r->caplen);
        }
        CHECK_EQ(index % PC_RING_ALIGNMENT, 0);
        atomic_store_explicit(&f->ring.trailer->head, head + aligned, memory_order_release);
        if (type != PC_RECORD_PAD) return type;
    }
}

static void test_layout_matches_header_struct(void) {
    int64_t v[32];
    int n = pc_ring_layout(v, 32);
    CHECK_EQ(n, 17);
    CHECK_EQ(v[0], 32);       /* header */
    CHECK_EQ(v[1], 0);        /* length first */
    CHECK_EQ(v[8], 5 * 128);  /* trailer: five padded slots */
    CHECK_EQ(v[9], 0);
    CHECK_EQ(v[11] - v[9], 256); /* head and tail never share a line */
}

static void test_rejects_bad_geometry(void) {
    void *m = aligned_alloc(PC_RING_SLOT, 8192);
    pc_ring ring;
    pc_error err;
    CHECK_EQ(pc_ring_attach(&ring, m, 3000 + sizeof(pc_ring_trailer), &err), -1);
    CHECK_EQ(err.kind, PC_ERR_ARGUMENT);
    CHECK(strstr(err.message, "power of two") != NULL);
    CHECK_EQ(pc_ring_attach(&ring, (char *)m + 8, 4096 + sizeof(pc_ring_trailer), &err), -1);
    free(m);
}

static void test_records_round_trip_aligned(void) {
    fixture f;
    setup(&f);
    unsigned char in[100], out[100];
    for (int i = 0; i < 100; i++) in[i] = (unsigned char)(i * 7);
    for (int size = 0; size < 20; size++) {
        CHECK_EQ(pc_ring_offer(&f.ring, PC_RECORD_PACKET, 1000 + size, in, size, size + 40, 3, 5), 1);
        CHECK_EQ(atomic_load(&f.ring.trailer->tail) % 8, 0);
    }
    pc_record r;
    for (int size = 0; size < 20; size++) {
        CHECK_EQ(consume(&f, &r, out), PC_RECORD_PACKET);
        CHECK_EQ(r.caplen, size);
        CHECK_EQ(r.wirelen, size + 40);
        CHECK_EQ(r.ts_ns, 1000 + size);
        CHECK_EQ(r.ifindex, 3);
        CHECK_EQ(r.flags, 5);
        CHECK_EQ(r.length, 32 + size);
        CHECK(memcmp(in, out, (size_t)size) == 0);
    }
    CHECK_EQ(consume(&f, &r, out), 0);
    free(f.memory);
}

static void test_wrap_pads_the_end(void) {
    fixture f;
    setup(&f);
    unsigned char in[1000], out[1000];
    memset(in, 0xab, sizeof in);
    pc_record r;
    /* 3 x 1032 = 3096 bytes, then one that does not fit the 1000 left before the end */
    for (int i = 0; i < 3; i++) CHECK_EQ(pc_ring_offer(&f.ring, PC_RECORD_PACKET, i, in, 1000, 1000, 1, 0), 1);
    for (int i = 0; i < 3; i++) CHECK_EQ(consume(&f, &r, out), PC_RECORD_PACKET);
    CHECK_EQ(pc_ring_offer(&f.ring, PC_RECORD_PACKET, 3, in, 1000, 1000, 1, 0), 1);
    pc_record *pad = (pc_record *)(f.ring.data + 3096);
    CHECK_EQ(pad->type, PC_RECORD_PAD);
    CHECK_EQ(pad->length, 4096 - 3096);
    CHECK_EQ(atomic_load(&f.ring.trailer->tail), 4096 + 1032);
    CHECK_EQ(consume(&f, &r, out), PC_RECORD_PACKET); /* skips the pad */
    CHECK_EQ(r.ts_ns, 3);
    CHECK(memcmp(in, out, 1000) == 0);
    CHECK_EQ(atomic_load(&f.ring.trailer->dropped), 0);
    free(f.memory);
}

/* The consumer never clears what it read: the producer's cleared length word is what stops it, lap after lap, while
 * the bytes ahead still hold older records at shifting offsets. */
static void test_consumer_stops_at_cleared_word_over_laps(void) {
    fixture f;
    setup(&f);
    unsigned char in[600], out[600];
    pc_record r;
    int64_t seq = 0;
    for (int lap = 0; lap < 12; lap++) {
        int size = 40 + lap * 50; /* record boundaries move from round to round */
        for (int i = 0; i < 3; i++, seq++) {
            memset(in, (int)seq, sizeof in);
            CHECK_EQ(pc_ring_offer(&f.ring, PC_RECORD_PACKET, seq, in, size, size, 1, 0), 1);
        }
        for (int64_t s = seq - 3; s < seq; s++) {
            CHECK_EQ(consume(&f, &r, out), PC_RECORD_PACKET);
            CHECK_EQ(r.ts_ns, s);
            CHECK_EQ(out[size - 1], (unsigned char)s);
        }
        CHECK_EQ(consume(&f, &r, out), 0);
    }
    CHECK(atomic_load(&f.ring.trailer->tail) > 2 * CAPACITY);
    free(f.memory);
}

static void test_full_ring_drops_newest_and_counts(void) {
    fixture f;
    setup(&f);
    unsigned char in[480], out[480];
    pc_record r;
    int accepted = 0;
    for (int i = 0; i < 20; i++) {
        memset(in, i, sizeof in);
        accepted += pc_ring_offer(&f.ring, PC_RECORD_PACKET, i, in, 480, 480, 1, 0);
    }
    CHECK_EQ(accepted, 7); /* 8 x 512 bytes would fill 4096 exactly, leaving no room for the cleared length word */
    CHECK_EQ(atomic_load(&f.ring.trailer->dropped), 13);
    /* the oldest survive intact: nothing was overwritten */
    for (int i = 0; i < 7; i++) {
        CHECK_EQ(consume(&f, &r, out), PC_RECORD_PACKET);
        CHECK_EQ(r.ts_ns, i);
        CHECK_EQ(out[479], i);
    }
    CHECK_EQ(pc_ring_offer(&f.ring, PC_RECORD_PACKET, 99, in, 480, 480, 1, 0), 1);
    CHECK_EQ(pc_ring_offer(&f.ring, PC_RECORD_PACKET, 99, in, 5000, 5000, 1, 0), 0); /* larger than the ring */
    CHECK(!pc_ring_fits(&f.ring, 5000));
    free(f.memory);
}

static void test_parked_flag_is_taken_once(void) {
    fixture f;
    setup(&f);
    CHECK_EQ(pc_ring_take_parked(&f.ring), 0);
    atomic_store(&f.ring.trailer->parked, 1);
    CHECK_EQ(pc_ring_take_parked(&f.ring), 1);
    CHECK_EQ(pc_ring_take_parked(&f.ring), 0);
    free(f.memory);
}

/* A producer thread against this consumer: every sequence number arrives once, in order, or is counted dropped. */
static void test_concurrent_sequence(void) {
    fixture f;
    setup(&f);
    pc_error err;
    int wake = pc_wake_open(&err);
    const int64_t count = 200000;
    pc_seqgen *gen = pc_seqgen_start(&f.ring, wake, count, 24, 0, &err);
    CHECK(gen != NULL);
    pc_record r;
    unsigned char out[64];
    int64_t expected_min = 0, received = 0, last = -1;
    for (;;) {
        int type = consume(&f, &r, out);
        if (type == PC_RECORD_PACKET) {
            int64_t seq;
            memcpy(&seq, out, sizeof seq);
            CHECK(seq > last && seq >= expected_min);
            CHECK_EQ(seq, r.ts_ns);
            CHECK_EQ(out[23], seq & 0xff);
            last = seq;
            received++;
            if (seq == count - 1) break;
        } else if (atomic_load(&f.ring.trailer->tail) == atomic_load(&f.ring.trailer->head) &&
                   received + atomic_load(&f.ring.trailer->dropped) == count) {
            break;
        }
    }
    int64_t published = pc_seqgen_join(gen);
    while (consume(&f, &r, out) == PC_RECORD_PACKET) received++;
    CHECK_EQ(published, received);
    CHECK_EQ(received + atomic_load(&f.ring.trailer->dropped), count);
    close(wake);
    free(f.memory);
}

int main(void) {
    RUN(test_layout_matches_header_struct);
    RUN(test_rejects_bad_geometry);
    RUN(test_records_round_trip_aligned);
    RUN(test_wrap_pads_the_end);
    RUN(test_consumer_stops_at_cleared_word_over_laps);
    RUN(test_full_ring_drops_newest_and_counts);
    RUN(test_parked_flag_is_taken_once);
    RUN(test_concurrent_sequence);
    return CHECK_DONE();
}
