/* The exact-match cache: per datapath thread, a small table from a whole
 * flow key to the megaflow that matched it, so that a packet of a busy
 * connection costs one hash and one key comparison instead of a
 * classifier search.
 *
 * 8,192 entries; a key may sit in either of two slots chosen by its
 * hash.  Entries hold a reference to their megaflow and are ignored once
 * it is dead.  New entries go in only now and then (one insertion per
 * 'insert_inv_prob' candidates, as Open vSwitch does), so that a flood
 * of one-packet flows cannot wash out the flows that matter.  With
 * 'insert_inv_prob' 0 the cache is off: nothing goes in, and the
 * datapath does not look.  Private to its thread: no locking. */
#ifndef EMC_H
#define EMC_H 1

#include <stdint.h>
#include "flow.h"

struct dp_flow;

enum {
    EMC_SHIFT = 13,
    EMC_ENTRIES = 1 << EMC_SHIFT,
    EMC_MASK = EMC_ENTRIES - 1,
};

struct emc_entry {
    struct dp_flow *flow;
    uint32_t hash;
    struct flow key;
};

struct emc {
    struct emc_entry entries[EMC_ENTRIES];
    uint32_t sweep_pos;         /* Next entry to check for a dead flow. */
    uint32_t insert_inv_prob;   /* 1: always insert; 0: never. */
    uint32_t random;            /* State of the insertion coin. */
};

void emc_init(struct emc *, uint32_t insert_inv_prob);
/* Drops every entry (and its reference). */
void emc_clear(struct emc *);

struct dp_flow *emc_lookup(const struct emc *, const struct flow *,
                           uint32_t hash);

/* Maybe remembers that 'key' (with 'hash') goes to 'flow'. */
void emc_insert(struct emc *, const struct flow *key, uint32_t hash,
                struct dp_flow *);

/* Releases entries of dead flows, a few per call. */
void emc_sweep(struct emc *);

#endif /* emc.h */
