/* swctl's "list" and "find": records printed as a table, in any of the
 * output formats. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "swctl.h"
#include "util.h"

/* Output of values. */

static void
format_datum(const struct swctl_context *ctx, const struct db_datum *datum,
             const struct db_type *type, struct ds *out)
{
    switch (ctx->opts->data) {
    case DATA_STRING:
        db_datum_to_string(datum, type, out);
        break;
    case DATA_BARE:
        db_datum_to_bare(datum, type, out);
        break;
    case DATA_JSON: {
        json_t *json = db_datum_to_json(datum, type);
        char *s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
        ds_put_cstr(out, s);
        free(s);
        json_decref(json);
        break;
    }
    }
}

/* The columns to print for 'table': --columns, or "_uuid" then the rest
 * by name. */
static const struct db_column **
output_columns(struct swctl_context *ctx, const struct db_table *table,
               size_t *n)
{
    const struct db_table_schema *ts = table->schema;
    const struct db_column **columns;

    *n = 0;
    if (ctx->opts->columns) {
        char *copy = xstrdup(ctx->opts->columns), *save = NULL;
        columns = xcalloc(strlen(copy) + 1, sizeof *columns);
        for (char *name = strtok_r(copy, ",", &save); name;
             name = strtok_r(NULL, ",", &save)) {
            columns[(*n)++] = swctl_column(table, name);
        }
        free(copy);
        if (!*n) {
            sw_fatal("must specify at least one column name");
        }
        return columns;
    }

    columns = xcalloc(ts->n_columns, sizeof *columns);
    columns[(*n)++] = ts->columns[DB_COL_UUID];
    for (unsigned int i = DB_N_STD_COLUMNS; i < ts->n_columns; i++) {
        columns[(*n)++] = ts->columns[i];
    }
    for (size_t i = 2; i < *n; i++) {   /* Insertion sort by name. */
        for (size_t j = i; j > 1 && strcmp(columns[j - 1]->name,
                                           columns[j]->name) > 0; j--) {
            const struct db_column *tmp = columns[j];
            columns[j] = columns[j - 1];
            columns[j - 1] = tmp;
        }
    }
    return columns;
}

static void
table_add_db_row(struct swctl_context *ctx, const struct db_row *row,
                 const struct db_column **columns, size_t n)
{
    table_add_row(ctx->table);
    for (size_t i = 0; i < n; i++) {
        const struct db_datum *datum = &row->fields[columns[i]->index];
        struct ds text = DS_EMPTY_INITIALIZER;
        format_datum(ctx, datum, &columns[i]->type, &text);
        table_add_cell(ctx->table, ds_cstr(&text),
                       db_datum_to_json(datum, &columns[i]->type));
        ds_destroy(&text);
    }
}

static void
start_table(struct swctl_context *ctx, const struct db_column **columns,
            size_t n)
{
    ctx->table = table_create();
    for (size_t i = 0; i < n; i++) {
        table_add_column(ctx->table, columns[i]->name);
    }
}

/* Rows in a stable order: by the first unique index (the name), else by
 * UUID. */
static int
compare_rows(const void *a_, const void *b_)
{
    const struct db_row *const *a = a_, *const *b = b_;
    const struct db_table_schema *ts = (*a)->table->schema;
    if (ts->n_indexes) {
        const struct db_column *c = ts->indexes[0].columns[0];
        int cmp = db_datum_compare_3way(&(*a)->fields[c->index],
                                        &(*b)->fields[c->index], &c->type);
        if (cmp) {
            return cmp;
        }
    }
    return uuid_compare(db_row_uuid(*a), db_row_uuid(*b));
}

static struct db_row **
sorted_rows(struct db_table *table, size_t *n)
{
    struct db_row **rows = xcalloc(hmap_count(&table->rows) + 1,
                                   sizeof *rows);
    struct db_row *row;
    *n = 0;
    DB_TABLE_FOR_EACH (row, table) {
        rows[(*n)++] = row;
    }
    qsort(rows, *n, sizeof *rows, compare_rows);
    return rows;
}

