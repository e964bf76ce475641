/* A database schema as RFC 7047 defines it: named tables of typed
 * columns, root tables (whose rows live without being referenced),
 * size limits and unique indexes.  Every table also has the columns
 * "_uuid" and "_version", at indexes 0 and 1.  Immutable once loaded. */
#ifndef DB_SCHEMA_H
#define DB_SCHEMA_H 1

#include <jansson.h>
#include <stdbool.h>
#include "db/db-types.h"
#include "hmap.h"

struct db_error;

enum {
    DB_COL_UUID,                /* "_uuid": the row's identity. */
    DB_COL_VERSION,             /* "_version": changes on every write. */
    DB_N_STD_COLUMNS
};

struct db_column {
    struct hmap_node node;      /* In the table's 'columns_by_name'. */
    char *name;
    unsigned int index;
    struct db_type type;
    bool mutable_;              /* May change after insert. */
    bool persistent;            /* Written to disk (not "ephemeral"). */
};

/* A set of columns whose values, together, no two rows may share. */
struct db_index_schema {
    unsigned int n_columns;
    const struct db_column **columns;
};

struct db_table_schema {
    char *name;
    unsigned int index;         /* In the schema's 'tables'. */
    struct db_column **columns;
    unsigned int n_columns;
    struct hmap columns_by_name;
    bool is_root;
    unsigned int max_rows;      /* UINT_MAX if unlimited. */
    struct db_index_schema *indexes;
    unsigned int n_indexes;
    bool has_refs;              /* Some column holds references. */
    bool has_weak_refs;         /* Some column holds weak references. */
    bool is_weak_ref_target;    /* Some column refers to it weakly. */
};

struct db_schema {
    char *name;
    char *version;
    struct db_table_schema **tables;    /* Sorted by name. */
    unsigned int n_tables;
    json_t *json;               /* As loaded, for get_schema. */
};

struct db_error *db_schema_from_json(const json_t *, struct db_schema **);
/* True if 's' is an identifier: [A-Za-z_][A-Za-z0-9_]*. */
bool db_is_valid_id(const char *s);
struct db_error *db_schema_from_file(const char *path, struct db_schema **);
/* From a schema compiled in as a string ('what' names it in errors). */
struct db_error *db_schema_from_string(const char *text, const char *what,
                                       struct db_schema **);
void db_schema_destroy(struct db_schema *);

struct db_table_schema *db_schema_find_table(const struct db_schema *,
                                             const char *name);
const struct db_column *db_table_schema_find_column(
    const struct db_table_schema *, const char *name);

/* True if a column of 'table' refers weakly to a table whose index is
 * true in 'targets'. */
bool db_table_schema_weakly_refers_to(const struct db_table_schema *,
                                      const bool *targets);

#endif /* db-schema.h */
