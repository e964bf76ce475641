#include <config.h>
#include "db/db-mutation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "db/db-error.h"
#include "db/db-schema.h"
#include "db/db.h"
#include "util.h"

static const char *const mutator_names[] = {
    [DB_M_ADD] = "+=",
    [DB_M_SUB] = "-=",
    [DB_M_MUL] = "*=",
    [DB_M_DIV] = "/=",
    [DB_M_MOD] = "%=",
    [DB_M_INSERT] = "insert",
    [DB_M_DELETE] = "delete",
};

static bool
mutator_from_string(const char *s, enum db_mutator *mutator)
{
    for (size_t i = 0; i < ARRAY_SIZE(mutator_names); i++) {
        if (!strcmp(s, mutator_names[i])) {
            *mutator = i;
            return true;
        }
    }
    return false;
}

static struct db_error *
type_mismatch(const json_t *json, const char *mutator,
              const struct db_column *column)
{
    const struct db_type *type = &column->type;
    return db_syntax_error(json, "Type mismatch: \"%s\" operator may not be "
                           "applied to column %s of type %s.", mutator,
                           column->name,
                           db_type_is_map(type) ? "map"
                           : db_atomic_type_to_string(type->key.type));
}

static struct db_error *
db_mutation_from_json(struct db_mutation *m, const struct db_table_schema *ts,
                      const json_t *json, struct db_symtab *symtab)
{
    const char *column_name = json_string_value(json_array_get(json, 0));
    const char *mutator_name = json_string_value(json_array_get(json, 1));
    const json_t *arg = json_array_get(json, 2);

    if (!json_is_array(json) || json_array_size(json) != 3 || !column_name
        || !mutator_name) {
        return db_syntax_error(json, "Parse error in mutation.");
    }
    m->column = db_table_schema_find_column(ts, column_name);
    if (!m->column) {
        struct db_error *error = db_error_create(
            "unknown column", "No column %s in table %s.", column_name,
            ts->name);
        db_error_set_syntax(error, json);
        return error;
    }
    if (!m->column->mutable_ || m->column->index < DB_N_STD_COLUMNS) {
        struct db_error *error = db_error_create(
            "constraint violation", "Cannot mutate immutable column %s in "
            "table %s.", column_name, ts->name);
        db_error_set_syntax(error, json);
        return error;
    }
    if (!mutator_from_string(mutator_name, &m->mutator)) {
        return db_error_create("unknown mutator", "No mutator named %s.",
                               mutator_name);
    }

    const struct db_type *type = &m->column->type;
    db_type_init(&m->arg_type);
    if (m->mutator <= DB_M_MOD) {
        /* Arithmetic: one number, applied to every element of a set. */
        if (db_type_is_map(type)
            || (type->key.type != DB_TYPE_INTEGER
                && type->key.type != DB_TYPE_REAL)
            || (m->mutator == DB_M_MOD
                && type->key.type != DB_TYPE_INTEGER)) {
            return type_mismatch(json, mutator_name, m->column);
        }
        m->arg_type.key.type = type->key.type;
    } else {
        if (type->n_max == 1 && type->n_min == 1) {
            return type_mismatch(json, mutator_name, m->column);
        }
        db_type_relax(&m->arg_type, type);
        if (m->mutator == DB_M_DELETE && db_type_is_map(type)
            && !(json_is_array(arg)
                 && json_is_string(json_array_get(arg, 0))
                 && !strcmp(json_string_value(json_array_get(arg, 0)),
                            "map"))) {
            /* Deleting from a map by keys alone. */
            m->arg_type.value.type = DB_TYPE_VOID;
        }
    }
    struct db_error *error = db_datum_from_json(&m->arg, &m->arg_type, arg,
                                                symtab);
    if (!error && m->mutator == DB_M_INSERT) {
        /* Check what will be stored; deleted values need not be valid. */
        struct db_type checked;
        db_type_clone(&checked, type);
        checked.n_min = 0;
        checked.n_max = DB_N_MAX_UNLIMITED;
        error = db_datum_check_constraints(&m->arg, &checked);
        db_type_destroy(&checked);
        if (error) {
            db_datum_destroy(&m->arg, &m->arg_type);
        }
    }
    return error;
}

