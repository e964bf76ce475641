/* Megaflows: the datapath's cached decisions.  A megaflow matches every
 * packet whose flow key, ANDed with the megaflow's mask, equals its key,
 * and carries the datapath actions to apply to them.
 *
 * Each megaflow belongs to the datapath thread that installed it (its
 * "owner"), which alone inserts it into and removes it from its
 * classifier and its list of flows.  Other threads may read a megaflow
 * under RCU: its key and mask never change; its actions are replaced
 * whole (rcu_set) by the revalidator; its statistics are written only by
 * the owner; 'dead' is set by whoever decides the flow must go, after
 * which lookups ignore it.  Memory is freed when the last reference (the
 * classifier's, or an exact-match cache entry's) goes, after a grace
 * period. */
#ifndef DP_FLOW_H
#define DP_FLOW_H 1

#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>
#include "dpif/dp-actions.h"
#include "flow.h"

struct ds;

struct dp_flow_actions {
    size_t n;
    struct dp_action actions[];
};

/* Where the kernel forwards a megaflow's frames itself (dp-offload.c). */
enum dp_flow_offload {
    DP_FLOW_OFFLOAD_NONE,
    DP_FLOW_OFFLOAD_XDP,        /* The XDP program redirects them. */
    DP_FLOW_OFFLOAD_TC,         /* It passes them to its tc half. */
};

struct dp_flow {
    /* Immutable once installed. */
    struct flow key;            /* Already masked. */
    struct flow mask;
    uint64_t id;                /* Unique, for dumps and logs. */
    unsigned int owner;         /* Datapath thread index. */
    long long created;          /* time_msec(). */

    /* Shared, accessed atomically. */
    struct dp_flow_actions *actions;    /* RCU. */
    bool dead;
    unsigned int ref_cnt;

    /* Written by the owner only (relaxed atomics so readers see whole
     * values). */
    uint64_t n_packets;
    uint64_t n_bytes;
    long long used;             /* time_msec() of the last packet, or 0. */

    /* Owner only. */
    uint32_t hash;              /* In its classifier subtable. */
    bool in_classifier;
    struct cds_list_head list_node;     /* In the owner's flow list. */

    /* The XDP fast path's (dp-offload.c, main thread; relaxed atomics so
     * readers see whole values): what the kernel forwarded for the
     * megaflow, and whether it is in the fast path now. */
    uint64_t xdp_packets;
    uint64_t xdp_bytes;
    long long xdp_used;
    uint8_t offloaded;          /* enum dp_flow_offload. */

    /* The upcall layer's: what the translation touched, and what of the
     * statistics it has already credited.  Main thread only. */
    void *upcall_data;
    uint64_t pushed_packets;
    uint64_t pushed_bytes;
};

/* A new megaflow for packets matching 'key' under 'mask', holding one
 * reference, with a copy of 'actions'. */
struct dp_flow *dp_flow_create(const struct flow *key, const struct flow *mask,
                               const struct dp_actions *actions,
                               unsigned int owner, long long now);

void dp_flow_ref(struct dp_flow *);
/* Drops a reference; the last one frees the flow after a grace period,
 * calling 'upcall_data_free' (if set) on its upcall data. */
void dp_flow_unref(struct dp_flow *);
void dp_flow_set_upcall_data_free(void (*)(void *));
/* Frees upcall data that never made it into a flow. */
void dp_flow_free_upcall_data(void *);

static inline bool
dp_flow_is_dead(const struct dp_flow *flow)
{
    return __atomic_load_n(&flow->dead, __ATOMIC_ACQUIRE);
}

static inline void
dp_flow_mark_dead(struct dp_flow *flow)
{
    __atomic_store_n(&flow->dead, true, __ATOMIC_RELEASE);
}

/* Current actions, valid until the next quiescent state. */
const struct dp_flow_actions *dp_flow_get_actions(const struct dp_flow *);

/* Replaces the actions (the old ones are freed after a grace period). */
void dp_flow_set_actions(struct dp_flow *, const struct dp_actions *);

/* True if the flow's actions equal 'actions'. */
bool dp_flow_actions_equal(const struct dp_flow *, const struct dp_actions *);

/* Owner: counts 'n_packets' packets of 'n_bytes' bytes at 'now'. */
static inline void
dp_flow_count(struct dp_flow *flow, uint32_t n_packets, uint32_t n_bytes,
              long long now)
{
    __atomic_store_n(&flow->n_packets, flow->n_packets + n_packets,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&flow->n_bytes, flow->n_bytes + n_bytes,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&flow->used, now, __ATOMIC_RELAXED);
}

struct dp_flow_stats {
    uint64_t n_packets;
    uint64_t n_bytes;
    long long used;
};

void dp_flow_get_stats(const struct dp_flow *, struct dp_flow_stats *);

/* Appends the megaflow's match in datapath syntax:
 * "in_port(1),eth(src=...,dst=...),eth_type(0x0800),ipv4(dst=10.0.0.0/
 * 255.0.0.0)", naming only fields the mask covers. */
void dp_flow_format_match(const struct flow *key, const struct flow *mask,
                          const char *(*port_name)(odp_port_t, void *aux),
                          void *aux, struct ds *);

#endif /* dp-flow.h */
