/* One value of an atomic type, with conversions to and from JSON (the
 * wire) and to and from the text syntax of the command line (swctl). */
#ifndef DB_ATOM_H
#define DB_ATOM_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "db/db-types.h"
#include "uuid.h"

struct db_symtab;
struct ds;

union db_atom {
    int64_t integer;
    double real;
    bool boolean;
    char *string;               /* Owned, UTF-8. */
    struct uuid uuid;
};

void db_atom_init_default(union db_atom *, enum db_atomic_type);
bool db_atom_is_default(const union db_atom *, enum db_atomic_type);
void db_atom_clone(union db_atom *dst, const union db_atom *src,
                   enum db_atomic_type);
void db_atom_destroy(union db_atom *, enum db_atomic_type);
int db_atom_compare_3way(const union db_atom *, const union db_atom *,
                         enum db_atomic_type);
uint32_t db_atom_hash(const union db_atom *, enum db_atomic_type,
                      uint32_t basis);

static inline bool
db_atom_equals(const union db_atom *a, const union db_atom *b,
               enum db_atomic_type type)
{
    return !db_atom_compare_3way(a, b, type);
}

/* Parses 'json' as an atom of 'base'.  With a non-NULL 'symtab',
 * ["named-uuid", NAME] is accepted for UUIDs.  Does not check 'base''s
 * constraints (see db_atom_check_constraints()). */
struct db_error *db_atom_from_json(union db_atom *, const struct db_base_type *,
                                   const json_t *, struct db_symtab *);
json_t *db_atom_to_json(const union db_atom *, enum db_atomic_type);

/* Checks the atom against the enum, range and length limits of 'base'. */
struct db_error *db_atom_check_constraints(const union db_atom *,
                                           const struct db_base_type *);

/* Parses command-line text: numbers, true/false (and yes/no, on/off,
 * 1/0), a bare or double-quoted string, a UUID or, with 'symtab', @name.
 * Returns NULL or an error message to free(). */
char *db_atom_from_string(union db_atom *, const struct db_base_type *,
                          const char *, struct db_symtab *);
/* Appends the atom as the command line prints it: a string is quoted
 * unless it is a plain identifier (see db_string_needs_quotes()). */
void db_atom_to_string(const union db_atom *, enum db_atomic_type,
                       struct ds *);
/* Appends the atom with no quoting at all (--data=bare). */
void db_atom_to_bare(const union db_atom *, enum db_atomic_type,
                     struct ds *);

bool db_string_needs_quotes(const char *);
/* Appends 's' in double quotes with JSON escapes. */
void db_string_quote(const char *s, struct ds *);

#endif /* db-atom.h */
