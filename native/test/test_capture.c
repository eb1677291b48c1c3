/* A live capture in a namespace the test makes: errors first, then real UDP traffic dispatched into the ring. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
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
#define KERNEL_BUFFER (8 << 20)
#define WAIT_MS 5000

static netns_pair pair;
static void *ring_memory;

static pc_capture_config config(const char *path, const char *device, const char *filter) {
    pc_capture_config c = {
        .netns_path = path, .netns_label = path != NULL ? path : "host", .device = device, .filter = filter,
        .snaplen = 65535, .buffer_size = KERNEL_BUFFER, .timeout_ms = 10, .immediate = 1,
    };
    return c;
}

static pc_ring fresh_ring(int64_t capacity) {
    memset(ring_memory, 0, (size_t)capacity + sizeof(pc_ring_trailer));
    pc_ring ring;
    pc_error err;
    CHECK_EQ(pc_ring_attach(&ring, ring_memory, capacity + (int64_t)sizeof(pc_ring_trailer), &err), 0);
    return ring;
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

/* Waits until the capture's fd is readable (a block is ready), then dispatches; 0 when nothing came in time. */
static int wait_and_dispatch(pc_capture *c, pc_ring *ring) {
    struct pollfd pfd = {.fd = pc_capture_fd(c), .events = POLLIN};
    for (int64_t deadline = now_ms() + WAIT_MS; now_ms() <= deadline;) {
        pc_error err = {0};
        int n = pc_capture_dispatch(c, ring, &err);
        CHECK(n >= 0);
        if (n != 0) return n;
        poll(&pfd, 1, 10);
    }
    return 0;
}

/* Reads the published records from head on, checks them against "podcap N" datagrams, moves head; returns how many. */
static int consume(pc_ring *ring, pc_capture *c, int first, const unsigned char *mac_from, int port) {
    int got = 0;
    for (;;) {
        int64_t head = atomic_load(&ring->trailer->head);
        pc_record *r = (pc_record *)(ring->data + (head & (ring->capacity - 1)));
        int32_t len = atomic_load_explicit(&r->length, memory_order_acquire);
        if (len <= 0) return got;
        if (r->type == PC_RECORD_PACKET) {
            const unsigned char *pkt = (const unsigned char *)(r + 1);
            char expect[32];
            int n = snprintf(expect, sizeof expect, "podcap %d", first + got);
            CHECK_EQ(r->caplen, 14 + 20 + 8 + n);
            CHECK_EQ(r->wirelen, r->caplen);
            if (r->caplen >= 42 + n) {
                CHECK(memcmp(pkt + 6, mac_from, 6) == 0);
                CHECK_EQ(pkt[36] << 8 | pkt[37], port);
                CHECK(memcmp(pkt + 42, expect, (size_t)n) == 0);
            }
            CHECK_EQ(r->ifindex, pc_capture_ifindex(c));
            got++;
        }
        atomic_store_explicit(&ring->trailer->head, head + ((len + 7) & ~7), memory_order_release);
    }
}

static void print_stats(const char *when, const pc_capture_stats *st) {
    fprintf(stderr, "  %s: received %lld, kernel dropped %lld, ring dropped %lld, delivered %lld\n", when,
            (long long)st->received, (long long)st->kernel_dropped, (long long)st->ring_dropped,
            (long long)st->delivered);
}

static void mac_of(const char *text, unsigned char mac[6]) {
    CHECK_EQ(sscanf(text, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]), 6);
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
    mac_of(pair.mac_b, mac_b);
    pc_ring ring = fresh_ring(RING);
    int got = 0;
    while (got < 50 && wait_and_dispatch(c, &ring) > 0) got += consume(&ring, c, got, mac_b, 9999);
    CHECK_EQ(got, 50);
    pc_capture_stats st;
    pc_capture_stats_get(c, &st);
    CHECK_EQ(st.received, 50);
    CHECK_EQ(st.kernel_dropped, 0);
    CHECK_EQ(st.ring_dropped, 0);
    CHECK_EQ(st.delivered, 50);
    CHECK_EQ(st.interface_dropped, -1);
    if (got != 50 || st.received != 50 || st.kernel_dropped != 0) print_stats("after 50 datagrams", &st);
    pc_capture_free(c);
    CHECK_EQ(pc_ns_inode(NULL), before);
}

/* On "any" each record carries the real ifindex, read from the SLL2 header. */
static void test_any_records_carry_ifindex(void) {
    pc_error err = {0};
    pc_capture_config cfg = config(pair.path_a, "any", "udp port 9997");
    pc_capture *c = pc_capture_open(&cfg, &err);
    CHECK(c != NULL);
    if (c == NULL) return;
    CHECK_EQ(pc_capture_link_type(c), DLT_LINUX_SLL2);
    CHECK_EQ(pc_capture_ifindex(c), 0);
    send_udp(pair.path_b, pair.addr_a, 9997, 30);
    pc_ring ring = fresh_ring(RING);
    int got = 0;
    while (got < 30 && wait_and_dispatch(c, &ring) > 0) {
        for (;;) {
            int64_t head = atomic_load(&ring.trailer->head);
            pc_record *r = (pc_record *)(ring.data + (head & (ring.capacity - 1)));
            if (atomic_load(&r->length) <= 0) break;
            CHECK(r->ifindex > 0);
            got += r->type == PC_RECORD_PACKET;
            atomic_store(&ring.trailer->head, head + ((r->length + 7) & ~7));
        }
    }
    CHECK_EQ(got, 30);
    pc_capture_stats st;
    pc_capture_stats_get(c, &st);
    CHECK_EQ(st.delivered, 30);
    CHECK_EQ(st.received, 30);
    pc_capture_free(c);
}

