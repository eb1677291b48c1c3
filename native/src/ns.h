/* Network namespace entry. Only the calling thread moves (setns acts per thread), and every enter is paired with
 * a leave that is checked: a thread left in a foreign namespace would silently capture the wrong traffic later. */
#ifndef PODCAP_NS_H
#define PODCAP_NS_H

#include "error.h"

/* Opens a namespace file (/proc/PID/ns/net, /run/netns/NAME, ...). Returns an fd or -1 with err filled. */
int pc_ns_open(const char *path, pc_error *err);

typedef struct pc_ns_guard {
    int saved_fd; /* the thread's namespace before entering; -1 when nothing was entered */
} pc_ns_guard;

/* Moves the calling thread into target_fd's network namespace, remembering the current one in guard.
 * target_fd < 0 means "stay here" and is a no-op that still needs pc_ns_leave. */
int pc_ns_enter(int target_fd, const char *label, pc_ns_guard *guard, pc_error *err);

/* Moves the thread back to where pc_ns_enter found it and verifies it. Safe to call after a failed enter. */
int pc_ns_leave(pc_ns_guard *guard, pc_error *err);

/* Creates a socket inside target_fd's namespace (the socket stays bound to it) without leaving the thread there. */
int pc_ns_socket(int target_fd, const char *label, int domain, int type, int protocol, pc_error *err);

/* The inode of a namespace file, or of the calling thread's own network namespace when path is NULL; 0 on error. */
unsigned long pc_ns_inode(const char *path);

#endif
