#include <config.h>
#include "dpif/emc.h"

#include <string.h>
#include "dpif/dp-flow.h"

void
emc_init(struct emc *emc, uint32_t insert_inv_prob)
{
    memset(emc->entries, 0, sizeof emc->entries);
    emc->sweep_pos = 0;
    emc->insert_inv_prob = insert_inv_prob;
    emc->random = 0x12345678;
}

static void
emc_entry_set(struct emc_entry *e, struct dp_flow *flow)
{
    if (e->flow != flow) {
        if (flow) {
            dp_flow_ref(flow);
        }
        dp_flow_unref(e->flow);
        e->flow = flow;
    }
}

void
emc_clear(struct emc *emc)
{
    for (size_t i = 0; i < EMC_ENTRIES; i++) {
        emc_entry_set(&emc->entries[i], NULL);
    }
}

static inline struct emc_entry *
emc_slot(const struct emc *emc, uint32_t hash, int i)
{
    uint32_t idx = i ? hash >> (32 - EMC_SHIFT) : hash;
    return (struct emc_entry *) &emc->entries[idx & EMC_MASK];
}

struct dp_flow *
emc_lookup(const struct emc *emc, const struct flow *key, uint32_t hash)
{
    for (int i = 0; i < 2; i++) {
        const struct emc_entry *e = emc_slot(emc, hash, i);
        if (e->hash == hash && e->flow && flow_equal(&e->key, key)
            && !dp_flow_is_dead(e->flow)) {
            return e->flow;
        }
    }
    return NULL;
}

void
emc_insert(struct emc *emc, const struct flow *key, uint32_t hash,
           struct dp_flow *flow)
{
    if (!emc->insert_inv_prob) {
        return;
    }
    if (emc->insert_inv_prob > 1) {
        /* xorshift32: cheap and good enough for a coin. */
        uint32_t x = emc->random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        emc->random = x;
        if (x % emc->insert_inv_prob) {
            return;
        }
    }

    /* Reuse the slot that has this key, else an empty or dead one, else
     * evict the one with the smaller hash. */
    struct emc_entry *a = emc_slot(emc, hash, 0);
    struct emc_entry *b = emc_slot(emc, hash, 1);
    struct emc_entry *victim;
    if (a->flow && a->hash == hash && flow_equal(&a->key, key)) {
        victim = a;
    } else if (b->flow && b->hash == hash && flow_equal(&b->key, key)) {
        victim = b;
    } else if (!a->flow || dp_flow_is_dead(a->flow)) {
        victim = a;
    } else if (!b->flow || dp_flow_is_dead(b->flow)) {
        victim = b;
    } else {
        victim = a->hash < b->hash ? a : b;
    }
    emc_entry_set(victim, flow);
    victim->hash = hash;
    victim->key = *key;
}

void
emc_sweep(struct emc *emc)
{
    for (int i = 0; i < 16; i++) {
        struct emc_entry *e = &emc->entries[emc->sweep_pos++ & EMC_MASK];
        if (e->flow && dp_flow_is_dead(e->flow)) {
            emc_entry_set(e, NULL);
        }
    }
}
