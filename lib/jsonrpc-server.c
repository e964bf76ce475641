#include <config.h>
#include "jsonrpc-server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <urcu/list.h>
#include "hash.h"
#include "hmap.h"
#include "jsonrpc-session.h"
#include "stream.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc_server);

struct jsonrpc_method {
    struct hmap_node node;      /* In struct jsonrpc_server's 'methods'. */
    char *name;
    jsonrpc_method_cb *cb;
    void *aux;
};

/* A remote: a passive one listens; an active one connects out and, when
 * the connection fails or ends, connects again after a backoff, as OVS
 * does for a "tcp:" manager. */
struct jsonrpc_listener {
    struct cds_list_head node;  /* In struct jsonrpc_server's 'listeners'. */
    struct jsonrpc_server *server;
    char *name;
    int probe_msec;             /* For its connections. */
    struct pstream *pstream;    /* Passive; NULL if active. */

    /* Active only. */
    struct stream *connecting;  /* An attempt under way, or NULL. */
    uv_timer_t *retry;          /* The next attempt. */
    int backoff_msec;
    char *error;                /* Why the last attempt failed, or NULL. */
    bool closing;               /* Its connections must not reconnect. */
};

enum {
    ACTIVE_BACKOFF_MIN_MSEC = 1000,
    ACTIVE_BACKOFF_MAX_MSEC = 8000,
};

struct jsonrpc_server {
    uv_loop_t *loop;
    uv_timer_t *reaper;         /* Closes connections marked 'doomed'. */
    size_t max_backlog;
    struct hmap methods;
    struct jsonrpc_method fallback; /* 'cb' is NULL if there is none. */
    struct cds_list_head listeners;
    struct cds_list_head conns;
    const struct jsonrpc_server_hooks *hooks;
    void *hooks_aux;
};

struct jsonrpc_conn {
    struct cds_list_head node;  /* In struct jsonrpc_server's 'conns'. */
    struct jsonrpc_server *server;
    struct jsonrpc_session *session;
    struct jsonrpc_listener *listener;  /* NULL once it stops listening. */
    void *data;
    bool doomed;                /* To be closed by the reaper. */
};

static struct jsonrpc_listener *jsonrpc_server_find_listener(
    const struct jsonrpc_server *, const char *name);

static struct jsonrpc_msg *
jsonrpc_server_echo(struct jsonrpc_conn *conn, const struct jsonrpc_msg *req,
                    void *aux)
{
    return jsonrpc_create_reply(json_incref(req->params), req->id);
}

struct jsonrpc_server *
jsonrpc_server_create(uv_loop_t *loop)
{
    struct jsonrpc_server *server = xzalloc(sizeof *server);
    server->loop = loop;
    server->max_backlog = JSONRPC_MAX_BACKLOG_DEFAULT;
    server->reaper = xzalloc(sizeof *server->reaper);
    uv_timer_init(loop, server->reaper);
    server->reaper->data = server;
    hmap_init(&server->methods);
    CDS_INIT_LIST_HEAD(&server->listeners);
    CDS_INIT_LIST_HEAD(&server->conns);
    jsonrpc_server_register(server, "echo", jsonrpc_server_echo, NULL);
    return server;
}

static void active_schedule(struct jsonrpc_listener *);

static void
jsonrpc_conn_destroy(struct jsonrpc_conn *conn)
{
    struct jsonrpc_server *server = conn->server;
    struct jsonrpc_listener *l = conn->listener;
    if (server->hooks && server->hooks->on_close) {
        server->hooks->on_close(conn, server->hooks_aux);
    }
    cds_list_del(&conn->node);
    free(conn);
    if (l && !l->pstream && !l->closing) {
        VLOG_INFO("%s: connection closed, reconnecting", l->name);
        active_schedule(l);
    }
}

static void
jsonrpc_listener_destroy(struct jsonrpc_listener *l)
{
    if (l->pstream) {
        pstream_close(l->pstream);
    } else {
        stream_close(l->connecting, false);
        uv_close((uv_handle_t *) l->retry, (uv_close_cb) free);
    }
    cds_list_del(&l->node);
    free(l->name);
    free(l->error);
    free(l);
}

