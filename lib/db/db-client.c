#include <config.h>
#include "db/db-client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "db/db-error.h"
#include "db/db-schema.h"
#include "db/db-txn.h"
#include "db/db.h"
#include "hash.h"
#include "hmap.h"
#include "jsonrpc-client.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(db_client);

/* A row the last commit inserted: its local and server UUIDs. */
struct inserted_row {
    struct hmap_node node;      /* By local UUID. */
    struct uuid local;
    struct uuid server;
    char name[40];              /* Its "uuid-name": "row" + local UUID. */
    size_t op_index;
};

struct db_client {
    struct jsonrpc_client *rpc;
    char *remote;
    struct db *db;
    struct hmap inserted;       /* struct inserted_row. */
    size_t n_txn_ops;
};

static char *
rpc_error(const char *remote, int error)
{
    return xasprintf("%s: database connection failed (%s)", remote,
                     error == -ETIMEDOUT ? "timed out" : strerror(-error));
}

/* Formats an error reply or a transaction error object as text. */
static char *
json_error_to_string(const json_t *error)
{
    char *s = json_dumps(error, JSON_COMPACT | JSON_SORT_KEYS
                                | JSON_ENCODE_ANY);
    return s ? s : xstrdup("(unprintable error)");
}

struct db_client *
db_client_open(const char *remote, const char *db_name, long long deadline,
               char **errp)
{
    int error;
    struct jsonrpc_client *rpc = jsonrpc_client_open(remote, deadline,
                                                     &error);
    *errp = NULL;
    if (!rpc) {
        *errp = rpc_error(remote, error);
        return NULL;
    }

    struct jsonrpc_msg *reply;
    error = jsonrpc_client_transact(rpc, "get_schema",
                                    json_pack("[s]", db_name), deadline,
                                    &reply);
    if (error) {
        *errp = rpc_error(remote, error);
        jsonrpc_client_close(rpc);
        return NULL;
    }
    if (reply->type != JSONRPC_REPLY) {
        char *s = json_error_to_string(reply->error);
        *errp = xasprintf("%s: get_schema failed: %s", remote, s);
        free(s);
        jsonrpc_msg_destroy(reply);
        jsonrpc_client_close(rpc);
        return NULL;
    }

    struct db_schema *schema;
    struct db_error *db_error = db_schema_from_json(reply->result, &schema);
    jsonrpc_msg_destroy(reply);
    if (db_error) {
        char *s = db_error_to_string_free(db_error);
        *errp = xasprintf("%s: bad schema: %s", remote, s);
        free(s);
        jsonrpc_client_close(rpc);
        return NULL;
    }

    struct db_client *client = xzalloc(sizeof *client);
    client->rpc = rpc;
    client->remote = xstrdup(remote);
    client->db = db_create(schema);
    hmap_init(&client->inserted);
    return client;
}

static void
db_client_clear_inserted(struct db_client *client)
{
    struct inserted_row *ir;
    HMAP_FOR_EACH (ir, node, &client->inserted) {
        hmap_remove(&client->inserted, &ir->node);
        free(ir);
    }
}

void
db_client_close(struct db_client *client)
{
    if (client) {
        jsonrpc_client_close(client->rpc);
        db_destroy(client->db);
        db_client_clear_inserted(client);
        hmap_destroy(&client->inserted);
        free(client->remote);
        free(client);
    }
}

struct db *
db_client_get_db(const struct db_client *client)
{
    return client->db;
}

/* Sets 'row''s columns from 'values' ({column: JSON}); with 'diff', a set
 * or map value is the elements that changed (monitor_cond's "modify"). */
