/* The kernel fast path: megaflows copied into the XDP program that
 * AF_XDP ports run (netdev/xdp-fastpath.h), so that their frames go from
 * one device to the other inside the kernel's driver, never reaching a
 * datapath thread.
 *
 * A megaflow qualifies when its mask covers only what the program reads
 * (the input port and the Ethernet and VLAN fields) and its actions are
 * a single output, unchanged, to another port in the fast path.  In
 * native mode, toward a device that cannot transmit frames XDP
 * redirects (a veth whose peer does not poll), the entry is served by
 * the program's tc half instead; so are entries from ports on a packet
 * socket, whose socket filter finds them, and entries from and to
 * tunnel ports (tc decapsulates and encapsulates).  Everything else
 * stays in userspace.
 *
 * The main thread keeps the copy in step: dpif_offload_run() removes
 * entries whose megaflow died or changed and adds qualifying megaflows;
 * dpif_offload_credit(), which the revalidator calls before it looks at
 * any megaflow, credits what the kernel counted to the megaflows (so
 * that rule counters, MAC aging and idle expiry see the traffic) and to
 * both ports' counters.  Dead megaflows leave the table in the same
 * main-loop turn that killed them (dpif_flow_flush(), and the caller
 * runs this after revalidating). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "coverage.h"
#include "dpif/dp-flow.h"
#include "dpif/dpif-private.h"
#include "hash.h"
#include "netdev/netdev.h"
#include "netdev/xdp-fastpath.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"

COVERAGE_DEFINE(xdp_fastpath_added);
COVERAGE_DEFINE(xdp_fastpath_removed);
COVERAGE_DEFINE(xdp_fastpath_full);
COVERAGE_DEFINE(xdp_fastpath_tc_lost);

/* What a megaflow's entry would be. */
struct offload_plan {
    struct swxdp_key key;       /* Masked; mask_id 0. */
    struct swxdp_key mask;
    odp_port_t in_port, out_port;
    uint32_t out_ifindex;
    bool xdp_ok;                /* XDP may redirect to the output; else
                                 * the entry is served by tc. */
};

/* A megaflow in the fast path. */
struct dp_offload {
    struct hmap_node node;      /* In dpif->offloads, by flow address. */
    struct hmap_node key_node;  /* In dpif->offload_keys, by match. */
    struct dp_flow *flow;       /* Holds a reference. */
    struct offload_plan plan;   /* What its entry was made from. */
    uint8_t mask_id;            /* The entry's key is plan.key with it. */
    uint64_t n_packets, n_bytes;        /* The entry's, as last read. */
    bool seen;                  /* Still wanted, this run. */
};

/* Whether native-mode frames may be redirected out of an ifindex, asked
 * of the kernel once per run per device. */
struct xmit_cache {
    size_t n;
    struct { int ifindex; bool ok; } e[64];
};

static bool
xmit_ok(struct xmit_cache *c, int ifindex)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->e[i].ifindex == ifindex) {
            return c->e[i].ok;
        }
    }
    bool ok = swxdp_can_xmit(ifindex);     /* A netlink round trip. */
    if (c->n < ARRAY_SIZE(c->e)) {
        c->e[c->n].ifindex = ifindex;
        c->e[c->n++].ok = ok;
    }
    return ok;
}

static bool
is_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return false;
        }
    }
    return true;
}

/* The tunnel fields of a flow: everything before in_port, and which
 * Geneve options are there. */
static bool
tunnel_is_zero(const struct flow *f)
{
    return is_zero(f, offsetof(struct flow, in_port))
           && !f->tun_metadata_present;
}

static void
tunnel_clear(struct flow *f)
{
    memset(f, 0, offsetof(struct flow, in_port));
    f->tun_metadata_present = 0;
}

#define CLEAR(FLOW, FIELD) memset(&(FLOW).FIELD, 0, sizeof (FLOW).FIELD)

/* True if 'mask' looks at nothing the XDP program does not read, given
 * that frames from AF_XDP ports carry no tunnel metadata. */
static bool
mask_fits(const struct flow *key, const struct flow *mask)
{
    if (mask->in_port != UINT32_MAX) {
        return false;
    }
    struct flow rest = *mask;
    CLEAR(rest, in_port);
    CLEAR(rest, dl_dst);
    CLEAR(rest, dl_src);
    CLEAR(rest, dl_type);
    CLEAR(rest, vlans);
    if (tunnel_is_zero(key)) {
        /* The key wants no tunnel: so do frames from AF_XDP ports. */
        tunnel_clear(&rest);
    }
    return is_zero(&rest, sizeof rest);
}

