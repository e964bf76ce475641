/* Run-time control of a daemon over a unix socket (`sw-appctl`): modules
 * register named commands; each request names one and passes string
 * arguments; the reply is a text body or an error text.  Built in:
 * list-commands, help, version, vlog/set, vlog/list, vlog/reopen,
 * coverage/show.  Commands run on the main loop's thread and must reply
 * before they return. */
#ifndef UNIXCTL_H
#define UNIXCTL_H 1

#include <uv.h>

struct unixctl_server;
struct unixctl_conn;

typedef void unixctl_cb_func(struct unixctl_conn *, int argc,
                             const char *argv[], void *aux);

/* 'usage' describes the arguments, for list-commands.  argv[0] is the
 * command's name; argc - 1 is within [min_args, max_args]. */
void unixctl_command_register(const char *name, const char *usage,
                              int min_args, int max_args,
                              unixctl_cb_func *, void *aux);
void unixctl_command_reply(struct unixctl_conn *, const char *body);
void unixctl_command_reply_error(struct unixctl_conn *, const char *body);

/* Listens on unix socket 'path'.  Returns 0 or a negative errno. */
int unixctl_server_create(uv_loop_t *, const char *path,
                          struct unixctl_server **);
void unixctl_server_destroy(struct unixctl_server *);

#endif /* unixctl.h */
