#include <config.h>
#include "netdev/tnl-endpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dp-packet.h"
#include "dp-packet-offload.h"
#include "netdev/netdev-linux.h"
#include "netdev/netdev-tunnel.h"
#include "netdev/tnl-learn.h"
#include "packets.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(tnl_endpoint);

enum {
    TNL_RX_FRAME = 9216 + 128,  /* Largest datagram taken: a jumbo frame
                                 * with its outer headers. */
    TNL_RX_GRO = 65536,         /* Largest UDP GRO datagram. */
    TNL_RX_MAX_SEGS = 64,       /* Datagrams in one: UDP_GRO_CNT_MAX. */
    TNL_RCVBUF = 4 << 20,
};

/* Room for the UDP_GRO control message: the size of the datagrams that
 * the kernel glued together. */
union tnl_gro_cmsg {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
};

/* One row of the demultiplexing table. */
struct tnl_demux_entry {
    bool any_key;               /* key=flow: any key. */
    uint32_t key;
    bool any_remote;            /* No remote_ip, or a list: see below. */
    struct in6_addr remote;
    struct netdev_tunnel *port;
};

/* Immutable once published; sorted by tnl_demux_cmp(). */
struct tnl_demux {
    size_t n;
    struct tnl_demux_entry entries[];
};

struct tnl_endpoint {
    struct tnl_endpoint *next;          /* In 'endpoints'. */
    const struct tnl_proto *proto;
    int family;
    struct in6_addr local;
    uint16_t port;
    int fd;

    struct netdev_tunnel **ports;       /* Main thread only. */
    size_t n_ports;
    struct tnl_demux *demux;            /* RCU. */
    struct netdev_tunnel *reader;       /* Atomic. */

    /* Receive buffers: only the reader's thread touches them.  A UDP
     * GRO datagram's bytes past TNL_RX_FRAME land in 'rx_spill'. */
    struct dp_packet *rx[DP_PACKET_BATCH_SIZE];
    struct sockaddr_storage rx_from[DP_PACKET_BATCH_SIZE];
    uint8_t *rx_spill[DP_PACKET_BATCH_SIZE];
    union tnl_gro_cmsg rx_cmsg[DP_PACKET_BATCH_SIZE];

    /* Frames for the bridge that did not fit in the last batch (one GRO
     * datagram may hold more): the reader's thread only. */
    struct dp_packet **pending;
    size_t n_pending, pending_ofs, pending_allocated;
};

static struct tnl_endpoint *endpoints;

static int
tnl_demux_cmp(const void *a_, const void *b_)
{
    const struct tnl_demux_entry *a = a_, *b = b_;
    if (a->any_key != b->any_key) {
        return a->any_key - b->any_key;
    }
    if (a->key != b->key) {
        return a->key < b->key ? -1 : 1;
    }
    if (a->any_remote != b->any_remote) {
        return a->any_remote - b->any_remote;
    }
    return memcmp(&a->remote, &b->remote, sizeof a->remote);
}

static struct netdev_tunnel *
tnl_demux_find(const struct tnl_demux *d, bool any_key, uint32_t key,
               bool any_remote, const struct in6_addr *remote)
{
    struct tnl_demux_entry want = {
        .any_key = any_key, .key = any_key ? 0 : key,
        .any_remote = any_remote,
    };
    if (!any_remote) {
        want.remote = *remote;
    }
    const struct tnl_demux_entry *e = bsearch(&want, d->entries, d->n,
                                              sizeof *e, tnl_demux_cmp);
    return e ? e->port : NULL;
}

/* The port for 'key' from 'remote', or NULL with '*reason' and '*blame'
 * (a port of that key, if any) set. */
static struct netdev_tunnel *
tnl_demux_lookup(const struct tnl_demux *d, uint32_t key,
                 const struct in6_addr *remote, enum tnl_drop *reason,
                 struct netdev_tunnel **blame)
{
    struct netdev_tunnel *port;
    if ((port = tnl_demux_find(d, false, key, false, remote))
        || (port = tnl_demux_find(d, false, key, true, NULL))
        || (port = tnl_demux_find(d, true, 0, false, remote))
        || (port = tnl_demux_find(d, true, 0, true, NULL))) {
        return port;
    }
    /* A drop: worth a walk to find a port of this key to blame. */
    *blame = NULL;
    *reason = TNL_DROP_UNKNOWN_KEY;
    for (size_t i = 0; i < d->n; i++) {
        if (!d->entries[i].any_key && d->entries[i].key == key) {
            *blame = d->entries[i].port;
            *reason = TNL_DROP_BAD_REMOTE;
            break;
        }
    }
    return NULL;
}

