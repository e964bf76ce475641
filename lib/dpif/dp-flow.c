#include <config.h>
#include "dpif/dp-flow.h"

#include <stdlib.h>
#include <string.h>
#include "rcu.h"
#include "util.h"

static void (*upcall_data_free)(void *);
static uint64_t next_flow_id = 1;

void
dp_flow_set_upcall_data_free(void (*function)(void *))
{
    upcall_data_free = function;
}

void
dp_flow_free_upcall_data(void *data)
{
    if (data && upcall_data_free) {
        upcall_data_free(data);
    }
}

static struct dp_flow_actions *
dp_flow_actions_create(const struct dp_actions *actions)
{
    struct dp_flow_actions *a = xmalloc(sizeof *a + actions->n
                                        * sizeof *a->actions);
    a->n = actions->n;
    if (actions->n) {
        memcpy(a->actions, actions->actions,
               actions->n * sizeof *a->actions);
    }
    return a;
}

struct dp_flow *
dp_flow_create(const struct flow *key, const struct flow *mask,
               const struct dp_actions *actions, unsigned int owner,
               long long now)
{
    struct dp_flow *flow = xzalloc(sizeof *flow);
    flow_and(&flow->key, key, mask);
    flow->mask = *mask;
    flow->id = __atomic_fetch_add(&next_flow_id, 1, __ATOMIC_RELAXED);
    flow->owner = owner;
    flow->created = now;
    flow->actions = dp_flow_actions_create(actions);
    flow->ref_cnt = 1;
    CDS_INIT_LIST_HEAD(&flow->list_node);
    return flow;
}

void
dp_flow_ref(struct dp_flow *flow)
{
    __atomic_add_fetch(&flow->ref_cnt, 1, __ATOMIC_RELAXED);
}

static void
dp_flow_free(struct dp_flow *flow)
{
    dp_flow_free_upcall_data(flow->upcall_data);
    free(flow->actions);
    free(flow);
}

void
dp_flow_unref(struct dp_flow *flow)
{
    if (flow && !__atomic_sub_fetch(&flow->ref_cnt, 1, __ATOMIC_ACQ_REL)) {
        rcu_postpone(dp_flow_free, flow);
    }
}

const struct dp_flow_actions *
dp_flow_get_actions(const struct dp_flow *flow)
{
    return rcu_get(flow->actions);
}

void
dp_flow_set_actions(struct dp_flow *flow, const struct dp_actions *actions)
{
    struct dp_flow_actions *old = flow->actions;
    rcu_set(flow->actions, dp_flow_actions_create(actions));
    rcu_postpone(free, old);
}

bool
dp_flow_actions_equal(const struct dp_flow *flow,
                      const struct dp_actions *actions)
{
    const struct dp_flow_actions *a = dp_flow_get_actions(flow);
    return (a->n == actions->n
            && (!a->n || !memcmp(a->actions, actions->actions,
                                 a->n * sizeof *a->actions)));
}

void
dp_flow_get_stats(const struct dp_flow *flow, struct dp_flow_stats *stats)
{
    stats->n_packets = __atomic_load_n(&flow->n_packets, __ATOMIC_RELAXED);
    stats->n_bytes = __atomic_load_n(&flow->n_bytes, __ATOMIC_RELAXED);
    stats->used = __atomic_load_n(&flow->used, __ATOMIC_RELAXED);

    /* Plus what the XDP fast path forwarded. */
    stats->n_packets += __atomic_load_n(&flow->xdp_packets,
                                        __ATOMIC_RELAXED);
    stats->n_bytes += __atomic_load_n(&flow->xdp_bytes, __ATOMIC_RELAXED);
    stats->used = MAX(stats->used,
                      __atomic_load_n(&flow->xdp_used, __ATOMIC_RELAXED));
}
