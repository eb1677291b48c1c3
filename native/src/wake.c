#include "wake.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
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

int pc_wake_wait(int fd, int timeout_ms, pc_error *err) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return 0;
        return pc_fail(err, PC_ERR_SYSTEM, errno, "poll(eventfd)");
    }
    if (n == 0) return 0;
    uint64_t count;
    ssize_t ignored = read(fd, &count, sizeof count);
    (void)ignored;
    return 1;
}