static char *
db_client_set_columns(struct db_row *row, const json_t *values, bool diff)
{
    const struct db_table_schema *ts = row->table->schema;
    const char *column_name;
    const json_t *value;

    json_object_foreach ((json_t *) values, column_name, value) {
        const struct db_column *column = db_table_schema_find_column(
            ts, column_name);
        if (!column || column->index < DB_N_STD_COLUMNS) {
            continue;
        }
        bool whole = !diff || column->type.n_max == 1;
        struct db_type any_size;
        db_type_relax(&any_size, &column->type);
        const struct db_type *type = whole ? &column->type : &any_size;
        struct db_datum datum;
        struct db_error *error = db_datum_from_json(&datum, type, value,
                                                    NULL);
        if (error) {
            char *s = db_error_to_string_free(error);
            char *msg = xasprintf("bad value for %s.%s: %s", ts->name,
                                  column_name, s);
            free(s);
            return msg;
        }
        if (whole) {
            db_row_set(row, column, &datum);
        } else {
            db_datum_apply_diff(&row->fields[column->index], &datum,
                                &column->type);
            db_datum_destroy(&datum, type);
        }
    }
    return NULL;
}

/* Applies "table-updates2" (monitor_cond's format: "initial", "insert",
 * "modify" with the changed elements, "delete") to the replica. */
static char *
db_client_apply_updates(struct db_client *client, const json_t *updates)
{
    const char *table_name;
    const json_t *rows;

    if (!json_is_object(updates)) {
        return xstrdup("malformed update from server");
    }
    json_object_foreach ((json_t *) updates, table_name, rows) {
        struct db_table *table = db_get_table(client->db, table_name);
        const char *uuid_s;
        const json_t *update;
        if (!table || !json_is_object(rows)) {
            return xasprintf("update for unknown table %s", table_name);
        }
        json_object_foreach ((json_t *) rows, uuid_s, update) {
            struct uuid uuid;
            if (!uuid_from_string(&uuid, uuid_s)) {
                return xasprintf("bad UUID %s in update", uuid_s);
            }
            struct db_row *row = db_table_get_row(table, &uuid);
            const json_t *values = json_object_get(update, "initial");
            if (!values) {
                values = json_object_get(update, "insert");
            }
            bool diff = false;
            if (!values) {
                values = json_object_get(update, "modify");
                diff = true;
            }

            if (row) {
                db_table_remove_row(table, row);
            }
            if (!values) {                          /* "delete". */
                db_row_destroy(row);
                continue;
            }
            if (!row) {
                row = db_row_create(table, &uuid);
            } else if (!diff) {
                /* Inserted again: start from the defaults. */
                db_row_destroy(row);
                row = db_row_create(table, &uuid);
            }
            char *error = db_client_set_columns(row, values, diff);
            db_table_insert_row(table, row);
            if (error) {
                return error;
            }
        }
    }
    return NULL;
}

int
db_client_monitor_all(struct db_client *client, long long deadline,
                      char **errp)
{
    struct db *db = client->db;
    json_t *requests = json_object();
    for (unsigned int i = 0; i < db->schema->n_tables; i++) {
        json_object_set_new(requests, db->schema->tables[i]->name,
                            json_object());
    }
    return db_client_monitor(client, requests, deadline, errp);
}

int
db_client_monitor(struct db_client *client, json_t *requests,
                  long long deadline, char **errp)
{
    /* monitor_cond, for its smaller updates: no default values in new
     * rows, only the changed elements of sets and maps. */
    struct jsonrpc_msg *reply;
    int error = jsonrpc_client_transact(
        client->rpc, "monitor_cond",
        json_pack("[s,s,o]", client->db->schema->name, "replica", requests),
        deadline, &reply);
    *errp = NULL;
    if (error) {
        *errp = rpc_error(client->remote, error);
        return error;
    }
    if (reply->type != JSONRPC_REPLY) {
        char *s = json_error_to_string(reply->error);
        *errp = xasprintf("%s: monitor failed: %s", client->remote, s);
        free(s);
        jsonrpc_msg_destroy(reply);
        return -EPROTO;
    }
    *errp = db_client_apply_updates(client, reply->result);
    if (!*errp) {
        const char *table;
        const json_t *rows;
        json_object_foreach (reply->result, table, rows) {
            VLOG_DBG("%s: monitoring %s: %zu rows", client->remote, table,
                     json_object_size(rows));
        }
    }
    jsonrpc_msg_destroy(reply);
    return *errp ? -EPROTO : 0;
}

