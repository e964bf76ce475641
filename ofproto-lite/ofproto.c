#include <config.h>
#include "ofproto-lite/ofproto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dpif/dpif.h"
#include "hash.h"
#include "hmap.h"
#include "netdev/netdev.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto);

struct ofport {
    struct hmap_node ofp_node;  /* In struct ofproto's 'ports'. */
    struct hmap_node odp_node;  /* In 'all_ports', by datapath port. */
    struct ofproto *ofproto;
    struct netdev *netdev;
    ofp_port_t ofp_port;
    odp_port_t odp_port;
};

struct ofproto {
    char *name;
    struct dpif *dpif;
    struct hmap ports;          /* struct ofport, by OpenFlow number. */
};

/* Every bridge's ports, by datapath port number: a miss names only the
 * datapath port, which tells the bridge. */
static struct hmap all_ports = HMAP_INITIALIZER(&all_ports);

static struct ofport *
ofport_from_odp(odp_port_t odp_port)
{
    struct ofport *port;
    HMAP_FOR_EACH_WITH_HASH (port, odp_node, hash_int(odp_port, 0),
                             &all_ports) {
        if (port->odp_port == odp_port) {
            return port;
        }
    }
    return NULL;
}

static struct ofport *
ofport_from_ofp(const struct ofproto *ofproto, ofp_port_t ofp_port)
{
    struct ofport *port;
    HMAP_FOR_EACH_WITH_HASH (port, ofp_node, hash_int(ofp_port, 0),
                             &ofproto->ports) {
        if (port->ofp_port == ofp_port) {
            return port;
        }
    }
    return NULL;
}

/* Translates a packet from 'in': for now, to every other port of the
 * bridge. */
static void
ofproto_upcall(const struct dpif_upcall *upcall, struct dp_actions *actions,
               void *aux)
{
    struct ofport *in = ofport_from_odp(upcall->in_port);
    if (!in) {
        return;                 /* A port being removed: drop. */
    }

    struct ofport *out;
    HMAP_FOR_EACH (out, ofp_node, &in->ofproto->ports) {
        if (out != in) {
            dp_actions_add_output(actions, out->odp_port);
        }
    }
}

void
ofproto_init(struct dpif *dpif)
{
    dpif_set_upcall_cb(dpif, ofproto_upcall, NULL);
}

struct ofproto *
ofproto_create(const char *name, struct dpif *dpif)
{
    struct ofproto *ofproto = xzalloc(sizeof *ofproto);
    ofproto->name = xstrdup(name);
    ofproto->dpif = dpif;
    hmap_init(&ofproto->ports);
    VLOG_INFO("%s: created bridge", name);
    return ofproto;
}

void
ofproto_destroy(struct ofproto *ofproto)
{
    if (!ofproto) {
        return;
    }
    struct ofport *port;
    HMAP_FOR_EACH (port, ofp_node, &ofproto->ports) {
        ofproto_port_del(ofproto, port->ofp_port);
    }
    hmap_destroy(&ofproto->ports);
    VLOG_INFO("%s: deleted bridge", ofproto->name);
    free(ofproto->name);
    free(ofproto);
}

const char *
ofproto_get_name(const struct ofproto *ofproto)
{
    return ofproto->name;
}

static ofp_port_t
ofproto_alloc_port_number(const struct ofproto *ofproto, ofp_port_t request)
{
    if (request && request < OFPP_MAX && !ofport_from_ofp(ofproto, request)) {
        return request;
    }
    for (ofp_port_t n = 1; n < OFPP_MAX; n++) {
        if (!ofport_from_ofp(ofproto, n)) {
            return n;
        }
    }
    return OFPP_NONE;
}

int
ofproto_port_add(struct ofproto *ofproto, struct netdev *netdev,
                 ofp_port_t request, ofp_port_t *ofp_portp)
{
    ofp_port_t ofp_port = (!strcmp(netdev_get_name(netdev), ofproto->name)
                           ? OFPP_LOCAL
                           : ofproto_alloc_port_number(ofproto, request));
    if (ofp_port == OFPP_NONE || ofport_from_ofp(ofproto, ofp_port)) {
        return -EFBIG;
    }

    odp_port_t odp_port;
    int error = dpif_port_add(ofproto->dpif, netdev, &odp_port);
    if (error) {
        return error;
    }

    struct ofport *port = xzalloc(sizeof *port);
    port->ofproto = ofproto;
    port->netdev = netdev;
    port->ofp_port = ofp_port;
    port->odp_port = odp_port;
    hmap_insert(&ofproto->ports, &port->ofp_node, hash_int(ofp_port, 0));
    hmap_insert(&all_ports, &port->odp_node, hash_int(odp_port, 0));
    *ofp_portp = ofp_port;
    VLOG_INFO("%s: added interface %s on port %u", ofproto->name,
              netdev_get_name(netdev), ofp_port);
    return 0;
}

void
ofproto_port_del(struct ofproto *ofproto, ofp_port_t ofp_port)
{
    struct ofport *port = ofport_from_ofp(ofproto, ofp_port);
    if (port) {
        VLOG_INFO("%s: deleted interface %s on port %u", ofproto->name,
                  netdev_get_name(port->netdev), ofp_port);
        dpif_port_del(ofproto->dpif, port->odp_port);
        hmap_remove(&ofproto->ports, &port->ofp_node);
        hmap_remove(&all_ports, &port->odp_node);
        free(port);
    }
}
