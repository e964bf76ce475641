#include <config.h>
#include "db/db-server.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <urcu/list.h>
#include "db/db-error.h"
#include "db/db-execute.h"
#include "db/db-monitor.h"
#include "db/db-server-db.h"
#include "db/db.h"
#include "hash.h"
#include "hmap.h"
#include "jsonrpc-server.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(db_server);

struct db_server {
    uv_loop_t *loop;
    struct db *db;
    struct db *server_db;           /* "_Server", read-only. */
    struct jsonrpc_server *rpc;
    struct db_listener listener;    /* Retries held transactions. */
    struct cds_list_head sessions;
    struct hmap locks;              /* struct db_lock, by name. */
    uv_timer_t retry_timer;
    struct uuid server_id;
};

/* One client connection. */
struct db_session {
    struct cds_list_head node;      /* In struct db_server's 'sessions'. */
    struct db_server *server;
    struct jsonrpc_conn *conn;
    struct cds_list_head monitors;  /* struct session_monitor. */
    struct cds_list_head waiters;   /* struct lock_waiter. */
    struct cds_list_head pending;   /* struct pending_txn. */
};

struct session_monitor {
    struct cds_list_head node;
    struct db_session *session;
    struct db_monitor *monitor;
};

/* A named lock: its first waiter is the owner. */
struct db_lock {
    struct hmap_node node;
    char *name;
    struct cds_list_head waiters;   /* struct lock_waiter, by arrival. */
};

struct lock_waiter {
    struct cds_list_head lock_node;     /* In struct db_lock. */
    struct cds_list_head session_node;  /* In struct db_session. */
    struct db_lock *lock;
    struct db_session *session;
};

/* A "transact" whose "wait" waits for a later commit. */
struct pending_txn {
    struct cds_list_head node;      /* In struct db_session's 'pending'. */
    struct db *db;
    json_t *id;
    json_t *ops;
    long long start;                /* time_msec() when it arrived. */
    long long deadline;             /* LLONG_MAX for none. */
};

static struct jsonrpc_msg *
error_reply(const char *tag, const json_t *syntax, const json_t *id,
            const char *details_fmt, ...) PRINTF_FORMAT(4, 5);

static struct jsonrpc_msg *
error_reply(const char *tag, const json_t *syntax, const json_t *id,
            const char *details_fmt, ...)
{
    va_list args;
    va_start(args, details_fmt);
    char *details = xvasprintf(details_fmt, args);
    va_end(args);

    struct db_error *error = db_error_create(tag, "%s", details);
    db_error_set_syntax(error, syntax);
    struct jsonrpc_msg *reply = jsonrpc_create_error(db_error_to_json(error),
                                                     id);
    db_error_destroy(error);
    free(details);
    return reply;
}

/* Finds the database that params[0] names.  Returns NULL and sets '*dbp',
 * or returns the error reply. */
static struct jsonrpc_msg *
find_db(const struct db_server *server, const struct jsonrpc_msg *req,
        struct db **dbp)
{
    const char *name = json_string_value(json_array_get(req->params, 0));
    if (!name) {
        return error_reply("syntax error", req->params, req->id,
                           "%s request params must begin with <db-name>",
                           req->method);
    }
    *dbp = (!strcmp(name, server->db->schema->name) ? server->db
            : !strcmp(name, DB_SERVER_DB_NAME) ? server->server_db
            : NULL);
    if (!*dbp) {
        return error_reply("unknown database", req->params, req->id,
                           "%s request specifies unknown database %s",
                           req->method, name);
    }
    return NULL;
}

static struct jsonrpc_msg *
handle_list_dbs(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
                void *server_)
{
    struct db_server *server = server_;
    return jsonrpc_create_reply(json_pack("[ss]", server->db->schema->name,
                                          DB_SERVER_DB_NAME),
                                req->id);
}

static struct jsonrpc_msg *
handle_get_schema(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
                  void *server_)
{
    struct db_server *server = server_;
    struct db *db;
    struct jsonrpc_msg *error = find_db(server, req, &db);
    return error ? error : jsonrpc_create_reply(
        json_incref(db->schema->json), req->id);
}

