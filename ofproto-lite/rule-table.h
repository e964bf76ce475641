/* A flow table's rules, arranged for lookup by packets: the highest
 * priority rule that matches a flow, and which bits of the flow the
 * answer depended on (so that the megaflow built from it is as wide as
 * it may be).
 *
 * Rules with the same mask share a subtable; subtables are tried in
 * order of their best priority, stopping once no better rule can follow.
 * Each subtable is probed in stages (metadata, L2, L3, L4): a probe that
 * already fails on L2 leaves L3 and L4 out of the megaflow.  An IP
 * prefix that fails is narrowed to the bits that make it fail, as Open
 * vSwitch's prefix tries do: a miss on 10.0.0.0/8 for 20.1.1.1 needs
 * only 16.0.0.0/4.
 *
 * A table is immutable once built: the main thread builds a new one on
 * every change and publishes it with RCU; lookups from any thread need
 * no lock. */
#ifndef RULE_TABLE_H
#define RULE_TABLE_H 1

#include <stddef.h>

struct flow;
struct rule;
struct rule_table;

/* Builds a table of 'n' rules, taking a reference to each. */
struct rule_table *rule_table_build(struct rule *const *rules, size_t n);
/* Releases the table's references and memory (postpone it with RCU if
 * readers may remain). */
void rule_table_destroy(struct rule_table *);

/* The best rule for 'flow', or NULL; ORs into 'wc' the bits looked at. */
const struct rule *rule_table_lookup(const struct rule_table *,
                                     const struct flow *, struct flow *wc);

size_t rule_table_n_rules(const struct rule_table *);

#endif /* rule-table.h */
