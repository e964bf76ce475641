/* The afpacket port class: a kernel interface through a packet socket
 * (see netdev-afpacket.h), batched with recvmmsg() and sendmmsg().
 * Slower than AF_XDP, but it attaches to anything, including a tap that
 * QEMU holds, and it carries TCP segments of 64 kB. */
#include <config.h>
#include "netdev/netdev-afpacket.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "coverage.h"
#include "dp-packet.h"
#include "dp-packet-offload.h"
#include "netdev/netdev-linux.h"
#include "netdev/netdev-provider.h"
#include "netdev/xdp-fastpath.h"
#include "packets.h"
#include "smap.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_afpacket);

COVERAGE_DEFINE(afpacket_rx_bad_vnet);
COVERAGE_DEFINE(afpacket_rx_truncated);
COVERAGE_DEFINE(afpacket_tx_dropped);

enum {
    AFPACKET_RX_FRAME = 2048,   /* Buffer of a received frame; a larger
                                 * (GSO) one also fills a tail packet. */
    AFPACKET_MAX_FRAME = 65536, /* Largest GSO frame. */
    AFPACKET_CMSG_LEN = CMSG_SPACE(sizeof(struct tpacket_auxdata)),
    AFPACKET_RCVBUF = 8 << 20,
    AFPACKET_SNDBUF = 4 << 20,
};

struct afpacket {
    int fd;
    struct swxdp_device *fastpath;      /* NULL: the socket gets all. */
    uint64_t kernel_drops;      /* PACKET_STATISTICS, summed: reading
                                 * them resets the kernel's. */

    /* Receive side: one thread at a time. */
    struct dp_packet *rx_packets[DP_PACKET_BATCH_SIZE];
    struct virtio_net_hdr rx_vnet[DP_PACKET_BATCH_SIZE];
    struct dp_packet *rx_tails[DP_PACKET_BATCH_SIZE];
    uint8_t rx_cmsg[DP_PACKET_BATCH_SIZE][AFPACKET_CMSG_LEN];
};

/* Where the kernel can, frames that a fast path entry forwards go from
 * the device to the entry's output without reaching the socket.  The
 * socket works the same without. */
static void
afpacket_open_fastpath(struct afpacket *s, const char *name, int ifindex)
{
    char *why = NULL;
    int error = swxdp_socket_device_open(ifindex, s->fd, &s->fastpath,
                                         &why);
    if (error) {
        VLOG_INFO("%s: no kernel fast path (%s)", name,
                  why ? why : strerror(-error));
    }
    free(why);
}

struct afpacket *
afpacket_open(const char *name, int *error, char **errp)
{
    int ifindex = linux_ifindex(name);
    if (ifindex < 0) {
        *error = ifindex;
        *errp = xasprintf("%s: no such network device (%s)", name,
                          strerror(-ifindex));
        return NULL;
    }

    struct afpacket *s = xzalloc(sizeof *s);
    s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                   htons(ETH_P_ALL));
    if (s->fd < 0) {
        *error = -errno;
        *errp = xasprintf("%s: could not open packet socket (%s)", name,
                          strerror(errno));
        goto err_free;
    }
    /* The header must be asked for before binding; the rest are
     * refinements that an old kernel may lack. */
    *error = linux_set_sockopt(s->fd, SOL_PACKET, PACKET_VNET_HDR, 1);
    if (*error) {
        *errp = xasprintf("%s: packet socket without virtio-net headers "
                          "(%s)", name, strerror(-*error));
        goto err_close;
    }
    linux_set_sockopt(s->fd, SOL_PACKET, PACKET_AUXDATA, 1);
    linux_set_sockopt(s->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
    linux_set_sockopt(s->fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1);
    /* 64 kB segments fill the default 208 kB receive buffer at three. */
    linux_set_sock_buffer(s->fd, SO_RCVBUF, AFPACKET_RCVBUF);
    linux_set_sock_buffer(s->fd, SO_SNDBUF, AFPACKET_SNDBUF);

    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = ifindex,
    };
    if (bind(s->fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        *error = -errno;
        *errp = xasprintf("%s: could not bind packet socket (%s)", name,
                          strerror(errno));
        goto err_close;
    }
    struct packet_mreq mreq = {
        .mr_ifindex = ifindex,
        .mr_type = PACKET_MR_PROMISC,
    };
    if (setsockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq,
                   sizeof mreq) < 0) {
        *error = -errno;
        *errp = xasprintf("%s: could not make the device promiscuous (%s)",
                          name, strerror(errno));
        goto err_close;
    }
    *error = linux_update_flags(name, 0, IFF_UP);
    if (*error) {
        *errp = xasprintf("%s: could not bring the device up (%s)", name,
                          strerror(-*error));
        goto err_close;
    }
    afpacket_open_fastpath(s, name, ifindex);
    return s;

err_close:
    close(s->fd);
