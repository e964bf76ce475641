/* swctl's generic database commands that name records (get, set, add,
 * remove, clear, create, destroy) and the lookups all database commands
 * share: tables and columns by unique prefix, records by name or UUID,
 * values in the command-line syntax. */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "db/db-error.h"
#include "db/db-txn.h"
#include "swctl.h"
#include "util.h"

/* Names compare case-insensitively, with '-' equal to '_'. */
static bool
name_char_equal(char a, char b)
{
    a = a == '-' ? '_' : tolower((unsigned char) a);
    b = b == '-' ? '_' : tolower((unsigned char) b);
    return a == b;
}

/* 0: 'name' is not a prefix of 'full'; 1: a proper prefix; 2: equal. */
static int
name_match(const char *name, const char *full)
{
    for (; *name; name++, full++) {
        if (!*full || !name_char_equal(*name, *full)) {
            return 0;
        }
    }
    return *full ? 1 : 2;
}

/* The index of the table in 'schema' that 'name' means: one it names
 * exactly, else the only one it is a prefix of.  Returns -1 if none, -2
 * if several, which 'matches' (if nonnull) then lists. */
static int
match_table(const struct db_schema *schema, const char *name,
            struct ds *matches)
{
    int match = -1, n = 0;
    for (unsigned int i = 0; i < schema->n_tables; i++) {
        int m = name_match(name, schema->tables[i]->name);
        if (m == 2) {
            return i;
        } else if (m == 1) {
            match = i;
            if (matches) {
                ds_put_format(matches, "%s%s", n ? ", " : "",
                              schema->tables[i]->name);
            }
            n++;
        }
    }
    return n > 1 ? -2 : match;
}

const char *
swctl_match_table(const struct db_schema *schema, const char *name)
{
    int i = match_table(schema, name, NULL);
    return i >= 0 ? schema->tables[i]->name : NULL;
}

struct db_table *
swctl_table(struct swctl_context *ctx, const char *name)
{
    struct ds matches = DS_EMPTY_INITIALIZER;
    int i = match_table(ctx->db->schema, name, &matches);
    if (i == -2) {
        sw_fatal("\"%s\" matches multiple table names: %s", name,
                 ds_cstr(&matches));
    }
    ds_destroy(&matches);
    if (i < 0) {
        sw_fatal("unknown table \"%s\"", name);
    }
    return ctx->db->tables[i];
}

/* Like swctl_column(), but returns NULL instead of failing when nothing
 * matches. */
static const struct db_column *
find_column(const struct db_table *table, const char *name, bool prefix)
{
    const struct db_table_schema *ts = table->schema;
    const struct db_column *match = NULL;
    struct ds matches = DS_EMPTY_INITIALIZER;
    int n = 0;

    for (unsigned int i = 0; i < ts->n_columns; i++) {
        int m = name_match(name, ts->columns[i]->name);
        if (m == 2) {
            ds_destroy(&matches);
            return ts->columns[i];
        } else if (m == 1 && prefix) {
            match = ts->columns[i];
            ds_put_format(&matches, "%s%s", n++ ? ", " : "",
                          ts->columns[i]->name);
        }
    }
    if (n > 1) {
        sw_fatal("%s contains more than one column whose name matches "
                    "\"%s\": %s", ts->name, name, ds_cstr(&matches));
    }
    ds_destroy(&matches);
    return match;
}

const struct db_column *
swctl_column(const struct db_table *table, const char *name)
{
    const struct db_column *column = find_column(table, name, true);
    if (!column) {
        sw_fatal("%s does not contain a column whose name matches \"%s\"",
                    table->schema->name, name);
    }
    return column;
}

struct db_row *
swctl_insert(struct swctl_context *ctx, const char *table_name)
{
    struct uuid uuid;
    uuid_generate(&uuid);
    swctl_cache_invalidate(ctx);
    return db_txn_insert(ctx->txn, db_get_table(ctx->db, table_name),
                         &uuid);
}

