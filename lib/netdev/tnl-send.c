/* The tunnel ports' send path: each inner frame gets its tunnel header
 * and goes to its remotes through the port's sockets, in batches
 * (sendmmsg).  A UDP socket is picked by a hash of the inner flow, so
 * that its source port gives the underlay's ECMP entropy; the TOS and
 * TTL "inherit" options travel as per-message control data. */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "coverage.h"
#include "dp-packet.h"
#include "dp-packet-offload.h"
#include "hash.h"
#include "netdev/netdev-linux.h"
#include "netdev/netdev-tunnel.h"
#include "netdev/tnl-endpoint.h"
#include "netdev/tnl-learn.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

COVERAGE_DEFINE(tunnel_tx_too_big);
COVERAGE_DEFINE(tunnel_tx_no_remote);
COVERAGE_DEFINE(tunnel_tx_error);
COVERAGE_DEFINE(tunnel_tx_gso);

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

/* Room for a TOS, a TTL and a UDP segment size control message. */
union tnl_cmsg {
    char buf[3 * CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
};

/* Appends a control message holding 'n' bytes at 'value' at '*pos' and
 * advances it. */
static void
tnl_put_cmsg__(char **pos, int level, int type, const void *value, size_t n)
{
    struct cmsghdr *c = (struct cmsghdr *) *pos;
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(n);
    memcpy(CMSG_DATA(c), value, n);
    *pos += CMSG_SPACE(n);
}

static void
tnl_put_cmsg(char **pos, int level, int type, int value)
{
    tnl_put_cmsg__(pos, level, type, &value, sizeof value);
}

/* The TOS and TTL control messages that 'tos' and 'ttl' (-1: the
 * socket's) ask for, at '*pos'. */
static void
tnl_put_tos_ttl(char **pos, bool v4, int tos, int ttl)
{
    if (tos >= 0) {
        tnl_put_cmsg(pos, v4 ? IPPROTO_IP : IPPROTO_IPV6,
                     v4 ? IP_TOS : IPV6_TCLASS, tos);
    }
    if (ttl >= 0) {
        tnl_put_cmsg(pos, v4 ? IPPROTO_IP : IPPROTO_IPV6,
                     v4 ? IP_TTL : IPV6_HOPLIMIT, ttl);
    }
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
            tnl_put_tos_ttl(&pos, v4, tx->tos[i], tx->ttl[i]);
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

/* The largest datagram (tunnel header and inner frame) that reaches the
 * first remote unfragmented. */
static size_t
tnl_max_unfragmented(const struct netdev_tunnel *port)
{
    return port->underlay_mtu - (netdev_tunnel_overhead(port)
                                 - port->proto->header_len(&port->cfg));
}

static void
tnl_drop_too_big(struct netdev_tunnel *port, struct dp_packet *p)
{
    COVERAGE_INC(tunnel_tx_too_big);
    netdev_count(&port->up.stats.tx_dropped, 1);
    dp_packet_delete(p);
}

/* UDP GSO: one sendmsg() hands the kernel up to this many datagrams of
 * one size (the last may be shorter), which cross the stack as one
 * packet and are cut only where they must be: at a device that cannot
 * take them whole, or at a receiver that does not ask for UDP GRO. */
enum {
    TNL_GSO_MAX_SEGS = 64,              /* The kernel's UDP_MAX_SEGMENTS
                                         * before Linux 6.9. */
    TNL_GSO_MAX_BYTES = 65535 - 40 - TNL_UDP_HEADER_LEN,
};

/* Sends 'n' datagrams 'segs', all of the size of the first but the last,
 * to 'remote' in one sendmsg().  Returns 0 or a negative errno. */
static int
tnl_send_gso_chunk(struct netdev_tunnel *port, int fd,
                   const struct in6_addr *remote,
                   const struct tnl_inner *inner,
                   struct dp_packet **segs, size_t n)
{
    const struct tnl_config *cfg = &port->cfg;
    bool v4 = cfg->family == AF_INET;
    struct iovec iovs[TNL_GSO_MAX_SEGS];
    for (size_t i = 0; i < n; i++) {
        iovs[i] = (struct iovec) { dp_packet_data(segs[i]), segs[i]->size };
    }
    struct sockaddr_storage dst;
    union tnl_cmsg cmsg;
    memset(&cmsg, 0, sizeof cmsg);
    char *pos = cmsg.buf;
    uint16_t gso_size = segs[0]->size;
    tnl_put_cmsg__(&pos, SOL_UDP, UDP_SEGMENT, &gso_size, sizeof gso_size);
    tnl_put_tos_ttl(&pos, v4, cfg->tos < 0 ? inner->tos : -1,
                    cfg->ttl < 0 ? inner->ttl : -1);
    struct msghdr msg = {
        .msg_name = &dst,
        .msg_namelen = tnl_addr_to_sockaddr(remote, cfg->dst_port,
                                            cfg->family, &dst),
        .msg_iov = iovs,
        .msg_iovlen = n,
        .msg_control = cmsg.buf,
        .msg_controllen = pos - cmsg.buf,
    };

    /* The kernel segments only datagrams with checksums: a port that
     * sends none (IPv4 without csum) has them for this send. */
    bool no_check = v4 && !cfg->csum;
    if (no_check) {
        linux_set_sockopt(fd, SOL_SOCKET, SO_NO_CHECK, 0);
    }
    int error = sendmsg(fd, &msg, MSG_DONTWAIT) < 0 ? -errno : 0;
    if (no_check) {
        linux_set_sockopt(fd, SOL_SOCKET, SO_NO_CHECK, 1);
    }
    return error;
}

/* Sends GSO packet 'p' (which it takes): cut into TCP segments here,
 * each given its tunnel header, then as few sendmsg() calls as UDP GSO
 * allows.  Where the kernel refuses UDP GSO (no checksum offload on the
 * way out, say), the segments go one by one, and the port stops trying
 * GSO. */
static void
tnl_send_gso(struct tnl_tx *tx, struct dp_packet *p, uint32_t key,
             const struct in6_addr *remotes, size_t n_remotes,
             const struct tnl_inner *inner, size_t max_size)
{
    struct netdev_tunnel *port = tx->port;
    struct dp_packet **segs = xmalloc(dp_packet_offload_n_segs(p)
                                      * sizeof *segs);
    int n = dp_packet_offload_segment(p, segs);
    dp_packet_delete(p);
    if (n <= 0) {
        COVERAGE_INC(tunnel_tx_error);
        netdev_count(&port->up.stats.tx_dropped, 1);
        free(segs);
        return;
    }
    size_t header_len = 0;
    for (int i = 0; i < n; i++) {
        size_t inner_size = segs[i]->size;
        port->proto->push_header(port, segs[i], key);
        header_len = segs[i]->size - inner_size;
    }
    if (segs[0]->size > max_size) {
        for (int i = 0; i < n; i++) {
            tnl_drop_too_big(port, segs[i]);
        }
        free(segs);
        return;
    }

    /* Datagrams the kernel would have to fragment cannot use GSO. */
    bool gso = (!__atomic_load_n(&port->no_gso, __ATOMIC_RELAXED)
                && segs[0]->size <= tnl_max_unfragmented(port));

    tnl_tx_flush(tx);           /* What came before goes before. */
    int fd = port->send_fds[inner->hash % port->n_send_fds];
    uint64_t sent = 0, bytes = 0;
    for (size_t r = 0; r < n_remotes; r++) {
        for (int i = 0, end; i < n; i = end) {
            size_t chunk_bytes = 0;
            for (end = i; end < n && end - i < TNL_GSO_MAX_SEGS
                          && chunk_bytes + segs[end]->size
                             <= TNL_GSO_MAX_BYTES; end++) {
                chunk_bytes += segs[end]->size;
            }
            int error = (gso
                         ? tnl_send_gso_chunk(port, fd, &remotes[r], inner,
                                              &segs[i], end - i)
                         : -EOPNOTSUPP);
            if (!error) {
                COVERAGE_INC(tunnel_tx_gso);
                sent += end - i;
                bytes += chunk_bytes - (end - i) * header_len;
                continue;
            }
            if (error == -EIO || error == -ENOPROTOOPT) {
                /* No checksum offload on the way, or an old kernel. */
                __atomic_store_n(&port->no_gso, true, __ATOMIC_RELAXED);
                gso = false;
            }
            for (int j = i; j < end; j++) {
                tnl_tx_add(tx, dp_packet_clone(segs[j]), fd, &remotes[r],
                           inner, segs[j]->size - header_len);
            }
        }
    }
    tnl_tx_flush(tx);
    for (int i = 0; i < n; i++) {
        dp_packet_delete(segs[i]);
    }
    free(segs);
    netdev_count(&port->up.stats.tx_packets, sent);
    netdev_count(&port->up.stats.tx_bytes, bytes);
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
    /* The largest datagram the underlay takes: only IPv4 without DF may
     * leave fragmenting to the kernel.  (The tunnel header's length
     * varies, with Geneve options.) */
    bool may_fragment = cfg->family == AF_INET && !cfg->df;
    size_t max_size = may_fragment ? SIZE_MAX : tnl_max_unfragmented(port);
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
        if (p->offload.gso_size) {
            tnl_send_gso(&tx, p, key, remotes, n, &inner, max_size);
            continue;
        }
        if (p->offload.csum_start && dp_packet_offload_csum(p)) {
            COVERAGE_INC(tunnel_tx_error);
            netdev_count(&port->up.stats.tx_dropped, 1);
            dp_packet_delete(p);
            continue;
        }
        uint32_t inner_size = p->size;
        port->proto->push_header(port, p, key);
        if (p->size > max_size) {
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