static struct jsonrpc_msg *
handle_get_server_id(struct jsonrpc_conn *conn,
                     const struct jsonrpc_msg *req, void *server_)
{
    struct db_server *server = server_;
    char id[UUID_LEN + 1];
    snprintf(id, sizeof id, UUID_FMT, UUID_ARGS(&server->server_id));
    return jsonrpc_create_reply(json_string(id), req->id);
}

static struct jsonrpc_msg *
handle_set_db_change_aware(struct jsonrpc_conn *conn,
                           const struct jsonrpc_msg *req, void *server_)
{
    /* Our database never goes away or changes schema while served, so
     * there is nothing to tell a client that cares: only the request's
     * form is checked, as ovsdb-server does. */
    const json_t *aware = json_array_get(req->params, 0);
    if (json_array_size(req->params) != 1 || !json_is_boolean(aware)) {
        return error_reply("syntax error", req->params, req->id,
                           "set_db_change_aware: true or false parameter "
                           "expected");
    }
    return jsonrpc_create_reply(json_object(), req->id);
}

/* Locks. */

static struct db_lock *
db_lock_find(const struct db_server *server, const char *name)
{
    struct db_lock *lock;
    HMAP_FOR_EACH_WITH_HASH (lock, node, hash_string(name, 0),
                             &server->locks) {
        if (!strcmp(lock->name, name)) {
            return lock;
        }
    }
    return NULL;
}

static struct lock_waiter *
db_lock_owner(const struct db_lock *lock)
{
    return cds_list_first_entry(&lock->waiters, struct lock_waiter,
                                lock_node);
}

static struct lock_waiter *
session_find_waiter(const struct db_session *session, const char *name)
{
    struct lock_waiter *w;
    cds_list_for_each_entry (w, &session->waiters, session_node) {
        if (!strcmp(w->lock->name, name)) {
            return w;
        }
    }
    return NULL;
}

static void
session_notify(struct db_session *session, const char *method,
               json_t *params)
{
    jsonrpc_conn_send(session->conn, jsonrpc_create_notify(method, params));
}

/* Removes 'w'; if it owned its lock, the next waiter gets it. */
static void
lock_waiter_remove(struct db_server *server, struct lock_waiter *w)
{
    struct db_lock *lock = w->lock;
    bool was_owner = db_lock_owner(lock) == w;

    cds_list_del(&w->lock_node);
    cds_list_del(&w->session_node);
    free(w);
    if (cds_list_empty(&lock->waiters)) {
        hmap_remove(&server->locks, &lock->node);
        free(lock->name);
        free(lock);
    } else if (was_owner) {
        session_notify(db_lock_owner(lock)->session, "locked",
                       json_pack("[s]", lock->name));
    }
}

static struct jsonrpc_msg *
handle_lock__(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
              struct db_server *server, bool steal)
{
    struct db_session *session = jsonrpc_conn_get_data(conn);
    const char *name = json_string_value(json_array_get(req->params, 0));

    if (!name || json_array_size(req->params) != 1) {
        return error_reply("syntax error", req->params, req->id,
                           "%s request params must be [<lock-name>]",
                           req->method);
    }
    struct lock_waiter *w = session_find_waiter(session, name);
    if (w && !steal) {
        return error_reply("syntax error", req->params, req->id,
                           "must issue \"unlock\" before new \"lock\"");
    }

    struct db_lock *lock = db_lock_find(server, name);
    if (!lock) {
        lock = xzalloc(sizeof *lock);
        lock->name = xstrdup(name);
        CDS_INIT_LIST_HEAD(&lock->waiters);
        hmap_insert(&server->locks, &lock->node, hash_string(name, 0));
    }
    if (!w) {
        w = xzalloc(sizeof *w);
        w->lock = lock;
        w->session = session;
        cds_list_add_tail(&w->session_node, &session->waiters);
        cds_list_add_tail(&w->lock_node, &lock->waiters);
    }
    if (steal && db_lock_owner(lock) != w) {
        struct lock_waiter *victim = db_lock_owner(lock);
        cds_list_del(&w->lock_node);
        cds_list_add(&w->lock_node, &lock->waiters);
        session_notify(victim->session, "stolen", json_pack("[s]", name));
        cds_list_del(&victim->lock_node);
        cds_list_del(&victim->session_node);
        free(victim);
    }
    return jsonrpc_create_reply(json_pack("{s:b}", "locked",
                                          db_lock_owner(lock) == w),
                                req->id);
}

