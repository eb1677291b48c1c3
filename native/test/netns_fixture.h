/* Two namespaces joined by a veth pair, for tests that need real traffic. Names carry the test's pid; everything is
 * removed at exit, also when a check fails or a signal ends the test.
 * The MACs are fixed and each side has a permanent neighbour entry for the other: no ARP exchange, so the first
 * datagrams neither wait in the unresolved-neighbour queue (bounded by unres_qlen_bytes) nor race a resolution. */
#ifndef PODCAP_NETNS_FIXTURE_H
#define PODCAP_NETNS_FIXTURE_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char a[64], b[64];      /* namespace names */
    char path_a[128], path_b[128];
    char addr_a[32], addr_b[32];
    char mac_a[18], mac_b[18]; /* of eth0 on each side */
} netns_pair;

static netns_pair fixture_pair;

static void fixture_remove(void) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", fixture_pair.a,
             fixture_pair.b);
    if (system(cmd) != 0) { /* nothing left to remove */ }
}

static void fixture_on_signal(int sig) {
    fixture_remove();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Returns 0 when ready, 77 (ctest's skip) without root outside CI, 1 when a prerequisite is missing in CI. */
static int fixture_create(netns_pair *p, const char *tag) {
    const char *ci = getenv("CI");
    if (geteuid() != 0) {
        fprintf(stderr, "needs root to create network namespaces%s\n", ci && !strcmp(ci, "true") ? " (CI)" : "; skipped");
        return ci && !strcmp(ci, "true") ? 1 : 77;
    }
    int id = getpid() % 250;
    snprintf(p->a, sizeof p->a, "pc%s-%d-a", tag, getpid());
    snprintf(p->b, sizeof p->b, "pc%s-%d-b", tag, getpid());
    snprintf(p->path_a, sizeof p->path_a, "/run/netns/%s", p->a);
    snprintf(p->path_b, sizeof p->path_b, "/run/netns/%s", p->b);
    snprintf(p->addr_a, sizeof p->addr_a, "10.252.%d.1", id);
    snprintf(p->addr_b, sizeof p->addr_b, "10.252.%d.2", id);
    snprintf(p->mac_a, sizeof p->mac_a, "02:50:43:%02x:00:01", id);
    snprintf(p->mac_b, sizeof p->mac_b, "02:50:43:%02x:00:02", id);
    fixture_pair = *p;
    atexit(fixture_remove);
    signal(SIGINT, fixture_on_signal);
    signal(SIGTERM, fixture_on_signal);
    signal(SIGABRT, fixture_on_signal);
    char cmd[2048]; /* room for the longest names the struct allows */
    snprintf(cmd, sizeof cmd,
             "set -e; ip netns add %1$s; ip netns add %2$s;"
             "ip -n %1$s link add eth0 address %5$s type veth peer name eth0 address %6$s netns %2$s;"
             "ip -n %1$s addr add %3$s/24 dev eth0; ip -n %2$s addr add %4$s/24 dev eth0;"
             "ip -n %1$s link set eth0 up; ip -n %2$s link set eth0 up;"
             "ip -n %1$s link set lo up; ip -n %2$s link set lo up;"
             "ip -n %1$s neigh replace %4$s lladdr %6$s dev eth0 nud permanent;"
             "ip -n %2$s neigh replace %3$s lladdr %5$s dev eth0 nud permanent",
             p->a, p->b, p->addr_a, p->addr_b, p->mac_a, p->mac_b);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not create the test namespaces\n");
        return 1;
    }
    return 0;
}

#endif
