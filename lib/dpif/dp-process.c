/* The fast path: what happens to a batch of received packets.  Each is
 * parsed, looked up in the thread's exact-match cache, then in its
 * megaflow classifier, and on a miss translated by an upcall whose
 * result is installed as a megaflow; then its actions run, and output
 * gathers per port until the batch is done.  Runs on the thread that
 * owns the caches, inside an RCU read-side section, without locks. */
#include <config.h>

#include <string.h>
#include "coverage.h"
#include "dp-packet.h"
#include "dpif/dp-flow.h"
#include "dpif/dpcls.h"
#include "dpif/dpif-private.h"
#include "dpif/emc.h"
#include "flow.h"
#include "netdev/netdev.h"
#include "packets.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"

COVERAGE_DEFINE(datapath_drop_rule);
COVERAGE_DEFINE(datapath_drop_table_miss);
COVERAGE_DEFINE(datapath_drop_no_output);
COVERAGE_DEFINE(datapath_drop_vlan_filtered);
COVERAGE_DEFINE(datapath_drop_reserved_multicast);
COVERAGE_DEFINE(datapath_drop_multicast_source);
COVERAGE_DEFINE(datapath_drop_input_disabled);
COVERAGE_DEFINE(datapath_drop_malformed);
COVERAGE_DEFINE(datapath_drop_translation_error);
COVERAGE_DEFINE(datapath_drop_unspecified);
COVERAGE_DEFINE(datapath_drop_port_gone);
COVERAGE_DEFINE(datapath_upcall);
COVERAGE_DEFINE(datapath_flow_limit_hit);

static void
count_drop(enum dp_drop_reason reason)
{
    switch (reason) {
    case DP_DROP_RULE:
        COVERAGE_INC(datapath_drop_rule);
        break;
    case DP_DROP_TABLE_MISS:
        COVERAGE_INC(datapath_drop_table_miss);
        break;
    case DP_DROP_NO_OUTPUT:
        COVERAGE_INC(datapath_drop_no_output);
        break;
    case DP_DROP_VLAN_FILTERED:
        COVERAGE_INC(datapath_drop_vlan_filtered);
        break;
    case DP_DROP_RESERVED_MCAST:
        COVERAGE_INC(datapath_drop_reserved_multicast);
        break;
    case DP_DROP_MCAST_SOURCE:
        COVERAGE_INC(datapath_drop_multicast_source);
        break;
    case DP_DROP_INPUT_DISABLED:
        COVERAGE_INC(datapath_drop_input_disabled);
        break;
    case DP_DROP_MALFORMED:
        COVERAGE_INC(datapath_drop_malformed);
        break;
    case DP_DROP_TRANSLATION:
        COVERAGE_INC(datapath_drop_translation_error);
        break;
    case DP_N_DROP_REASONS:
        COVERAGE_INC(datapath_drop_unspecified);
        break;
    }
}

void
dp_process_begin(struct dp_thread *t)
{
    t->now = time_msec();
    t->ports = rcu_get(t->dpif->ports);
    t->n_ports = dp_port_table_size(t->ports);
    t->emc->insert_inv_prob = __atomic_load_n(&t->dpif->emc_insert_inv_prob,
                                              __ATOMIC_RELAXED);
    if (t->n_tx < t->n_ports) {
        /* Nothing is pending between batches, so the arrays can move. */
        size_t n = t->n_ports;
        t->tx = xrealloc(t->tx, n * sizeof *t->tx);
        for (size_t i = t->n_tx; i < n; i++) {
            dp_packet_batch_init(&t->tx[i].batch);
        }
        t->pending_tx = xrealloc(t->pending_tx, n * sizeof *t->pending_tx);
        t->n_tx = n;
    }
}

