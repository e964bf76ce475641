/* Executes an RFC 7047 "transact" request against a database: every
 * operation in order, then the commit, all or nothing. */
#ifndef DB_EXECUTE_H
#define DB_EXECUTE_H 1

#include <jansson.h>
#include <stdbool.h>

struct db;

/* What the caller (the server) knows about the client. */
struct db_execute_client {
    /* Returns true if the client holds lock 'name' (for "assert"). */
    bool (*has_lock)(const char *name, void *aux);
    void *aux;
};

/* Executes 'ops' (the request's params after the database name).  Returns
 * the reply's "result": one element per operation (an error object for
 * the one that failed and null after it), plus one more if the commit
 * failed.
 *
 * If a "wait" with a nonzero timeout was not yet satisfied, nothing is
 * committed, NULL is returned and '*wait_msec' says how long the request
 * may wait (LLONG_MAX for ever); the caller retries after the next commit
 * with 'elapsed_msec' set to the time waited so far. */
json_t *db_execute(struct db *, const json_t *ops,
                   const struct db_execute_client *, long long elapsed_msec,
                   long long *wait_msec);

#endif /* db-execute.h */
