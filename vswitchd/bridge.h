/* The bridge layer of sw-vswitchd: makes the running switch match the
 * config DB.  After every change to the DB (from any client) it
 * reconfigures: creates and deletes bridges, opens, configures and closes
 * ports, and writes back what happened (Interface.ofport, or -1 and
 * Interface.error, and Open_vSwitch.cur_cfg once a change is applied).
 * It also writes port statistics and status now and then.  Main thread
 * only. */
#ifndef VSWITCHD_BRIDGE_H
#define VSWITCHD_BRIDGE_H 1

#include <uv.h>

struct db;
struct dpif;

void bridge_init(uv_loop_t *, struct db *, struct dpif *);
void bridge_exit(void);

#endif /* bridge.h */
