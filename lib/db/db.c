#include <config.h>
#include "db/db.h"

#include <stdlib.h>
#include <string.h>
#include "db/db-txn.h"
#include "hash.h"
#include "util.h"

struct db *
db_create(struct db_schema *schema)
{
    struct db *db = xzalloc(sizeof *db);
    db->schema = schema;
    db->tables = xcalloc(schema->n_tables, sizeof *db->tables);
    for (unsigned int i = 0; i < schema->n_tables; i++) {
        struct db_table *table = xzalloc(sizeof *table);
        table->db = db;
        table->schema = schema->tables[i];
        hmap_init(&table->rows);
        table->indexes = xcalloc(table->schema->n_indexes,
                                 sizeof *table->indexes);
        for (unsigned int j = 0; j < table->schema->n_indexes; j++) {
            hmap_init(&table->indexes[j]);
        }
        db->tables[i] = table;
    }
    CDS_INIT_LIST_HEAD(&db->listeners);
    return db;
}

void
db_destroy(struct db *db)
{
    if (!db) {
        return;
    }
    if (db->txn) {
        db_txn_abort(db->txn);
    }
    for (unsigned int i = 0; i < db->schema->n_tables; i++) {
        struct db_table *table = db->tables[i];
        struct db_row *row;
        HMAP_FOR_EACH (row, node, &table->rows) {
            hmap_remove(&table->rows, &row->node);
            db_row_destroy(row);
        }
        hmap_destroy(&table->rows);
        for (unsigned int j = 0; j < table->schema->n_indexes; j++) {
            hmap_destroy(&table->indexes[j]);
        }
        free(table->indexes);
        free(table);
    }
    free(db->tables);
    db_schema_destroy(db->schema);
    free(db);
}

struct db_table *
db_get_table(const struct db *db, const char *name)
{
    const struct db_table_schema *ts = db_schema_find_table(db->schema, name);
    return ts ? db->tables[ts->index] : NULL;
}

void
db_add_listener(struct db *db, struct db_listener *listener)
{
    cds_list_add_tail(&listener->node, &db->listeners);
}

void
db_remove_listener(struct db *db, struct db_listener *listener)
{
    cds_list_del(&listener->node);
}

struct db_row *
db_table_get_row(const struct db_table *table, const struct uuid *uuid)
{
    struct db_row *row;
    HMAP_FOR_EACH_WITH_HASH (row, node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(db_row_uuid(row), uuid)) {
            return db_row_current(row);
        }
    }
    return NULL;
}

size_t
db_table_count(const struct db_table *table)
{
    size_t n = 0;
    struct db_row *row;
    DB_TABLE_FOR_EACH (row, table) {
        n++;
    }
    return n;
}

const struct db_datum *
db_row_get(const struct db_row *row, const char *name)
{
    const struct db_column *column
        = db_table_schema_find_column(row->table->schema, name);
    if (!column) {
        SW_NOT_REACHED();
    }
    return &row->fields[column->index];
}

const char *
db_row_get_string(const struct db_row *row, const char *name)
{
    const struct db_datum *datum = db_row_get(row, name);
    return datum->n ? datum->keys[0].string : NULL;
}

long long
db_row_get_int(const struct db_row *row, const char *name, long long def)
{
    const struct db_datum *datum = db_row_get(row, name);
    return datum->n ? datum->keys[0].integer : def;
}

bool
db_row_get_bool(const struct db_row *row, const char *name, bool def)
{
    const struct db_datum *datum = db_row_get(row, name);
    return datum->n ? datum->keys[0].boolean : def;
}

void
db_row_set(struct db_row *row, const struct db_column *column,
           struct db_datum *value)
{
    db_datum_destroy(&row->fields[column->index], &column->type);
    row->fields[column->index] = *value;
    db_datum_init_empty(value);
}

static struct db_row *
db_row_alloc(struct db_table *table)
{
    const struct db_table_schema *ts = table->schema;
    size_t fields_size = ts->n_columns * sizeof(struct db_datum);
    struct db_row *row = xzalloc(sizeof *row + fields_size
                                 + ts->n_indexes
                                   * sizeof(struct db_index_node));
    row->table = table;
    row->index_nodes = (struct db_index_node *) ((char *) row->fields
                                                 + fields_size);
    for (unsigned int i = 0; i < ts->n_indexes; i++) {
        row->index_nodes[i].row = row;
    }
    return row;
}