static void
dp_send(struct dp_thread *t, odp_port_t port_no)
{
    struct dp_packet_batch *batch = &t->tx[port_no].batch;
    const struct dp_port *port = dp_port_table_get(t->ports, t->n_ports,
                                                   port_no);
    if (port) {
        netdev_send(port->netdev, t->index, batch);
    } else {
        COVERAGE_ADD(datapath_drop_port_gone, batch->count);
        dp_stat_add(&t->stats.n_lost, batch->count);
        dp_packet_batch_delete(batch);
    }
    dp_packet_batch_init(batch);
}

static void
dp_output(struct dp_thread *t, odp_port_t port_no, struct dp_packet *p)
{
    if (unlikely(!dp_port_table_get(t->ports, t->n_ports, port_no))) {
        COVERAGE_INC(datapath_drop_port_gone);
        dp_stat_add(&t->stats.n_lost, 1);
        dp_packet_delete(p);
        return;
    }
    struct dp_packet_batch *batch = &t->tx[port_no].batch;
    if (!batch->count) {
        t->pending_tx[t->n_pending_tx++] = port_no;
    } else if (dp_packet_batch_is_full(batch)) {
        dp_send(t, port_no);    /* Stays pending: more may follow. */
    }
    dp_packet_batch_add(batch, p);
}

void
dp_process_flush(struct dp_thread *t)
{
    for (size_t i = 0; i < t->n_pending_tx; i++) {
        odp_port_t port_no = t->pending_tx[i];
        if (t->tx[port_no].batch.count) {
            dp_send(t, port_no);
        }
    }
    t->n_pending_tx = 0;
}

static void
set_tun_metadata(struct pkt_metadata *md, int slot, bool present,
                 be64 value)
{
    md->tun_metadata[slot] = value;
    if (present) {
        md->tun_metadata_present |= 1u << slot;
    } else {
        md->tun_metadata_present &= ~(1u << slot);
    }
}

/* Runs 'actions' on 'p', which it takes. */
static void
dp_execute(struct dp_thread *t, struct dp_packet *p,
           const struct dp_action *actions, size_t n)
{
    bool counted = false;
    for (size_t i = 0; i < n; i++) {
        const struct dp_action *a = &actions[i];
        switch (a->type) {
        case DP_ACTION_OUTPUT:
            if (i == n - 1) {
                dp_output(t, a->port, p);
                return;
            }
            dp_output(t, a->port, dp_packet_clone(p));
            counted = true;
            break;
        case DP_ACTION_PUSH_VLAN:
            eth_push_vlan(p, a->vlan.tpid, a->vlan.tci);
            break;
        case DP_ACTION_POP_VLAN:
            eth_pop_vlan(p);
            break;
        case DP_ACTION_SET_ETH_SRC:
        case DP_ACTION_SET_ETH_DST:
            eth_set_addr(p, a->type == DP_ACTION_SET_ETH_SRC, a->mac);
            break;
        case DP_ACTION_SET_IPV4_SRC:
        case DP_ACTION_SET_IPV4_DST:
            ipv4_set_addr(p, a->type == DP_ACTION_SET_IPV4_SRC, a->ipv4);
            break;
        case DP_ACTION_SET_TUNNEL:
            p->md.tun_id = a->tunnel.tun_id;
            p->md.tun_src = a->tunnel.src;
            p->md.tun_dst = a->tunnel.dst;
            break;
        case DP_ACTION_SET_TUN_METADATA:
            set_tun_metadata(&p->md, a->tun_metadata.slot,
                             a->tun_metadata.present,
                             a->tun_metadata.value);
            break;
        case DP_ACTION_DROP:
            count_drop(a->reason);
            counted = true;
            break;
        }
    }
    if (!counted) {
        count_drop(DP_N_DROP_REASONS);
    }
    dp_packet_delete(p);
}