struct db_row *
swctl_modify(struct swctl_context *ctx, struct db_row *row)
{
    swctl_cache_invalidate(ctx);
    return db_txn_modify(ctx->txn, row);
}

void
swctl_delete(struct swctl_context *ctx, struct db_row *row)
{
    swctl_cache_invalidate(ctx);
    db_txn_delete(ctx->txn, row);
}

void
swctl_set_datum(struct swctl_context *ctx, struct db_row **rowp,
                const char *column_name, struct db_datum *value)
{
    const struct db_column *column = db_table_schema_find_column(
        (*rowp)->table->schema, column_name);
    *rowp = swctl_modify(ctx, *rowp);
    db_row_set(*rowp, column, value);
}

void
swctl_set_string(struct swctl_context *ctx, struct db_row **rowp,
                 const char *column, const char *value)
{
    struct db_datum d;
    db_datum_init_string(&d, value);
    swctl_set_datum(ctx, rowp, column, &d);
}

static void
change_ref(struct swctl_context *ctx, struct db_row **rowp,
           const char *column_name, const struct uuid *uuid, bool add)
{
    const struct db_column *column = db_table_schema_find_column(
        (*rowp)->table->schema, column_name);
    struct db_datum one;
    db_datum_init_uuid(&one, uuid);
    *rowp = swctl_modify(ctx, *rowp);
    struct db_datum *value = &(*rowp)->fields[column->index];
    if (add) {
        db_datum_union(value, &one, &column->type, false);
    } else {
        db_datum_subtract(value, &column->type, &one, &column->type);
    }
    db_datum_destroy(&one, &column->type);
}

void
swctl_add_ref(struct swctl_context *ctx, struct db_row **rowp,
              const char *column, const struct uuid *uuid)
{
    change_ref(ctx, rowp, column, uuid, true);
}

void
swctl_remove_ref(struct swctl_context *ctx, struct db_row **rowp,
                 const char *column, const struct uuid *uuid)
{
    change_ref(ctx, rowp, column, uuid, false);
}

struct db_row **
swctl_get_refs(struct swctl_context *ctx, const struct db_row *row,
               const char *column_name, size_t *n)
{
    const struct db_column *column = db_table_schema_find_column(
        row->table->schema, column_name);
    const struct db_datum *datum = &row->fields[column->index];
    struct db_table *ref = db_ref_table(row->table, &column->type.key);
    struct db_row **rows = xcalloc(datum->n + 1, sizeof *rows);

    *n = 0;
    for (unsigned int i = 0; i < datum->n; i++) {
        struct db_row *target = db_table_get_row(ref, &datum->keys[i].uuid);
        if (target) {
            rows[(*n)++] = target;
        }
    }
    return rows;
}

/* Record lookup. */

/* How a table's records are named on the command line: by a column of
 * 'name_table' (or "." for its only row), then through 'uuid_column' of
 * that row if set. */
struct row_id {
    const char *table;
    const char *name_table;
    const char *name_column;
    const char *uuid_column;
};

static const struct row_id row_ids[] = {
    { "Open_vSwitch", "Open_vSwitch", NULL, NULL },
    { "Bridge", "Bridge", "name", NULL },
    { "Port", "Port", "name", NULL },
    { "Interface", "Interface", "name", NULL },
    { "Controller", "Bridge", "name", "controller" },
    { "Manager", "Manager", "target", NULL },
    { "QoS", "Port", "name", "qos" },
    { "SSL", "Open_vSwitch", NULL, "ssl" },
};

