/* An intrusive hash map with chaining, for the control plane.  The caller
 * embeds a struct hmap_node in its element and supplies the hash; the map
 * never hashes or compares by itself.  Not thread-safe: the datapath uses
 * RCU structures instead. */
#ifndef HMAP_H
#define HMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

struct hmap_node {
    uint32_t hash;
    struct hmap_node *next;
};

struct hmap {
    struct hmap_node **buckets;
    struct hmap_node *one;      /* Storage for 'buckets' when mask == 0. */
    size_t mask;
    size_t n;
};

#define HMAP_INITIALIZER(HMAP) { &(HMAP)->one, NULL, 0, 0 }

void hmap_init(struct hmap *);
void hmap_destroy(struct hmap *);
void hmap_clear(struct hmap *);
void hmap_swap(struct hmap *, struct hmap *);
void hmap_insert(struct hmap *, struct hmap_node *, uint32_t hash);
void hmap_remove(struct hmap *, struct hmap_node *);
void hmap_expand(struct hmap *);
/* Repairs 'hmap' after its struct was copied to a new place (an empty
 * map points into its own struct). */
void hmap_moved(struct hmap *);

static inline size_t
hmap_count(const struct hmap *hmap)
{
    return hmap->n;
}

static inline bool
hmap_is_empty(const struct hmap *hmap)
{
    return hmap->n == 0;
}

/* First node in the bucket for 'hash' whose hash equals 'hash', or NULL. */
static inline struct hmap_node *
hmap_first_with_hash(const struct hmap *hmap, uint32_t hash)
{
    struct hmap_node *node = hmap->buckets[hash & hmap->mask];
    while (node && node->hash != hash) {
        node = node->next;
    }
    return node;
}

static inline struct hmap_node *
hmap_next_with_hash(const struct hmap_node *node)
{
    uint32_t hash = node->hash;
    for (node = node->next; node && node->hash != hash; node = node->next) {
        continue;
    }
    return (struct hmap_node *) node;
}

struct hmap_node *hmap_first(const struct hmap *);
struct hmap_node *hmap_next(const struct hmap *, const struct hmap_node *);

#define HMAP_NODE_TO(NODE, TYPE, MEMBER) \
    ((NODE) ? CONTAINER_OF(NODE, TYPE, MEMBER) : NULL)

/* The iterators keep their state in variables named after ELEM, which must
 * be a plain identifier, so that loops nest without shadowing. */

/* Iterates over elements whose hash is 'HASH'. */
#define HMAP_FOR_EACH_WITH_HASH(ELEM, MEMBER, HASH, HMAP)                 \
    for (struct hmap_node *NODE_##ELEM = hmap_first_with_hash(HMAP, HASH);\
         NODE_##ELEM                                                      \
         ? ((ELEM) = CONTAINER_OF(NODE_##ELEM, __typeof__(*(ELEM)),       \
                                  MEMBER), 1)                             \
         : 0;                                                             \
         NODE_##ELEM = hmap_next_with_hash(NODE_##ELEM))

/* Iterates over all elements; the current one may be removed (but no
 * other may be inserted or removed). */
#define HMAP_FOR_EACH(ELEM, MEMBER, HMAP)                                 \
    for (struct hmap_node *NODE_##ELEM = hmap_first(HMAP),               \
                          *NEXT_##ELEM = NULL;                            \
         NODE_##ELEM                                                      \
         ? ((ELEM) = CONTAINER_OF(NODE_##ELEM, __typeof__(*(ELEM)),       \
                                  MEMBER),                                \
            NEXT_##ELEM = hmap_next(HMAP, NODE_##ELEM), 1)                \
         : 0;                                                             \
         NODE_##ELEM = NEXT_##ELEM)

#endif /* hmap.h */