struct dp_flow *
dp_thread_install_flow(struct dp_thread *t, const struct flow *key,
                       const struct flow *mask,
                       const struct dp_actions *actions, void *upcall_data)
{
    struct dp_flow *flow = dpcls_find_exact(t->cls, key, mask);
    if (flow && !dp_flow_is_dead(flow)) {
        /* Another packet of this batch got there first. */
        dp_flow_free_upcall_data(upcall_data);
        return flow;
    }
    if (flow) {
        dp_thread_remove_flow(t, flow);
    }
    flow = dp_flow_create(key, mask, actions, t->index, t->now);
    flow->upcall_data = upcall_data;
    dpcls_insert(t->cls, flow);
    cds_list_add_rcu(&flow->list_node, &t->flows);
    __atomic_store_n(&t->n_flows, t->n_flows + 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&t->dpif->n_flows, 1, __ATOMIC_RELAXED);
    return flow;
}

static void
dp_handle_miss(struct dp_thread *t, struct dp_packet *p,
               const struct flow *key, uint32_t hash)
{
    struct dpif *dpif = t->dpif;
    struct dpif_upcall upcall = { .packet = p, .flow = key, .now = t->now };
    struct dpif_upcall_result r = { .actions = t->upcall_actions };

    COVERAGE_INC(datapath_upcall);
    dp_stat_add(&t->stats.n_upcalls, 1);
    dp_actions_clear(&r.actions);
    if (dpif->upcall_cb) {
        dpif->upcall_cb(&upcall, &r, dpif->upcall_aux);
    }
    t->upcall_actions = r.actions;  /* Keep the buffer for next time. */

    uint32_t limit = __atomic_load_n(&dpif->flow_limit, __ATOMIC_RELAXED);
    bool full = __atomic_load_n(&dpif->n_flows, __ATOMIC_RELAXED) >= limit;
    if (r.no_install || full || !dpif->upcall_cb) {
        if (full && !r.no_install) {
            COVERAGE_INC(datapath_flow_limit_hit);
        }
        dp_stat_add(&t->stats.n_not_installed, 1);
        dp_flow_free_upcall_data(r.upcall_data);
    } else {
        struct dp_flow *flow = dp_thread_install_flow(t, key, &r.wc,
                                                      &r.actions,
                                                      r.upcall_data);
        dp_flow_count(flow, 1, dp_packet_size(p), t->now);
        emc_insert(t->emc, key, hash, flow);
        dpif_offload_wake(dpif, &r.actions);
    }
    dp_execute(t, p, r.actions.actions, r.actions.n);
}

void
dp_process_batch(struct dp_thread *t, struct dp_packet_batch *batch,
                 odp_port_t port_no)
{
    dp_stat_add(&t->stats.n_packets, batch->count);
    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *p = batch->packets[i];
        struct flow key;

        if (!p->md.in_port) {
            p->md.in_port = port_no;    /* Unless the netdev said. */
        }
        if (unlikely(flow_extract(p, &key) == FLOW_PARSE_RUNT)) {
            dp_stat_add(&t->stats.n_malformed, 1);
            count_drop(DP_DROP_MALFORMED);
            dp_packet_delete(p);
            continue;
        }

        /* With the cache off (insertion probability 0), it is empty:
         * skip the hash and the two cache lines. */
        bool emc_on = t->emc->insert_inv_prob != 0;
        uint32_t hash = emc_on ? flow_hash(&key, 0) : 0;
        struct dp_flow *flow = emc_on ? emc_lookup(t->emc, &key, hash) : NULL;
        if (likely(flow)) {
            dp_stat_add(&t->stats.emc_hits, 1);
        } else {
            uint32_t n_probes = 0;
            flow = dpcls_lookup(t->cls, &key, &n_probes);
            if (!flow || dp_flow_is_dead(flow)) {
                dp_handle_miss(t, p, &key, hash);
                continue;
            }
            dp_stat_add(&t->stats.megaflow_hits, 1);
            dp_stat_add(&t->stats.n_probes, n_probes);
            emc_insert(t->emc, &key, hash, flow);
        }

        dp_flow_count(flow, 1, dp_packet_size(p), t->now);
        const struct dp_flow_actions *a = dp_flow_get_actions(flow);
        dp_execute(t, p, a->actions, a->n);
    }
    batch->count = 0;
}