void
jsonrpc_server_destroy(struct jsonrpc_server *server)
{
    if (!server) {
        return;
    }

    struct jsonrpc_conn *conn, *next_conn;
    cds_list_for_each_entry_safe (conn, next_conn, &server->conns, node) {
        conn->listener = NULL;
        jsonrpc_session_close(conn->session);
        jsonrpc_conn_destroy(conn);
    }
    struct jsonrpc_listener *l, *next_l;
    cds_list_for_each_entry_safe (l, next_l, &server->listeners, node) {
        jsonrpc_listener_destroy(l);
    }

    struct jsonrpc_method *m;
    HMAP_FOR_EACH (m, node, &server->methods) {
        hmap_remove(&server->methods, &m->node);
        free(m->name);
        free(m);
    }
    hmap_destroy(&server->methods);
    uv_close((uv_handle_t *) server->reaper, (uv_close_cb) free);
    free(server);
}

void
jsonrpc_server_set_max_backlog(struct jsonrpc_server *server, size_t max)
{
    server->max_backlog = max;
}

static void
jsonrpc_server_reap(uv_timer_t *timer)
{
    struct jsonrpc_server *server = timer->data;
    struct jsonrpc_conn *conn, *next;
    cds_list_for_each_entry_safe (conn, next, &server->conns, node) {
        if (conn->doomed) {
            jsonrpc_conn_close(conn);
        }
    }
}

/* Checks the result of a send on 'conn'. */
static int
jsonrpc_conn_check_send(struct jsonrpc_conn *conn, int error)
{
    if (error == -ENOBUFS && !conn->doomed) {
        conn->doomed = true;
        uv_timer_start(conn->server->reaper, jsonrpc_server_reap, 1, 0);
    }
    return error;
}

void
jsonrpc_server_set_hooks(struct jsonrpc_server *server,
                         const struct jsonrpc_server_hooks *hooks, void *aux)
{
    server->hooks = hooks;
    server->hooks_aux = aux;
}

static struct jsonrpc_method *
jsonrpc_server_find_method(const struct jsonrpc_server *server,
                           const char *name)
{
    struct jsonrpc_method *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash_string(name, 0),
                             &server->methods) {
        if (!strcmp(m->name, name)) {
            return m;
        }
    }
    return NULL;
}

void
jsonrpc_server_register(struct jsonrpc_server *server, const char *name,
                        jsonrpc_method_cb *cb, void *aux)
{
    if (!name) {
        server->fallback.cb = cb;
        server->fallback.aux = aux;
        return;
    }

    struct jsonrpc_method *m = jsonrpc_server_find_method(server, name);
    if (!m) {
        m = xzalloc(sizeof *m);
        m->name = xstrdup(name);
        hmap_insert(&server->methods, &m->node, hash_string(name, 0));
    }
    m->cb = cb;
    m->aux = aux;
}

static void
jsonrpc_server_on_msg(struct jsonrpc_session *session,
                      struct jsonrpc_msg *msg)
{
    struct jsonrpc_conn *conn = jsonrpc_session_get_aux(session);

    if (msg->type == JSONRPC_REQUEST || msg->type == JSONRPC_NOTIFY) {
        struct jsonrpc_method *m
            = jsonrpc_server_find_method(conn->server, msg->method);
        struct jsonrpc_msg *reply = NULL;
        if (!m && conn->server->fallback.cb) {
            m = &conn->server->fallback;
        }
        if (m) {
            reply = m->cb(conn, msg, m->aux);
        } else if (msg->type == JSONRPC_REQUEST) {
            reply = jsonrpc_create_error(json_string("unknown method"),
                                         msg->id);
        }
        if (reply && msg->type == JSONRPC_REQUEST) {
            jsonrpc_conn_check_send(conn,
                                    jsonrpc_session_send(session, reply));
        } else {
            jsonrpc_msg_destroy(reply);
        }
    }
    /* Replies are to our own echo requests: nothing to do. */
    jsonrpc_msg_destroy(msg);
}

