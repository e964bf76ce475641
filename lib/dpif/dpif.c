#include <config.h>
#include "dpif/dpif.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dpif/dp-flow.h"
#include "dpif/dpcls.h"
#include "dpif/dpif-private.h"
#include "netdev/netdev.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif);

enum {
    DEFAULT_FLOW_LIMIT = 200000,
    DEFAULT_EMC_INSERT_INV_PROB = 100,
};

static void dpif_port_rx_notify(struct netdev *, void *port_);

static struct dp_port_table *
port_table_create(size_t allocated)
{
    struct dp_port_table *pt = xzalloc(sizeof *pt
                                       + allocated * sizeof *pt->ports);
    pt->allocated = allocated;
    return pt;
}

struct dpif *
dpif_create(const char *name)
{
    struct dpif *dpif = xzalloc(sizeof *dpif);
    dpif->name = xstrdup(name);
    dpif->ports = port_table_create(8);
    dpif->port_hint = 1;
    dpif->flow_limit = DEFAULT_FLOW_LIMIT;
    dpif->emc_insert_inv_prob = DEFAULT_EMC_INSERT_INV_PROB;
    dpif->n_threads_wanted = 1;
    dpif->xdp_fastpath = true;
    hmap_init(&dpif->offloads);
    hmap_init(&dpif->offload_keys);
    flow_hash_init();

    /* The main thread's context. */
    dpif->threads = xmalloc(sizeof *dpif->threads);
    dpif->threads[0] = dp_thread_create(dpif, 0);
    dpif->n_threads = 1;
    return dpif;
}

static void dpif_set_threads(struct dpif *, size_t n);

void
dpif_destroy(struct dpif *dpif)
{
    if (!dpif) {
        return;
    }
    const struct dp_port_table *pt = dpif->ports;
    for (size_t i = 0; i < pt->n; i++) {
        if (pt->ports[i]) {
            dpif_port_del(dpif, i);
            pt = dpif->ports;
        }
    }
    dpif_set_xdp_fastpath(dpif, false);
    hmap_destroy(&dpif->offloads);
    hmap_destroy(&dpif->offload_keys);
    dpif_set_threads(dpif, 0);
    dp_thread_destroy(dpif->threads[0]);
    free(dpif->threads);
    rcu_postpone(free, dpif->ports);
    free(dpif->name);
    free(dpif);
}

const char *
dpif_name(const struct dpif *dpif)
{
    return dpif->name;
}

void
dpif_set_upcall_cb(struct dpif *dpif, dpif_upcall_cb *cb,
                   void (*free_data)(void *), void *aux)
{
    dpif->upcall_cb = cb;
    dpif->upcall_aux = aux;
    dp_flow_set_upcall_data_free(free_data);
}

void
dpif_set_after_main_batch_cb(struct dpif *dpif, void (*cb)(void *aux),
                             void *aux)
{
    dpif->after_main_batch = cb;
    dpif->after_main_batch_aux = aux;
}

void
dpif_set_flow_limit(struct dpif *dpif, uint32_t flow_limit)
{
    __atomic_store_n(&dpif->flow_limit, flow_limit, __ATOMIC_RELAXED);
}

uint32_t
dpif_get_flow_limit(const struct dpif *dpif)
{
    return dpif->flow_limit;
}

void
dpif_set_emc_insert_inv_prob(struct dpif *dpif, uint32_t inv_prob)
{
    /* Each thread picks it up with its next batch. */
    __atomic_store_n(&dpif->emc_insert_inv_prob, inv_prob, __ATOMIC_RELAXED);
}

void
dpif_set_busy_poll(struct dpif *dpif, bool busy_poll)
{
    __atomic_store_n(&dpif->busy_poll, busy_poll, __ATOMIC_RELAXED);
}

/* Ports. */

static struct dp_port *
dpif_get_port(const struct dpif *dpif, odp_port_t port_no)
{
    const struct dp_port_table *pt = dpif->ports;
    return port_no < pt->n ? pt->ports[port_no] : NULL;
}

struct netdev *
dpif_port_get_netdev(const struct dpif *dpif, odp_port_t port_no)
{
    struct dp_port *port = dpif_get_port(dpif, port_no);
    return port ? port->netdev : NULL;
}

odp_port_t
dpif_port_max(const struct dpif *dpif)
{
    return dpif->ports->n;
}

/* Spreads the receive queues of threaded ports over the datapath
 * threads, round robin, and tells each thread its new list. */
