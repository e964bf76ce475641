#include <config.h>
#include "db-remotes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "db/db-datum.h"
#include "db/db-error.h"
#include "db/db-txn.h"
#include "db/db.h"
#include "jsonrpc-server.h"
#include "smap.h"
#include "stream-tls.h"
#include "stream.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(db_remotes);

/* How often connection counts go to Manager.is_connected and status. */
enum { STATUS_INTERVAL_MSEC = 1000 };

/* A Manager row's target. */
struct remote {
    char *target;
    bool wanted;                /* Still in the Manager table. */
    char *error;                /* Why we do not listen, or NULL. */
};

static struct db *db;
static struct jsonrpc_server *rpc;
static struct db_listener listener;
static uv_timer_t reconfigure_timer;
static uv_timer_t status_timer;
static struct remote *remotes;
static size_t n_remotes, allocated_remotes;
static bool writing;            /* Our own commit is under way. */
/* The SSL row's key, certificate and CA files last loaded (all NULL for
 * none), and when each was last changed then. */
static char *tls_paths[3];
static struct timespec tls_mtimes[3];

static bool
is_passive(const char *target)
{
    return (!strncmp(target, "ptcp:", 5) || !strncmp(target, "pssl:", 5)
            || !strncmp(target, "punix:", 6));
}

static struct remote *
find_remote(const char *target)
{
    for (size_t i = 0; i < n_remotes; i++) {
        if (!strcmp(remotes[i].target, target)) {
            return &remotes[i];
        }
    }
    return NULL;
}

/* The Manager rows that the root row refers to (the table may hold
 * others, which OVS ignores too), as a NULL-terminated array. */
static struct db_row *
root_row(void)
{
    struct db_row *row;
    DB_TABLE_FOR_EACH (row, db_get_table(db, "Open_vSwitch")) {
        return row;
    }
    return NULL;
}

static struct db_row **
manager_rows(void)
{
    struct db_table *managers = db_get_table(db, "Manager");
    struct db_row *root = root_row(), *row;
    const struct db_datum *refs = root ? db_row_get(root, "manager_options")
                                       : NULL;
    size_t n = refs ? refs->n : 0;
    struct db_row **rows = xcalloc(n + 1, sizeof *rows);
    for (size_t i = 0, j = 0; i < n; i++) {
        row = db_table_get_row(managers, &refs->keys[i].uuid);
        if (row) {
            rows[j++] = row;
        }
    }
    return rows;
}

static int
probe_msec(const struct db_row *manager)
{
    long long probe = db_row_get_int(manager, "inactivity_probe",
                                     JSONRPC_PROBE_DEFAULT_MSEC);
    return probe < 0 ? 0 : probe > INT32_MAX ? INT32_MAX : probe;
}

/* Listens on a passive target or, for an active one, connects to a
 * manager that waits for us (we serve it the database over the connection
 * we make).  Returns NULL or why not, for the status. */
static char *
remote_start(const char *target, int probe_msec)
{
    bool passive = is_passive(target);
    if (passive ? !pstream_name_is_valid(target)
        : !stream_name_is_valid(target)) {
        return xstrdup(passive
                       ? "not a valid target: ptcp:PORT[:IP], pssl:PORT[:IP] "
                         "or punix:FILE"
                       : "not a valid target: tcp:IP:PORT, ssl:IP:PORT or "
                         "unix:FILE");
    }
    int error = (passive
                 ? jsonrpc_server_listen_probe(rpc, target, probe_msec)
                 : jsonrpc_server_connect(rpc, target, probe_msec));
    if (!error) {
        return NULL;
    } else if (error == -ENOKEY) {
        return xstrdup("no private key, certificate and CA certificate "
                       "yet (set-ssl)");
    }
    return xasprintf("cannot %s (%s)", passive ? "listen" : "connect",
                     uv_strerror(error));
}

