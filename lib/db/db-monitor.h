/* RFC 7047 monitors: a client names tables, columns and kinds of change;
 * it gets the current rows at once and an "update" notification for each
 * later commit that touches what it watches.  In an update, a new row
 * carries every watched column in "new", a deleted one in "old", and a
 * modified one every watched column in "new" and the changed ones'
 * previous values in "old". */
#ifndef DB_MONITOR_H
#define DB_MONITOR_H 1

#include <jansson.h>

struct db;
struct db_error;
struct db_monitor;

/* Called with the "params" of each "update" notification (taken). */
typedef void db_monitor_send_cb(json_t *params, void *aux);

/* Parses 'requests' and starts monitoring.  Returns NULL and sets
 * '*initial' to the initial contents (for the reply), or returns an
 * error. */
struct db_error *db_monitor_create(struct db *, const json_t *monitor_id,
                                   const json_t *requests,
                                   db_monitor_send_cb *, void *aux,
                                   struct db_monitor **, json_t **initial);
void db_monitor_destroy(struct db_monitor *);
const json_t *db_monitor_get_id(const struct db_monitor *);

#endif /* db-monitor.h */