static struct jsonrpc_msg *
handle_lock(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
            void *server)
{
    return handle_lock__(conn, req, server, false);
}

static struct jsonrpc_msg *
handle_steal(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
             void *server)
{
    return handle_lock__(conn, req, server, true);
}

static struct jsonrpc_msg *
handle_unlock(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
              void *server)
{
    struct db_session *session = jsonrpc_conn_get_data(conn);
    const char *name = json_string_value(json_array_get(req->params, 0));
    struct lock_waiter *w = name ? session_find_waiter(session, name) : NULL;

    if (!w) {
        return error_reply("syntax error", req->params, req->id,
                           "unlock: \"unlock\" without \"lock\" or "
                           "\"steal\"");
    }
    lock_waiter_remove(server, w);
    return jsonrpc_create_reply(json_object(), req->id);
}

static bool
session_has_lock(const char *name, void *session_)
{
    struct db_session *session = session_;
    struct lock_waiter *w = session_find_waiter(session, name);
    return w && db_lock_owner(w->lock) == w;
}

/* Transactions. */

static void
log_comments(const struct db_session *session, const json_t *ops)
{
    size_t i;
    const json_t *op;
    json_array_foreach (ops, i, op) {
        const char *name = json_string_value(json_object_get(op, "op"));
        const char *comment = json_string_value(json_object_get(op,
                                                                "comment"));
        if (name && !strcmp(name, "comment") && comment) {
            VLOG_INFO("%s: %s", jsonrpc_conn_get_name(session->conn),
                      comment);
        }
    }
}

/* Runs 'ops'.  Returns the result, or NULL if a "wait" waits on, with
 * '*deadline' set. */
static json_t *
session_execute(struct db_session *session, struct db *db, const json_t *ops,
                long long start, long long *deadline)
{
    const struct db_execute_client client = {
        .has_lock = session_has_lock,
        .aux = session,
    };
    long long now = time_msec();
    long long wait_msec;
    json_t *result = db_execute(db, ops, &client, now - start, &wait_msec);
    if (!result) {
        /* Saturate: a client may ask for a timeout near LLONG_MAX. */
        *deadline = (wait_msec >= LLONG_MAX - now ? LLONG_MAX
                     : now + wait_msec);
    }
    return result;
}

static void db_server_schedule_retry(struct db_server *);
static void db_server_retry(uv_timer_t *);

/* _Server is read-only: if an operation in 'ops' would write, returns the
 * result to reply (the read-only operations before it, run, and an error
 * for it), else NULL. */
static json_t *
refuse_server_db_write(struct db_session *session, struct db *db,
                       const json_t *ops)
{
    for (size_t i = 0; i < json_array_size(ops); i++) {
        const char *op = json_string_value(
            json_object_get(json_array_get(ops, i), "op"));
        if (op && !db_server_db_allows(op)) {
            json_t *before = json_array();
            for (size_t j = 0; j < i; j++) {
                json_array_append(before, json_array_get(ops, j));
            }
            long long deadline;
            json_t *result = session_execute(session, db, before,
                                             time_msec(), &deadline);
            json_decref(before);
            if (!result) {
                result = json_array();      /* A "wait" that would wait. */
            }
            size_t n = json_array_size(result);
            if (n && json_object_get(json_array_get(result, n - 1),
                                     "error")) {
                return result;  /* An earlier operation failed first. */
            }
            struct db_error *error = db_error_create(
                "not allowed", "%s operation not allowed on table in "
                "reserved database %s", op, DB_SERVER_DB_NAME);
            json_array_append_new(result, db_error_to_json(error));
            db_error_destroy(error);
            return result;
        }
    }
    return NULL;
}

