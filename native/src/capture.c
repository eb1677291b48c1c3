#include "capture.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ns.h"
#include "ring.h"
#include "wake.h"

#define STATS_INTERVAL_NS 100000000LL

struct pc_capture {
    pc_capture_config config; /* strings below are owned copies */
    pc_ring ring;
    pcap_t *pcap;
    int link_type;
    int ifindex;
    int netlink; /* nflog:N: a netlink socket, not a packet socket */
    int wake_fd;
    int stop_fd; /* rung by pc_capture_close: the thread polls it beside the packet socket */
    pthread_t thread;
    _Atomic int stop;
    pthread_mutex_t join_lock;
    int joined;
    _Atomic int state;
    pc_error failure; /* written before state becomes FAILED */

    /* opening hand-shake with pc_capture_open */
    pthread_mutex_t lock;
    pthread_cond_t opened;
    int open_done;
    pc_error open_error;

    /* the capture thread's own counters, published after each batch */
    int64_t delivered_local, bytes_local;
    _Atomic int64_t received, kernel_dropped, delivered, bytes;
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
    pc_capture *c = (pc_capture *)user;
    int64_t ts = (int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec; /* tv_usec holds ns: nano precision */
    int32_t ifindex = c->ifindex;
    if (c->link_type == DLT_LINUX_SLL2 && h->caplen >= 8)
        ifindex = (int32_t)((uint32_t)bytes[4] << 24 | (uint32_t)bytes[5] << 16 | (uint32_t)bytes[6] << 8 | bytes[7]);
    if (pc_ring_offer(&c->ring, PC_RECORD_PACKET, ts, bytes, (int32_t)h->caplen, (int32_t)h->len, ifindex, 0)) {
        c->delivered_local++;
        c->bytes_local += h->len;
    }
}

static void publish_stats(pc_capture *c) {
    struct pcap_stat ps;
    if (pcap_stats(c->pcap, &ps) == 0) {
        atomic_store_explicit(&c->received, ps.ps_recv, memory_order_relaxed);
        atomic_store_explicit(&c->kernel_dropped, ps.ps_drop, memory_order_relaxed);
    }
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

/* Runs on the capture thread: everything that must happen inside the namespace, then back. */
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
    /* Non-blocking, so the thread's own poll decides how long to wait: it must also hear stop_fd and publish
     * stats on time, which a blocking pcap_dispatch would not allow. */
    if (pcap_setnonblock(c->pcap, 1, errbuf) != 0) {
        pc_fail(err, PC_ERR_SYSTEM, 0, "pcap_setnonblock: %s", errbuf);
        goto out;
    }
    c->link_type = pcap_datalink(c->pcap);
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

static void finish_open(pc_capture *c, int ok, const pc_error *err) {
    pthread_mutex_lock(&c->lock);
    if (!ok) c->open_error = *err;
    c->open_done = ok ? 1 : -1;
    pthread_cond_signal(&c->opened);
    pthread_mutex_unlock(&c->lock);
}

static void *capture_thread(void *arg) {
    pc_capture *c = arg;
    pc_error err = {0};
    if (activate(c, &err) != 0) {
        finish_open(c, 0, &err);
        return NULL;
    }
    atomic_store(&c->state, PC_CAPTURE_RUNNING);
    finish_open(c, 1, NULL);

    struct pollfd fds[2] = {{.fd = pcap_get_selectable_fd(c->pcap), .events = POLLIN},
                            {.fd = c->stop_fd, .events = POLLIN}};
    int64_t next_stats = now_ns() + STATS_INTERVAL_NS;
    while (!atomic_load_explicit(&c->stop, memory_order_acquire)) {
        int n = pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c);
        /* libpcap's nflog:N reads its netlink socket with recv() and reports a non-blocking EAGAIN as an error */
        if (n == PCAP_ERROR && c->netlink && (errno == EAGAIN || errno == EWOULDBLOCK)) n = 0;
        if (n < 0 && n != PCAP_ERROR_BREAK) {
            pc_fail(&c->failure, PC_ERR_SYSTEM, 0, "capture on %s in %s: %s", c->config.device,
                    c->config.netns_label, pcap_geterr(c->pcap));
            atomic_store(&c->state, PC_CAPTURE_FAILED);
            break;
        }
        if (n > 0) {
            atomic_store_explicit(&c->delivered, c->delivered_local, memory_order_relaxed);
            atomic_store_explicit(&c->bytes, c->bytes_local, memory_order_relaxed);
            /* Woken per kernel block, not later: the consumer then reads records still in this core's cache. */
            if (pc_ring_take_parked(&c->ring)) pc_wake_signal(c->wake_fd);
        } else if (poll(fds, 2, STATS_INTERVAL_NS / 1000000) < 0 && errno != EINTR) {
            pc_fail(&c->failure, PC_ERR_SYSTEM, errno, "poll on %s in %s", c->config.device, c->config.netns_label);
            atomic_store(&c->state, PC_CAPTURE_FAILED);
            break;
        }
        int64_t now = now_ns();
        if (now >= next_stats) {
            publish_stats(c);
            next_stats = now + STATS_INTERVAL_NS;
        }
    }
    publish_stats(c);
    int expected = PC_CAPTURE_RUNNING;
    atomic_compare_exchange_strong(&c->state, &expected, PC_CAPTURE_STOPPED);
    pc_wake_signal(c->wake_fd); /* the consumer sees the end without waiting out its timeout */
    return NULL;
}

static char *dup_or_null(const char *s) { return s != NULL ? strdup(s) : NULL; }

static void free_capture(pc_capture *c) {
    if (c->pcap != NULL) pcap_close(c->pcap);
    if (c->wake_fd >= 0 && !c->config.wake_fd_shared) close(c->wake_fd);
    if (c->stop_fd >= 0) close(c->stop_fd);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->join_lock);
    pthread_cond_destroy(&c->opened);
    free((char *)c->config.netns_path);
    free((char *)c->config.netns_label);
    free((char *)c->config.device);
    free((char *)c->config.filter);
    free(c);
}

