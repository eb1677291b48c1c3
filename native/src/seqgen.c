#include "seqgen.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "wake.h"

struct pc_seqgen {
    pc_ring ring;
    int wake_fd;
    int64_t count;
    int32_t payload_len;
    int wait_when_full;
    int64_t published;
    pthread_t thread;
};

static void *run(void *arg) {
    pc_seqgen *gen = arg;
    unsigned char *payload = malloc((size_t)gen->payload_len);
    if (payload == NULL) return NULL;
    for (int64_t i = 0; i < gen->count; i++) {
        memset(payload, (int)(i & 0xff), (size_t)gen->payload_len);
        memcpy(payload, &i, sizeof i);
        /* In waiting mode a full ring is back-pressure, not loss. */
        for (int spins = 0; gen->wait_when_full && !pc_ring_has_room(&gen->ring, gen->payload_len); spins++) {
            if (pc_ring_take_parked(&gen->ring)) pc_wake_signal(gen->wake_fd);
            if (spins > 64) sched_yield();
        }
        gen->published += pc_ring_offer(&gen->ring, PC_RECORD_PACKET, i, payload, gen->payload_len,
                                        gen->payload_len, 1, 0);
        if ((i & 63) == 63 && pc_ring_take_parked(&gen->ring)) pc_wake_signal(gen->wake_fd);
    }
    pc_wake_signal(gen->wake_fd);
    free(payload);
    return NULL;
}

pc_seqgen *pc_seqgen_start(const pc_ring *ring, int wake_fd, int64_t count, int32_t payload_len, int wait_when_full,
                           pc_error *err) {
    if (payload_len < 8 || !pc_ring_fits(ring, payload_len)) {
        pc_fail(err, PC_ERR_ARGUMENT, 0, "payload length %d does not fit the ring or is below 8", payload_len);
        return NULL;
    }
    pc_seqgen *gen = calloc(1, sizeof *gen);
    if (gen == NULL) {
        pc_fail(err, PC_ERR_SYSTEM, ENOMEM, "seqgen");
        return NULL;
    }
    gen->ring = *ring;
    gen->wake_fd = wake_fd;
    gen->count = count;
    gen->payload_len = payload_len;
    gen->wait_when_full = wait_when_full;
    int rc = pthread_create(&gen->thread, NULL, run, gen);
    if (rc != 0) {
        free(gen);
        pc_fail(err, PC_ERR_SYSTEM, rc, "pthread_create");
        return NULL;
    }
    return gen;
}

int64_t pc_seqgen_join(pc_seqgen *gen) {
    pthread_join(gen->thread, NULL);
    int64_t published = gen->published;
    free(gen);
    return published;
}
