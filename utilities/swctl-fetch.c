/* swctl's partial replica.
 *
 * Loading the whole database costs time in proportion to its size, on the
 * server and here, on every run: with 10,000 ports that is most of what a
 * run does.  Most commands name what they touch, so a run whose every
 * command says what it needs (a "prefetch" in its command table entry)
 * loads only that:
 *
 *   - every table but Port and Interface whole, and the Bridge rows
 *     without their "ports";
 *   - the Ports and Interfaces the commands name (a fake bridge is a
 *     Port: a bridge name is looked up as a Port name too);
 *   - then, until nothing new turns up, the Interfaces of each Port loaded,
 *     the Port of each Interface loaded, the Bridges that own each Port
 *     loaded, and for a Port with a VLAN tag the fake bridges of that VLAN
 *     (one of which may be its bridge to users).  A Bridge's "ports" in
 *     the replica is then the subset of its ports that the replica has.
 *
 * Finding fake bridges means looking at every Port (no index helps), so
 * only list-br and add-br of a fake bridge load all of them.
 *
 * So the replica is a closed slice of the database: every bridge, port and
 * interface that a command could find by the names it was given is there
 * with its owners, which is all that the commands and their error messages
 * look at, and a Bridge's port set changes by exactly the ports that a
 * command adds or removes, which is what the commit sends (a mutation).
 * Commands without a prefetch (show, list, find, del-br, wait-until...)
 * load everything, as before. */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "db/db-client.h"
#include "db/db-datum.h"
#include "db/db-schema.h"
#include "swctl.h"
#include "util.h"
#include "uuid.h"

struct swctl_fetch {
    bool all;                   /* Some command needs everything. */
    bool fake_bridges;          /* Some command needs every fake bridge. */
    struct smap ports;          /* Names or UUIDs of Ports (keys only). */
    struct smap ifaces;         /* And of Interfaces. */
};

struct swctl_fetch *
swctl_fetch_create(void)
{
    struct swctl_fetch *f = xzalloc(sizeof *f);
    smap_init(&f->ports);
    smap_init(&f->ifaces);
    return f;
}

void
swctl_fetch_destroy(struct swctl_fetch *f)
{
    if (f) {
        smap_destroy(&f->ports);
        smap_destroy(&f->ifaces);
        free(f);
    }
}

void
swctl_fetch_all(struct swctl_fetch *f)
{
    f->all = true;
}

bool
swctl_fetch_needs_all(const struct swctl_fetch *f)
{
    return f->all;
}

/* True if 'record' could be an abbreviated UUID, which only a look at
 * every row can resolve. */
static bool
may_be_uuid_prefix(const char *record)
{
    size_t len = strlen(record);
    if (len < 4 || len >= UUID_LEN) {
        return false;
    }
    for (const char *p = record; *p; p++) {
        if (!isxdigit((unsigned char) *p) && *p != '-') {
            return false;
        }
    }
    return true;
}

void
swctl_fetch_fake_bridges(struct swctl_fetch *f)
{
    f->fake_bridges = true;
}

void
swctl_fetch_bridge(struct swctl_fetch *f, const char *name)
{
    swctl_fetch_port(f, name);      /* If it is a fake bridge. */
}

void
swctl_fetch_port(struct swctl_fetch *f, const char *name)
{
    if (may_be_uuid_prefix(name)) {
        f->all = true;
    }
    smap_replace(&f->ports, name, "");
}

void
swctl_fetch_iface(struct swctl_fetch *f, const char *name)
{
    if (may_be_uuid_prefix(name)) {
        f->all = true;
    }
    smap_replace(&f->ifaces, name, "");
}

void
swctl_fetch_record(struct swctl_fetch *f, const char *table,
                   const char *record)
{
    if (!strcmp(table, "Port") || !strcmp(table, "QoS")) {
        /* A QoS is named by its Port; the QoS table comes whole. */
        swctl_fetch_port(f, record);
    } else if (!strcmp(table, "Interface")) {
        swctl_fetch_iface(f, record);
    }
    /* Other tables come whole. */
}

/* Loading. */

/* What one "select" of a round was for, to follow up its rows. */
enum select_kind {
    SELECT_PLAIN,               /* Nothing to follow up. */
    SELECT_OWNERS,              /* Bridges whose "ports" include 'uuid'. */
};

struct round {
    json_t *ops;
    enum select_kind *kinds;
    struct uuid *uuids;
    size_t n, allocated;
};

