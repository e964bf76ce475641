/* An in-memory database: one table of rows per table of the schema.
 *
 * All reads and writes happen on one thread (the daemon's main loop, or a
 * command-line client).  Writes go through a transaction (db-txn.h);
 * while one is open, rows it touched are seen in their new state through
 * db_row_current().  Listeners (the journal, monitors, the bridge) hear
 * of every commit. */
#ifndef DB_H
#define DB_H 1

#include <stdbool.h>
#include <urcu/list.h>
#include "db/db-datum.h"
#include "db/db-schema.h"
#include "hmap.h"
#include "uuid.h"

struct db_error;
struct db_txn;
struct db_txn_row;

/* A row's place in one unique index of its table. */
struct db_index_node {
    struct hmap_node node;
    struct db_row *row;
};

struct db_row {
    struct hmap_node node;          /* In its table's 'rows', by UUID. */
    struct db_table *table;
    struct db_txn_row *txn_row;     /* While a transaction touches it. */
    unsigned int n_refs;            /* Strong references from other rows. */
    int txn_ref_delta;              /* Change in 'n_refs', during commit. */
    struct db_index_node *index_nodes;  /* One per unique index. */
    struct db_datum fields[];       /* One per column, "_uuid" first. */
};

struct db_table {
    struct db *db;
    const struct db_table_schema *schema;
    struct hmap rows;               /* Committed rows and new inserts. */
    struct hmap *indexes;           /* Per unique index, committed rows. */
};

/* Hears of commits.  'prepare' runs before anything is applied and may
 * refuse the commit (the journal does when a write fails); 'committed'
 * runs after.  Either may be NULL. */
struct db_listener {
    struct cds_list_head node;
    struct db_error *(*prepare)(struct db_listener *, const struct db_txn *);
    void (*committed)(struct db_listener *, const struct db_txn *);
};

struct db {
    struct db_schema *schema;
    struct db_table **tables;       /* Parallel to schema->tables. */
    struct cds_list_head listeners;
    struct db_txn *txn;             /* The open transaction, if any. */
};

/* Takes ownership of 'schema'. */
struct db *db_create(struct db_schema *);
void db_destroy(struct db *);

struct db_table *db_get_table(const struct db *, const char *name);

void db_add_listener(struct db *, struct db_listener *);
void db_remove_listener(struct db *, struct db_listener *);

static inline const struct uuid *
db_row_uuid(const struct db_row *row)
{
    return &row->fields[DB_COL_UUID].keys[0].uuid;
}

/* The row as the open transaction sees it: NULL if deleted. */
struct db_row *db_row_current(struct db_row *);

/* The row with 'uuid' in the current view, or NULL. */
struct db_row *db_table_get_row(const struct db_table *,
                                const struct uuid *);

/* Iterates over the rows of 'TABLE' in the current view.  'ROW' may be
 * modified or deleted in the body, but no row may be inserted. */
#define DB_TABLE_FOR_EACH(ROW, TABLE)                                    \
    HMAP_FOR_EACH (ROW, node, &(TABLE)->rows)                            \
        if (((ROW) = db_row_current(ROW)) == NULL) {                     \
        } else

size_t db_table_count(const struct db_table *);

/* Looks up the committed row whose 'column' is 'value' in a unique index
 * on that column alone.  Returns false if there is no such index (the
 * caller must scan); else true, with the row or NULL in '*rowp'.  Rows
 * that an open transaction inserted or changed are not indexed yet. */
bool db_table_find_indexed(const struct db_table *, const struct db_column *,
                           const struct db_datum *value,
                           struct db_row **rowp);

/* Column lookups by name, for code that reads the DB directly. */
const struct db_datum *db_row_get(const struct db_row *, const char *column);
const char *db_row_get_string(const struct db_row *, const char *column);
/* The first element of an integer column, or 'def' if it is empty. */
long long db_row_get_int(const struct db_row *, const char *column,
                         long long def);
bool db_row_get_bool(const struct db_row *, const char *column, bool def);

/* Replaces field 'column' of 'row' (a row writable in a transaction) by
 * 'value', whose contents it takes. */
void db_row_set(struct db_row *, const struct db_column *,
                struct db_datum *value);

/* Creates a row of 'table' with default values and 'uuid', not in any
 * table.  For building a database (the journal's replay, a client's
 * replica) outside transactions. */
struct db_row *db_row_create(struct db_table *, const struct uuid *);
struct db_row *db_row_clone(const struct db_row *);
void db_row_destroy(struct db_row *);

/* Outside any transaction: adds or removes a committed row directly,
 * keeping indexes but not reference counts (see db_recount_refs()). */
void db_table_insert_row(struct db_table *, struct db_row *);
void db_table_remove_row(struct db_table *, struct db_row *);
/* Recomputes every row's reference count from scratch. */
void db_recount_refs(struct db *);

/* The table that 'base' (a reference type of a column of 'table') refers
 * to. */
struct db_table *db_ref_table(const struct db_table *,
                              const struct db_base_type *base);

uint32_t db_index_hash(const struct db_row *, const struct db_index_schema *);
bool db_index_equals(const struct db_row *, const struct db_row *,
                     const struct db_index_schema *);

#endif /* db.h */
