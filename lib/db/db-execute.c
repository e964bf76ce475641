#include <config.h>
#include "db/db-execute.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "db/db-condition.h"
#include "db/db-error.h"
#include "db/db-mutation.h"
#include "db/db-schema.h"
#include "db/db-symtab.h"
#include "db/db-txn.h"
#include "db/db.h"
#include "util.h"

struct exec_ctx {
    struct db *db;
    struct db_txn *txn;
    struct db_symtab symtab;
    const struct db_execute_client *client;
    long long elapsed_msec;     /* Time the request has waited so far. */
    bool wait_pending;          /* A "wait" wants to wait longer. */
    long long wait_msec;        /* How much longer, at most. */
};

typedef struct db_error *op_func(struct exec_ctx *, const json_t *op,
                                 json_t **result, char **parse_error);

/* Gets member 'name' of 'op', which must have type 'type' (a jansson
 * type, or -1 for any).  A missing optional member yields NULL.  On a
 * problem sets '*parse_error' and returns NULL. */
static const json_t *
get_member(const json_t *op, const char *name, int type, bool optional,
           char **parse_error)
{
    const json_t *member = json_object_get(op, name);
    if (*parse_error) {
        return NULL;
    }
    if (!member) {
        if (!optional) {
            *parse_error = xasprintf("Required '%s' member is missing.",
                                     name);
        }
        return NULL;
    }
    if (type >= 0 && json_typeof(member) != (json_type) type
        && !(type == JSON_TRUE && json_is_boolean(member))) {
        *parse_error = xasprintf("Type mismatch for member '%s'.", name);
        return NULL;
    }
    return member;
}

static struct db_table *
get_table(struct exec_ctx *ctx, const json_t *op, char **parse_error)
{
    const json_t *name = get_member(op, "table", JSON_STRING, false,
                                    parse_error);
    if (!name) {
        return NULL;
    }
    struct db_table *table = db_get_table(ctx->db, json_string_value(name));
    if (!table) {
        *parse_error = xasprintf("No table named %s.",
                                 json_string_value(name));
    }
    return table;
}

/* A row's columns and values, parsed from a JSON object. */
struct parsed_row {
    const struct db_column **columns;
    struct db_datum *values;
    size_t n;
};

static void
parsed_row_destroy(struct parsed_row *pr)
{
    for (size_t i = 0; i < pr->n; i++) {
        db_datum_destroy(&pr->values[i], &pr->columns[i]->type);
    }
    free(pr->columns);
    free(pr->values);
}

static struct db_error *
parse_row(struct exec_ctx *ctx, const struct db_table_schema *ts,
          const json_t *json, const json_t *op, bool is_update,
          struct parsed_row *pr)
{
    const char *name;
    const json_t *value;

    memset(pr, 0, sizeof *pr);
    if (!json_is_object(json)) {
        return db_syntax_error(json, "row must be a JSON object");
    }
    pr->columns = xcalloc(json_object_size(json), sizeof *pr->columns);
    pr->values = xcalloc(json_object_size(json), sizeof *pr->values);
    json_object_foreach ((json_t *) json, name, value) {
        const struct db_column *column
            = db_table_schema_find_column(ts, name);
        struct db_error *error = NULL;
        if (!column) {
            error = db_error_create("unknown column",
                                    "No column %s in table %s.", name,
                                    ts->name);
            db_error_set_syntax(error, json);
        } else if (column->index < DB_N_STD_COLUMNS
                   || (is_update && !column->mutable_)) {
            error = db_error_create("constraint violation", "Cannot update "
                                    "immutable column %s in table %s.",
                                    name, ts->name);
            db_error_set_syntax(error, op);
        } else {
            error = db_datum_from_json(&pr->values[pr->n], &column->type,
                                       value, &ctx->symtab);
            if (!error) {
                error = db_datum_check_constraints(&pr->values[pr->n],
                                                   &column->type);
                if (error) {
                    db_datum_destroy(&pr->values[pr->n], &column->type);
                }
            }
        }
        if (error) {
            parsed_row_destroy(pr);
            return error;
        }
        pr->columns[pr->n++] = column;
    }
    return NULL;
}

