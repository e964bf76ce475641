#include <config.h>
#include "jsonrpc-client.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <urcu/list.h>
#include "jsonrpc-session.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"

struct queued_msg {
    struct cds_list_head node;
    struct jsonrpc_msg *msg;
};

struct jsonrpc_client {
    uv_loop_t loop;
    uv_timer_t timer;
    struct stream *stream;      /* Until connected. */
    struct jsonrpc_session *session;
    int connect_error;
    bool connected;
    int error;                  /* Set when the connection ends. */
    long long next_id;
    struct cds_list_head queue; /* Received, not yet taken. */
};

static void
client_on_connect(struct stream *stream, int error)
{
    struct jsonrpc_client *c = stream_get_aux(stream);
    c->connected = true;
    c->connect_error = error;
}

static void
client_on_msg(struct jsonrpc_session *session, struct jsonrpc_msg *msg)
{
    struct jsonrpc_client *c = jsonrpc_session_get_aux(session);
    if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
        jsonrpc_session_send(session, jsonrpc_create_reply(
                                          json_incref(msg->params),
                                          msg->id));
        jsonrpc_msg_destroy(msg);
        return;
    }
    struct queued_msg *q = xmalloc(sizeof *q);
    q->msg = msg;
    cds_list_add_tail(&q->node, &c->queue);
}

static void
client_on_close(struct jsonrpc_session *session, int error)
{
    struct jsonrpc_client *c = jsonrpc_session_get_aux(session);
    c->error = error ? error : -ECONNRESET;
    c->session = NULL;
}

static const struct jsonrpc_session_callbacks client_session_cb = {
    .on_msg = client_on_msg,
    .on_close = client_on_close,
};

static void
client_on_timer(uv_timer_t *timer)
{
    /* Only wakes up uv_run(). */
}

/* Runs the loop once, waiting at most until 'deadline'.  Returns false if
 * the deadline has passed. */
static bool
client_run_once(struct jsonrpc_client *c, long long deadline)
{
    long long now = time_msec();
    if (now >= deadline) {
        return false;
    }
    if (deadline != LLONG_MAX) {
        uv_timer_start(&c->timer, client_on_timer, deadline - now, 0);
    }
    uv_run(&c->loop, UV_RUN_ONCE);
    uv_timer_stop(&c->timer);
    return true;
}

struct jsonrpc_client *
jsonrpc_client_open(const char *name, long long deadline, int *errp)
{
    struct jsonrpc_client *c = xzalloc(sizeof *c);
    uv_loop_init(&c->loop);
    uv_timer_init(&c->loop, &c->timer);
    CDS_INIT_LIST_HEAD(&c->queue);

    int error = stream_open(&c->loop, name, client_on_connect, c,
                            &c->stream);
    while (!error && !c->connected) {
        if (!client_run_once(c, deadline)) {
            error = -ETIMEDOUT;
        }
    }
    if (!error) {
        error = c->connect_error;
    }
    if (error) {
        jsonrpc_client_close(c);
        *errp = error;
        return NULL;
    }
    c->session = jsonrpc_session_create(c->stream, &client_session_cb, c,
                                        false);
    c->stream = NULL;
    *errp = 0;
    return c;
}

void
jsonrpc_client_close(struct jsonrpc_client *c)
{
    if (!c) {
        return;
    }
    if (c->session) {
        jsonrpc_session_close(c->session);
    }
    if (c->stream) {
        stream_close(c->stream, false);
    }
    struct queued_msg *q, *next;
    cds_list_for_each_entry_safe (q, next, &c->queue, node) {
        jsonrpc_msg_destroy(q->msg);
        free(q);
    }
    uv_close((uv_handle_t *) &c->timer, NULL);
    uv_run(&c->loop, UV_RUN_DEFAULT);  /* Lets the closes finish. */
    uv_loop_close(&c->loop);
    free(c);
}

/* Takes the first queued message that 'match' accepts. */
static struct jsonrpc_msg *
client_take(struct jsonrpc_client *c, bool (*match)(const struct jsonrpc_msg *,
                                                    const json_t *),
            const json_t *id)
{
    struct queued_msg *q;
    cds_list_for_each_entry (q, &c->queue, node) {
        if (match(q->msg, id)) {
            struct jsonrpc_msg *msg = q->msg;
            cds_list_del(&q->node);
            free(q);
            return msg;
        }
    }
    return NULL;
}

static bool
is_reply_to(const struct jsonrpc_msg *msg, const json_t *id)
{
    return ((msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR)
            && json_equal(msg->id, (json_t *) id));
}

static bool
is_notification(const struct jsonrpc_msg *msg, const json_t *id)
{
    return msg->type == JSONRPC_NOTIFY;
}

static int
client_wait(struct jsonrpc_client *c, long long deadline,
            bool (*match)(const struct jsonrpc_msg *, const json_t *),
            const json_t *id, struct jsonrpc_msg **msgp)
{
    for (;;) {
        *msgp = client_take(c, match, id);
        if (*msgp) {
            return 0;
        }
        if (!c->session) {
            return c->error;
        }
        if (!client_run_once(c, deadline)) {
            return -ETIMEDOUT;
        }
    }
}

int
jsonrpc_client_transact(struct jsonrpc_client *c, const char *method,
                        json_t *params, long long deadline,
                        struct jsonrpc_msg **replyp)
{
    *replyp = NULL;
    if (!c->session) {
        json_decref(params);
        return c->error;
    }

    json_t *id = json_integer(c->next_id++);
    int error = jsonrpc_session_send(c->session, jsonrpc_create_request(
                                                     method, params,
                                                     json_incref(id)));
    if (!error) {
        error = client_wait(c, deadline, is_reply_to, id, replyp);
    }
    json_decref(id);
    return error;
}

int
jsonrpc_client_recv(struct jsonrpc_client *c, long long deadline,
                    struct jsonrpc_msg **msgp)
{
    return client_wait(c, deadline, is_notification, NULL, msgp);
}
