/* The datapath's insides, shared by dpif.c (control: ports, threads,
 * flows), dp-thread.c (the polling loop) and dp-process.c (what happens
 * to a batch).  Nothing outside lib/dpif/ includes this.
 *
 * Who may touch what:
 *   - struct dpif's control fields and the set of threads: the main
 *     thread only.
 *   - dpif->ports (the port table): its slots are filled and emptied in
 *     place by the main thread, which replaces the table (rcu_set) only
 *     to make it bigger; every thread reads it (dp_port_table_size(),
 *     dp_port_table_get()).
 *   - each thread's 'rxqs': replaced whole by the main thread (rcu_set),
 *     read by every thread.
 *   - a thread's EMC, classifier, flow list and statistics: written by
 *     that thread only ("owner"); the flow list and statistics are read
 *     by the main thread under RCU.
 *   - a thread's command queue: the main thread enqueues, the owner
 *     dequeues. */
#ifndef DPIF_PRIVATE_H
#define DPIF_PRIVATE_H 1

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>
#include <urcu/wfcqueue.h>
#include "dp-packet.h"
#include "dpif/dpif.h"
#include "hmap.h"

struct dp_flow;
struct dpcls;
struct emc;
struct netdev;

enum { DPIF_MAX_PORTS = 65536 };

struct dp_port {
    odp_port_t port_no;
    struct netdev *netdev;
    struct dpif *dpif;
};

/* The ports, indexed by number.  Adding a port writes its slot and then
 * publishes a larger 'n', so a reader that took 'n' once sees each slot
 * below it either empty or filled with a whole port; copying the table
 * per port would cost O(ports) for each one added. */
struct dp_port_table {
    size_t n;                   /* Slots that may be in use. */
    size_t allocated;           /* Size of 'ports'. */
    struct dp_port *ports[];    /* NULL where free. */
};

static inline size_t
dp_port_table_size(const struct dp_port_table *pt)
{
    return __atomic_load_n(&pt->n, __ATOMIC_ACQUIRE);
}

/* Port 'port_no' of 'pt', or NULL, for a reader that took 'n' from
 * dp_port_table_size(). */
static inline struct dp_port *
dp_port_table_get(const struct dp_port_table *pt, size_t n, size_t port_no)
{
    return (port_no < n
            ? __atomic_load_n(&pt->ports[port_no], __ATOMIC_ACQUIRE)
            : NULL);
}

/* The receive queues one thread polls. */
struct dp_rxq_list {
    size_t n;
    struct dp_rxq {
        struct dp_port *port;
        int qid;
    } rxqs[];
};

/* Per-thread counters, written by the owner with relaxed stores. */
struct dp_thread_stats {
    uint64_t n_packets;         /* Received. */
    uint64_t emc_hits;
    uint64_t megaflow_hits;
    uint64_t n_probes;          /* Subtables tried on megaflow hits. */
    uint64_t n_upcalls;         /* Misses sent up for translation. */
    uint64_t n_not_installed;   /* Upcalls whose flow was not cached. */
    uint64_t n_lost;            /* Sent to a port that is gone. */
    uint64_t n_malformed;       /* Too short to parse. */
};

enum dp_cmd_type {
    DP_CMD_DEL_FLOW,            /* Remove 'flow' (holds a reference). */
};

struct dp_cmd {
    struct cds_wfcq_node node;
    enum dp_cmd_type type;
    struct dp_flow *flow;
};

/* Output gathered during one batch, per port. */
struct dp_tx {
    struct dp_packet_batch batch;
};

struct dp_thread {
    struct dpif *dpif;
    unsigned int index;         /* 0: the main thread's context. */
    pthread_t thread;
    bool exit;                  /* Set by the main thread. */
    int wake_fd;                /* eventfd: commands or rxqs changed. */
    unsigned int sleep_seq;     /* Odd while in poll() (atomic). */

    struct dp_rxq_list *rxqs;   /* RCU. */
    struct emc *emc;
    struct dpcls *cls;
    struct cds_list_head flows; /* RCU list of struct dp_flow. */
    size_t n_flows;

