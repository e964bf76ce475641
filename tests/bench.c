/* sw-bench: the cost of the packet pipeline, in process, on synthetic
 * frames: no kernel I/O, so what it measures is the switch itself.
 *
 * Each scenario feeds batches of 32 frames to the main thread's datapath
 * context exactly as a port would (parse, exact-match cache, megaflow
 * classifier, upcall and translation, actions, output into the port's
 * transmit batch) and takes the frames back from the transmit batch
 * instead of sending them.  It prints nanoseconds per packet, the best
 * of several runs.
 *
 * Under valgrind --tool=callgrind --instr-atstart=no, each scenario's
 * measured loop (and nothing else) is instrumented and dumped under its
 * name, so tests/bench.sh can print instructions per packet, which do
 * not drift with the machine's load. */
#include <config.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dp-packet.h"
#include "dpif/dp-flow.h"
#include "dpif/dpcls.h"
#include "dpif/dpif-private.h"
#include "dpif/dpif.h"
#include "flow.h"
#include "netdev/netdev.h"
#include "ofproto-lite/mac-learning.h"
#include "ofproto-lite/ofproto-private.h"
#include "ofproto-lite/ofproto.h"
#include "packet-compose.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#ifdef HAVE_VALGRIND_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(LABEL) ((void) (LABEL))
#endif

enum { BATCH = DP_PACKET_BATCH_SIZE };

static double min_seconds = 0.3;    /* Per run. */
static int n_runs = 3;

static double
now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct bench {
    struct dpif *dpif;
    struct dp_thread *t;            /* The main thread's context. */
    struct ofproto *ofproto;
    struct netdev *in, *out;
    odp_port_t in_port, out_port;
};

static void
bench_init(struct bench *b)
{
    memset(b, 0, sizeof *b);
    b->dpif = dpif_create("bench");
    ofproto_init(b->dpif, NULL);
    b->ofproto = ofproto_create("br0", b->dpif);
    char *error = NULL;
    if (netdev_open("in", "dummy", &b->in, &error)
        || netdev_open("out", "dummy", &b->out, &error)) {
        sw_fatal("cannot open dummy ports: %s", error ? error : "?");
    }
    ofp_port_t ofp;
    ofproto_port_add(b->ofproto, b->in, 1, &ofp);
    ofproto_port_add(b->ofproto, b->out, 2, &ofp);
    /* The ports' datapath numbers, in the order the bridge added them. */
    for (odp_port_t p = 0; p < dpif_port_max(b->dpif); p++) {
        struct netdev *n = dpif_port_get_netdev(b->dpif, p);
        if (n == b->in) {
            b->in_port = p;
        } else if (n == b->out) {
            b->out_port = p;
        }
    }
    b->t = b->dpif->threads[0];
    /* No receive notifications: the bench feeds the datapath itself. */
    netdev_set_rx_notify(b->in, NULL, NULL);
}

/* 'n' UDP frames from 'in', the i-th with source port i, destination MAC
 * 'dst_of(i)', source MAC 'src_of(i)'. */
static struct dp_packet **
make_packets(size_t n, uint64_t (*src_of)(size_t), uint64_t (*dst_of)(size_t),
             uint32_t (*nw_src_of)(size_t))
{
    struct dp_packet **packets = xmalloc(n * sizeof *packets);
    for (size_t i = 0; i < n; i++) {
        struct flow f;
        memset(&f, 0, sizeof f);
        uint64_t src = src_of(i), dst = dst_of(i);
        for (int k = 0; k < 6; k++) {
            f.dl_src.ea[k] = src >> (40 - 8 * k);
            f.dl_dst.ea[k] = dst >> (40 - 8 * k);
        }
        f.dl_type = htons(ETH_TYPE_IP);
        f.nw_proto = IP_PROTO_UDP;
        f.nw_ttl = 64;
        f.nw_src = htonl(nw_src_of ? nw_src_of(i) : 0xc6120001);
        f.nw_dst = htonl(0xc6120002);
        f.tp_src = htons(i & 0xffff);
        f.tp_dst = htons(53);
        packets[i] = flow_compose(&f, 18);
    }
    return packets;
}

static void
free_packets(struct dp_packet **packets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dp_packet_delete(packets[i]);
    }
    free(packets);
}

static uint64_t
mac_fixed_src(size_t i)
{
    return 0x505400000001ULL;
}

