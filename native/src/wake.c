#include "wake.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

int pc_wake_open(pc_error *err) {
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) return pc_fail(err, PC_ERR_SYSTEM, errno, "eventfd");
    return fd;
}

void pc_wake_signal(int fd) {
    uint64_t one = 1;
    /* EAGAIN means the counter is saturated: the consumer is woken anyway. */
    ssize_t ignored = write(fd, &one, sizeof one);
    (void)ignored;
}

int pc_wake_wait(int fd, int timeout_ms, pc_error *err) { return pc_wake_poll(fd, NULL, 0, timeout_ms, NULL, err); }

int pc_wake_poll(int wake_fd, const int *fds, int count, int timeout_ms, int *ready, pc_error *err) {
    struct pollfd local[17];
    struct pollfd *pfd = count < 17 ? local : calloc((size_t)count + 1, sizeof *pfd);
    if (pfd == NULL) return pc_fail(err, PC_ERR_SYSTEM, ENOMEM, "poll");
    pfd[0] = (struct pollfd){.fd = wake_fd, .events = POLLIN};
    for (int i = 0; i < count; i++) pfd[i + 1] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    int n = poll(pfd, (nfds_t)count + 1, timeout_ms);
    int rc = n > 0;
    if (n < 0 && errno != EINTR) rc = pc_fail(err, PC_ERR_SYSTEM, errno, "poll on %d captures", count);
    for (int i = 0; i < count; i++) ready[i] = n > 0 && pfd[i + 1].revents != 0;
    if (n > 0 && pfd[0].revents != 0) {
        uint64_t signals;
        ssize_t ignored = read(wake_fd, &signals, sizeof signals);
        (void)ignored;
    }
    if (pfd != local) free(pfd);
    return rc;
}
