#include <config.h>
#include "db/db-txn.h"

#include <stdlib.h>
#include <string.h>
#include "db/db-datum.h"
#include "db/db-error.h"
#include "db/db-schema.h"
#include "db/db.h"
#include "hash.h"
#include "util.h"

struct db_txn *
db_txn_create(struct db *db)
{
    struct db_txn *txn = xzalloc(sizeof *txn);
    txn->db = db;
    CDS_INIT_LIST_HEAD(&txn->rows);
    ds_init(&txn->comment);
    if (db->txn) {
        SW_NOT_REACHED();       /* One transaction at a time. */
    }
    db->txn = txn;
    return txn;
}

struct db_row *
db_row_current(struct db_row *row)
{
    return row->txn_row ? row->txn_row->new : row;
}

static struct db_txn_row *
db_txn_row_create(struct db_txn *txn, struct db_row *row,
                  struct db_row *old, struct db_row *new)
{
    struct db_txn_row *txn_row = xzalloc(sizeof *txn_row);
    txn_row->row = row;
    txn_row->old = old;
    txn_row->new = new;
    row->txn_row = txn_row;
    if (new) {
        new->txn_row = txn_row;
    }
    cds_list_add_tail(&txn_row->node, &txn->rows);
    return txn_row;
}

struct db_row *
db_txn_insert(struct db_txn *txn, struct db_table *table,
              const struct uuid *uuid)
{
    struct db_row *row = db_row_create(table, uuid);
    db_txn_row_create(txn, row, NULL, row);
    hmap_insert(&table->rows, &row->node, uuid_hash(uuid));
    return row;
}

struct db_row *
db_txn_modify(struct db_txn *txn, struct db_row *row)
{
    struct db_txn_row *txn_row = row->txn_row;
    if (txn_row) {
        if (!txn_row->new) {
            SW_NOT_REACHED();   /* Modifying a deleted row. */
        }
        if (txn_row->new != txn_row->old) {
            return txn_row->new;
        }
    }
    /* 'row' is committed and untouched: copy it. */
    struct db_row *copy = db_row_clone(row);
    db_txn_row_create(txn, row, row, copy);
    return copy;
}

void
db_txn_set(struct db_txn *txn, struct db_row *row, const char *name,
           struct db_datum *value)
{
    const struct db_column *c = db_table_schema_find_column(
        row->table->schema, name);
    if (!c) {
        SW_NOT_REACHED();       /* The caller's schema lacks 'name'. */
    }
    if (db_datum_equals(&row->fields[c->index], value, &c->type)) {
        db_datum_destroy(value, &c->type);
    } else {
        db_row_set(db_txn_modify(txn, row), c, value);
    }
}

void
db_txn_delete(struct db_txn *txn, struct db_row *row)
{
    struct db_txn_row *txn_row = row->txn_row;
    if (!txn_row) {
        db_txn_row_create(txn, row, row, NULL);
        return;
    }
    if (txn_row->old && txn_row->new && txn_row->new != txn_row->old) {
        db_row_destroy(txn_row->new);
    }
    /* An inserted row stays in its table, as 'txn_row->row', until the
     * transaction ends, so that nothing points to freed memory. */
    txn_row->new = NULL;
}

void
db_txn_add_comment(struct db_txn *txn, const char *comment)
{
    if (txn->comment.length) {
        ds_put_char(&txn->comment, '\n');
    }
    ds_put_cstr(&txn->comment, comment);
}

static void
db_txn_destroy(struct db_txn *txn)
{
    struct db_txn_row *txn_row, *next;
    cds_list_for_each_entry_safe (txn_row, next, &txn->rows, node) {
        free(txn_row->changed);
        free(txn_row);
    }
    for (size_t i = 0; i < txn->n_touched; i++) {
        txn->touched[i]->txn_ref_delta = 0;
    }
    free(txn->touched);
    free(txn->gc);
    ds_destroy(&txn->comment);
    txn->db->txn = NULL;
    free(txn);
}

void
db_txn_abort(struct db_txn *txn)
{
    for (size_t i = 0; i < txn->n_touched; i++) {
        txn->touched[i]->txn_ref_delta = 0;
    }
    txn->n_touched = 0;

    struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        if (txn_row->old) {
            txn_row->old->txn_row = NULL;
            if (txn_row->new && txn_row->new != txn_row->old) {
                db_row_destroy(txn_row->new);
            }
        } else {
            hmap_remove(&txn_row->row->table->rows, &txn_row->row->node);
            db_row_destroy(txn_row->row);
        }
    }
    db_txn_destroy(txn);
}