/* How many rows 'port' adds: one per remote it accepts, or one that
 * accepts any remote. */
static size_t
tnl_demux_n_rows(const struct netdev_tunnel *port)
{
    return MAX(port->cfg.n_remotes, 1);
}

/* Writes 'port''s rows into 'out'. */
static void
tnl_demux_put_rows(const struct netdev_tunnel *port,
                   struct tnl_demux_entry *out)
{
    const struct tnl_config *cfg = &port->cfg;
    for (size_t i = 0; i < tnl_demux_n_rows(port); i++) {
        out[i] = (struct tnl_demux_entry) {
            .any_key = cfg->key_flow,
            .key = cfg->key_flow ? 0 : cfg->key,
            .any_remote = !cfg->n_remotes,
            .port = (struct netdev_tunnel *) port,
        };
        if (cfg->n_remotes) {
            out[i].remote = cfg->remotes[i];
        }
    }
}

/* Builds the table for 'ports'.  Returns NULL with '*errp' set if two
 * ports claim the same key and remote. */
static struct tnl_demux *
tnl_demux_build(struct netdev_tunnel **ports, size_t n_ports, char **errp)
{
    size_t n = 0;
    for (size_t i = 0; i < n_ports; i++) {
        n += tnl_demux_n_rows(ports[i]);
    }
    struct tnl_demux *d = xmalloc(sizeof *d + n * sizeof *d->entries);
    d->n = 0;
    for (size_t i = 0; i < n_ports; i++) {
        tnl_demux_put_rows(ports[i], &d->entries[d->n]);
        d->n += tnl_demux_n_rows(ports[i]);
    }
    qsort(d->entries, d->n, sizeof *d->entries, tnl_demux_cmp);
    for (size_t i = 1; i < d->n; i++) {
        const struct tnl_demux_entry *a = &d->entries[i - 1];
        const struct tnl_demux_entry *b = &d->entries[i];
        if (!tnl_demux_cmp(a, b)) {
            char addr[46], key[16];
            snprintf(key, sizeof key, "%"PRIu32, a->key);
            *errp = xasprintf("%s: port %s already receives %s%s from %s",
                              b->port->up.name, a->port->up.name,
                              a->any_key ? "every key" : "key ",
                              a->any_key ? "" : key,
                              a->any_remote ? "any remote"
                              : tnl_addr_format(&a->remote, addr));
            free(d);
            return NULL;
        }
    }
    return d;
}

static struct tnl_endpoint *
tnl_endpoint_find(const struct netdev_tunnel *port)
{
    const struct tnl_config *cfg = &port->cfg;
    for (struct tnl_endpoint *ep = endpoints; ep; ep = ep->next) {
        if (ep->proto == port->proto && ep->family == cfg->family
            && ep->port == cfg->dst_port
            && !memcmp(&ep->local, &cfg->local, sizeof ep->local)) {
            return ep;
        }
    }
    return NULL;
}

static void
tnl_endpoint_close(struct tnl_endpoint *ep)
{
    for (struct tnl_endpoint **p = &endpoints; *p; p = &(*p)->next) {
        if (*p == ep) {
            *p = ep->next;
            break;
        }
    }
    close(ep->fd);
    for (size_t i = 0; i < DP_PACKET_BATCH_SIZE; i++) {
        dp_packet_delete(ep->rx[i]);
        free(ep->rx_spill[i]);
    }
    for (size_t i = ep->pending_ofs; i < ep->n_pending; i++) {
        dp_packet_delete(ep->pending[i]);
    }
    free(ep->pending);
    free(ep->demux);
    free(ep->ports);
    free(ep);
}

