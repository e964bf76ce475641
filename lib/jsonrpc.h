/* JSON-RPC 1.0 messages as RFC 7047 uses them: requests, notifications,
 * replies and error replies, converted to and from jansson values with
 * full validation of the message's shape. */
#ifndef JSONRPC_H
#define JSONRPC_H 1

#include <jansson.h>

enum jsonrpc_msg_type {
    JSONRPC_REQUEST,        /* "method", "params", "id". */
    JSONRPC_NOTIFY,         /* "method", "params", "id": null. */
    JSONRPC_REPLY,          /* "result", "error": null, "id". */
    JSONRPC_ERROR,          /* "result": null, "error", "id". */
};

struct jsonrpc_msg {
    enum jsonrpc_msg_type type;
    char *method;           /* Request and notify. */
    json_t *params;         /* Request and notify: always an array. */
    json_t *result;         /* Reply. */
    json_t *error;          /* Error. */
    json_t *id;             /* Request, reply, error; NULL for notify. */
};

/* Constructors take ownership of the json_t arguments. */
struct jsonrpc_msg *jsonrpc_create_request(const char *method,
                                           json_t *params, json_t *id);
struct jsonrpc_msg *jsonrpc_create_notify(const char *method,
                                          json_t *params);
struct jsonrpc_msg *jsonrpc_create_reply(json_t *result, const json_t *id);
struct jsonrpc_msg *jsonrpc_create_error(json_t *error, const json_t *id);

/* An error reply whose "error" is {"error": ERROR, "details": DETAILS}, as
 * OVSDB sends.  'details' may be NULL. */
struct jsonrpc_msg *jsonrpc_create_error_details(const char *error,
                                                 const char *details,
                                                 const json_t *id);

void jsonrpc_msg_destroy(struct jsonrpc_msg *);

/* Validates 'json' as a message.  On success returns the message (taking
 * no reference to 'json') and sets '*errorp' to NULL; otherwise returns
 * NULL and sets '*errorp' to a description to free(). */
struct jsonrpc_msg *jsonrpc_msg_from_json(const json_t *json, char **errorp);
json_t *jsonrpc_msg_to_json(const struct jsonrpc_msg *);

const char *jsonrpc_msg_type_to_string(enum jsonrpc_msg_type);

/* 'msg' as compact JSON text, for logs; free(). */
char *jsonrpc_msg_to_string(const struct jsonrpc_msg *);

#endif /* jsonrpc.h */
