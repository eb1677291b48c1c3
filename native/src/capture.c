#include "capture.h"

#include <errno.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ns.h"

struct pc_capture {
    pc_capture_config config; /* strings below are owned copies */
    pcap_t *pcap;
    int link_type;
    int ifindex;
    int max_caplen; /* libpcap's snapshot: no packet is longer, so a dispatch stops while one more still fits */
    int netlink;    /* nflog:N: a netlink socket, not a packet socket */
    pc_ring *ring;  /* the ring of the dispatch under way */

    /* Held by dispatch and by stats: pcap_stats must not run beside pcap_dispatch. One lock per dispatch, that is
     * per kernel block, never per packet. */
    pthread_mutex_t lock;
    int64_t delivered, bytes, ring_dropped;
    int64_t received, kernel_dropped; /* the last pcap_stats that worked */
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
    pc_capture *c = (pc_capture *)user;
    int64_t ts = (int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec; /* tv_usec holds ns: nano precision */
    int32_t ifindex = c->ifindex;
    if (c->link_type == DLT_LINUX_SLL2 && h->caplen >= 8)
        ifindex = (int32_t)((uint32_t)bytes[4] << 24 | (uint32_t)bytes[5] << 16 | (uint32_t)bytes[6] << 8 | bytes[7]);
    if (pc_ring_offer(c->ring, PC_RECORD_PACKET, ts, bytes, (int32_t)h->caplen, (int32_t)h->len, ifindex, 0)) {
        c->delivered++;
        c->bytes += h->len;
    } else {
        c->ring_dropped++;
    }
    /* Leave the rest in the kernel's buffer rather than drop it: libpcap resumes mid-block on the next call. */
    if (!pc_ring_has_room(c->ring, c->max_caplen)) pcap_breakloop(c->pcap);
}

/* pcap_activate's codes, said in terms of what the user can change. */
static int activate_error(pc_capture *c, int rc, pc_error *err) {
    const char *dev = c->config.device, *ns = c->config.netns_label, *why = pcap_geterr(c->pcap);
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        return pc_fail(err, PC_ERR_ARGUMENT, 0, "no interface '%s' in %s", dev, ns);
    case PCAP_ERROR_PERM_DENIED:
        return pc_fail(err, PC_ERR_PERMISSION, 0, "capture on %s in %s: CAP_NET_RAW is needed (%s)", dev, ns, why);
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        return pc_fail(err, PC_ERR_PERMISSION, 0, "promiscuous mode on %s in %s: CAP_NET_ADMIN is needed", dev, ns);
    case PCAP_ERROR_IFACE_NOT_UP:
        return pc_fail(err, PC_ERR_ARGUMENT, 0, "interface '%s' in %s is down", dev, ns);
    default:
        return pc_fail(err, PC_ERR_SYSTEM, 0, "pcap_activate(%s in %s): %s", dev, ns, why);
    }
}

/* Everything that must happen inside the namespace, then back. */
static int activate(pc_capture *c, pc_error *err) {
    const pc_capture_config *cfg = &c->config;
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    int nsfd = -1, rc = -1;
    pc_ns_guard guard = {.saved_fd = -1};

    if (cfg->netns_path != NULL && (nsfd = pc_ns_open(cfg->netns_path, err)) < 0) return -1;
    if (pc_ns_enter(nsfd, cfg->netns_label, &guard, err) != 0) goto out;

    c->pcap = pcap_create(cfg->device, errbuf);
    if (c->pcap == NULL) {
        pc_fail(err, PC_ERR_SYSTEM, 0, "pcap_create(%s): %s", cfg->device, errbuf);
        goto out;
    }
    pcap_set_snaplen(c->pcap, cfg->snaplen);
    pcap_set_promisc(c->pcap, cfg->promisc);
    /* "Immediate" is a 1 ms block timeout, not libpcap's immediate mode: that switches to TPACKET_V2, whose ring is
     * fixed-size frames of snaplen bytes, and on "any" (no MTU to bound them) 8 MiB holds ~30 frames of 256 KiB, so a
     * burst of a few dozen packets is dropped by the kernel. TPACKET_V3 blocks pack packets at their real size. */
    pcap_set_timeout(c->pcap, cfg->immediate ? 1 : cfg->timeout_ms);
    if (cfg->buffer_size > 0) pcap_set_buffer_size(c->pcap, cfg->buffer_size);
    pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO);

    int arc = pcap_activate(c->pcap);
    if (arc < 0) {
        activate_error(c, arc, err);
        goto out;
    }
    /* SLL2 carries the real ifindex of each packet on "any"; plain SLL does not. */
    if (strcmp(cfg->device, "any") == 0 && pcap_set_datalink(c->pcap, DLT_LINUX_SLL2) != 0) {
        pc_fail(err, PC_ERR_SYSTEM, 0, "pcap_set_datalink(LINUX_SLL2): %s", pcap_geterr(c->pcap));
        goto out;
    }
    /* The reader polls the fd itself (beside its other captures and its wake-up), then dispatches what is ready. */
    if (pcap_setnonblock(c->pcap, 1, errbuf) != 0) {
        pc_fail(err, PC_ERR_SYSTEM, 0, "pcap_setnonblock: %s", errbuf);
        goto out;
    }
    c->link_type = pcap_datalink(c->pcap);
    c->max_caplen = pcap_snapshot(c->pcap);
    /* if_nametoindex asks the namespace the thread is in, so this must happen before leaving */
    c->ifindex = strcmp(cfg->device, "any") == 0 ? 0 : (int)if_nametoindex(cfg->device);
    c->netlink = strncmp(cfg->device, "nflog", 5) == 0;

    if (cfg->filter != NULL && cfg->filter[0] != '\0') {
        struct bpf_program prog;
        if (pcap_compile(c->pcap, &prog, cfg->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            pc_fail(err, PC_ERR_ARGUMENT, 0, "filter '%s' does not compile: %s", cfg->filter, pcap_geterr(c->pcap));
            goto out;
        }
        int frc = pcap_setfilter(c->pcap, &prog);
        pcap_freecode(&prog);
        if (frc != 0) {
            pc_fail(err, PC_ERR_SYSTEM, 0, "pcap_setfilter: %s", pcap_geterr(c->pcap));
            goto out;
        }
    }
    rc = 0;
out:
    if (pc_ns_leave(&guard, rc == 0 ? err : NULL) != 0) rc = -1;
    if (nsfd >= 0) close(nsfd);
    if (rc != 0 && c->pcap != NULL) {
        pcap_close(c->pcap);
        c->pcap = NULL;
    }
    return rc;
}

