#include <config.h>
#include "db/db-log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "db/db-error.h"
#include "db/db-txn.h"
#include "db/db.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(db_log);

enum {
    /* Compact once there are this many records since the last snapshot
     * and the file is this many times the snapshot's size. */
    COMPACT_MIN_RECORDS = 100,
    COMPACT_GROWTH = 4,
};

struct db_log {
    struct db_listener listener;    /* On the database. */
    struct db *db;
    char *path;
    int fd;
    off_t size;                     /* Bytes of complete records. */
    off_t snapshot_size;
    unsigned int n_records;         /* Since the last snapshot. */
};

/* 'err' is a negative errno. */
static struct db_error *
io_error(const char *path, const char *what, int err)
{
    return db_error_create("I/O error", "%s: %s failed (%s)", path, what,
                           strerror(-err));
}

static json_t *
db_log_header(const struct db_schema *schema)
{
    return json_pack("{s:i, s:s, s:s}", "softswitch-db", 1, "name",
                     schema->name, "version", schema->version);
}

/* Appends 'json' as one line and syncs.  On failure, cuts the file back
 * so that no partial record stays. */
static struct db_error *
db_log_append(struct db_log *log, const json_t *json)
{
    char *text = json_dumps(json, JSON_COMPACT);
    if (!text) {
        /* Only a bug can get here: the DB holds only valid UTF-8. */
        return db_error_create("internal error", "%s: cannot encode a "
                               "record", log->path);
    }
    size_t len = strlen(text);
    text = xrealloc(text, len + 2);
    text[len++] = '\n';
    text[len] = '\0';

    int err = write_fully(log->fd, text, len);
    free(text);
    if (!err && fdatasync(log->fd) < 0) {
        err = -errno;
    }
    if (err) {
        if (ftruncate(log->fd, log->size) < 0) {
            VLOG_ERR("%s: cannot cut off a failed write (%s)", log->path,
                     strerror(errno));
        }
        return io_error(log->path, "write", err);
    }
    log->size += len;
    return NULL;
}

/* A change to a set or map as ["diff", ELEMENTS] (see db_datum_diff()),
 * so that adding one port to a bridge with thousands does not write them
 * all again. */
static json_t *
db_log_diff_to_json(const struct db_datum *old, const struct db_datum *new,
                    const struct db_type *type)
{
    return json_pack("[so]", "diff", db_datum_diff_to_json(old, new, type));
}

/* The persistent columns of 'row' that 'txn_row' changed (all of those
 * with non-default values, if 'txn_row' is NULL), or NULL if none. */
static json_t *
db_log_row_to_json(const struct db_row *row,
                   const struct db_txn_row *txn_row)
{
    const struct db_table_schema *ts = row->table->schema;
    json_t *json = NULL;

    for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
        const struct db_column *column = ts->columns[c];
        const struct db_datum *value = &row->fields[c];
        if (!column->persistent
            || (txn_row && txn_row->old && !txn_row->changed[c])
            || ((!txn_row || !txn_row->old)
                && db_datum_is_default(value, &column->type))) {
            continue;
        }
        if (!json) {
            json = json_object();
        }
        json_object_set_new(json, column->name,
                            txn_row && txn_row->old
                            && column->type.n_max > 1
                            ? db_log_diff_to_json(&txn_row->old->fields[c],
                                                  value, &column->type)
                            : db_datum_to_json(value, &column->type));
    }
    return json;
}

static void
db_log_add_row(json_t *record, const struct db_row *row, json_t *row_json)
{
    const char *table = row->table->schema->name;
    json_t *table_json = json_object_get(record, table);
    char uuid[UUID_LEN + 1];

    if (!table_json) {
        table_json = json_object();
        json_object_set_new(record, table, table_json);
    }
    snprintf(uuid, sizeof uuid, UUID_FMT, UUID_ARGS(db_row_uuid(row)));
    json_object_set_new(table_json, uuid, row_json);
}

