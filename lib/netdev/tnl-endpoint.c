#include <config.h>
#include "netdev/tnl-endpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dp-packet.h"
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
    TNL_RCVBUF = 4 << 20,
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

    /* Receive buffers: only the reader's thread touches them. */
    struct dp_packet *rx[DP_PACKET_BATCH_SIZE];
    struct sockaddr_storage rx_from[DP_PACKET_BATCH_SIZE];
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
    }
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

int
tnl_endpoint_recv(struct netdev_tunnel *self, struct dp_packet_batch *batch)
{
    struct tnl_endpoint *ep = self->endpoint;
    if (!ep || __atomic_load_n(&ep->reader, __ATOMIC_ACQUIRE) != self) {
        return -EAGAIN;
    }

    struct mmsghdr msgs[DP_PACKET_BATCH_SIZE];
    struct iovec iovs[DP_PACKET_BATCH_SIZE];
    size_t n_want = DP_PACKET_BATCH_SIZE - batch->count;
    for (size_t i = 0; i < n_want; i++) {
        if (!ep->rx[i]) {
            ep->rx[i] = dp_packet_new(TNL_RX_FRAME);
        }
        iovs[i] = (struct iovec) { dp_packet_data(ep->rx[i]), TNL_RX_FRAME };
        msgs[i].msg_hdr = (struct msghdr) {
            .msg_name = &ep->rx_from[i],
            .msg_namelen = sizeof ep->rx_from[i],
            .msg_iov = &iovs[i],
            .msg_iovlen = 1,
        };
    }
    int n = recvmmsg(ep->fd, msgs, n_want, MSG_DONTWAIT, NULL);
    if (n <= 0) {
        return -EAGAIN;
    }

    const struct tnl_demux *demux = rcu_get(ep->demux);
    bool raw_ipv4 = (ep->proto->ip_proto != IPPROTO_UDP
                     && ep->family == AF_INET);
    long long now = time_msec();
    for (int i = 0; i < n; i++) {
        struct dp_packet *p = ep->rx[i];
        ep->rx[i] = NULL;
        p->size = msgs[i].msg_len;

        struct netdev_tunnel *port = NULL;
        struct in6_addr remote;
        uint32_t key = 0;
        enum tnl_drop reason = TNL_OK;
        tnl_addr_from_sockaddr(&ep->rx_from[i], &remote);
        if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
            reason = TNL_DROP_SHORT;
        } else if (raw_ipv4) {
            reason = tnl_pull_ipv4(p);
        }
        const void *header = NULL;  /* Stays in the headroom after the
                                     * pull, for read_options(). */
        if (!reason) {
            header = dp_packet_data(p);
            reason = ep->proto->pop_header(p, &key);
        }
        struct netdev_tunnel *blame = NULL;
        if (!reason) {
            port = tnl_demux_lookup(demux, key, &remote, &reason, &blame);
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
            continue;
        }

        p->md.in_port = port->up.dp_port_no;
        p->md.tun_id = htobe64(key);
        if (tnl_addr_is_ipv4(&remote)) {
            memcpy(&p->md.tun_src, &remote.s6_addr[12], 4);
            memcpy(&p->md.tun_dst, &ep->local.s6_addr[12], 4);
        } else {
            p->md.tun_ipv6_src = remote;
            p->md.tun_ipv6_dst = ep->local;
        }
        if (port->learn) {
            const struct eth_header *eth = dp_packet_data(p);
            tnl_learn_update(port->learn, eth->src, &remote, now);
        }
        netdev_count(&port->up.stats.rx_packets, 1);
        netdev_count(&port->up.stats.rx_bytes, p->size);
        dp_packet_batch_add(batch, p);
    }
    return 0;
}
