#include <config.h>
#include "netdev/netdev-tunnel.h"

#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "coverage.h"
#include "dp-packet.h"
#include "netdev/netdev-linux.h"
#include "netdev/tnl-endpoint.h"
#include "netdev/tnl-learn.h"
#include "packets.h"
#include "rcu.h"
#include "smap.h"
#include "timeval.h"
#include "tlv-map.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_tunnel);

COVERAGE_DEFINE(tunnel_rx_short);
COVERAGE_DEFINE(tunnel_rx_bad_header);
COVERAGE_DEFINE(tunnel_rx_bad_protocol);
COVERAGE_DEFINE(tunnel_rx_bad_checksum);
COVERAGE_DEFINE(tunnel_rx_critical_option);
COVERAGE_DEFINE(tunnel_rx_oam);
COVERAGE_DEFINE(tunnel_rx_unknown_key);
COVERAGE_DEFINE(tunnel_rx_bad_remote);

enum { TNL_DEFAULT_UNDERLAY_MTU = 1500 };

void
netdev_tunnel_count_drop(struct netdev_tunnel *port, enum tnl_drop reason)
{
    bool error = true;          /* Else a drop by policy. */
    switch (reason) {
    case TNL_OK:
        return;
    case TNL_DROP_SHORT:
        COVERAGE_INC(tunnel_rx_short);
        break;
    case TNL_DROP_BAD_HEADER:
        COVERAGE_INC(tunnel_rx_bad_header);
        break;
    case TNL_DROP_BAD_PROTO:
        COVERAGE_INC(tunnel_rx_bad_protocol);
        break;
    case TNL_DROP_BAD_CSUM:
        COVERAGE_INC(tunnel_rx_bad_checksum);
        break;
    case TNL_DROP_CRITICAL_OPTION:
        COVERAGE_INC(tunnel_rx_critical_option);
        break;
    case TNL_DROP_OAM:
        COVERAGE_INC(tunnel_rx_oam);
        error = false;
        break;
    case TNL_DROP_UNKNOWN_KEY:
        COVERAGE_INC(tunnel_rx_unknown_key);
        error = false;
        break;
    case TNL_DROP_BAD_REMOTE:
        COVERAGE_INC(tunnel_rx_bad_remote);
        error = false;
        break;
    }
    if (port) {
        netdev_count(error ? &port->up.stats.rx_errors
                           : &port->up.stats.rx_dropped, 1);
    }
}

struct netdev *
netdev_tunnel_alloc(const struct tnl_proto *proto)
{
    struct netdev_tunnel *port = xzalloc(sizeof *port);
    port->proto = proto;
    return &port->up;
}

int
netdev_tunnel_construct(struct netdev *netdev,
                        char **errp)
{
    /* Nothing to open before the options say where.  UDP tunnels send
     * large TCP segments with UDP GSO (tnl-send.c). */
    struct netdev_tunnel *port = netdev_tunnel_cast(netdev);
    netdev->takes_offloads = port->proto->ip_proto == IPPROTO_UDP;
    return 0;
}

static void
netdev_tunnel_unconfigure(struct netdev_tunnel *port)
{
    tnl_fastpath_close(port);
    tnl_endpoint_detach(port);
    for (int i = 0; i < port->n_send_fds; i++) {
        close(port->send_fds[i]);
    }
    port->n_send_fds = 0;
    tnl_learn_destroy(port->learn);
    port->learn = NULL;
    tnl_config_destroy(&port->cfg);
}

void
netdev_tunnel_destroy(struct netdev *netdev)
{
    struct netdev_tunnel *port = netdev_tunnel_cast(netdev);
    netdev_tunnel_unconfigure(port);
    free(port->tlv_map);
    free(port);
}

/* The datapath threads read the map as they receive and send, so the
 * old one goes after a grace period. */
void
netdev_tunnel_set_tlv_map(struct netdev *netdev, const struct tlv_map *map)
{
    struct netdev_tunnel *port = netdev_tunnel_cast(netdev);
    struct tlv_map *old = port->tlv_map;
    rcu_set(port->tlv_map, map->used ? xmemdup(map, sizeof *map) : NULL);
    if (old) {
        rcu_postpone(free, old);
    }
}

int
tnl_socket_open(const struct tnl_proto *proto, int family,
                const struct in6_addr *local, uint16_t port,
                const char *name, char **errp)
{
    bool udp = proto->ip_proto == IPPROTO_UDP;
    int fd = socket(family,
                    (udp ? SOCK_DGRAM : SOCK_RAW) | SOCK_NONBLOCK
                    | SOCK_CLOEXEC, udp ? 0 : proto->ip_proto);
    if (fd < 0) {
        int error = -errno;
        *errp = xasprintf("%s: could not open a %s socket (%s)", name,
                          udp ? "UDP" : "raw IP", strerror(errno));
        return error;
    }
    if (family == AF_INET6) {
        linux_set_sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    }

    struct sockaddr_storage ss;
    socklen_t len = tnl_addr_to_sockaddr(local, port, family, &ss);
    if (bind(fd, (struct sockaddr *) &ss, len) < 0) {
        int error = -errno;
        char addr[46];
        *errp = xasprintf("%s: could not bind to %s%s%s port %d (%s)", name,
                          family == AF_INET6 ? "[" : "",
                          tnl_addr_format(local, addr),
                          family == AF_INET6 ? "]" : "", port,
                          strerror(errno));
        close(fd);
        return error;
    }
    return fd;
}

/* A socket that sends with 'cfg''s TTL, TOS and DF.  A raw one would
 * also get a copy of every packet of its protocol: a filter refuses
 * them, as the endpoint's socket is the one that receives. */