struct db_error *
db_mutation_set_from_json(struct db_mutation_set *set,
                          const struct db_table_schema *ts,
                          const json_t *json, struct db_symtab *symtab)
{
    set->mutations = NULL;
    set->n = 0;
    if (!json_is_array(json)) {
        return db_syntax_error(json, "Parse error in mutation.");
    }
    set->mutations = xcalloc(json_array_size(json), sizeof *set->mutations);
    for (size_t i = 0; i < json_array_size(json); i++) {
        struct db_error *error = db_mutation_from_json(
            &set->mutations[i], ts, json_array_get(json, i), symtab);
        if (error) {
            db_mutation_set_destroy(set);
            return error;
        }
        set->n++;
    }
    return NULL;
}

void
db_mutation_set_destroy(struct db_mutation_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        db_datum_destroy(&set->mutations[i].arg,
                         &set->mutations[i].arg_type);
    }
    free(set->mutations);
    set->mutations = NULL;
    set->n = 0;
}

static struct db_error *
out_of_range(const struct db_mutation *m)
{
    return db_error_create("range error", "Result of \"%s\" operation is "
                           "out of range.", mutator_names[m->mutator]);
}

static struct db_error *
mutate_integer(const struct db_mutation *m, int64_t *x)
{
    int64_t y = m->arg.keys[0].integer;
    switch (m->mutator) {
    case DB_M_ADD:
        return __builtin_add_overflow(*x, y, x) ? out_of_range(m) : NULL;
    case DB_M_SUB:
        return __builtin_sub_overflow(*x, y, x) ? out_of_range(m) : NULL;
    case DB_M_MUL:
        return __builtin_mul_overflow(*x, y, x) ? out_of_range(m) : NULL;
    case DB_M_DIV:
    case DB_M_MOD:
        if (!y) {
            return db_error_create("domain error", "Division by zero.");
        }
        if (*x == INT64_MIN && y == -1) {
            return out_of_range(m);
        }
        *x = m->mutator == DB_M_DIV ? *x / y : *x % y;
        return NULL;
    case DB_M_INSERT:
    case DB_M_DELETE:
        break;
    }
    SW_NOT_REACHED();
}

static struct db_error *
mutate_real(const struct db_mutation *m, double *x)
{
    double y = m->arg.keys[0].real;
    switch (m->mutator) {
    case DB_M_ADD:
        *x += y;
        break;
    case DB_M_SUB:
        *x -= y;
        break;
    case DB_M_MUL:
        *x *= y;
        break;
    case DB_M_DIV:
        if (y == 0.0) {
            return db_error_create("domain error", "Division by zero.");
        }
        *x /= y;
        break;
    case DB_M_MOD:
    case DB_M_INSERT:
    case DB_M_DELETE:
        SW_NOT_REACHED();
    }
    return isfinite(*x) ? NULL : out_of_range(m);
}

static struct db_error *
db_mutation_execute(const struct db_mutation *m, struct db_row *row)
{
    const struct db_type *type = &m->column->type;
    struct db_datum *value = &row->fields[m->column->index];
    struct db_error *error = NULL;

    switch (m->mutator) {
    case DB_M_ADD:
    case DB_M_SUB:
    case DB_M_MUL:
    case DB_M_DIV:
    case DB_M_MOD:
        for (unsigned int i = 0; i < value->n && !error; i++) {
            error = (type->key.type == DB_TYPE_INTEGER
                     ? mutate_integer(m, &value->keys[i].integer)
                     : mutate_real(m, &value->keys[i].real));
            if (!error) {
                error = db_atom_check_constraints(&value->keys[i],
                                                  &type->key);
            }
        }
        if (!error && db_datum_sort_unique(value, type)) {
            return db_error_create("constraint violation", "Result of "
                                   "\"%s\" operation contains duplicates.",
                                   mutator_names[m->mutator]);
        }
        return error;
    case DB_M_INSERT:
        db_datum_union(value, &m->arg, type, false);
        return db_datum_check_size(value, type);
    case DB_M_DELETE:
        db_datum_subtract(value, type, &m->arg, &m->arg_type);
        return db_datum_check_size(value, type);
    }
    SW_NOT_REACHED();
}

struct db_error *
db_mutation_set_execute(const struct db_mutation_set *set,
                        struct db_row *row)
{
    for (size_t i = 0; i < set->n; i++) {
        struct db_error *error = db_mutation_execute(&set->mutations[i], row);
        if (error) {
            return error;
        }
    }
    return NULL;
}
