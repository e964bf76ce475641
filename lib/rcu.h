/* Read-copy-update for the data plane, on liburcu's QSBR flavour.
 *
 * Datapath threads read shared structures (ports, flow tables, the
 * classifier, MAC tables, bridge configuration) without locks.  A writer
 * publishes a new version with rcu_set() and hands the old one to
 * rcu_postpone(), which frees it once every reader thread has passed a
 * quiescent state (a datapath thread announces one per poll loop with
 * rcu_quiesce()).
 *
 * Every thread that touches RCU-protected data registers with
 * rcu_thread_start().  The main thread spends most of its time waiting
 * in libuv, so it stays "offline" (not holding up grace periods) except
 * inside rcu_read_begin() ... rcu_read_end(), which nest. */
#ifndef RCU_H
#define RCU_H 1

#include <urcu-qsbr.h>
#include <urcu/rculist.h>

/* Registers the calling thread.  'online' is false for threads (the main
 * thread) that read only inside rcu_read_begin()/rcu_read_end(). */
void rcu_thread_start(bool online);
void rcu_thread_stop(void);

/* A quiescent state: the calling (online) thread holds no pointer to
 * RCU-protected data across this call. */
static inline void
rcu_quiesce(void)
{
    rcu_quiescent_state();
}

/* For a thread about to block (poll, sleep): it holds no pointers until
 * rcu_wake(), and grace periods need not wait for it meanwhile. */
void rcu_sleep(void);
void rcu_wake(void);

/* A read-side section on an otherwise offline thread. */
void rcu_read_begin(void);
void rcu_read_end(void);

/* Reads and publishes an RCU-protected pointer.  (liburcu's own macros
 * would cost a library call per read in non-LGPL builds.) */
#define rcu_get(PTR) __atomic_load_n(&(PTR), __ATOMIC_CONSUME)
#define rcu_set(PTR, VALUE) __atomic_store_n(&(PTR), VALUE, __ATOMIC_RELEASE)

/* Calls 'function(arg)' after a grace period, from a helper thread. */
void rcu_postpone__(void (*function)(void *), void *arg);
#define rcu_postpone(FUNCTION, ARG)                                         \
    ((void) sizeof ((FUNCTION)(ARG), 0),                                    \
     rcu_postpone__((void (*)(void *)) (FUNCTION), ARG))

/* Waits for a grace period.  Never from a read-side section. */
void rcu_wait_readers(void);

/* Waits until every postponed function has run (at exit). */
void rcu_drain(void);

#endif /* rcu.h */