static void
parsed_row_apply(const struct parsed_row *pr, struct db_row *row)
{
    for (size_t i = 0; i < pr->n; i++) {
        struct db_datum copy;
        db_datum_clone(&copy, &pr->values[i], &pr->columns[i]->type);
        db_row_set(row, pr->columns[i], &copy);
    }
}

/* If a clause of 'cond' pins a uniquely indexed column ("name == ..."),
 * looks it up in the index: returns true with the committed row that has
 * that value, or NULL, in '*rowp'. */
static bool
find_rows_indexed(const struct db_table *table,
                  const struct db_condition *cond, struct db_row **rowp)
{
    for (size_t i = 0; i < cond->n; i++) {
        const struct db_clause *c = &cond->clauses[i];
        if (c->function == DB_F_EQ && c->column
            && c->arg.n >= c->column->type.n_min
            && c->arg.n <= c->column->type.n_max
            && db_table_find_indexed(table, c->column, &c->arg, rowp)) {
            return true;
        }
    }
    return false;
}

/* Finds the rows of 'table' that 'cond' selects. */
static struct db_row **
find_rows(const struct db_table *table, const struct db_condition *cond,
          size_t *n)
{
    struct db_row **rows = NULL;
    size_t allocated = 0;
    const struct uuid *uuid = db_condition_get_uuid(cond);

    *n = 0;
    if (uuid) {
        struct db_row *row = db_table_get_row(table, uuid);
        if (row && db_condition_match(cond, row)) {
            rows = xmalloc(sizeof *rows);
            rows[(*n)++] = row;
        }
        return rows;
    }

    struct db_row *row;
    if (find_rows_indexed(table, cond, &row)) {
        /* The index's row, and those the open transaction touched. */
        struct db_row *hit = row ? db_row_current(row) : NULL;
        if (hit && db_condition_match(cond, hit)) {
            rows = x2nrealloc(rows, &allocated, *n + 1, sizeof *rows);
            rows[(*n)++] = hit;
        }
        struct db_txn *txn = table->db->txn;
        struct db_txn_row *txn_row;
        if (txn) {
            DB_TXN_FOR_EACH_ROW (txn_row, txn) {
                row = db_row_current(txn_row->row);
                if (txn_row->row->table == table && row && row != hit
                    && db_condition_match(cond, row)) {
                    rows = x2nrealloc(rows, &allocated, *n + 1,
                                      sizeof *rows);
                    rows[(*n)++] = row;
                }
            }
        }
        return rows;
    }

    DB_TABLE_FOR_EACH (row, table) {
        if (db_condition_match(cond, row)) {
            rows = x2nrealloc(rows, &allocated, *n + 1, sizeof *rows);
            rows[(*n)++] = row;
        }
    }
    return rows;
}

/* Parses the "where" of 'op' against 'table' and returns the rows it
 * selects (free() the array).  On a problem returns NULL with '*errorp'
 * or '*parse_error' set. */
static struct db_row **
select_rows(struct exec_ctx *ctx, const json_t *op,
            const struct db_table *table, size_t *n,
            struct db_error **errorp, char **parse_error)
{
    struct db_condition cond;
    const json_t *where = get_member(op, "where", JSON_ARRAY, false,
                                     parse_error);

    *n = 0;
    *errorp = NULL;
    if (!where) {
        return NULL;
    }
    *errorp = db_condition_from_json(&cond, table->schema, where,
                                     &ctx->symtab);
    if (*errorp) {
        return NULL;
    }
    struct db_row **rows = find_rows(table, &cond, n);
    db_condition_destroy(&cond);
    return rows ? rows : xzalloc(sizeof *rows);
}

