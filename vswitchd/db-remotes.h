/* The config DB's remotes from its Manager table, as "ovs-vsctl
 * set-manager ptcp:6640" configures them: sw-vswitchd listens on each
 * passive target of Open_vSwitch.manager_options (with the Manager row's
 * inactivity_probe for the connections it accepts), stops when the row
 * goes, and writes back is_connected and status. */
#ifndef DB_REMOTES_H
#define DB_REMOTES_H 1

#include <uv.h>

struct db;
struct jsonrpc_server;

void db_remotes_init(uv_loop_t *, struct db *, struct jsonrpc_server *);
void db_remotes_exit(void);

#endif /* db-remotes.h */