int
tnl_endpoint_attach(struct netdev_tunnel *port, char **errp)
{
    struct tnl_endpoint *ep = tnl_endpoint_find(port);
    if (!ep) {
        ep = xzalloc(sizeof *ep);
        ep->proto = port->proto;
        ep->family = port->cfg.family;
        ep->local = port->cfg.local;
        ep->port = port->cfg.dst_port;
        ep->demux = xzalloc(sizeof *ep->demux);
        ep->fd = tnl_socket_open(ep->proto, ep->family, &ep->local,
                                 ep->port, port->up.name, errp);
        if (ep->fd < 0) {
            int error = ep->fd;
            free(ep->demux);
            free(ep);
            return error;
        }
        linux_set_sock_buffer(ep->fd, SO_RCVBUF, TNL_RCVBUF);
        if (ep->proto->ip_proto == IPPROTO_UDP) {
            /* Datagrams of one flow arrive glued together, as they left
             * a sender's UDP GSO, and are cut apart here. */
            linux_set_sockopt(ep->fd, SOL_UDP, UDP_GRO, 1);
        }
        ep->next = endpoints;
        endpoints = ep;
    }

    struct netdev_tunnel **ports = xmalloc((ep->n_ports + 1)
                                           * sizeof *ports);
    if (ep->n_ports) {
        memcpy(ports, ep->ports, ep->n_ports * sizeof *ports);
    }
    ports[ep->n_ports] = port;
    struct tnl_demux *demux = tnl_demux_build(ports, ep->n_ports + 1, errp);
    if (!demux) {
        free(ports);
        if (!ep->n_ports) {
            tnl_endpoint_close(ep);
        }
        return -EEXIST;
    }
    free(ep->ports);
    ep->ports = ports;
    ep->n_ports++;
    struct tnl_demux *old = ep->demux;
    rcu_set(ep->demux, demux);
    rcu_postpone(free, old);
    if (!ep->reader) {
        __atomic_store_n(&ep->reader, port, __ATOMIC_RELEASE);
    }
    port->endpoint = ep;
    return 0;
}

void
tnl_endpoint_detach(struct netdev_tunnel *port)
{
    struct tnl_endpoint *ep = port->endpoint;
    if (!ep) {
        return;
    }
    port->endpoint = NULL;
    for (size_t i = 0; i < ep->n_ports; i++) {
        if (ep->ports[i] == port) {
            ep->ports[i] = ep->ports[--ep->n_ports];
            break;
        }
    }
    if (!ep->n_ports) {
        /* The port has left the datapath already: nobody reads. */
        tnl_endpoint_close(ep);
        return;
    }

    char *why = NULL;
    struct tnl_demux *demux = tnl_demux_build(ep->ports, ep->n_ports, &why);
    if (!demux) {
        SW_NOT_REACHED();       /* A subset of a valid table. */
    }
    struct tnl_demux *old = ep->demux;
    rcu_set(ep->demux, demux);
    if (ep->reader == port) {
        __atomic_store_n(&ep->reader, ep->ports[0], __ATOMIC_RELEASE);
    }
    /* A thread in the middle of a batch may still hold the old table,
     * which names 'port': wait for it before the port is freed. */
    rcu_wait_readers();
    free(old);
}

int
tnl_endpoint_fd(const struct netdev_tunnel *port)
{
    return port->endpoint ? port->endpoint->fd : -1;
}

/* IPv4 raw sockets hand over the IP header too: pulls it off. */
static enum tnl_drop
tnl_pull_ipv4(struct dp_packet *p)
{
    if (p->size < sizeof(struct ipv4_header)) {
        return TNL_DROP_SHORT;
    }
    const struct ipv4_header *ip = dp_packet_data(p);
    size_t hlen = (ip->ihl_ver & 0x0f) * 4;
    if (hlen < sizeof *ip || hlen > p->size) {
        return TNL_DROP_SHORT;
    }
    dp_packet_pull(p, hlen);
    return TNL_OK;
}

/* Checks, demultiplexes and takes the tunnel header off one datagram,
 * 'p', from 'remote'.  Returns the inner frame, ready for its port's
 * bridge, or NULL after counting why it was dropped. */