static struct db_row *
find_row_by_id(struct swctl_context *ctx, const struct row_id *id,
               const char *record)
{
    struct db_table *table = db_get_table(ctx->db, id->name_table);
    struct db_row *row, *found = NULL;

    if (!table) {
        return NULL;
    }
    if (!id->name_column) {
        if (strcmp(record, ".")) {
            return NULL;
        }
        DB_TABLE_FOR_EACH (row, table) {
            found = row;
            break;
        }
    } else {
        const struct db_column *column = db_table_schema_find_column(
            table->schema, id->name_column);
        DB_TABLE_FOR_EACH (row, table) {
            const struct db_datum *d = &row->fields[column->index];
            if (d->n == 1 && !strcmp(d->keys[0].string, record)) {
                found = row;
                break;
            }
        }
    }
    if (found && id->uuid_column) {
        size_t n;
        struct db_row **refs = swctl_get_refs(ctx, found, id->uuid_column,
                                              &n);
        found = n == 1 ? refs[0] : NULL;
        free(refs);
    }
    return found;
}

/* A row of 'table' named by UUID or by a prefix of at least 4 hex digits
 * of its UUID that no other row shares. */
static struct db_row *
find_row_by_uuid(struct db_table *table, const char *record)
{
    struct uuid uuid;
    if (uuid_from_string(&uuid, record)) {
        return db_table_get_row(table, &uuid);
    }

    size_t len = strlen(record);
    if (len < 4 || len > UUID_LEN) {
        return NULL;
    }
    for (const char *p = record; *p; p++) {
        if (!isxdigit((unsigned char) *p) && *p != '-') {
            return NULL;
        }
    }
    struct db_row *row, *found = NULL;
    DB_TABLE_FOR_EACH (row, table) {
        char s[UUID_LEN + 1];
        snprintf(s, sizeof s, UUID_FMT, UUID_ARGS(db_row_uuid(row)));
        if (!strncasecmp(s, record, len)) {
            if (found) {
                return NULL;    /* Ambiguous. */
            }
            found = row;
        }
    }
    return found;
}

struct db_row *
swctl_get_row(struct swctl_context *ctx, struct db_table *table,
              const char *record, bool must_exist)
{
    struct db_row *row = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(row_ids) && !row; i++) {
        if (!strcmp(row_ids[i].table, table->schema->name)) {
            row = find_row_by_id(ctx, &row_ids[i], record);
        }
    }
    if (!row) {
        row = find_row_by_uuid(table, record);
    }
    if (!row && must_exist) {
        sw_fatal("no row \"%s\" in table %s", record,
                    table->schema->name);
    }
    return row;
}

/* "COLUMN[:KEY][=VALUE]" parsing. */

struct column_arg {
    const struct db_column *column;
    char *key;                  /* NULL if none. */
    char *value;                /* After '=', or NULL. */
};

static void
column_arg_destroy(struct column_arg *ca)
{
    free(ca->key);
    free(ca->value);
}

/* Parses 'arg' against 'table'.  With 'need_value', "=VALUE" must follow;
 * otherwise it must not. */
static void
parse_column_arg(const struct db_table *table, const char *arg,
                 bool need_value, struct column_arg *ca)
{
    const char *p = arg;
    char *name, *error;

    memset(ca, 0, sizeof *ca);
    error = db_token_parse(&p, &name);
    if (error) {
        sw_fatal("%s", error);
    }
    if (!name[0]) {
        sw_fatal("%s: missing column name", arg);
    }
    ca->column = swctl_column(table, name);
    free(name);

    if (*p == ':') {
        p++;
        error = db_token_parse(&p, &ca->key);
        if (error) {
            sw_fatal("%s", error);
        }
        if (!db_type_is_map(&ca->column->type)) {
            sw_fatal("cannot specify key to get for non-map column %s",
                        ca->column->name);
        }
    }
    if (need_value) {
        if (*p != '=' || !p[1]) {
            sw_fatal("%s: argument does not end in \"=\" followed by a "
                        "value.", arg);
        }
        ca->value = xstrdup(p + 1);
    } else if (*p) {
        sw_fatal("%s: trailing garbage \"%s\" in argument", arg, p);
    }
}

static void
check_writable(const struct db_table *table, const struct db_column *column)
{
    if (!column->mutable_ || column->index < DB_N_STD_COLUMNS) {
        sw_fatal("cannot modify read-only column %s in table %s",
                    column->name, table->schema->name);
    }
}