err_free:
    free(s);
    return NULL;
}

void
afpacket_close(struct afpacket *s)
{
    if (s) {
        swxdp_device_close(s->fastpath);
        close(s->fd);
        for (size_t i = 0; i < DP_PACKET_BATCH_SIZE; i++) {
            dp_packet_delete(s->rx_packets[i]);
            dp_packet_delete(s->rx_tails[i]);
        }
        free(s);
    }
}

int
afpacket_fd(const struct afpacket *s)
{
    return s->fd;
}

const struct swxdp_device *
afpacket_fastpath(const struct afpacket *s)
{
    return s->fastpath;
}

uint64_t
afpacket_kernel_drops(struct afpacket *s)
{
    struct tpacket_stats st;
    socklen_t len = sizeof st;
    if (!getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len)) {
        s->kernel_drops += st.tp_drops;
    }
    return s->kernel_drops;
}

/* Puts back the VLAN tag that the kernel took off into 'cmsg'. */
static void
afpacket_restore_vlan(struct dp_packet *p, struct msghdr *msg)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA
            || c->cmsg_len < CMSG_LEN(sizeof(struct tpacket_auxdata))) {
            continue;
        }
        struct tpacket_auxdata aux;
        memcpy(&aux, CMSG_DATA(c), sizeof aux);
        if (aux.tp_status & TP_STATUS_VLAN_VALID) {
            uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID
                             ? aux.tp_vlan_tpid : ETH_TYPE_VLAN_8021Q);
            eth_push_vlan(p, htons(tpid), htons(aux.tp_vlan_tci));
        }
    }
}

int
afpacket_recv(struct afpacket *s, struct dp_packet_batch *batch,
              struct netdev_stats *stats)
{
    struct mmsghdr msgs[DP_PACKET_BATCH_SIZE];
    struct iovec iovs[DP_PACKET_BATCH_SIZE][3];
    size_t n_want = DP_PACKET_BATCH_SIZE - batch->count;

    for (size_t i = 0; i < n_want; i++) {
        if (!s->rx_packets[i]) {
            s->rx_packets[i] = dp_packet_new(AFPACKET_RX_FRAME);
        }
        if (!s->rx_tails[i]) {
            s->rx_tails[i] = dp_packet_new_tail(AFPACKET_RX_FRAME,
                                                AFPACKET_MAX_FRAME);
        }
        iovs[i][0] = (struct iovec) { &s->rx_vnet[i], sizeof s->rx_vnet[i] };
        iovs[i][1] = (struct iovec) { dp_packet_data(s->rx_packets[i]),
                                      AFPACKET_RX_FRAME };
        iovs[i][2] = (struct iovec) { dp_packet_data(s->rx_tails[i]),
                                      AFPACKET_MAX_FRAME };
        msgs[i].msg_hdr = (struct msghdr) {
            .msg_iov = iovs[i],
            .msg_iovlen = 3,
            .msg_control = s->rx_cmsg[i],
            .msg_controllen = AFPACKET_CMSG_LEN,
        };
    }
    int n = recvmmsg(s->fd, msgs, n_want, MSG_DONTWAIT, NULL);
    if (n <= 0) {
        if (n < 0 && errno != EAGAIN && errno != ENETDOWN) {
            netdev_count(&stats->rx_errors, 1);
            return -errno;
        }
        return -EAGAIN;
    }

    uint64_t bytes = 0, errors = 0;
    for (int i = 0; i < n; i++) {
        struct dp_packet *p = s->rx_packets[i];
        size_t len = msgs[i].msg_len;
        s->rx_packets[i] = NULL;
        if (len < sizeof s->rx_vnet[i]
            || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
            COVERAGE_INC(afpacket_rx_truncated);
            errors++;
            dp_packet_delete(p);
            continue;
        }
        len -= sizeof s->rx_vnet[i];
        p->size = MIN(len, AFPACKET_RX_FRAME);
        if (len > AFPACKET_RX_FRAME) {
            /* The tail becomes the packet; the head buffer is kept. */
            struct dp_packet *whole = s->rx_tails[i];
            dp_packet_prepend_head(whole, len - AFPACKET_RX_FRAME, p);
            s->rx_tails[i] = NULL;
            s->rx_packets[i] = p;
            p = whole;
        }
        const struct virtio_net_hdr *vnet = &s->rx_vnet[i];
        if ((vnet->flags || vnet->gso_type)
            && dp_packet_offload_from_vnet(p, vnet)) {
            COVERAGE_INC(afpacket_rx_bad_vnet);
            errors++;
            dp_packet_delete(p);
            continue;
        }
        afpacket_restore_vlan(p, &msgs[i].msg_hdr);
        bytes += p->size;
        dp_packet_batch_add(batch, p);
    }
    netdev_count(&stats->rx_packets, n - errors);
    netdev_count(&stats->rx_bytes, bytes);
    netdev_count(&stats->rx_errors, errors);
    return 0;
}