static uint64_t
mac_fixed_dst(size_t i)
{
    return 0x505400000002ULL;
}

static uint64_t
mac_unique(size_t i)
{
    return 0x060000000000ULL | i;   /* Locally administered, unicast. */
}

/* Runs 'n_packets' packets of 'pool' (cycling) through the datapath and
 * takes them back from the output port.  Returns seconds. */
static double
run_packets(struct bench *b, struct dp_packet **pool, size_t pool_size,
            size_t n_packets)
{
    struct dp_thread *t = b->t;
    size_t next = 0;
    double start = now_sec();
    for (size_t done = 0; done < n_packets; done += BATCH) {
        struct dp_packet_batch batch;
        dp_packet_batch_init(&batch);
        for (int i = 0; i < BATCH; i++) {
            dp_packet_batch_add(&batch, pool[next]);
            next = next + 1 < pool_size ? next + 1 : 0;
        }
        dp_process_begin(t);
        dp_process_batch(t, &batch, b->in_port);

        /* Output reached the port's transmit batch: take it back. */
        struct dp_packet_batch *tx = &t->tx[b->out_port].batch;
        if (tx->count != BATCH) {
            sw_fatal("expected %d packets out, got %zu", BATCH, tx->count);
        }
        tx->count = 0;
        t->n_pending_tx = 0;
    }
    return now_sec() - start;
}

/* Times 'n' packets in several runs, and measures them once more for
 * callgrind.  Returns the best nanoseconds per packet. */
static double
measure(struct bench *b, const char *label, struct dp_packet **pool,
        size_t pool_size)
{
    /* Warm up: fills caches, and calibrates the count. */
    size_t n = BATCH * 64;
    double secs = run_packets(b, pool, pool_size, n);
    while (secs < min_seconds / 10) {
        n *= 2;
        secs = run_packets(b, pool, pool_size, n);
    }
    n = (size_t) (n * (min_seconds / secs)) / BATCH * BATCH + BATCH;

    double best = 1e9;
    for (int r = 0; r < n_runs; r++) {
        double ns = run_packets(b, pool, pool_size, n) * 1e9 / n;
        best = MIN(best, ns);
    }

    char *dump = xasprintf("%s %d", label, BATCH * 100);
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
    run_packets(b, pool, pool_size, BATCH * 100);
    CALLGRIND_DUMP_STATS_AT(dump);
    CALLGRIND_STOP_INSTRUMENTATION;
    free(dump);
    return best;
}

static void
flush_flows(struct bench *b)
{
    dpif_flow_flush(b->dpif);
    dpif_set_emc_insert_inv_prob(b->dpif, 100);
}

/* A megaflow for packet 'i' in subtable 's' of 'n_subtables': every mask
 * has the input port and destination MAC (so flows never overlap); the
 * subtables differ in how much of the IPv4 source and UDP ports they
 * also match. */
static void
megaflow_mask(size_t s, struct flow *mask)
{
    memset(mask, 0, sizeof *mask);
    mask->in_port = UINT32_MAX;
    memset(&mask->dl_dst, 0xff, sizeof mask->dl_dst);
    mask->dl_type = htons(0xffff);
    int plen = 8 + s % 25;
    mask->nw_src = htonl(UINT32_MAX << (32 - plen));
    if (s >= 25) {
        mask->tp_dst = htons(0xffff);
    }
}

static uint32_t
nw_src_by_subtable(size_t i)
{
    return 0xc6120001;
}

