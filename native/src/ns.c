#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SELF_NETNS "/proc/thread-self/ns/net"

int pc_ns_open(const char *path, pc_error *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == EACCES || e == EPERM)
            return pc_fail(err, PC_ERR_PERMISSION, e,
                           "open(%s): CAP_SYS_PTRACE is needed to open another process's namespace", path);
        return pc_fail(err, pc_error_kind_of(e), e, "open(%s)", path);
    }
    return fd;
}

int pc_ns_enter(int target_fd, const char *label, pc_ns_guard *guard, pc_error *err) {
    guard->saved_fd = -1;
    if (target_fd < 0) return 0;
    int saved = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
    if (saved < 0) return pc_fail(err, PC_ERR_SYSTEM, errno, "open(%s)", SELF_NETNS);
    if (setns(target_fd, CLONE_NEWNET) != 0) {
        int e = errno;
        close(saved);
        if (e == EPERM)
            return pc_fail(err, PC_ERR_PERMISSION, e,
                           "setns(%s): CAP_SYS_ADMIN is needed to enter another network namespace", label);
        /* EINVAL: the fd is not a network namespace */
        return pc_fail(err, pc_error_kind_of(e), e, "setns(%s)", label);
    }
    guard->saved_fd = saved;
    return 0;
}

int pc_ns_leave(pc_ns_guard *guard, pc_error *err) {
    if (guard->saved_fd < 0) return 0;
    int saved = guard->saved_fd;
    guard->saved_fd = -1;
    struct stat want, now;
    int rc = 0;
    if (setns(saved, CLONE_NEWNET) != 0) {
        rc = pc_fail(err, PC_ERR_SYSTEM, errno, "setns back to the original network namespace");
    } else if (fstat(saved, &want) != 0 || stat(SELF_NETNS, &now) != 0 || want.st_ino != now.st_ino) {
        rc = pc_fail(err, PC_ERR_SYSTEM, errno, "thread is not back in its original network namespace");
    }
    close(saved);
    return rc;
}

int pc_ns_socket(int target_fd, const char *label, int domain, int type, int protocol, pc_error *err) {
    pc_ns_guard guard;
    if (pc_ns_enter(target_fd, label, &guard, err) != 0) return -1;
    int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
    int e = errno;
    if (pc_ns_leave(&guard, err) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    if (fd < 0) return pc_fail(err, pc_error_kind_of(e), e, "socket(%d, %d, %d) in %s", domain, type, protocol, label);
    return fd;
}

unsigned long pc_ns_inode(const char *path) {
    struct stat st;
    return stat(path != NULL ? path : SELF_NETNS, &st) == 0 ? (unsigned long)st.st_ino : 0;
}
