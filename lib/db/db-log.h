/* The durable form of a database: an append-only journal file.
 *
 * The first line names the schema; every later line is one committed
 * transaction as JSON: {"_date": MS, "_comment": TEXT, TABLE: {UUID: ROW
 * or null}}, where ROW holds the persistent columns that changed (all of
 * them with non-default values for a new row; a changed set or map as
 * ["diff", ELEMENTS], see db_datum_diff()) and null means deleted.
 * A record is written and fsync'd before the commit takes effect, so a
 * reply to a client means the change is on disk.  A crash can only leave
 * a torn last line, which loading drops.  Now and then the file is
 * rewritten as one snapshot record (compaction), atomically by rename. */
#ifndef DB_LOG_H
#define DB_LOG_H 1

struct db;
struct db_error;
struct db_log;
struct db_schema;

/* Opens the journal at 'path' (creating it if it does not exist), builds
 * a database with 'schema' (which it takes) from it, and from then on
 * writes every commit of that database to it.  Refuses a file that
 * another process has open. */
struct db_error *db_log_open(const char *path, struct db_schema *schema,
                             struct db **dbp, struct db_log **logp);
/* Stops journaling (the database stays). */
void db_log_close(struct db_log *);

/* Rewrites the file as a snapshot now.  Returns NULL or an error. */
struct db_error *db_log_compact(struct db_log *);

#endif /* db-log.h */
