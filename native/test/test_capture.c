/* A live capture in a namespace the test makes: errors first, then real UDP traffic through the ring. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "check.h"
#include "netns_fixture.h"
#include "ns.h"
#include "ring.h"
#include "wake.h"

#define RING (1 << 20)
/* The kernel-side capture buffer. In immediate mode libpcap (TPACKET_V2) cuts it into frames of about the snaplen
 * (65535 + headers on a veth, which has offloads), so libpcap's default 2 MiB holds only ~31 frames: a burst of 50
 * datagrams overran it and the kernel dropped the rest (ps_drop), which was the flakiness. 8 MiB holds ~127. */
#define KERNEL_BUFFER (8 << 20)
#define WAIT_MS 5000

static netns_pair pair;
static void *ring_memory;

static pc_capture_config config(const char *path, const char *device, const char *filter) {
    memset(ring_memory, 0, RING + sizeof(pc_ring_trailer));
    pc_capture_config c = {
        .netns_path = path, .netns_label = path != NULL ? path : "host", .device = device, .filter = filter,
        .snaplen = 65535, .buffer_size = KERNEL_BUFFER, .timeout_ms = 10, .immediate = 1, .ring_memory = ring_memory,
        .ring_length = RING + sizeof(pc_ring_trailer),
    };
    return c;
}

static void expect_failure(pc_capture_config cfg, int kind, const char *text) {
    pc_error err = {0};
    pc_capture *c = pc_capture_open(&cfg, &err);
    CHECK(c == NULL);
    CHECK_EQ(err.kind, kind);
    if (strstr(err.message, text) == NULL) {
        fprintf(stderr, "  message '%s' lacks '%s'\n", err.message, text);
        CHECK(0);
    }
    if (c != NULL) pc_capture_free(c);
}

static void test_errors_are_clear(void) {
    expect_failure(config("/proc/999999999/ns/net", "any", NULL), PC_ERR_ARGUMENT,
                   "open(/proc/999999999/ns/net): No such file or directory");
    expect_failure(config("/dev/null", "any", NULL), PC_ERR_ARGUMENT, "setns(/dev/null)");
    expect_failure(config(pair.path_a, "nosuch0", NULL), PC_ERR_ARGUMENT, "no interface 'nosuch0' in");
    expect_failure(config(pair.path_a, "eth0", "tcp port banana"), PC_ERR_ARGUMENT, "does not compile");
}

static void send_udp(const char *from_ns, const char *to, int port, int count) {
    pc_error err;
    int nsfd = pc_ns_open(from_ns, &err);
    int fd = nsfd < 0 ? -1 : pc_ns_socket(nsfd, from_ns, AF_INET, SOCK_DGRAM, 0, &err);
    CHECK(fd >= 0);
    if (fd < 0) {
        fprintf(stderr, "  %s\n", err.message);
        if (nsfd >= 0) close(nsfd);
        return;
    }
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, to, &dst.sin_addr);
    char msg[100];
    for (int i = 0; i < count; i++) {
        int n = snprintf(msg, sizeof msg, "podcap %d", i);
        CHECK(sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&dst, sizeof dst) == n);
    }
    close(fd);
    close(nsfd);
}

/* Milliseconds on the monotonic clock: every wait below polls against a deadline instead of sleeping a fixed time. */
static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void pause_ms(int ms) {
    struct timespec pause = {0, ms * 1000000L};
    nanosleep(&pause, NULL);
}

/* Waits until the capture thread has published stats covering want packets (it does so every 100 ms). */
static pc_capture_stats await_stats(pc_capture *c, int64_t want) {
    pc_capture_stats st = {0};
    for (int64_t deadline = now_ms() + WAIT_MS;; pause_ms(5)) {
        pc_capture_stats_get(c, &st);
        if ((st.received >= want && st.delivered >= want) || now_ms() > deadline) return st;
    }
}

static void print_stats(const char *when, const pc_capture_stats *st) {
    fprintf(stderr, "  %s: received %lld, kernel dropped %lld, ring dropped %lld, delivered %lld\n", when,
            (long long)st->received, (long long)st->kernel_dropped, (long long)st->ring_dropped,
            (long long)st->delivered);
}