static struct db_error *
exec_insert(struct exec_ctx *ctx, const json_t *op, json_t **result,
            char **parse_error)
{
    struct db_table *table = get_table(ctx, op, parse_error);
    const json_t *row_json = get_member(op, "row", JSON_OBJECT, true,
                                        parse_error);
    const json_t *uuid_name = get_member(op, "uuid-name", JSON_STRING, true,
                                         parse_error);
    const json_t *uuid_json = get_member(op, "uuid", JSON_STRING, true,
                                         parse_error);
    struct uuid uuid;

    if (*parse_error) {
        return NULL;
    }
    if (uuid_name && !db_is_valid_id(json_string_value(uuid_name))) {
        *parse_error = xstrdup("Type mismatch for member 'uuid-name'.");
        return NULL;
    }
    if (uuid_json) {
        if (!uuid_from_string(&uuid, json_string_value(uuid_json))) {
            return db_syntax_error(uuid_json, "bad UUID");
        }
    } else {
        uuid_generate(&uuid);
    }

    if (uuid_name) {
        struct db_symbol *symbol = db_symtab_find(
            &ctx->symtab, json_string_value(uuid_name));
        if (symbol && symbol->created) {
            struct db_error *error = db_error_create(
                "duplicate uuid-name", "This \"uuid-name\" appeared on an "
                "earlier \"insert\" operation.");
            db_error_set_syntax(error, uuid_name);
            return error;
        }
        if (!symbol) {
            symbol = db_symtab_insert(&ctx->symtab,
                                      json_string_value(uuid_name));
            symbol->uuid = uuid;
        } else if (uuid_json && !uuid_equals(&symbol->uuid, &uuid)) {
            return db_syntax_error(op, "\"uuid\" conflicts with an earlier "
                                   "use of the \"uuid-name\"");
        } else {
            uuid = symbol->uuid;        /* Used before: keep its UUID. */
        }
        symbol->created = true;
    }

    for (unsigned int t = 0; t < ctx->db->schema->n_tables; t++) {
        struct db_row *row;
        HMAP_FOR_EACH_WITH_HASH (row, node, uuid_hash(&uuid),
                                 &ctx->db->tables[t]->rows) {
            if (uuid_equals(db_row_uuid(row), &uuid)) {
                return db_error_create("duplicate uuid", "This UUID would "
                                       "duplicate a UUID already present "
                                       "within the database or deleted "
                                       "within the same transaction.");
            }
        }
    }

    struct parsed_row pr;
    json_t *empty = json_object();
    struct db_error *error = parse_row(ctx, table->schema,
                                       row_json ? row_json : empty, op,
                                       false, &pr);
    json_decref(empty);
    if (error) {
        return error;
    }
    struct db_row *row = db_txn_insert(ctx->txn, table, &uuid);
    parsed_row_apply(&pr, row);
    parsed_row_destroy(&pr);

    *result = json_pack("{s:o}", "uuid",
                        db_atom_to_json(&row->fields[DB_COL_UUID].keys[0],
                                        DB_TYPE_UUID));
    return NULL;
}

/* The columns to output for "select": 'columns' or all of them. */
static struct db_error *
parse_columns(const struct db_table_schema *ts, const json_t *columns,
              const struct db_column ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!columns) {
        *out = xcalloc(ts->n_columns, sizeof **out);
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            (*out)[(*n)++] = ts->columns[i];
        }
        return NULL;
    }
    *out = xcalloc(json_array_size(columns), sizeof **out);
    for (size_t i = 0; i < json_array_size(columns); i++) {
        const char *name = json_string_value(json_array_get(columns, i));
        const struct db_column *column
            = name ? db_table_schema_find_column(ts, name) : NULL;
        if (!column) {
            free(*out);
            *out = NULL;
            return db_syntax_error(columns, "%s is not a valid column name",
                                   name ? name : "(non-string)");
        }
        (*out)[(*n)++] = column;
    }
    return NULL;
}

static json_t *
row_to_json(const struct db_row *row, const struct db_column **columns,
            size_t n)
{
    json_t *json = json_object();
    for (size_t i = 0; i < n; i++) {
        json_object_set_new(json, columns[i]->name,
                            db_datum_to_json(&row->fields[columns[i]->index],
                                             &columns[i]->type));
    }
    return json;
}

