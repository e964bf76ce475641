#include <config.h>
#include "jsonrpc-session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "coverage.h"
#include "json-stream.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc);

COVERAGE_DEFINE(jsonrpc_bad_json);
COVERAGE_DEFINE(jsonrpc_bad_msg);
COVERAGE_DEFINE(jsonrpc_truncated);
COVERAGE_DEFINE(jsonrpc_probe_timeout);

struct jsonrpc_session {
    struct stream *stream;
    struct json_stream *framer;
    size_t max_msg_size;
    size_t max_backlog;
    bool overflowed;            /* The backlog passed 'max_backlog'. */
    const struct jsonrpc_session_callbacks *cb;
    void *aux;
    bool is_server;
    bool closed;                /* jsonrpc_session_close() was called. */
    unsigned int busy;          /* Callbacks of ours on the stack. */

    /* Inactivity probe (jsonrpc_session_set_probe_interval()). */
    uv_timer_t *probe_timer;    /* NULL if off. */
    int probe_interval;         /* Milliseconds. */
    long long last_input;       /* time_msec() of the last bytes read. */
    long long probe_sent;       /* When our "echo" went, 0 if none. */
    size_t probe_backlog;       /* Output still queued then. */
};

static struct vlog_rate_limit bad_input_rl = VLOG_RATE_LIMIT_INIT(30, 30);

static const struct stream_callbacks jsonrpc_stream_callbacks;

struct jsonrpc_session *
jsonrpc_session_create(struct stream *stream,
                       const struct jsonrpc_session_callbacks *cb, void *aux,
                       bool is_server)
{
    struct jsonrpc_session *s = xzalloc(sizeof *s);
    s->stream = stream;
    s->max_msg_size = JSONRPC_MAX_MSG_SIZE_DEFAULT;
    s->max_backlog = JSONRPC_MAX_BACKLOG_DEFAULT;
    s->framer = json_stream_create(s->max_msg_size);
    s->cb = cb;
    s->aux = aux;
    s->is_server = is_server;
    stream_set_aux(stream, s);
    stream_start(stream, &jsonrpc_stream_callbacks);
    return s;
}

static void
free_timer(uv_handle_t *timer)
{
    free(timer);
}

static void
jsonrpc_session_stop_probe(struct jsonrpc_session *s)
{
    if (s->probe_timer) {
        uv_close((uv_handle_t *) s->probe_timer, free_timer);
        s->probe_timer = NULL;
    }
}

static void
jsonrpc_session_free(struct jsonrpc_session *s)
{
    jsonrpc_session_stop_probe(s);
    json_stream_destroy(s->framer);
    free(s);
}

/* Closes the connection; the memory goes when no callback is running. */
static void
jsonrpc_session_mark_closed(struct jsonrpc_session *s)
{
    if (!s->closed) {
        s->closed = true;
        stream_close(s->stream, true);
    }
}

void
jsonrpc_session_close(struct jsonrpc_session *s)
{
    if (s && !s->closed) {
        jsonrpc_session_mark_closed(s);
        if (!s->busy) {
            jsonrpc_session_free(s);
        }
    }
}

void
jsonrpc_session_set_max_backlog(struct jsonrpc_session *s, size_t max)
{
    s->max_backlog = max;
}

void
jsonrpc_session_set_max_msg_size(struct jsonrpc_session *s, size_t max)
{
    s->max_msg_size = max;
    json_stream_destroy(s->framer);
    s->framer = json_stream_create(max);
}

