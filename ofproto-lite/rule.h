/* OpenFlow rules: a match with a priority in a table, and the actions
 * for packets it wins.
 *
 * The main thread creates, modifies and removes rules.  Datapath threads
 * see them through the published rule tables (rule-table.h) and hold
 * references from the megaflows they install, so a rule is freed only
 * when the last reference goes, after a grace period.  Actions change
 * whole (rcu_set); statistics and timestamps belong to the main thread,
 * which credits them from megaflow statistics. */
#ifndef RULE_H
#define RULE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "match.h"

struct ds;
struct ofp_flow_mod;
struct ofpacts;

struct rule {
    /* Immutable. */
    struct match match;
    int priority;
    uint8_t table_id;
    long long created;
    uint64_t seqno;             /* Creation order, for stable dumps. */

    /* Main thread writes; readers use rule_get_actions(). */
    struct ofpacts *actions;    /* RCU. */
    uint64_t cookie;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    long long modified;         /* Last mod-flows, or 'created'. */

    /* Main thread only. */
    uint64_t n_packets;
    uint64_t n_bytes;
    long long used;             /* Last packet, or 'created'. */

    bool removed;               /* Atomic: no longer in its table. */
    unsigned int ref_cnt;       /* Atomic. */
};

/* A rule for 'fm' (an add), taking its actions. */
struct rule *rule_create(struct ofp_flow_mod *fm, long long now);

/* Either may be called from any thread. */
void rule_ref(const struct rule *);
void rule_unref(const struct rule *);

const struct ofpacts *rule_get_actions(const struct rule *);
/* Main thread: replaces the actions (taking 'actions'). */
void rule_set_actions(struct rule *, struct ofpacts *actions);

static inline bool
rule_is_removed(const struct rule *rule)
{
    return __atomic_load_n(&rule->removed, __ATOMIC_ACQUIRE);
}

/* How rule_format() prints. */
struct rule_format_options {
    bool stats;                 /* cookie, duration, counters... */
    bool idle_age;              /* ...and idle_age/hard_age. */
    const struct port_namer *namer;
};

/* Appends one dump-flows line (without newline), as ovs-ofctl does:
 * " cookie=0x0, duration=1.5s, table=0, n_packets=0, n_bytes=0,
 * idle_age=1, priority=0 actions=NORMAL". */
void rule_format(const struct rule *, long long now,
                 const struct rule_format_options *, struct ds *);

#endif /* rule.h */
