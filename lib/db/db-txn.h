/* Transactions on a struct db: insert, modify and delete rows, then
 * commit all at once or nothing.
 *
 * Commit enforces what RFC 7047 promises: strong references point at rows
 * that exist, rows of non-root tables that nothing references any more
 * are deleted (garbage collection), weak references to deleted rows
 * vanish, sets stay within their sizes, unique indexes stay unique, and
 * tables within their row limits.  Then listeners may veto (the journal
 * does if it cannot write) before anything changes, and hear of the
 * changes after.  One transaction at a time per database. */
#ifndef DB_TXN_H
#define DB_TXN_H 1

#include <stdbool.h>
#include <urcu/list.h>
#include "dynamic-string.h"

struct db;
struct db_datum;
struct db_row;
struct db_table;
struct uuid;

struct db_txn_row {
    struct cds_list_head node;  /* In struct db_txn's 'rows'. */
    struct db_row *row;         /* The row in the table: 'old' if there is
                                 * one, else the inserted row. */
    struct db_row *old;         /* Committed version; NULL if inserted. */
    struct db_row *new;         /* New version; NULL if deleted. */
    bool *changed;              /* Per column, once committing. */
};

struct db_txn {
    struct db *db;
    struct cds_list_head rows;  /* struct db_txn_row. */
    struct ds comment;
    struct db_row **touched;    /* Rows whose 'txn_ref_delta' is set. */
    size_t n_touched, allocated_touched;
    struct db_row **gc;         /* Rows that may have lost their last
                                 * reference, while committing. */
    size_t n_gc, allocated_gc;
};

struct db_txn *db_txn_create(struct db *);

/* A new row of 'table' with default values.  The caller makes sure no row
 * has 'uuid' yet. */
struct db_row *db_txn_insert(struct db_txn *, struct db_table *,
                             const struct uuid *);
/* A writable version of 'row' (as the transaction sees it). */
struct db_row *db_txn_modify(struct db_txn *, struct db_row *);
void db_txn_delete(struct db_txn *, struct db_row *);
/* Sets column 'name' of 'row' to 'value' (taken) in the transaction,
 * unless it already has that value: the daemon's writes of state that
 * seldom changes then commit nothing. */
void db_txn_set(struct db_txn *, struct db_row *, const char *name,
                struct db_datum *value);

void db_txn_add_comment(struct db_txn *, const char *);

/* Commits and destroys the transaction.  Returns NULL, or the error
 * that stopped it (then nothing changed). */
struct db_error *db_txn_commit(struct db_txn *);
void db_txn_abort(struct db_txn *);

/* For listeners: whether the transaction changes anything at all that is
 * persistent, and whether a row's column changed. */
bool db_txn_has_persistent_changes(const struct db_txn *);
static inline bool
db_txn_row_changed(const struct db_txn_row *txn_row, unsigned int column)
{
    return txn_row->changed[column];
}

#define DB_TXN_FOR_EACH_ROW(TXN_ROW, TXN) \
    cds_list_for_each_entry (TXN_ROW, &(TXN)->rows, node)

#endif /* db-txn.h */