    struct cds_wfcq_head cmd_head;
    struct cds_wfcq_tail cmd_tail;

    /* Scratch for one batch, owner only. */
    const struct dp_port_table *ports;  /* Taken for this batch... */
    size_t n_ports;                     /* ...with its size then. */
    struct dp_tx *tx;           /* Indexed by port number. */
    size_t n_tx;                /* Size of 'tx'. */
    odp_port_t *pending_tx;     /* Ports with output in 'tx'. */
    size_t n_pending_tx;
    struct dp_actions upcall_actions;

    long long now;              /* time_msec() at the start of the batch. */
    long long next_rank;        /* When to re-rank subtables. */
    struct dp_thread_stats stats;
};

struct dpif {
    char *name;
    struct dp_port_table *ports;    /* RCU. */
    size_t port_hint;               /* No free port number is below. */

    /* Index 0 is the main thread's context (ports the main thread
     * serves); 1...n_threads-1 are datapath threads. */
    struct dp_thread **threads;
    size_t n_threads;
    unsigned int n_threads_wanted;

    dpif_upcall_cb *upcall_cb;
    void *upcall_aux;
    void (*after_main_batch)(void *aux);
    void *after_main_batch_aux;

    /* The XDP fast path (dp-offload.c): main thread, but 'xdp_fastpath'
     * and the wake callback are read by every thread. */
    bool xdp_fastpath;
    struct hmap offloads;           /* struct dp_offload, by flow. */
    struct hmap offload_keys;       /* The same, by match. */
    bool offload_pending;           /* Atomic: a new flow may qualify. */
    uint64_t xdp_n_packets;         /* Forwarded by it, all time. */
    uint64_t xdp_tc_missed;         /* swxdp_tc_missed(), as last read. */
    void (*offload_wake)(void *aux);
    void *offload_wake_aux;

    uint32_t flow_limit;            /* Read by every thread. */
    uint32_t emc_insert_inv_prob;
    bool busy_poll;             /* Atomic: threads read it each loop. */
    unsigned int n_flows;           /* All threads; atomic. */
};

/* dp-thread.c */
struct dp_thread *dp_thread_create(struct dpif *, unsigned int index);
void dp_thread_start(struct dp_thread *);
void dp_thread_destroy(struct dp_thread *);
void dp_thread_wake(struct dp_thread *);
/* Waits until 't' is out of any poll() it began before the call (it must
 * have been woken): a closed fd stays open in the kernel while a poll()
 * holds it, so a port's socket is only gone, and its address free to
 * bind again, once every thread has left such a poll(). */
void dp_thread_wait_awake(struct dp_thread *);
/* The owner's half of command handling, and of flow removal. */
void dp_thread_run_commands(struct dp_thread *);
void dp_thread_remove_flow(struct dp_thread *, struct dp_flow *);

/* dp-offload.c */
/* From any thread, after installing a megaflow with 'actions': wakes the
 * main thread if the megaflow may go to the XDP fast path. */
void dpif_offload_wake(struct dpif *, const struct dp_actions *actions);

/* dp-process.c */
/* Processes 'batch' received on 'port_no' and sends what it produced. */
void dp_process_batch(struct dp_thread *, struct dp_packet_batch *,
                      odp_port_t port_no);
/* Owner: installs a megaflow (unless an equal live one is there, which
 * it returns instead, freeing 'upcall_data'). */
struct dp_flow *dp_thread_install_flow(struct dp_thread *,
                                       const struct flow *key,
                                       const struct flow *mask,
                                       const struct dp_actions *,
                                       void *upcall_data);
/* Sends what the batches since the last call produced. */
void dp_process_flush(struct dp_thread *);
/* Begins a batch: takes the port table snapshot and the time. */
void dp_process_begin(struct dp_thread *);

static inline void
dp_stat_add(uint64_t *counter, uint64_t n)
{
    __atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED);
}

#endif /* dpif-private.h */
