/* Datapath threads: each polls its receive queues, processes what
 * arrives, announces an RCU quiescent state per loop, and sleeps in
 * poll() when its queues stay empty, so that an idle switch costs no
 * CPU.  The main thread talks to a thread only through its command
 * queue, its rxq list (RCU) and its eventfd; it never waits for a thread
 * except to join it when it goes away. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "coverage.h"
#include "dpif/dp-flow.h"
#include "dpif/dpcls.h"
#include "dpif/dpif-private.h"
#include "dpif/emc.h"
#include "netdev/netdev.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

COVERAGE_DEFINE(dp_thread_sleep);

VLOG_DEFINE_THIS_MODULE(dp_thread);

enum {
    IDLE_POLLS_BEFORE_SLEEP = 1000, /* Empty loops before sleeping. */
    SLEEP_MSEC = 100,           /* Longest sleep: housekeeping still runs. */
    RANK_INTERVAL_MSEC = 1000,  /* How often subtables are re-ranked. */
};

struct dp_thread *
dp_thread_create(struct dpif *dpif, unsigned int index)
{
    struct dp_thread *t = xzalloc(sizeof *t);
    t->dpif = dpif;
    t->index = index;
    t->wake_fd = -1;
    if (index) {
        t->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (t->wake_fd < 0) {
            sw_fatal("eventfd failed (%s)", strerror(errno));
        }
    }
    t->rxqs = xzalloc(sizeof *t->rxqs);
    t->emc = xmalloc(sizeof *t->emc);
    emc_init(t->emc, dpif->emc_insert_inv_prob);
    t->cls = dpcls_create();
    CDS_INIT_LIST_HEAD(&t->flows);
    cds_wfcq_init(&t->cmd_head, &t->cmd_tail);
    dp_actions_init(&t->upcall_actions);
    return t;
}

void
dp_thread_wake(struct dp_thread *t)
{
    if (t->wake_fd >= 0) {
        uint64_t one = 1;
        ignore_result(write(t->wake_fd, &one, sizeof one));
    }
}

void
dp_thread_wait_awake(struct dp_thread *t)
{
    unsigned int seq = __atomic_load_n(&t->sleep_seq, __ATOMIC_ACQUIRE);
    while ((seq & 1)
           && __atomic_load_n(&t->sleep_seq, __ATOMIC_ACQUIRE) == seq) {
        sched_yield();
    }
}

void
dp_thread_remove_flow(struct dp_thread *t, struct dp_flow *flow)
{
    dp_flow_mark_dead(flow);
    if (flow->in_classifier) {
        dpcls_remove(t->cls, flow);
        cds_list_del_rcu(&flow->list_node);
        __atomic_store_n(&t->n_flows, t->n_flows - 1, __ATOMIC_RELAXED);
        __atomic_sub_fetch(&t->dpif->n_flows, 1, __ATOMIC_RELAXED);
        dp_flow_unref(flow);    /* The classifier's reference. */
    }
}

void
dp_thread_run_commands(struct dp_thread *t)
{
    for (;;) {
        struct cds_wfcq_node *node
            = __cds_wfcq_dequeue_nonblocking(&t->cmd_head, &t->cmd_tail);
        if (!node || node == CDS_WFCQ_WOULDBLOCK) {
            break;
        }
        struct dp_cmd *cmd = CONTAINER_OF(node, struct dp_cmd, node);
        switch (cmd->type) {
        case DP_CMD_DEL_FLOW:
            dp_thread_remove_flow(t, cmd->flow);
            dp_flow_unref(cmd->flow);
            break;
        }
        free(cmd);
    }
}

/* Sleeps until a queue may have packets, a command comes, or a while
 * passes.  Returns with the thread online again. */
