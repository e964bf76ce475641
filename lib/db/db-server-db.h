/* The "_Server" database that Open vSwitch's clients read before anything
 * else: one row per database served, saying what it is (name, model,
 * schema) and that it is connected and leading.  A client that finds it
 * also uses "monitor_cond_since".  Its contents never change, and clients
 * may only read it. */
#ifndef DB_SERVER_DB_H
#define DB_SERVER_DB_H 1

#include <stdbool.h>

struct db;

#define DB_SERVER_DB_NAME "_Server"

/* A _Server database describing itself and 'served'. */
struct db *db_server_db_create(const struct db *served);

/* Whether a client may run operation 'op' (e.g. "select") on _Server. */
bool db_server_db_allows(const char *op);

#endif /* db-server-db.h */
