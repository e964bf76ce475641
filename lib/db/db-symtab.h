/* Named UUIDs within one transaction: "uuid-name" in RFC 7047 (and
 * "@name" on the swctl command line).  A name may be used before the
 * insert that declares it; it then gets its UUID at first use and must
 * be declared by the end of the transaction. */
#ifndef DB_SYMTAB_H
#define DB_SYMTAB_H 1

#include <stdbool.h>
#include "hmap.h"
#include "uuid.h"

struct db_symbol {
    struct hmap_node node;
    char *name;
    struct uuid uuid;
    bool created;               /* Declared by an insert. */
    bool used;                  /* Referred to. */
};

struct db_symtab {
    struct hmap symbols;
};

void db_symtab_init(struct db_symtab *);
void db_symtab_destroy(struct db_symtab *);
struct db_symbol *db_symtab_find(const struct db_symtab *, const char *);
/* Finds 'name', creating it with a fresh UUID if it is new. */
struct db_symbol *db_symtab_insert(struct db_symtab *, const char *name);
/* A symbol that was used but never declared, or NULL. */
const struct db_symbol *db_symtab_find_uncreated(const struct db_symtab *);

#endif /* db-symtab.h */