static struct jsonrpc_msg *
handle_transact(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
                void *server_)
{
    struct db_server *server = server_;
    struct db_session *session = jsonrpc_conn_get_data(conn);
    struct db *db;
    struct jsonrpc_msg *error = find_db(server, req, &db);
    if (error) {
        return error;
    }

    json_t *ops = json_array();
    for (size_t i = 1; i < json_array_size(req->params); i++) {
        json_array_append(ops, json_array_get(req->params, i));
    }
    log_comments(session, ops);

    if (db == server->server_db) {
        json_t *refused = refuse_server_db_write(session, db, ops);
        if (refused) {
            json_decref(ops);
            return jsonrpc_create_reply(refused, req->id);
        }
    }

    long long start = time_msec(), deadline;
    json_t *result = session_execute(session, db, ops, start, &deadline);
    if (result || req->type == JSONRPC_NOTIFY) {
        /* A notification gets no reply, so it is not held either. */
        json_decref(ops);
        return result ? jsonrpc_create_reply(result, req->id) : NULL;
    }

    struct pending_txn *p = xzalloc(sizeof *p);
    p->db = db;
    p->id = json_deep_copy(req->id);
    p->ops = ops;
    p->start = start;
    p->deadline = deadline;
    cds_list_add_tail(&p->node, &session->pending);
    db_server_schedule_retry(server);
    return NULL;
}

static void
pending_txn_destroy(struct pending_txn *p)
{
    cds_list_del(&p->node);
    json_decref(p->id);
    json_decref(p->ops);
    free(p);
}

/* Runs the retry timer at 'deadline' (LLONG_MAX: not at all).  Never with
 * a 0 delay: a timer re-armed at 0 from its own callback runs again in the
 * same loop iteration, and the loop would serve nobody else. */
static void
db_server_arm_retry(struct db_server *server, long long deadline)
{
    if (deadline != LLONG_MAX) {
        long long delay = deadline - time_msec();
        uv_timer_start(&server->retry_timer, db_server_retry,
                       MAX(delay, 1), 0);
    }
}

/* Retries every held transaction; those that complete get their reply. */
static void
db_server_retry(uv_timer_t *timer)
{
    struct db_server *server = timer->data;
    long long next_deadline = LLONG_MAX;
    struct db_session *session;

    cds_list_for_each_entry (session, &server->sessions, node) {
        struct pending_txn *p, *next;
        cds_list_for_each_entry_safe (p, next, &session->pending, node) {
            long long deadline;
            json_t *result = session_execute(session, p->db, p->ops,
                                             p->start, &deadline);
            if (result) {
                jsonrpc_conn_send(session->conn,
                                  jsonrpc_create_reply(result, p->id));
                pending_txn_destroy(p);
            } else {
                p->deadline = deadline;
                next_deadline = MIN(next_deadline, deadline);
            }
        }
    }
    db_server_arm_retry(server, next_deadline);
}

static void
db_server_schedule_retry(struct db_server *server)
{
    long long next_deadline = LLONG_MAX;
    struct db_session *session;
    cds_list_for_each_entry (session, &server->sessions, node) {
        struct pending_txn *p;
        cds_list_for_each_entry (p, &session->pending, node) {
            next_deadline = MIN(next_deadline, p->deadline);
        }
    }
    db_server_arm_retry(server, next_deadline);
}

/* After a commit, a held "wait" may now pass: retry soon (not from inside
 * the commit, which is still running). */
static void
db_server_committed(struct db_listener *listener, const struct db_txn *txn)
{
    struct db_server *server = CONTAINER_OF(listener, struct db_server,
                                            listener);
    struct db_session *session;
    cds_list_for_each_entry (session, &server->sessions, node) {
        if (!cds_list_empty(&session->pending)) {
            db_server_arm_retry(server, time_msec());
            return;
        }
    }
}

/* Monitors. */

/* A standalone database keeps no history of transactions, so clients
 * always hear this as the last transaction's ID and never "found" it. */
static const char no_txn_id[] = "00000000-0000-0000-0000-000000000000";

static void
monitor_send(const json_t *id, json_t *updates, void *sm_)
{
    struct session_monitor *sm = sm_;
    switch (db_monitor_get_version(sm->monitor)) {
    case DB_MONITOR_V1:
        session_notify(sm->session, "update", json_pack("[Oo]", id, updates));
        break;
    case DB_MONITOR_V2:
        session_notify(sm->session, "update2", json_pack("[Oo]", id,
                                                         updates));
        break;
    case DB_MONITOR_V3:
        session_notify(sm->session, "update3", json_pack("[Oso]", id,
                                                         no_txn_id, updates));
        break;
    }
}