/* Sets 'txn_row''s 'changed': every column of an inserted or deleted row,
 * and those that differ for a modified one. */
static void
db_txn_row_compute_changed(struct db_txn_row *txn_row)
{
    const struct db_table_schema *ts = txn_row->row->table->schema;
    free(txn_row->changed);
    txn_row->changed = xcalloc(ts->n_columns, sizeof *txn_row->changed);
    for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
        txn_row->changed[c] = (!txn_row->old || !txn_row->new
                               || !db_datum_equals(&txn_row->old->fields[c],
                                                   &txn_row->new->fields[c],
                                                   &ts->columns[c]->type));
    }
}

/* Step 1: works out which columns changed, and forgets rows that did not
 * change at all. */
static void
db_txn_compute_changes(struct db_txn *txn)
{
    struct db_txn_row *txn_row, *next;
    cds_list_for_each_entry_safe (txn_row, next, &txn->rows, node) {
        const struct db_table_schema *ts = txn_row->row->table->schema;
        bool any = false;

        db_txn_row_compute_changed(txn_row);
        for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
            any |= txn_row->changed[c];
        }
        if (txn_row->old && txn_row->new && !any) {
            txn_row->old->txn_row = NULL;
            db_row_destroy(txn_row->new);
            cds_list_del(&txn_row->node);
            free(txn_row->changed);
            free(txn_row);
        }
    }
}

static struct db_row *
db_table_find_row__(const struct db_table *table, const struct uuid *uuid)
{
    struct db_row *row;
    HMAP_FOR_EACH_WITH_HASH (row, node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(db_row_uuid(row), uuid)) {
            return row;
        }
    }
    return NULL;
}

static void
db_txn_touch(struct db_txn *txn, struct db_row *row, int delta)
{
    if (!row->txn_ref_delta) {
        txn->touched = x2nrealloc(txn->touched, &txn->allocated_touched,
                                  txn->n_touched + 1, sizeof *txn->touched);
        txn->touched[txn->n_touched++] = row;
    }
    row->txn_ref_delta += delta;
}

static void
db_txn_gc_push(struct db_txn *txn, struct db_row *row)
{
    txn->gc = x2nrealloc(txn->gc, &txn->allocated_gc, txn->n_gc + 1,
                         sizeof *txn->gc);
    txn->gc[txn->n_gc++] = row;
}

/* Adds 'delta' to the reference count of the rows that 'atoms[0..n)' (of
 * 'base', in column 'column' of 'version') refer to, if 'base' is a
 * strong reference.  Rows whose count drops may be garbage now.  Returns
 * an error for a reference to a row that does not exist. */
static struct db_error *
adjust_refs_atoms(struct db_txn *txn, const struct db_row *version,
                  const struct db_column *column,
                  const struct db_base_type *base, const union db_atom *atoms,
                  unsigned int n, int delta)
{
    if (!db_base_type_is_strong_ref(base)) {
        return NULL;
    }
    struct db_table *ref = db_ref_table(version->table, base);
    for (unsigned int i = 0; i < n; i++) {
        const struct uuid *uuid = &atoms[i].uuid;
        struct db_row *target = db_table_find_row__(ref, uuid);
        if (!target) {
            if (delta < 0) {
                continue;   /* Already gone; nothing to count. */
            }
            return db_error_create(
                "referential integrity violation",
                "Table %s column %s row "UUID_FMT" references "
                "nonexistent row "UUID_FMT" in table %s.",
                version->table->schema->name, column->name,
                UUID_ARGS(db_row_uuid(version)), UUID_ARGS(uuid),
                ref->schema->name);
        }
        db_txn_touch(txn, target, delta);
        if (delta < 0) {
            db_txn_gc_push(txn, target);
        }
    }
    return NULL;
}

/* Adds 'delta' to the reference count of every row that 'version' refers
 * to strongly, in every column or, with 'changed', those that changed. */
static struct db_error *
db_txn_adjust_refs(struct db_txn *txn, struct db_row *version,
                   const struct db_txn_row *changed, int delta)
{
    const struct db_table_schema *ts = version->table->schema;
    struct db_error *error = NULL;

    if (!ts->has_refs) {
        return NULL;
    }
    for (unsigned int c = DB_N_STD_COLUMNS; !error && c < ts->n_columns;
         c++) {
        const struct db_column *column = ts->columns[c];
        const struct db_datum *datum = &version->fields[c];
        if (changed && !changed->changed[c]) {
            continue;
        }
        error = adjust_refs_atoms(txn, version, column, &column->type.key,
                                  datum->keys, datum->n, delta);
        if (!error) {
            error = adjust_refs_atoms(txn, version, column,
                                      &column->type.value, datum->values,
                                      datum->n, delta);
        }
    }
    return error;
}