struct db_row *
db_row_create(struct db_table *table, const struct uuid *uuid)
{
    struct db_row *row = db_row_alloc(table);
    const struct db_table_schema *ts = table->schema;
    for (unsigned int i = 0; i < ts->n_columns; i++) {
        db_datum_init_default(&row->fields[i], &ts->columns[i]->type);
    }
    row->fields[DB_COL_UUID].keys[0].uuid = *uuid;
    uuid_generate(&row->fields[DB_COL_VERSION].keys[0].uuid);
    return row;
}

struct db_row *
db_row_clone(const struct db_row *old)
{
    struct db_row *row = db_row_alloc(old->table);
    const struct db_table_schema *ts = old->table->schema;
    for (unsigned int i = 0; i < ts->n_columns; i++) {
        db_datum_clone(&row->fields[i], &old->fields[i],
                       &ts->columns[i]->type);
    }
    return row;
}

void
db_row_destroy(struct db_row *row)
{
    if (row) {
        const struct db_table_schema *ts = row->table->schema;
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            db_datum_destroy(&row->fields[i], &ts->columns[i]->type);
        }
        free(row);
    }
}

uint32_t
db_index_hash(const struct db_row *row, const struct db_index_schema *index)
{
    uint32_t hash = 0;
    for (unsigned int i = 0; i < index->n_columns; i++) {
        const struct db_column *column = index->columns[i];
        hash = db_datum_hash(&row->fields[column->index], &column->type,
                             hash);
    }
    return hash;
}

bool
db_index_equals(const struct db_row *a, const struct db_row *b,
                const struct db_index_schema *index)
{
    for (unsigned int i = 0; i < index->n_columns; i++) {
        const struct db_column *column = index->columns[i];
        if (!db_datum_equals(&a->fields[column->index],
                             &b->fields[column->index], &column->type)) {
            return false;
        }
    }
    return true;
}

bool
db_table_find_indexed(const struct db_table *table,
                      const struct db_column *column,
                      const struct db_datum *value, struct db_row **rowp)
{
    const struct db_table_schema *ts = table->schema;
    *rowp = NULL;
    for (unsigned int i = 0; i < ts->n_indexes; i++) {
        const struct db_index_schema *index = &ts->indexes[i];
        if (index->n_columns != 1 || index->columns[0] != column) {
            continue;
        }
        struct db_index_node *node;
        HMAP_FOR_EACH_WITH_HASH (node, node,
                                 db_datum_hash(value, &column->type, 0),
                                 &table->indexes[i]) {
            if (db_datum_equals(&node->row->fields[column->index], value,
                                &column->type)) {
                *rowp = node->row;
                break;
            }
        }
        return true;
    }
    return false;
}

void
db_table_insert_row(struct db_table *table, struct db_row *row)
{
    hmap_insert(&table->rows, &row->node, uuid_hash(db_row_uuid(row)));
    for (unsigned int i = 0; i < table->schema->n_indexes; i++) {
        hmap_insert(&table->indexes[i], &row->index_nodes[i].node,
                    db_index_hash(row, &table->schema->indexes[i]));
    }
}

void
db_table_remove_row(struct db_table *table, struct db_row *row)
{
    hmap_remove(&table->rows, &row->node);
    for (unsigned int i = 0; i < table->schema->n_indexes; i++) {
        hmap_remove(&table->indexes[i], &row->index_nodes[i].node);
    }
}

struct db_table *
db_ref_table(const struct db_table *table, const struct db_base_type *base)
{
    return table->db->tables[base->u.uuid.ref_table->index];
}

void
db_recount_refs(struct db *db)
{
    for (unsigned int t = 0; t < db->schema->n_tables; t++) {
        struct db_row *row;
        HMAP_FOR_EACH (row, node, &db->tables[t]->rows) {
            row->n_refs = 0;
        }
    }
    for (unsigned int t = 0; t < db->schema->n_tables; t++) {
        struct db_table *table = db->tables[t];
        if (!table->schema->has_refs) {
            continue;
        }
        struct db_row *row;
        HMAP_FOR_EACH (row, node, &table->rows) {
            for (unsigned int c = 0; c < table->schema->n_columns; c++) {
                const struct db_column *column = table->schema->columns[c];
                const struct db_datum *datum = &row->fields[c];
                const struct db_base_type *bases[2] = { &column->type.key,
                                                        &column->type.value };
                const union db_atom *atoms[2] = { datum->keys,
                                                  datum->values };
                for (int b = 0; b < 2; b++) {
                    if (!db_base_type_is_strong_ref(bases[b])) {
                        continue;
                    }
                    struct db_table *ref = db_ref_table(table, bases[b]);
                    for (unsigned int i = 0; i < datum->n; i++) {
                        struct db_row *target
                            = db_table_get_row(ref, &atoms[b][i].uuid);
                        if (target) {
                            target->n_refs++;
                        }
                    }
                }
            }
        }
    }
}
