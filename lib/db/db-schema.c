#include <config.h>
#include "db/db-schema.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "db/db-error.h"
#include "hash.h"
#include "util.h"

bool
db_is_valid_id(const char *s)
{
    if (!isalpha((unsigned char) *s) && *s != '_') {
        return false;
    }
    for (; *s; s++) {
        if (!isalnum((unsigned char) *s) && *s != '_') {
            return false;
        }
    }
    return true;
}

static void
db_column_destroy(struct db_column *column)
{
    if (column) {
        db_type_destroy(&column->type);
        free(column->name);
        free(column);
    }
}

static struct db_column *
db_column_create(const char *name, const struct db_type *type,
                 bool mutable_, bool persistent)
{
    struct db_column *column = xzalloc(sizeof *column);
    column->name = xstrdup(name);
    column->type = *type;
    column->mutable_ = mutable_;
    column->persistent = persistent;
    return column;
}

static void
db_table_schema_add_column(struct db_table_schema *table,
                           struct db_column *column)
{
    column->index = table->n_columns;
    table->columns = xrealloc(table->columns, (table->n_columns + 1)
                              * sizeof *table->columns);
    table->columns[table->n_columns++] = column;
    hmap_insert(&table->columns_by_name, &column->node,
                hash_string(column->name, 0));
}

static void
db_table_schema_destroy(struct db_table_schema *table)
{
    if (!table) {
        return;
    }
    for (unsigned int i = 0; i < table->n_columns; i++) {
        db_column_destroy(table->columns[i]);
    }
    for (unsigned int i = 0; i < table->n_indexes; i++) {
        free(table->indexes[i].columns);
    }
    free(table->indexes);
    free(table->columns);
    hmap_destroy(&table->columns_by_name);
    free(table->name);
    free(table);
}

const struct db_column *
db_table_schema_find_column(const struct db_table_schema *table,
                            const char *name)
{
    struct db_column *column;
    HMAP_FOR_EACH_WITH_HASH (column, node, hash_string(name, 0),
                             &table->columns_by_name) {
        if (!strcmp(column->name, name)) {
            return column;
        }
    }
    return NULL;
}

static struct db_error *
db_column_from_json(const char *name, const json_t *json,
                    struct db_column **columnp)
{
    const json_t *type_json = json_object_get(json, "type");
    const json_t *ephemeral = json_object_get(json, "ephemeral");
    const json_t *mutable_ = json_object_get(json, "mutable");
    struct db_type type;

    *columnp = NULL;
    if (!json_is_object(json) || !type_json) {
        return db_syntax_error(json, "column %s must be an object with a "
                               "\"type\"", name);
    }
    if ((ephemeral && !json_is_boolean(ephemeral))
        || (mutable_ && !json_is_boolean(mutable_))) {
        return db_syntax_error(json, "column %s: \"ephemeral\" and "
                               "\"mutable\" must be booleans", name);
    }
    struct db_error *error = db_type_from_json(&type, type_json);
    if (error) {
        return error;
    }
    *columnp = db_column_create(name, &type, !mutable_ || json_is_true(mutable_),
                                !json_is_true(ephemeral));
    return NULL;
}

static struct db_error *
db_table_schema_parse_indexes(struct db_table_schema *table,
                              const json_t *indexes)
{
    size_t i;
    const json_t *index;

    if (!indexes) {
        return NULL;
    }
    if (!json_is_array(indexes)) {
        return db_syntax_error(indexes, "\"indexes\" must be an array");
    }
    json_array_foreach (indexes, i, index) {
        if (!json_is_array(index) || !json_array_size(index)) {
            return db_syntax_error(index, "an index must be a non-empty "
                                   "array of column names");
        }
        struct db_index_schema is = {
            .n_columns = json_array_size(index),
            .columns = xcalloc(json_array_size(index), sizeof *is.columns),
        };
        table->indexes = xrealloc(table->indexes, (table->n_indexes + 1)
                                  * sizeof *table->indexes);
        table->indexes[table->n_indexes++] = is;
        for (size_t j = 0; j < is.n_columns; j++) {
            const char *name = json_string_value(json_array_get(index, j));
            const struct db_column *column
                = name ? db_table_schema_find_column(table, name) : NULL;
            if (!column) {
                return db_syntax_error(index, "table %s index names an "
                                       "unknown column", table->name);
            }
            if (!column->persistent) {
                return db_syntax_error(index, "table %s index uses "
                                       "ephemeral column %s", table->name,
                                       name);
            }
            is.columns[j] = column;
        }
    }
    return NULL;
}