static struct db_error *
exec_select(struct exec_ctx *ctx, const json_t *op, json_t **result,
            char **parse_error)
{
    struct db_table *table = get_table(ctx, op, parse_error);
    const json_t *columns_json = get_member(op, "columns", JSON_ARRAY, true,
                                            parse_error);
    struct db_error *error;
    size_t n;
    if (*parse_error) {
        return NULL;
    }
    struct db_row **rows = select_rows(ctx, op, table, &n, &error,
                                       parse_error);
    if (!rows) {
        return error;
    }

    const struct db_column **columns;
    size_t n_columns;
    error = parse_columns(table->schema, columns_json, &columns, &n_columns);
    if (!error) {
        json_t *array = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(array, row_to_json(rows[i], columns,
                                                     n_columns));
        }
        *result = json_pack("{s:o}", "rows", array);
    }
    free(columns);
    free(rows);
    return error;
}

static struct db_error *
exec_update(struct exec_ctx *ctx, const json_t *op, json_t **result,
            char **parse_error)
{
    struct db_table *table = get_table(ctx, op, parse_error);
    const json_t *row_json = get_member(op, "row", JSON_OBJECT, false,
                                        parse_error);
    struct db_error *error;
    struct parsed_row pr;
    size_t n;
    if (*parse_error) {
        return NULL;
    }
    struct db_row **rows = select_rows(ctx, op, table, &n, &error,
                                       parse_error);
    if (!rows) {
        return error;
    }
    error = parse_row(ctx, table->schema, row_json, op, true, &pr);
    if (!error) {
        for (size_t i = 0; i < n; i++) {
            parsed_row_apply(&pr, db_txn_modify(ctx->txn, rows[i]));
        }
        parsed_row_destroy(&pr);
        *result = json_pack("{s:I}", "count", (json_int_t) n);
    }
    free(rows);
    return error;
}

static struct db_error *
exec_mutate(struct exec_ctx *ctx, const json_t *op, json_t **result,
            char **parse_error)
{
    struct db_table *table = get_table(ctx, op, parse_error);
    const json_t *mutations = get_member(op, "mutations", JSON_ARRAY, false,
                                         parse_error);
    struct db_mutation_set set;
    struct db_error *error;
    size_t n;
    if (*parse_error) {
        return NULL;
    }
    struct db_row **rows = select_rows(ctx, op, table, &n, &error,
                                       parse_error);
    if (!rows) {
        return error;
    }
    error = db_mutation_set_from_json(&set, table->schema, mutations,
                                      &ctx->symtab);
    if (!error) {
        for (size_t i = 0; i < n && !error; i++) {
            error = db_mutation_set_execute(&set,
                                            db_txn_modify(ctx->txn, rows[i]));
        }
        db_mutation_set_destroy(&set);
        if (!error) {
            *result = json_pack("{s:I}", "count", (json_int_t) n);
        }
    }
    free(rows);
    return error;
}

static struct db_error *
exec_delete(struct exec_ctx *ctx, const json_t *op, json_t **result,
            char **parse_error)
{
    struct db_table *table = get_table(ctx, op, parse_error);
    struct db_error *error;
    size_t n;
    if (*parse_error) {
        return NULL;
    }
    struct db_row **rows = select_rows(ctx, op, table, &n, &error,
                                       parse_error);
    if (!rows) {
        return error;
    }
    for (size_t i = 0; i < n; i++) {
        db_txn_delete(ctx->txn, rows[i]);
    }
    free(rows);
    *result = json_pack("{s:I}", "count", (json_int_t) n);
    return NULL;
}

/* True if each row in 'a' matches a distinct row in 'b' on 'columns'. */
static bool
rows_equal_as_multisets(struct db_row **a, size_t n_a,
                        struct db_row **b, size_t n_b,
                        const struct db_column **columns, size_t n_columns)
{
    if (n_a != n_b) {
        return false;
    }
    bool *used = xcalloc(n_b ? n_b : 1, sizeof *used);
    bool equal = true;
    for (size_t i = 0; i < n_a && equal; i++) {
        equal = false;
        for (size_t j = 0; j < n_b && !equal; j++) {
            if (used[j]) {
                continue;
            }
            bool same = true;
            for (size_t c = 0; c < n_columns && same; c++) {
                unsigned int idx = columns[c]->index;
                same = db_datum_equals(&a[i]->fields[idx], &b[j]->fields[idx],
                                       &columns[c]->type);
            }
            if (same) {
                used[j] = equal = true;
            }
        }
    }
    free(used);
    return equal;
}

