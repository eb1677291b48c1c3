/* The consumer's doorbell: an eventfd the producer rings only when the consumer said it is about to sleep. */
#ifndef PODCAP_WAKE_H
#define PODCAP_WAKE_H

#include "error.h"

int pc_wake_open(pc_error *err);
void pc_wake_signal(int fd);
/* Waits up to timeout_ms for a signal and consumes it: 1 signalled, 0 timed out, -1 error (err filled). */
int pc_wake_wait(int fd, int timeout_ms, pc_error *err);

#endif