static struct dp_packet *
tnl_rx_datagram(struct tnl_endpoint *ep, const struct tnl_demux *demux,
                struct dp_packet *p, const struct in6_addr *remote,
                long long now)
{
    struct netdev_tunnel *port = NULL;
    uint32_t key = 0;
    enum tnl_drop reason = TNL_OK;
    if (ep->proto->ip_proto != IPPROTO_UDP && ep->family == AF_INET) {
        reason = tnl_pull_ipv4(p);
    }
    const void *header = NULL;  /* Stays in the headroom after the pull,
                                 * for read_options(). */
    if (!reason) {
        header = dp_packet_data(p);
        reason = ep->proto->pop_header(p, &key);
    }
    struct netdev_tunnel *blame = NULL;
    if (!reason) {
        port = tnl_demux_lookup(demux, key, remote, &reason, &blame);
    } else if (reason == TNL_DROP_OAM) {
        /* A good header with a key: the drop is its port's. */
        enum tnl_drop unused;
        struct netdev_tunnel *other = NULL;
        blame = tnl_demux_lookup(demux, key, remote, &unused, &other);
    }
    if (port && p->size < ETH_HEADER_LEN) {
        reason = TNL_DROP_SHORT;    /* A port's packet, but no frame. */
    }
    if (port && !port->up.dp_port_no) {
        reason = TNL_DROP_UNKNOWN_KEY;    /* Not in a bridge yet. */
    }
    if (port && !reason && port->proto->read_options) {
        reason = port->proto->read_options(port, p, header);
    }
    if (reason) {
        netdev_tunnel_count_drop(port ? port : blame, reason);
        dp_packet_delete(p);
        return NULL;
    }

    p->md.in_port = port->up.dp_port_no;
    p->md.tun_id = htobe64(key);
    if (tnl_addr_is_ipv4(remote)) {
        memcpy(&p->md.tun_src, &remote->s6_addr[12], 4);
        memcpy(&p->md.tun_dst, &ep->local.s6_addr[12], 4);
    } else {
        p->md.tun_ipv6_src = *remote;
        p->md.tun_ipv6_dst = ep->local;
    }
    if (port->learn) {
        const struct eth_header *eth = dp_packet_data(p);
        tnl_learn_update(port->learn, eth->src, remote, now);
    }
    netdev_count(&port->up.stats.rx_packets, 1);
    netdev_count(&port->up.stats.rx_bytes, p->size);
    return p;
}

/* Into 'batch' if there is room, else kept for the next call. */
static void
tnl_rx_emit(struct tnl_endpoint *ep, struct dp_packet_batch *batch,
            struct dp_packet *p)
{
    if (!ep->n_pending && !dp_packet_batch_is_full(batch)) {
        dp_packet_batch_add(batch, p);
        return;
    }
    if (ep->n_pending == ep->pending_allocated) {
        ep->pending = x2nrealloc(ep->pending, &ep->pending_allocated,
                                 ep->n_pending + 1, sizeof *ep->pending);
    }
    ep->pending[ep->n_pending++] = p;
}

static void
tnl_rx_drain_pending(struct tnl_endpoint *ep, struct dp_packet_batch *batch)
{
    while (ep->pending_ofs < ep->n_pending
           && !dp_packet_batch_is_full(batch)) {
        dp_packet_batch_add(batch, ep->pending[ep->pending_ofs++]);
    }
    if (ep->pending_ofs == ep->n_pending) {
        ep->n_pending = ep->pending_ofs = 0;
    }
}

/* The datagram size that the kernel's UDP GRO glued 'msg' from, or 0. */
static size_t
tnl_gro_size(const struct msghdr *msg)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
         c = CMSG_NXTHDR((struct msghdr *) msg, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
            int size;
            memcpy(&size, CMSG_DATA(c), sizeof size);
            return size > 0 ? size : 0;
        }
    }
    return 0;
}

/* Cuts the 'len' bytes of a UDP GRO datagram into its 'seg'-byte
 * datagrams: 'p' holds the first TNL_RX_FRAME bytes and keeps the first
 * datagram; 'spill' holds the rest.  Returns how many, in 'out'. */
static size_t
tnl_gro_split(struct dp_packet *p, const uint8_t *spill, size_t len,
              size_t seg, struct dp_packet *out[TNL_RX_MAX_SEGS])
{
    const uint8_t *head = dp_packet_data(p);
    size_t n = 0;
    out[n++] = p;
    for (size_t ofs = seg; ofs < len && n < TNL_RX_MAX_SEGS; ofs += seg) {
        size_t size = MIN(seg, len - ofs);
        struct dp_packet *q = dp_packet_new(size);
        uint8_t *dst = dp_packet_put(q, NULL, size);
        size_t from_head = ofs < TNL_RX_FRAME ? MIN(size, TNL_RX_FRAME - ofs)
                                              : 0;
        memcpy(dst, head + ofs, from_head);
        memcpy(dst + from_head, spill + (ofs + from_head - TNL_RX_FRAME),
               size - from_head);
        out[n++] = q;
    }
    p->size = MIN(seg, len);
    return n;
}

/* A UDP GRO datagram: each of its datagrams through tnl_rx_datagram(),
 * then runs of TCP segments of one stream merged back into one large
 * frame, which crosses the bridge once and reaches a tap or packet
 * socket whole, as the kernel's own tunnels do. */