static struct session_monitor *
session_find_monitor(const struct db_session *session, const json_t *id)
{
    struct session_monitor *sm;
    cds_list_for_each_entry (sm, &session->monitors, node) {
        if (json_equal((json_t *) db_monitor_get_id(sm->monitor),
                       (json_t *) id)) {
            return sm;
        }
    }
    return NULL;
}

static struct jsonrpc_msg *
db_error_reply(struct db_error *error, const json_t *id)
{
    struct jsonrpc_msg *reply = jsonrpc_create_error(db_error_to_json(error),
                                                     id);
    db_error_destroy(error);
    return reply;
}

/* "monitor" and "monitor_cond": [<db-name>, <monitor-id>, <requests>];
 * "monitor_cond_since" adds <last-txn-id> and gets [<found>,
 * <last-txn-id>, <initial>] back. */
static struct jsonrpc_msg *
handle_monitor__(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
                 struct db_server *server, enum db_monitor_version version)
{
    struct db_session *session = jsonrpc_conn_get_data(conn);
    size_t n_params = version == DB_MONITOR_V3 ? 4 : 3;
    struct db *db;
    struct jsonrpc_msg *reply = find_db(server, req, &db);
    if (reply) {
        return reply;
    }
    if (json_array_size(req->params) != n_params) {
        return error_reply("syntax error", req->params, req->id,
                           "%s request params must be [<db-name>, "
                           "<monitor-id>, <monitor-requests>%s]",
                           req->method,
                           version == DB_MONITOR_V3 ? ", <last-txn-id>" : "");
    }

    const json_t *id = json_array_get(req->params, 1);
    if (session_find_monitor(session, id)) {
        return error_reply("syntax error", id, req->id,
                           "duplicate monitor ID");
    }

    struct session_monitor *sm = xzalloc(sizeof *sm);
    sm->session = session;
    json_t *initial;
    struct db_error *error = db_monitor_create(
        db, version, id, json_array_get(req->params, 2),
        monitor_send, sm, &sm->monitor, &initial);
    if (error) {
        free(sm);
        return db_error_reply(error, req->id);
    }
    cds_list_add_tail(&sm->node, &session->monitors);
    if (version == DB_MONITOR_V3) {
        initial = json_pack("[bso]", false, no_txn_id, initial);
    }
    return jsonrpc_create_reply(initial, req->id);
}

static struct jsonrpc_msg *
handle_monitor(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
               void *server)
{
    return handle_monitor__(conn, req, server, DB_MONITOR_V1);
}

static struct jsonrpc_msg *
handle_monitor_cond(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
                    void *server)
{
    return handle_monitor__(conn, req, server, DB_MONITOR_V2);
}

static struct jsonrpc_msg *
handle_monitor_cond_since(struct jsonrpc_conn *conn,
                          const struct jsonrpc_msg *req, void *server)
{
    return handle_monitor__(conn, req, server, DB_MONITOR_V3);
}

static struct jsonrpc_msg *
handle_monitor_cond_change(struct jsonrpc_conn *conn,
                           const struct jsonrpc_msg *req, void *server_)
{
    struct db_session *session = jsonrpc_conn_get_data(conn);
    if (json_array_size(req->params) != 3) {
        /* [<monitor-id>, <new-monitor-id>, <requests>]. */
        return error_reply("syntax error", req->params, req->id,
                           "invalid parameters");
    }
    const json_t *id = json_array_get(req->params, 0);
    const json_t *new_id = json_array_get(req->params, 1);
    struct session_monitor *sm = session_find_monitor(session, id);
    if (!sm) {
        return error_reply("syntax error", id, req->id,
                           "unknown monitor session");
    }
    if (!json_equal((json_t *) id, (json_t *) new_id)
        && session_find_monitor(session, new_id)) {
        return error_reply("syntax error", new_id, req->id,
                           "duplicate monitor ID");
    }
    struct db_error *error = db_monitor_change_condition(
        sm->monitor, new_id, json_array_get(req->params, 2));
    return (error ? db_error_reply(error, req->id)
            : jsonrpc_create_reply(json_object(), req->id));
}

static void
session_monitor_destroy(struct session_monitor *sm)
{
    cds_list_del(&sm->node);
    db_monitor_destroy(sm->monitor);
    free(sm);
}

