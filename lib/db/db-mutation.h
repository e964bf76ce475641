/* "mutate" operations of RFC 7047: [column, mutator, value] changes that
 * apply to a column's current value (arithmetic on numbers, insert and
 * delete on sets and maps). */
#ifndef DB_MUTATION_H
#define DB_MUTATION_H 1

#include <jansson.h>
#include "db/db-datum.h"

struct db_column;
struct db_row;
struct db_symtab;
struct db_table_schema;

enum db_mutator {
    DB_M_ADD,
    DB_M_SUB,
    DB_M_MUL,
    DB_M_DIV,
    DB_M_MOD,
    DB_M_INSERT,
    DB_M_DELETE,
};

struct db_mutation {
    enum db_mutator mutator;
    const struct db_column *column;
    struct db_type arg_type;
    struct db_datum arg;
};

struct db_mutation_set {
    struct db_mutation *mutations;
    size_t n;
};

struct db_error *db_mutation_set_from_json(struct db_mutation_set *,
                                           const struct db_table_schema *,
                                           const json_t *,
                                           struct db_symtab *);
void db_mutation_set_destroy(struct db_mutation_set *);

/* Applies the mutations to 'row', which must be writable. */
struct db_error *db_mutation_set_execute(const struct db_mutation_set *,
                                         struct db_row *);

#endif /* db-mutation.h */