static struct db_error *
db_log_prepare(struct db_listener *listener, const struct db_txn *txn)
{
    struct db_log *log = CONTAINER_OF(listener, struct db_log, listener);
    json_t *record = json_object();
    bool any = false;

    struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        if (txn_row->old && !txn_row->new) {
            db_log_add_row(record, txn_row->old, json_null());
            any = true;
        } else if (txn_row->new) {
            json_t *row_json = db_log_row_to_json(txn_row->new, txn_row);
            if (row_json || !txn_row->old) {
                db_log_add_row(record, txn_row->new,
                               row_json ? row_json : json_object());
                any = true;
            }
        }
    }

    struct db_error *error = NULL;
    if (any) {
        json_object_set_new(record, "_date", json_integer(time_wall_msec()));
        if (txn->comment.length) {
            json_object_set_new(record, "_comment",
                                json_string(txn->comment.string));
        }
        error = db_log_append(log, record);
        log->n_records++;
    }
    json_decref(record);
    return error;
}

static void
db_log_committed(struct db_listener *listener, const struct db_txn *txn)
{
    struct db_log *log = CONTAINER_OF(listener, struct db_log, listener);
    if (log->n_records >= COMPACT_MIN_RECORDS
        && log->size > COMPACT_GROWTH * log->snapshot_size) {
        struct db_error *error = db_log_compact(log);
        if (error) {
            char *s = db_error_to_string_free(error);
            VLOG_WARN("%s: compaction failed: %s", log->path, s);
            free(s);
            /* Try again when the file has grown as much once more. */
            log->snapshot_size = log->size;
            log->n_records = 0;
        }
    }
}

static struct db_error *
db_log_apply_diff(struct db_row *row, const struct db_column *column,
                  const json_t *json)
{
    struct db_type any_size;
    struct db_datum diff;

    db_type_relax(&any_size, &column->type);
    struct db_error *error = db_datum_from_json(&diff, &any_size, json,
                                                NULL);
    if (!error) {
        db_datum_apply_diff(&row->fields[column->index], &diff,
                            &column->type);
        db_datum_destroy(&diff, &any_size);
    }
    return error;
}

/* Applies one transaction record to 'db', outside any transaction. */
static struct db_error *
db_log_replay_record(struct db *db, const json_t *record)
{
    const char *table_name;
    const json_t *rows;

    json_object_foreach ((json_t *) record, table_name, rows) {
        if (table_name[0] == '_') {
            continue;                   /* "_date", "_comment". */
        }
        struct db_table *table = db_get_table(db, table_name);
        if (!table) {
            VLOG_WARN("ignoring table %s that the schema does not have",
                      table_name);
            continue;
        }
        if (!json_is_object(rows)) {
            return db_syntax_error(rows, "rows must be an object");
        }

        const char *uuid_s;
        const json_t *row_json;
        json_object_foreach ((json_t *) rows, uuid_s, row_json) {
            struct uuid uuid;
            if (!uuid_from_string(&uuid, uuid_s)) {
                return db_syntax_error(NULL, "bad UUID %s", uuid_s);
            }
            struct db_row *row = db_table_get_row(table, &uuid);
            if (json_is_null(row_json)) {
                if (row) {
                    db_table_remove_row(table, row);
                    db_row_destroy(row);
                }
                continue;
            }
            if (!json_is_object(row_json)) {
                return db_syntax_error(row_json, "row must be an object");
            }
            if (row) {
                db_table_remove_row(table, row);    /* Re-indexed below. */
            } else {
                row = db_row_create(table, &uuid);
            }

            const char *column_name;
            const json_t *value;
            json_object_foreach ((json_t *) row_json, column_name, value) {
                const struct db_column *column
                    = db_table_schema_find_column(table->schema,
                                                  column_name);
                struct db_datum datum;
                if (!column || column->index < DB_N_STD_COLUMNS) {
                    continue;   /* Dropped from the schema since. */
                }
                const char *tag = json_string_value(json_array_get(value,
                                                                   0));
                if (tag && !strcmp(tag, "diff")) {
                    struct db_error *error = db_log_apply_diff(
                        row, column, json_array_get(value, 1));
                    if (error) {
                        return error;
                    }
                    continue;
                }
                struct db_error *error = db_datum_from_json(
                    &datum, &column->type, value, NULL);
                if (error) {
                    char *s = db_error_to_string_free(error);
                    VLOG_WARN("%s column %s: dropping value that does not "
                              "fit the schema: %s", table_name, column_name,
                              s);
                    free(s);
                    continue;
                }
                db_row_set(row, column, &datum);
            }
            db_table_insert_row(table, row);
        }
    }
    return NULL;
}

