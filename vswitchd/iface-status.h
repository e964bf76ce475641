/* What sw-vswitchd writes back into the database: an interface's state
 * (ofport, error, MAC, MTU, link, status, statistics) and single columns
 * of other rows.  Each write goes into a transaction and changes nothing
 * if the column already has the value, so that a pass that finds nothing
 * new commits nothing.  Main thread only. */
#ifndef IFACE_STATUS_H
#define IFACE_STATUS_H 1

#include <stdbool.h>

struct db_datum;
struct db_row;
struct db_txn;
struct netdev;

/* Sets 'row''s column 'name' to 'value' (taken) in 'txn', unless it has
 * that value already.  The column must exist (else a fatal error: the
 * schema is not the daemon's). */
void status_set(struct db_txn *, struct db_row *, const char *name,
                struct db_datum *value);
/* The same for an optional string column: 's' or, if NULL, empty. */
void status_set_string(struct db_txn *, struct db_row *, const char *name,
                       const char *s);

/* Writes an Interface row: 'ofport' (-1 when not on a bridge), 'error'
 * (NULL for none), and what 'netdev' (NULL if the device is not open)
 * reports, with its counters if 'with_stats'. */
void iface_status_write(struct db_txn *, struct db_row *,
                        const struct netdev *, long long ofport,
                        const char *error, bool with_stats);

#endif /* iface-status.h */
