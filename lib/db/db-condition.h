/* "where" clauses of RFC 7047: [column, function, value] tests, or the
 * constants true and false (an extension that OVS clients send).  A
 * transaction's "where" needs every clause to pass; a monitor_cond
 * condition needs any one of them (and an empty one passes all rows). */
#ifndef DB_CONDITION_H
#define DB_CONDITION_H 1

#include <jansson.h>
#include <stdbool.h>
#include "db/db-datum.h"

struct db_column;
struct db_row;
struct db_symtab;
struct db_table_schema;

enum db_function {
    DB_F_LT,
    DB_F_LE,
    DB_F_EQ,
    DB_F_NE,
    DB_F_GE,
    DB_F_GT,
    DB_F_INCLUDES,
    DB_F_EXCLUDES,
    DB_F_TRUE,                  /* A bare true: no column, no argument. */
    DB_F_FALSE,                 /* A bare false. */
};

struct db_clause {
    enum db_function function;
    const struct db_column *column;     /* NULL for DB_F_TRUE, _FALSE. */
    struct db_type arg_type;    /* The column's type, any size. */
    struct db_datum arg;
};

struct db_condition {
    struct db_clause *clauses;
    size_t n;
};

struct db_error *db_condition_from_json(struct db_condition *,
                                        const struct db_table_schema *,
                                        const json_t *,
                                        struct db_symtab *);
void db_condition_destroy(struct db_condition *);
bool db_condition_match(const struct db_condition *, const struct db_row *);
bool db_condition_match_any(const struct db_condition *,
                            const struct db_row *);

/* If the condition pins "_uuid" to one value, returns it, else NULL: a
 * caller can then look the row up instead of scanning. */
const struct uuid *db_condition_get_uuid(const struct db_condition *);
/* True if every clause (and there is one) is "_uuid == X": a monitor_cond
 * condition then names its rows, which a caller can look up. */
bool db_condition_is_uuids(const struct db_condition *);

#endif /* db-condition.h */