static void
dp_thread_sleep(struct dp_thread *t, const struct dp_rxq_list *rxqs)
{
    struct pollfd *fds = xcalloc(rxqs->n + 1, sizeof *fds);
    size_t n = 0;
    int timeout = SLEEP_MSEC;
    fds[n++] = (struct pollfd) { .fd = t->wake_fd, .events = POLLIN };
    for (size_t i = 0; i < rxqs->n; i++) {
        int fd = netdev_rxq_wait_fd(rxqs->rxqs[i].port->netdev,
                                    rxqs->rxqs[i].qid);
        if (fd >= 0) {
            fds[n++] = (struct pollfd) { .fd = fd, .events = POLLIN };
        } else {
            timeout = 1;
        }
    }

    /* Offline, the port behind an fd may go away; the main thread wakes
     * us when it changes our queues, and a closed fd only makes poll()
     * return early. */
    COVERAGE_INC(dp_thread_sleep);
    /* Odd before going offline: whoever sees us offline sees it too. */
    __atomic_add_fetch(&t->sleep_seq, 1, __ATOMIC_SEQ_CST);
    rcu_sleep();
    poll(fds, n, timeout);
    __atomic_add_fetch(&t->sleep_seq, 1, __ATOMIC_RELEASE);
    rcu_wake();
    free(fds);

    uint64_t count;
    ignore_result(read(t->wake_fd, &count, sizeof count));
}

static void *
dp_thread_main(void *t_)
{
    struct dp_thread *t = t_;
    unsigned int idle = 0;

    rcu_thread_start(true);
    while (!__atomic_load_n(&t->exit, __ATOMIC_ACQUIRE)) {
        const struct dp_rxq_list *rxqs = rcu_get(t->rxqs);
        size_t n_received = 0;

        dp_thread_run_commands(t);
        dp_process_begin(t);
        for (size_t i = 0; i < rxqs->n; i++) {
            struct dp_packet_batch batch;
            dp_packet_batch_init(&batch);
            const struct dp_rxq *rxq = &rxqs->rxqs[i];
            if (!netdev_rxq_recv(rxq->port->netdev, rxq->qid, &batch)) {
                n_received += batch.count;
                dp_process_batch(t, &batch, rxq->port->port_no);
            }
        }
        dp_process_flush(t);

        if (t->now >= t->next_rank) {
            dpcls_rank(t->cls);
            t->next_rank = t->now + RANK_INTERVAL_MSEC;
        }
        emc_sweep(t->emc);

        if (n_received) {
            idle = 0;
            rcu_quiesce();
        } else if (++idle >= IDLE_POLLS_BEFORE_SLEEP
                   && !__atomic_load_n(&t->dpif->busy_poll,
                                       __ATOMIC_RELAXED)) {
            dp_thread_sleep(t, rxqs);
        } else {
            rcu_quiesce();
        }
    }

    /* Leave nothing behind: flows die with their thread. */
    dp_thread_run_commands(t);
    struct dp_flow *flow, *next;
    cds_list_for_each_entry_safe (flow, next, &t->flows, list_node) {
        dp_thread_remove_flow(t, flow);
    }
    emc_clear(t->emc);
    rcu_thread_stop();
    return NULL;
}

void
dp_thread_start(struct dp_thread *t)
{
    int error = pthread_create(&t->thread, NULL, dp_thread_main, t);
    if (error) {
        sw_fatal("could not start datapath thread (%s)", strerror(error));
    }
    char name[16];
    snprintf(name, sizeof name, "dp%u", t->index);
    pthread_setname_np(t->thread, name);
}

void
dp_thread_destroy(struct dp_thread *t)
{
    if (!t) {
        return;
    }
    if (t->index) {
        __atomic_store_n(&t->exit, true, __ATOMIC_RELEASE);
        dp_thread_wake(t);
        pthread_join(t->thread, NULL);
        close(t->wake_fd);
    } else {
        rcu_read_begin();
        dp_thread_run_commands(t);
        struct dp_flow *flow, *next;
        cds_list_for_each_entry_safe (flow, next, &t->flows, list_node) {
            dp_thread_remove_flow(t, flow);
        }
        emc_clear(t->emc);
        rcu_read_end();
    }
    rcu_postpone(free, t->rxqs);
    dpcls_destroy(t->cls);
    free(t->emc);
    free(t->tx);
    free(t->pending_tx);
    dp_actions_destroy(&t->upcall_actions);
    free(t);
}
