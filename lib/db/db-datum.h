/* The value of one column of one row: a set of atoms, or a map from atoms
 * to atoms.  Scalars are sets of exactly one atom.  Keys are kept sorted
 * and unique, so comparison, lookup and set algebra are linear or
 * logarithmic. */
#ifndef DB_DATUM_H
#define DB_DATUM_H 1

#include <jansson.h>
#include <stdbool.h>
#include "db/db-atom.h"
#include "db/db-types.h"

struct db_symtab;
struct ds;
struct smap;

struct db_datum {
    unsigned int n;             /* Number of keys (and values). */
    union db_atom *keys;
    union db_atom *values;      /* NULL unless a map. */
};

void db_datum_init_empty(struct db_datum *);
void db_datum_init_default(struct db_datum *, const struct db_type *);
bool db_datum_is_default(const struct db_datum *, const struct db_type *);
void db_datum_clone(struct db_datum *, const struct db_datum *,
                    const struct db_type *);
void db_datum_destroy(struct db_datum *, const struct db_type *);
void db_datum_swap(struct db_datum *, struct db_datum *);

int db_datum_compare_3way(const struct db_datum *, const struct db_datum *,
                          const struct db_type *);
bool db_datum_equals(const struct db_datum *, const struct db_datum *,
                     const struct db_type *);
uint32_t db_datum_hash(const struct db_datum *, const struct db_type *,
                       uint32_t basis);

/* JSON: a bare atom, ["set", [...]] or ["map", [[k, v], ...]].  Checks
 * the atomic types and the number of elements (syntax errors), not other
 * constraints. */
struct db_error *db_datum_from_json(struct db_datum *, const struct db_type *,
                                    const json_t *, struct db_symtab *);
json_t *db_datum_to_json(const struct db_datum *, const struct db_type *);

/* Checks every atom against its base type's constraints. */
struct db_error *db_datum_check_constraints(const struct db_datum *,
                                            const struct db_type *);
/* Checks the number of elements against the type's min and max. */
struct db_error *db_datum_check_size(const struct db_datum *,
                                     const struct db_type *);

/* Index of 'key' in 'datum', or UINT_MAX. */
unsigned int db_datum_find_key(const struct db_datum *,
                               const union db_atom *key,
                               enum db_atomic_type);
/* True if every key (and, for maps, its value) of 'a' is in 'b'. */
bool db_datum_includes_all(const struct db_datum *a, const struct db_datum *b,
                           const struct db_type *);
/* True if no key (or, for maps, pair) of 'a' is in 'b'. */
bool db_datum_excludes_all(const struct db_datum *a, const struct db_datum *b,
                           const struct db_type *);

/* Adds to 'dst' every element of 'src' whose key is not already in 'dst'
 * (with 'replace', overwrites the values of keys that are). */
void db_datum_union(struct db_datum *dst, const struct db_datum *src,
                    const struct db_type *, bool replace);
/* Removes from 'dst' (of type 'dst_type') the elements of 'src': for a
 * map, 'src' may be a set of keys ('src_type' a set of the key type) or a
 * map, whose pairs are removed only where the values match too. */
void db_datum_subtract(struct db_datum *dst, const struct db_type *dst_type,
                       const struct db_datum *src,
                       const struct db_type *src_type);

/* Sets 'diff' (of type 'type' with any size) to the difference from
 * 'old' to 'new' as RFC 7047bis "update2" expresses it: for sets, the
 * elements in exactly one of them; for maps, the pairs of 'new' that are
 * missing from or differ in 'old', and the pairs of 'old' whose key is
 * missing from 'new'.  db_datum_apply_diff() undoes it: an element of a
 * set toggles; a map pair is inserted if its key is absent, deleted if
 * present with the same value, and replaces the value otherwise. */
void db_datum_diff(struct db_datum *diff, const struct db_datum *old,
                   const struct db_datum *new, const struct db_type *);
void db_datum_apply_diff(struct db_datum *, const struct db_datum *diff,
                         const struct db_type *);
/* The diff from 'old' to 'new' (of type 'type') as JSON. */
json_t *db_datum_diff_to_json(const struct db_datum *old,
                              const struct db_datum *new,
                              const struct db_type *);

/* The keys of sorted 'old' and 'new' (of the same key type) that only one
 * of them has: those only in 'old' to '*gone', those only in 'new' to
 * '*came', as arrays (free() them) of shallow copies that are valid as
 * long as 'old' and 'new' are.  Linear: for following what a change to a
 * big set added and removed. */
void db_datum_changed_keys(const struct db_datum *old,
                           const struct db_datum *new, enum db_atomic_type,
                           union db_atom **gone, unsigned int *n_gone,
                           union db_atom **came, unsigned int *n_came);

/* Building datums by hand: add, then sort.  db_datum_sort() destroys
 * duplicate keys after the first (for maps, with their values). */
void db_datum_add_unsafe(struct db_datum *, const union db_atom *key,
                         const union db_atom *value);
void db_datum_remove_at(struct db_datum *, unsigned int idx,
                        const struct db_type *);
void db_datum_sort(struct db_datum *, const struct db_type *);
/* Sorts; returns an error if two keys are equal. */
struct db_error *db_datum_sort_unique(struct db_datum *,
                                      const struct db_type *);

/* Convenience constructors, for the daemon's own writes. */
void db_datum_init_string(struct db_datum *, const char *);
void db_datum_init_integer(struct db_datum *, long long);
void db_datum_init_bool(struct db_datum *, bool);
void db_datum_init_uuid(struct db_datum *, const struct uuid *);
/* A map of strings to strings from 'smap', or to integers from names and
 * values. */
void db_datum_from_smap(struct db_datum *, const struct smap *);
void db_datum_to_smap(const struct db_datum *, struct smap *);

/* The command-line syntax: "a", "[a, b]", "a,b", "{k=v, k2=v2}",
 * "k=v,k2=v2"; integer sets also take ranges "10-20".  Returns NULL or an
 * error message to free(). */
char *db_datum_from_string(struct db_datum *, const struct db_type *,
                           const char *, struct db_symtab *);
/* As swctl prints values: "[]", "10", "[1, 2]", "{}", "{k=v}". */
void db_datum_to_string(const struct db_datum *, const struct db_type *,
                        struct ds *);
/* --data=bare: elements separated by spaces, maps as k=v, no quotes. */
void db_datum_to_bare(const struct db_datum *, const struct db_type *,
                      struct ds *);

/* Splits a token off the front of '*s' for db_datum_from_string(): up to
 * an unquoted delimiter (white space or one of ":=,[]{}!<>"), keeping
 * double-quoted parts whole. */
char *db_token_parse(const char **s, char **token);
bool db_token_is_delim(unsigned char);

#endif /* db-datum.h */