static void
jsonrpc_server_on_close(struct jsonrpc_session *session, int error)
{
    jsonrpc_conn_destroy(jsonrpc_session_get_aux(session));
}

static const struct jsonrpc_session_callbacks jsonrpc_server_session_cb = {
    .on_msg = jsonrpc_server_on_msg,
    .on_close = jsonrpc_server_on_close,
};

/* Serves 'stream', which 'l' accepted or connected. */
static void
jsonrpc_server_add_conn(struct jsonrpc_listener *l, struct stream *stream)
{
    struct jsonrpc_server *server = l->server;
    struct jsonrpc_conn *conn = xzalloc(sizeof *conn);

    conn->server = server;
    conn->listener = l;
    cds_list_add_tail(&conn->node, &server->conns);
    conn->session = jsonrpc_session_create(stream, &jsonrpc_server_session_cb,
                                           conn, true);
    jsonrpc_session_set_max_backlog(conn->session, server->max_backlog);
    jsonrpc_session_set_probe_interval(conn->session, server->loop,
                                       l->probe_msec);
    VLOG_DBG("%s: connection accepted", stream_get_name(stream));
    if (server->hooks && server->hooks->on_open) {
        server->hooks->on_open(conn, server->hooks_aux);
    }
}

static void
jsonrpc_server_on_accept(struct pstream *pstream, struct stream *stream)
{
    jsonrpc_server_add_conn(pstream_get_aux(pstream), stream);
}

/* Active remotes. */

static void
active_failed(struct jsonrpc_listener *l, int error)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    char *msg = xasprintf("connection failed (%s)", uv_strerror(error));
    if (!l->error || strcmp(l->error, msg)) {
        VLOG_WARN_RL(&rl, "%s: %s", l->name, msg);
    }
    free(l->error);
    l->error = msg;
    active_schedule(l);
}

static void
active_on_connect(struct stream *stream, int error)
{
    struct jsonrpc_listener *l = stream_get_aux(stream);
    l->connecting = NULL;
    if (error) {
        stream_close(stream, false);
        active_failed(l, error);
        return;
    }
    VLOG_INFO("%s: connected", l->name);
    free(l->error);
    l->error = NULL;
    l->backoff_msec = ACTIVE_BACKOFF_MIN_MSEC;
    jsonrpc_server_add_conn(l, stream);
}

static void
active_connect(uv_timer_t *timer)
{
    struct jsonrpc_listener *l = timer->data;
    int error = stream_open(l->server->loop, l->name, active_on_connect, l,
                            &l->connecting);
    if (error) {
        active_failed(l, error);
    }
}

/* Tries again after the backoff, which doubles up to its maximum. */
static void
active_schedule(struct jsonrpc_listener *l)
{
    uv_timer_start(l->retry, active_connect, l->backoff_msec, 0);
    l->backoff_msec = MIN(2 * l->backoff_msec, ACTIVE_BACKOFF_MAX_MSEC);
}

int
jsonrpc_server_connect(struct jsonrpc_server *server, const char *name,
                       int probe_msec)
{
    if (jsonrpc_server_find_listener(server, name)) {
        return -EADDRINUSE;
    }
    struct jsonrpc_listener *l = xzalloc(sizeof *l);
    l->server = server;
    l->name = xstrdup(name);
    l->probe_msec = probe_msec;
    l->backoff_msec = ACTIVE_BACKOFF_MIN_MSEC;
    int error = stream_open(server->loop, name, active_on_connect, l,
                            &l->connecting);
    if (error) {
        free(l->name);
        free(l);
        return error;
    }
    l->retry = xzalloc(sizeof *l->retry);
    uv_timer_init(server->loop, l->retry);
    l->retry->data = l;
    cds_list_add_tail(&l->node, &server->listeners);
    return 0;
}

const char *
jsonrpc_server_get_error(const struct jsonrpc_server *server,
                         const char *name)
{
    const struct jsonrpc_listener *l = jsonrpc_server_find_listener(server,
                                                                    name);
    return l ? l->error : NULL;
}