static void
dpif_assign_rxqs(struct dpif *dpif)
{
    size_t n_threads = dpif->n_threads - 1;
    if (!n_threads) {
        return;
    }

    /* Count first, then fill lists of the right size. */
    const struct dp_port_table *pt = dpif->ports;
    size_t n_rxqs = 0;
    for (size_t i = 0; i < pt->n; i++) {
        struct dp_port *port = pt->ports[i];
        if (port && netdev_is_threaded(port->netdev)) {
            n_rxqs += netdev_n_rxq(port->netdev);
        }
    }
    struct dp_rxq_list **lists = xmalloc(n_threads * sizeof *lists);
    for (size_t t = 0; t < n_threads; t++) {
        size_t n = n_rxqs / n_threads + (t < n_rxqs % n_threads);
        lists[t] = xzalloc(sizeof *lists[t] + n * sizeof *lists[t]->rxqs);
    }
    size_t next = 0;
    for (size_t i = 0; i < pt->n; i++) {
        struct dp_port *port = pt->ports[i];
        if (!port || !netdev_is_threaded(port->netdev)) {
            continue;
        }
        for (int q = 0; q < netdev_n_rxq(port->netdev); q++) {
            struct dp_rxq_list *list = lists[next++ % n_threads];
            list->rxqs[list->n++] = (struct dp_rxq) { port, q };
        }
    }

    for (size_t t = 0; t < n_threads; t++) {
        struct dp_thread *thread = dpif->threads[t + 1];
        struct dp_rxq_list *old = thread->rxqs;
        rcu_set(thread->rxqs, lists[t]);
        rcu_postpone(free, old);
        dp_thread_wake(thread);
    }
    free(lists);
}

/* Threaded ports need datapath threads; without them, none run. */
static bool
dpif_has_threaded_ports(const struct dpif *dpif)
{
    const struct dp_port_table *pt = dpif->ports;
    for (size_t i = 0; i < pt->n; i++) {
        if (pt->ports[i] && netdev_is_threaded(pt->ports[i]->netdev)) {
            return true;
        }
    }
    return false;
}

static void
dpif_set_threads(struct dpif *dpif, size_t n)
{
    while (dpif->n_threads - 1 > n) {
        struct dp_thread *t = dpif->threads[--dpif->n_threads];
        dp_thread_destroy(t);
    }
    if (dpif->n_threads - 1 < n) {
        dpif->threads = xrealloc(dpif->threads,
                                 (n + 1) * sizeof *dpif->threads);
        while (dpif->n_threads - 1 < n) {
            struct dp_thread *t = dp_thread_create(dpif, dpif->n_threads);
            dpif->threads[dpif->n_threads++] = t;
            dp_thread_start(t);
        }
    }
    dpif_assign_rxqs(dpif);
}

static void
dpif_update_threads(struct dpif *dpif)
{
    size_t n = dpif_has_threaded_ports(dpif) ? dpif->n_threads_wanted : 0;
    if (n != dpif->n_threads - 1) {
        VLOG_INFO("%s: %zu datapath thread(s)", dpif->name, n);
        dpif_set_threads(dpif, n);
    } else {
        dpif_assign_rxqs(dpif);
    }
}

void
dpif_set_n_threads(struct dpif *dpif, unsigned int n)
{
    n = MAX(n, 1);
    if (n != dpif->n_threads_wanted) {
        dpif->n_threads_wanted = n;
        dpif_update_threads(dpif);
    }
}

/* Puts 'port' into slot 'port_no' of the port table, which grows (by
 * doubling, into a new table that readers switch to) if it must. */
static void
port_table_set(struct dpif *dpif, odp_port_t port_no, struct dp_port *port)
{
    struct dp_port_table *pt = dpif->ports;
    if (port_no >= pt->allocated) {
        struct dp_port_table *bigger = port_table_create(
            MAX(pt->allocated * 2, port_no + 1));
        memcpy(bigger->ports, pt->ports, pt->n * sizeof *pt->ports);
        bigger->n = pt->n;
        rcu_set(dpif->ports, bigger);
        rcu_postpone(free, pt);
        pt = bigger;
    }
    __atomic_store_n(&pt->ports[port_no], port, __ATOMIC_RELEASE);
    if (port_no >= pt->n) {
        __atomic_store_n(&pt->n, port_no + 1, __ATOMIC_RELEASE);
    }
}

int
dpif_port_add(struct dpif *dpif, struct netdev *netdev, odp_port_t *port_no)
{
    const struct dp_port_table *pt = dpif->ports;
    size_t i = MAX(dpif->port_hint, 1);
    while (i < pt->n && pt->ports[i]) {
        i++;
    }
    if (i >= DPIF_MAX_PORTS) {
        return -EFBIG;
    }
    dpif->port_hint = i + 1;

    struct dp_port *port = xzalloc(sizeof *port);
    port->port_no = i;
    port->netdev = netdev;
    port->dpif = dpif;
    netdev_set_dp_port_no(netdev, i);
    port_table_set(dpif, i, port);

    if (netdev_is_threaded(netdev)) {
        dpif_update_threads(dpif);
    } else {
        netdev_set_rx_notify(netdev, dpif_port_rx_notify, port);
    }
    *port_no = i;
    VLOG_DBG("%s: added port %zu (%s)", dpif->name, i,
             netdev_get_name(netdev));
    return 0;
}

