/* The interfaces of a network namespace, read over rtnetlink. Not from /sys/class/net: sysfs shows the namespace it
 * was mounted in, not the one we are asking about, and a pod's namespace has no sysfs mount we could use. */
#ifndef PODCAP_LINKS_H
#define PODCAP_LINKS_H

#include "error.h"

#define PC_LINK_MAX_ADDRS 32

typedef struct pc_addr {
    int family;              /* AF_INET or AF_INET6 */
    int prefixlen;
    unsigned char bytes[16]; /* 4 used for AF_INET */
    int scope;               /* RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_HOST, ... */
} pc_addr;

typedef struct pc_link {
    int ifindex;
    int iflink;       /* IFLA_LINK; equals ifindex when absent. A veth: the peer's ifindex in the peer's namespace */
    int link_netnsid; /* IFLA_LINK_NETNSID, -1 when absent (peer in the same namespace) */
    int master;       /* IFLA_MASTER, 0 when none (e.g. the bridge a host veth is enslaved to) */
    unsigned int flags; /* ifi_flags (IFF_UP, IFF_LOOPBACK, ...) */
    int mtu;
    int operstate;    /* IF_OPER_UP, IF_OPER_DOWN, ... */
    char name[16];
    char kind[32];    /* IFLA_LINKINFO/IFLA_INFO_KIND: "veth", "bridge", "" for devices without one (lo, most NICs) */
    unsigned char mac[32];
    int mac_len;      /* 0 for devices without a hardware address */
    unsigned long long rx_packets, rx_dropped; /* IFLA_STATS64 */
    int addr_count;   /* entries used in addrs, at most PC_LINK_MAX_ADDRS */
    int addr_total;   /* addresses the kernel reported; more than addr_count when addrs was full (kube-ipvs0) */
    pc_addr addrs[PC_LINK_MAX_ADDRS]; /* IPv4 and IPv6, in dump order: IFA_LOCAL else IFA_ADDRESS */
} pc_link;

/* Lists the links of the namespace open at netns_fd (-1: the caller's own), sorted by ifindex. label names the
 * namespace in error messages (NULL: a generic one). The netlink socket is created inside that namespace with
 * pc_ns_socket and stays bound to it, so the calling thread never remains there.
 * On success *out is a malloc'd array the caller frees with pc_links_free; on failure *out is NULL and *count 0. */
int pc_links_list(int netns_fd, const char *label, pc_link **out, int *count, pc_error *err);

void pc_links_free(pc_link *links);

#endif
