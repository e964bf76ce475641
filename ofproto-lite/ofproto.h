/* ofproto-lite: one OpenFlow-style switch per bridge, on top of the
 * shared datapath.  It numbers the bridge's ports the OpenFlow way (the
 * bridge's own port is LOCAL), keeps the bridge's rule tables (a new
 * bridge has "priority=0 actions=NORMAL") and MAC learning table,
 * translates the packets the datapath asks about into megaflows, and
 * revalidates those megaflows when rules, ports or learned addresses
 * change, or when they sit idle.
 *
 * Control functions are for the main thread; translation runs on
 * datapath threads too. */
#ifndef OFPROTO_H
#define OFPROTO_H 1

#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "match.h"

struct dpif;
struct netdev;
struct ofproto;

typedef uint32_t ofp_port_t;

/* Port.vlan_mode, as in Open vSwitch. */
enum port_vlan_mode {
    PORT_VLAN_ACCESS,           /* Untagged in VLAN 'tag'. */
    PORT_VLAN_TRUNK,            /* Tagged, VLANs in 'trunks' (all if
                                 * none); untagged frames are VLAN 0. */
    PORT_VLAN_NATIVE_TAGGED,    /* Trunk; untagged frames join 'tag',
                                 * which leaves tagged. */
    PORT_VLAN_NATIVE_UNTAGGED,  /* Trunk; 'tag' in and out untagged. */
};

struct ofproto_port_vlan {
    enum port_vlan_mode mode;
    int tag;                    /* -1: none. */
    const int64_t *trunks;      /* VLANs; none means all. */
    size_t n_trunks;
};

/* Makes ofproto-lite the decision maker for 'dpif''s misses and starts
 * its timers on 'loop'. */
void ofproto_init(struct dpif *, uv_loop_t *);
void ofproto_exit(void);

struct ofproto *ofproto_create(const char *name, struct dpif *);
void ofproto_destroy(struct ofproto *);
const char *ofproto_get_name(const struct ofproto *);

/* Adds 'netdev' (still owned by the caller) to the bridge.  The port
 * named like the bridge gets OFPP_LOCAL; others get 'request' if it is
 * free (0 for no preference), else the lowest free number.  Returns 0
 * with '*ofp_portp' set, or a negative errno. */
int ofproto_port_add(struct ofproto *, struct netdev *, ofp_port_t request,
                     ofp_port_t *ofp_portp);
void ofproto_port_del(struct ofproto *, ofp_port_t);
void ofproto_port_set_vlan(struct ofproto *, ofp_port_t,
                           const struct ofproto_port_vlan *);

/* Between ofproto_defer_begin() and ofproto_defer_end(), ports added and
 * VLAN settings changed reach packet translation all at once, at the end:
 * the translation's configuration is rebuilt once, not once per port, as
 * the bridge reconfigures many ports.  Deleted ports leave at once. */
void ofproto_defer_begin(void);
void ofproto_defer_end(void);

/* other_config:mac-aging-time and mac-table-size. */
void ofproto_set_mac_learning(struct ofproto *, unsigned int aging_sec,
                              unsigned int max_entries);

/* Open_vSwitch other_config:max-idle (ms) for megaflows. */
void ofproto_set_max_idle(unsigned int msec);

/* Runs periodic work now (after a time warp, so tests need not wait). */
void ofproto_run(void);

#endif /* ofproto.h */