static void
round_add(struct round *r, json_t *op, enum select_kind kind,
          const struct uuid *uuid)
{
    if (r->n >= r->allocated) {
        r->allocated = r->allocated ? 2 * r->allocated : 16;
        r->kinds = xrealloc(r->kinds, r->allocated * sizeof *r->kinds);
        r->uuids = xrealloc(r->uuids, r->allocated * sizeof *r->uuids);
    }
    r->kinds[r->n] = kind;
    if (uuid) {
        r->uuids[r->n] = *uuid;
    }
    r->n++;
    json_array_append_new(r->ops, op);
}

static json_t *
uuid_json(const struct uuid *uuid)
{
    char s[UUID_LEN + 1];
    snprintf(s, sizeof s, UUID_FMT, UUID_ARGS(uuid));
    return json_pack("[s,s]", "uuid", s);
}

static json_t *
select_op(const char *table, json_t *where, json_t *columns)
{
    json_t *op = json_pack("{s:s, s:s, s:o}", "op", "select", "table", table,
                           "where", where);
    if (columns) {
        json_object_set_new(op, "columns", columns);
    }
    return op;
}

/* Selects rows of 'table' named 'name', or with UUID 'name'. */
static void
select_by_name(struct round *r, const char *table, const char *name)
{
    round_add(r, select_op(table, json_pack("[[s,s,s]]", "name", "==", name),
                           NULL), SELECT_PLAIN, NULL);
    struct uuid uuid;
    if (uuid_from_string(&uuid, name)) {
        round_add(r, select_op(table, json_pack("[[s,s,o]]", "_uuid", "==",
                                                uuid_json(&uuid)), NULL),
                  SELECT_PLAIN, NULL);
    }
}

/* Every column of Bridge but "ports" (and _version, which nobody reads). */
static json_t *
bridge_columns(const struct db *db)
{
    const struct db_table_schema *ts = db_get_table(db, "Bridge")->schema;
    json_t *columns = json_pack("[s]", "_uuid");
    for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
        if (strcmp(ts->columns[c]->name, "ports")) {
            json_array_append_new(columns,
                                  json_string(ts->columns[c]->name));
        }
    }
    return columns;
}

static void
first_round(const struct swctl_fetch *f, const struct db *db,
            struct round *r)
{
    for (unsigned int i = 0; i < db->schema->n_tables; i++) {
        const char *name = db->schema->tables[i]->name;
        if (!strcmp(name, "Bridge")) {
            round_add(r, select_op(name, json_array(), bridge_columns(db)),
                      SELECT_PLAIN, NULL);
        } else if (strcmp(name, "Port") && strcmp(name, "Interface")) {
            round_add(r, select_op(name, json_array(), NULL), SELECT_PLAIN,
                      NULL);
        }
    }
    if (f->fake_bridges) {
        round_add(r, select_op("Port", json_pack("[[s,s,b]]", "fake_bridge",
                                                 "==", true), NULL),
                  SELECT_PLAIN, NULL);
    }

    struct smap_node *node;
    SMAP_FOR_EACH (node, &f->ports) {
        select_by_name(r, "Port", node->key);
    }
    SMAP_FOR_EACH (node, &f->ifaces) {
        select_by_name(r, "Interface", node->key);
    }
}

static bool
uuid_in(const struct uuid *uuid, const struct uuid *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (uuid_equals(&set[i], uuid)) {
            return true;
        }
    }
    return false;
}

/* Adds to 'r' a select of the fake bridges of the VLAN that 'port' is
 * tagged with, unless it has no tag or is one, or the VLAN's were selected
 * before (in 'tags'). */
static void
select_fake_bridges_of(const struct db_row *port, long long **tags,
                       size_t *n_tags, struct round *r)
{
    long long tag = db_row_get_int(port, "tag", -1);
    if (tag < 0 || db_row_get_bool(port, "fake_bridge", false)) {
        return;
    }
    for (size_t i = 0; i < *n_tags; i++) {
        if ((*tags)[i] == tag) {
            return;
        }
    }
    *tags = xrealloc(*tags, (*n_tags + 1) * sizeof **tags);
    (*tags)[(*n_tags)++] = tag;
    round_add(r, select_op("Port", json_pack("[[s,s,b],[s,s,I]]",
                                             "fake_bridge", "==", true,
                                             "tag", "==", (json_int_t) tag),
                           NULL), SELECT_PLAIN, NULL);
}

/* The next round: owners and members of what the replica got since
 * 'done' (the Ports and Interfaces already followed up, which this
 * extends), and the fake bridges of new tagged Ports ('tags' lists the
 * VLANs whose were selected). */
