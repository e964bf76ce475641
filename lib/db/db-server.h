/* Serves a database over JSON-RPC as RFC 7047 describes: list_dbs,
 * get_schema, transact (including "wait" with a timeout, which holds the
 * request until a later commit satisfies it), monitor and monitor_cancel,
 * lock, steal and unlock, echo; and Open vSwitch's extensions:
 * monitor_cond, monitor_cond_change, monitor_cond_since and the read-only
 * "_Server" database (db-server-db.h).  Each client's monitors, locks and held
 * requests end with its connection. */
#ifndef DB_SERVER_H
#define DB_SERVER_H 1

#include <uv.h>

struct db;
struct db_server;
struct jsonrpc_server;

/* Serves 'db' on 'rpc' (which the caller keeps listening on remotes and
 * destroys after this server). */
struct db_server *db_server_create(uv_loop_t *, struct db *,
                                   struct jsonrpc_server *rpc);
void db_server_destroy(struct db_server *);

#endif /* db-server.h */