typedef struct activation {
    pc_capture *capture;
    pc_error err;
    int rc;
} activation;

static void *activation_thread(void *arg) {
    activation *a = arg;
    a->rc = activate(a->capture, &a->err);
    return NULL;
}

static char *dup_or_null(const char *s) { return s != NULL ? strdup(s) : NULL; }

pc_capture *pc_capture_open(const pc_capture_config *config, pc_error *err) {
    pc_capture *c = calloc(1, sizeof *c);
    if (c == NULL) {
        pc_fail(err, PC_ERR_SYSTEM, ENOMEM, "capture");
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    c->config = *config;
    c->config.netns_path = dup_or_null(config->netns_path);
    c->config.netns_label = strdup(config->netns_label != NULL ? config->netns_label : "host");
    c->config.device = strdup(config->device != NULL ? config->device : "any");
    c->config.filter = dup_or_null(config->filter);

    /* A thread of its own enters the namespace: should the way back fail, only that thread is stranded there, and
     * it ends right away. */
    activation a = {.capture = c, .rc = -1};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, activation_thread, &a);
    if (rc != 0) {
        pc_fail(err, PC_ERR_SYSTEM, rc, "pthread_create");
    } else {
        pthread_join(thread, NULL);
        if (a.rc == 0) return c;
        *err = a.err;
    }
    pc_capture_free(c);
    return NULL;
}

int pc_capture_link_type(const pc_capture *c) { return c->link_type; }
int pc_capture_ifindex(const pc_capture *c) { return c->ifindex; }
int pc_capture_fd(const pc_capture *c) { return pcap_get_selectable_fd(c->pcap); }

int pc_capture_dispatch(pc_capture *c, pc_ring *ring, pc_error *err) {
    if (!pc_ring_fits(ring, c->max_caplen))
        return pc_fail(err, PC_ERR_ARGUMENT, 0, "snaplen %d does not fit a ring of %lld bytes", c->max_caplen,
                       (long long)ring->capacity);
    pthread_mutex_lock(&c->lock);
    int64_t before = c->delivered + c->ring_dropped;
    int n = 0;
    if (pc_ring_has_room(ring, c->max_caplen)) {
        c->ring = ring;
        n = pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c);
        c->ring = NULL;
    }
    /* libpcap's nflog:N reads its netlink socket with recv() and reports a non-blocking EAGAIN as an error */
    if (n == PCAP_ERROR && c->netlink && (errno == EAGAIN || errno == EWOULDBLOCK)) n = 0;
    int taken = (int)(c->delivered + c->ring_dropped - before);
    pthread_mutex_unlock(&c->lock);
    if (n < 0 && n != PCAP_ERROR_BREAK)
        return pc_fail(err, PC_ERR_SYSTEM, 0, "capture on %s in %s: %s", c->config.device, c->config.netns_label,
                       pcap_geterr(c->pcap));
    /* libpcap saw ENETDOWN with the device still there; it asks, through this timeout, to be called again */
    if (taken == 0 && pcap_get_required_select_timeout(c->pcap) != NULL) return PC_CAPTURE_RECHECK;
    return taken;
}

void pc_capture_stats_get(pc_capture *c, pc_capture_stats *out) {
    struct pcap_stat ps;
    pthread_mutex_lock(&c->lock);
    if (pcap_stats(c->pcap, &ps) == 0) {
        c->received = ps.ps_recv;
        c->kernel_dropped = ps.ps_drop;
    }
    out->received = c->received;
    out->kernel_dropped = c->kernel_dropped;
    out->interface_dropped = -1;
    out->ring_dropped = c->ring_dropped;
    out->delivered = c->delivered;
    out->bytes = c->bytes;
    pthread_mutex_unlock(&c->lock);
}

void pc_capture_free(pc_capture *c) {
    if (c->pcap != NULL) pcap_close(c->pcap);
    pthread_mutex_destroy(&c->lock);
    free((char *)c->config.netns_path);
    free((char *)c->config.netns_label);
    free((char *)c->config.device);
    free((char *)c->config.filter);
    free(c);
}
