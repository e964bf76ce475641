#include <config.h>
#include "hmap.h"

#include <stdlib.h>

void
hmap_init(struct hmap *hmap)
{
    hmap->buckets = &hmap->one;
    hmap->one = NULL;
    hmap->mask = 0;
    hmap->n = 0;
}

void
hmap_destroy(struct hmap *hmap)
{
    if (hmap && hmap->buckets != &hmap->one) {
        free(hmap->buckets);
    }
}

void
hmap_clear(struct hmap *hmap)
{
    hmap_destroy(hmap);
    hmap_init(hmap);
}

void
hmap_moved(struct hmap *hmap)
{
    if (!hmap->mask) {
        hmap->buckets = &hmap->one;
    }
}

void
hmap_swap(struct hmap *a, struct hmap *b)
{
    struct hmap tmp = *a;
    *a = *b;
    *b = tmp;
    if (a->buckets == &b->one) {
        a->buckets = &a->one;
    }
    if (b->buckets == &a->one) {
        b->buckets = &b->one;
    }
}

static void
hmap_resize(struct hmap *hmap, size_t new_mask)
{
    struct hmap_node **buckets = xcalloc(new_mask + 1, sizeof *buckets);
    for (size_t i = 0; i <= hmap->mask; i++) {
        struct hmap_node *node, *next;
        for (node = hmap->buckets[i]; node; node = next) {
            next = node->next;
            struct hmap_node **bucket = &buckets[node->hash & new_mask];
            node->next = *bucket;
            *bucket = node;
        }
    }
    if (hmap->buckets != &hmap->one) {
        free(hmap->buckets);
    }
    hmap->buckets = buckets;
    hmap->mask = new_mask;
}

void
hmap_expand(struct hmap *hmap)
{
    if (hmap->n > hmap->mask * 2 + 1) {
        size_t mask = hmap->mask;
        while (hmap->n > mask + 1) {
            mask = mask * 2 + 1;
        }
        hmap_resize(hmap, mask);
    }
}

void
hmap_insert(struct hmap *hmap, struct hmap_node *node, uint32_t hash)
{
    struct hmap_node **bucket = &hmap->buckets[hash & hmap->mask];
    node->hash = hash;
    node->next = *bucket;
    *bucket = node;
    hmap->n++;
    if (hmap->n > (hmap->mask + 1) * 2) {
        hmap_expand(hmap);
    }
}

void
hmap_remove(struct hmap *hmap, struct hmap_node *node)
{
    struct hmap_node **bucket = &hmap->buckets[node->hash & hmap->mask];
    while (*bucket != node) {
        bucket = &(*bucket)->next;
    }
    *bucket = node->next;
    hmap->n--;
}

struct hmap_node *
hmap_first(const struct hmap *hmap)
{
    for (size_t i = 0; i <= hmap->mask; i++) {
        if (hmap->buckets[i]) {
            return hmap->buckets[i];
        }
    }
    return NULL;
}

struct hmap_node *
hmap_next(const struct hmap *hmap, const struct hmap_node *node)
{
    if (node->next) {
        return node->next;
    }
    for (size_t i = (node->hash & hmap->mask) + 1; i <= hmap->mask; i++) {
        if (hmap->buckets[i]) {
            return hmap->buckets[i];
        }
    }
    return NULL;
}