/* Reads the whole journal into 'db'.  Sets '*good_size' to the length of
 * the complete, valid records. */
static struct db_error *
db_log_replay(const char *path, int fd, struct db *db, off_t *good_size,
              unsigned int *n_records)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        return io_error(path, "stat", -errno);
    }
    char *buf = xmalloc(st.st_size + 1);
    ssize_t n = pread(fd, buf, st.st_size, 0);
    if (n != st.st_size) {
        free(buf);
        return io_error(path, "read", n < 0 ? -errno : -EIO);
    }
    buf[n] = '\0';

    struct db_error *error = NULL;
    char *line = buf;
    unsigned int line_no = 0;
    *good_size = 0;
    *n_records = 0;
    while (line < buf + n) {
        char *end = memchr(line, '\n', buf + n - line);
        bool last = !end || end + 1 == buf + n;
        json_error_t jerror;
        json_t *record = end ? json_loadb(line, end - line, 0, &jerror)
                             : NULL;

        line_no++;
        if (!record) {
            if (last) {
                VLOG_WARN("%s: dropping %zu bytes of a torn record at the "
                          "end (a crash during a write)", path,
                          (size_t) (buf + n - line));
                break;
            }
            error = db_error_create("syntax error", "%s: line %u is not "
                                    "JSON: %s", path, line_no,
                                    jerror.text);
            break;
        }
        if (line_no == 1) {
            const char *name = json_string_value(json_object_get(record,
                                                                 "name"));
            if (!json_object_get(record, "softswitch-db") || !name
                || strcmp(name, db->schema->name)) {
                error = db_error_create("syntax error", "%s is not a "
                                        "softswitch database of schema %s",
                                        path, db->schema->name);
            }
        } else if (!json_is_object(record)) {
            error = db_syntax_error(NULL, "%s: line %u is not an object",
                                    path, line_no);
        } else {
            error = db_log_replay_record(db, record);
            (*n_records)++;
        }
        json_decref(record);
        if (error) {
            break;
        }
        *good_size = end + 1 - buf;
        line = end + 1;
    }
    free(buf);
    return error;
}

/* Writes the header line to 'fd' (empty) and syncs.  Returns 0 or a
 * negative errno. */
static int
db_log_write_header(int fd, const struct db_schema *schema)
{
    json_t *header = db_log_header(schema);
    char *text = json_dumps(header, JSON_COMPACT);
    json_decref(header);
    int err = write_fully(fd, text, strlen(text));
    if (!err) {
        err = write_fully(fd, "\n", 1);
    }
    if (!err && fsync(fd) < 0) {
        err = -errno;
    }
    free(text);
    return err;
}

static int
fsync_dir_of(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int err = 0;
    free(copy);
    if (fd < 0 || fsync(fd) < 0) {
        err = -errno;
    }
    if (fd >= 0) {
        close(fd);
    }
    return err;
}

/* Creates 'path' holding just a header, as a whole or not at all: the file
 * is written aside, synced, then renamed into place. */
static struct db_error *
db_log_create_file(const char *path, const struct db_schema *schema)
{
    char *tmp = xasprintf("%s.tmp", path);
    struct db_error *error = NULL;

    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) {
        error = io_error(tmp, "create", -errno);
    } else {
        int err = db_log_write_header(fd, schema);
        close(fd);
        if (err) {
            error = io_error(tmp, "write", err);
        } else if (rename(tmp, path) < 0) {
            error = io_error(path, "rename", -errno);
        } else {
            fsync_dir_of(path);
        }
    }
    if (error) {
        unlink(tmp);
    }
    free(tmp);
    return error;
}

