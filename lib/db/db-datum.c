#include <config.h>
#include "db/db-datum.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "db/db-error.h"
#include "dynamic-string.h"
#include "hash.h"
#include "smap.h"
#include "util.h"

void
db_datum_init_empty(struct db_datum *datum)
{
    datum->n = 0;
    datum->keys = NULL;
    datum->values = NULL;
}

void
db_datum_init_default(struct db_datum *datum, const struct db_type *type)
{
    db_datum_init_empty(datum);
    if (type->n_min) {
        datum->n = 1;
        datum->keys = xmalloc(sizeof *datum->keys);
        db_atom_init_default(&datum->keys[0], type->key.type);
        if (db_type_is_map(type)) {
            datum->values = xmalloc(sizeof *datum->values);
            db_atom_init_default(&datum->values[0], type->value.type);
        }
    }
}

bool
db_datum_is_default(const struct db_datum *datum, const struct db_type *type)
{
    if (!type->n_min) {
        return datum->n == 0;
    }
    return (datum->n == 1
            && db_atom_is_default(&datum->keys[0], type->key.type)
            && (!db_type_is_map(type)
                || db_atom_is_default(&datum->values[0], type->value.type)));
}

static union db_atom *
clone_atoms(const union db_atom *atoms, unsigned int n,
            enum db_atomic_type type)
{
    if (!atoms || type == DB_TYPE_VOID) {
        return NULL;
    }
    union db_atom *copy = xmalloc(n * sizeof *copy);
    for (unsigned int i = 0; i < n; i++) {
        db_atom_clone(&copy[i], &atoms[i], type);
    }
    return copy;
}

void
db_datum_clone(struct db_datum *dst, const struct db_datum *src,
               const struct db_type *type)
{
    dst->n = src->n;
    dst->keys = clone_atoms(src->keys, src->n, type->key.type);
    dst->values = clone_atoms(src->values, src->n, type->value.type);
}

static void
destroy_atoms(union db_atom *atoms, unsigned int n, enum db_atomic_type type)
{
    if (atoms && type == DB_TYPE_STRING) {
        for (unsigned int i = 0; i < n; i++) {
            db_atom_destroy(&atoms[i], type);
        }
    }
    free(atoms);
}

void
db_datum_destroy(struct db_datum *datum, const struct db_type *type)
{
    destroy_atoms(datum->keys, datum->n, type->key.type);
    destroy_atoms(datum->values, datum->n, type->value.type);
    db_datum_init_empty(datum);
}

void
db_datum_swap(struct db_datum *a, struct db_datum *b)
{
    struct db_datum tmp = *a;
    *a = *b;
    *b = tmp;
}

int
db_datum_compare_3way(const struct db_datum *a, const struct db_datum *b,
                      const struct db_type *type)
{
    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    }
    for (unsigned int i = 0; i < a->n; i++) {
        int cmp = db_atom_compare_3way(&a->keys[i], &b->keys[i],
                                       type->key.type);
        if (cmp) {
            return cmp;
        }
    }
    if (db_type_is_map(type)) {
        for (unsigned int i = 0; i < a->n; i++) {
            int cmp = db_atom_compare_3way(&a->values[i], &b->values[i],
                                           type->value.type);
            if (cmp) {
                return cmp;
            }
        }
    }
    return 0;
}

bool
db_datum_equals(const struct db_datum *a, const struct db_datum *b,
                const struct db_type *type)
{
    return !db_datum_compare_3way(a, b, type);
}

uint32_t
db_datum_hash(const struct db_datum *datum, const struct db_type *type,
              uint32_t basis)
{
    uint32_t hash = basis;
    for (unsigned int i = 0; i < datum->n; i++) {
        hash = db_atom_hash(&datum->keys[i], type->key.type, hash);
        if (datum->values) {
            hash = db_atom_hash(&datum->values[i], type->value.type, hash);
        }
    }
    return hash_int(datum->n, hash);
}

