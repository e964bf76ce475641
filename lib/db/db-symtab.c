#include <config.h>
#include "db/db-symtab.h"

#include <stdlib.h>
#include <string.h>
#include "hash.h"

void
db_symtab_init(struct db_symtab *symtab)
{
    hmap_init(&symtab->symbols);
}

void
db_symtab_destroy(struct db_symtab *symtab)
{
    if (!symtab) {
        return;
    }
    struct db_symbol *symbol;
    HMAP_FOR_EACH (symbol, node, &symtab->symbols) {
        hmap_remove(&symtab->symbols, &symbol->node);
        free(symbol->name);
        free(symbol);
    }
    hmap_destroy(&symtab->symbols);
}

struct db_symbol *
db_symtab_find(const struct db_symtab *symtab, const char *name)
{
    struct db_symbol *symbol;
    HMAP_FOR_EACH_WITH_HASH (symbol, node, hash_string(name, 0),
                             &symtab->symbols) {
        if (!strcmp(symbol->name, name)) {
            return symbol;
        }
    }
    return NULL;
}

struct db_symbol *
db_symtab_insert(struct db_symtab *symtab, const char *name)
{
    struct db_symbol *symbol = db_symtab_find(symtab, name);
    if (!symbol) {
        symbol = xzalloc(sizeof *symbol);
        symbol->name = xstrdup(name);
        uuid_generate(&symbol->uuid);
        hmap_insert(&symtab->symbols, &symbol->node, hash_string(name, 0));
    }
    return symbol;
}

const struct db_symbol *
db_symtab_find_uncreated(const struct db_symtab *symtab)
{
    struct db_symbol *symbol;
    HMAP_FOR_EACH (symbol, node, &symtab->symbols) {
        if (symbol->used && !symbol->created) {
            return symbol;
        }
    }
    return NULL;
}
