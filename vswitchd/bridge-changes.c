#include <config.h>
#include "bridge-changes.h"

#include <stdlib.h>
#include <string.h>
#include "db/db-txn.h"
#include "db/db.h"
#include "util.h"

/* UUID sets and maps. */

static struct uuid_map_node *
uuid_map_find(const struct hmap *map, const struct uuid *key)
{
    struct uuid_map_node *n;
    HMAP_FOR_EACH_WITH_HASH (n, node, uuid_hash(key), map) {
        if (uuid_equals(&n->key, key)) {
            return n;
        }
    }
    return NULL;
}

static void
uuid_map_put(struct hmap *map, const struct uuid *key,
             const struct uuid *value)
{
    struct uuid_map_node *n = uuid_map_find(map, key);
    if (!n) {
        n = xzalloc(sizeof *n);
        n->key = *key;
        hmap_insert(map, &n->node, uuid_hash(key));
    }
    if (value) {
        n->value = *value;
    }
}

static void
uuid_map_clear(struct hmap *map)
{
    struct uuid_map_node *n;
    HMAP_FOR_EACH (n, node, map) {
        hmap_remove(map, &n->node);
        free(n);
    }
}

/* Maps 'key' to 'owner' in 'map'.  Returns false if something else owns
 * it already. */
static bool
set_owner(struct hmap *map, const struct uuid *key, const struct uuid *owner)
{
    struct uuid_map_node *n = uuid_map_find(map, key);
    if (n && !uuid_equals(&n->value, owner)) {
        return false;
    }
    uuid_map_put(map, key, owner);
    return true;
}

/* Forgets that 'owner' owns 'key', if it does. */
static void
drop_owner(struct hmap *map, const struct uuid *key, const struct uuid *owner)
{
    struct uuid_map_node *n = uuid_map_find(map, key);
    if (n && uuid_equals(&n->value, owner)) {
        hmap_remove(map, &n->node);
        free(n);
    }
}

void
bridge_changes_init(struct bridge_changes *c)
{
    memset(c, 0, sizeof *c);
    c->full = true;
    hmap_init(&c->dirty_ports);
    hmap_init(&c->dirty_ifaces);
    hmap_init(&c->port_of);
    hmap_init(&c->bridge_of);
}

void
bridge_changes_destroy(struct bridge_changes *c)
{
    struct hmap *maps[] = { &c->dirty_ports, &c->dirty_ifaces, &c->port_of,
                            &c->bridge_of };
    for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
        uuid_map_clear(maps[i]);
        hmap_destroy(maps[i]);
    }
}

static const struct db_datum *
field(const struct db_row *row, const char *column)
{
    return row ? db_row_get(row, column) : NULL;
}

/* For a reference set that went from 'old' to 'new' (either NULL for a
 * row inserted or deleted) in the row 'owner': updates who owns the
 * elements in 'owners', and marks those that came or went dirty in
 * 'dirty'.  Returns false if an element that came has another owner. */
static bool
note_refs(const struct db_datum *old, const struct db_datum *new,
          const struct uuid *owner, struct hmap *owners, struct hmap *dirty)
{
    static const struct db_datum empty;
    bool ok = true;
    old = old ? old : &empty;
    new = new ? new : &empty;

    union db_atom *gone, *came;
    unsigned int n_gone, n_came;
    db_datum_changed_keys(old, new, DB_TYPE_UUID, &gone, &n_gone, &came,
                          &n_came);
    for (unsigned int i = 0; i < n_gone; i++) {
        drop_owner(owners, &gone[i].uuid, owner);
        uuid_map_put(dirty, &gone[i].uuid, NULL);
    }
    for (unsigned int i = 0; i < n_came; i++) {
        ok = set_owner(owners, &came[i].uuid, owner) && ok;
        uuid_map_put(dirty, &came[i].uuid, NULL);
    }
    free(gone);
    free(came);
    return ok;
}

