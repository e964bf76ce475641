#include <config.h>
#include "rcu.h"

#include <stdlib.h>
#include "util.h"

/* How many read sections the thread is in (offline threads) or 1 for a
 * thread that is always online. */
static __thread int online_depth;

void
rcu_thread_start(bool online)
{
    rcu_register_thread();
    if (online) {
        online_depth = 1;
    } else {
        rcu_thread_offline();
        online_depth = 0;
    }
}

void
rcu_thread_stop(void)
{
    if (!online_depth) {
        rcu_thread_online();
    }
    rcu_unregister_thread();
    online_depth = 0;
}

void
rcu_sleep(void)
{
    rcu_thread_offline();
}

void
rcu_wake(void)
{
    rcu_thread_online();
}

void
rcu_read_begin(void)
{
    if (!online_depth++) {
        rcu_thread_online();
    }
}

void
rcu_read_end(void)
{
    if (!--online_depth) {
        rcu_thread_offline();
    }
}

struct rcu_postponed {
    struct rcu_head head;
    void (*function)(void *);
    void *arg;
};

static void
rcu_run_postponed(struct rcu_head *head)
{
    struct rcu_postponed *p = CONTAINER_OF(head, struct rcu_postponed, head);
    p->function(p->arg);
    free(p);
}

void
rcu_postpone__(void (*function)(void *), void *arg)
{
    struct rcu_postponed *p = xmalloc(sizeof *p);
    p->function = function;
    p->arg = arg;
    /* liburcu wants call_rcu() from an online thread. */
    rcu_read_begin();
    call_rcu(&p->head, rcu_run_postponed);
    rcu_read_end();
}

void
rcu_wait_readers(void)
{
    if (online_depth) {
        sw_fatal("rcu_wait_readers() inside a read-side section would "
                 "wait for itself");
    }
    synchronize_rcu();
}

void
rcu_drain(void)
{
    rcu_barrier();
}
