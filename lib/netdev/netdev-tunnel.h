/* What the tunnel port classes (netdev-vxlan.c, netdev-gre.c,
 * netdev-geneve.c) share: the port itself, its sockets and options, and
 * the receive and send paths.  A class supplies a struct tnl_proto: how
 * its header is built and checked.
 *
 * Underlay I/O goes through kernel sockets, so that the kernel routes
 * and resolves neighbours.  Ports of one type, family, local address and
 * UDP port share one receiving socket, a struct tnl_endpoint, which
 * hands each packet to the port whose key and remote it matches (see
 * tnl-endpoint.h).  Each port sends through sockets of its own, carrying
 * its TTL, TOS and DF options; a UDP port has several, bound to
 * different source ports, and picks one by a hash of the inner flow so
 * that the underlay's ECMP can spread the flows. */
#ifndef NETDEV_TUNNEL_H
#define NETDEV_TUNNEL_H 1

#include <stdint.h>
#include "netdev/netdev-provider.h"
#include "netdev/tnl-config.h"

struct dp_packet;
struct netdev_tunnel;
struct tnl_endpoint;
struct tnl_learn;
struct tlv_map;
struct swxdp_device;

/* Why a tunnel packet was dropped: each reason is counted apart. */
enum tnl_drop {
    TNL_OK,
    TNL_DROP_SHORT,             /* Shorter than its headers. */
    TNL_DROP_BAD_HEADER,        /* Version or flags we must not accept. */
    TNL_DROP_BAD_PROTO,         /* Carries something else than Ethernet. */
    TNL_DROP_BAD_CSUM,          /* GRE checksum wrong. */
    TNL_DROP_CRITICAL_OPTION,   /* Geneve option we must understand. */
    TNL_DROP_OAM,               /* Geneve control packet. */
    TNL_DROP_UNKNOWN_KEY,       /* No port of this key (VNI). */
    TNL_DROP_BAD_REMOTE,        /* A port of this key, not this remote. */
};

struct tnl_proto {
    struct tnl_config_rules rules;
    int ip_proto;               /* IPPROTO_UDP or IPPROTO_GRE. */
    /* Bytes of tunnel header (after any UDP header) for 'cfg'. */
    size_t (*header_len)(const struct tnl_config *cfg);
    /* Puts the header for 'key' in front of the inner frame 'p'. */
    void (*push_header)(struct netdev_tunnel *, struct dp_packet *p,
                        uint32_t key);
    /* Checks the header at the start of 'p', pulls it off and sets
     * '*key'.  The rest of 'p' is the inner frame.  Also sets '*key' for
     * TNL_DROP_OAM, so that the port counts the drop. */
    enum tnl_drop (*pop_header)(struct dp_packet *p, uint32_t *key);
    /* Optional: once the packet's port is known, reads the options of
     * the header at 'header' (that pop_header() pulled off 'p') into p's
     * metadata, by the port's TLV map. */
    enum tnl_drop (*read_options)(const struct netdev_tunnel *,
                                  struct dp_packet *p, const void *header);
};

enum { TNL_N_SEND_SOCKETS = 8 };

struct netdev_tunnel {
    struct netdev up;
    const struct tnl_proto *proto;
    struct tnl_config cfg;
    struct tnl_endpoint *endpoint;      /* Shared receiving socket; set
                                         * last, so non-NULL once the
                                         * options are applied. */
    int send_fds[TNL_N_SEND_SOCKETS];
    int n_send_fds;
    int underlay_mtu;                   /* Toward the (first) remote. */
    struct tnl_learn *learn;            /* Remotes of inner MACs, unless
                                         * there is one remote. */
    uint32_t gre_seq;                   /* Next sequence number (GRE). */
    struct tlv_map *tlv_map;            /* The bridge's Geneve options
                                         * (RCU); NULL if none. */
    bool no_gso;                        /* The kernel refused UDP GSO. */
    struct swxdp_device *fastpath;      /* In the kernel fast path, or
                                         * NULL (tnl-fastpath.c). */
    char *fastpath_status;              /* Why not, if not. */
};

static inline struct netdev_tunnel *
netdev_tunnel_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_tunnel, up);
}

static inline bool
netdev_tunnel_is_configured(const struct netdev_tunnel *port)
{
    return port->endpoint != NULL;
}

/* A socket of 'proto''s kind (UDP, or raw IP for GRE) bound to 'local'
 * and 'port' (0: any).  Returns the fd, or a negative errno with '*errp'
 * saying why, naming the tunnel port 'name'. */
int tnl_socket_open(const struct tnl_proto *, int family,
                    const struct in6_addr *local, uint16_t port,
                    const char *name, char **errp);

/* Counts a dropped packet under 'reason' (coverage), and on 'port' if
 * there is one. */
void netdev_tunnel_count_drop(struct netdev_tunnel *port,
                              enum tnl_drop reason);

struct netdev *netdev_tunnel_alloc(const struct tnl_proto *);
int netdev_tunnel_construct(struct netdev *, char **errp);
void netdev_tunnel_destroy(struct netdev *);
int netdev_tunnel_set_config(struct netdev *, const struct smap *,
                             char **errp);
int netdev_tunnel_get_mtu(const struct netdev *, int *mtu);
void netdev_tunnel_get_status(const struct netdev *, struct smap *);
int netdev_tunnel_rxq_recv(struct netdev *, int qid,
                           struct dp_packet_batch *);
int netdev_tunnel_send(struct netdev *, int qid, struct dp_packet_batch *);
int netdev_tunnel_rxq_wait_fd(const struct netdev *, int qid);
int netdev_tunnel_get_etheraddr(const struct netdev *, struct eth_addr *);
void netdev_tunnel_set_tlv_map(struct netdev *, const struct tlv_map *);

/* The kernel fast path (tnl-fastpath.c): once the port is configured,
 * tnl_fastpath_open() puts it there if it can; tnl_fastpath_status()
 * says "yes", or "no (why)", for Interface:status. */
void tnl_fastpath_open(struct netdev_tunnel *);
void tnl_fastpath_close(struct netdev_tunnel *);
const char *tnl_fastpath_status(const struct netdev_tunnel *);
const struct swxdp_device *netdev_tunnel_get_fastpath(const struct netdev *);

/* Bytes in front of the inner frame: outer IP, UDP, tunnel header
 * (without Geneve options). */
enum { TNL_UDP_HEADER_LEN = 8 };
size_t netdev_tunnel_overhead(const struct netdev_tunnel *);

/* The members every tunnel class shares; the class adds .type and an
 * .alloc that names its struct tnl_proto. */
#define NETDEV_TUNNEL_MEMBERS                           \
    .threaded = true,                                   \
    .construct = netdev_tunnel_construct,               \
    .destroy = netdev_tunnel_destroy,                   \
    .set_config = netdev_tunnel_set_config,             \
    .get_etheraddr = netdev_tunnel_get_etheraddr,       \
    .get_mtu = netdev_tunnel_get_mtu,                   \
    .get_status = netdev_tunnel_get_status,             \
    .rxq_recv = netdev_tunnel_rxq_recv,                 \
    .send = netdev_tunnel_send,                         \
    .rxq_wait_fd = netdev_tunnel_rxq_wait_fd,          \
    .set_tlv_map = netdev_tunnel_set_tlv_map,          \
    .get_fastpath = netdev_tunnel_get_fastpath

#endif /* netdev-tunnel.h */