struct db_error *
db_log_open(const char *path, struct db_schema *schema, struct db **dbp,
            struct db_log **logp)
{
    struct db_error *error;
    struct db *db = db_create(schema);
    off_t good_size;
    unsigned int n_records;
    int fd;

    *dbp = NULL;
    *logp = NULL;
    if (access(path, F_OK) < 0) {
        error = db_log_create_file(path, schema);
        if (error) {
            goto err_db;
        }
    }
    fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
        error = io_error(path, "open", -errno);
        goto err_db;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        error = db_error_create("I/O error", "%s: in use by another process",
                                path);
        goto err_fd;
    }
    error = db_log_replay(path, fd, db, &good_size, &n_records);
    if (error) {
        goto err_fd;
    }
    if (good_size < lseek(fd, 0, SEEK_END) && ftruncate(fd, good_size) < 0) {
        error = io_error(path, "truncate", -errno);
        goto err_fd;
    }
    if (!good_size) {
        /* Not even a whole header: a crash while creating it.  Nothing was
         * ever committed to this file, so start it afresh. */
        int err = db_log_write_header(fd, schema);
        if (err) {
            error = io_error(path, "write", err);
            goto err_fd;
        }
        good_size = lseek(fd, 0, SEEK_END);
    }
    db_recount_refs(db);

    struct db_log *log = xzalloc(sizeof *log);
    log->db = db;
    log->path = xstrdup(path);
    log->fd = fd;
    log->size = good_size;
    log->snapshot_size = good_size;
    log->n_records = n_records;
    log->listener.prepare = db_log_prepare;
    log->listener.committed = db_log_committed;
    db_add_listener(db, &log->listener);
    *dbp = db;
    *logp = log;
    return NULL;

err_fd:
    close(fd);
err_db:
    db_destroy(db);
    return error;
}

void
db_log_close(struct db_log *log)
{
    if (log) {
        db_remove_listener(log->db, &log->listener);
        close(log->fd);
        free(log->path);
        free(log);
    }
}

struct db_error *
db_log_compact(struct db_log *log)
{
    char *tmp = xasprintf("%s.tmp", log->path);
    json_t *snapshot = json_object();
    struct db_error *error = NULL;
    struct db *db = log->db;

    for (unsigned int t = 0; t < db->schema->n_tables; t++) {
        struct db_row *row;
        HMAP_FOR_EACH (row, node, &db->tables[t]->rows) {
            json_t *row_json = db_log_row_to_json(row, NULL);
            db_log_add_row(snapshot, row, row_json ? row_json
                                                   : json_object());
        }
    }
    json_object_set_new(snapshot, "_date", json_integer(time_wall_msec()));
    json_object_set_new(snapshot, "_comment", json_string("compacted"));

    unlink(tmp);
    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
                  0640);
    int err = fd < 0 ? -errno : db_log_write_header(fd, db->schema);
    if (err) {
        error = io_error(tmp, "write", err);
    }
    if (!error) {
        struct db_log scratch = {
            .path = tmp,
            .fd = fd,
            .size = lseek(fd, 0, SEEK_END),
        };
        error = db_log_append(&scratch, snapshot);
        if (!error && flock(fd, LOCK_EX | LOCK_NB) < 0) {
            error = io_error(tmp, "lock", -errno);
        }
        if (!error && rename(tmp, log->path) < 0) {
            error = io_error(log->path, "rename", -errno);
        }
        if (!error) {
            fsync_dir_of(log->path);
            close(log->fd);
            log->fd = fd;
            log->size = log->snapshot_size = scratch.size;
            log->n_records = 0;
            VLOG_INFO("%s: compacted to %lld bytes", log->path,
                      (long long) scratch.size);
            fd = -1;
        }
    }
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    json_decref(snapshot);
    free(tmp);
    return error;
}