static void
fill_key(struct swxdp_key *k, const struct flow *f, uint32_t ifindex)
{
    memset(k, 0, sizeof *k);
    k->ifindex = ifindex;
    memcpy(k->dl_dst, f->dl_dst.ea, sizeof k->dl_dst);
    memcpy(k->dl_src, f->dl_src.ea, sizeof k->dl_src);
    k->dl_type = f->dl_type;
    for (int i = 0; i < SWXDP_MAX_VLANS; i++) {
        k->vlan_tpid[i] = f->vlans[i].tpid;
        k->vlan_tci[i] = f->vlans[i].tci;
    }
}

/* Fills 'plan' and returns true if 'flow' qualifies. */
static bool
plan_offload(const struct dpif *dpif, const struct dp_flow *flow,
             struct xmit_cache *xc, struct offload_plan *plan)
{
    if (dp_flow_is_dead(flow) || !mask_fits(&flow->key, &flow->mask)) {
        return false;
    }
    const struct dp_flow_actions *acts = dp_flow_get_actions(flow);
    if (acts->n != 1 || acts->actions[0].type != DP_ACTION_OUTPUT) {
        return false;
    }
    const struct dp_port_table *pt = rcu_get(dpif->ports);
    size_t n = dp_port_table_size(pt);
    odp_port_t in = flow->key.in_port, out = acts->actions[0].port;
    const struct dp_port *in_port = dp_port_table_get(pt, n, in);
    const struct dp_port *out_port = dp_port_table_get(pt, n, out);
    if (!in_port || !out_port) {
        return false;
    }
    const struct swxdp_device *in_dev = netdev_get_fastpath(in_port->netdev);
    const struct swxdp_device *out_dev
        = netdev_get_fastpath(out_port->netdev);
    if (!in_dev || !out_dev) {
        return false;
    }
    int in_ifindex = swxdp_device_ifindex(in_dev);
    int out_ifindex = swxdp_device_ifindex(out_dev);
    /* A packet socket's device runs no XDP: its entries are tc's; so
     * are a tunnel's, both ways, and one tunnel to another not at all. */
    enum swxdp_hook hook = swxdp_device_hook(in_dev);
    enum swxdp_hook out_hook = swxdp_device_hook(out_dev);
    if (out_hook == SWXDP_HOOK_TUNNEL
        && (hook == SWXDP_HOOK_TUNNEL || !swxdp_device_has_tc(out_dev))) {
        return false;
    }
    plan->xdp_ok = (out_hook != SWXDP_HOOK_TUNNEL
                    && (hook == SWXDP_HOOK_GENERIC
                        || (hook == SWXDP_HOOK_NATIVE
                            && xmit_ok(xc, out_ifindex))));
    /* tc sees no tag: the stack has taken it off by then, and the XDP
     * program and the socket filter pass tagged frames to userspace.
     * (The key is masked: a tag shows in its TCI, with VLAN_CFI.) */
    if (!plan->xdp_ok && (!swxdp_device_has_tc(in_dev)
                          || flow->key.vlans[0].tci)) {
        return false;
    }

    fill_key(&plan->key, &flow->key, in_ifindex);   /* Already masked. */
    fill_key(&plan->mask, &flow->mask, UINT32_MAX);
    plan->in_port = in;
    plan->out_port = out;
    plan->out_ifindex = out_ifindex;
    return true;
}

static struct dp_offload *
offload_find(const struct dpif *dpif, const struct dp_flow *flow)
{
    struct dp_offload *o;
    HMAP_FOR_EACH_WITH_HASH (o, node, hash_uint64((uintptr_t) flow, 0),
                             &dpif->offloads) {
        if (o->flow == flow) {
            return o;
        }
    }
    return NULL;
}

/* A plan's match: its masked key and mask. */
static uint32_t
match_hash(const struct offload_plan *plan)
{
    return hash_bytes(&plan->mask, sizeof plan->mask,
                      hash_bytes(&plan->key, sizeof plan->key, 0));
}

static bool
match_equal(const struct offload_plan *a, const struct offload_plan *b)
{
    return (!memcmp(&a->key, &b->key, sizeof a->key)
            && !memcmp(&a->mask, &b->mask, sizeof a->mask));
}

