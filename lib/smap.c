#include <config.h>
#include "smap.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "hash.h"

void
smap_init(struct smap *smap)
{
    hmap_init(&smap->map);
}

void
smap_clear(struct smap *smap)
{
    struct smap_node *node;
    SMAP_FOR_EACH (node, smap) {
        hmap_remove(&smap->map, &node->node);
        free(node->key);
        free(node->value);
        free(node);
    }
}

void
smap_destroy(struct smap *smap)
{
    if (smap) {
        smap_clear(smap);
        hmap_destroy(&smap->map);
    }
}

void
smap_clone(struct smap *dst, const struct smap *src)
{
    smap_init(dst);
    struct smap_node *node;
    SMAP_FOR_EACH (node, src) {
        smap_add(dst, node->key, node->value);
    }
}

void
smap_move(struct smap *dst, struct smap *src)
{
    dst->map = src->map;
    hmap_moved(&dst->map);
    hmap_init(&src->map);
}

static struct smap_node *
smap_find(const struct smap *smap, const char *key)
{
    struct smap_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, node, hash_string(key, 0), &smap->map) {
        if (!strcmp(node->key, key)) {
            return node;
        }
    }
    return NULL;
}

void
smap_add(struct smap *smap, const char *key, const char *value)
{
    struct smap_node *node = xmalloc(sizeof *node);
    node->key = xstrdup(key);
    node->value = xstrdup(value);
    hmap_insert(&smap->map, &node->node, hash_string(key, 0));
}

void
smap_add_format(struct smap *smap, const char *key, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *value = xvasprintf(format, args);
    va_end(args);
    smap_replace(smap, key, value);
    free(value);
}

void
smap_replace(struct smap *smap, const char *key, const char *value)
{
    struct smap_node *node = smap_find(smap, key);
    if (node) {
        free(node->value);
        node->value = xstrdup(value);
    } else {
        smap_add(smap, key, value);
    }
}

bool
smap_remove(struct smap *smap, const char *key)
{
    struct smap_node *node = smap_find(smap, key);
    if (!node) {
        return false;
    }
    hmap_remove(&smap->map, &node->node);
    free(node->key);
    free(node->value);
    free(node);
    return true;
}

const char *
smap_get(const struct smap *smap, const char *key)
{
    struct smap_node *node = smap_find(smap, key);
    return node ? node->value : NULL;
}

const char *
smap_get_def(const struct smap *smap, const char *key, const char *def)
{
    const char *value = smap_get(smap, key);
    return value ? value : def;
}

bool
smap_get_bool(const struct smap *smap, const char *key, bool def)
{
    const char *value = smap_get(smap, key);
    if (!value) {
        return def;
    }
    return def ? strcasecmp(value, "false") != 0
               : !strcasecmp(value, "true");
}

long long
smap_get_llong(const struct smap *smap, const char *key, long long def)
{
    long long v;
    const char *value = smap_get(smap, key);
    return value && str_to_llong(value, LLONG_MIN, LLONG_MAX, &v) ? v : def;
}

size_t
smap_count(const struct smap *smap)
{
    return hmap_count(&smap->map);
}

bool
smap_equal(const struct smap *a, const struct smap *b)
{
    if (smap_count(a) != smap_count(b)) {
        return false;
    }
    struct smap_node *node;
    SMAP_FOR_EACH (node, a) {
        const char *value = smap_get(b, node->key);
        if (!value || strcmp(value, node->value)) {
            return false;
        }
    }
    return true;
}

static int
compare_nodes_by_key(const void *a_, const void *b_)
{
    const struct smap_node *const *a = a_;
    const struct smap_node *const *b = b_;
    return strcmp((*a)->key, (*b)->key);
}

const struct smap_node **
smap_sort(const struct smap *smap)
{
    size_t n = smap_count(smap), i = 0;
    const struct smap_node **nodes = xcalloc(n, sizeof *nodes);
    struct smap_node *node;
    SMAP_FOR_EACH (node, smap) {
        nodes[i++] = node;
    }
    qsort(nodes, n, sizeof *nodes, compare_nodes_by_key);
    return nodes;
}