/* For a row that 'txn_row' modifies: counts only the references that
 * come and go.  Adding one port to a bridge of 10,000 then touches one
 * row, not 10,000, through the bridge's "ports".  Map values (whose order
 * follows their keys) are counted whole. */
static struct db_error *
db_txn_adjust_changed_refs(struct db_txn *txn,
                           const struct db_txn_row *txn_row)
{
    const struct db_row *old = txn_row->old, *new = txn_row->new;
    const struct db_table_schema *ts = old->table->schema;
    struct db_error *error = NULL;

    if (!ts->has_refs) {
        return NULL;
    }
    for (unsigned int c = DB_N_STD_COLUMNS; !error && c < ts->n_columns;
         c++) {
        const struct db_column *column = ts->columns[c];
        if (!txn_row->changed[c]) {
            continue;
        }
        const struct db_datum *a = &old->fields[c], *b = &new->fields[c];
        if (db_base_type_is_strong_ref(&column->type.key)) {
            union db_atom *gone, *came;
            unsigned int n_gone, n_came;
            db_datum_changed_keys(a, b, DB_TYPE_UUID, &gone, &n_gone, &came,
                                  &n_came);
            error = adjust_refs_atoms(txn, old, column, &column->type.key,
                                      gone, n_gone, -1);
            if (!error) {
                error = adjust_refs_atoms(txn, new, column,
                                          &column->type.key, came, n_came,
                                          +1);
            }
            free(gone);
            free(came);
        }
        if (!error) {
            error = adjust_refs_atoms(txn, old, column, &column->type.value,
                                      a->values, a->n, -1);
        }
        if (!error) {
            error = adjust_refs_atoms(txn, new, column, &column->type.value,
                                      b->values, b->n, +1);
        }
    }
    return error;
}

/* Step 2a: counts the references that the transaction adds and removes.
 * New rows of non-root tables may be garbage from the start. */
static struct db_error *
db_txn_count_refs(struct db_txn *txn)
{
    struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        struct db_error *error = NULL;
        if (txn_row->old && txn_row->new) {
            error = db_txn_adjust_changed_refs(txn, txn_row);
        } else if (txn_row->old) {
            error = db_txn_adjust_refs(txn, txn_row->old, txn_row, -1);
        } else if (txn_row->new) {
            error = db_txn_adjust_refs(txn, txn_row->new, txn_row, +1);
        }
        if (error) {
            return error;
        }
        if (!txn_row->old && txn_row->new) {
            db_txn_gc_push(txn, txn_row->row);
        }
    }
    return NULL;
}

/* Step 2b: deletes rows of non-root tables that nothing refers to any
 * more, and what only they referred to. */
static struct db_error *
db_txn_run_gc(struct db_txn *txn)
{
    while (txn->n_gc > 0) {
        struct db_row *row = txn->gc[--txn->n_gc];
        struct db_row *current = db_row_current(row);
        if (row->table->schema->is_root || !current
            || row->n_refs + row->txn_ref_delta > 0) {
            continue;
        }
        struct db_error *error = db_txn_adjust_refs(txn, current, NULL, -1);
        if (error) {
            return error;
        }
        db_txn_delete(txn, current);
    }
    return NULL;
}

/* Step 4: no deleted row may still be referred to. */
static struct db_error *
db_txn_check_deleted(struct db_txn *txn)
{
    struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        struct db_row *row = txn_row->row;
        if (!txn_row->new && row->n_refs + row->txn_ref_delta > 0) {
            return db_error_create(
                "referential integrity violation",
                "cannot delete %s row "UUID_FMT" because of %d remaining "
                "reference(s)", row->table->schema->name,
                UUID_ARGS(db_row_uuid(row)),
                (int) row->n_refs + row->txn_ref_delta);
        }
    }
    return NULL;
}

/* A set of UUIDs of deleted rows, by table. */
struct deleted_uuid {
    struct hmap_node node;
    const struct db_table *table;
    struct uuid uuid;
};