/* Adds the rows of one "select" result to the replica, or replaces the
 * selected columns of those it has. */
static char *
db_client_merge_rows(struct db_client *client, struct db_table *table,
                     const json_t *rows)
{
    size_t i;
    const json_t *values;
    json_array_foreach (rows, i, values) {
        const json_t *uuid_json = json_object_get(values, "_uuid");
        struct uuid uuid;
        if (!json_is_array(uuid_json)
            || !uuid_from_string(&uuid, json_string_value(
                                     json_array_get(uuid_json, 1)))) {
            return xasprintf("%s: selected row without a UUID",
                             client->remote);
        }
        struct db_row *row = db_table_get_row(table, &uuid);
        if (row) {
            db_table_remove_row(table, row);
        } else {
            row = db_row_create(table, &uuid);
        }
        char *error = db_client_set_columns(row, values, false);
        db_table_insert_row(table, row);
        if (error) {
            return error;
        }
    }
    return NULL;
}

int
db_client_select(struct db_client *client, json_t *ops, long long deadline,
                 json_t **resultp, char **errp)
{
    *resultp = NULL;
    *errp = NULL;

    json_t *params = json_pack("[s]", client->db->schema->name);
    json_array_extend(params, ops);
    struct jsonrpc_msg *reply;
    int error = jsonrpc_client_transact(client->rpc, "transact", params,
                                        deadline, &reply);
    if (error) {
        *errp = rpc_error(client->remote, error);
        json_decref(ops);
        return error;
    }
    const json_t *results = reply->result;
    if (reply->type != JSONRPC_REPLY || !json_is_array(results)
        || json_array_size(results) < json_array_size(ops)) {
        char *s = json_error_to_string(reply->error ? reply->error
                                                    : results);
        *errp = xasprintf("%s: select failed: %s", client->remote, s);
        free(s);
        jsonrpc_msg_destroy(reply);
        json_decref(ops);
        return -EPROTO;
    }

    size_t i;
    const json_t *op;
    json_array_foreach (ops, i, op) {
        const json_t *result = json_array_get(results, i);
        const json_t *rows = json_object_get(result, "rows");
        struct db_table *table = db_get_table(
            client->db, json_string_value(json_object_get(op, "table")));
        if (!table || !json_is_array(rows)) {
            char *s = json_error_to_string(result);
            *errp = xasprintf("%s: select failed: %s", client->remote, s);
            free(s);
            break;
        }
        *errp = db_client_merge_rows(client, table, rows);
        if (*errp) {
            break;
        }
        VLOG_DBG("%s: selected %zu rows of %s", client->remote,
                 json_array_size(rows), table->schema->name);
    }
    if (!*errp) {
        *resultp = json_incref(reply->result);
    }
    jsonrpc_msg_destroy(reply);
    json_decref(ops);
    return *errp ? -EPROTO : 0;
}

int
db_client_wait_update(struct db_client *client, long long deadline,
                      char **errp)
{
    *errp = NULL;
    for (;;) {
        struct jsonrpc_msg *msg;
        int error = jsonrpc_client_recv(client->rpc, deadline, &msg);
        if (error) {
            if (error != -ETIMEDOUT) {
                *errp = rpc_error(client->remote, error);
            }
            return error;
        }
        bool is_update = !strcmp(msg->method, "update2")
                         && json_array_size(msg->params) == 2;
        if (is_update) {
            *errp = db_client_apply_updates(client,
                                            json_array_get(msg->params, 1));
        }
        jsonrpc_msg_destroy(msg);
        if (is_update) {
            return *errp ? -EPROTO : 0;
        }
    }
}

static struct inserted_row *
db_client_find_inserted(const struct db_client *client,
                        const struct uuid *local)
{
    struct inserted_row *ir;
    HMAP_FOR_EACH_WITH_HASH (ir, node, uuid_hash(local), &client->inserted) {
        if (uuid_equals(&ir->local, local)) {
            return ir;
        }
    }
    return NULL;
}