static void
next_round(struct db *db, struct uuid **done, size_t *n_done,
           long long **tags, size_t *n_tags, struct round *r)
{
    struct db_table *ports = db_get_table(db, "Port");
    struct db_table *ifaces = db_get_table(db, "Interface");
    const struct db_column *interfaces = db_table_schema_find_column(
        ports->schema, "interfaces");
    struct db_row *row;

    DB_TABLE_FOR_EACH (row, ports) {
        if (uuid_in(db_row_uuid(row), *done, *n_done)) {
            continue;
        }
        round_add(r, select_op("Bridge", json_pack("[[s,s,o]]", "ports",
                                                   "includes",
                                                   uuid_json(db_row_uuid(
                                                                 row))),
                               json_pack("[s]", "_uuid")),
                  SELECT_OWNERS, db_row_uuid(row));
        select_fake_bridges_of(row, tags, n_tags, r);
        const struct db_datum *d = &row->fields[interfaces->index];
        for (unsigned int i = 0; i < d->n; i++) {
            if (!db_table_get_row(ifaces, &d->keys[i].uuid)) {
                round_add(r, select_op("Interface", json_pack(
                                           "[[s,s,o]]", "_uuid", "==",
                                           uuid_json(&d->keys[i].uuid)),
                                       NULL), SELECT_PLAIN, NULL);
            }
        }
        *done = xrealloc(*done, (*n_done + 1) * sizeof **done);
        (*done)[(*n_done)++] = *db_row_uuid(row);
    }

    DB_TABLE_FOR_EACH (row, ifaces) {
        if (uuid_in(db_row_uuid(row), *done, *n_done)) {
            continue;
        }
        /* Owned by a Port loaded already?  Then that Port's round
         * covered it. */
        bool owned = false;
        struct db_row *port;
        DB_TABLE_FOR_EACH (port, ports) {
            if (db_datum_find_key(&port->fields[interfaces->index],
                                  &row->fields[DB_COL_UUID].keys[0],
                                  DB_TYPE_UUID) != UINT_MAX) {
                owned = true;
                break;
            }
        }
        if (!owned) {
            round_add(r, select_op("Port", json_pack(
                                       "[[s,s,o]]", "interfaces", "includes",
                                       uuid_json(db_row_uuid(row))), NULL),
                      SELECT_PLAIN, NULL);
        }
        *done = xrealloc(*done, (*n_done + 1) * sizeof **done);
        (*done)[(*n_done)++] = *db_row_uuid(row);
    }
}

/* Adds Port 'port' to the "ports" of each Bridge in 'rows'. */
static void
add_owned_port(struct db *db, const json_t *rows, const struct uuid *port)
{
    struct db_table *bridges = db_get_table(db, "Bridge");
    const struct db_column *column = db_table_schema_find_column(
        bridges->schema, "ports");
    size_t i;
    const json_t *value;
    json_array_foreach (rows, i, value) {
        struct uuid uuid;
        const json_t *u = json_object_get(value, "_uuid");
        struct db_row *bridge = (
            uuid_from_string(&uuid, json_string_value(json_array_get(u, 1)))
            ? db_table_get_row(bridges, &uuid) : NULL);
        if (bridge) {
            struct db_datum one = {
                .n = 1, .keys = &(union db_atom) { .uuid = *port },
            };
            db_datum_union(&bridge->fields[column->index], &one,
                           &column->type, false);
        }
    }
}

int
swctl_fetch_load(const struct swctl_fetch *f, struct db_client *client,
                 long long deadline, char **errp)
{
    if (f->all) {
        return db_client_monitor_all(client, deadline, errp);
    }

    struct db *db = db_client_get_db(client);
    struct uuid *done = NULL;
    size_t n_done = 0;
    long long *tags = NULL;
    size_t n_tags = 0;
    int error = 0;
    for (int i = 0; !error; i++) {
        struct round r = { .ops = json_array() };
        if (!i) {
            first_round(f, db, &r);
        } else {
            next_round(db, &done, &n_done, &tags, &n_tags, &r);
        }
        if (!r.n) {
            json_decref(r.ops);
            break;
        }

        json_t *result;
        error = db_client_select(client, r.ops, deadline, &result, errp);
        for (size_t j = 0; !error && j < r.n; j++) {
            if (r.kinds[j] == SELECT_OWNERS) {
                add_owned_port(db, json_object_get(json_array_get(result, j),
                                                   "rows"), &r.uuids[j]);
            }
        }
        json_decref(result);
        free(r.kinds);
        free(r.uuids);
    }
    free(done);
    free(tags);
    return error;
}
