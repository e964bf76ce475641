#include <config.h>
#include "jsonrpc.h"

#include <stdlib.h>
#include <string.h>
#include "util.h"

static struct jsonrpc_msg *
jsonrpc_msg_create(enum jsonrpc_msg_type type, const char *method,
                   json_t *params, json_t *result, json_t *error, json_t *id)
{
    struct jsonrpc_msg *msg = xzalloc(sizeof *msg);
    msg->type = type;
    msg->method = method ? xstrdup(method) : NULL;
    msg->params = params;
    msg->result = result;
    msg->error = error;
    msg->id = id;
    return msg;
}

struct jsonrpc_msg *
jsonrpc_create_request(const char *method, json_t *params, json_t *id)
{
    return jsonrpc_msg_create(JSONRPC_REQUEST, method,
                              params ? params : json_array(), NULL, NULL, id);
}

struct jsonrpc_msg *
jsonrpc_create_notify(const char *method, json_t *params)
{
    return jsonrpc_msg_create(JSONRPC_NOTIFY, method,
                              params ? params : json_array(), NULL, NULL,
                              NULL);
}

struct jsonrpc_msg *
jsonrpc_create_reply(json_t *result, const json_t *id)
{
    return jsonrpc_msg_create(JSONRPC_REPLY, NULL, NULL,
                              result ? result : json_null(), NULL,
                              id ? json_deep_copy(id) : json_null());
}

struct jsonrpc_msg *
jsonrpc_create_error(json_t *error, const json_t *id)
{
    return jsonrpc_msg_create(JSONRPC_ERROR, NULL, NULL, NULL, error,
                              id ? json_deep_copy(id) : json_null());
}

struct jsonrpc_msg *
jsonrpc_create_error_details(const char *error, const char *details,
                             const json_t *id)
{
    json_t *e = json_pack("{s:s}", "error", error);
    if (details) {
        json_object_set_new(e, "details", json_string(details));
    }
    return jsonrpc_create_error(e, id);
}

void
jsonrpc_msg_destroy(struct jsonrpc_msg *msg)
{
    if (msg) {
        free(msg->method);
        json_decref(msg->params);
        json_decref(msg->result);
        json_decref(msg->error);
        json_decref(msg->id);
        free(msg);
    }
}

const char *
jsonrpc_msg_type_to_string(enum jsonrpc_msg_type type)
{
    switch (type) {
    case JSONRPC_REQUEST:
        return "request";
    case JSONRPC_NOTIFY:
        return "notification";
    case JSONRPC_REPLY:
        return "reply";
    case JSONRPC_ERROR:
        return "error";
    }
    return "unknown";
}

struct jsonrpc_msg *
jsonrpc_msg_from_json(const json_t *json, char **errorp)
{
    *errorp = NULL;
    if (!json_is_object(json)) {
        *errorp = xstrdup("message is not a JSON object");
        return NULL;
    }

    const json_t *method = json_object_get(json, "method");
    const json_t *params = json_object_get(json, "params");
    const json_t *result = json_object_get(json, "result");
    const json_t *error = json_object_get(json, "error");
    const json_t *id = json_object_get(json, "id");
    const char *key;
    json_t *value;

    json_object_foreach ((json_t *) json, key, value) {
        if (strcmp(key, "method") && strcmp(key, "params")
            && strcmp(key, "result") && strcmp(key, "error")
            && strcmp(key, "id")) {
            *errorp = xasprintf("message has unexpected member \"%s\"", key);
            return NULL;
        }
    }
    if (result && json_is_null(result)) {
        result = NULL;
    }
    if (error && json_is_null(error)) {
        error = NULL;
    }
    if (id && json_is_null(id)) {
        id = NULL;
    }

    if (method) {
        if (!json_is_string(method)) {
            *errorp = xstrdup("\"method\" is not a string");
        } else if (!json_is_array(params)) {
            *errorp = xstrdup("\"params\" is missing or not an array");
        } else if (result || error) {
            *errorp = xstrdup("request has \"result\" or \"error\"");
        } else {
            return jsonrpc_msg_create(
                id ? JSONRPC_REQUEST : JSONRPC_NOTIFY,
                json_string_value(method), json_incref((json_t *) params),
                NULL, NULL, id ? json_deep_copy(id) : NULL);
        }
        return NULL;
    }

    if (params) {
        *errorp = xstrdup("\"params\" without \"method\"");
    } else if (!id) {
        *errorp = xstrdup("reply has no \"id\"");
    } else if (error) {
        return jsonrpc_msg_create(JSONRPC_ERROR, NULL, NULL, NULL,
                                  json_deep_copy(error), json_deep_copy(id));
    } else if (json_object_get(json, "result")) {
        return jsonrpc_msg_create(JSONRPC_REPLY, NULL, NULL,
                                  json_deep_copy(json_object_get(json,
                                                                 "result")),
                                  NULL, json_deep_copy(id));
    } else {
        *errorp = xstrdup("message has no \"method\", \"result\" or "
                          "\"error\"");
    }
    return NULL;
}

json_t *
jsonrpc_msg_to_json(const struct jsonrpc_msg *msg)
{
    json_t *id = msg->id ? json_incref(msg->id) : json_null();

    switch (msg->type) {
    case JSONRPC_REQUEST:
    case JSONRPC_NOTIFY:
        return json_pack("{s:s, s:O, s:o}", "method", msg->method,
                         "params", msg->params, "id", id);
    case JSONRPC_REPLY:
        return json_pack("{s:o, s:O, s:n}", "id", id, "result",
                         msg->result, "error");
    case JSONRPC_ERROR:
        /* No "result" member, as Open vSwitch sends it. */
        return json_pack("{s:o, s:O}", "id", id, "error", msg->error);
    }
    SW_NOT_REACHED();
}

char *
jsonrpc_msg_to_string(const struct jsonrpc_msg *msg)
{
    json_t *json = jsonrpc_msg_to_json(msg);
    char *s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(json);
    return s ? s : xstrdup("<unprintable>");
}
