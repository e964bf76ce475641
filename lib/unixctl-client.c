#include <config.h>
#include "unixctl-client.h"

#include <errno.h>
#include <string.h>
#include "dirs.h"
#include "jsonrpc-client.h"
#include "util.h"

char *
unixctl_target_to_stream(const char *target)
{
    if (str_starts_with(target, "unix:")) {
        return xstrdup(target);
    }
    if (strchr(target, '/')) {
        return xasprintf("unix:%s", target);
    }
    return xasprintf("unix:%s/%s.ctl", sw_rundir(), target);
}

int
unixctl_client_call(const char *target, const char *command, int argc,
                    const char *const argv[], long long deadline,
                    char **result, char **error)
{
    *result = *error = NULL;
    char *stream = unixctl_target_to_stream(target);
    int err;
    struct jsonrpc_client *client = jsonrpc_client_open(stream, deadline,
                                                        &err);
    free(stream);
    if (!client) {
        return err;
    }

    json_t *params = json_array();
    for (int i = 0; i < argc; i++) {
        json_array_append_new(params, json_string(argv[i]));
    }
    struct jsonrpc_msg *reply;
    err = jsonrpc_client_transact(client, command, params, deadline, &reply);
    if (!err) {
        if (reply->type == JSONRPC_ERROR) {
            const char *text = json_string_value(reply->error);
            *error = xstrdup(text ? text : "(malformed error reply)");
        } else {
            const char *text = json_string_value(reply->result);
            *result = xstrdup(text ? text : "");
        }
        jsonrpc_msg_destroy(reply);
    }
    jsonrpc_client_close(client);
    return err;
}
