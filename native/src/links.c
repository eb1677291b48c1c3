#include "links.h"

#include "ns.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The kernel sizes dump datagrams after the largest buffer we have offered, up to 32 KiB; starting there keeps most
 * dumps at one datagram per recv. Bigger ones (a link with many VFs) are caught by the peek in nl_recv. */
#define RECV_BUF_MIN 32768
/* A dump interrupted by a concurrent change (a pod starting) may skip or repeat entries, so it is redone; pod churn
 * is not so fast that several attempts in a row would all be interrupted. */
#define DUMP_ATTEMPTS 5
#define FIRST_CAPACITY 16

struct nl {
    int fd;
    unsigned int seq;
    unsigned char *buf;
    size_t cap;
    const char *label;
};

struct link_list {
    pc_link *links;
    int count;
    int cap;
};

/* Handlers see each reply message of a dump and return 0 or an errno. */
typedef int (*nl_handler)(const struct nlmsghdr *h, struct link_list *list);

/* A failure of the netlink exchange itself; the namespace was already found, so it is not the caller's input. */
static int io_kind(int errnum) {
    return errnum == EPERM || errnum == EACCES ? PC_ERR_PERMISSION : PC_ERR_SYSTEM;
}

/* Receives one datagram from the kernel into nl->buf and returns its length, or -1 with err filled. */
static ssize_t nl_recv(struct nl *nl, pc_error *err) {
    for (;;) {
        /* Peek at the size first: a datagram longer than the buffer would be cut short, and part of the dump lost. */
        ssize_t n = recv(nl->fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return pc_fail(err, io_kind(errno), errno, "recv from rtnetlink in %s", nl->label);
        if ((size_t)n > nl->cap) {
            unsigned char *bigger = realloc(nl->buf, (size_t)n);
            if (bigger == NULL)
                return pc_fail(err, PC_ERR_SYSTEM, ENOMEM, "grow the rtnetlink buffer to %zd bytes", n);
            nl->buf = bigger;
            nl->cap = (size_t)n;
        }

        struct sockaddr_nl from;
        memset(&from, 0, sizeof from);
        struct iovec iov = {.iov_base = nl->buf, .iov_len = nl->cap};
        struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
        n = recvmsg(nl->fd, &msg, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return pc_fail(err, io_kind(errno), errno, "recv from rtnetlink in %s", nl->label);
        if (msg.msg_flags & MSG_TRUNC)
            return pc_fail(err, PC_ERR_SYSTEM, EMSGSIZE, "recv from rtnetlink in %s", nl->label);
        /* Any process may send to our port; only the kernel's (port 0) messages are replies. */
        if (from.nl_pid != 0) continue;
        return n;
    }
}

/* Asks the kernel for a dump of every address family and feeds each reply to handle until the end of the dump.
 * Returns 0, -1 with err filled, or 1 when the kernel flagged the dump as interrupted by a concurrent change. */
static int nl_dump(struct nl *nl, int type, size_t body_len, nl_handler handle, struct link_list *list,
                   pc_error *err) {
    const char *what = type == RTM_GETLINK ? "RTM_GETLINK" : "RTM_GETADDR";
    /* AF_UNSPEC and no filter: both request bodies are all zeros, only their lengths differ. */
    struct {
        struct nlmsghdr h;
        union {
            struct ifinfomsg link;
            struct ifaddrmsg addr;
        } body;
    } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = NLMSG_LENGTH(body_len);
    req.h.nlmsg_type = type;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = ++nl->seq;

    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    ssize_t sent;
    do {
        sent = sendto(nl->fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return pc_fail(err, io_kind(errno), errno, "send %s dump request in %s", what, nl->label);

    int interrupted = 0;
    for (;;) {
        ssize_t len = nl_recv(nl, err);
        if (len < 0) return -1;
        int last = 0;
        for (size_t off = 0; off < (size_t)len;) {
            const struct nlmsghdr *h = (const struct nlmsghdr *)(nl->buf + off);
            size_t left = (size_t)len - off;
            if (left < sizeof *h || h->nlmsg_len < sizeof *h || h->nlmsg_len > left)
                return pc_fail(err, PC_ERR_SYSTEM, EPROTO, "parse %s reply in %s", what, nl->label);
            off += NLMSG_ALIGN(h->nlmsg_len);

            /* left over from an earlier request whose reply we stopped reading */
            if (h->nlmsg_seq != nl->seq) continue;
            if (h->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = 1;

            if (h->nlmsg_type == NLMSG_DONE) {
                /* a dump that fails half-way says so in NLMSG_DONE rather than in an NLMSG_ERROR */
                int status = 0;
                if (h->nlmsg_len >= NLMSG_LENGTH(sizeof status)) memcpy(&status, NLMSG_DATA(h), sizeof status);
                if (status < 0) return pc_fail(err, io_kind(-status), -status, "%s dump in %s", what, nl->label);
                return interrupted;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e))
                    return pc_fail(err, PC_ERR_SYSTEM, EPROTO, "parse %s reply in %s", what, nl->label);
                if (e->error == 0) return interrupted; /* an ACK: nothing more is coming */
                return pc_fail(err, io_kind(-e->error), -e->error, "%s dump in %s", what, nl->label);
            }
            if (h->nlmsg_type < NLMSG_MIN_TYPE) continue; /* NLMSG_NOOP and the like */

            int e = handle(h, list);
            if (e != 0) return pc_fail(err, PC_ERR_SYSTEM, e, "%s dump in %s", what, nl->label);
            /* dump replies are all NLM_F_MULTI; a message without it is a complete answer on its own */
            if (!(h->nlmsg_flags & NLM_F_MULTI)) last = 1;
        }
        if (last) return interrupted;
    }
}

/* Indexes the attributes in [rta, rta + len) by type; types above max (newer than our headers) are ignored. */
static void parse_attrs(const struct rtattr **tb, int max, const struct rtattr *rta, int len) {
    memset(tb, 0, sizeof *tb * (size_t)(max + 1));
    for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
        int type = rta->rta_type & NLA_TYPE_MASK; /* the kernel may set NLA_F_NESTED on nests */
        if (type <= max) tb[type] = rta;
    }
}

static int attr_int(const struct rtattr *a, int absent) {
    int32_t v;
    if (a == NULL || RTA_PAYLOAD(a) < sizeof v) return absent;
    memcpy(&v, RTA_DATA(a), sizeof v);
    return v;
}

/* Copies a string attribute, which the kernel NUL-terminates but which we do not trust to fit. */
static void attr_str(char *dst, size_t size, const struct rtattr *a) {
    if (a == NULL) return;
    size_t n = strnlen(RTA_DATA(a), RTA_PAYLOAD(a));
    if (n >= size) n = size - 1;
    memcpy(dst, RTA_DATA(a), n);
    dst[n] = '\0';
}

static int on_link(const struct nlmsghdr *h, struct link_list *list) {
    if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) return 0;
    if (list->count == list->cap) {
        if (list->cap > INT32_MAX / 2) return ENOMEM;
        int cap = list->cap != 0 ? list->cap * 2 : FIRST_CAPACITY;
        pc_link *bigger = realloc(list->links, sizeof *bigger * (size_t)cap);
        if (bigger == NULL) return ENOMEM;
        list->links = bigger;
        list->cap = cap;
    }

    const struct ifinfomsg *ifi = NLMSG_DATA(h);
    const struct rtattr *tb[IFLA_MAX + 1];
    parse_attrs(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(h));

    pc_link *l = &list->links[list->count++];
    memset(l, 0, sizeof *l);
    l->ifindex = ifi->ifi_index;
    l->flags = ifi->ifi_flags;
    /* the kernel leaves IFLA_LINK out when a device is its own link */
    l->iflink = attr_int(tb[IFLA_LINK], l->ifindex);
    l->link_netnsid = attr_int(tb[IFLA_LINK_NETNSID], -1);
    l->master = attr_int(tb[IFLA_MASTER], 0);
    l->mtu = attr_int(tb[IFLA_MTU], 0);
    if (tb[IFLA_OPERSTATE] != NULL && RTA_PAYLOAD(tb[IFLA_OPERSTATE]) >= 1)
        l->operstate = *(const unsigned char *)RTA_DATA(tb[IFLA_OPERSTATE]);
    attr_str(l->name, sizeof l->name, tb[IFLA_IFNAME]);

    if (tb[IFLA_LINKINFO] != NULL) {
        const struct rtattr *info[IFLA_INFO_MAX + 1];
        parse_attrs(info, IFLA_INFO_MAX, RTA_DATA(tb[IFLA_LINKINFO]), (int)RTA_PAYLOAD(tb[IFLA_LINKINFO]));
        attr_str(l->kind, sizeof l->kind, info[IFLA_INFO_KIND]);
    }

    if (tb[IFLA_ADDRESS] != NULL) {
        size_t n = RTA_PAYLOAD(tb[IFLA_ADDRESS]);
        if (n > sizeof l->mac) n = sizeof l->mac;
        memcpy(l->mac, RTA_DATA(tb[IFLA_ADDRESS]), n);
        l->mac_len = (int)n;
    }

    /* Copied, not cast: attributes are only 4-byte aligned, and an older kernel's struct may be shorter. */
    if (tb[IFLA_STATS64] != NULL) {
        struct rtnl_link_stats64 s;
        memset(&s, 0, sizeof s);
        size_t n = RTA_PAYLOAD(tb[IFLA_STATS64]);
        memcpy(&s, RTA_DATA(tb[IFLA_STATS64]), n < sizeof s ? n : sizeof s);
        l->rx_packets = s.rx_packets;
        l->rx_dropped = s.rx_dropped;
    } else if (tb[IFLA_STATS] != NULL) {
        struct rtnl_link_stats s;
        memset(&s, 0, sizeof s);
        size_t n = RTA_PAYLOAD(tb[IFLA_STATS]);
        memcpy(&s, RTA_DATA(tb[IFLA_STATS]), n < sizeof s ? n : sizeof s);
        l->rx_packets = s.rx_packets;
        l->rx_dropped = s.rx_dropped;
    }
    return 0;
}

static int by_ifindex(const void *a, const void *b) {
    int x = ((const pc_link *)a)->ifindex, y = ((const pc_link *)b)->ifindex;
    return (x > y) - (x < y);
}

static int on_addr(const struct nlmsghdr *h, struct link_list *list) {
    if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg))) return 0;
    const struct ifaddrmsg *ifa = NLMSG_DATA(h);
    size_t size = ifa->ifa_family == AF_INET ? 4 : ifa->ifa_family == AF_INET6 ? 16 : 0;
    if (size == 0) return 0;

    pc_link key = {.ifindex = (int)ifa->ifa_index};
    pc_link *l = bsearch(&key, list->links, (size_t)list->count, sizeof *l, by_ifindex);
    /* a link created after the link dump: its addresses show up in the next listing */
    if (l == NULL) return 0;

    const struct rtattr *tb[IFA_MAX + 1];
    parse_attrs(tb, IFA_MAX, IFA_RTA(ifa), (int)IFA_PAYLOAD(h));
    /* on a point-to-point link IFA_ADDRESS is the far end; IFA_LOCAL, when present, is ours */
    const struct rtattr *a = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
    if (a == NULL || RTA_PAYLOAD(a) < size) return 0;

    l->addr_total++;
    if (l->addr_count == PC_LINK_MAX_ADDRS) return 0;
    pc_addr *out = &l->addrs[l->addr_count++];
    memset(out, 0, sizeof *out);
    out->family = ifa->ifa_family;
    out->prefixlen = ifa->ifa_prefixlen;
    out->scope = ifa->ifa_scope;
    memcpy(out->bytes, RTA_DATA(a), size);
    return 0;
}

