/* The tap and internal port classes: a tap device from /dev/net/tun.
 *
 * "tap" creates the device by name, or attaches to a persistent one that
 * exists (`ip tuntap add NAME mode tap`).  "internal" is the bridge's own
 * interface, a tap named like the bridge, so that the host can put an
 * address on br0; it goes away when the bridge does.
 *
 * The device is opened with a virtio-net header (IFF_VNET_HDR) and told
 * that we take checksum and TCP segmentation offloads, so the host's
 * stack hands over 64 kB TCP segments with their checksum left to do, and
 * we hand such segments back: bulk TCP through the port is not cut into
 * MTU-sized frames.
 *
 * A tap has one queue, read by one datapath thread; writes from several
 * threads at once are fine, since each write() is one frame. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include "coverage.h"
#include "dp-packet.h"
#include "dp-packet-offload.h"
#include "netdev/netdev-linux.h"
#include "netdev/netdev-provider.h"
#include "smap.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_tap);

COVERAGE_DEFINE(netdev_tap_rx_bad_vnet);
COVERAGE_DEFINE(netdev_tap_tx_error);

enum {
    TAP_RX_FRAME = 2048,        /* Buffer of a received frame; a larger
                                 * (GSO) one also fills 'rx_tail'. */
    TAP_MAX_FRAME = 65536 + 64, /* Largest GSO frame, with tags. */
    TAP_IDLE_SKIPS = 8,         /* Polls skipped after an empty read. */
};

struct netdev_tap {
    struct netdev up;
    int fd;
    bool created;               /* We made the device (it was absent). */
    struct dp_packet *rx_tail;  /* Receives the tail of a large frame. */
    unsigned int idle_skips;    /* Polls left to skip (receiver only). */
};

static struct netdev_tap *
netdev_tap_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_tap, up);
}

static struct netdev *
netdev_tap_alloc(void)
{
    struct netdev_tap *dev = xzalloc(sizeof *dev);
    dev->fd = -1;
    return &dev->up;
}

static int
netdev_tap_construct(struct netdev *netdev, char **errp)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);
    const char *name = netdev->name;
    int error;

    if (strlen(name) >= IFNAMSIZ) {
        *errp = xasprintf("%s: name longer than %d bytes", name,
                          IFNAMSIZ - 1);
        return -ENAMETOOLONG;
    }
    bool existed = linux_ifindex(name) > 0;
    dev->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (dev->fd < 0) {
        error = -errno;
        *errp = xasprintf("%s: could not open /dev/net/tun (%s)", name,
                          strerror(errno));
        return error;
    }

    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
    strcpy(ifr.ifr_name, name);
    if (ioctl(dev->fd, TUNSETIFF, &ifr) < 0) {
        error = -errno;
        *errp = (errno == EBUSY || errno == EINVAL
                 ? xasprintf("%s: not a tap this switch can attach to: it "
                             "exists and is held by another program or is "
                             "another kind of device (use type=system)",
                             name)
                 : xasprintf("%s: could not create tap (%s)", name,
                             strerror(errno)));
        return error;
    }
    dev->created = !existed;

    unsigned int offloads = (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6
                             | TUN_F_TSO_ECN);
    if (ioctl(dev->fd, TUNSETOFFLOAD, offloads) < 0) {
        VLOG_WARN("%s: tap offloads unavailable (%s): bulk TCP will "
                  "arrive in MTU-sized frames", name, strerror(errno));
    }
    error = linux_update_flags(name, 0, IFF_UP);
    if (error) {
        *errp = xasprintf("%s: could not bring the tap up (%s)", name,
                          strerror(-error));
        return error;
    }
    dev->rx_tail = dp_packet_new_tail(TAP_RX_FRAME, TAP_MAX_FRAME);
    netdev->takes_offloads = true;
    return 0;
}

static void
netdev_tap_destroy(struct netdev *netdev)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);
    if (dev->fd >= 0) {
        close(dev->fd);         /* Deletes a tap that is not persistent. */
    }
    dp_packet_delete(dev->rx_tail);
    free(dev);
}

static void
netdev_tap_get_status(const struct netdev *netdev, struct smap *status)
{
    smap_add(status, "tap", netdev_tap_cast(netdev)->created
                            ? "created" : "attached");
}

/* Reads one frame, or returns NULL with '*error' set (-EAGAIN when
 * nothing waits). */