static bool
plan_equal(const struct offload_plan *a, const struct offload_plan *b)
{
    return (match_equal(a, b) && a->in_port == b->in_port
            && a->out_port == b->out_port && a->out_ifindex == b->out_ifindex
            && a->xdp_ok == b->xdp_ok);
}

/* The key of 'o''s entry in the fast path table. */
static struct swxdp_key
entry_key(const struct dp_offload *o)
{
    struct swxdp_key key = o->plan.key;
    key.mask_id = o->mask_id;
    return key;
}

/* The offload that owns the entry for 'plan''s match, if any. */
static struct dp_offload *
offload_find_match(const struct dpif *dpif, const struct offload_plan *plan)
{
    struct dp_offload *o;
    HMAP_FOR_EACH_WITH_HASH (o, key_node, match_hash(plan),
                             &dpif->offload_keys) {
        if (match_equal(&o->plan, plan)) {
            return o;
        }
    }
    return NULL;
}

/* Credits what the kernel counted for 'o' since the last read. */
static void
offload_credit(struct dpif *dpif, struct dp_offload *o, long long now)
{
    uint64_t n_packets, n_bytes;
    struct swxdp_key key = entry_key(o);
    if (swxdp_flow_stats(&key, &n_packets, &n_bytes)
        || n_packets <= o->n_packets) {
        return;
    }
    uint64_t dp = n_packets - o->n_packets, db = n_bytes - o->n_bytes;
    o->n_packets = n_packets;
    o->n_bytes = n_bytes;
    dpif->xdp_n_packets += dp;

    struct dp_flow *flow = o->flow;
    __atomic_store_n(&flow->xdp_packets, flow->xdp_packets + dp,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&flow->xdp_bytes, flow->xdp_bytes + db,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&flow->xdp_used, now, __ATOMIC_RELAXED);

    const struct dp_port_table *pt = rcu_get(dpif->ports);
    size_t n = dp_port_table_size(pt);
    const struct dp_port *in = dp_port_table_get(pt, n, o->plan.in_port);
    const struct dp_port *out = dp_port_table_get(pt, n, o->plan.out_port);
    if (in) {
        netdev_count_xdp(in->netdev, true, dp, db);
    }
    if (out) {
        netdev_count_xdp(out->netdev, false, dp, db);
    }
}

static void
offload_remove(struct dpif *dpif, struct dp_offload *o, long long now)
{
    offload_credit(dpif, o, now);
    struct swxdp_key key = entry_key(o);
    swxdp_flow_del(&key);
    swxdp_mask_unref(o->mask_id, now);
    __atomic_store_n(&o->flow->offloaded, DP_FLOW_OFFLOAD_NONE,
                     __ATOMIC_RELAXED);
    hmap_remove(&dpif->offloads, &o->node);
    hmap_remove(&dpif->offload_keys, &o->key_node);
    dp_flow_unref(o->flow);
    free(o);
    COVERAGE_INC(xdp_fastpath_removed);
}

static void
offload_add(struct dpif *dpif, struct dp_flow *flow,
            const struct offload_plan *plan, long long now)
{
    /* Threads have classifiers of their own, so two live megaflows may
     * have one match (a connection per receive queue, say): the first
     * owns the entry and gets its counts. */
    if (offload_find_match(dpif, plan)) {
        return;
    }
    int mask_id = swxdp_mask_ref(&plan->mask, now);
    if (mask_id < 0) {
        COVERAGE_INC(xdp_fastpath_full);
        return;
    }
    struct swxdp_key key = plan->key;
    key.mask_id = mask_id;
    if (swxdp_flow_put(&key, plan->out_ifindex, plan->xdp_ok)) {
        swxdp_mask_unref(mask_id, now);
        COVERAGE_INC(xdp_fastpath_full);
        return;
    }

    struct dp_offload *o = xzalloc(sizeof *o);
    o->flow = flow;
    dp_flow_ref(flow);
    o->plan = *plan;
    o->mask_id = mask_id;
    o->seen = true;
    hmap_insert(&dpif->offloads, &o->node, hash_uint64((uintptr_t) flow, 0));
    hmap_insert(&dpif->offload_keys, &o->key_node, match_hash(plan));
    __atomic_store_n(&flow->offloaded, (plan->xdp_ok ? DP_FLOW_OFFLOAD_XDP
                                        : DP_FLOW_OFFLOAD_TC),
                     __ATOMIC_RELAXED);
    COVERAGE_INC(xdp_fastpath_added);
}

