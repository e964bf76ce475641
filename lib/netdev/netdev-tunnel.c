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
#include "hash.h"
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
COVERAGE_DEFINE(tunnel_tx_too_big);
COVERAGE_DEFINE(tunnel_tx_no_remote);
COVERAGE_DEFINE(tunnel_tx_error);

enum {
    TNL_DEFAULT_UNDERLAY_MTU = 1500,
    TNL_UDP_HEADER_LEN = 8,
};

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
    /* Nothing to open before the options say where. */
    return 0;
}

static void
netdev_tunnel_unconfigure(struct netdev_tunnel *port)
{
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

/* Bytes in front of the inner frame: outer IP, UDP, tunnel header. */
static size_t
tnl_overhead(const struct netdev_tunnel *port)
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
    *mtu = port->underlay_mtu - tnl_overhead(port) - ETH_HEADER_LEN;
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

/* What the outer headers take from the inner frame: a hash of its flow
 * (addresses, protocol, ports), for the UDP source port, and its TOS and
 * TTL, for the options that say "inherit". */
struct tnl_inner {
    uint32_t hash;
    int tos;
    int ttl;
};

static void
tnl_inner_parse(const struct dp_packet *p, struct tnl_inner *in)
{
    const uint8_t *data = dp_packet_data(p);
    size_t size = p->size, ofs = 2 * ETH_ADDR_LEN;
    be16 type;

    in->hash = hash_bytes(data, 2 * ETH_ADDR_LEN, 0);
    in->tos = 0;
    in->ttl = 64;
    memcpy(&type, data + ofs, 2);
    ofs += 2;
    while ((type == htons(ETH_TYPE_VLAN_8021Q)
            || type == htons(ETH_TYPE_VLAN_8021AD)) && size >= ofs + 4) {
        memcpy(&type, data + ofs + 2, 2);
        ofs += 4;
    }

    uint8_t proto = 0;
    size_t l4 = 0;
    if (type == htons(ETH_TYPE_IP)
        && size >= ofs + sizeof(struct ipv4_header)) {
        const struct ipv4_header *ip = (const void *) (data + ofs);
        in->hash = hash_bytes(&ip->src, 8, in->hash);
        in->tos = ip->tos;
        in->ttl = ip->ttl;
        proto = ip->proto;
        if (!(ip->frag_off & htons(0x1fff))) {
            l4 = ofs + (ip->ihl_ver & 0x0f) * 4;
        }
    } else if (type == htons(ETH_TYPE_IPV6)
               && size >= ofs + sizeof(struct ipv6_header)) {
        const struct ipv6_header *ip6 = (const void *) (data + ofs);
        in->hash = hash_bytes(&ip6->src, 32, in->hash);
        in->tos = (ntohl(ip6->vtc_flow) >> 20) & 0xff;
        in->ttl = ip6->hop_limit;
        proto = ip6->next_header;
        l4 = ofs + sizeof *ip6;
    }
    in->hash = hash_add(in->hash, proto);
    if (l4 && (proto == IP_PROTO_TCP || proto == IP_PROTO_UDP)
        && size >= l4 + 4) {
        uint32_t ports;
        memcpy(&ports, data + l4, 4);
        in->hash = hash_add(in->hash, ports);
    }
    in->hash = hash_finish(in->hash, 0);
}

/* Datagrams waiting to go, each with its socket and destination. */
struct tnl_tx {
    struct netdev_tunnel *port;
    size_t n;
    struct dp_packet *packets[DP_PACKET_BATCH_SIZE];
    int fds[DP_PACKET_BATCH_SIZE];
    struct sockaddr_storage dst[DP_PACKET_BATCH_SIZE];
    socklen_t dst_len[DP_PACKET_BATCH_SIZE];
    int tos[DP_PACKET_BATCH_SIZE];      /* -1: the socket's. */
    int ttl[DP_PACKET_BATCH_SIZE];      /* -1: the socket's. */
    uint32_t inner_size[DP_PACKET_BATCH_SIZE];
};

/* Room for a TOS and a TTL control message. */
union tnl_cmsg {
    char buf[2 * CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
};

/* Appends a control message holding 'value' at '*pos' and advances it. */
static void
tnl_put_cmsg(char **pos, int level, int type, int value)
{
    struct cmsghdr *c = (struct cmsghdr *) *pos;
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(sizeof value);
    memcpy(CMSG_DATA(c), &value, sizeof value);
    *pos += CMSG_SPACE(sizeof value);
}

static void
tnl_tx_flush(struct tnl_tx *tx)
{
    struct netdev_tunnel *port = tx->port;
    bool v4 = port->cfg.family == AF_INET;
    struct mmsghdr msgs[DP_PACKET_BATCH_SIZE];
    struct iovec iovs[DP_PACKET_BATCH_SIZE];
    union tnl_cmsg cmsgs[DP_PACKET_BATCH_SIZE];

    for (size_t i = 0; i < tx->n; i++) {
        struct dp_packet *p = tx->packets[i];
        struct msghdr *msg = &msgs[i].msg_hdr;
        iovs[i] = (struct iovec) { dp_packet_data(p), p->size };
        *msg = (struct msghdr) {
            .msg_name = &tx->dst[i],
            .msg_namelen = tx->dst_len[i],
            .msg_iov = &iovs[i],
            .msg_iovlen = 1,
        };
        if (tx->tos[i] >= 0 || tx->ttl[i] >= 0) {
            char *pos = cmsgs[i].buf;
            memset(&cmsgs[i], 0, sizeof cmsgs[i]);
            if (tx->tos[i] >= 0) {
                tnl_put_cmsg(&pos, v4 ? IPPROTO_IP : IPPROTO_IPV6,
                             v4 ? IP_TOS : IPV6_TCLASS, tx->tos[i]);
            }
            if (tx->ttl[i] >= 0) {
                tnl_put_cmsg(&pos, v4 ? IPPROTO_IP : IPPROTO_IPV6,
                             v4 ? IP_TTL : IPV6_HOPLIMIT, tx->ttl[i]);
            }
            msg->msg_control = cmsgs[i].buf;
            msg->msg_controllen = pos - cmsgs[i].buf;
        }
    }

    /* One sendmmsg() per run of datagrams on the same socket.  A
     * datagram the kernel refuses is dropped and counted; the rest
     * go on. */
    uint64_t sent = 0, bytes = 0, dropped = 0;
    for (size_t i = 0; i < tx->n; ) {
        size_t end = i + 1;
        while (end < tx->n && tx->fds[end] == tx->fds[i]) {
            end++;
        }
        while (i < end) {
            int k = sendmmsg(tx->fds[i], &msgs[i], end - i, MSG_DONTWAIT);
            if (k > 0) {
                for (int j = 0; j < k; j++) {
                    bytes += tx->inner_size[i + j];
                }
                sent += k;
                i += k;
            } else if (k < 0 && errno == EINTR) {
                continue;
            } else {
                if (k < 0 && errno == EMSGSIZE) {
                    COVERAGE_INC(tunnel_tx_too_big);
                } else {
                    COVERAGE_INC(tunnel_tx_error);
                }
                dropped++;
                i++;
            }
        }
    }
    for (size_t i = 0; i < tx->n; i++) {
        dp_packet_delete(tx->packets[i]);
    }
    tx->n = 0;
    netdev_count(&port->up.stats.tx_packets, sent);
    netdev_count(&port->up.stats.tx_bytes, bytes);
    netdev_count(&port->up.stats.tx_dropped, dropped);
}

static void
tnl_tx_add(struct tnl_tx *tx, struct dp_packet *p, int fd,
           const struct in6_addr *remote, const struct tnl_inner *inner,
           uint32_t inner_size)
{
    const struct tnl_config *cfg = &tx->port->cfg;
    size_t i = tx->n++;
    tx->packets[i] = p;
    tx->fds[i] = fd;
    tx->dst_len[i] = tnl_addr_to_sockaddr(remote, cfg->dst_port,
                                          cfg->family, &tx->dst[i]);
    tx->tos[i] = cfg->tos < 0 ? inner->tos : -1;
    tx->ttl[i] = cfg->ttl < 0 ? inner->ttl : -1;
    tx->inner_size[i] = inner_size;
    if (tx->n == DP_PACKET_BATCH_SIZE) {
        tnl_tx_flush(tx);
    }
}

/* Where 'p' goes: the one remote; else the remote its destination MAC
 * was learned behind; else every remote, configured or learned.  Returns
 * how many, in '*remotes' (which may point into 'buf'). */
static size_t
tnl_pick_remotes(struct netdev_tunnel *port, const struct dp_packet *p,
                 struct in6_addr buf[TNL_LEARN_MAX_REMOTES],
                 const struct in6_addr **remotes, long long now)
{
    const struct tnl_config *cfg = &port->cfg;
    if (cfg->n_remotes == 1) {
        *remotes = cfg->remotes;
        return 1;
    }
    const struct eth_header *eth = dp_packet_data(p);
    if (!eth_addr_is_multicast(eth->dst)
        && tnl_learn_lookup(port->learn, eth->dst, &buf[0], now)) {
        *remotes = buf;
        return 1;
    }
    if (cfg->n_remotes) {
        *remotes = cfg->remotes;
        return cfg->n_remotes;
    }
    *remotes = buf;
    return tnl_learn_remotes(port->learn, buf, TNL_LEARN_MAX_REMOTES, now);
}

static void
tnl_drop_too_big(struct netdev_tunnel *port, struct dp_packet *p)
{
    COVERAGE_INC(tunnel_tx_too_big);
    netdev_count(&port->up.stats.tx_dropped, 1);
    dp_packet_delete(p);
}

int
netdev_tunnel_send(struct netdev *netdev, int qid,
                   struct dp_packet_batch *batch)
{
    struct netdev_tunnel *port = netdev_tunnel_cast(netdev);
    if (!netdev_tunnel_is_configured(port)) {
        netdev_count(&port->up.stats.tx_dropped, batch->count);
        dp_packet_batch_delete(batch);
        return -ENODEV;
    }

    const struct tnl_config *cfg = &port->cfg;
    /* Outer IP and UDP: the tunnel header varies (Geneve options). */
    size_t outer_len = tnl_overhead(port) - port->proto->header_len(cfg);
    /* Only IPv4 without DF may leave fragmenting to the kernel. */
    bool may_fragment = cfg->family == AF_INET && !cfg->df;
    long long now = port->learn ? time_msec() : 0;
    struct in6_addr buf[TNL_LEARN_MAX_REMOTES];
    struct tnl_tx tx = { .port = port };

    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *p = batch->packets[i];
        if (p->size < ETH_HEADER_LEN) {
            tnl_drop_too_big(port, p);
            continue;
        }
        const struct in6_addr *remotes;
        size_t n = tnl_pick_remotes(port, p, buf, &remotes, now);
        if (!n) {
            COVERAGE_INC(tunnel_tx_no_remote);
            netdev_count(&port->up.stats.tx_dropped, 1);
            dp_packet_delete(p);
            continue;
        }

        struct tnl_inner inner;
        tnl_inner_parse(p, &inner);
        uint32_t key = (cfg->key_flow
                        ? be64toh(p->md.tun_id) & port->proto->rules.max_key
                        : cfg->key);
        uint32_t inner_size = p->size;
        port->proto->push_header(port, p, key);
        if (!may_fragment
            && p->size + outer_len > (size_t) port->underlay_mtu) {
            tnl_drop_too_big(port, p);
            continue;
        }
        int fd = port->send_fds[inner.hash % port->n_send_fds];
        for (size_t r = 0; r < n; r++) {
            struct dp_packet *q = r + 1 < n ? dp_packet_clone(p) : p;
            tnl_tx_add(&tx, q, fd, &remotes[r], &inner, inner_size);
        }
    }
    tnl_tx_flush(&tx);
    batch->count = 0;
    return 0;
}
