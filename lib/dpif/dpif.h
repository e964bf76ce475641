/* The datapath: one for the whole switch, holding every bridge's ports
 * numbered in one space, with the threads that move packets between
 * them.
 *
 * A packet goes through a two-level flow cache, per thread: the
 * exact-match cache, then the megaflow classifier.  On a miss ("upcall")
 * the datapath asks the layer above, on the same thread and at once, for
 * actions and for the mask of fields the decision depended on; it
 * executes the actions and caches them as a megaflow, unless the flow
 * limit is reached.  Cached megaflows stay until the layer above deletes
 * them (revalidation, idle expiry) or their thread goes away.
 *
 * Ports whose netdev is threaded (dummy-pmd, AF_XDP) are polled by
 * datapath threads (other_config:n-dp-threads, default 1), which sleep
 * when idle.  Other ports (dummy) are served by the main thread at once,
 * when their netdev says packets wait.
 *
 * All functions here are for the main thread.  The upcall callback runs
 * on whichever thread met the miss, inside an RCU read-side section. */
#ifndef DPIF_H
#define DPIF_H 1

#include <stdbool.h>
#include <stdint.h>
#include "dpif/dp-actions.h"
#include "flow.h"

struct dp_flow;
struct dp_packet;
struct dpif;
struct netdev;

struct dpif_upcall {
    const struct dp_packet *packet;     /* NULL when revalidating. */
    const struct flow *flow;            /* in_port: a datapath port. */
    long long now;
};

struct dpif_upcall_result {
    struct dp_actions actions;  /* To execute and cache; empty drops. */
    struct flow wc;             /* Bits the decision looked at. */
    void *upcall_data;          /* Kept with the megaflow. */
    bool no_install;            /* Execute, but do not cache. */
};

/* Fills 'result' (zeroed actions and mask on entry) for 'upcall'. */
typedef void dpif_upcall_cb(const struct dpif_upcall *,
                            struct dpif_upcall_result *, void *aux);

struct dpif *dpif_create(const char *name);
void dpif_destroy(struct dpif *);
const char *dpif_name(const struct dpif *);

/* 'free_data' frees what 'cb' leaves in 'upcall_data', from any
 * thread. */
void dpif_set_upcall_cb(struct dpif *, dpif_upcall_cb *,
                        void (*free_data)(void *), void *aux);

/* Calls 'cb' after the main thread has processed received packets, so
 * that the layer above can catch up (revalidate) before the next event
 * on the main loop. */
void dpif_set_after_main_batch_cb(struct dpif *, void (*cb)(void *aux),
                                  void *aux);

/* Number of datapath threads for threaded ports (at least 1). */
void dpif_set_n_threads(struct dpif *, unsigned int);
/* Megaflows beyond 'flow_limit' are not cached (default 200,000). */
void dpif_set_flow_limit(struct dpif *, uint32_t flow_limit);
uint32_t dpif_get_flow_limit(const struct dpif *);
/* One new exact-match entry per 'inv_prob' candidates (default 100). */
void dpif_set_emc_insert_inv_prob(struct dpif *, uint32_t inv_prob);
/* Whether idle datapath threads keep polling (lowest latency, a core
 * each) rather than sleep until a queue has packets (the default). */
void dpif_set_busy_poll(struct dpif *, bool busy_poll);

/* The XDP fast path (dp-offload.c): megaflows that send frames from one
 * AF_XDP port to another unchanged, looking only at Ethernet fields, are
 * copied into the ports' XDP program, which then forwards such frames in
 * the kernel.  On by default.  'wake' is called, from any thread, when a
 * new megaflow may qualify: the main thread should then call
 * dpif_offload_run() soon. */
void dpif_set_xdp_fastpath(struct dpif *, bool enable);
void dpif_set_offload_wake_cb(struct dpif *, void (*wake)(void *aux),
                              void *aux);
/* Brings the fast path in step with the megaflows.  Call it after
 * anything that may delete or change megaflows (revalidation), now and
 * then, and when woken with dpif_offload_pending() true. */
void dpif_offload_run(struct dpif *, long long now);
bool dpif_offload_pending(const struct dpif *);
/* Credits what the fast path forwarded since the last call to the
 * megaflows and to the ports' counters: call it before looking at
 * megaflows' statistics (revalidation). */
void dpif_offload_credit(struct dpif *, long long now);
/* Frames the fast path forwarded (as last read), and megaflows in it. */
void dpif_get_offload_stats(const struct dpif *, uint64_t *n_packets,
                            size_t *n_flows);

/* Adds 'netdev' (still owned by the caller, who must delete the port
 * before closing it).  Returns 0 with '*port_no' set, or -errno. */
int dpif_port_add(struct dpif *, struct netdev *, odp_port_t *port_no);
/* Removes a port; on return no thread uses it any more. */
void dpif_port_del(struct dpif *, odp_port_t);
struct netdev *dpif_port_get_netdev(const struct dpif *, odp_port_t);
/* One more than the highest port number that may be in use. */
odp_port_t dpif_port_max(const struct dpif *);

/* Megaflows, across threads.  Iteration runs inside an RCU read-side
 * section that the caller opens (rcu_read_begin()). */
void dpif_flow_for_each(struct dpif *,
                        void (*cb)(struct dp_flow *, unsigned int thread,
                                   void *aux),
                        void *aux);
/* Marks 'flow' dead at once (no lookup returns it again) and has its
 * thread remove it. */
void dpif_flow_del(struct dpif *, struct dp_flow *);
/* Deletes every megaflow. */
void dpif_flow_flush(struct dpif *);
size_t dpif_n_flows(const struct dpif *);

/* Threads, for statistics: index 0 is the main thread. */
size_t dpif_n_threads(const struct dpif *);

struct dpif_cache_stats {
    uint64_t n_packets;
    uint64_t emc_hits;
    uint64_t megaflow_hits;
    uint64_t n_probes;          /* Subtables tried for megaflow hits. */
    uint64_t n_upcalls;
    uint64_t n_not_installed;
    uint64_t n_lost;
    uint64_t n_malformed;
    uint64_t n_flows;
    uint64_t n_subtables;
};

/* Counters of thread 'i', or of all threads if 'i' is SIZE_MAX. */
void dpif_get_cache_stats(const struct dpif *, size_t i,
                          struct dpif_cache_stats *);

#endif /* dpif.h */