static bool
deleted_uuids_contains(const struct hmap *deleted,
                       const struct db_table *table, const struct uuid *uuid)
{
    struct deleted_uuid *d;
    HMAP_FOR_EACH_WITH_HASH (d, node, uuid_hash(uuid), deleted) {
        if (d->table == table && uuid_equals(&d->uuid, uuid)) {
            return true;
        }
    }
    return false;
}

/* Element 'i' of 'datum' (column 'column' of a row of 'table') is about to
 * go because of a weak reference.  If its other half ('b' 0: key, 1:
 * value) is a strong reference, that reference goes too. */
static void
db_txn_release_partner(struct db_txn *txn, const struct db_table *table,
                       const struct db_column *column,
                       const struct db_datum *datum, unsigned int i, int b)
{
    const struct db_base_type *base = b ? &column->type.value
                                        : &column->type.key;
    if (!db_base_type_is_strong_ref(base)) {
        return;
    }
    const union db_atom *atom = b ? &datum->values[i] : &datum->keys[i];
    struct db_row *target = db_table_find_row__(db_ref_table(table, base),
                                                &atom->uuid);
    if (target) {
        db_txn_touch(txn, target, -1);
        db_txn_gc_push(txn, target);
    }
}

/* Removes from 'row' (writable) its weak references that point to rows
 * that do not exist or are in 'deleted'.  Returns true if it changed. */
static bool
db_txn_prune_weak_refs(struct db_txn *txn, struct db_row *row,
                       const struct hmap *deleted, bool dry_run)
{
    const struct db_table_schema *ts = row->table->schema;
    bool changed = false;

    for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
        const struct db_column *column = ts->columns[c];
        const struct db_base_type *bases[2] = { &column->type.key,
                                                &column->type.value };
        for (int b = 0; b < 2; b++) {
            if (!db_base_type_is_weak_ref(bases[b])) {
                continue;
            }
            struct db_table *ref = db_ref_table(row->table, bases[b]);
            struct db_datum *datum = &row->fields[c];
            for (unsigned int i = datum->n; i-- > 0;) {
                const union db_atom *atom = b ? &datum->values[i]
                                              : &datum->keys[i];
                if (db_table_get_row(ref, &atom->uuid)
                    && !deleted_uuids_contains(deleted, ref, &atom->uuid)) {
                    continue;
                }
                if (dry_run) {
                    return true;
                }
                db_txn_release_partner(txn, row->table, column, datum, i,
                                       !b);
                db_datum_remove_at(datum, i, &column->type);
                changed = true;
                if (row->txn_row && row->txn_row->changed) {
                    row->txn_row->changed[c] = true;
                }
            }
        }
    }
    return changed;
}

/* Step 3: weak references to rows that are gone vanish, from new and
 * changed rows and from any row that pointed at a deleted row.  Strong
 * references paired with them in a map go too, which may make more
 * garbage (see db_txn_commit()). */
static void
db_txn_fix_weak_refs(struct db_txn *txn)
{
    struct hmap deleted = HMAP_INITIALIZER(&deleted);
    struct db_txn_row *txn_row;
    struct db *db = txn->db;
    bool *has_deleted = xcalloc(db->schema->n_tables, sizeof *has_deleted);

    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        const struct db_table *table = txn_row->row->table;
        if (txn_row->new) {
            if (table->schema->has_weak_refs) {
                db_txn_prune_weak_refs(txn, txn_row->new, &deleted, false);
            }
        } else if (table->schema->is_weak_ref_target) {
            struct deleted_uuid *d = xmalloc(sizeof *d);
            d->table = table;
            d->uuid = *db_row_uuid(txn_row->row);
            hmap_insert(&deleted, &d->node, uuid_hash(&d->uuid));
            has_deleted[table->schema->index] = true;
        }
    }

    /* Rows elsewhere that point at the deleted rows: only tables with weak
     * references to a table that lost rows need a look. */
    for (unsigned int t = 0; t < db->schema->n_tables
                             && !hmap_is_empty(&deleted); t++) {
        struct db_table *table = db->tables[t];
        if (!db_table_schema_weakly_refers_to(table->schema, has_deleted)) {
            continue;
        }
        struct db_row *row;
        DB_TABLE_FOR_EACH (row, table) {
            if (db_txn_prune_weak_refs(txn, row, &deleted, true)) {
                db_txn_prune_weak_refs(txn, db_txn_modify(txn, row),
                                       &deleted, false);
            }
        }
    }

    struct deleted_uuid *d;
    HMAP_FOR_EACH (d, node, &deleted) {
        hmap_remove(&deleted, &d->node);
        free(d);
    }
    hmap_destroy(&deleted);
    free(has_deleted);
}