int
jsonrpc_session_send(struct jsonrpc_session *s, struct jsonrpc_msg *msg)
{
    if (s->closed || s->overflowed) {
        jsonrpc_msg_destroy(msg);
        return s->closed ? -EPIPE : -ENOBUFS;
    }
    if (stream_backlog(s->stream) > s->max_backlog) {
        VLOG_WARN_RL(&bad_input_rl, "%s: more than %zu bytes wait for the "
                     "peer to read them: giving up on it",
                     stream_get_name(s->stream), s->max_backlog);
        s->overflowed = true;
        stream_pause(s->stream);
        jsonrpc_msg_destroy(msg);
        return -ENOBUFS;
    }

    json_t *json = jsonrpc_msg_to_json(msg);
    char *text = json_dumps(json, JSON_COMPACT);
    json_decref(json);
    if (!text) {
        /* Only a bug can get here (jansson refuses invalid UTF-8). */
        VLOG_ERR("%s: cannot encode a %s as JSON",
                 stream_get_name(s->stream),
                 jsonrpc_msg_type_to_string(msg->type));
        jsonrpc_msg_destroy(msg);
        return -EINVAL;
    }
    if (vlog_is_enabled(&this_module, VLL_DBG)) {
        VLOG_DBG("%s: send %s %s", stream_get_name(s->stream),
                 jsonrpc_msg_type_to_string(msg->type), text);
    }
    jsonrpc_msg_destroy(msg);

    int error = stream_write(s->stream, text, strlen(text));
    free(text);
    return error;
}

/* Ends the session on our side: tells the owner, who forgets it, then
 * closes.  For input we cannot go on with; only from our own callbacks,
 * which free the session when they are done. */
static void
jsonrpc_session_fail(struct jsonrpc_session *s, int error)
{
    if (!s->closed) {
        s->cb->on_close(s, error);
        jsonrpc_session_mark_closed(s);
    }
}

/* Answers input that is not a valid message, on a server session. */
static void
jsonrpc_session_reply_bad_input(struct jsonrpc_session *s, const char *why,
                                const json_t *id)
{
    if (s->is_server) {
        jsonrpc_session_send(s, jsonrpc_create_error_details(
                                    "syntax error", why, id));
    }
}

static void
jsonrpc_session_handle_value(struct jsonrpc_session *s, json_t *json)
{
    char *error;
    struct jsonrpc_msg *msg = jsonrpc_msg_from_json(json, &error);

    if (!msg) {
        COVERAGE_INC(jsonrpc_bad_msg);
        VLOG_WARN_RL(&bad_input_rl, "%s: received bad JSON-RPC message: %s",
                     stream_get_name(s->stream), error);
        const json_t *id = json_is_object(json) ? json_object_get(json, "id")
                                                : NULL;
        jsonrpc_session_reply_bad_input(s, error, id);
        if (!s->is_server) {
            jsonrpc_session_fail(s, -EPROTO);
        }
        free(error);
        return;
    }

    if (vlog_is_enabled(&this_module, VLL_DBG)) {
        char *text = json_dumps(json, JSON_COMPACT);
        VLOG_DBG("%s: received %s %s", stream_get_name(s->stream),
                 jsonrpc_msg_type_to_string(msg->type), text);
        free(text);
    }
    s->cb->on_msg(s, msg);
}

static void
jsonrpc_session_on_read(struct stream *stream, const char *data, size_t n)
{
    struct jsonrpc_session *s = stream_get_aux(stream);

    s->last_input = time_msec();
    s->probe_sent = 0;
    s->busy++;
    while (n > 0 && !s->closed) {
        size_t used = json_stream_feed(s->framer, data, n);
        data += used;
        n -= used;

        json_t *json = json_stream_take(s->framer);
        if (json) {
            jsonrpc_session_handle_value(s, json);
            json_decref(json);
        } else if (json_stream_error(s->framer)) {
            const char *error = json_stream_error(s->framer);
            COVERAGE_INC(jsonrpc_bad_json);
            VLOG_WARN_RL(&bad_input_rl, "%s: closing connection: %s",
                         stream_get_name(stream), error);
            jsonrpc_session_reply_bad_input(s, error, NULL);
            jsonrpc_session_fail(s, -EPROTO);
        }
    }
    /* A peer that sends faster than it reads waits for its replies. */
    if (!s->closed && stream_backlog(stream) > JSONRPC_BACKLOG_PAUSE) {
        stream_pause(stream);
    }
    if (!--s->busy && s->closed) {
        jsonrpc_session_free(s);
    }
}

static void
jsonrpc_session_on_drained(struct stream *stream)
{
    struct jsonrpc_session *s = stream_get_aux(stream);
    if (!s->overflowed) {
        stream_resume(stream);
    }
}

