#include <config.h>
#include "db/db-monitor.h"

#include <stdlib.h>
#include <string.h>
#include "db/db-error.h"
#include "db/db-txn.h"
#include "db/db.h"
#include "util.h"

struct monitored_table {
    const struct db_table *table;
    const struct db_column **columns;
    size_t n_columns;
    bool *watched;              /* Per column index of the table. */
    bool initial, insert, delete, modify;
};

struct db_monitor {
    struct db_listener listener;
    struct db *db;
    json_t *id;
    struct monitored_table *tables;
    size_t n_tables;
    db_monitor_send_cb *send;
    void *aux;
};

static struct db_error *
parse_select(const json_t *select, struct monitored_table *mt)
{
    mt->initial = mt->insert = mt->delete = mt->modify = true;
    if (!select) {
        return NULL;
    }
    if (!json_is_object(select)) {
        return db_syntax_error(select, "\"select\" must be an object");
    }
    struct {
        const char *name;
        bool *flag;
    } flags[] = {
        { "initial", &mt->initial },
        { "insert", &mt->insert },
        { "delete", &mt->delete },
        { "modify", &mt->modify },
    };
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        const json_t *value = json_object_get(select, flags[i].name);
        if (value) {
            if (!json_is_boolean(value)) {
                return db_syntax_error(select, "\"%s\" must be a boolean",
                                       flags[i].name);
            }
            *flags[i].flag = json_is_true(value);
        }
    }
    return NULL;
}

static struct db_error *
add_column(struct monitored_table *mt, const struct db_column *column,
           const json_t *json)
{
    if (mt->watched[column->index]) {
        return db_syntax_error(json, "column %s mentioned more than once",
                               column->name);
    }
    mt->watched[column->index] = true;
    mt->columns[mt->n_columns++] = column;
    return NULL;
}

/* Parses one monitor-request object for 'mt'.  Several may name the same
 * table as long as they name different columns. */
static struct db_error *
parse_request(const json_t *request, struct monitored_table *mt)
{
    const struct db_table_schema *ts = mt->table->schema;
    if (!json_is_object(request)) {
        return db_syntax_error(request, "monitor request must be an object");
    }

    const json_t *columns = json_object_get(request, "columns");
    struct db_error *error = parse_select(json_object_get(request, "select"),
                                          mt);
    if (error) {
        return error;
    }
    if (!columns) {
        for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
            error = add_column(mt, ts->columns[c], request);
            if (error) {
                return error;
            }
        }
        return NULL;
    }
    if (!json_is_array(columns)) {
        return db_syntax_error(columns, "\"columns\" must be an array");
    }
    for (size_t i = 0; i < json_array_size(columns); i++) {
        const char *name = json_string_value(json_array_get(columns, i));
        const struct db_column *column
            = name ? db_table_schema_find_column(ts, name) : NULL;
        if (!column) {
            return db_syntax_error(columns, "%s is not a valid column name",
                                   name ? name : "(non-string)");
        }
        error = add_column(mt, column, columns);
        if (error) {
            return error;
        }
    }
    return NULL;
}

static json_t *
row_columns_to_json(const struct db_row *row, const struct monitored_table *mt,
                    const struct db_txn_row *only_changed)
{
    json_t *json = json_object();
    for (size_t i = 0; i < mt->n_columns; i++) {
        const struct db_column *column = mt->columns[i];
        if (only_changed && !db_txn_row_changed(only_changed,
                                                column->index)) {
            continue;
        }
        json_object_set_new(json, column->name,
                            db_datum_to_json(&row->fields[column->index],
                                             &column->type));
    }
    return json;
}

static void
add_row_update(json_t *updates, const struct monitored_table *mt,
               const struct db_row *row, json_t *row_update)
{
    const char *name = mt->table->schema->name;
    json_t *table_updates = json_object_get(updates, name);
    char uuid[UUID_LEN + 1];

    if (!table_updates) {
        table_updates = json_object();
        json_object_set_new(updates, name, table_updates);
    }
    snprintf(uuid, sizeof uuid, UUID_FMT, UUID_ARGS(db_row_uuid(row)));
    json_object_set_new(table_updates, uuid, row_update);
}