static void
check_constraints(const struct db_datum *datum, const struct db_type *type)
{
    struct db_error *error = db_datum_check_constraints(datum, type);
    if (error) {
        sw_fatal("%s", db_error_to_string_free(error));
    }
}

void
swctl_parse_atom(struct swctl_context *ctx, union db_atom *atom,
                 const struct db_base_type *base, const char *s)
{
    char *error = db_atom_from_string(atom, base, s, ctx->symtab);
    if (error) {
        sw_fatal("%s", error);
    }
    struct db_error *e = db_atom_check_constraints(atom, base);
    if (e) {
        sw_fatal("%s", db_error_to_string_free(e));
    }
}

/* Parses 'arg' as a value of 'type' and checks it. */
void
swctl_parse_datum(struct swctl_context *ctx, struct db_datum *datum,
                  const struct db_type *type, const char *arg)
{
    char *error = db_datum_from_string(datum, type, arg, ctx->symtab);
    if (error) {
        sw_fatal("%s", error);
    }
    check_constraints(datum, type);
}

static void
set_column__(struct swctl_context *ctx, struct db_row **rowp,
             const char *arg, bool is_create)
{
    const struct db_table *table = (*rowp)->table;
    struct column_arg ca;

    parse_column_arg(table, arg, true, &ca);
    const struct db_column *column = ca.column;
    if (!is_create) {
        check_writable(table, column);
    } else if (column->index < DB_N_STD_COLUMNS) {
        sw_fatal("cannot set column %s", column->name);
    }

    *rowp = swctl_modify(ctx, *rowp);
    if (ca.key) {
        struct db_datum pair = { .n = 1 };
        union db_atom key, value;
        swctl_parse_atom(ctx, &key, &column->type.key, ca.key);
        swctl_parse_atom(ctx, &value, &column->type.value, ca.value);
        pair.keys = &key;
        pair.values = &value;
        db_datum_union(&(*rowp)->fields[column->index], &pair, &column->type,
                       true);
        db_atom_destroy(&key, column->type.key.type);
        db_atom_destroy(&value, column->type.value.type);
    } else {
        struct db_datum datum;
        swctl_parse_datum(ctx, &datum, &column->type, ca.value);
        db_row_set(*rowp, column, &datum);
    }
    column_arg_destroy(&ca);
}

void
swctl_set_column(struct swctl_context *ctx, struct db_row **rowp,
                 const char *arg)
{
    set_column__(ctx, rowp, arg, false);
}

bool
swctl_arg_names_column(struct swctl_context *ctx,
                       const struct db_table *table, const char *arg,
                       bool allow_prefix)
{
    const char *p = arg;
    char *name;
    char *error = db_token_parse(&p, &name);
    if (error) {
        free(error);
        return false;
    }
    bool found = name[0] && find_column(table, name, allow_prefix);
    free(name);
    return found;
}

/* The commands. */

/* Declares "--id=@NAME" for the row the command names or creates. */
static struct db_symbol *
declare_row_id(struct swctl_context *ctx, const char *id)
{
    if (id[0] != '@') {
        sw_fatal("row id \"%s\" does not begin with \"@\"", id);
    }
    struct db_symbol *symbol = db_symtab_insert(ctx->symtab, id);
    if (symbol->created) {
        sw_fatal("row id \"%s\" may only be specified on one --id option",
                    id);
    }
    symbol->created = true;
    return symbol;
}