static struct dp_packet *
netdev_tap_recv_one(struct netdev_tap *dev, int *error)
{
    struct virtio_net_hdr vnet;
    struct dp_packet *p = dp_packet_new(TAP_RX_FRAME);
    struct iovec iov[3] = {
        { &vnet, sizeof vnet },
        { dp_packet_data(p), TAP_RX_FRAME },
        { dp_packet_data(dev->rx_tail), TAP_MAX_FRAME },
    };
    ssize_t n = readv(dev->fd, iov, 3);
    if (n < (ssize_t) sizeof vnet) {
        *error = n < 0 ? -errno : -EAGAIN;
        dp_packet_delete(p);
        return NULL;
    }
    size_t len = n - sizeof vnet;
    p->size = MIN(len, TAP_RX_FRAME);
    if (len > TAP_RX_FRAME) {
        /* The tail becomes the packet, with the head copied in front. */
        struct dp_packet *head = p;
        p = dev->rx_tail;
        dp_packet_prepend_head(p, len - TAP_RX_FRAME, head);
        dp_packet_delete(head);
        dev->rx_tail = dp_packet_new_tail(TAP_RX_FRAME, TAP_MAX_FRAME);
    }
    if ((vnet.flags || vnet.gso_type)
        && dp_packet_offload_from_vnet(p, &vnet)) {
        COVERAGE_INC(netdev_tap_rx_bad_vnet);
        netdev_count(&dev->up.stats.rx_errors, 1);
        dp_packet_delete(p);
        *error = 0;
        return NULL;
    }
    *error = 0;
    return p;
}

static int
netdev_tap_rxq_recv(struct netdev *netdev, int qid,
                    struct dp_packet_batch *batch)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);
    uint64_t bytes = 0;
    int error = 0;

    /* A tap has no ring to peek at: each look is a read() system call.
     * An idle tap (the bridge's own port, often) is looked at only
     * every few polls, so it costs busy ports little. */
    if (dev->idle_skips) {
        dev->idle_skips--;
        return -EAGAIN;
    }
    while (!dp_packet_batch_is_full(batch)) {
        struct dp_packet *p = netdev_tap_recv_one(dev, &error);
        if (p) {
            bytes += p->size;
            dp_packet_batch_add(batch, p);
        } else if (error) {
            break;
        }
    }
    if (!batch->count) {
        if (error != -EAGAIN) {
            netdev_count(&dev->up.stats.rx_errors, 1);
        }
        dev->idle_skips = TAP_IDLE_SKIPS;
        return error ? error : -EAGAIN;
    }
    netdev_count(&dev->up.stats.rx_packets, batch->count);
    netdev_count(&dev->up.stats.rx_bytes, bytes);
    return 0;
}

static int
netdev_tap_send(struct netdev *netdev, int qid, struct dp_packet_batch *batch)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);
    uint64_t sent = 0, bytes = 0, dropped = 0;
    int error = 0;

    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *p = batch->packets[i];
        struct virtio_net_hdr vnet;
        dp_packet_offload_to_vnet(p, &vnet);
        struct iovec iov[2] = {
            { &vnet, sizeof vnet },
            { dp_packet_data(p), p->size },
        };
        if (writev(dev->fd, iov, 2) < 0) {
            /* A full queue (EAGAIN) or a tap that is down (EIO) drops. */
            if (errno != EAGAIN && errno != EIO) {
                COVERAGE_INC(netdev_tap_tx_error);
                error = -errno;
            }
            dropped++;
        } else {
            sent++;
            bytes += p->size;
        }
    }
    dp_packet_batch_delete(batch);
    netdev_count(&dev->up.stats.tx_packets, sent);
    netdev_count(&dev->up.stats.tx_bytes, bytes);
    netdev_count(&dev->up.stats.tx_dropped, dropped);
    return error;
}

static int
netdev_tap_rxq_wait_fd(const struct netdev *netdev, int qid)
{
    return netdev_tap_cast(netdev)->fd;
}

/* "tap" and "internal" are the same device; only the type name, which
 * Interface.type and `dpctl/show` report, and the status differ. */
#define NETDEV_TAP_MEMBERS                          \
    .threaded = true,                               \
    .alloc = netdev_tap_alloc,                      \
    .construct = netdev_tap_construct,              \
    .destroy = netdev_tap_destroy,                  \
    .get_etheraddr = netdev_linux_get_etheraddr,    \
    .get_mtu = netdev_linux_get_mtu,                \
    .set_mtu = netdev_linux_set_mtu,                \
    .get_carrier = netdev_linux_get_carrier,        \
    .rxq_recv = netdev_tap_rxq_recv,                \
    .send = netdev_tap_send,                        \
    .rxq_wait_fd = netdev_tap_rxq_wait_fd

const struct netdev_class netdev_tap_class = {
    .type = "tap",
    NETDEV_TAP_MEMBERS,
    .get_status = netdev_tap_get_status,
};

const struct netdev_class netdev_internal_class = {
    .type = "internal",
    NETDEV_TAP_MEMBERS,
};