const struct uuid *
db_client_get_inserted_uuid(const struct db_client *client,
                            const struct uuid *local)
{
    struct inserted_row *ir = db_client_find_inserted(client, local);
    return ir && !uuid_is_zero(&ir->server) ? &ir->server : NULL;
}

size_t
db_client_n_txn_ops(const struct db_client *client)
{
    return client->n_txn_ops;
}

/* An atom as JSON, naming rows inserted by this transaction. */
static json_t *
atom_to_json(const struct db_client *client, const union db_atom *atom,
             enum db_atomic_type type)
{
    if (type == DB_TYPE_UUID) {
        struct inserted_row *ir = db_client_find_inserted(client,
                                                          &atom->uuid);
        if (ir) {
            return json_pack("[ss]", "named-uuid", ir->name);
        }
    }
    return db_atom_to_json(atom, type);
}

static json_t *
datum_to_json(const struct db_client *client, const struct db_datum *datum,
              const struct db_type *type)
{
    bool is_map = db_type_is_map(type);
    if (!is_map && datum->n == 1) {
        return atom_to_json(client, &datum->keys[0], type->key.type);
    }
    json_t *elems = json_array();
    for (unsigned int i = 0; i < datum->n; i++) {
        json_t *key = atom_to_json(client, &datum->keys[i], type->key.type);
        json_array_append_new(elems, is_map
                              ? json_pack("[oo]", key, atom_to_json(
                                              client, &datum->values[i],
                                              type->value.type))
                              : key);
    }
    return json_pack("[so]", is_map ? "map" : "set", elems);
}

static json_t *
where_uuid(const struct db_row *row)
{
    return json_pack("[[s,s,o]]", "_uuid", "==",
                     db_atom_to_json(&row->fields[DB_COL_UUID].keys[0],
                                     DB_TYPE_UUID));
}

/* Adds to 'mutations' what turns 'old' into 'new' for a set or map
 * column: delete what went away or changed, then insert what is new. */
static void
add_mutations(const struct db_client *client, const struct db_column *c,
              const struct db_datum *old, const struct db_datum *new,
              json_t *mutations)
{
    const struct db_type *type = &c->type;
    struct db_datum removed, added;

    db_datum_clone(&removed, old, type);
    db_datum_subtract(&removed, type, new, type);
    db_datum_clone(&added, new, type);
    db_datum_subtract(&added, type, old, type);

    if (removed.n) {
        if (db_type_is_map(type)) {
            /* Delete by key: the server's copy may hold other values. */
            struct db_type key_type;
            db_type_init(&key_type);
            key_type.key.type = type->key.type;
            key_type.n_max = DB_N_MAX_UNLIMITED;
            struct db_datum keys = { .n = removed.n, .keys = removed.keys };
            json_t *arg = datum_to_json(client, &keys, &key_type);
            if (!json_is_array(arg) || strcmp(json_string_value(
                                                  json_array_get(arg, 0)),
                                              "set")) {
                arg = json_pack("[s[o]]", "set", arg);
            }
            json_array_append_new(mutations, json_pack("[s,s,o]", c->name,
                                                       "delete", arg));
        } else {
            json_array_append_new(mutations, json_pack(
                                      "[s,s,o]", c->name, "delete",
                                      datum_to_json(client, &removed,
                                                    type)));
        }
    }
    if (added.n) {
        json_array_append_new(mutations, json_pack(
                                  "[s,s,o]", c->name, "insert",
                                  datum_to_json(client, &added, type)));
    }
    db_datum_destroy(&removed, type);
    db_datum_destroy(&added, type);
}