/* A ring too small for what the kernel holds: a dispatch stops while one more packet of the snap length still fits,
 * leaving the rest in the kernel's buffer; nothing is dropped, and the next dispatches take the rest in order. */
static void test_full_ring_leaves_the_rest_in_the_kernel(void) {
    pc_error err = {0};
    pc_capture_config cfg = config(pair.path_a, "eth0", "udp port 9996");
    cfg.snaplen = 200;
    pc_capture *c = pc_capture_open(&cfg, &err);
    CHECK(c != NULL);
    if (c == NULL) return;
    send_udp(pair.path_b, pair.addr_a, 9996, 100);
    unsigned char mac_b[6];
    mac_of(pair.mac_b, mac_b);
    pc_ring ring = fresh_ring(4096); /* about 45 of these records, less the room kept for a 200-byte one */
    int got = 0, calls = 0, first = 0;
    while (got < 100) {
        int n = wait_and_dispatch(c, &ring);
        if (n == 0) break;
        if (calls++ == 0) first = n;
        got += consume(&ring, c, got, mac_b, 9996);
    }
    CHECK_EQ(got, 100);
    CHECK(first < 50);
    CHECK(calls >= 3);
    pc_capture_stats st;
    pc_capture_stats_get(c, &st);
    CHECK_EQ(st.ring_dropped, 0);
    CHECK_EQ(st.kernel_dropped, 0);
    CHECK_EQ(st.delivered, 100);
    pc_capture_free(c);
}

/* A ring that cannot hold one packet of the snap length is refused, never left to stall the reader. */
static void test_dispatch_refuses_a_ring_too_small(void) {
    pc_error err = {0};
    pc_capture_config cfg = config(pair.path_a, "eth0", NULL); /* snaplen 65535 */
    pc_capture *c = pc_capture_open(&cfg, &err);
    CHECK(c != NULL);
    if (c == NULL) return;
    pc_ring ring = fresh_ring(4096);
    CHECK_EQ(pc_capture_dispatch(c, &ring, &err), -1);
    CHECK_EQ(err.kind, PC_ERR_ARGUMENT);
    CHECK(strstr(err.message, "snaplen 65535 does not fit a ring of 4096 bytes") != NULL);
    pc_capture_free(c);
}

/* The reader's wait: the capture's fd wakes it when a block is ready, the eventfd when another thread rings. */
static void test_wake_poll_hears_capture_and_doorbell(void) {
    pc_error err = {0};
    int wake = pc_wake_open(&err);
    CHECK(wake >= 0);
    pc_capture_config cfg = config(pair.path_b, "eth0", "udp port 9995");
    pc_capture *c = pc_capture_open(&cfg, &err);
    CHECK(c != NULL);
    if (c != NULL) {
        int fd = pc_capture_fd(c), ready = -1;
        CHECK_EQ(pc_wake_poll(wake, &fd, 1, 50, &ready, &err), 0);
        CHECK_EQ(ready, 0);
        send_udp(pair.path_a, pair.addr_b, 9995, 1);
        CHECK_EQ(pc_wake_poll(wake, &fd, 1, WAIT_MS, &ready, &err), 1);
        CHECK_EQ(ready, 1);
        pc_ring ring = fresh_ring(RING);
        CHECK_EQ(pc_capture_dispatch(c, &ring, &err), 1);
        pc_wake_signal(wake);
        CHECK_EQ(pc_wake_poll(wake, &fd, 1, WAIT_MS, &ready, &err), 1);
        CHECK_EQ(ready, 0);
        CHECK_EQ(pc_wake_poll(wake, &fd, 1, 20, &ready, &err), 0); /* the signal was consumed */
        pc_capture_free(c);
    }
    close(wake);
}

/* Down first, the interface raises ENETDOWN while it still exists; its removal then raises nothing on the socket, so
 * dispatch asks to be called again until it can tell. Last: it deletes the pair. */
static void test_down_then_deleted_is_rechecked_then_fails(void) {
    pc_error err = {0};
    pc_capture_config cfg = config(pair.path_a, "eth0", NULL);
    pc_capture *c = pc_capture_open(&cfg, &err);
    CHECK(c != NULL);
    if (c == NULL) return;
    pc_ring ring = fresh_ring(RING);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ip -n %s link set eth0 down", pair.a);
    CHECK_EQ(system(cmd), 0);
    usleep(100 * 1000);
    int n;
    for (int i = 0; i < 10 && (n = pc_capture_dispatch(c, &ring, &err)) >= 0; i++) {
        /* packets sent before it went down, if any */
    }
    CHECK_EQ(n, PC_CAPTURE_RECHECK);
    CHECK_EQ(pc_capture_dispatch(c, &ring, &err), PC_CAPTURE_RECHECK);
    snprintf(cmd, sizeof cmd, "ip -n %s link del eth0", pair.a);
    CHECK_EQ(system(cmd), 0);
    CHECK_EQ(pc_capture_dispatch(c, &ring, &err), -1);
    CHECK(strstr(err.message, "disappeared") != NULL);
    pc_capture_free(c);
}

int main(void) {
    int rc = fixture_create(&pair, "cap");
    if (rc != 0) return rc;
    ring_memory = aligned_alloc(PC_RING_SLOT, RING + sizeof(pc_ring_trailer));
    RUN(test_errors_are_clear);
    RUN(test_captures_filtered_udp_in_namespace);
    RUN(test_any_records_carry_ifindex);
    RUN(test_full_ring_leaves_the_rest_in_the_kernel);
    RUN(test_dispatch_refuses_a_ring_too_small);
    RUN(test_wake_poll_hears_capture_and_doorbell);
    RUN(test_down_then_deleted_is_rechecked_then_fails);
    free(ring_memory);
    return CHECK_DONE();
}