static struct jsonrpc_msg *
handle_monitor_cancel(struct jsonrpc_conn *conn,
                      const struct jsonrpc_msg *req, void *server_)
{
    struct db_session *session = jsonrpc_conn_get_data(conn);
    struct session_monitor *sm = session_find_monitor(
        session, json_array_get(req->params, 0));
    if (json_array_size(req->params) != 1 || !sm) {
        return jsonrpc_create_error(json_string("unknown monitor"), req->id);
    }
    session_monitor_destroy(sm);
    return jsonrpc_create_reply(json_object(), req->id);
}

/* Sessions. */

static void
db_server_on_open(struct jsonrpc_conn *conn, void *server_)
{
    struct db_server *server = server_;
    struct db_session *session = xzalloc(sizeof *session);
    session->server = server;
    session->conn = conn;
    CDS_INIT_LIST_HEAD(&session->monitors);
    CDS_INIT_LIST_HEAD(&session->waiters);
    CDS_INIT_LIST_HEAD(&session->pending);
    cds_list_add_tail(&session->node, &server->sessions);
    jsonrpc_conn_set_data(conn, session);
}

static void
db_server_on_close(struct jsonrpc_conn *conn, void *server_)
{
    struct db_server *server = server_;
    struct db_session *session = jsonrpc_conn_get_data(conn);

    struct session_monitor *sm, *next_sm;
    cds_list_for_each_entry_safe (sm, next_sm, &session->monitors, node) {
        session_monitor_destroy(sm);
    }
    struct lock_waiter *w, *next_w;
    cds_list_for_each_entry_safe (w, next_w, &session->waiters,
                                  session_node) {
        lock_waiter_remove(server, w);
    }
    struct pending_txn *p, *next_p;
    cds_list_for_each_entry_safe (p, next_p, &session->pending, node) {
        pending_txn_destroy(p);
    }
    cds_list_del(&session->node);
    free(session);
}

static const struct jsonrpc_server_hooks db_server_hooks = {
    .on_open = db_server_on_open,
    .on_close = db_server_on_close,
};

struct db_server *
db_server_create(uv_loop_t *loop, struct db *db, struct jsonrpc_server *rpc)
{
    struct db_server *server = xzalloc(sizeof *server);
    server->loop = loop;
    server->db = db;
    server->server_db = db_server_db_create(db);
    server->rpc = rpc;
    CDS_INIT_LIST_HEAD(&server->sessions);
    hmap_init(&server->locks);
    uuid_generate(&server->server_id);
    uv_timer_init(loop, &server->retry_timer);
    server->retry_timer.data = server;
    server->listener.committed = db_server_committed;
    db_add_listener(db, &server->listener);

    jsonrpc_server_set_hooks(rpc, &db_server_hooks, server);
    static const struct {
        const char *name;
        jsonrpc_method_cb *cb;
    } methods[] = {
        { "list_dbs", handle_list_dbs },
        { "get_schema", handle_get_schema },
        { "get_server_id", handle_get_server_id },
        { "set_db_change_aware", handle_set_db_change_aware },
        { "transact", handle_transact },
        { "monitor", handle_monitor },
        { "monitor_cond", handle_monitor_cond },
        { "monitor_cond_since", handle_monitor_cond_since },
        { "monitor_cond_change", handle_monitor_cond_change },
        { "monitor_cancel", handle_monitor_cancel },
        { "lock", handle_lock },
        { "steal", handle_steal },
        { "unlock", handle_unlock },
    };
    for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
        jsonrpc_server_register(rpc, methods[i].name, methods[i].cb, server);
    }
    return server;
}

static void
db_server_free(uv_handle_t *timer)
{
    free(timer->data);
}

void
db_server_destroy(struct db_server *server)
{
    if (server) {
        db_remove_listener(server->db, &server->listener);
        /* Sessions go with the JSON-RPC server, which the caller
         * destroys; they must not outlive this. */
        jsonrpc_server_set_hooks(server->rpc, NULL, NULL);
        struct db_session *session, *next;
        cds_list_for_each_entry_safe (session, next, &server->sessions,
                                      node) {
            db_server_on_close(session->conn, server);
        }
        hmap_destroy(&server->locks);
        db_destroy(server->server_db);
        uv_close((uv_handle_t *) &server->retry_timer, db_server_free);
    }
}