struct run_ctx {
    struct dpif *dpif;
    struct xmit_cache xc;
    struct offload_add {
        struct dp_flow *flow;
        struct offload_plan plan;
    } *adds;
    size_t n_adds, allocated_adds;
};

/* Marks the entry of 'flow' as still right, or notes that it needs one;
 * entries that are wrong now stay unmarked and go first. */
static void
sync_flow(struct dp_flow *flow, unsigned int thread, void *ctx_)
{
    struct run_ctx *ctx = ctx_;
    struct offload_plan plan;
    bool wanted = plan_offload(ctx->dpif, flow, &ctx->xc, &plan);
    struct dp_offload *o = offload_find(ctx->dpif, flow);
    if (o && wanted && plan_equal(&o->plan, &plan)) {
        o->seen = true;
    } else if (wanted) {
        if (ctx->n_adds == ctx->allocated_adds) {
            ctx->allocated_adds = 2 * ctx->allocated_adds + 8;
            ctx->adds = xrealloc(ctx->adds,
                                 ctx->allocated_adds * sizeof *ctx->adds);
        }
        ctx->adds[ctx->n_adds].flow = flow;
        ctx->adds[ctx->n_adds++].plan = plan;
    }
}

void
dpif_offload_credit(struct dpif *dpif, long long now)
{
    struct dp_offload *o;
    HMAP_FOR_EACH (o, node, &dpif->offloads) {
        offload_credit(dpif, o, now);
    }
}

void
dpif_offload_run(struct dpif *dpif, long long now)
{
    __atomic_store_n(&dpif->offload_pending, false, __ATOMIC_RELAXED);
    swxdp_heartbeat();

    /* Frames the tc half dropped because their output went while they
     * were on their way from XDP. */
    uint64_t tc_missed = swxdp_tc_missed();
    if (tc_missed > dpif->xdp_tc_missed) {
        COVERAGE_ADD(xdp_fastpath_tc_lost, tc_missed - dpif->xdp_tc_missed);
        dpif->xdp_tc_missed = tc_missed;
    }
    struct dp_offload *o;
    HMAP_FOR_EACH (o, node, &dpif->offloads) {
        o->seen = false;
    }

    struct run_ctx ctx = { .dpif = dpif };
    rcu_read_begin();
    if (dpif->xdp_fastpath) {
        dpif_flow_for_each(dpif, sync_flow, &ctx);
    }

    /* Entries that are wrong now, whose megaflow left every thread's
     * list, or all of them when the fast path is off, go before any
     * comes (a new one may have the same key). */
    HMAP_FOR_EACH (o, node, &dpif->offloads) {
        if (!o->seen) {
            offload_remove(dpif, o, now);
        }
    }
    for (size_t i = 0; i < ctx.n_adds; i++) {
        offload_add(dpif, ctx.adds[i].flow, &ctx.adds[i].plan, now);
    }
    rcu_read_end();
    free(ctx.adds);
}

bool
dpif_offload_pending(const struct dpif *dpif)
{
    return __atomic_load_n(&dpif->offload_pending, __ATOMIC_RELAXED);
}

void
dpif_get_offload_stats(const struct dpif *dpif, uint64_t *n_packets,
                       size_t *n_flows)
{
    *n_packets = dpif->xdp_n_packets;
    *n_flows = hmap_count(&dpif->offloads);
}

void
dpif_set_xdp_fastpath(struct dpif *dpif, bool enable)
{
    if (dpif->xdp_fastpath != enable) {
        dpif->xdp_fastpath = enable;
        dpif_offload_run(dpif, time_msec());
    }
}

void
dpif_set_offload_wake_cb(struct dpif *dpif, void (*wake)(void *aux),
                         void *aux)
{
    dpif->offload_wake = wake;
    dpif->offload_wake_aux = aux;
}

void
dpif_offload_wake(struct dpif *dpif, const struct dp_actions *actions)
{
    if (dpif->offload_wake && actions->n == 1
        && actions->actions[0].type == DP_ACTION_OUTPUT
        && __atomic_load_n(&dpif->xdp_fastpath, __ATOMIC_RELAXED)) {
        __atomic_store_n(&dpif->offload_pending, true, __ATOMIC_RELAXED);
        dpif->offload_wake(dpif->offload_wake_aux);
    }
}