static void
configure_remote(const struct db_row *manager)
{
    const char *target = db_row_get_string(manager, "target");
    struct remote *r = find_remote(target);

    if (r) {
        r->wanted = true;
        if (!r->error) {
            jsonrpc_server_set_probe(rpc, target, probe_msec(manager));
        }
        return;
    }

    remotes = x2nrealloc(remotes, &allocated_remotes, n_remotes + 1,
                         sizeof *remotes);
    r = &remotes[n_remotes++];
    *r = (struct remote) { .target = xstrdup(target), .wanted = true };
    r->error = remote_start(target, probe_msec(manager));
    if (r->error) {
        VLOG_WARN("%s: %s", target, r->error);
    } else if (!is_passive(target)) {
        VLOG_INFO("%s: connecting", target);
    } else {
        int port = jsonrpc_server_get_port(rpc, target);
        VLOG_INFO("%s: listening%s%.0d", target, port ? " on port " : "",
                  port);
    }
}

static void
remote_destroy(struct remote *r)
{
    if (!r->error) {
        VLOG_INFO("%s: no longer %s", r->target,
                  is_passive(r->target) ? "listening" : "connecting");
        jsonrpc_server_unlisten(rpc, r->target);
    }
    free(r->target);
    free(r->error);
}

/* Writes each Manager row's is_connected and status. */
static void
write_status(void)
{
    struct db_row **rows = manager_rows();
    struct db_txn *txn = db_txn_create(db);

    for (struct db_row **row = rows; *row; row++) {
        const char *target = db_row_get_string(*row, "target");
        const struct remote *r = find_remote(target);
        bool listening = r && !r->error;
        size_t n = listening ? jsonrpc_server_count_conns_on(rpc, target) : 0;
        struct smap status;
        struct db_datum datum;

        smap_init(&status);
        if (r && r->error) {
            smap_add(&status, "last_error", r->error);
        } else if (listening && !is_passive(target)) {
            /* As OVS reports an active connection. */
            const char *error = jsonrpc_server_get_error(rpc, target);
            smap_add(&status, "state", n ? "ACTIVE" : "BACKOFF");
            if (error && !n) {
                smap_add(&status, "last_error", error);
            }
        } else if (listening) {
            int port = jsonrpc_server_get_port(rpc, target);
            if (port) {
                smap_add_format(&status, "bound_port", "%d", port);
            }
            if (n > 1) {
                smap_add_format(&status, "n_connections", "%zu", n);
            }
        }
        db_datum_init_bool(&datum, n > 0);
        db_txn_set(txn, *row, "is_connected", &datum);
        db_datum_from_smap(&datum, &status);
        db_txn_set(txn, *row, "status", &datum);
        smap_destroy(&status);
    }
    free(rows);

    writing = true;
    struct db_error *error = db_txn_commit(txn);
    writing = false;
    if (error) {
        char *s = db_error_to_string_free(error);
        VLOG_ERR("could not write manager status: %s", s);
        free(s);
    }
}

static struct timespec
file_mtime(const char *path)
{
    struct stat st;
    return path && !stat(path, &st) ? st.st_mtim : (struct timespec) { 0, 0 };
}

static bool
same_path(const char *a, const char *b)
{
    return a && b ? !strcmp(a, b) : a == b;
}

/* Loads the SSL row's key, certificate and CA certificate for "pssl:" and
 * "ssl:" remotes, when they change or, with 'force', anyway. */
static void
configure_tls(bool force)
{
    struct db_row *root = root_row(), *ssl = NULL;
    const struct db_datum *ref = root ? db_row_get(root, "ssl") : NULL;
    if (ref && ref->n) {
        ssl = db_table_get_row(db_get_table(db, "SSL"), &ref->keys[0].uuid);
    }

    static const char *const columns[3] = {
        "private_key", "certificate", "ca_cert"
    };
    const char *paths[3];
    bool same = true;
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        paths[i] = ssl ? db_row_get_string(ssl, columns[i]) : NULL;
        same = same && same_path(paths[i], tls_paths[i]);
    }
    if (same && !force) {
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(tls_paths); i++) {
        free(tls_paths[i]);
        tls_paths[i] = paths[i] ? xstrdup(paths[i]) : NULL;
        tls_mtimes[i] = file_mtime(paths[i]);
    }

    char *error = tls_set_config(paths[0], paths[1], paths[2]);
    if (error) {
        VLOG_WARN("SSL configuration: %s", error);
        free(error);
    } else if (ssl) {
        VLOG_INFO("SSL configuration: loaded %s and %s, trusting %s",
                  paths[0], paths[1], paths[2]);
    }
}