static struct db_error *
db_table_schema_from_json(const char *name, const json_t *json,
                          struct db_table_schema **tablep)
{
    const json_t *columns = json_object_get(json, "columns");
    const json_t *is_root = json_object_get(json, "isRoot");
    const json_t *max_rows = json_object_get(json, "maxRows");
    struct db_table_schema *table;
    struct db_error *error = NULL;
    struct db_type uuid_type;

    *tablep = NULL;
    if (!db_is_valid_id(name) || name[0] == '_') {
        return db_syntax_error(NULL, "\"%s\" is not a valid table name",
                               name);
    }
    if (!json_is_object(json) || !json_is_object(columns)
        || !json_object_size(columns)) {
        return db_syntax_error(json, "table %s must have \"columns\"", name);
    }
    if ((is_root && !json_is_boolean(is_root))
        || (max_rows && (!json_is_integer(max_rows)
                         || json_integer_value(max_rows) < 1))) {
        return db_syntax_error(json, "table %s: bad \"isRoot\" or "
                               "\"maxRows\"", name);
    }

    table = xzalloc(sizeof *table);
    table->name = xstrdup(name);
    hmap_init(&table->columns_by_name);
    table->is_root = json_is_true(is_root);
    table->max_rows = max_rows ? json_integer_value(max_rows) : UINT_MAX;

    db_type_init(&uuid_type);
    uuid_type.key.type = DB_TYPE_UUID;
    db_table_schema_add_column(table, db_column_create("_uuid", &uuid_type,
                                                       false, true));
    db_table_schema_add_column(table, db_column_create("_version",
                                                       &uuid_type, false,
                                                       false));

    const char *column_name;
    const json_t *column_json;
    json_object_foreach ((json_t *) columns, column_name, column_json) {
        struct db_column *column;
        if (!db_is_valid_id(column_name) || column_name[0] == '_') {
            error = db_syntax_error(NULL, "table %s: \"%s\" is not a valid "
                                    "column name", name, column_name);
            break;
        }
        error = db_column_from_json(column_name, column_json, &column);
        if (error) {
            break;
        }
        db_table_schema_add_column(table, column);
    }
    if (!error) {
        error = db_table_schema_parse_indexes(table,
                                              json_object_get(json,
                                                              "indexes"));
    }
    if (error) {
        db_table_schema_destroy(table);
        return error;
    }
    *tablep = table;
    return NULL;
}