void
db_datum_add_unsafe(struct db_datum *datum, const union db_atom *key,
                    const union db_atom *value)
{
    unsigned int n = datum->n + 1;
    datum->keys = xrealloc(datum->keys, n * sizeof *datum->keys);
    datum->keys[datum->n] = *key;
    if (value) {
        datum->values = xrealloc(datum->values, n * sizeof *datum->values);
        datum->values[datum->n] = *value;
    }
    datum->n = n;
}

void
db_datum_remove_at(struct db_datum *datum, unsigned int idx,
                   const struct db_type *type)
{
    db_atom_destroy(&datum->keys[idx], type->key.type);
    memmove(&datum->keys[idx], &datum->keys[idx + 1],
            (datum->n - idx - 1) * sizeof *datum->keys);
    if (datum->values) {
        db_atom_destroy(&datum->values[idx], type->value.type);
        memmove(&datum->values[idx], &datum->values[idx + 1],
                (datum->n - idx - 1) * sizeof *datum->values);
    }
    datum->n--;
}

struct datum_pair {
    union db_atom key, value;
    unsigned int order;         /* Original position, for a stable sort. */
};

static enum db_atomic_type sort_key_type;

static int
compare_pairs(const void *a_, const void *b_)
{
    const struct datum_pair *a = a_, *b = b_;
    int cmp = db_atom_compare_3way(&a->key, &b->key, sort_key_type);
    return cmp ? cmp : (a->order < b->order ? -1 : a->order > b->order);
}

/* Sorts 'datum' by key, stably, and returns the number of duplicate keys
 * (each after the first of its key).  With 'remove_dups', removes them. */
static unsigned int
db_datum_sort__(struct db_datum *datum, const struct db_type *type,
                bool remove_dups)
{
    unsigned int n_dups = 0;
    if (datum->n < 2) {
        return 0;
    }

    struct datum_pair *pairs = xmalloc(datum->n * sizeof *pairs);
    for (unsigned int i = 0; i < datum->n; i++) {
        pairs[i].key = datum->keys[i];
        if (datum->values) {
            pairs[i].value = datum->values[i];
        }
        pairs[i].order = i;
    }
    /* qsort() has no context argument; the DB runs on one thread. */
    sort_key_type = type->key.type;
    qsort(pairs, datum->n, sizeof *pairs, compare_pairs);

    unsigned int n = 0;
    for (unsigned int i = 0; i < datum->n; i++) {
        if (n && db_atom_equals(&pairs[i].key, &datum->keys[n - 1],
                                type->key.type)) {
            n_dups++;
            if (remove_dups) {
                db_atom_destroy(&pairs[i].key, type->key.type);
                if (datum->values) {
                    db_atom_destroy(&pairs[i].value, type->value.type);
                }
                continue;
            }
        }
        datum->keys[n] = pairs[i].key;
        if (datum->values) {
            datum->values[n] = pairs[i].value;
        }
        n++;
    }
    datum->n = n;
    free(pairs);
    return n_dups;
}

void
db_datum_sort(struct db_datum *datum, const struct db_type *type)
{
    db_datum_sort__(datum, type, true);
}

struct db_error *
db_datum_sort_unique(struct db_datum *datum, const struct db_type *type)
{
    if (db_datum_sort__(datum, type, true)) {
        return db_error_create("constraint violation",
                               db_type_is_map(type)
                               ? "map contains duplicate key"
                               : "set contains duplicate value");
    }
    return NULL;
}

static struct db_error *
db_datum_check_n(unsigned int n, const struct db_type *type,
                 const json_t *json)
{
    if (n < type->n_min || n > type->n_max) {
        if (type->n_max == DB_N_MAX_UNLIMITED) {
            return db_syntax_error(json, "%s must have at least %u members "
                                   "but %u are present",
                                   db_type_is_map(type) ? "map" : "set",
                                   type->n_min, n);
        }
        return db_syntax_error(json, "%s must have %u to %u members but %u "
                               "are present",
                               db_type_is_map(type) ? "map" : "set",
                               type->n_min, type->n_max, n);
    }
    return NULL;
}