static void test_captures_filtered_udp_in_namespace(void) {
    unsigned long before = pc_ns_inode(NULL);
    pc_error err = {0};
    pc_capture_config cfg = config(pair.path_a, "eth0", "udp port 9999");
    pc_capture *c = pc_capture_open(&cfg, &err);
    if (c == NULL) fprintf(stderr, "  %s\n", err.message);
    CHECK(c != NULL);
    if (c == NULL) return;
    CHECK_EQ(pc_ns_inode(NULL), before);
    CHECK_EQ(pc_capture_link_type(c), DLT_EN10MB);
    CHECK(pc_capture_ifindex(c) > 0);

    /* the filtered-out ones first: one leaking through the filter would take the place of "podcap 0" */
    send_udp(pair.path_b, pair.addr_a, 9998, 20);
    send_udp(pair.path_b, pair.addr_a, 9999, 50);

    unsigned char mac_b[6];
    CHECK_EQ(sscanf(pair.mac_b, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac_b[0], &mac_b[1], &mac_b[2], &mac_b[3],
                    &mac_b[4], &mac_b[5]), 6);
    pc_ring ring;
    pc_ring_attach(&ring, ring_memory, RING + sizeof(pc_ring_trailer), &err);
    int got = 0;
    int64_t last_ts = 0;
    for (int64_t deadline = now_ms() + WAIT_MS; got < 50 && now_ms() <= deadline;) {
        int64_t head = atomic_load(&ring.trailer->head);
        pc_record *r = (pc_record *)(ring.data + (head & (ring.capacity - 1)));
        int32_t len = atomic_load_explicit(&r->length, memory_order_acquire);
        if (len <= 0) {
            pause_ms(1); /* not a spin: the capture thread and the sender need the CPUs */
            continue;
        }
        if (r->type == PC_RECORD_PACKET) {
            const unsigned char *pkt = (const unsigned char *)(r + 1);
            char expect[32];
            int n = snprintf(expect, sizeof expect, "podcap %d", got);
            CHECK_EQ(r->caplen, 14 + 20 + 8 + n);
            CHECK_EQ(r->wirelen, r->caplen);
            if (r->caplen >= 42 + n) {
                CHECK(memcmp(pkt + 6, mac_b, 6) == 0);
                CHECK_EQ(pkt[36] << 8 | pkt[37], 9999);
                CHECK(memcmp(pkt + 42, expect, (size_t)n) == 0);
            }
            CHECK_EQ(r->ifindex, pc_capture_ifindex(c));
            CHECK(r->ts_ns >= last_ts);
            last_ts = r->ts_ns;
            got++;
        }
        int64_t aligned = (len + 7) & ~7;
        memset(r, 0, (size_t)aligned);
        atomic_store_explicit(&ring.trailer->head, head + aligned, memory_order_release);
    }
    CHECK_EQ(got, 50);
    pc_capture_stats st = await_stats(c, 50);
    CHECK_EQ(st.received, 50);
    CHECK_EQ(st.kernel_dropped, 0);
    CHECK_EQ(st.ring_dropped, 0);
    CHECK_EQ(st.delivered, 50);
    if (got != 50 || st.received != 50 || st.kernel_dropped != 0) print_stats("after 50 datagrams", &st);
    pc_capture_free(c);
    CHECK_EQ(pc_ns_inode(NULL), before);
}

static void test_stats_count_delivered_and_no_drops(void) {
    pc_error err = {0};
    pc_capture_config cfg = config(pair.path_a, "any", "udp port 9997");
    pc_capture *c = pc_capture_open(&cfg, &err);
    CHECK(c != NULL);
    if (c == NULL) return;
    CHECK_EQ(pc_capture_link_type(c), DLT_LINUX_SLL2);
    send_udp(pair.path_b, pair.addr_a, 9997, 30);
    pc_capture_stats st = await_stats(c, 30);
    CHECK_EQ(st.delivered, 30);
    CHECK_EQ(st.received, 30);
    CHECK_EQ(st.kernel_dropped, 0);
    CHECK_EQ(st.ring_dropped, 0);
    CHECK_EQ(st.interface_dropped, -1);
    if (st.delivered != 30 || st.kernel_dropped != 0) print_stats("after 30 datagrams", &st);
    CHECK_EQ(pc_capture_state_get(c, NULL), PC_CAPTURE_RUNNING);
    pc_capture_free(c);
}

/* Two captures on one caller's eventfd: a packet in either wakes the one consumer; freeing them leaves it open. */
static void test_shared_wake_fd(void) {
    pc_error err = {0};
    int wake = pc_wake_open(&err);
    CHECK(wake >= 0);
    void *ring_b = aligned_alloc(PC_RING_SLOT, RING + sizeof(pc_ring_trailer));
    memset(ring_b, 0, RING + sizeof(pc_ring_trailer));
    pc_capture_config cfg_a = config(pair.path_a, "eth0", "udp port 9996");
    pc_capture_config cfg_b = cfg_a;
    cfg_b.netns_path = cfg_b.netns_label = pair.path_b;
    cfg_b.ring_memory = ring_b;
    cfg_a.wake_fd_shared = cfg_b.wake_fd_shared = 1;
    cfg_a.wake_fd = cfg_b.wake_fd = wake;
    pc_capture *a = pc_capture_open(&cfg_a, &err);
    pc_capture *b = a != NULL ? pc_capture_open(&cfg_b, &err) : NULL;
    CHECK(a != NULL && b != NULL);
    if (a != NULL && b != NULL) {
        CHECK_EQ(pc_capture_wake_fd(a), wake);
        CHECK_EQ(pc_capture_wake_fd(b), wake);
        pc_ring ring;
        pc_ring_attach(&ring, ring_b, RING + sizeof(pc_ring_trailer), &err);
        atomic_store(&ring.trailer->parked, 1); /* the consumer says it sleeps: the next publication rings */
        send_udp(pair.path_a, pair.addr_b, 9996, 1);
        CHECK_EQ(pc_wake_wait(wake, WAIT_MS, &err), 1);
        CHECK(atomic_load(&((pc_record *)ring.data)->length) > 0);
    }
    if (a != NULL) pc_capture_free(a);
    if (b != NULL) pc_capture_free(b);
    CHECK(fcntl(wake, F_GETFD) != -1);
    close(wake);
    free(ring_b);
}

int main(void) {
    int rc = fixture_create(&pair, "cap");
    if (rc != 0) return rc;
    ring_memory = aligned_alloc(PC_RING_SLOT, RING + sizeof(pc_ring_trailer));
    RUN(test_errors_are_clear);
    RUN(test_captures_filtered_udp_in_namespace);
    RUN(test_stats_count_delivered_and_no_drops);
    RUN(test_shared_wake_fd);
    free(ring_memory);
    return CHECK_DONE();
}
