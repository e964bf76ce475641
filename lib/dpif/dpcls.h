/* The megaflow classifier: tuple-space search.  Megaflows with the same
 * mask share a subtable, a hash table keyed by the masked flow; a lookup
 * tries the subtables in turn, most-hit first, and returns the first
 * match (megaflows never overlap, so any match is the match).
 *
 * One writer, many readers: each datapath thread owns a classifier and
 * alone inserts, removes and re-ranks; lookups (by the owner) and walks
 * (by anyone) run under RCU without locks.  Hash tables use open
 * addressing with tombstones and are rebuilt, never reshuffled in place,
 * so a concurrent reader never misses an entry that stays. */
#ifndef DPCLS_H
#define DPCLS_H 1

#include <stddef.h>
#include <stdint.h>

struct dp_flow;
struct dpcls;
struct flow;

struct dpcls *dpcls_create(void);
/* Frees the classifier (after a grace period); its flows must be gone. */
void dpcls_destroy(struct dpcls *);

/* Owner only.  Insert takes no reference: the caller's reference to
 * 'flow' becomes the classifier's. */
void dpcls_insert(struct dpcls *, struct dp_flow *);
void dpcls_remove(struct dpcls *, struct dp_flow *);

/* The megaflow matching 'key', or NULL.  '*n_probes' (if nonnull) is
 * increased by the number of subtables tried.  Owner only (it counts
 * hits for ranking); dead flows are returned too. */
struct dp_flow *dpcls_lookup(struct dpcls *, const struct flow *key,
                             uint32_t *n_probes);

/* The installed megaflow with exactly this mask and masked key. */
struct dp_flow *dpcls_find_exact(struct dpcls *, const struct flow *key,
                                 const struct flow *mask);

/* Owner: re-ranks subtables by hits since the last ranking. */
void dpcls_rank(struct dpcls *);

size_t dpcls_n_subtables(const struct dpcls *);
size_t dpcls_n_flows(const struct dpcls *);

#endif /* dpcls.h */