struct db_error *
db_datum_from_json(struct db_datum *datum, const struct db_type *type,
                   const json_t *json, struct db_symtab *symtab)
{
    const char *tag = json_string_value(json_array_get(json, 0));
    struct db_error *error = NULL;
    bool is_map = db_type_is_map(type);

    db_datum_init_empty(datum);
    /* ["uuid", ...] and ["named-uuid", ...] are atoms, not sets. */
    if (is_map || (tag && !strcmp(tag, "set"))) {
        const json_t *elems = json_array_get(json, 1);
        if (!tag || strcmp(tag, is_map ? "map" : "set")
            || json_array_size(json) != 2 || !json_is_array(elems)) {
            return db_syntax_error(json, is_map
                                   ? "expected [\"map\", [...]]"
                                   : "expected [\"set\", [...]]");
        }
        size_t n = json_array_size(elems);
        error = db_datum_check_n(n, type, json);
        if (error) {
            return error;
        }
        datum->keys = xcalloc(n, sizeof *datum->keys);
        datum->values = is_map ? xcalloc(n, sizeof *datum->values) : NULL;
        for (size_t i = 0; i < n; i++) {
            const json_t *elem = json_array_get(elems, i);
            const json_t *key = elem, *value = NULL;
            if (is_map) {
                if (!json_is_array(elem) || json_array_size(elem) != 2) {
                    error = db_syntax_error(elem, "expected [key, value]");
                    break;
                }
                key = json_array_get(elem, 0);
                value = json_array_get(elem, 1);
            }
            error = db_atom_from_json(&datum->keys[i], &type->key, key,
                                      symtab);
            if (error) {
                break;
            }
            if (is_map) {
                error = db_atom_from_json(&datum->values[i], &type->value,
                                          value, symtab);
                if (error) {
                    db_atom_destroy(&datum->keys[i], type->key.type);
                    break;
                }
            }
            datum->n++;
        }
        if (!error) {
            error = db_datum_sort_unique(datum, type);
        }
    } else {
        /* A bare atom stands for a set of one. */
        union db_atom atom;
        error = db_datum_check_n(1, type, json);
        if (!error) {
            error = db_atom_from_json(&atom, &type->key, json, symtab);
        }
        if (!error) {
            datum->n = 1;
            datum->keys = xmemdup(&atom, sizeof atom);
        }
    }
    if (error) {
        db_datum_destroy(datum, type);
    }
    return error;
}

json_t *
db_datum_to_json(const struct db_datum *datum, const struct db_type *type)
{
    if (db_type_is_map(type)) {
        json_t *pairs = json_array();
        for (unsigned int i = 0; i < datum->n; i++) {
            json_array_append_new(
                pairs, json_pack("[oo]",
                                 db_atom_to_json(&datum->keys[i],
                                                 type->key.type),
                                 db_atom_to_json(&datum->values[i],
                                                 type->value.type)));
        }
        return json_pack("[so]", "map", pairs);
    }
    if (datum->n == 1) {
        return db_atom_to_json(&datum->keys[0], type->key.type);
    }
    json_t *elems = json_array();
    for (unsigned int i = 0; i < datum->n; i++) {
        json_array_append_new(elems, db_atom_to_json(&datum->keys[i],
                                                     type->key.type));
    }
    return json_pack("[so]", "set", elems);
}

