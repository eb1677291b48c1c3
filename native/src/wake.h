/* A reader's doorbell: an eventfd that a producer thread (or another Java thread: stop, add, remove) rings when the
 * reader may be asleep, and the wait that also listens to the reader's capture handles. */
#ifndef PODCAP_WAKE_H
#define PODCAP_WAKE_H

#include "error.h"

int pc_wake_open(pc_error *err);
void pc_wake_signal(int fd);
/* Waits up to timeout_ms for a signal and consumes it: 1 signalled, 0 timed out, -1 error (err filled). */
int pc_wake_wait(int fd, int timeout_ms, pc_error *err);

/* Waits up to timeout_ms until wake_fd is signalled (the signal is consumed) or one of fds is readable (or in
 * error); ready[i] tells which. Returns 1 when something happened, 0 on timeout or EINTR, -1 on error. */
int pc_wake_poll(int wake_fd, const int *fds, int count, int timeout_ms, int *ready, pc_error *err);

#endif