static void
cmd_get(struct swctl_context *ctx)
{
    bool if_exists = swctl_has_option(ctx, "--if-exists");
    const char *id = smap_get(ctx->options, "--id");
    struct db_table *table = swctl_table(ctx, ctx->argv[1]);
    struct db_row *row = swctl_get_row(ctx, table, ctx->argv[2], !if_exists);

    if (!row) {
        return;
    }
    if (id) {
        declare_row_id(ctx, id)->uuid = *db_row_uuid(row);
    }

    for (int i = 3; i < ctx->argc; i++) {
        struct column_arg ca;
        parse_column_arg(table, ctx->argv[i], false, &ca);
        const struct db_datum *datum = &row->fields[ca.column->index];
        if (ca.key) {
            union db_atom key;
            swctl_parse_atom(ctx, &key, &ca.column->type.key, ca.key);
            unsigned int idx = db_datum_find_key(datum, &key,
                                                 ca.column->type.key.type);
            db_atom_destroy(&key, ca.column->type.key.type);
            if (idx == UINT_MAX) {
                if (!if_exists) {
                    sw_fatal("no key \"%s\" in %s record \"%s\" column "
                                "%s", ca.key, table->schema->name,
                                ctx->argv[2], ca.column->name);
                }
            } else {
                db_atom_to_string(&datum->values[idx],
                                  ca.column->type.value.type, &ctx->output);
            }
        } else {
            db_datum_to_string(datum, &ca.column->type, &ctx->output);
        }
        ds_put_char(&ctx->output, '\n');
        column_arg_destroy(&ca);
    }
}

static void
cmd_set(struct swctl_context *ctx)
{
    struct db_table *table = swctl_table(ctx, ctx->argv[1]);
    struct db_row *row = swctl_get_row(ctx, table, ctx->argv[2],
                                 !swctl_has_option(ctx, "--if-exists"));
    for (int i = 3; row && i < ctx->argc; i++) {
        swctl_set_column(ctx, &row, ctx->argv[i]);
    }
}

/* Parses the values of add/remove for 'column' from argv[first_arg...]
 * into 'datum' of 'type' (the column's, any size).  For "remove" on a
 * map, arguments that are bare keys go to 'keys' (a set of keys) if it
 * is nonnull. */
static void
parse_values(struct swctl_context *ctx, const struct db_column *column,
             int first_arg, struct db_type *type, struct db_datum *datum,
             struct db_type *keys_type, struct db_datum *keys)
{
    db_type_relax(type, &column->type);
    db_datum_init_empty(datum);
    if (keys) {
        db_type_relax(keys_type, &column->type);
        keys_type->value.type = DB_TYPE_VOID;
        db_datum_init_empty(keys);
    }
    for (int i = first_arg; i < ctx->argc; i++) {
        struct db_datum one, *into = datum;
        char *error = db_datum_from_string(&one, type, ctx->argv[i],
                                           ctx->symtab);
        if (error && keys && db_type_is_map(type)) {
            free(error);
            into = keys;
            error = db_datum_from_string(&one, keys_type, ctx->argv[i],
                                         ctx->symtab);
        }
        if (error) {
            sw_fatal("%s", error);
        }
        if (!keys) {
            check_constraints(&one, &column->type);
        }
        for (unsigned int j = 0; j < one.n; j++) {
            db_datum_add_unsafe(into, &one.keys[j],
                                one.values ? &one.values[j] : NULL);
        }
        free(one.keys);
        free(one.values);
    }
    db_datum_sort(datum, type);     /* The first of a repeated key wins. */
    if (keys) {
        db_datum_sort(keys, keys_type);
    }
}

static void
cmd_add_or_remove(struct swctl_context *ctx, bool add)
{
    struct db_table *table = swctl_table(ctx, ctx->argv[1]);
    struct db_row *row = swctl_get_row(ctx, table, ctx->argv[2],
                                 !swctl_has_option(ctx, "--if-exists"));
    const struct db_column *column = swctl_column(table, ctx->argv[3]);
    struct db_type type, keys_type;
    struct db_datum values, keys;

    check_writable(table, column);
    parse_values(ctx, column, 4, &type, &values, &keys_type,
                 add ? NULL : &keys);
    if (row) {
        row = swctl_modify(ctx, row);
        struct db_datum *value = &row->fields[column->index];
        if (add) {
            db_datum_union(value, &values, &column->type, true);
        } else {
            db_datum_subtract(value, &column->type, &values, &type);
            db_datum_subtract(value, &column->type, &keys, &keys_type);
        }
        struct db_error *error = db_datum_check_size(value, &column->type);
        if (error) {
            sw_fatal("%s", db_error_to_string_free(error));
        }
    }
    db_datum_destroy(&values, &type);
    if (!add) {
        db_datum_destroy(&keys, &keys_type);
    }
}