static int
compare_tables_by_name(const void *a_, const void *b_)
{
    const struct db_table_schema *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* Resolves "refTable" names to tables and notes who refers to whom. */
static struct db_error *
db_schema_link_refs(struct db_schema *schema)
{
    for (unsigned int t = 0; t < schema->n_tables; t++) {
        struct db_table_schema *table = schema->tables[t];
        for (unsigned int c = 0; c < table->n_columns; c++) {
            struct db_column *column = table->columns[c];
            struct db_base_type *bases[2] = { &column->type.key,
                                              &column->type.value };
            for (int b = 0; b < 2; b++) {
                if (!db_base_type_is_ref(bases[b])) {
                    continue;
                }
                struct db_table_schema *ref = db_schema_find_table(
                    schema, bases[b]->u.uuid.ref_table_name);
                if (!ref) {
                    return db_syntax_error(NULL, "column %s in table %s "
                                           "refers to unknown table %s",
                                           column->name, table->name,
                                           bases[b]->u.uuid.ref_table_name);
                }
                bases[b]->u.uuid.ref_table = ref;
                table->has_refs = true;
                if (bases[b]->u.uuid.ref_type == DB_REF_WEAK) {
                    ref->is_weak_ref_target = true;
                    table->has_weak_refs = true;
                }
            }
        }
    }
    return NULL;
}

struct db_error *
db_schema_from_json(const json_t *json, struct db_schema **schemap)
{
    const json_t *name = json_object_get(json, "name");
    const json_t *version = json_object_get(json, "version");
    const json_t *tables = json_object_get(json, "tables");
    struct db_error *error = NULL;

    *schemap = NULL;
    if (!json_is_string(name) || !db_is_valid_id(json_string_value(name))
        || (version && !json_is_string(version)) || !json_is_object(tables)) {
        return db_syntax_error(NULL, "a schema needs a \"name\" and "
                               "\"tables\"");
    }

    struct db_schema *schema = xzalloc(sizeof *schema);
    schema->name = xstrdup(json_string_value(name));
    schema->version = xstrdup(version ? json_string_value(version) : "");
    schema->json = json_deep_copy(json);

    const char *table_name;
    const json_t *table_json;
    bool any_root = false;
    json_object_foreach ((json_t *) tables, table_name, table_json) {
        struct db_table_schema *table;
        error = db_table_schema_from_json(table_name, table_json, &table);
        if (error) {
            break;
        }
        any_root |= table->is_root;
        schema->tables = xrealloc(schema->tables, (schema->n_tables + 1)
                                  * sizeof *schema->tables);
        schema->tables[schema->n_tables++] = table;
    }
    if (!error) {
        qsort(schema->tables, schema->n_tables, sizeof *schema->tables,
              compare_tables_by_name);
        for (unsigned int i = 0; i < schema->n_tables; i++) {
            schema->tables[i]->index = i;
            /* Old schemas name no root table: then all of them are. */
            schema->tables[i]->is_root |= !any_root;
        }
        error = db_schema_link_refs(schema);
    }
    if (error) {
        db_schema_destroy(schema);
        return error;
    }
    *schemap = schema;
    return NULL;
}

struct db_error *
db_schema_from_file(const char *path, struct db_schema **schemap)
{
    json_error_t jerror;
    json_t *json = json_load_file(path, JSON_REJECT_DUPLICATES, &jerror);

    *schemap = NULL;
    if (!json) {
        return db_error_create("syntax error", "%s: %s (line %d)", path,
                               jerror.text, jerror.line);
    }
    struct db_error *error = db_schema_from_json(json, schemap);
    json_decref(json);
    return error;
}

struct db_error *
db_schema_from_string(const char *text, const char *what,
                      struct db_schema **schemap)
{
    json_error_t jerror;
    json_t *json = json_loads(text, JSON_REJECT_DUPLICATES, &jerror);

    *schemap = NULL;
    if (!json) {
        return db_error_create("syntax error", "%s: %s (line %d)", what,
                               jerror.text, jerror.line);
    }
    struct db_error *error = db_schema_from_json(json, schemap);
    json_decref(json);
    return error;
}

void
db_schema_destroy(struct db_schema *schema)
{
    if (!schema) {
        return;
    }
    for (unsigned int i = 0; i < schema->n_tables; i++) {
        db_table_schema_destroy(schema->tables[i]);
    }
    free(schema->tables);
    free(schema->name);
    free(schema->version);
    json_decref(schema->json);
    free(schema);
}

struct db_table_schema *
db_schema_find_table(const struct db_schema *schema, const char *name)
{
    unsigned int lo = 0, hi = schema->n_tables;
    while (lo < hi) {
        unsigned int mid = lo + (hi - lo) / 2;
        int cmp = strcmp(name, schema->tables[mid]->name);
        if (!cmp) {
            return schema->tables[mid];
        } else if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

bool
db_table_schema_weakly_refers_to(const struct db_table_schema *table,
                                 const bool *targets)
{
    if (!table->has_weak_refs) {
        return false;
    }
    for (unsigned int c = 0; c < table->n_columns; c++) {
        const struct db_column *column = table->columns[c];
        const struct db_base_type *bases[2] = { &column->type.key,
                                                &column->type.value };
        for (int b = 0; b < 2; b++) {
            if (db_base_type_is_weak_ref(bases[b])
                && targets[bases[b]->u.uuid.ref_table->index]) {
                return true;
            }
        }
    }
    return false;
}