static void
cmd_list(struct swctl_context *ctx)
{
    bool if_exists = swctl_has_option(ctx, "--if-exists");
    struct db_table *table = swctl_table(ctx, ctx->argv[1]);
    size_t n_columns;
    const struct db_column **columns = output_columns(ctx, table,
                                                      &n_columns);

    start_table(ctx, columns, n_columns);
    if (ctx->argc > 2) {
        for (int i = 2; i < ctx->argc; i++) {
            struct db_row *row = swctl_get_row(ctx, table, ctx->argv[i],
                                         !if_exists);
            if (row) {
                table_add_db_row(ctx, row, columns, n_columns);
            }
        }
    } else {
        size_t n;
        struct db_row **rows = sorted_rows(table, &n);
        for (size_t i = 0; i < n; i++) {
            table_add_db_row(ctx, rows[i], columns, n_columns);
        }
        free(rows);
    }
    free(columns);
}

/* The relations of "find" conditions. */
enum relop {
    RELOP_EQ, RELOP_NE, RELOP_LT, RELOP_GT, RELOP_LE, RELOP_GE,
    RELOP_SET_EQ, RELOP_SET_NE, RELOP_SET_LT, RELOP_SET_GT, RELOP_SET_LE,
    RELOP_SET_GE, RELOP_SET_IN, RELOP_SET_NOT_IN,
};

static const struct {
    const char *op;
    enum relop relop;
} relops[] = {
    /* Longer first, so that "<=" is not read as "<". */
    { "{not-in}", RELOP_SET_NOT_IN }, { "{in}", RELOP_SET_IN },
    { "{!=}", RELOP_SET_NE }, { "{<=}", RELOP_SET_LE },
    { "{>=}", RELOP_SET_GE }, { "{=}", RELOP_SET_EQ },
    { "{<}", RELOP_SET_LT }, { "{>}", RELOP_SET_GT },
    { "!=", RELOP_NE }, { "<=", RELOP_LE }, { ">=", RELOP_GE },
    { "=", RELOP_EQ }, { "<", RELOP_LT }, { ">", RELOP_GT },
};

/* True if every element of 'a' relates to every element of 'b' by 'op'
 * (so an empty 'a' always passes). */
static bool
all_elements_relate(const struct db_datum *a, const struct db_datum *b,
                    enum db_atomic_type type, enum relop op)
{
    for (unsigned int i = 0; i < a->n; i++) {
        for (unsigned int j = 0; j < b->n; j++) {
            int cmp = db_atom_compare_3way(&a->keys[i], &b->keys[j], type);
            bool ok = (op == RELOP_LT ? cmp < 0 : op == RELOP_GT ? cmp > 0
                       : op == RELOP_LE ? cmp <= 0 : cmp >= 0);
            if (!ok) {
                return false;
            }
        }
    }
    return true;
}

static bool
relation_holds(const struct db_datum *a, const struct db_datum *b,
               const struct db_type *type, enum relop op)
{
    switch (op) {
    case RELOP_EQ:
    case RELOP_SET_EQ:
        return db_datum_equals(a, b, type);
    case RELOP_NE:
    case RELOP_SET_NE:
        return !db_datum_equals(a, b, type);
    case RELOP_LT:
    case RELOP_GT:
    case RELOP_LE:
    case RELOP_GE:
        return all_elements_relate(a, b, type->key.type, op);
    case RELOP_SET_LT:
        return (db_datum_includes_all(a, b, type)
                && !db_datum_equals(a, b, type));
    case RELOP_SET_GT:
        return (db_datum_includes_all(b, a, type)
                && !db_datum_equals(a, b, type));
    case RELOP_SET_LE:
    case RELOP_SET_IN:
        return db_datum_includes_all(a, b, type);
    case RELOP_SET_GE:
        return db_datum_includes_all(b, a, type);
    case RELOP_SET_NOT_IN:
        return db_datum_excludes_all(a, b, type);
    }
    return false;
}

struct find_condition {
    const struct db_column *column;
    char *key;                  /* For a map's key, or NULL. */
    enum relop relop;
    struct db_type type;        /* Of the value compared. */
    struct db_datum value;
};