/* The operations for one changed row, appended to 'ops'. */
static void
add_row_ops(struct db_client *client, const struct db_txn_row *txn_row,
            json_t *ops)
{
    const struct db_table_schema *ts = txn_row->row->table->schema;
    const struct db_row *old = txn_row->old, *new = txn_row->new;

    if (!old && !new) {
        return;                 /* Inserted, then deleted: nothing to say. */
    }
    if (!old) {
        json_t *row = json_object();
        for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
            const struct db_column *column = ts->columns[c];
            if (!db_datum_is_default(&new->fields[c], &column->type)) {
                json_object_set_new(row, column->name, datum_to_json(
                                        client, &new->fields[c],
                                        &column->type));
            }
        }
        struct inserted_row *ir = db_client_find_inserted(
            client, db_row_uuid(new));
        ir->op_index = json_array_size(ops) - 1;   /* After the name. */
        json_array_append_new(ops, json_pack("{s:s, s:s, s:s, s:o}",
                                             "op", "insert", "table",
                                             ts->name, "uuid-name", ir->name,
                                             "row", row));
        return;
    }
    if (!new) {
        if (ts->is_root) {
            json_array_append_new(ops, json_pack("{s:s, s:s, s:o}", "op",
                                                 "delete", "table", ts->name,
                                                 "where", where_uuid(old)));
        }
        return;
    }

    json_t *update = json_object();
    json_t *mutations = json_array();
    for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
        const struct db_column *column = ts->columns[c];
        if (db_datum_equals(&old->fields[c], &new->fields[c],
                            &column->type)) {
            continue;
        }
        if (column->type.n_max > 1) {
            add_mutations(client, column, &old->fields[c], &new->fields[c],
                          mutations);
        } else {
            json_object_set_new(update, column->name,
                                datum_to_json(client, &new->fields[c],
                                              &column->type));
        }
    }
    if (json_object_size(update)) {
        json_array_append_new(ops, json_pack("{s:s, s:s, s:o, s:O}", "op",
                                             "update", "table", ts->name,
                                             "where", where_uuid(old), "row",
                                             update));
    }
    if (json_array_size(mutations)) {
        json_array_append_new(ops, json_pack("{s:s, s:s, s:o, s:O}", "op",
                                             "mutate", "table", ts->name,
                                             "where", where_uuid(old),
                                             "mutations", mutations));
    }
    json_decref(update);
    json_decref(mutations);
}

int
db_client_commit(struct db_client *client, struct db_txn *txn,
                 json_t *extra_ops, long long deadline, json_t **resultp,
                 char **errp)
{
    struct db_txn_row *txn_row;
    json_t *ops = json_pack("[s]", client->db->schema->name);

    *resultp = NULL;
    *errp = NULL;
    db_client_clear_inserted(client);
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        if (!txn_row->old && txn_row->new) {
            struct inserted_row *ir = xzalloc(sizeof *ir);
            ir->local = *db_row_uuid(txn_row->new);
            snprintf(ir->name, sizeof ir->name, "row%08x_%04x_%04x_%04x_"
                     "%04x%08x", UUID_ARGS(&ir->local));
            hmap_insert(&client->inserted, &ir->node, uuid_hash(&ir->local));
        }
    }
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        add_row_ops(client, txn_row, ops);
    }
    db_txn_abort(txn);

    client->n_txn_ops = json_array_size(ops) - 1;
    if (extra_ops) {
        json_array_extend(ops, extra_ops);
        json_decref(extra_ops);
    }

    struct jsonrpc_msg *reply;
    int error = jsonrpc_client_transact(client->rpc, "transact", ops,
                                        deadline, &reply);
    if (error) {
        *errp = rpc_error(client->remote, error);
        return error;
    }
    if (reply->type != JSONRPC_REPLY || !json_is_array(reply->result)) {
        char *s = json_error_to_string(reply->error);
        *errp = xasprintf("transaction error: %s", s);
        free(s);
        jsonrpc_msg_destroy(reply);
        return -EPROTO;
    }

    /* Learn the server's UUIDs of the inserted rows. */
    struct inserted_row *ir;
    HMAP_FOR_EACH (ir, node, &client->inserted) {
        const json_t *uuid = json_object_get(
            json_array_get(reply->result, ir->op_index), "uuid");
        const char *s = json_string_value(json_array_get(uuid, 1));
        if (!s || !uuid_from_string(&ir->server, s)) {
            uuid_zero(&ir->server);
        }
    }
    *resultp = json_incref(reply->result);
    jsonrpc_msg_destroy(reply);
    return 0;
}