static void
tnl_rx_gro(struct tnl_endpoint *ep, const struct tnl_demux *demux,
           struct dp_packet *p, const uint8_t *spill, size_t len,
           size_t seg, const struct in6_addr *remote, long long now,
           struct dp_packet_batch *batch)
{
    struct dp_packet *dgrams[TNL_RX_MAX_SEGS];
    struct dp_packet *frames[TNL_RX_MAX_SEGS];
    size_t n_dgrams = tnl_gro_split(p, spill, len, seg, dgrams);
    size_t n = 0;
    for (size_t i = 0; i < n_dgrams; i++) {
        struct dp_packet *f = tnl_rx_datagram(ep, demux, dgrams[i], remote,
                                              now);
        if (f) {
            frames[n++] = f;
        }
    }
    for (size_t i = 0; i < n; ) {
        struct dp_packet *merged;
        size_t k = dp_packet_offload_merge(&frames[i], n - i, &merged);
        if (k) {
            tnl_rx_emit(ep, batch, merged);
            i += k;
        } else {
            tnl_rx_emit(ep, batch, frames[i++]);
        }
    }
}

int
tnl_endpoint_recv(struct netdev_tunnel *self, struct dp_packet_batch *batch)
{
    struct tnl_endpoint *ep = self->endpoint;
    if (!ep || __atomic_load_n(&ep->reader, __ATOMIC_ACQUIRE) != self) {
        return -EAGAIN;
    }
    tnl_rx_drain_pending(ep, batch);
    if (ep->n_pending || dp_packet_batch_is_full(batch)) {
        return 0;
    }

    bool udp = ep->proto->ip_proto == IPPROTO_UDP;
    struct mmsghdr msgs[DP_PACKET_BATCH_SIZE];
    struct iovec iovs[DP_PACKET_BATCH_SIZE][2];
    size_t n_want = DP_PACKET_BATCH_SIZE - batch->count;
    for (size_t i = 0; i < n_want; i++) {
        if (!ep->rx[i]) {
            ep->rx[i] = dp_packet_new(TNL_RX_FRAME);
        }
        if (udp && !ep->rx_spill[i]) {
            ep->rx_spill[i] = xmalloc(TNL_RX_GRO - TNL_RX_FRAME);
        }
        iovs[i][0] = (struct iovec) { dp_packet_data(ep->rx[i]),
                                      TNL_RX_FRAME };
        iovs[i][1] = (struct iovec) { ep->rx_spill[i],
                                      TNL_RX_GRO - TNL_RX_FRAME };
        msgs[i].msg_hdr = (struct msghdr) {
            .msg_name = &ep->rx_from[i],
            .msg_namelen = sizeof ep->rx_from[i],
            .msg_iov = iovs[i],
            .msg_iovlen = udp ? 2 : 1,
            .msg_control = udp ? ep->rx_cmsg[i].buf : NULL,
            .msg_controllen = udp ? sizeof ep->rx_cmsg[i].buf : 0,
        };
    }
    int n = recvmmsg(ep->fd, msgs, n_want, MSG_DONTWAIT, NULL);
    if (n <= 0) {
        return batch->count ? 0 : -EAGAIN;
    }

    const struct tnl_demux *demux = rcu_get(ep->demux);
    long long now = time_msec();
    for (int i = 0; i < n; i++) {
        struct dp_packet *p = ep->rx[i];
        const struct msghdr *msg = &msgs[i].msg_hdr;
        size_t len = msgs[i].msg_len;
        ep->rx[i] = NULL;

        struct in6_addr remote;
        tnl_addr_from_sockaddr(&ep->rx_from[i], &remote);
        size_t gro = udp ? tnl_gro_size(msg) : 0;
        if (msg->msg_flags & MSG_TRUNC
            || (len > TNL_RX_FRAME && (!gro || gro > TNL_RX_FRAME))) {
            netdev_tunnel_count_drop(NULL, TNL_DROP_SHORT);
            dp_packet_delete(p);
        } else if (gro && gro < len) {
            tnl_rx_gro(ep, demux, p, ep->rx_spill[i], len, gro, &remote,
                       now, batch);
        } else {
            p->size = len;
            p = tnl_rx_datagram(ep, demux, p, &remote, now);
            if (p) {
                tnl_rx_emit(ep, batch, p);
            }
        }
    }
    return 0;
}