int
jsonrpc_server_listen(struct jsonrpc_server *server, const char *name)
{
    return jsonrpc_server_listen_probe(
        server, name, (str_starts_with(name, "punix:") ? 0
                       : JSONRPC_PROBE_DEFAULT_MSEC));
}

int
jsonrpc_server_listen_probe(struct jsonrpc_server *server, const char *name,
                            int probe_msec)
{
    if (jsonrpc_server_find_listener(server, name)) {
        return -EADDRINUSE;     /* Two owners would close it twice. */
    }
    struct jsonrpc_listener *l = xzalloc(sizeof *l);
    int error = pstream_open(server->loop, name, jsonrpc_server_on_accept, l,
                             &l->pstream);
    if (error) {
        free(l);
        return error;
    }
    l->server = server;
    l->name = xstrdup(name);
    l->probe_msec = probe_msec;
    cds_list_add_tail(&l->node, &server->listeners);
    return 0;
}

static struct jsonrpc_listener *
jsonrpc_server_find_listener(const struct jsonrpc_server *server,
                             const char *name)
{
    struct jsonrpc_listener *l;
    cds_list_for_each_entry (l, &server->listeners, node) {
        if (!strcmp(l->name, name)) {
            return l;
        }
    }
    return NULL;
}

void
jsonrpc_server_set_probe(struct jsonrpc_server *server, const char *name,
                         int probe_msec)
{
    struct jsonrpc_listener *l = jsonrpc_server_find_listener(server, name);
    if (l) {
        l->probe_msec = probe_msec;
    }
}

void
jsonrpc_server_unlisten(struct jsonrpc_server *server, const char *name)
{
    struct jsonrpc_listener *l = jsonrpc_server_find_listener(server, name);
    if (!l) {
        return;
    }
    l->closing = true;
    struct jsonrpc_conn *conn, *next;
    cds_list_for_each_entry_safe (conn, next, &server->conns, node) {
        if (conn->listener == l) {
            jsonrpc_conn_close(conn);
        }
    }
    jsonrpc_listener_destroy(l);
}

bool
jsonrpc_server_is_listening(const struct jsonrpc_server *server,
                            const char *name)
{
    return jsonrpc_server_find_listener(server, name) != NULL;
}

size_t
jsonrpc_server_count_conns_on(const struct jsonrpc_server *server,
                              const char *name)
{
    const struct jsonrpc_listener *l = jsonrpc_server_find_listener(server,
                                                                    name);
    size_t n = 0;
    struct jsonrpc_conn *conn;
    cds_list_for_each_entry (conn, &server->conns, node) {
        n += l && conn->listener == l;
    }
    return n;
}

int
jsonrpc_server_get_port(const struct jsonrpc_server *server,
                        const char *name)
{
    const struct jsonrpc_listener *l = jsonrpc_server_find_listener(server,
                                                                    name);
    return l && l->pstream ? pstream_get_port(l->pstream) : 0;
}

size_t
jsonrpc_server_count_conns(const struct jsonrpc_server *server)
{
    size_t n = 0;
    struct jsonrpc_conn *conn;
    cds_list_for_each_entry (conn, &server->conns, node) {
        n++;
    }
    return n;
}

int
jsonrpc_conn_send(struct jsonrpc_conn *conn, struct jsonrpc_msg *msg)
{
    return jsonrpc_conn_check_send(conn,
                                   jsonrpc_session_send(conn->session, msg));
}

void
jsonrpc_conn_close(struct jsonrpc_conn *conn)
{
    struct jsonrpc_session *session = conn->session;
    jsonrpc_conn_destroy(conn);
    jsonrpc_session_close(session);
}

void *
jsonrpc_conn_get_data(const struct jsonrpc_conn *conn)
{
    return conn->data;
}

void
jsonrpc_conn_set_data(struct jsonrpc_conn *conn, void *data)
{
    conn->data = data;
}

const char *
jsonrpc_conn_get_name(const struct jsonrpc_conn *conn)
{
    return jsonrpc_session_get_name(conn->session);
}

size_t
jsonrpc_conn_backlog(const struct jsonrpc_conn *conn)
{
    return jsonrpc_session_backlog(conn->session);
}