/* One consistent listing: the links, sorted so that addresses find theirs by bsearch, then the addresses. */
static int list_once(struct nl *nl, struct link_list *list, pc_error *err) {
    list->count = 0;
    int rc = nl_dump(nl, RTM_GETLINK, sizeof(struct ifinfomsg), on_link, list, err);
    if (rc != 0) return rc;
    if (list->count > 0) qsort(list->links, (size_t)list->count, sizeof *list->links, by_ifindex);
    return nl_dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), on_addr, list, err);
}

int pc_links_list(int netns_fd, const char *label, pc_link **out, int *count, pc_error *err) {
    *out = NULL;
    *count = 0;
    char fallback[48];
    if (label == NULL) {
        snprintf(fallback, sizeof fallback, "network namespace fd %d", netns_fd);
        label = netns_fd < 0 ? "the current network namespace" : fallback;
    }

    struct nl nl = {.fd = -1, .label = label};
    nl.fd = pc_ns_socket(netns_fd, label, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, err);
    if (nl.fd < 0) {
        /* setns says EINVAL when the fd is something other than a network namespace: say so in words */
        if (err != NULL && err->errnum == EINVAL)
            pc_fail(err, PC_ERR_ARGUMENT, EINVAL, "setns(%s): not a network namespace", label);
        return -1;
    }
    nl.cap = RECV_BUF_MIN;
    nl.buf = malloc(nl.cap);
    if (nl.buf == NULL) {
        close(nl.fd);
        return pc_fail(err, PC_ERR_SYSTEM, ENOMEM, "allocate an rtnetlink buffer for %s", label);
    }

    struct link_list list = {0};
    int rc = 1;
    for (int attempt = 0; attempt < DUMP_ATTEMPTS && rc == 1; attempt++) rc = list_once(&nl, &list, err);
    if (rc == 1)
        rc = pc_fail(err, PC_ERR_SYSTEM, EAGAIN, "list links in %s (%d dumps in a row changed under us)", label,
                     DUMP_ATTEMPTS);
    close(nl.fd);
    free(nl.buf);
    if (rc != 0) {
        free(list.links);
        return -1;
    }
    *out = list.links;
    *count = list.count;
    return 0;
}

void pc_links_free(pc_link *links) {
    free(links);
}
