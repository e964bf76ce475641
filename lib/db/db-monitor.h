/* Monitors: a client names tables, columns and kinds of change; it gets
 * the current rows at once and a notification for each later commit that
 * touches what it watches.
 *
 * RFC 7047 "monitor" sends "update": a new row carries every watched
 * column in "new", a deleted one in "old", and a modified one every
 * watched column in "new" and the changed ones' previous values in "old".
 *
 * OVS's "monitor_cond" sends "update2", which is smaller: "initial" and
 * "insert" carry the watched columns that are not at their defaults,
 * "delete" nothing, and "modify" the changed columns only, a set or map
 * as the elements that changed (db_datum_diff()).  Each table may have a
 * condition ("where", any clause passing); a row that starts or stops
 * passing it is reported as inserted or deleted, also when the client
 * changes the condition (monitor_cond_change). */
#ifndef DB_MONITOR_H
#define DB_MONITOR_H 1

#include <jansson.h>

struct db;
struct db_error;
struct db_monitor;

/* Called with the table updates of each notification (taken). */
typedef void db_monitor_send_cb(const json_t *monitor_id, json_t *updates,
                                void *aux);

enum db_monitor_version {
    DB_MONITOR_V1,              /* "monitor", "update". */
    DB_MONITOR_V2,              /* "monitor_cond", "update2". */
    DB_MONITOR_V3,              /* "monitor_cond_since", "update3": the
                                 * same updates as version 2. */
};

/* Parses 'requests' and starts monitoring.  Returns NULL and sets
 * '*initial' to the initial contents (for the reply), or returns an
 * error. */
struct db_error *db_monitor_create(struct db *, enum db_monitor_version,
                                   const json_t *monitor_id,
                                   const json_t *requests,
                                   db_monitor_send_cb *, void *aux,
                                   struct db_monitor **, json_t **initial);
void db_monitor_destroy(struct db_monitor *);

/* monitor_cond_change: replaces the conditions of the tables that
 * 'requests' names ({table: [{"where": [...]}]}), sends an update for the
 * rows that start or stop passing, and renames the monitor 'new_id'.
 * On error nothing changes. */
struct db_error *db_monitor_change_condition(struct db_monitor *,
                                             const json_t *new_id,
                                             const json_t *requests);
const json_t *db_monitor_get_id(const struct db_monitor *);
enum db_monitor_version db_monitor_get_version(const struct db_monitor *);

#endif /* db-monitor.h */