/* Makes sure every row has its 'changed' array: rows that garbage
 * collection deleted or weak references changed came late. */
static void
db_txn_finish_changes(struct db_txn *txn)
{
    struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        if (!txn_row->changed) {
            db_txn_row_compute_changed(txn_row);
        }
    }
}

/* Step 5: set sizes and table sizes. */
static struct db_error *
db_txn_check_sizes(struct db_txn *txn)
{
    struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        if (!txn_row->new) {
            continue;
        }
        const struct db_table_schema *ts = txn_row->row->table->schema;
        for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
            if (txn_row->changed[c]) {
                struct db_error *error = db_datum_check_size(
                    &txn_row->new->fields[c], &ts->columns[c]->type);
                if (error) {
                    return error;
                }
            }
        }
        if (!txn_row->old && ts->max_rows != UINT_MAX) {
            size_t n = db_table_count(txn_row->row->table);
            if (n > ts->max_rows) {
                return db_error_create(
                    "constraint violation", "transaction causes \"%s\" table "
                    "to contain %zu rows, greater than the schema-defined "
                    "limit of %u row(s)", ts->name, n, ts->max_rows);
            }
        }
    }
    return NULL;
}

static bool
db_txn_row_changes_index(const struct db_txn_row *txn_row,
                         const struct db_index_schema *index)
{
    if (!txn_row->old) {
        return true;
    }
    for (unsigned int i = 0; i < index->n_columns; i++) {
        if (txn_row->changed[index->columns[i]->index]) {
            return true;
        }
    }
    return false;
}

static struct db_error *
db_txn_duplicate_error(const struct db_table_schema *ts,
                       const struct db_index_schema *index,
                       const struct db_row *first, bool first_is_old,
                       const struct db_row *second)
{
    struct ds values = DS_EMPTY_INITIALIZER;
    struct ds columns = DS_EMPTY_INITIALIZER;
    for (unsigned int i = 0; i < index->n_columns; i++) {
        const struct db_column *column = index->columns[i];
        if (i) {
            ds_put_cstr(&values, ", ");
            ds_put_cstr(&columns, ", ");
        }
        db_datum_to_string(&second->fields[column->index], &column->type,
                           &values);
        ds_put_format(&columns, "\"%s\"", column->name);
    }
    struct db_error *error = db_error_create(
        "constraint violation", "Transaction causes multiple rows in \"%s\" "
        "table to have identical values (%s) for index on column%s %s.  "
        "First row, with UUID "UUID_FMT", %s.  Second row, with UUID "
        UUID_FMT", was inserted or modified by this transaction.",
        ts->name, ds_cstr(&values), index->n_columns > 1 ? "s" : "",
        ds_cstr(&columns), UUID_ARGS(db_row_uuid(first)),
        first_is_old ? "existed in the database before this transaction "
                       "and was not modified by the transaction"
                     : "was inserted or modified by this transaction",
        UUID_ARGS(db_row_uuid(second)));
    ds_destroy(&values);
    ds_destroy(&columns);
    return error;
}

struct index_entry {
    struct hmap_node node;
    const struct db_row *row;
};

/* Step 6: unique indexes. */
static struct db_error *
db_txn_check_indexes(struct db_txn *txn)
{
    struct db_error *error = NULL;
    struct db *db = txn->db;

    for (unsigned int t = 0; t < db->schema->n_tables && !error; t++) {
        const struct db_table *table = db->tables[t];
        const struct db_table_schema *ts = table->schema;
        for (unsigned int x = 0; x < ts->n_indexes && !error; x++) {
            const struct db_index_schema *index = &ts->indexes[x];
            struct hmap new_keys = HMAP_INITIALIZER(&new_keys);
            struct db_txn_row *txn_row;
            struct index_entry *e;

            DB_TXN_FOR_EACH_ROW (txn_row, txn) {
                const struct db_row *new = txn_row->new;
                if (!new || new->table != table
                    || !db_txn_row_changes_index(txn_row, index)) {
                    continue;
                }
                uint32_t hash = db_index_hash(new, index);

                /* Against the other rows this transaction wrote. */
                HMAP_FOR_EACH_WITH_HASH (e, node, hash, &new_keys) {
                    if (db_index_equals(e->row, new, index)) {
                        error = db_txn_duplicate_error(ts, index, e->row,
                                                       false, new);
                        break;
                    }
                }
                if (error) {
                    break;
                }
                e = xmalloc(sizeof *e);
                e->row = new;
                hmap_insert(&new_keys, &e->node, hash);

                /* Against committed rows whose key this transaction keeps:
                 * untouched ones, and changed ones whose indexed columns
                 * did not change (rows with a new key are among
                 * 'new_keys'; deleted ones are gone). */
                struct db_index_node *in;
                HMAP_FOR_EACH_WITH_HASH (in, node, hash,
                                         &table->indexes[x]) {
                    const struct db_txn_row *other = in->row->txn_row;
                    if (other == txn_row
                        || (other && (!other->new
                                      || db_txn_row_changes_index(other,
                                                                  index)))) {
                        continue;
                    }
                    if (db_index_equals(in->row, new, index)) {
                        error = db_txn_duplicate_error(ts, index, in->row,
                                                       !other, new);
                        break;
                    }
                }
                if (error) {
                    break;
                }
            }
            HMAP_FOR_EACH (e, node, &new_keys) {
                hmap_remove(&new_keys, &e->node);
                free(e);
            }
            hmap_destroy(&new_keys);
        }
    }
    return error;
}