static void
bench_megaflows(struct bench *b, size_t n_flows, size_t n_subtables)
{
    flush_flows(b);
    dpif_set_emc_insert_inv_prob(b->dpif, 0);   /* Classifier only. */

    struct dp_packet **packets = make_packets(n_flows, mac_fixed_src,
                                              mac_unique,
                                              nw_src_by_subtable);
    struct dp_actions actions;
    dp_actions_init(&actions);
    dp_actions_add_output(&actions, b->out_port);
    dp_process_begin(b->t);
    for (size_t i = 0; i < n_flows; i++) {
        struct flow key, mask;
        packets[i]->md.in_port = b->in_port;
        flow_extract(packets[i], &key);
        megaflow_mask(i % n_subtables, &mask);
        dp_thread_install_flow(b->t, &key, &mask, &actions, NULL);
    }
    dp_actions_destroy(&actions);

    /* Visit flows in an order that spreads over subtables evenly. */
    size_t pool_size = MIN(n_flows, 65536);
    struct dp_packet **pool = xmalloc(pool_size * sizeof *pool);
    uint32_t x = 12345;
    for (size_t i = 0; i < pool_size; i++) {
        x = x * 1103515245 + 12345;
        pool[i] = packets[n_flows > pool_size ? x % n_flows : i];
    }
    run_packets(b, pool, pool_size, BATCH * 16);
    dpcls_rank(b->t->cls);

    char *label = xasprintf("megaflow-hit/%zu-flows/%zu-subtables", n_flows,
                            n_subtables);
    uint64_t probes0 = b->t->stats.n_probes;
    uint64_t hits0 = b->t->stats.megaflow_hits;
    double ns = measure(b, label, pool, pool_size);
    double probes = ((double) (b->t->stats.n_probes - probes0)
                     / (b->t->stats.megaflow_hits - hits0));
    printf("%-44s %8.1f ns/packet  (%.1f subtables tried per hit)\n",
           label, ns, probes);
    free(label);
    free(pool);
    flush_flows(b);
    rcu_read_end();
    rcu_drain();                /* Let the flows go before freeing. */
    rcu_read_begin();
    free_packets(packets, n_flows);
}

static void
bench_emc(struct bench *b)
{
    flush_flows(b);
    dpif_set_emc_insert_inv_prob(b->dpif, 1);
    struct dp_packet **packets = make_packets(BATCH, mac_fixed_src,
                                              mac_fixed_dst, NULL);
    struct flow key, mask;
    packets[0]->md.in_port = b->in_port;
    flow_extract(packets[0], &key);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    struct dp_actions actions;
    dp_actions_init(&actions);
    dp_actions_add_output(&actions, b->out_port);
    dp_process_begin(b->t);
    dp_thread_install_flow(b->t, &key, &mask, &actions, NULL);
    dp_actions_destroy(&actions);

    uint64_t emc0 = b->t->stats.emc_hits, n0 = b->t->stats.n_packets;
    double ns = measure(b, "emc-hit", packets, BATCH);
    printf("%-44s %8.1f ns/packet  (%.1f%% exact-match hits)\n",
           "emc-hit (parse + exact match + output)", ns,
           100.0 * (b->t->stats.emc_hits - emc0)
           / (b->t->stats.n_packets - n0));
    flush_flows(b);
    free_packets(packets, BATCH);
}

/* New flows: each packet has a new source MAC, so it misses, is
 * translated through the OpenFlow table (NORMAL, which learns the
 * source and finds the destination) and becomes a megaflow. */
static void
bench_upcalls(struct bench *b, size_t n_flows)
{
    flush_flows(b);
    ofproto_set_mac_learning(b->ofproto, 300, 4 * n_flows);
    struct dp_packet **packets = make_packets(n_flows, mac_unique,
                                              mac_fixed_dst, NULL);
    /* The destination is known, on the output port. */
    struct dp_packet **reply = make_packets(1, mac_fixed_dst, mac_fixed_src,
                                            NULL);
    struct dp_packet_batch batch;
    dp_packet_batch_init(&batch);
    dp_packet_batch_add(&batch, reply[0]);
    free(reply);
    dp_process_begin(b->t);
    dp_process_batch(b->t, &batch, b->out_port);
    dp_process_flush(b->t);

    uint64_t up0 = b->t->stats.n_upcalls;
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
    double secs = run_packets(b, packets, n_flows, n_flows / BATCH * BATCH);
    char *dump = xasprintf("upcall %zu", n_flows / BATCH * BATCH);
    CALLGRIND_DUMP_STATS_AT(dump);
    CALLGRIND_STOP_INSTRUMENTATION;
    free(dump);
    uint64_t n = b->t->stats.n_upcalls - up0;
    printf("%-44s %8.1f ns/packet  (%.0f new flows/s, %llu megaflows)\n",
           "upcall (miss, NORMAL translation, install)", secs * 1e9 / n,
           n / secs, (unsigned long long) dpif_n_flows(b->dpif));

    /* What a rule or MAC table change costs the main thread: every
     * megaflow translated again. */
    size_t n_flows_now = dpif_n_flows(b->dpif);
    double start = now_sec();
    revalidator_run(b->dpif, REVALIDATE_ALL, NULL, time_msec(), UINT32_MAX);
    printf("%-44s %8.1f ns/megaflow (%zu megaflows)\n",
           "revalidation (all megaflows translated again)",
           (now_sec() - start) * 1e9 / n_flows_now, n_flows_now);
    flush_flows(b);
    rcu_read_end();
    rcu_drain();
    rcu_read_begin();
    free_packets(packets, n_flows);
}

