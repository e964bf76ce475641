#include <config.h>
#include "dpif/dpcls.h"

#include <stdlib.h>
#include <string.h>
#include "dpif/dp-flow.h"
#include "flow.h"
#include "rcu.h"
#include "util.h"

/* Slot values other than a flow. */
#define SLOT_EMPTY NULL
#define SLOT_TOMBSTONE ((struct dp_flow *) 1)

struct dpcls_slot {
    uint32_t hash;
    struct dp_flow *flow;
};

struct dpcls_slots {
    uint32_t mask;              /* Number of slots - 1. */
    struct dpcls_slot slots[];
};

struct dpcls_subtable {
    struct flow mask;
    uint8_t n_words;            /* Words of the mask that are not zero. */
    uint8_t idx[FLOW_U64S];     /* Their indexes... */
    uint64_t words[FLOW_U64S];  /* ...and values. */

    struct dpcls_slots *table;  /* RCU. */
    size_t n_flows;             /* Owner only. */
    size_t n_used;              /* Flows plus tombstones. */
    uint64_t hits;              /* Since the last ranking; owner only. */
};

/* The subtables in lookup order, published whole. */
struct dpcls_vector {
    size_t n;
    struct dpcls_subtable *subtables[];
};

struct dpcls {
    struct dpcls_vector *vector;    /* RCU. */
    size_t n_flows;
};

static struct dpcls_vector *
vector_create(size_t n)
{
    struct dpcls_vector *v = xzalloc(sizeof *v + n * sizeof *v->subtables);
    v->n = n;
    return v;
}

struct dpcls *
dpcls_create(void)
{
    struct dpcls *cls = xzalloc(sizeof *cls);
    cls->vector = vector_create(0);
    return cls;
}

static void
dpcls_free(struct dpcls *cls)
{
    free(cls->vector);
    free(cls);
}

void
dpcls_destroy(struct dpcls *cls)
{
    if (cls) {
        rcu_postpone(dpcls_free, cls);
    }
}

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE uint32_t
subtable_hash(const struct dpcls_subtable *st, const struct flow *key)
{
    const flow_word *w = flow_u64(key);
    uint64_t acc = 0;
    for (size_t i = 0; i < st->n_words; i++) {
        size_t idx = st->idx[i];
        acc = flow_hash_word(acc, idx, w[idx] & st->words[i]);
    }
    return flow_hash_finish(acc);
}

static ALWAYS_INLINE bool
subtable_matches(const struct dpcls_subtable *st, const struct dp_flow *flow,
                 const struct flow *key)
{
    const flow_word *w = flow_u64(key), *fk = flow_u64(&flow->key);
    for (size_t i = 0; i < st->n_words; i++) {
        size_t idx = st->idx[i];
        if ((w[idx] & st->words[i]) != fk[idx]) {
            return false;
        }
    }
    return true;
}

static ALWAYS_INLINE struct dp_flow *
subtable_find(const struct dpcls_subtable *st, const struct flow *key,
              uint32_t hash)
{
    const struct dpcls_slots *t = rcu_get(st->table);
    for (uint32_t i = hash;; i++) {
        const struct dpcls_slot *slot = &t->slots[i & t->mask];
        struct dp_flow *flow = __atomic_load_n(&slot->flow,
                                               __ATOMIC_ACQUIRE);
        if (flow == SLOT_EMPTY) {
            return NULL;
        }
        if (flow != SLOT_TOMBSTONE && slot->hash == hash
            && subtable_matches(st, flow, key)) {
            return flow;
        }
    }
}

struct dp_flow *
dpcls_lookup(struct dpcls *cls, const struct flow *key, uint32_t *n_probes)
{
    const struct dpcls_vector *v = rcu_get(cls->vector);
    for (size_t i = 0; i < v->n; i++) {
        struct dpcls_subtable *st = v->subtables[i];
        struct dp_flow *flow = subtable_find(st, key, subtable_hash(st, key));
        if (flow) {
            st->hits++;
            if (n_probes) {
                *n_probes += i + 1;
            }
            return flow;
        }
    }
    if (n_probes) {
        *n_probes += v->n;
    }
    return NULL;
}

static struct dpcls_subtable *
find_subtable(const struct dpcls *cls, const struct flow *mask)
{
    const struct dpcls_vector *v = cls->vector;
    for (size_t i = 0; i < v->n; i++) {
        if (flow_equal(&v->subtables[i]->mask, mask)) {
            return v->subtables[i];
        }
    }
    return NULL;
}

struct dp_flow *
dpcls_find_exact(struct dpcls *cls, const struct flow *key,
                 const struct flow *mask)
{
    struct dpcls_subtable *st = find_subtable(cls, mask);
    return st ? subtable_find(st, key, subtable_hash(st, key)) : NULL;
}

static struct dpcls_slots *
slots_create(size_t n)
{
    struct dpcls_slots *t = xzalloc(sizeof *t + n * sizeof *t->slots);
    t->mask = n - 1;
    return t;
}