/* Step 7: makes the transaction's changes the database's. */
static void
db_txn_apply(struct db_txn *txn)
{
    /* Reference counts of rows that stay as they are. */
    for (size_t i = 0; i < txn->n_touched; i++) {
        struct db_row *row = txn->touched[i];
        if (!row->txn_row) {
            row->n_refs += row->txn_ref_delta;
        }
    }

    struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        struct db_row *row = txn_row->row;
        struct db_table *table = row->table;
        struct db_row *new = txn_row->new;

        if (txn_row->old) {
            db_table_remove_row(table, row);
        } else if (!new) {
            hmap_remove(&table->rows, &row->node);  /* Inserted, deleted. */
        } else {
            hmap_remove(&table->rows, &row->node);  /* Re-added below. */
        }
        if (new) {
            new->n_refs = row->n_refs + row->txn_ref_delta;
            db_table_insert_row(table, new);
        }
    }
}

struct db_error *
db_txn_commit(struct db_txn *txn)
{
    struct db_error *error;
    struct db_txn_row *txn_row, *next;
    struct db_listener *listener;

    db_txn_compute_changes(txn);
    if (cds_list_empty(&txn->rows)) {
        db_txn_destroy(txn);    /* Nothing changed: nothing to tell. */
        return NULL;
    }
    /* Garbage collection and weak references feed each other until
     * neither finds more to do. */
    error = db_txn_count_refs(txn);
    while (!error) {
        error = db_txn_run_gc(txn);
        if (!error) {
            db_txn_fix_weak_refs(txn);
            if (!txn->n_gc) {
                break;
            }
        }
    }
    if (!error) {
        error = db_txn_check_deleted(txn);
    }
    if (error) {
        goto abort;
    }
    db_txn_finish_changes(txn);
    error = db_txn_check_sizes(txn);
    if (!error) {
        error = db_txn_check_indexes(txn);
    }
    if (error) {
        goto abort;
    }

    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        if (txn_row->new) {
            uuid_generate(&txn_row->new->fields[DB_COL_VERSION].keys[0].uuid);
        }
    }
    cds_list_for_each_entry (listener, &txn->db->listeners, node) {
        if (listener->prepare) {
            error = listener->prepare(listener, txn);
            if (error) {
                goto abort;
            }
        }
    }

    db_txn_apply(txn);
    for (size_t i = 0; i < txn->n_touched; i++) {
        txn->touched[i]->txn_ref_delta = 0;
    }
    txn->n_touched = 0;
    cds_list_for_each_entry (listener, &txn->db->listeners, node) {
        if (listener->committed) {
            listener->committed(listener, txn);
        }
    }

    cds_list_for_each_entry_safe (txn_row, next, &txn->rows, node) {
        if (txn_row->new) {
            txn_row->new->txn_row = NULL;
        }
        if (txn_row->old) {
            db_row_destroy(txn_row->old);
        } else if (!txn_row->new) {
            db_row_destroy(txn_row->row);
        }
    }
    db_txn_destroy(txn);
    return NULL;

abort:
    db_txn_abort(txn);
    return error;
}

bool
db_txn_has_persistent_changes(const struct db_txn *txn)
{
    struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        const struct db_table_schema *ts = txn_row->row->table->schema;
        if (!txn_row->old || !txn_row->new) {
            return true;
        }
        for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
            if (txn_row->changed[c] && ts->columns[c]->persistent) {
                return true;
            }
        }
    }
    return false;
}