void
dpif_port_del(struct dpif *dpif, odp_port_t port_no)
{
    struct dp_port *port = dpif_get_port(dpif, port_no);
    if (!port) {
        return;
    }
    port_table_set(dpif, port_no, NULL);
    dpif->port_hint = MIN(dpif->port_hint, port_no);

    bool threaded = netdev_is_threaded(port->netdev);
    if (threaded) {
        dpif_update_threads(dpif);
    } else {
        netdev_set_rx_notify(port->netdev, NULL, NULL);
    }

    /* Megaflows may name the port's number, which a new port may soon
     * take: they go now, before anyone can reuse it. */
    dpif_flow_flush(dpif);

    /* No thread may still be sending to or reading from the port when
     * the caller closes its netdev, nor polling its fds (all were woken
     * above, with their new queue lists). */
    rcu_wait_readers();
    for (size_t i = 1; threaded && i < dpif->n_threads; i++) {
        dp_thread_wait_awake(dpif->threads[i]);
    }
    netdev_set_dp_port_no(port->netdev, 0);
    free(port);
}

static void
dpif_port_rx_notify(struct netdev *netdev, void *port_)
{
    struct dp_port *port = port_;
    struct dp_thread *main_ctx = port->dpif->threads[0];
    struct dp_packet_batch batch;

    rcu_read_begin();
    dp_thread_run_commands(main_ctx);
    for (;;) {
        dp_packet_batch_init(&batch);
        if (netdev_rxq_recv(netdev, 0, &batch)) {
            break;
        }
        dp_process_begin(main_ctx);
        dp_process_batch(main_ctx, &batch, port->port_no);
        dp_process_flush(main_ctx);
    }
    rcu_read_end();

    struct dpif *dpif = port->dpif;
    if (dpif->after_main_batch) {
        dpif->after_main_batch(dpif->after_main_batch_aux);
    }
}

/* Flows. */

void
dpif_flow_for_each(struct dpif *dpif,
                   void (*cb)(struct dp_flow *, unsigned int thread,
                              void *aux),
                   void *aux)
{
    for (size_t i = 0; i < dpif->n_threads; i++) {
        struct dp_thread *t = dpif->threads[i];
        struct dp_flow *flow;
        cds_list_for_each_entry_rcu (flow, &t->flows, list_node) {
            cb(flow, i, aux);
        }
    }
}

void
dpif_flow_del(struct dpif *dpif, struct dp_flow *flow)
{
    if (dp_flow_is_dead(flow)) {
        return;
    }
    dp_flow_mark_dead(flow);

    /* A thread that goes away removes its flows and marks them dead, so
     * a live flow's owner is still there. */
    struct dp_thread *owner = dpif->threads[flow->owner];
    if (!owner->index) {
        dp_thread_remove_flow(owner, flow);
        return;
    }
    struct dp_cmd *cmd = xzalloc(sizeof *cmd);
    cds_wfcq_node_init(&cmd->node);
    cmd->type = DP_CMD_DEL_FLOW;
    cmd->flow = flow;
    dp_flow_ref(flow);
    cds_wfcq_enqueue(&owner->cmd_head, &owner->cmd_tail, &cmd->node);
    dp_thread_wake(owner);
}

static void
flush_cb(struct dp_flow *flow, unsigned int thread, void *dpif)
{
    dpif_flow_del(dpif, flow);
}

void
dpif_flow_flush(struct dpif *dpif)
{
    rcu_read_begin();
    dpif_flow_for_each(dpif, flush_cb, dpif);
    rcu_read_end();
    dpif_offload_run(dpif, time_msec());
}

size_t
dpif_n_flows(const struct dpif *dpif)
{
    return __atomic_load_n(&dpif->n_flows, __ATOMIC_RELAXED);
}

size_t
dpif_n_threads(const struct dpif *dpif)
{
    return dpif->n_threads;
}

static void
add_thread_stats(const struct dp_thread *t, struct dpif_cache_stats *s)
{
#define ADD(FIELD) \
    s->FIELD += __atomic_load_n(&t->stats.FIELD, __ATOMIC_RELAXED)
    ADD(n_packets);
    ADD(emc_hits);
    ADD(megaflow_hits);
    ADD(n_probes);
    ADD(n_upcalls);
    ADD(n_not_installed);
    ADD(n_lost);
    ADD(n_malformed);
#undef ADD
    s->n_flows += __atomic_load_n(&t->n_flows, __ATOMIC_RELAXED);
    s->n_subtables += dpcls_n_subtables(t->cls);
}

void
dpif_get_cache_stats(const struct dpif *dpif, size_t i,
                     struct dpif_cache_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    rcu_read_begin();
    for (size_t j = 0; j < dpif->n_threads; j++) {
        if (i == SIZE_MAX || i == j) {
            add_thread_stats(dpif->threads[j], stats);
        }
    }
    rcu_read_end();
}
