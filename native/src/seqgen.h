/* A native producer of numbered records, for the ring tests and the hand-off benchmark: record i carries i as its
 * timestamp and as the first 8 payload bytes (little endian), and every other payload byte is (i & 0xff). */
#ifndef PODCAP_SEQGEN_H
#define PODCAP_SEQGEN_H

#include <stdint.h>

#include "error.h"
#include "ring.h"

typedef struct pc_seqgen pc_seqgen;

/* Starts a thread offering count records of payload_len (>= 8) bytes. When wait_when_full is 0 a full ring drops
 * records (counted in the ring); otherwise the producer spins until there is room (benchmark mode). */
pc_seqgen *pc_seqgen_start(const pc_ring *ring, int wake_fd, int64_t count, int32_t payload_len, int wait_when_full,
                           pc_error *err);

/* Joins the thread and frees it; returns the number of records published. */
int64_t pc_seqgen_join(pc_seqgen *gen);

#endif
