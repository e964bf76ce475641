/* What commits changed since the bridge last reconfigured, so that it
 * can redo only that, and who owns each port and interface.
 *
 * A commit that adds one port to a bridge of 10,000 should cost the
 * daemon what adding one port costs, not a pass over every port.  The
 * bridge hears of each commit (bridge_changes_note()), and this remembers
 * the Ports and Interfaces whose configuration or place may have changed.
 * To place an Interface it needs its Port and that Port's Bridge, which
 * the database only says the other way round (Bridge.ports,
 * Port.interfaces): so it keeps the reverse, updated from each commit's
 * changes to those columns.
 *
 * Anything it does not follow (bridges coming or going or renamed, the
 * root's bridge list, a port on two bridges or an interface in two ports)
 * asks for a full reconfiguration instead, after which
 * bridge_changes_rebuild() starts over from the database.
 *
 * Main thread only. */
#ifndef BRIDGE_CHANGES_H
#define BRIDGE_CHANGES_H 1

#include <stdbool.h>
#include "hmap.h"
#include "uuid.h"

struct db;
struct db_txn;

/* A set of UUIDs, or a map from UUID to UUID. */
struct uuid_map_node {
    struct hmap_node node;
    struct uuid key;
    struct uuid value;
};

struct bridge_changes {
    bool full;                  /* Reconfigure everything next time. */
    bool ambiguous;             /* The database has a port on two bridges
                                 * or an interface in two ports: every
                                 * pass is a full one while it does. */
    struct hmap dirty_ports;    /* Ports to reconfigure (UUID set). */
    struct hmap dirty_ifaces;   /* Interfaces to re-place (UUID set). */
    struct hmap port_of;        /* Interface UUID -> Port UUID. */
    struct hmap bridge_of;      /* Port UUID -> Bridge UUID. */
};

void bridge_changes_init(struct bridge_changes *);
void bridge_changes_destroy(struct bridge_changes *);

/* Notes what 'txn' (a commit, as a listener hears it) changed. */
void bridge_changes_note(struct bridge_changes *, const struct db_txn *);

/* After a full reconfiguration: forgets the changes and rebuilds the
 * owners from 'db'. */
void bridge_changes_rebuild(struct bridge_changes *, struct db *);
/* After an incremental one: forgets the changes. */
void bridge_changes_clear(struct bridge_changes *);

bool bridge_changes_need_full(const struct bridge_changes *);

/* Marks Port 'port' for reconfiguration in this pass. */
void bridge_changes_mark_port(struct bridge_changes *,
                              const struct uuid *port);

/* Adds the current interfaces of every dirty port to the dirty
 * interfaces: a port that moved between bridges takes them along. */
void bridge_changes_expand(struct bridge_changes *, struct db *);

/* The Port that lists Interface 'iface', the Bridge that lists Port
 * 'port', or NULL. */
const struct uuid *bridge_changes_port_of(const struct bridge_changes *,
                                          const struct uuid *iface);
const struct uuid *bridge_changes_bridge_of(const struct bridge_changes *,
                                            const struct uuid *port);

#define UUID_SET_FOR_EACH(NODE, SET) HMAP_FOR_EACH (NODE, node, SET)

#endif /* bridge-changes.h */