pc_capture *pc_capture_open(const pc_capture_config *config, pc_error *err) {
    pc_capture *c = calloc(1, sizeof *c);
    if (c == NULL) {
        pc_fail(err, PC_ERR_SYSTEM, ENOMEM, "capture");
        return NULL;
    }
    c->wake_fd = -1;
    c->stop_fd = -1;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->join_lock, NULL);
    pthread_cond_init(&c->opened, NULL);
    c->config = *config;
    c->config.netns_path = dup_or_null(config->netns_path);
    c->config.netns_label = strdup(config->netns_label != NULL ? config->netns_label : "host");
    c->config.device = strdup(config->device != NULL ? config->device : "any");
    c->config.filter = dup_or_null(config->filter);

    if (pc_ring_attach(&c->ring, config->ring_memory, config->ring_length, err) != 0) goto fail;
    if (!pc_ring_fits(&c->ring, config->snaplen)) {
        pc_fail(err, PC_ERR_ARGUMENT, 0, "snaplen %d does not fit a ring of %lld bytes", config->snaplen,
                (long long)c->ring.capacity);
        goto fail;
    }
    if (config->wake_fd_shared) {
        c->wake_fd = config->wake_fd;
    } else if ((c->wake_fd = pc_wake_open(err)) < 0) {
        goto fail;
    }
    if ((c->stop_fd = pc_wake_open(err)) < 0) goto fail;

    int rc = pthread_create(&c->thread, NULL, capture_thread, c);
    if (rc != 0) {
        pc_fail(err, PC_ERR_SYSTEM, rc, "pthread_create");
        goto fail;
    }
    pthread_mutex_lock(&c->lock);
    while (c->open_done == 0) pthread_cond_wait(&c->opened, &c->lock);
    pthread_mutex_unlock(&c->lock);
    if (c->open_done < 0) {
        pthread_join(c->thread, NULL);
        *err = c->open_error;
        goto fail;
    }
    return c;
fail:
    free_capture(c);
    return NULL;
}

int pc_capture_link_type(const pc_capture *c) { return c->link_type; }
int pc_capture_ifindex(const pc_capture *c) { return c->ifindex; }
int pc_capture_wake_fd(const pc_capture *c) { return c->wake_fd; }

void pc_capture_stats_get(const pc_capture *c, pc_capture_stats *out) {
    out->received = atomic_load_explicit(&c->received, memory_order_relaxed);
    out->kernel_dropped = atomic_load_explicit(&c->kernel_dropped, memory_order_relaxed);
    out->interface_dropped = -1;
    out->ring_dropped = atomic_load_explicit(&c->ring.trailer->dropped, memory_order_acquire);
    out->delivered = atomic_load_explicit(&c->delivered, memory_order_relaxed);
    out->bytes = atomic_load_explicit(&c->bytes, memory_order_relaxed);
}

int pc_capture_state_get(const pc_capture *c, pc_error *err) {
    int state = atomic_load(&c->state);
    if (state == PC_CAPTURE_FAILED && err != NULL) *err = c->failure;
    return state;
}

void pc_capture_stop(pc_capture *c) {
    atomic_store_explicit(&c->stop, 1, memory_order_release);
    pc_wake_signal(c->stop_fd);
    pthread_mutex_lock(&c->join_lock);
    if (!c->joined) {
        pthread_join(c->thread, NULL);
        c->joined = 1;
    }
    pthread_mutex_unlock(&c->join_lock);
}

void pc_capture_free(pc_capture *c) {
    pc_capture_stop(c);
    free_capture(c);
}
