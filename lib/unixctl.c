#include <config.h>
#include "unixctl.h"

#include <stdlib.h>
#include <string.h>
#include "coverage.h"
#include "dynamic-string.h"
#include "jsonrpc-server.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(unixctl);

struct unixctl_command {
    struct unixctl_command *next;   /* Sorted by name. */
    char *name;
    char *usage;
    int min_args, max_args;
    unixctl_cb_func *cb;
    void *aux;
};

/* The request being handled: commands reply through it. */
struct unixctl_conn {
    const json_t *id;
    struct jsonrpc_msg *reply;
};

struct unixctl_server {
    struct jsonrpc_server *rpc;
};

static struct unixctl_command *commands;

static struct unixctl_command *
unixctl_command_find(const char *name)
{
    for (struct unixctl_command *c = commands; c; c = c->next) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

void
unixctl_command_register(const char *name, const char *usage, int min_args,
                         int max_args, unixctl_cb_func *cb, void *aux)
{
    struct unixctl_command *c = unixctl_command_find(name);
    if (!c) {
        c = xzalloc(sizeof *c);
        c->name = xstrdup(name);
        struct unixctl_command **p = &commands;
        while (*p && strcmp((*p)->name, name) < 0) {
            p = &(*p)->next;
        }
        c->next = *p;
        *p = c;
    }
    free(c->usage);
    c->usage = xstrdup(usage);
    c->min_args = min_args;
    c->max_args = max_args;
    c->cb = cb;
    c->aux = aux;
}

static void
unixctl_reply__(struct unixctl_conn *conn, bool success, const char *body)
{
    if (conn->reply) {
        VLOG_ERR("a command replied twice");
        return;
    }
    json_t *text = json_string(body ? body : "");
    if (!text) {
        text = json_string("(reply is not valid UTF-8)");
    }
    conn->reply = (success ? jsonrpc_create_reply(text, conn->id)
                           : jsonrpc_create_error(text, conn->id));
}

void
unixctl_command_reply(struct unixctl_conn *conn, const char *body)
{
    unixctl_reply__(conn, true, body);
}

void
unixctl_command_reply_error(struct unixctl_conn *conn, const char *body)
{
    unixctl_reply__(conn, false, body);
}

static struct jsonrpc_msg *
unixctl_handle_request(struct jsonrpc_conn *rpc_conn,
                       const struct jsonrpc_msg *request, void *aux)
{
    struct unixctl_conn conn = { .id = request->id };
    struct unixctl_command *command = unixctl_command_find(request->method);
    size_t n_params = json_array_size(request->params);

    if (!command) {
        char *error = xasprintf("\"%s\" is not a valid command (use "
                                "\"list-commands\" to see a list of valid "
                                "commands)", request->method);
        unixctl_command_reply_error(&conn, error);
        free(error);
        return conn.reply;
    }

    const char **argv = xcalloc(n_params + 2, sizeof *argv);
    char *error = NULL;
    argv[0] = command->name;
    for (size_t i = 0; i < n_params; i++) {
        argv[i + 1] = json_string_value(json_array_get(request->params, i));
        if (!argv[i + 1]) {
            error = xstrdup("command arguments must be strings");
        }
    }
    if (error) {
        /* Reported below. */
    } else if ((int) n_params < command->min_args) {
        error = xasprintf("\"%s\" command requires at least %d arguments",
                          command->name, command->min_args);
    } else if ((int) n_params > command->max_args) {
        error = xasprintf("\"%s\" command takes at most %d arguments",
                          command->name, command->max_args);
    }

    if (error) {
        unixctl_command_reply_error(&conn, error);
        free(error);
    } else {
        command->cb(&conn, n_params + 1, argv, command->aux);
        if (!conn.reply) {
            VLOG_ERR("command %s did not reply", command->name);
            unixctl_command_reply_error(&conn, "internal error: no reply");
        }
    }
    free(argv);
    return conn.reply;
}

static void
unixctl_list_commands(struct unixctl_conn *conn, int argc, const char *argv[],
                      void *aux)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, "The available commands are:\n");
    for (struct unixctl_command *c = commands; c; c = c->next) {
        if (c->usage[0]) {
            ds_put_format(&s, "  %-23s %s\n", c->name, c->usage);
        } else {
            ds_put_format(&s, "  %s\n", c->name);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
unixctl_version(struct unixctl_conn *conn, int argc, const char *argv[],
                void *aux)
{
    char *body = xasprintf("%s (softswitch) %s\n", program_name,
                           PACKAGE_VERSION);
    unixctl_command_reply(conn, body);
    free(body);
}

static void
unixctl_vlog_set(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *aux)
{
    for (int i = 1; i < argc; i++) {
        char *error = vlog_set_levels_from_string(argv[i]);
        if (error) {
            unixctl_command_reply_error(conn, error);
            free(error);
            return;
        }
    }
    unixctl_command_reply(conn, NULL);
}

static void
unixctl_vlog_list(struct unixctl_conn *conn, int argc, const char *argv[],
                  void *aux)
{
    char *list = vlog_list();
    unixctl_command_reply(conn, list);
    free(list);
}

static void
unixctl_vlog_reopen(struct unixctl_conn *conn, int argc, const char *argv[],
                    void *aux)
{
    int error = vlog_reopen_log_file();
    if (error) {
        char *msg = xasprintf("could not reopen log file (%s)",
                              strerror(-error));
        unixctl_command_reply_error(conn, msg);
        free(msg);
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

static void
unixctl_coverage_show(struct unixctl_conn *conn, int argc,
                      const char *argv[], void *aux)
{
    char *body = coverage_show();
    unixctl_command_reply(conn, body);
    free(body);
}

static void
unixctl_register_builtins(void)
{
    unixctl_command_register("list-commands", "", 0, 0,
                             unixctl_list_commands, NULL);
    unixctl_command_register("help", "", 0, 0, unixctl_list_commands, NULL);
    unixctl_command_register("version", "", 0, 0, unixctl_version, NULL);
    unixctl_command_register("vlog/set", "{spec | module[:dest[:level]]}",
                             1, INT32_MAX, unixctl_vlog_set, NULL);
    unixctl_command_register("vlog/list", "", 0, 0, unixctl_vlog_list,
                             NULL);
    unixctl_command_register("vlog/reopen", "", 0, 0, unixctl_vlog_reopen,
                             NULL);
    unixctl_command_register("coverage/show", "", 0, 0,
                             unixctl_coverage_show, NULL);
}

int
unixctl_server_create(uv_loop_t *loop, const char *path,
                      struct unixctl_server **serverp)
{
    struct unixctl_server *server = xzalloc(sizeof *server);
    char *name = xasprintf("punix:%s", path);

    unixctl_register_builtins();
    server->rpc = jsonrpc_server_create(loop);
    jsonrpc_server_register(server->rpc, NULL, unixctl_handle_request,
                            server);
    int error = jsonrpc_server_listen(server->rpc, name);
    free(name);
    if (error) {
        jsonrpc_server_destroy(server->rpc);
        free(server);
        *serverp = NULL;
        return error;
    }
    *serverp = server;
    return 0;
}

void
unixctl_server_destroy(struct unixctl_server *server)
{
    if (server) {
        jsonrpc_server_destroy(server->rpc);
        free(server);
    }
}