static void
cmd_add(struct swctl_context *ctx)
{
    cmd_add_or_remove(ctx, true);
}

static void
cmd_remove(struct swctl_context *ctx)
{
    cmd_add_or_remove(ctx, false);
}

static void
cmd_clear(struct swctl_context *ctx)
{
    struct db_table *table = swctl_table(ctx, ctx->argv[1]);
    struct db_row *row = swctl_get_row(ctx, table, ctx->argv[2],
                                 !swctl_has_option(ctx, "--if-exists"));
    for (int i = 3; i < ctx->argc; i++) {
        const struct db_column *column = swctl_column(table, ctx->argv[i]);
        check_writable(table, column);
        if (column->type.n_min > 0) {
            sw_fatal("\"clear\" operation cannot be applied to column %s "
                        "of table %s, which is not allowed to be empty",
                        column->name, table->schema->name);
        }
        if (row) {
            struct db_datum empty;
            db_datum_init_empty(&empty);
            row = swctl_modify(ctx, row);
            db_row_set(row, column, &empty);
        }
    }
}

static void
cmd_create(struct swctl_context *ctx)
{
    const char *id = smap_get(ctx->options, "--id");
    struct db_table *table = swctl_table(ctx, ctx->argv[1]);
    struct uuid uuid;

    if (id) {
        uuid = declare_row_id(ctx, id)->uuid;  /* Keeps forward references. */
    } else {
        uuid_generate(&uuid);
        if (!table->schema->is_root) {
            swctl_warn("applying \"create\" command to table %s without "
                       "--id option will have no effect",
                       table->schema->name);
        }
    }

    swctl_cache_invalidate(ctx);
    struct db_row *row = db_txn_insert(ctx->txn, table, &uuid);
    for (int i = 2; i < ctx->argc; i++) {
        set_column__(ctx, &row, ctx->argv[i], true);
    }
    ctx->print_uuid_after_commit = true;
    ctx->created_uuid = uuid;
}

static void
cmd_destroy(struct swctl_context *ctx)
{
    bool if_exists = swctl_has_option(ctx, "--if-exists");
    bool all = swctl_has_option(ctx, "--all");
    struct db_table *table = swctl_table(ctx, ctx->argv[1]);

    if (all == (ctx->argc > 2)) {
        sw_fatal(all ? "--all and records may not be given together"
                        : "destroy needs records or --all");
    }
    if (!table->schema->is_root) {
        swctl_warn("rows of table %s are deleted when nothing refers to "
                   "them: \"destroy\" has no effect on them",
                   table->schema->name);
    }
    if (all) {
        struct db_row *row;
        DB_TABLE_FOR_EACH (row, table) {
            swctl_delete(ctx, row);
        }
        return;
    }
    for (int i = 2; i < ctx->argc; i++) {
        struct db_row *row = swctl_get_row(ctx, table, ctx->argv[i], !if_exists);
        if (row) {
            swctl_delete(ctx, row);
        }
    }
}

