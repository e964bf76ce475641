#include <config.h>
#include "db/db-condition.h"

#include <stdlib.h>
#include <string.h>
#include "db/db-error.h"
#include "db/db-schema.h"
#include "db/db.h"
#include "util.h"

static const char *const function_names[] = {
    [DB_F_LT] = "<",
    [DB_F_LE] = "<=",
    [DB_F_EQ] = "==",
    [DB_F_NE] = "!=",
    [DB_F_GE] = ">=",
    [DB_F_GT] = ">",
    [DB_F_INCLUDES] = "includes",
    [DB_F_EXCLUDES] = "excludes",
};

static bool
function_from_string(const char *s, enum db_function *function)
{
    for (size_t i = 0; i < ARRAY_SIZE(function_names); i++) {
        if (!strcmp(s, function_names[i])) {
            *function = i;
            return true;
        }
    }
    return false;
}

static struct db_error *
db_clause_from_json(struct db_clause *clause,
                    const struct db_table_schema *ts, const json_t *json,
                    struct db_symtab *symtab)
{
    const char *column_name = json_string_value(json_array_get(json, 0));
    const char *function_name = json_string_value(json_array_get(json, 1));

    if (json_is_boolean(json)) {
        clause->function = json_is_true(json) ? DB_F_TRUE : DB_F_FALSE;
        return NULL;
    }
    if (!json_is_array(json) || json_array_size(json) != 3 || !column_name
        || !function_name) {
        return db_syntax_error(json, "Parse error in condition.");
    }
    clause->column = db_table_schema_find_column(ts, column_name);
    if (!clause->column) {
        struct db_error *error = db_error_create(
            "unknown column", "No column %s in table %s.", column_name,
            ts->name);
        db_error_set_syntax(error, json);
        return error;
    }
    if (!function_from_string(function_name, &clause->function)) {
        return db_error_create("unknown function", "No function named %s.",
                               function_name);
    }

    const struct db_type *type = &clause->column->type;
    if (clause->function <= DB_F_GT && clause->function != DB_F_EQ
        && clause->function != DB_F_NE
        && (db_type_is_map(type) || type->n_max != 1
            || (type->key.type != DB_TYPE_INTEGER
                && type->key.type != DB_TYPE_REAL))) {
        return db_syntax_error(json, "Type mismatch: \"%s\" operator may "
                               "not be applied to column %s of type %s.",
                               function_name, column_name,
                               db_type_is_map(type) ? "map"
                               : db_atomic_type_to_string(type->key.type));
    }
    db_type_relax(&clause->arg_type, type);
    return db_datum_from_json(&clause->arg, &clause->arg_type,
                              json_array_get(json, 2), symtab);
}

struct db_error *
db_condition_from_json(struct db_condition *cond,
                       const struct db_table_schema *ts, const json_t *json,
                       struct db_symtab *symtab)
{
    cond->clauses = NULL;
    cond->n = 0;
    if (!json_is_array(json)) {
        return db_syntax_error(json, "Parse error in condition.");
    }

    cond->clauses = xcalloc(json_array_size(json), sizeof *cond->clauses);
    for (size_t i = 0; i < json_array_size(json); i++) {
        struct db_error *error = db_clause_from_json(
            &cond->clauses[i], ts, json_array_get(json, i), symtab);
        if (error) {
            db_condition_destroy(cond);
            return error;
        }
        cond->n++;
    }
    return NULL;
}

void
db_condition_destroy(struct db_condition *cond)
{
    for (size_t i = 0; i < cond->n; i++) {
        db_datum_destroy(&cond->clauses[i].arg, &cond->clauses[i].arg_type);
    }
    free(cond->clauses);
    cond->clauses = NULL;
    cond->n = 0;
}

static bool
db_clause_match(const struct db_clause *clause, const struct db_row *row)
{
    const struct db_datum *value = (clause->column
                                    ? &row->fields[clause->column->index]
                                    : NULL);
    const struct db_type *type = &clause->arg_type;
    int cmp;

    switch (clause->function) {
    case DB_F_TRUE:
        return true;
    case DB_F_FALSE:
        return false;
    case DB_F_EQ:
        return db_datum_equals(value, &clause->arg, type);
    case DB_F_NE:
        return !db_datum_equals(value, &clause->arg, type);
    case DB_F_INCLUDES:
        return db_datum_includes_all(&clause->arg, value, type);
    case DB_F_EXCLUDES:
        return db_datum_excludes_all(&clause->arg, value, type);
    case DB_F_LT:
    case DB_F_LE:
    case DB_F_GE:
    case DB_F_GT:
        if (value->n != 1 || clause->arg.n != 1) {
            return false;
        }
        cmp = db_atom_compare_3way(&value->keys[0], &clause->arg.keys[0],
                                   type->key.type);
        return (clause->function == DB_F_LT ? cmp < 0
                : clause->function == DB_F_LE ? cmp <= 0
                : clause->function == DB_F_GE ? cmp >= 0
                : cmp > 0);
    }
    SW_NOT_REACHED();
}

bool
db_condition_match(const struct db_condition *cond, const struct db_row *row)
{
    for (size_t i = 0; i < cond->n; i++) {
        if (!db_clause_match(&cond->clauses[i], row)) {
            return false;
        }
    }
    return true;
}

bool
db_condition_match_any(const struct db_condition *cond,
                       const struct db_row *row)
{
    if (!cond->n) {
        return true;
    }
    for (size_t i = 0; i < cond->n; i++) {
        if (db_clause_match(&cond->clauses[i], row)) {
            return true;
        }
    }
    return false;
}

const struct uuid *
db_condition_get_uuid(const struct db_condition *cond)
{
    for (size_t i = 0; i < cond->n; i++) {
        const struct db_clause *clause = &cond->clauses[i];
        if (clause->function == DB_F_EQ
            && clause->column->index == DB_COL_UUID && clause->arg.n == 1) {
            return &clause->arg.keys[0].uuid;
        }
    }
    return NULL;
}

bool
db_condition_is_uuids(const struct db_condition *cond)
{
    for (size_t i = 0; i < cond->n; i++) {
        const struct db_clause *clause = &cond->clauses[i];
        if (clause->function != DB_F_EQ || !clause->column
            || clause->column->index != DB_COL_UUID || clause->arg.n != 1) {
            return false;
        }
    }
    return cond->n > 0;
}
