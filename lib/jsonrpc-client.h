/* A blocking JSON-RPC client for command-line tools: connect, send a
 * request, wait for its reply or for notifications, each bounded by a
 * deadline.  It runs its own private libuv loop, so it can be used from
 * any single thread. */
#ifndef JSONRPC_CLIENT_H
#define JSONRPC_CLIENT_H 1

#include "jsonrpc.h"

struct jsonrpc_client;

/* Connects to active stream 'name' ("unix:PATH", "tcp:IP:PORT").
 * 'deadline' is an absolute time_msec(), or LLONG_MAX.  Returns NULL and
 * sets '*errp' to a negative errno on failure. */
struct jsonrpc_client *jsonrpc_client_open(const char *name,
                                           long long deadline, int *errp);
void jsonrpc_client_close(struct jsonrpc_client *);

/* Sends a request for 'method' with 'params' (taken) and waits for its
 * reply, which the caller must destroy.  Notifications that arrive
 * meanwhile are queued for jsonrpc_client_recv().  Returns 0, -ETIMEDOUT,
 * or another negative errno if the connection broke. */
int jsonrpc_client_transact(struct jsonrpc_client *, const char *method,
                            json_t *params, long long deadline,
                            struct jsonrpc_msg **replyp);

/* Waits for the next notification.  Returns 0 with '*msgp' set, or a
 * negative errno as above. */
int jsonrpc_client_recv(struct jsonrpc_client *, long long deadline,
                        struct jsonrpc_msg **msgp);

#endif /* jsonrpc-client.h */