static void
parse_find_condition(struct swctl_context *ctx, const struct db_table *table,
                     const char *arg, struct find_condition *fc)
{
    const char *p = arg;
    char *name, *error = db_token_parse(&p, &name);
    if (error) {
        sw_fatal("%s", error);
    }
    fc->column = swctl_column(table, name);
    free(name);
    fc->key = NULL;
    if (*p == ':') {
        p++;
        error = db_token_parse(&p, &fc->key);
        if (error) {
            sw_fatal("%s", error);
        }
        if (!db_type_is_map(&fc->column->type)) {
            sw_fatal("cannot specify key to check for non-map column %s",
                        fc->column->name);
        }
    }

    size_t i;
    for (i = 0; i < ARRAY_SIZE(relops); i++) {
        if (str_starts_with(p, relops[i].op)) {
            break;
        }
    }
    if (i == ARRAY_SIZE(relops)) {
        sw_fatal("%s: missing relational operator (use =, !=, <, >, <=, "
                    ">=, {=}, {!=}, {<}, {>}, {<=}, {>=}, {in} or "
                    "{not-in})", arg);
    }
    fc->relop = relops[i].relop;
    p += strlen(relops[i].op);

    /* As ovs-vsctl: the value has the column's type, its constraints and
     * size included; a map key's value is any set of the map's values. */
    if (fc->key) {
        db_type_init(&fc->type);
        db_base_type_clone(&fc->type.key, &fc->column->type.value);
        fc->type.n_min = 0;
        fc->type.n_max = DB_N_MAX_UNLIMITED;
    } else {
        db_type_clone(&fc->type, &fc->column->type);
    }
    swctl_parse_datum(ctx, &fc->value, &fc->type, p);
}

static bool
find_condition_holds(struct swctl_context *ctx,
                     const struct find_condition *fc,
                     const struct db_row *row)
{
    const struct db_datum *datum = &row->fields[fc->column->index];
    if (!fc->key) {
        return relation_holds(datum, &fc->value, &fc->type, fc->relop);
    }

    union db_atom key;
    swctl_parse_atom(ctx, &key, &fc->column->type.key, fc->key);
    unsigned int idx = db_datum_find_key(datum, &key,
                                         fc->column->type.key.type);
    db_atom_destroy(&key, fc->column->type.key.type);
    if (idx == UINT_MAX && fc->relop < RELOP_SET_EQ) {
        /* A missing key has no value to compare, as in ovs-vsctl; for the
         * set relations it is the empty set. */
        return false;
    }
    struct db_datum value = { .n = idx != UINT_MAX };
    if (value.n) {
        value.keys = &datum->values[idx];
    }
    return relation_holds(&value, &fc->value, &fc->type, fc->relop);
}

static void
cmd_find(struct swctl_context *ctx)
{
    struct db_table *table = swctl_table(ctx, ctx->argv[1]);
    size_t n_conds = ctx->argc - 2;
    struct find_condition *conds = xcalloc(n_conds + 1, sizeof *conds);
    for (size_t i = 0; i < n_conds; i++) {
        parse_find_condition(ctx, table, ctx->argv[i + 2], &conds[i]);
    }

    size_t n_columns, n_rows;
    const struct db_column **columns = output_columns(ctx, table,
                                                      &n_columns);
    struct db_row **rows = sorted_rows(table, &n_rows);
    start_table(ctx, columns, n_columns);
    for (size_t r = 0; r < n_rows; r++) {
        bool match = true;
        for (size_t i = 0; i < n_conds && match; i++) {
            match = find_condition_holds(ctx, &conds[i], rows[r]);
        }
        if (match) {
            table_add_db_row(ctx, rows[r], columns, n_columns);
        }
    }
    for (size_t i = 0; i < n_conds; i++) {
        db_datum_destroy(&conds[i].value, &conds[i].type);
        db_type_destroy(&conds[i].type);
        free(conds[i].key);
    }
    free(conds);
    free(rows);
    free(columns);
}

const struct swctl_command swctl_list_commands[] = {
    { "list", 1, INT32_MAX, "TBL [REC]...", cmd_list, "--if-exists", NULL },
    { "find", 1, INT32_MAX, "TBL [COL[:KEY]=VALUE]...", cmd_find, "", NULL },
    { NULL, 0, 0, NULL, NULL, NULL, NULL },
};