struct db_error *
db_datum_check_constraints(const struct db_datum *datum,
                           const struct db_type *type)
{
    bool check_keys = db_base_type_has_constraints(&type->key)
                      && !db_base_type_is_ref(&type->key);
    bool check_values = db_base_type_has_constraints(&type->value)
                        && !db_base_type_is_ref(&type->value);
    for (unsigned int i = 0; i < datum->n; i++) {
        struct db_error *error = NULL;
        if (check_keys) {
            error = db_atom_check_constraints(&datum->keys[i], &type->key);
        }
        if (!error && check_values) {
            error = db_atom_check_constraints(&datum->values[i],
                                              &type->value);
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}

struct db_error *
db_datum_check_size(const struct db_datum *datum, const struct db_type *type)
{
    if (datum->n < type->n_min) {
        return db_error_create("constraint violation", "Attempted to store "
                               "%u elements in %s of at least %u %ss.",
                               datum->n,
                               db_type_is_map(type) ? "map" : "set",
                               type->n_min,
                               db_atomic_type_to_string(type->key.type));
    }
    if (datum->n > type->n_max) {
        return db_error_create("constraint violation", "Attempted to store "
                               "%u elements in %s of up to %u %ss.",
                               datum->n,
                               db_type_is_map(type) ? "map" : "set",
                               type->n_max,
                               db_atomic_type_to_string(type->key.type));
    }
    return NULL;
}

/* Binary search among the first 'n' keys of 'datum' (which are sorted). */
static unsigned int
find_key_in_prefix(const struct db_datum *datum, unsigned int n,
                   const union db_atom *key, enum db_atomic_type type)
{
    unsigned int lo = 0, hi = n;
    while (lo < hi) {
        unsigned int mid = lo + (hi - lo) / 2;
        int cmp = db_atom_compare_3way(key, &datum->keys[mid], type);
        if (!cmp) {
            return mid;
        } else if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return UINT_MAX;
}

unsigned int
db_datum_find_key(const struct db_datum *datum, const union db_atom *key,
                  enum db_atomic_type type)
{
    return find_key_in_prefix(datum, datum->n, key, type);
}

/* True if element 'i' of 'a' (key, and value for maps) is in 'b'. */
static bool
db_datum_has_element(const struct db_datum *a, unsigned int i,
                     const struct db_datum *b, const struct db_type *type)
{
    unsigned int j = db_datum_find_key(b, &a->keys[i], type->key.type);
    return (j != UINT_MAX
            && (!db_type_is_map(type)
                || db_atom_equals(&a->values[i], &b->values[j],
                                  type->value.type)));
}

bool
db_datum_includes_all(const struct db_datum *a, const struct db_datum *b,
                      const struct db_type *type)
{
    for (unsigned int i = 0; i < a->n; i++) {
        if (!db_datum_has_element(a, i, b, type)) {
            return false;
        }
    }
    return true;
}

bool
db_datum_excludes_all(const struct db_datum *a, const struct db_datum *b,
                      const struct db_type *type)
{
    for (unsigned int i = 0; i < a->n; i++) {
        if (db_datum_has_element(a, i, b, type)) {
            return false;
        }
    }
    return true;
}

void
db_datum_changed_keys(const struct db_datum *old, const struct db_datum *new,
                      enum db_atomic_type type,
                      union db_atom **gone, unsigned int *n_gone,
                      union db_atom **came, unsigned int *n_came)
{
    unsigned int i = 0, j = 0;
    *gone = xcalloc(old->n + 1, sizeof **gone);
    *came = xcalloc(new->n + 1, sizeof **came);
    *n_gone = *n_came = 0;
    while (i < old->n || j < new->n) {
        int cmp = (i >= old->n ? 1 : j >= new->n ? -1
                   : db_atom_compare_3way(&old->keys[i], &new->keys[j],
                                          type));
        if (cmp < 0) {
            (*gone)[(*n_gone)++] = old->keys[i++];
        } else if (cmp > 0) {
            (*came)[(*n_came)++] = new->keys[j++];
        } else {
            i++;
            j++;
        }
    }
}

/* Merges the 'n_tail' elements at the end of 'datum', which are sorted
 * and hold no key of the others, into the sorted others: one pass from
 * the back, so that a big set takes a batch of new elements in O(n)
 * rather than a sort. */
static void
merge_tail_in_order(struct db_datum *datum, unsigned int n_tail,
                    const struct db_type *type)
{
    unsigned int head = datum->n - n_tail, tail = n_tail;
    unsigned int out = datum->n;
    union db_atom *keys = xmemdup(&datum->keys[head],
                                  n_tail * sizeof *keys);
    union db_atom *values = (datum->values
                             ? xmemdup(&datum->values[head],
                                       n_tail * sizeof *values)
                             : NULL);
    while (tail > 0) {
        out--;
        if (head > 0 && db_atom_compare_3way(&datum->keys[head - 1],
                                             &keys[tail - 1],
                                             type->key.type) > 0) {
            head--;
            datum->keys[out] = datum->keys[head];
            if (values) {
                datum->values[out] = datum->values[head];
            }
        } else {
            tail--;
            datum->keys[out] = keys[tail];
            if (values) {
                datum->values[out] = values[tail];
            }
        }
    }
    free(keys);
    free(values);
}

void
db_datum_union(struct db_datum *dst, const struct db_datum *src,
               const struct db_type *type, bool replace)
{
    bool is_map = db_type_is_map(type);
    unsigned int n_old = dst->n;

    /* Room for all of 'src' at once: a big set grown by one element at a
     * time may be copied for each. */
    dst->keys = xrealloc(dst->keys, (n_old + src->n + 1) * sizeof *dst->keys);
    if (is_map) {
        dst->values = xrealloc(dst->values,
                               (n_old + src->n + 1) * sizeof *dst->values);
    }
    for (unsigned int i = 0; i < src->n; i++) {
        /* Keys appended below sit after the sorted part: search only that
         * part. */
        unsigned int j = find_key_in_prefix(dst, n_old, &src->keys[i],
                                            type->key.type);
        if (j == UINT_MAX) {
            db_atom_clone(&dst->keys[dst->n], &src->keys[i], type->key.type);
            if (is_map) {
                db_atom_clone(&dst->values[dst->n], &src->values[i],
                              type->value.type);
            }
            dst->n++;
        } else if (replace && is_map) {
            db_atom_destroy(&dst->values[j], type->value.type);
            db_atom_clone(&dst->values[j], &src->values[i],
                          type->value.type);
        }
    }

    /* 'src' is sorted unless a caller built it by hand: sort what came
     * from it (dropping repeats), then merge it in. */
    struct db_datum tail = {
        .n = dst->n - n_old,
        .keys = &dst->keys[n_old],
        .values = is_map ? &dst->values[n_old] : NULL,
    };
    db_datum_sort__(&tail, type, true);
    dst->n = n_old + tail.n;
    merge_tail_in_order(dst, tail.n, type);
}

void
db_datum_subtract(struct db_datum *dst, const struct db_type *dst_type,
                  const struct db_datum *src, const struct db_type *src_type)
{
    bool match_values = db_type_is_map(src_type);
    for (unsigned int i = 0; i < src->n; i++) {
        unsigned int j = db_datum_find_key(dst, &src->keys[i],
                                           dst_type->key.type);
        if (j != UINT_MAX
            && (!match_values
                || db_atom_equals(&dst->values[j], &src->values[i],
                                  dst_type->value.type))) {
            db_datum_remove_at(dst, j, dst_type);
        }
    }
}

void
db_datum_diff(struct db_datum *diff, const struct db_datum *old,
              const struct db_datum *new, const struct db_type *type)
{
    bool is_map = db_type_is_map(type);
    db_datum_init_empty(diff);

    for (unsigned int i = 0; i < new->n; i++) {
        unsigned int j = db_datum_find_key(old, &new->keys[i],
                                           type->key.type);
        if (j == UINT_MAX
            || (is_map && !db_atom_equals(&old->values[j], &new->values[i],
                                          type->value.type))) {
            union db_atom key, value;
            db_atom_clone(&key, &new->keys[i], type->key.type);
            if (is_map) {
                db_atom_clone(&value, &new->values[i], type->value.type);
            }
            db_datum_add_unsafe(diff, &key, is_map ? &value : NULL);
        }
    }
    for (unsigned int i = 0; i < old->n; i++) {
        if (db_datum_find_key(new, &old->keys[i], type->key.type)
            == UINT_MAX) {
            union db_atom key, value;
            db_atom_clone(&key, &old->keys[i], type->key.type);
            if (is_map) {
                db_atom_clone(&value, &old->values[i], type->value.type);
            }
            db_datum_add_unsafe(diff, &key, is_map ? &value : NULL);
        }
    }
    db_datum_sort(diff, type);
}

json_t *
db_datum_diff_to_json(const struct db_datum *old, const struct db_datum *new,
                      const struct db_type *type)
{
    struct db_type any_size;
    struct db_datum diff;

    db_type_relax(&any_size, type);
    db_datum_diff(&diff, old, new, &any_size);
    json_t *json = db_datum_to_json(&diff, &any_size);
    db_datum_destroy(&diff, &any_size);
    return json;
}

void
db_datum_apply_diff(struct db_datum *datum, const struct db_datum *diff,
                    const struct db_type *type)
{
    bool is_map = db_type_is_map(type);
    unsigned int n_added = 0;

    for (unsigned int i = 0; i < diff->n; i++) {
        /* Elements appended below sit after the sorted part: search only
         * that part. */
        unsigned int j = find_key_in_prefix(datum, datum->n - n_added,
                                            &diff->keys[i], type->key.type);
        if (j == UINT_MAX) {
            union db_atom key, value;
            db_atom_clone(&key, &diff->keys[i], type->key.type);
            if (is_map) {
                db_atom_clone(&value, &diff->values[i], type->value.type);
            }
            db_datum_add_unsafe(datum, &key, is_map ? &value : NULL);
            n_added++;
        } else if (is_map && !db_atom_equals(&datum->values[j],
                                             &diff->values[i],
                                             type->value.type)) {
            db_atom_destroy(&datum->values[j], type->value.type);
            db_atom_clone(&datum->values[j], &diff->values[i],
                          type->value.type);
        } else {
            /* Present (and, for a map, with the same value): remove. */
            db_datum_remove_at(datum, j, type);
        }
    }
    if (n_added) {
        db_datum_sort(datum, type);
    }
}

void
db_datum_init_string(struct db_datum *datum, const char *s)
{
    datum->n = 1;
    datum->keys = xmalloc(sizeof *datum->keys);
    datum->keys[0].string = xstrdup(s);
    datum->values = NULL;
}

void
db_datum_init_integer(struct db_datum *datum, long long v)
{
    datum->n = 1;
    datum->keys = xmalloc(sizeof *datum->keys);
    datum->keys[0].integer = v;
    datum->values = NULL;
}

void
db_datum_init_bool(struct db_datum *datum, bool b)
{
    datum->n = 1;
    datum->keys = xmalloc(sizeof *datum->keys);
    datum->keys[0].boolean = b;
    datum->values = NULL;
}

void
db_datum_init_uuid(struct db_datum *datum, const struct uuid *uuid)
{
    datum->n = 1;
    datum->keys = xmalloc(sizeof *datum->keys);
    datum->keys[0].uuid = *uuid;
    datum->values = NULL;
}

void
db_datum_from_smap(struct db_datum *datum, const struct smap *smap)
{
    struct db_type type;
    struct smap_node *node;

    db_datum_init_empty(datum);
    SMAP_FOR_EACH (node, smap) {
        union db_atom key = { .string = xstrdup(node->key) };
        union db_atom value = { .string = xstrdup(node->value) };
        db_datum_add_unsafe(datum, &key, &value);
    }
    if (!datum->values) {
        return;
    }
    db_type_init(&type);
    type.key.type = type.value.type = DB_TYPE_STRING;
    db_datum_sort(datum, &type);
}

void
db_datum_to_smap(const struct db_datum *datum, struct smap *smap)
{
    for (unsigned int i = 0; i < datum->n; i++) {
        smap_replace(smap, datum->keys[i].string, datum->values[i].string);
    }
}

bool
db_token_is_delim(unsigned char c)
{
    return c && (isspace(c) || strchr(":=,[]{}!<>", c));
}

char *
db_token_parse(const char **s, char **token)
{
    const char *start = *s, *p = *s;
    struct ds out = DS_EMPTY_INITIALIZER;
    bool in_quotes = false;

    while (*p) {
        char c = *p++;
        if (c == '\\') {
            if (in_quotes) {
                ds_put_char(&out, '\\');   /* Left for the unescaper. */
            }
            if (!*p) {
                ds_destroy(&out);
                return xasprintf("%s: backslash at end of argument", start);
            }
            ds_put_char(&out, *p++);
        } else if (!in_quotes && db_token_is_delim(c)) {
            p--;
            break;
        } else {
            ds_put_char(&out, c);
            if (c == '"') {
                in_quotes = !in_quotes;
            }
        }
    }
    if (in_quotes) {
        ds_destroy(&out);
        return xasprintf("%s: quoted string extends past end of argument",
                         start);
    }
    *token = ds_steal_cstr(&out);
    *s = p;
    return NULL;
}

static const char *
skip_spaces(const char *p)
{
    while (isspace((unsigned char) *p)) {
        p++;
    }
    return p;
}

/* Whether an end of the range 'lo'-'hi' breaks the constraints of
 * 'base', checked before the range's size as ovs-vsctl does; if so, sets
 * '*error'. */
static bool
range_end_error(long long lo, long long hi, const struct db_base_type *base,
                char **error)
{
    union db_atom ends[2] = { { .integer = lo }, { .integer = hi } };
    for (size_t i = 0; i < 2; i++) {
        struct db_error *e = db_atom_check_constraints(&ends[i], base);
        if (e) {
            *error = db_error_to_string_free(e);
            return true;
        }
    }
    return false;
}

/* Parses one atom token of 'base' from '*p'.  For integer keys, a range
 * "A-B" adds every integer from A to B. */
static char *
parse_atoms(const char **p, const struct db_base_type *base,
            struct db_symtab *symtab, union db_atom **atoms, unsigned int *n)
{
    char *token, *error = db_token_parse(p, &token);
    if (error) {
        return error;
    }
    if (!token[0]) {
        free(token);
        return xasprintf("%s: missing value", *p);
    }

    union db_atom atom;
    error = db_atom_from_string(&atom, base, token, symtab);
    if (error && base->type == DB_TYPE_INTEGER) {
        long long lo, hi;
        char *dash = strchr(token + 1, '-');
        free(error);
        error = NULL;
        if (dash) {
            *dash = '\0';
        }
        if (!dash || !str_to_llong(token, INT64_MIN, INT64_MAX, &lo)
            || !str_to_llong(dash + 1, INT64_MIN, INT64_MAX, &hi)) {
            if (dash) {
                *dash = '-';
            }
            error = xasprintf("\"%s\" is not a valid integer or range",
                              token);
        } else if (lo > hi) {
            error = xasprintf("\"%s-%s\" is not a valid range: the end is "
                              "less than the start", token, dash + 1);
        } else if (range_end_error(lo, hi, base, &error)) {
            /* 'error' says which end the column does not take. */
        } else if (hi - lo >= 4096) {
            error = xasprintf("\"%s-%s\" is not a valid range: more than "
                              "4096 values", token, dash + 1);
        } else {
            for (long long v = lo; v <= hi; v++) {
                *atoms = xrealloc(*atoms, (*n + 1) * sizeof **atoms);
                (*atoms)[(*n)++].integer = v;
            }
        }
        free(token);
        return error;
    }
    free(token);
    if (!error) {
        *atoms = xrealloc(*atoms, (*n + 1) * sizeof **atoms);
        (*atoms)[(*n)++] = atom;
    }
    return error;
}

char *
db_datum_from_string(struct db_datum *datum, const struct db_type *type,
                     const char *s, struct db_symtab *symtab)
{
    bool is_map = db_type_is_map(type);
    const char *p = skip_spaces(s);
    char *error = NULL;
    union db_atom *values = NULL;
    unsigned int n_values = 0;

    char open = is_map ? '{' : '[', close = is_map ? '}' : ']';
    bool bracketed = *p == open;

    db_datum_init_empty(datum);
    if (bracketed) {
        p++;
    }
    for (;;) {
        p = skip_spaces(p);
        if (!*p || *p == close) {
            break;
        }
        if (db_token_is_delim(*p)) {
            char *english = db_type_to_english(type);
            error = xasprintf("%s: unexpected \"%c\" parsing %s", s, *p,
                              english);
            free(english);
            break;
        }

        unsigned int n_before = datum->n;
        error = parse_atoms(&p, &type->key, symtab, &datum->keys, &datum->n);
        if (error) {
            break;
        }
        if (is_map) {
            p = skip_spaces(p);
            if (*p != '=') {
                error = xasprintf("%s: missing \"=\" in map", s);
                break;
            }
            p = skip_spaces(p + 1);
            if (datum->n != n_before + 1) {
                error = xasprintf("%s: ranges are not allowed as map keys",
                                  s);
                break;
            }
            unsigned int n_before_value = n_values;
            error = parse_atoms(&p, &type->value, symtab, &values,
                                &n_values);
            if (error) {
                break;
            }
            if (n_values != n_before_value + 1) {
                error = xasprintf("%s: ranges are not allowed as map values",
                                  s);
                break;
            }
        }
        p = skip_spaces(p);
        if (*p == ',') {
            p++;
        }
    }
    if (!error) {
        p = skip_spaces(p);
        if (bracketed) {
            if (*p != close) {
                error = xasprintf("%s: missing \"%c\" at end of data", s,
                                  close);
            } else {
                p = skip_spaces(p + 1);
            }
        }
        if (!error && *p) {
            error = xasprintf("%s: trailing garbage after value", s);
        }
    }

    if (is_map) {
        datum->values = values;
        if (error) {
            /* Keys and values may be out of step: free them separately. */
            destroy_atoms(datum->keys, datum->n, type->key.type);
            destroy_atoms(values, n_values, type->value.type);
            db_datum_init_empty(datum);
            return error;
        }
    }
    if (!error) {
        /* A repeated set element is harmless; a repeated map key is not
         * (which value was meant?). */
        unsigned int n_dups = db_datum_sort__(datum, type, true);
        if (is_map && n_dups) {
            error = xasprintf("%s: map contains duplicate key", s);
        } else if (datum->n > type->n_max) {
            error = xasprintf("%s: %u value(s) specified but the maximum "
                              "number is %u", s, datum->n, type->n_max);
        } else if (datum->n < type->n_min) {
            error = xasprintf("%s: %u value(s) specified but the minimum "
                              "number is %u", s, datum->n, type->n_min);
        }
    }
    if (error) {
        db_datum_destroy(datum, type);
    }
    return error;
}

void
db_datum_to_string(const struct db_datum *datum, const struct db_type *type,
                   struct ds *ds)
{
    bool is_map = db_type_is_map(type);

    if (type->n_max > 1 || !datum->n) {
        ds_put_char(ds, is_map ? '{' : '[');
    }
    for (unsigned int i = 0; i < datum->n; i++) {
        if (i) {
            ds_put_cstr(ds, ", ");
        }
        db_atom_to_string(&datum->keys[i], type->key.type, ds);
        if (is_map) {
            ds_put_char(ds, '=');
            db_atom_to_string(&datum->values[i], type->value.type, ds);
        }
    }
    if (type->n_max > 1 || !datum->n) {
        ds_put_char(ds, is_map ? '}' : ']');
    }
}

void
db_datum_to_bare(const struct db_datum *datum, const struct db_type *type,
                 struct ds *ds)
{
    for (unsigned int i = 0; i < datum->n; i++) {
        if (i) {
            ds_put_char(ds, ' ');
        }
        db_atom_to_bare(&datum->keys[i], type->key.type, ds);
        if (db_type_is_map(type)) {
            ds_put_char(ds, '=');
            db_atom_to_bare(&datum->values[i], type->value.type, ds);
        }
    }
}