static int
tnl_open_send_socket(const struct netdev_tunnel *port, char **errp)
{
    const struct tnl_config *cfg = &port->cfg;
    bool udp = port->proto->ip_proto == IPPROTO_UDP;
    bool v4 = cfg->family == AF_INET;
    int fd = tnl_socket_open(port->proto, cfg->family, &cfg->local, 0,
                             port->up.name, errp);
    if (fd < 0) {
        return fd;
    }
    if (!udp) {
        struct sock_filter drop_all = BPF_STMT(BPF_RET | BPF_K, 0);
        struct sock_fprog prog = { .len = 1, .filter = &drop_all };
        setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
    }
    if (cfg->ttl >= 0) {
        linux_set_sockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
                          v4 ? IP_TTL : IPV6_UNICAST_HOPS, cfg->ttl);
    }
    if (cfg->tos >= 0) {
        linux_set_sockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
                          v4 ? IP_TOS : IPV6_TCLASS, cfg->tos);
    }
    if (v4) {
        linux_set_sockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER,
                          cfg->df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
        if (udp && !cfg->csum) {
            linux_set_sockopt(fd, SOL_SOCKET, SO_NO_CHECK, 1);
        }
    } else {
        linux_set_sockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
                          IPV6_PMTUDISC_DO);
    }
    return fd;
}

/* The MTU of the path to the first remote, as the kernel knows it. */
static int
tnl_underlay_mtu(const struct tnl_config *cfg)
{
    if (!cfg->n_remotes) {
        return TNL_DEFAULT_UNDERLAY_MTU;
    }
    bool v4 = cfg->family == AF_INET;
    int fd = socket(cfg->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int mtu = TNL_DEFAULT_UNDERLAY_MTU;
    struct sockaddr_storage ss;
    socklen_t len = tnl_addr_to_sockaddr(&cfg->remotes[0], 9, cfg->family,
                                         &ss);
    if (fd >= 0 && !connect(fd, (struct sockaddr *) &ss, len)) {
        int value;
        socklen_t vlen = sizeof value;
        if (!getsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
                        v4 ? IP_MTU : IPV6_MTU, &value, &vlen)
            && value > 0) {
            mtu = value;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return mtu;
}

size_t
netdev_tunnel_overhead(const struct netdev_tunnel *port)
{
    return ((port->cfg.family == AF_INET ? sizeof(struct ipv4_header)
                                         : sizeof(struct ipv6_header))
            + (port->proto->ip_proto == IPPROTO_UDP ? TNL_UDP_HEADER_LEN : 0)
            + port->proto->header_len(&port->cfg));
}

int
netdev_tunnel_set_config(struct netdev *netdev, const struct smap *options,
                         char **errp)
{
    struct netdev_tunnel *port = netdev_tunnel_cast(netdev);
    struct tnl_config cfg;
    int error = tnl_config_parse(&cfg, netdev->name, &port->proto->rules,
                                 options, errp);
    if (error) {
        return error;
    }
    netdev_tunnel_unconfigure(port);
    port->cfg = cfg;

    bool udp = port->proto->ip_proto == IPPROTO_UDP;
    int n_fds = udp ? TNL_N_SEND_SOCKETS : 1;
    for (int i = 0; i < n_fds; i++) {
        int fd = tnl_open_send_socket(port, errp);
        if (fd < 0) {
            error = fd;
            goto err;
        }
        port->send_fds[port->n_send_fds++] = fd;
    }
    if (cfg.n_remotes != 1) {
        port->learn = tnl_learn_create();
    }
    port->underlay_mtu = tnl_underlay_mtu(&cfg);
    error = tnl_endpoint_attach(port, errp);
    if (error) {
        goto err;
    }
    tnl_fastpath_open(port);
    return 0;

err:
    netdev_tunnel_unconfigure(port);
    return error;
}

int
netdev_tunnel_get_etheraddr(const struct netdev *netdev,
                            struct eth_addr *mac)
{
    return -EOPNOTSUPP;
}

int
netdev_tunnel_get_mtu(const struct netdev *netdev, int *mtu)
{
    const struct netdev_tunnel *port = netdev_tunnel_cast(netdev);
    if (!netdev_tunnel_is_configured(port)) {
        return -ENODEV;
    }
    *mtu = port->underlay_mtu - netdev_tunnel_overhead(port) - ETH_HEADER_LEN;
    return 0;
}

void
netdev_tunnel_get_status(const struct netdev *netdev, struct smap *status)
{
    const struct netdev_tunnel *port = netdev_tunnel_cast(netdev);
    if (!netdev_tunnel_is_configured(port)) {
        return;
    }
    smap_add_format(status, "underlay_mtu", "%d", port->underlay_mtu);
    const char *fastpath = tnl_fastpath_status(port);
    if (fastpath) {
        smap_add(status, "kernel_fastpath", fastpath);
    }
    if (port->learn) {
        size_t n_macs, n_remotes;
        tnl_learn_count(port->learn, &n_macs, &n_remotes, time_msec());
        smap_add_format(status, "learned_macs", "%zu", n_macs);
        smap_add_format(status, "learned_remotes", "%zu", n_remotes);
    }
}

int
netdev_tunnel_rxq_recv(struct netdev *netdev, int qid,
                       struct dp_packet_batch *batch)
{
    return tnl_endpoint_recv(netdev_tunnel_cast(netdev), batch);
}

int
netdev_tunnel_rxq_wait_fd(const struct netdev *netdev, int qid)
{
    return tnl_endpoint_fd(netdev_tunnel_cast(netdev));
}
