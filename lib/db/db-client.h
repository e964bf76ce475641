/* A client's replica of a remote database, for command-line tools.
 *
 * It connects, reads the schema, monitors tables into a local struct db
 * (monitor_cond), and keeps it current from "update2" notifications.  To change the
 * database, a tool opens a transaction on the replica, changes rows as if
 * the database were local, and hands the transaction to
 * db_client_commit(), which turns the changes into RFC 7047 operations:
 * inserts with named UUIDs, updates of scalar columns, and mutations
 * (delete then insert) of sets and maps, so that adding one port never
 * rewrites a bridge's whole port set.  Deletions of rows in non-root
 * tables are left to the server's garbage collection, as the server
 * would do them anyway.  Single-threaded. */
#ifndef DB_CLIENT_H
#define DB_CLIENT_H 1

#include <jansson.h>

struct db;
struct db_client;
struct db_txn;
struct uuid;

/* Connects to 'remote' and fetches the schema of database 'db_name'.
 * Returns NULL with '*errp' set (free()) on failure. */
struct db_client *db_client_open(const char *remote, const char *db_name,
                                 long long deadline, char **errp);
void db_client_close(struct db_client *);

struct db *db_client_get_db(const struct db_client *);

/* Monitors every column of every table and loads the current contents.
 * Returns 0 or a negative errno, with '*errp' set. */
int db_client_monitor_all(struct db_client *, long long deadline,
                          char **errp);

/* Monitors what 'requests' (taken: monitor_cond's {table: {"columns":
 * [...], "where": [...]}}) asks for, and loads it into the replica. */
int db_client_monitor(struct db_client *, json_t *requests,
                      long long deadline, char **errp);

/* Runs 'ops' (taken: "select" operations, each of which must select
 * "_uuid") as one "transact", and merges the rows they return into the
 * replica: a new row gets default values in the columns not selected; a
 * row already there gets the selected columns replaced.  On success
 * returns 0 with '*resultp' set to the reply's result, one {"rows": [...]}
 * per operation, for following references; else a negative errno with
 * '*errp' set. */
int db_client_select(struct db_client *, json_t *ops, long long deadline,
                     json_t **resultp, char **errp);

/* Waits for one "update" and applies it.  Returns 0, -ETIMEDOUT, or
 * another negative errno (connection lost) with '*errp' set. */
int db_client_wait_update(struct db_client *, long long deadline,
                          char **errp);

/* Sends the changes that 'txn' (a transaction on the replica, which this
 * aborts) makes, followed by 'extra_ops' (taken; may be NULL), as one
 * "transact".  On success returns 0 with '*resultp' set to the reply's
 * result array; the caller checks it for errors.  For each row the
 * transaction inserted, db_client_get_inserted_uuid() then tells the UUID
 * the server gave it. */
int db_client_commit(struct db_client *, struct db_txn *txn,
                     json_t *extra_ops, long long deadline,
                     json_t **resultp, char **errp);

/* The server's UUID for the row that the last commit inserted with local
 * UUID 'local', or NULL. */
const struct uuid *db_client_get_inserted_uuid(const struct db_client *,
                                               const struct uuid *local);

/* The number of operations db_client_commit() sent before 'extra_ops'. */
size_t db_client_n_txn_ops(const struct db_client *);

#endif /* db-client.h */
