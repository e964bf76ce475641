#include <config.h>
#include "iface-status.h"

#include <stdio.h>
#include <stdlib.h>
#include "db/db-datum.h"
#include "db/db-txn.h"
#include "db/db.h"
#include "netdev/netdev.h"
#include "packets.h"
#include "smap.h"
#include "util.h"

void
status_set(struct db_txn *txn, struct db_row *row, const char *name,
           struct db_datum *value)
{
    if (!db_table_schema_find_column(row->table->schema, name)) {
        sw_fatal("schema has no %s.%s column", row->table->schema->name,
                 name);
    }
    db_txn_set(txn, row, name, value);
}

void
status_set_string(struct db_txn *txn, struct db_row *row, const char *name,
                  const char *s)
{
    struct db_datum d;
    if (s) {
        db_datum_init_string(&d, s);
    } else {
        db_datum_init_empty(&d);
    }
    status_set(txn, row, name, &d);
}

static void
set_optional_int(struct db_txn *txn, struct db_row *row, const char *name,
                 bool present, long long v)
{
    struct db_datum d;
    if (present) {
        db_datum_init_integer(&d, v);
    } else {
        db_datum_init_empty(&d);
    }
    status_set(txn, row, name, &d);
}

static void
set_smap(struct db_txn *txn, struct db_row *row, const char *name,
         const struct smap *s)
{
    struct db_datum d;
    db_datum_from_smap(&d, s);
    status_set(txn, row, name, &d);
}

static void
set_stats(struct db_txn *txn, struct db_row *row, const struct netdev *netdev)
{
    struct netdev_stats stats;
    const struct db_column *c = db_table_schema_find_column(
        row->table->schema, "statistics");
    struct db_datum d;

    netdev_get_stats(netdev, &stats);
    const struct {
        const char *name;
        uint64_t value;
    } counters[] = {
        /* Sorted by name, as a map's keys must be. */
        { "collisions", 0 },
        { "rx_bytes", stats.rx_bytes },
        { "rx_dropped", stats.rx_dropped },
        { "rx_errors", stats.rx_errors },
        { "rx_packets", stats.rx_packets },
        { "tx_bytes", stats.tx_bytes },
        { "tx_dropped", stats.tx_dropped },
        { "tx_errors", stats.tx_errors },
        { "tx_packets", stats.tx_packets },
    };
    db_datum_init_empty(&d);
    for (size_t i = 0; i < ARRAY_SIZE(counters); i++) {
        union db_atom key = { .string = xstrdup(counters[i].name) };
        union db_atom value = { .integer = counters[i].value };
        db_datum_add_unsafe(&d, &key, &value);
    }
    db_datum_sort(&d, &c->type);
    status_set(txn, row, "statistics", &d);
}

void
iface_status_write(struct db_txn *txn, struct db_row *row,
                   const struct netdev *netdev, long long ofport,
                   const char *error, bool with_stats)
{
    set_optional_int(txn, row, "ofport", true, ofport);
    status_set_string(txn, row, "error", error);
    if (!netdev) {
        status_set_string(txn, row, "mac_in_use", NULL);
        set_optional_int(txn, row, "mtu", false, 0);
        status_set_string(txn, row, "admin_state", NULL);
        status_set_string(txn, row, "link_state", NULL);
        return;
    }

    struct eth_addr ea;
    char mac[32];
    int mtu;
    netdev_get_etheraddr(netdev, &ea);
    snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(ea));
    status_set_string(txn, row, "mac_in_use", mac);
    bool has_mtu = !netdev_get_mtu(netdev, &mtu);
    set_optional_int(txn, row, "mtu", has_mtu, has_mtu ? mtu : 0);
    status_set_string(txn, row, "admin_state", "up");
    status_set_string(txn, row, "link_state",
                      netdev_get_carrier(netdev) ? "up" : "down");

    struct smap status;
    smap_init(&status);
    netdev_get_status(netdev, &status);
    set_smap(txn, row, "status", &status);
    smap_destroy(&status);
    if (with_stats) {
        set_stats(txn, row, netdev);
    }
}