/* True if 'row' holds what "COLUMN[:KEY]=VALUE" says. */
static bool
row_matches(struct swctl_context *ctx, const struct db_row *row,
            const char *arg)
{
    struct column_arg ca;
    parse_column_arg(row->table, arg, true, &ca);
    const struct db_column *column = ca.column;
    const struct db_datum *value = &row->fields[column->index];
    bool match;

    if (ca.key) {
        union db_atom key, want;
        swctl_parse_atom(ctx, &key, &column->type.key, ca.key);
        swctl_parse_atom(ctx, &want, &column->type.value, ca.value);
        unsigned int i = db_datum_find_key(value, &key,
                                           column->type.key.type);
        match = i != UINT_MAX && db_atom_equals(&value->values[i], &want,
                                                column->type.value.type);
        db_atom_destroy(&key, column->type.key.type);
        db_atom_destroy(&want, column->type.value.type);
    } else {
        struct db_datum want;
        swctl_parse_datum(ctx, &want, &column->type, ca.value);
        match = db_datum_equals(value, &want, &column->type);
        db_datum_destroy(&want, &column->type);
    }
    column_arg_destroy(&ca);
    return match;
}

static void
cmd_wait_until(struct swctl_context *ctx)
{
    struct db_table *table = swctl_table(ctx, ctx->argv[1]);
    struct db_row *row = swctl_get_row(ctx, table, ctx->argv[2], false);
    for (int i = 3; row && i < ctx->argc; i++) {
        if (!row_matches(ctx, row, ctx->argv[i])) {
            row = NULL;
        }
    }
    ctx->try_again = !row;
}

/* Prefetches (see swctl-fetch.c). */

/* True if 'arg' ("COLUMN[:KEY][=VALUE]") may name Bridge's "ports", which
 * a partial replica holds only in part. */
static bool
may_name_bridge_ports(const char *arg)
{
    size_t len = strcspn(arg, ":=");
    return len && len <= strlen("ports") && !strncasecmp(arg, "ports", len);
}

/* get, set, add, remove, clear: TABLE RECORD [COLUMN...]. */
static void
prefetch_record(struct swctl_fetch *f, const struct db_schema *schema,
                int argc, char *argv[], const struct smap *options)
{
    const char *table = swctl_match_table(schema, argv[1]);
    if (!table) {
        return;                 /* The command reports it. */
    }
    swctl_fetch_record(f, table, argv[2]);
    if (!strcmp(table, "Bridge")) {
        for (int i = 3; i < argc; i++) {
            if (may_name_bridge_ports(argv[i])) {
                swctl_fetch_all(f);
            }
        }
    }
}

static void
prefetch_create(struct swctl_fetch *f, const struct db_schema *schema,
                int argc, char *argv[], const struct smap *options)
{
}

static void
prefetch_destroy(struct swctl_fetch *f, const struct db_schema *schema,
                 int argc, char *argv[], const struct smap *options)
{
    const char *table = swctl_match_table(schema, argv[1]);
    if (smap_get(options, "--all")) {
        swctl_fetch_all(f);
    } else if (table) {
        for (int i = 2; i < argc; i++) {
            swctl_fetch_record(f, table, argv[i]);
        }
    }
}

const struct swctl_command swctl_db_commands[] = {
    { "get", 2, INT32_MAX, "TBL REC [COL[:KEY]]...", cmd_get,
      "--if-exists,--id=", prefetch_record },
    { "set", 3, INT32_MAX, "TBL REC COL[:KEY]=VALUE...", cmd_set,
      "--if-exists", prefetch_record },
    { "add", 4, INT32_MAX, "TBL REC COL [KEY=]VALUE...", cmd_add,
      "--if-exists", prefetch_record },
    { "remove", 4, INT32_MAX, "TBL REC COL [KEY=]VALUE...", cmd_remove,
      "--if-exists", prefetch_record },
    { "clear", 3, INT32_MAX, "TBL REC COL...", cmd_clear, "--if-exists",
      prefetch_record },
    { "create", 2, INT32_MAX, "TBL COL[:KEY]=VALUE...", cmd_create,
      "--id=", prefetch_create },
    { "destroy", 1, INT32_MAX, "TBL [REC]...", cmd_destroy,
      "--if-exists,--all", prefetch_destroy },
    { "wait-until", 2, INT32_MAX, "TBL REC [COL[:KEY]=VALUE]...",
      cmd_wait_until, "", NULL },
    { NULL, 0, 0, NULL, NULL, NULL, NULL },
};
