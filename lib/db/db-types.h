/* The RFC 7047 type system: atomic types (integer, real, boolean, string,
 * uuid), base types with constraints (ranges, lengths, enums, references
 * to other tables), and column types (a key base type, an optional value
 * base type for maps, and a size range for sets). */
#ifndef DB_TYPES_H
#define DB_TYPES_H 1

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct db_datum;
struct db_error;
struct db_table_schema;

enum db_atomic_type {
    DB_TYPE_VOID,               /* No value: the value type of a set. */
    DB_TYPE_INTEGER,
    DB_TYPE_REAL,
    DB_TYPE_BOOLEAN,
    DB_TYPE_STRING,
    DB_TYPE_UUID,
    DB_N_TYPES
};

enum db_ref_type {
    DB_REF_STRONG,              /* Referenced rows cannot vanish. */
    DB_REF_WEAK,                /* References to deleted rows vanish. */
};

struct db_base_type {
    enum db_atomic_type type;
    struct db_datum *enum_;     /* Allowed values, or NULL for any. */
    union {
        struct {
            int64_t min, max;
        } integer;
        struct {
            double min, max;
        } real;
        struct {
            unsigned int min_len, max_len;  /* In characters. */
        } string;
        struct {
            char *ref_table_name;           /* NULL if not a reference. */
            struct db_table_schema *ref_table;  /* Resolved by schema. */
            enum db_ref_type ref_type;
        } uuid;
    } u;
};

enum { DB_N_MAX_UNLIMITED = UINT_MAX };

struct db_type {
    struct db_base_type key;
    struct db_base_type value;  /* DB_TYPE_VOID unless a map. */
    unsigned int n_min, n_max;
};

const char *db_atomic_type_to_string(enum db_atomic_type);
bool db_atomic_type_from_string(const char *, enum db_atomic_type *);

void db_base_type_init(struct db_base_type *, enum db_atomic_type);
void db_base_type_clone(struct db_base_type *, const struct db_base_type *);
void db_base_type_destroy(struct db_base_type *);
bool db_base_type_is_ref(const struct db_base_type *);
bool db_base_type_is_strong_ref(const struct db_base_type *);
bool db_base_type_is_weak_ref(const struct db_base_type *);
bool db_base_type_has_constraints(const struct db_base_type *);

void db_type_init(struct db_type *);
void db_type_clone(struct db_type *, const struct db_type *);
void db_type_destroy(struct db_type *);
struct db_error *db_type_from_json(struct db_type *, const json_t *);

static inline bool
db_type_is_map(const struct db_type *type)
{
    return type->value.type != DB_TYPE_VOID;
}

static inline bool
db_type_is_scalar(const struct db_type *type)
{
    return type->n_min == 1 && type->n_max == 1 && !db_type_is_map(type);
}

static inline bool
db_type_is_optional(const struct db_type *type)
{
    return type->n_min == 0 && type->n_max == 1;
}

static inline bool
db_type_is_set(const struct db_type *type)
{
    return !db_type_is_map(type) && type->n_max > 1;
}

/* The type in words, as ovsdb-server and ovs-vsctl say it in errors:
 * "integer", "set of up to 4096 integers", "map of (string, string)
 * pairs".  The caller frees it. */
char *db_type_to_english(const struct db_type *);

/* True if some atom of the type is a reference (strong or weak). */
bool db_type_has_refs(const struct db_type *);

/* The same type with any size and no constraints other than the atomic
 * types: what a mutation's argument or a condition's value may hold. */
void db_type_relax(struct db_type *dst, const struct db_type *src);

#endif /* db-types.h */