int
afpacket_send(struct afpacket *s, struct dp_packet_batch *batch,
              struct netdev_stats *stats)
{
    struct mmsghdr msgs[DP_PACKET_BATCH_SIZE];
    struct iovec iovs[DP_PACKET_BATCH_SIZE][2];
    struct virtio_net_hdr vnets[DP_PACKET_BATCH_SIZE];
    uint64_t bytes = 0;
    size_t n = batch->count;

    for (size_t i = 0; i < n; i++) {
        struct dp_packet *p = batch->packets[i];
        dp_packet_offload_to_vnet(p, &vnets[i]);
        iovs[i][0] = (struct iovec) { &vnets[i], sizeof vnets[i] };
        iovs[i][1] = (struct iovec) { dp_packet_data(p), p->size };
        msgs[i].msg_hdr = (struct msghdr) { .msg_iov = iovs[i],
                                            .msg_iovlen = 2 };
        bytes += p->size;
    }

    /* A frame the kernel refuses (too big, say) stops sendmmsg(): skip
     * it and go on with the rest. */
    size_t sent = 0, dropped = 0;
    int error = 0;
    while (sent + dropped < n) {
        int k = sendmmsg(s->fd, msgs + sent + dropped, n - sent - dropped,
                         MSG_DONTWAIT);
        if (k > 0) {
            sent += k;
        } else if (k < 0 && errno == EINTR) {
            continue;
        } else {
            if (k < 0 && errno != EAGAIN && errno != ENOBUFS
                && errno != ENETDOWN && errno != ENXIO) {
                error = -errno;
            }
            COVERAGE_INC(afpacket_tx_dropped);
            bytes -= batch->packets[sent + dropped]->size;
            dropped++;
        }
    }
    dp_packet_batch_delete(batch);
    netdev_count(&stats->tx_packets, sent);
    netdev_count(&stats->tx_bytes, bytes);
    netdev_count(&stats->tx_dropped, dropped);
    return error;
}

/* The port class. */

struct netdev_afpacket {
    struct netdev up;
    struct afpacket *sock;
};

static struct netdev_afpacket *
netdev_afpacket_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_afpacket, up);
}

static struct netdev *
netdev_afpacket_alloc(void)
{
    struct netdev_afpacket *dev = xzalloc(sizeof *dev);
    return &dev->up;
}

static int
netdev_afpacket_construct(struct netdev *netdev, char **errp)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    int error;
    dev->sock = afpacket_open(netdev->name, &error, errp);
    netdev->takes_offloads = true;
    return dev->sock ? 0 : error;
}

static void
netdev_afpacket_destroy(struct netdev *netdev)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    afpacket_close(dev->sock);
    free(dev);
}

static void
netdev_afpacket_get_status(const struct netdev *netdev, struct smap *status)
{
    smap_add(status, "io", "afpacket");
    linux_get_driver_status(netdev->name, status);
}

static int
netdev_afpacket_rxq_recv(struct netdev *netdev, int qid,
                         struct dp_packet_batch *batch)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    return afpacket_recv(dev->sock, batch, &dev->up.stats);
}

static int
netdev_afpacket_send(struct netdev *netdev, int qid,
                     struct dp_packet_batch *batch)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    return afpacket_send(dev->sock, batch, &dev->up.stats);
}

static int
netdev_afpacket_get_stats(const struct netdev *netdev,
                          struct netdev_stats *stats)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    netdev_read_counters(netdev, stats);
    stats->rx_dropped += afpacket_kernel_drops(dev->sock);
    return 0;
}

static const struct swxdp_device *
netdev_afpacket_get_fastpath(const struct netdev *netdev)
{
    return afpacket_fastpath(netdev_afpacket_cast(netdev)->sock);
}

static int
netdev_afpacket_rxq_wait_fd(const struct netdev *netdev, int qid)
{
    return afpacket_fd(netdev_afpacket_cast(netdev)->sock);
}

const struct netdev_class netdev_afpacket_class = {
    .type = "afpacket",
    .threaded = true,
    .alloc = netdev_afpacket_alloc,
    .construct = netdev_afpacket_construct,
    .destroy = netdev_afpacket_destroy,
    .get_etheraddr = netdev_linux_get_etheraddr,
    .get_mtu = netdev_linux_get_mtu,
    .set_mtu = netdev_linux_set_mtu,
    .get_stats = netdev_afpacket_get_stats,
    .get_status = netdev_afpacket_get_status,
    .get_carrier = netdev_linux_get_carrier,
    .rxq_recv = netdev_afpacket_rxq_recv,
    .send = netdev_afpacket_send,
    .rxq_wait_fd = netdev_afpacket_rxq_wait_fd,
    .get_fastpath = netdev_afpacket_get_fastpath,
};
