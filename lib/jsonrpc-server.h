/* A JSON-RPC server: listens on any number of remotes, dispatches each
 * request to the handler registered for its method, and answers every
 * request, with an "unknown method" error if nobody handles it.  "echo"
 * is built in.  Runs on one libuv loop; not thread-safe. */
#ifndef JSONRPC_SERVER_H
#define JSONRPC_SERVER_H 1

#include <stdbool.h>
#include <uv.h>
#include "jsonrpc.h"

struct jsonrpc_server;
struct jsonrpc_conn;

/* Handles 'request' (a request or a notification).  Returns the reply to
 * send, or NULL to send none (for notifications, or when the handler has
 * sent one itself with jsonrpc_conn_send()).  Must not close the
 * connection. */
typedef struct jsonrpc_msg *jsonrpc_method_cb(struct jsonrpc_conn *,
                                              const struct jsonrpc_msg *,
                                              void *aux);

struct jsonrpc_server_hooks {
    void (*on_open)(struct jsonrpc_conn *, void *aux);   /* May be NULL. */
    void (*on_close)(struct jsonrpc_conn *, void *aux);  /* May be NULL. */
};

struct jsonrpc_server *jsonrpc_server_create(uv_loop_t *);
void jsonrpc_server_destroy(struct jsonrpc_server *);
void jsonrpc_server_set_hooks(struct jsonrpc_server *,
                              const struct jsonrpc_server_hooks *,
                              void *aux);
/* Registers the handler for 'method', or with 'method' NULL the handler
 * for methods that have none of their own. */
void jsonrpc_server_register(struct jsonrpc_server *, const char *method,
                             jsonrpc_method_cb *, void *aux);

/* Output waiting for one client above which it is cut off (see
 * jsonrpc_session_set_max_backlog()). */
void jsonrpc_server_set_max_backlog(struct jsonrpc_server *, size_t);

/* Starts listening on passive stream 'name'.  Returns 0 or a negative
 * errno.  Connections over a network get an inactivity probe (see
 * jsonrpc_session_set_probe_interval()) every 'probe_msec' (0: never);
 * jsonrpc_server_listen() gives them OVS's default, 5 s, and unix socket
 * connections none. */
enum { JSONRPC_PROBE_DEFAULT_MSEC = 5000 };
int jsonrpc_server_listen(struct jsonrpc_server *, const char *name);
int jsonrpc_server_listen_probe(struct jsonrpc_server *, const char *name,
                                int probe_msec);
/* Connects to active stream 'name' ("tcp:", "ssl:", "unix:") and serves
 * whoever is there as a client, connecting again after a backoff of 1 to
 * 8 s whenever the connection fails or ends.  Returns 0 or a negative
 * errno (a bad name).  jsonrpc_server_unlisten() stops it. */
int jsonrpc_server_connect(struct jsonrpc_server *, const char *name,
                           int probe_msec);
/* Why the last attempt of active remote 'name' failed, or NULL. */
const char *jsonrpc_server_get_error(const struct jsonrpc_server *,
                                     const char *name);
/* For the connections that 'name' accepts from now on. */
void jsonrpc_server_set_probe(struct jsonrpc_server *, const char *name,
                              int probe_msec);
/* Stops listening on 'name' and closes the connections it accepted. */
void jsonrpc_server_unlisten(struct jsonrpc_server *, const char *name);
bool jsonrpc_server_is_listening(const struct jsonrpc_server *,
                                 const char *name);
size_t jsonrpc_server_count_conns_on(const struct jsonrpc_server *,
                                     const char *name);
/* The port bound by a "ptcp:" remote (for port 0), or 0. */
int jsonrpc_server_get_port(const struct jsonrpc_server *, const char *name);
size_t jsonrpc_server_count_conns(const struct jsonrpc_server *);

/* Sends 'msg' (and destroys it) on 'conn'.  Returns 0 or -errno.  A
 * client that does not read what it is sent gets disconnected, soon
 * after (not from inside this call). */
int jsonrpc_conn_send(struct jsonrpc_conn *, struct jsonrpc_msg *);
void jsonrpc_conn_close(struct jsonrpc_conn *);
void *jsonrpc_conn_get_data(const struct jsonrpc_conn *);
void jsonrpc_conn_set_data(struct jsonrpc_conn *, void *);
const char *jsonrpc_conn_get_name(const struct jsonrpc_conn *);
size_t jsonrpc_conn_backlog(const struct jsonrpc_conn *);

#endif /* jsonrpc-server.h */