/* Loads the SSL row's files again if one of them changed on disk (a
 * certificate renewed under the same name), as OVS does. */
static void
reload_changed_tls_files(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(tls_paths); i++) {
        struct timespec mtime = file_mtime(tls_paths[i]);
        if (tls_paths[i] && (mtime.tv_sec != tls_mtimes[i].tv_sec
                             || mtime.tv_nsec != tls_mtimes[i].tv_nsec)) {
            VLOG_INFO("SSL configuration: %s changed", tls_paths[i]);
            configure_tls(true);
            return;
        }
    }
}

static void
reconfigure(void)
{
    configure_tls(false);
    for (size_t i = 0; i < n_remotes; i++) {
        remotes[i].wanted = false;
    }
    struct db_row **rows = manager_rows();
    for (struct db_row **row = rows; *row; row++) {
        configure_remote(*row);
    }
    free(rows);

    for (size_t i = 0; i < n_remotes; ) {
        if (remotes[i].wanted) {
            i++;
            continue;
        }
        remote_destroy(&remotes[i]);
        remotes[i] = remotes[--n_remotes];
    }
    write_status();
}

static void
reconfigure_cb(uv_timer_t *timer)
{
    reconfigure();
}

/* Tries again where listening or connecting failed: a port another
 * program held may be free now, as ovsdb-server expects, and an ssl:
 * target set before set-ssl can connect once the keys are there.  (A
 * target that is not valid fails the same way again, quietly.) */
static void
retry_remotes(void)
{
    struct db_row **rows = manager_rows();
    for (struct db_row **row = rows; *row; row++) {
        const char *target = db_row_get_string(*row, "target");
        struct remote *r = find_remote(target);
        if (!r || !r->error) {
            continue;
        }
        char *error = remote_start(target, probe_msec(*row));
        if (!error) {
            free(r->error);
            r->error = NULL;
            VLOG_INFO("%s: %s after all", target,
                      is_passive(target) ? "listening" : "connecting");
        } else if (strcmp(error, r->error)) {
            VLOG_WARN("%s: %s", target, error);
            free(r->error);
            r->error = error;
        } else {
            free(error);
        }
    }
    free(rows);
}

static void
status_cb(uv_timer_t *timer)
{
    reload_changed_tls_files();
    retry_remotes();
    write_status();
}

static void
db_remotes_committed(struct db_listener *l, const struct db_txn *txn)
{
    if (!writing) {
        /* Not from inside the commit: it may be a client's, on a
         * connection that reconfiguring closes. */
        uv_timer_start(&reconfigure_timer, reconfigure_cb, 0, 0);
    }
}

void
db_remotes_init(uv_loop_t *loop, struct db *db_, struct jsonrpc_server *rpc_)
{
    db = db_;
    rpc = rpc_;
    listener.committed = db_remotes_committed;
    db_add_listener(db, &listener);
    uv_timer_init(loop, &reconfigure_timer);
    uv_timer_init(loop, &status_timer);
    uv_timer_start(&status_timer, status_cb, STATUS_INTERVAL_MSEC,
                   STATUS_INTERVAL_MSEC);
    reconfigure();
}

void
db_remotes_exit(void)
{
    if (!db) {
        return;
    }
    db_remove_listener(db, &listener);
    uv_close((uv_handle_t *) &reconfigure_timer, NULL);
    uv_close((uv_handle_t *) &status_timer, NULL);
    for (size_t i = 0; i < n_remotes; i++) {
        remote_destroy(&remotes[i]);
    }
    free(remotes);
    remotes = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(tls_paths); i++) {
        free(tls_paths[i]);
        tls_paths[i] = NULL;
    }
    n_remotes = allocated_remotes = 0;
    db = NULL;
}