/* MAC learning with a big table: refreshing known addresses (what every
 * upcall and statistics push does) and looking them up. */
static void
bench_mac_learning(size_t n_entries)
{
    struct mac_learning *ml = mac_learning_create();
    mac_learning_set_max(ml, n_entries);
    mac_learning_set_aging(ml, 3600);
    struct eth_addr *macs = xmalloc(n_entries * sizeof *macs);
    for (size_t i = 0; i < n_entries; i++) {
        uint64_t v = mac_unique(i * 2654435761u % (n_entries * 4));
        for (int k = 0; k < 6; k++) {
            macs[i].ea[k] = v >> (40 - 8 * k);
        }
    }
    double start = now_sec();
    for (size_t i = 0; i < n_entries; i++) {
        mac_learning_learn(ml, macs[i], i % 4096, 1 + i % 8, 1, true);
    }
    double learn = now_sec() - start;

    uint32_t x = 1;
    size_t n_ops = 2000000;
    start = now_sec();
    uint32_t port = 0;
    for (size_t i = 0; i < n_ops; i++) {
        x = x * 1103515245 + 12345;
        size_t k = x % n_entries;
        uint32_t p;
        mac_learning_lookup(ml, macs[k], k % 4096, &p);
        port += p;
    }
    double lookup = now_sec() - start;

    start = now_sec();
    for (size_t i = 0; i < n_ops; i++) {
        x = x * 1103515245 + 12345;
        size_t k = x % n_entries;
        mac_learning_learn(ml, macs[k], k % 4096, 1 + k % 8, 2, false);
    }
    double refresh = now_sec() - start;

    struct mac_learning_stats st;
    mac_learning_get_stats(ml, &st);
    printf("mac-learning/%zu-entries: learn new %.1f ns, look up %.1f ns, "
           "refresh %.1f ns (%llu entries%s)\n", n_entries,
           learn * 1e9 / n_entries, lookup * 1e9 / n_ops,
           refresh * 1e9 / n_ops, (unsigned long long) st.n_entries,
           port ? "" : " ");

    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
    for (size_t i = 0; i < 100000; i++) {
        x = x * 1103515245 + 12345;
        size_t k = x % n_entries;
        mac_learning_learn(ml, macs[k], k % 4096, 1 + k % 8, 3, false);
    }
    CALLGRIND_DUMP_STATS_AT("mac-refresh 100000");
    CALLGRIND_STOP_INSTRUMENTATION;
    mac_learning_destroy(ml);
    free(macs);
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        { "quick", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = false;
    set_program_name(argv[0]);
    for (int c; (c = getopt_long(argc, argv, "qh", long_options, NULL))
                != -1;) {
        if (c == 'q') {
            quick = true;
        } else {
            printf("usage: %s [--quick]\n", program_name);
            return c == 'h' ? 0 : 1;
        }
    }
    if (quick) {
        min_seconds = 0.02;
        n_runs = 1;
    }

    rcu_thread_start(false);
    rcu_read_begin();
    struct bench b;
    bench_init(&b);

    bench_emc(&b);
    static const size_t grid[][2] = {
        { 1, 1 }, { 1000, 1 }, { 1000, 10 }, { 1000, 50 },
        { 100000, 1 }, { 100000, 10 }, { 100000, 50 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(grid); i++) {
        bench_megaflows(&b, grid[i][0], grid[i][1]);
    }
    bench_upcalls(&b, quick ? 20000 : 100000);
    rcu_read_end();
    bench_mac_learning(quick ? 100000 : 1000000);

    ofproto_port_del(b.ofproto, 1);
    ofproto_port_del(b.ofproto, 2);
    ofproto_destroy(b.ofproto);
    ofproto_exit();
    dpif_destroy(b.dpif);
    netdev_close(b.in);
    netdev_close(b.out);
    rcu_drain();
    rcu_thread_stop();
    return 0;
}