static struct db_error *
exec_wait(struct exec_ctx *ctx, const json_t *op, json_t **result,
          char **parse_error)
{
    struct db_table *table = get_table(ctx, op, parse_error);
    const json_t *timeout = get_member(op, "timeout", JSON_INTEGER, true,
                                       parse_error);
    const json_t *columns_json = get_member(op, "columns", JSON_ARRAY, true,
                                            parse_error);
    const json_t *until = get_member(op, "until", JSON_STRING, false,
                                     parse_error);
    const json_t *rows_json = get_member(op, "rows", JSON_ARRAY, false,
                                         parse_error);
    struct db_error *error;
    size_t n;

    if (*parse_error) {
        return NULL;
    }
    if (timeout && json_integer_value(timeout) < 0) {
        return db_syntax_error(timeout, "\"timeout\" must not be "
                               "negative");
    }
    bool until_eq = !strcmp(json_string_value(until), "==");
    if (!until_eq && strcmp(json_string_value(until), "!=")) {
        return db_syntax_error(until, "\"until\" must be \"==\" or \"!=\"");
    }
    struct db_row **rows = select_rows(ctx, op, table, &n, &error,
                                       parse_error);
    if (!rows) {
        return error;
    }

    const struct db_column **columns;
    size_t n_columns;
    struct db_row **expected = NULL;
    size_t n_expected = 0;
    error = parse_columns(table->schema, columns_json, &columns, &n_columns);
    if (error) {
        free(rows);
        return error;
    }
    expected = xcalloc(json_array_size(rows_json) + 1, sizeof *expected);
    for (size_t i = 0; i < json_array_size(rows_json) && !error; i++) {
        struct parsed_row pr;
        error = parse_row(ctx, table->schema, json_array_get(rows_json, i),
                          op, false, &pr);
        if (!error) {
            struct uuid zero = { { 0, 0, 0, 0 } };
            expected[n_expected] = db_row_create(table, &zero);
            parsed_row_apply(&pr, expected[n_expected++]);
            parsed_row_destroy(&pr);
        }
    }

    if (!error) {
        bool equal = rows_equal_as_multisets(rows, n, expected, n_expected,
                                             columns, n_columns);
        long long limit = timeout ? json_integer_value(timeout) : LLONG_MAX;
        if (equal == until_eq) {
            *result = json_object();
        } else if (ctx->elapsed_msec >= limit) {
            error = (limit == 0
                     ? db_error_create("timed out",
                                       "\"where\" clause test failed")
                     : db_error_create("timed out", "\"wait\" timed out "
                                       "after %lld ms", ctx->elapsed_msec));
        } else {
            long long remaining = (limit == LLONG_MAX ? LLONG_MAX
                                   : limit - ctx->elapsed_msec);
            ctx->wait_pending = true;
            ctx->wait_msec = MIN(ctx->wait_msec, remaining);
            *result = json_object();
        }
    }
    for (size_t i = 0; i < n_expected; i++) {
        db_row_destroy(expected[i]);
    }
    free(expected);
    free(columns);
    free(rows);
    return error;
}

static struct db_error *
exec_commit(struct exec_ctx *ctx, const json_t *op, json_t **result,
            char **parse_error)
{
    get_member(op, "durable", JSON_TRUE, false, parse_error);
    if (!*parse_error) {
        *result = json_object();    /* Every commit is durable here. */
    }
    return NULL;
}

static struct db_error *
exec_abort(struct exec_ctx *ctx, const json_t *op, json_t **result,
           char **parse_error)
{
    return db_error_create("aborted", "aborted by request");
}

