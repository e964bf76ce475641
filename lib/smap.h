/* A map from strings to strings, for port options and other key=value
 * configuration taken from the DB. */
#ifndef SMAP_H
#define SMAP_H 1

#include <stdbool.h>
#include "hmap.h"

struct smap_node {
    struct hmap_node node;
    char *key;
    char *value;
};

struct smap {
    struct hmap map;
};

#define SMAP_FOR_EACH(NODE, SMAP) HMAP_FOR_EACH (NODE, node, &(SMAP)->map)

void smap_init(struct smap *);
void smap_destroy(struct smap *);
void smap_clear(struct smap *);
void smap_clone(struct smap *dst, const struct smap *src);
/* Moves the contents of 'src' into 'dst' (uninitialized), leaving 'src'
 * empty.  A struct smap must never be copied by assignment. */
void smap_move(struct smap *dst, struct smap *src);
void smap_add(struct smap *, const char *key, const char *value);
void smap_add_format(struct smap *, const char *key, const char *format, ...)
    PRINTF_FORMAT(3, 4);
void smap_replace(struct smap *, const char *key, const char *value);
bool smap_remove(struct smap *, const char *key);
const char *smap_get(const struct smap *, const char *key);
const char *smap_get_def(const struct smap *, const char *key,
                         const char *def);
bool smap_get_bool(const struct smap *, const char *key, bool def);
long long smap_get_llong(const struct smap *, const char *key,
                         long long def);
size_t smap_count(const struct smap *);
bool smap_equal(const struct smap *, const struct smap *);

/* An array of the nodes sorted by key, for stable output; free() it. */
const struct smap_node **smap_sort(const struct smap *);

#endif /* smap.h */
