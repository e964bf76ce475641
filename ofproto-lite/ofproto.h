/* ofproto-lite: one OpenFlow-style switch per bridge, on top of the shared
 * datapath.  It numbers the bridge's ports the OpenFlow way (the bridge's
 * own port is LOCAL), and translates each packet the datapath asks about
 * into datapath actions.  For now the translation floods every frame to
 * every other port of its bridge; MAC learning and rule tables come with
 * the bridge pipeline.  Main thread only. */
#ifndef OFPROTO_H
#define OFPROTO_H 1

#include <stdint.h>

struct dpif;
struct netdev;
struct ofproto;

typedef uint32_t ofp_port_t;
enum {
    OFPP_MAX = 0xff00,          /* Highest ordinary port number + 1. */
    OFPP_LOCAL = 0xfffe,        /* The bridge's own port. */
    OFPP_NONE = 0xffff,
};

/* Makes ofproto-lite the decision maker for 'dpif''s misses. */
void ofproto_init(struct dpif *);

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

#endif /* ofproto.h */
