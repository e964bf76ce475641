#include <config.h>
#include "db/db-monitor.h"

#include <stdlib.h>
#include <string.h>
#include "db/db-condition.h"
#include "db/db-error.h"
#include "db/db-schema.h"
#include "db/db-txn.h"
#include "db/db.h"
#include "util.h"

struct monitored_table {
    const struct db_table *table;
    const struct db_column **columns;
    size_t n_columns;
    bool *watched;              /* Per column index of the table. */
    bool initial, insert, delete, modify;
    struct db_condition where;  /* Version 2: rows passing any clause. */
};

struct db_monitor {
    struct db_listener listener;
    struct db *db;
    enum db_monitor_version version;
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

/* Replaces 'mt''s condition by 'where', if there is one (without, the
 * table's condition stays; it starts out empty: every row). */
static struct db_error *
parse_where(const json_t *where, struct monitored_table *mt)
{
    struct db_condition cond;
    if (!where) {
        return NULL;
    }
    struct db_error *error = db_condition_from_json(&cond, mt->table->schema,
                                                    where, NULL);
    if (!error) {
        db_condition_destroy(&mt->where);
        mt->where = cond;
    }
    return error;
}

/* Parses one monitor-request object for 'mt'.  Several may name the same
 * table as long as they name different columns. */
static struct db_error *
parse_request(const json_t *request, struct monitored_table *mt,
              enum db_monitor_version version)
{
    const struct db_table_schema *ts = mt->table->schema;
    if (!json_is_object(request)) {
        return db_syntax_error(request, "monitor request must be an object");
    }
    if (version != DB_MONITOR_V1) {
        struct db_error *error = parse_where(json_object_get(request,
                                                             "where"), mt);
        if (error) {
            return error;
        }
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

/* The watched columns of 'row': only those 'only_changed' changed, if it
 * is nonnull; without those at their defaults, with 'skip_defaults'
 * (version 2's "initial" and "insert"). */
static json_t *
row_columns_to_json(const struct db_row *row, const struct monitored_table *mt,
                    const struct db_txn_row *only_changed, bool skip_defaults)
{
    json_t *json = json_object();
    for (size_t i = 0; i < mt->n_columns; i++) {
        const struct db_column *column = mt->columns[i];
        const struct db_datum *value = &row->fields[column->index];
        if ((only_changed && !db_txn_row_changed(only_changed,
                                                 column->index))
            || (skip_defaults && db_datum_is_default(value, &column->type))) {
            continue;
        }
        json_object_set_new(json, column->name,
                            db_datum_to_json(value, &column->type));
    }
    return json;
}

/* Version 2's "modify": each changed watched column, a scalar (at most one
 * element) as its new value, a set or map as the elements that changed. */
static json_t *
row_diff_to_json(const struct db_txn_row *txn_row,
                 const struct monitored_table *mt)
{
    json_t *json = json_object();
    for (size_t i = 0; i < mt->n_columns; i++) {
        const struct db_column *column = mt->columns[i];
        unsigned int c = column->index;
        if (!db_txn_row_changed(txn_row, c)) {
            continue;
        }
        const struct db_datum *new = &txn_row->new->fields[c];
        json_object_set_new(json, column->name,
                            (column->type.n_max == 1
                             ? db_datum_to_json(new, &column->type)
                             : db_datum_diff_to_json(&txn_row->old->fields[c],
                                                     new, &column->type)));
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

/* Adds to 'updates' what version 1 says of 'txn_row'. */
static void
add_update1(json_t *updates, const struct monitored_table *mt,
            const struct db_txn_row *txn_row)
{
    const struct db_row *old = txn_row->old, *new = txn_row->new;
    if (!old && new && mt->insert) {
        add_row_update(updates, mt, new, json_pack(
                           "{s:o}", "new",
                           row_columns_to_json(new, mt, NULL, false)));
    } else if (old && !new && mt->delete) {
        add_row_update(updates, mt, old, json_pack(
                           "{s:o}", "old",
                           row_columns_to_json(old, mt, NULL, false)));
    } else if (old && new && mt->modify
               && changes_watched_column(txn_row, mt)) {
        add_row_update(updates, mt, new, json_pack(
                           "{s:o, s:o}", "new",
                           row_columns_to_json(new, mt, NULL, false),
                           "old",
                           row_columns_to_json(old, mt, txn_row, false)));
    }
}

/* Adds to 'updates' what version 2 says of 'txn_row': a row is there for
 * the client only while it passes the table's condition. */
static void
add_update2(json_t *updates, const struct monitored_table *mt,
            const struct db_txn_row *txn_row)
{
    const struct db_row *old = txn_row->old, *new = txn_row->new;
    bool was_seen = old && db_condition_match_any(&mt->where, old);
    bool is_seen = new && db_condition_match_any(&mt->where, new);

    if (!was_seen && is_seen && mt->insert) {
        add_row_update(updates, mt, new, json_pack(
                           "{s:o}", "insert",
                           row_columns_to_json(new, mt, NULL, true)));
    } else if (was_seen && !is_seen && mt->delete) {
        add_row_update(updates, mt, old, json_pack("{s:n}", "delete"));
    } else if (was_seen && is_seen && mt->modify
               && changes_watched_column(txn_row, mt)) {
        add_row_update(updates, mt, new, json_pack(
                           "{s:o}", "modify",
                           row_diff_to_json(txn_row, mt)));
    }
}

static void
db_monitor_send_updates(struct db_monitor *m, json_t *updates)
{
    if (json_object_size(updates)) {
        m->send(m->id, updates, m->aux);
    } else {
        json_decref(updates);
    }
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
            } else if (m->version == DB_MONITOR_V1) {
                add_update1(updates, mt, txn_row);
            } else {
                add_update2(updates, mt, txn_row);
            }
        }
    }
    db_monitor_send_updates(m, updates);
}

struct db_error *
db_monitor_create(struct db *db, enum db_monitor_version version,
                  const json_t *monitor_id,
                  const json_t *requests, db_monitor_send_cb *send, void *aux,
                  struct db_monitor **monitorp, json_t **initialp)
{
    struct db_monitor *m = xzalloc(sizeof *m);
    struct db_error *error = NULL;