static struct dpcls_subtable *
subtable_create(struct dpcls *cls, const struct flow *mask)
{
    struct dpcls_subtable *st = xzalloc(sizeof *st);
    st->mask = *mask;
    const flow_word *w = flow_u64(mask);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (w[i]) {
            st->idx[st->n_words] = i;
            st->words[st->n_words++] = w[i];
        }
    }
    st->table = slots_create(16);

    /* New subtables go last: they have no hits yet. */
    const struct dpcls_vector *old = cls->vector;
    struct dpcls_vector *v = vector_create(old->n + 1);
    memcpy(v->subtables, old->subtables, old->n * sizeof *v->subtables);
    v->subtables[old->n] = st;
    rcu_set(cls->vector, v);
    rcu_postpone(free, (void *) old);
    return st;
}

static void
subtable_free(struct dpcls_subtable *st)
{
    free(st->table);
    free(st);
}

static void
subtable_destroy(struct dpcls *cls, struct dpcls_subtable *st)
{
    const struct dpcls_vector *old = cls->vector;
    struct dpcls_vector *v = vector_create(old->n - 1);
    size_t n = 0;
    for (size_t i = 0; i < old->n; i++) {
        if (old->subtables[i] != st) {
            v->subtables[n++] = old->subtables[i];
        }
    }
    rcu_set(cls->vector, v);
    rcu_postpone(free, (void *) old);
    rcu_postpone(subtable_free, st);
}

/* Puts 'flow' into the first free slot of 't' (which has room). */
static void
slots_put(struct dpcls_slots *t, struct dp_flow *flow)
{
    for (uint32_t i = flow->hash;; i++) {
        struct dpcls_slot *slot = &t->slots[i & t->mask];
        if (slot->flow == SLOT_EMPTY) {
            slot->hash = flow->hash;
            __atomic_store_n(&slot->flow, flow, __ATOMIC_RELEASE);
            return;
        }
    }
}

/* Rebuilds the table without tombstones, at a size that leaves it at
 * most an eighth full. */
static void
subtable_rehash(struct dpcls_subtable *st)
{
    const struct dpcls_slots *old = st->table;
    size_t n = 16;
    while (n < 8 * (st->n_flows + 1)) {
        n *= 2;
    }
    struct dpcls_slots *t = slots_create(n);
    for (size_t i = 0; i <= old->mask; i++) {
        struct dp_flow *flow = old->slots[i].flow;
        if (flow != SLOT_EMPTY && flow != SLOT_TOMBSTONE) {
            slots_put(t, flow);
        }
    }
    st->n_used = st->n_flows;
    rcu_set(st->table, t);
    rcu_postpone(free, (void *) old);
}

void
dpcls_insert(struct dpcls *cls, struct dp_flow *flow)
{
    struct dpcls_subtable *st = find_subtable(cls, &flow->mask);
    if (!st) {
        st = subtable_create(cls, &flow->mask);
    }
    flow->hash = subtable_hash(st, &flow->key);
    /* Keep at most a quarter of the slots in use (tombstones count), so
     * that a miss, the common case with many subtables, usually ends at
     * the first slot. */
    if ((st->n_used + 1) * 4 > (size_t) st->table->mask + 1) {
        subtable_rehash(st);
    }
    slots_put(st->table, flow);
    st->n_flows++;
    st->n_used++;
    cls->n_flows++;
    flow->in_classifier = true;
}

void
dpcls_remove(struct dpcls *cls, struct dp_flow *flow)
{
    if (!flow->in_classifier) {
        return;
    }
    struct dpcls_subtable *st = find_subtable(cls, &flow->mask);
    struct dpcls_slots *t = st->table;
    for (uint32_t i = flow->hash;; i++) {
        struct dpcls_slot *slot = &t->slots[i & t->mask];
        if (slot->flow == flow) {
            __atomic_store_n(&slot->flow, SLOT_TOMBSTONE, __ATOMIC_RELEASE);
            break;
        }
    }
    flow->in_classifier = false;
    cls->n_flows--;
    if (!--st->n_flows) {
        subtable_destroy(cls, st);
    }
}

static int
compare_hits(const void *a_, const void *b_)
{
    const struct dpcls_subtable *const *a = a_, *const *b = b_;
    return (*a)->hits < (*b)->hits ? 1 : (*a)->hits > (*b)->hits ? -1 : 0;
}

void
dpcls_rank(struct dpcls *cls)
{
    const struct dpcls_vector *old = cls->vector;
    if (old->n < 2) {
        if (old->n) {
            old->subtables[0]->hits = 0;
        }
        return;
    }
    struct dpcls_vector *v = vector_create(old->n);
    memcpy(v->subtables, old->subtables, old->n * sizeof *v->subtables);
    qsort(v->subtables, v->n, sizeof *v->subtables, compare_hits);
    for (size_t i = 0; i < v->n; i++) {
        v->subtables[i]->hits = 0;
    }
    rcu_set(cls->vector, v);
    rcu_postpone(free, (void *) old);
}

size_t
dpcls_n_subtables(const struct dpcls *cls)
{
    const struct dpcls_vector *v = rcu_get(cls->vector);
    return v->n;
}

size_t
dpcls_n_flows(const struct dpcls *cls)
{
    return cls->n_flows;
}
