/* A tunnel port's part in the kernel fast path (netdev/xdp-fastpath.h):
 * where its header is the same for every packet and its underlay is
 * IPv4 toward one remote, frames from and to it can be encapsulated and
 * decapsulated by the tc programs, never reaching the daemon.  Anything
 * else about the port stays in userspace: learning, lists of remotes,
 * key=flow, inherited TOS or TTL, checksums, GRE sequence numbers,
 * Geneve options (their packets go to the socket), IPv6 underlays. */
#include <config.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "netdev/netdev-tunnel.h"
#include "netdev/xdp-fastpath.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(tnl_fastpath);

/* Why 'port' cannot take part, or NULL if it can. */
static const char *
tnl_fastpath_unfit(const struct netdev_tunnel *port)
{
    const struct tnl_config *cfg = &port->cfg;
    if (cfg->family != AF_INET) {
        return "IPv6 underlay";
    } else if (cfg->n_remotes != 1) {
        return "not one remote_ip";
    } else if (cfg->key_flow) {
        return "key=flow";
    } else if (cfg->ttl < 0 || cfg->tos < 0) {
        return "inherited ttl or tos";
    } else if (cfg->csum || cfg->seq) {
        return "checksums or sequence numbers";
    }
    return NULL;
}

/* The header every packet of 'port' gets, as its class builds it. */
static size_t
tnl_fastpath_header(struct netdev_tunnel *port, uint8_t hdr[8])
{
    size_t len = port->proto->header_len(&port->cfg);
    if (len > 8) {
        return 0;
    }
    struct dp_packet *p = dp_packet_new_tail(len, 0);
    port->proto->push_header(port, p, port->cfg.key);
    len = p->size;
    if (len <= 8) {
        memcpy(hdr, dp_packet_data(p), len);
    }
    dp_packet_delete(p);
    return len <= 8 ? len : 0;
}

void
tnl_fastpath_open(struct netdev_tunnel *port)
{
    free(port->fastpath_status);
    port->fastpath_status = NULL;
    const char *unfit = tnl_fastpath_unfit(port);
    if (unfit) {
        port->fastpath_status = xasprintf("no (%s)", unfit);
        return;
    }

    const struct tnl_config *cfg = &port->cfg;
    struct swxdp_tunnel_config fc = {
        .dst_port = cfg->dst_port,
        .ip_proto = port->proto->ip_proto,
        .ttl = cfg->ttl,
        .tos = cfg->tos,
        .df = cfg->df,
    };
    memcpy(&fc.remote, &cfg->remotes[0].s6_addr[12], 4);
    if (cfg->has_local) {
        memcpy(&fc.local, &cfg->local.s6_addr[12], 4);
    }
    fc.hdr_len = tnl_fastpath_header(port, fc.hdr);
    int max_len = port->underlay_mtu - (int) netdev_tunnel_overhead(port);
    fc.max_len = max_len > 0 && max_len <= UINT16_MAX ? max_len : 0;

    char *why = NULL;
    int error = swxdp_tunnel_open(&fc, &port->fastpath, &why);
    if (error) {
        VLOG_INFO("%s: no kernel fast path (%s)", port->up.name,
                  why ? why : strerror(-error));
        port->fastpath_status = xasprintf("no (%s)",
                                          why ? why : strerror(-error));
    }
    free(why);
}

void
tnl_fastpath_close(struct netdev_tunnel *port)
{
    swxdp_device_close(port->fastpath);
    port->fastpath = NULL;
    free(port->fastpath_status);
    port->fastpath_status = NULL;
}

const char *
tnl_fastpath_status(const struct netdev_tunnel *port)
{
    return (port->fastpath_status ? port->fastpath_status
            : port->fastpath && swxdp_device_has_tc(port->fastpath) ? "yes"
            : port->fastpath ? "no (no route to the remote)"
            : NULL);
}

const struct swxdp_device *
netdev_tunnel_get_fastpath(const struct netdev *netdev)
{
    return netdev_tunnel_cast(netdev)->fastpath;
}