void
bridge_changes_note(struct bridge_changes *c, const struct db_txn *txn)
{
    const struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        const struct db_row *old = txn_row->old, *new = txn_row->new;
        const struct db_row *any = old ? old : new;
        if (!any) {
            continue;           /* Inserted, then collected as garbage. */
        }
        const struct uuid *uuid = db_row_uuid(any);
        const char *table = any->table->schema->name;

        if (!strcmp(table, "Open_vSwitch")) {
            unsigned int bridges = db_table_schema_find_column(
                any->table->schema, "bridges")->index;
            if (!old || !new || db_txn_row_changed(txn_row, bridges)) {
                c->full = true;
            }
        } else if (!strcmp(table, "Bridge")) {
            const struct db_table_schema *ts = any->table->schema;
            if (!old || !new
                || db_txn_row_changed(txn_row, db_table_schema_find_column(
                                          ts, "name")->index)) {
                c->full = true;
            } else if (db_txn_row_changed(txn_row, db_table_schema_find_column(
                                              ts, "ports")->index)
                       && !note_refs(field(old, "ports"),
                                     field(new, "ports"), uuid,
                                     &c->bridge_of, &c->dirty_ports)) {
                c->full = c->ambiguous = true;
            }
        } else if (!strcmp(table, "Port")) {
            uuid_map_put(&c->dirty_ports, uuid, NULL);
            if (!note_refs(field(old, "interfaces"),
                           field(new, "interfaces"), uuid, &c->port_of,
                           &c->dirty_ifaces)) {
                c->full = c->ambiguous = true;
            }
        } else if (!strcmp(table, "Interface")) {
            uuid_map_put(&c->dirty_ifaces, uuid, NULL);
        }
    }
}

void
bridge_changes_clear(struct bridge_changes *c)
{
    uuid_map_clear(&c->dirty_ports);
    uuid_map_clear(&c->dirty_ifaces);
    c->full = c->ambiguous;
}

/* Rebuilds 'owners' for the reference column 'column' of every row of
 * 'table'.  Returns false if some element has two owners. */
static bool
rebuild_owners(struct db *db, const char *table, const char *column,
               struct hmap *owners)
{
    bool ok = true;
    struct db_row *row;
    uuid_map_clear(owners);
    DB_TABLE_FOR_EACH (row, db_get_table(db, table)) {
        const struct db_datum *d = db_row_get(row, column);
        for (unsigned int i = 0; i < d->n; i++) {
            ok = set_owner(owners, &d->keys[i].uuid, db_row_uuid(row)) && ok;
        }
    }
    return ok;
}

void
bridge_changes_rebuild(struct bridge_changes *c, struct db *db)
{
    c->ambiguous = false;
    bridge_changes_clear(c);
    bool ok = rebuild_owners(db, "Bridge", "ports", &c->bridge_of);
    ok = rebuild_owners(db, "Port", "interfaces", &c->port_of) && ok;
    c->full = c->ambiguous = !ok;
}

void
bridge_changes_mark_port(struct bridge_changes *c, const struct uuid *port)
{
    uuid_map_put(&c->dirty_ports, port, NULL);
}

void
bridge_changes_expand(struct bridge_changes *c, struct db *db)
{
    struct db_table *ports = db_get_table(db, "Port");
    struct uuid_map_node *n;
    HMAP_FOR_EACH (n, node, &c->dirty_ports) {
        const struct db_row *port = db_table_get_row(ports, &n->key);
        const struct db_datum *d = port ? db_row_get(port, "interfaces")
                                        : NULL;
        for (unsigned int i = 0; d && i < d->n; i++) {
            uuid_map_put(&c->dirty_ifaces, &d->keys[i].uuid, NULL);
        }
    }
}

bool
bridge_changes_need_full(const struct bridge_changes *c)
{
    return c->full;
}

const struct uuid *
bridge_changes_port_of(const struct bridge_changes *c,
                       const struct uuid *iface)
{
    const struct uuid_map_node *n = uuid_map_find(&c->port_of, iface);
    return n ? &n->value : NULL;
}

const struct uuid *
bridge_changes_bridge_of(const struct bridge_changes *c,
                         const struct uuid *port)
{
    const struct uuid_map_node *n = uuid_map_find(&c->bridge_of, port);
    return n ? &n->value : NULL;
}