    *monitorp = NULL;
    *initialp = NULL;
    m->db = db;
    m->version = version;
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
                error = parse_request(json_array_get(request, i), mt,
                                      version);
            }
        } else {
            error = parse_request(request, mt, version);
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
        if (version != DB_MONITOR_V1 && db_condition_is_uuids(&mt->where)) {
            for (size_t c = 0; c < mt->where.n; c++) {
                row = db_table_get_row(
                    mt->table, &mt->where.clauses[c].arg.keys[0].uuid);
                if (row) {
                    add_row_update(initial, mt, row, json_pack(
                                       "{s:o}", "initial",
                                       row_columns_to_json(row, mt, NULL,
                                                           true)));
                }
            }
            continue;
        }
        DB_TABLE_FOR_EACH (row, mt->table) {
            if (version == DB_MONITOR_V1) {
                add_row_update(initial, mt, row, json_pack(
                                   "{s:o}", "new", row_columns_to_json(
                                       row, mt, NULL, false)));
            } else if (db_condition_match_any(&mt->where, row)) {
                add_row_update(initial, mt, row, json_pack(
                                   "{s:o}", "initial",
                                   row_columns_to_json(row, mt, NULL, true)));
            }
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
        db_condition_destroy(&m->tables[i].where);
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

enum db_monitor_version
db_monitor_get_version(const struct db_monitor *m)
{
    return m->version;
}

static struct monitored_table *
find_monitored_table(struct db_monitor *m, const char *name)
{
    for (size_t i = 0; i < m->n_tables; i++) {
        if (!strcmp(m->tables[i].table->schema->name, name)) {
            return &m->tables[i];
        }
    }
    return NULL;
}

/* Parses the new condition of each table named in 'requests' into
 * 'conds' (indexed like m->tables; untouched tables keep n = SIZE_MAX). */
static struct db_error *
parse_condition_changes(struct db_monitor *m, const json_t *requests,
                        struct db_condition *conds)
{
    if (!json_is_object(requests)) {
        return db_syntax_error(requests, "monitor-cond-change requests "
                               "must be an object");
    }
    const char *name;
    const json_t *request;
    json_object_foreach ((json_t *) requests, name, request) {
        struct monitored_table *mt = find_monitored_table(m, name);
        if (!mt) {
            return db_error_create("syntax error", "no table named %s in "
                                   "monitor session", name);
        }
        /* One request object, or an array of one (what clients send). */
        if (json_is_array(request) && json_array_size(request) == 1) {
            request = json_array_get(request, 0);
        }
        const json_t *where = json_object_get(request, "where");
        if (!json_is_object(request) || json_object_get(request, "columns")
            || !where) {
            return db_syntax_error(request, "a monitor-cond-change request "
                                   "must be {\"where\": [...]}");
        }
        struct db_condition *cond = &conds[mt - m->tables];
        struct db_error *error = db_condition_from_json(
            cond, mt->table->schema, where, NULL);
        if (error) {
            return error;
        }
    }
    return NULL;
}

struct db_error *
db_monitor_change_condition(struct db_monitor *m, const json_t *new_id,
                            const json_t *requests)
{
    struct db_condition *conds = xcalloc(m->n_tables, sizeof *conds);
    for (size_t i = 0; i < m->n_tables; i++) {
        conds[i].n = SIZE_MAX;
    }
    struct db_error *error = (m->version == DB_MONITOR_V1
                              ? db_error_create("syntax error", "not a "
                                                "monitor_cond monitor")
                              : parse_condition_changes(m, requests, conds));
    json_t *updates = json_object();
    for (size_t i = 0; i < m->n_tables; i++) {
        struct monitored_table *mt = &m->tables[i];
        if (conds[i].n == SIZE_MAX) {
            continue;
        } else if (error) {
            db_condition_destroy(&conds[i]);
            continue;
        }
        struct db_row *row;
        DB_TABLE_FOR_EACH (row, mt->table) {
            bool was_seen = db_condition_match_any(&mt->where, row);
            bool is_seen = db_condition_match_any(&conds[i], row);
            if (!was_seen && is_seen && mt->insert) {
                add_row_update(updates, mt, row, json_pack(
                                   "{s:o}", "insert",
                                   row_columns_to_json(row, mt, NULL, true)));
            } else if (was_seen && !is_seen && mt->delete) {
                add_row_update(updates, mt, row, json_pack("{s:n}",
                                                           "delete"));
            }
        }
        db_condition_destroy(&mt->where);
        mt->where = conds[i];
    }
    free(conds);
    if (error) {
        json_decref(updates);
        return error;
    }
    json_decref(m->id);
    m->id = json_deep_copy(new_id);
    db_monitor_send_updates(m, updates);
    return NULL;
}
