/* One JSON-RPC connection: frames the byte stream into messages, hands
 * each to the owner, and sends messages back.
 *
 * A server-side session answers bad input itself, so that every request
 * gets a reply: a JSON value that is not a valid message gets an error
 * reply (with the request's id when it has one) and the session goes on;
 * bytes that are not JSON, or a message over the size limit, get an error
 * reply and the connection is closed, since the stream cannot be
 * resynchronised.  A client-side session just closes on bad input. */
#ifndef JSONRPC_SESSION_H
#define JSONRPC_SESSION_H 1

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>
#include "jsonrpc.h"

struct stream;
struct jsonrpc_session;

enum {
    JSONRPC_MAX_MSG_SIZE_DEFAULT = 32 * 1024 * 1024,
    /* Output waiting for a peer: past PAUSE bytes, its input waits too;
     * past MAX (settable), it is cut off. */
    JSONRPC_BACKLOG_PAUSE = 1024 * 1024,
    JSONRPC_MAX_BACKLOG_DEFAULT = 64 * 1024 * 1024,
};

struct jsonrpc_session_callbacks {
    /* A valid message arrived; the callee owns 'msg'.  May close the
     * session. */
    void (*on_msg)(struct jsonrpc_session *, struct jsonrpc_msg *msg);
    /* The connection ended (error 0: closed by the peer), broke, or had
     * to be closed for bad input (-EPROTO).  The session is destroyed
     * when this returns.  Not called after jsonrpc_session_close(). */
    void (*on_close)(struct jsonrpc_session *, int error);
};

/* Takes ownership of 'stream', which must be connected. */
struct jsonrpc_session *jsonrpc_session_create(
    struct stream *, const struct jsonrpc_session_callbacks *, void *aux,
    bool is_server);

/* Sends 'msg' and destroys it.  Returns 0 or a negative errno: -ENOBUFS
 * when the peer has not taken more than the maximum backlog, after which
 * nothing more is sent and the owner should close the session (not from
 * inside a callback of someone else's: it may be in the middle of a
 * database commit). */
int jsonrpc_session_send(struct jsonrpc_session *, struct jsonrpc_msg *msg);

/* Closes the connection after flushing what was sent, and destroys the
 * session (once no callback of it is running). */
void jsonrpc_session_close(struct jsonrpc_session *);

void *jsonrpc_session_get_aux(const struct jsonrpc_session *);
void jsonrpc_session_set_aux(struct jsonrpc_session *, void *aux);
const char *jsonrpc_session_get_name(const struct jsonrpc_session *);
size_t jsonrpc_session_backlog(const struct jsonrpc_session *);
void jsonrpc_session_set_max_msg_size(struct jsonrpc_session *, size_t);
void jsonrpc_session_set_max_backlog(struct jsonrpc_session *, size_t);

/* Inactivity probe, for connections over a network: after 'msec' with
 * nothing received, sends an "echo" request; after as long again with
 * still nothing, closes the connection (on_close with -ETIMEDOUT).  0
 * turns it off (the default). */
void jsonrpc_session_set_probe_interval(struct jsonrpc_session *,
                                        uv_loop_t *, int msec);

#endif /* jsonrpc-session.h */