static bool
changes_watched_column(const struct db_txn_row *txn_row,
                       const struct monitored_table *mt)
{
    for (size_t i = 0; i < mt->n_columns; i++) {
        if (db_txn_row_changed(txn_row, mt->columns[i]->index)) {
            return true;
        }
    }
    return false;
}

static void
db_monitor_committed(struct db_listener *listener, const struct db_txn *txn)
{
    struct db_monitor *m = CONTAINER_OF(listener, struct db_monitor,
                                        listener);
    json_t *updates = json_object();
    struct db_txn_row *txn_row;

    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        for (size_t i = 0; i < m->n_tables; i++) {
            const struct monitored_table *mt = &m->tables[i];
            if (mt->table != txn_row->row->table) {
                continue;
            }
            const struct db_row *old = txn_row->old, *new = txn_row->new;
            if (!old && new && mt->insert) {
                add_row_update(updates, mt, new, json_pack(
                                   "{s:o}", "new",
                                   row_columns_to_json(new, mt, NULL)));
            } else if (old && !new && mt->delete) {
                add_row_update(updates, mt, old, json_pack(
                                   "{s:o}", "old",
                                   row_columns_to_json(old, mt, NULL)));
            } else if (old && new && mt->modify
                       && changes_watched_column(txn_row, mt)) {
                add_row_update(updates, mt, new, json_pack(
                                   "{s:o, s:o}", "new",
                                   row_columns_to_json(new, mt, NULL),
                                   "old",
                                   row_columns_to_json(old, mt, txn_row)));
            }
        }
    }
    if (json_object_size(updates)) {
        m->send(json_pack("[Oo]", m->id, updates), m->aux);
    } else {
        json_decref(updates);
    }
}

struct db_error *
db_monitor_create(struct db *db, const json_t *monitor_id,
                  const json_t *requests, db_monitor_send_cb *send, void *aux,
                  struct db_monitor **monitorp, json_t **initialp)
{
    struct db_monitor *m = xzalloc(sizeof *m);
    struct db_error *error = NULL;

    *monitorp = NULL;
    *initialp = NULL;
    m->db = db;
    m->id = json_deep_copy(monitor_id);
    m->send = send;
    m->aux = aux;
    if (!json_is_object(requests)) {
        error = db_syntax_error(requests, "monitor requests must be an "
                                "object");
        goto err;
    }

    m->tables = xcalloc(json_object_size(requests), sizeof *m->tables);
    const char *table_name;
    const json_t *request;
    json_object_foreach ((json_t *) requests, table_name, request) {
        struct db_table *table = db_get_table(db, table_name);
        if (!table) {
            error = db_error_create("syntax error", "no table named %s",
                                    table_name);
            goto err;
        }
        struct monitored_table *mt = &m->tables[m->n_tables++];
        mt->table = table;
        mt->columns = xcalloc(table->schema->n_columns, sizeof *mt->columns);
        mt->watched = xcalloc(table->schema->n_columns, sizeof *mt->watched);
        if (json_is_array(request)) {
            for (size_t i = 0; i < json_array_size(request) && !error; i++) {
                error = parse_request(json_array_get(request, i), mt);
            }
        } else {
            error = parse_request(request, mt);
        }
        if (error) {
            goto err;
        }
    }

    json_t *initial = json_object();
    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitored_table *mt = &m->tables[i];
        struct db_row *row;
        if (!mt->initial) {
            continue;
        }
        DB_TABLE_FOR_EACH (row, mt->table) {
            add_row_update(initial, mt, row, json_pack(
                               "{s:o}", "new",
                               row_columns_to_json(row, mt, NULL)));
        }
    }
    m->listener.committed = db_monitor_committed;
    db_add_listener(db, &m->listener);
    *monitorp = m;
    *initialp = initial;
    return NULL;

err:
    m->listener.committed = NULL;
    db_monitor_destroy(m);
    return error;
}

void
db_monitor_destroy(struct db_monitor *m)
{
    if (!m) {
        return;
    }
    if (m->listener.committed) {
        db_remove_listener(m->db, &m->listener);
    }
    for (size_t i = 0; i < m->n_tables; i++) {
        free(m->tables[i].columns);
        free(m->tables[i].watched);
    }
    free(m->tables);
    json_decref(m->id);
    free(m);
}

const json_t *
db_monitor_get_id(const struct db_monitor *m)
{
    return m->id;
}