static struct db_error *
exec_comment(struct exec_ctx *ctx, const json_t *op, json_t **result,
             char **parse_error)
{
    const json_t *comment = get_member(op, "comment", JSON_STRING, false,
                                       parse_error);
    if (comment) {
        db_txn_add_comment(ctx->txn, json_string_value(comment));
        *result = json_object();
    }
    return NULL;
}

static struct db_error *
exec_assert(struct exec_ctx *ctx, const json_t *op, json_t **result,
            char **parse_error)
{
    const json_t *lock = get_member(op, "lock", JSON_STRING, false,
                                    parse_error);
    if (!lock) {
        return NULL;
    }
    const char *name = json_string_value(lock);
    if (!ctx->client || !ctx->client->has_lock
        || !ctx->client->has_lock(name, ctx->client->aux)) {
        return db_error_create("not owner", "Asserted lock %s not held.",
                               name);
    }
    *result = json_object();
    return NULL;
}

static const struct {
    const char *name;
    op_func *func;
} ops_table[] = {
    { "insert", exec_insert },
    { "select", exec_select },
    { "update", exec_update },
    { "mutate", exec_mutate },
    { "delete", exec_delete },
    { "wait", exec_wait },
    { "commit", exec_commit },
    { "abort", exec_abort },
    { "comment", exec_comment },
    { "assert", exec_assert },
};

static struct db_error *
exec_op(struct exec_ctx *ctx, const json_t *op, size_t idx, size_t n_ops,
        json_t **result)
{
    char *parse_error = NULL;
    struct db_error *error = NULL;

    *result = NULL;
    if (!json_is_object(op)) {
        parse_error = xstrdup("Object expected.");
    } else {
        const json_t *name = get_member(op, "op", JSON_STRING, false,
                                        &parse_error);
        op_func *func = NULL;
        for (size_t i = 0; name && i < ARRAY_SIZE(ops_table); i++) {
            if (!strcmp(json_string_value(name), ops_table[i].name)) {
                func = ops_table[i].func;
            }
        }
        if (name && !func) {
            parse_error = xasprintf("No operation \"%s\"",
                                    json_string_value(name));
        } else if (func) {
            error = func(ctx, op, result, &parse_error);
        }
    }
    if (parse_error) {
        error = db_error_create("syntax error", "Parsing ovsdb operation "
                                "%zu of %zu failed: %s", idx + 1, n_ops,
                                parse_error);
        if (json_is_object(op)) {
            db_error_set_syntax(error, op);
        }
        free(parse_error);
    }
    if (error) {
        json_decref(*result);
        *result = NULL;
    }
    return error;
}

json_t *
db_execute(struct db *db, const json_t *ops,
           const struct db_execute_client *client, long long elapsed_msec,
           long long *wait_msec)
{
    struct exec_ctx ctx = {
        .db = db,
        .txn = db_txn_create(db),
        .client = client,
        .elapsed_msec = elapsed_msec,
        .wait_msec = LLONG_MAX,
    };
    size_t n_ops = json_array_size(ops);
    json_t *results = json_array();

    db_symtab_init(&ctx.symtab);
    for (size_t i = 0; i < n_ops; i++) {
        json_t *result;
        struct db_error *error = exec_op(&ctx, json_array_get(ops, i), i,
                                         n_ops, &result);
        if (error) {
            json_array_append_new(results, db_error_to_json(error));
            db_error_destroy(error);
            while (++i < n_ops) {
                json_array_append_new(results, json_null());
            }
            db_txn_abort(ctx.txn);
            goto out;
        }
        json_array_append_new(results, result);
    }

    if (ctx.wait_pending) {
        db_txn_abort(ctx.txn);
        json_decref(results);
        results = NULL;
        *wait_msec = ctx.wait_msec;
    } else {
        struct db_error *error = db_txn_commit(ctx.txn);
        if (error) {
            json_array_append_new(results, db_error_to_json(error));
            db_error_destroy(error);
        }
    }
out:
    db_symtab_destroy(&ctx.symtab);
    return results;
}