static void
jsonrpc_session_on_eof(struct stream *stream, int error)
{
    struct jsonrpc_session *s = stream_get_aux(stream);

    if (json_stream_in_text(s->framer)) {
        COVERAGE_INC(jsonrpc_truncated);
        VLOG_INFO_RL(&bad_input_rl, "%s: connection closed in the middle "
                     "of a message", stream_get_name(stream));
    } else if (error) {
        VLOG_DBG("%s: connection failed: %s", stream_get_name(stream),
                 uv_strerror(error));
    }

    s->busy++;
    s->cb->on_close(s, error);
    s->busy--;
    if (!s->closed) {
        s->closed = true;
        stream_close(s->stream, false);
    }
    if (!s->busy) {
        jsonrpc_session_free(s);
    }
}

static void jsonrpc_session_probe(uv_timer_t *);

static void
jsonrpc_session_arm_probe(struct jsonrpc_session *s, long long when)
{
    long long delay = when - time_msec();
    uv_timer_start(s->probe_timer, jsonrpc_session_probe, MAX(delay, 1), 0);
}

/* Runs when the connection may have been idle for a probe interval: it
 * sends a probe, or gives up on a peer that did not answer the last, or
 * (when input came meanwhile) waits again. */
static void
jsonrpc_session_probe(uv_timer_t *timer)
{
    struct jsonrpc_session *s = timer->data;
    long long now = time_msec();

    if (s->closed) {
        return;
    }
    if (!s->probe_sent) {
        long long due = s->last_input + s->probe_interval;
        if (now < due) {
            jsonrpc_session_arm_probe(s, due);
            return;
        }
        s->probe_sent = now;
        s->probe_backlog = stream_backlog(s->stream);
        jsonrpc_session_arm_probe(s, now + s->probe_interval);
        jsonrpc_session_send(s, jsonrpc_create_request(
                                 "echo", json_array(), json_string("echo")));
    } else if (now >= s->probe_sent + s->probe_interval
               && stream_backlog(s->stream) < s->probe_backlog) {
        /* No answer yet, but the peer is reading what we sent it (a big
         * dump, while we stopped reading its input): alive. */
        s->probe_sent = 0;
        s->last_input = now;
        jsonrpc_session_arm_probe(s, now + s->probe_interval);
    } else if (now >= s->probe_sent + s->probe_interval) {
        COVERAGE_INC(jsonrpc_probe_timeout);
        VLOG_WARN_RL(&bad_input_rl, "%s: no response to inactivity probe "
                     "after %.3g seconds, disconnecting",
                     stream_get_name(s->stream),
                     (now - s->last_input) / 1000.0);
        s->busy++;
        jsonrpc_session_fail(s, -ETIMEDOUT);
        if (!--s->busy) {
            jsonrpc_session_free(s);
        }
    } else {
        jsonrpc_session_arm_probe(s, s->probe_sent + s->probe_interval);
    }
}

void
jsonrpc_session_set_probe_interval(struct jsonrpc_session *s,
                                   uv_loop_t *loop, int msec)
{
    jsonrpc_session_stop_probe(s);
    s->probe_interval = msec;
    if (msec > 0) {
        s->probe_timer = xmalloc(sizeof *s->probe_timer);
        uv_timer_init(loop, s->probe_timer);
        s->probe_timer->data = s;
        s->last_input = time_msec();
        s->probe_sent = 0;
        jsonrpc_session_arm_probe(s, s->last_input + msec);
    }
}

static const struct stream_callbacks jsonrpc_stream_callbacks = {
    .on_read = jsonrpc_session_on_read,
    .on_eof = jsonrpc_session_on_eof,
    .on_drained = jsonrpc_session_on_drained,
};

void *
jsonrpc_session_get_aux(const struct jsonrpc_session *s)
{
    return s->aux;
}

void
jsonrpc_session_set_aux(struct jsonrpc_session *s, void *aux)
{
    s->aux = aux;
}

const char *
jsonrpc_session_get_name(const struct jsonrpc_session *s)
{
    return stream_get_name(s->stream);
}

size_t
jsonrpc_session_backlog(const struct jsonrpc_session *s)
{
    return stream_backlog(s->stream);
}
