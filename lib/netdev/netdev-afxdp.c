/* The afxdp port class, also serving type "system": a kernel interface
 * through AF_XDP sockets (libxdp), one per receive queue, each with its
 * own UMEM.  Where XDP cannot attach it falls back to a packet socket
 * (netdev-afpacket.h) and says why in Interface.status.
 *
 * Options: xdp-mode = best-effort (native with zero-copy, then native,
 * then generic) | native-with-zerocopy | native | generic; n_rxq = the
 * number of queues to open (one datapath thread polls each).
 *
 * A queue's UMEM holds XSK_RX_FRAMES frames that cycle between the fill
 * and receive rings, and XSK_TX_FRAMES frames that cycle between a free
 * stack, the transmit ring and the completion ring.  Receiving copies a
 * frame out and hands its buffer straight back to the fill ring; only the
 * queue's polling thread does it.  Sending copies into free frames under
 * the queue's transmit lock, since any thread may send.  need_wakeup is
 * always on: the kernel is kicked only when it asks.
 *
 * The XDP program is softswitch's own (xdp-fastpath.h), not libxdp's
 * default one: besides feeding the sockets it forwards, in the kernel,
 * frames of the megaflows the datapath copies into its fast path table
 * (dpif/dp-offload.c). */
#include <config.h>

#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>
#include "coverage.h"
#include "dp-packet.h"
#include "dp-packet-offload.h"
#include "netdev/netdev-afpacket.h"
#include "netdev/netdev-linux.h"
#include "netdev/netdev-provider.h"
#include "netdev/xdp-fastpath.h"
#include "smap.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_afxdp);

COVERAGE_DEFINE(afxdp_tx_full);
COVERAGE_DEFINE(afxdp_tx_too_big);
COVERAGE_DEFINE(afxdp_fallback);

enum {
    XSK_FRAME_SIZE = XSK_UMEM__DEFAULT_FRAME_SIZE,
    XSK_RING_SIZE = 2048,
    XSK_RX_FRAMES = XSK_RING_SIZE,      /* All in the fill ring at first. */
    XSK_TX_FRAMES = XSK_RING_SIZE,
    XSK_FRAMES = XSK_RX_FRAMES + XSK_TX_FRAMES,
    XSK_MAX_RXQ = 16,
    /* The largest MTU XDP takes with 4 kB frames: the frame less XDP's
     * headroom (256), the skb_shared_info tail (320) and the Ethernet
     * header. */
    XSK_MAX_MTU = XSK_FRAME_SIZE - 256 - 320 - 14,
    XSK_BUSY_RETRIES = 50,
    XSK_BUSY_RETRY_USEC = 4000,
};

enum sw_xdp_mode {
    SW_XDP_BEST_EFFORT,
    SW_XDP_NATIVE_ZC,
    SW_XDP_NATIVE,
    SW_XDP_GENERIC,
};

static const char *const xdp_mode_names[] = {
    [SW_XDP_BEST_EFFORT] = "best-effort",
    [SW_XDP_NATIVE_ZC] = "native-with-zerocopy",
    [SW_XDP_NATIVE] = "native",
    [SW_XDP_GENERIC] = "generic",
};

static uint32_t
xdp_mode_flags(enum sw_xdp_mode mode)
{
    return mode == SW_XDP_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

struct xsk_queue {
    struct xsk_socket *xsk;
    struct xsk_umem *umem;
    void *area;                 /* The UMEM's memory (mmap). */
    struct xsk_ring_cons rx;
    struct xsk_ring_prod fq;

    pthread_spinlock_t tx_lock; /* Guards the members below. */
    struct xsk_ring_prod tx;
    struct xsk_ring_cons cq;
    uint64_t tx_free[XSK_TX_FRAMES];    /* Addresses of free frames. */
    size_t n_tx_free;
};

struct netdev_afxdp {
    struct netdev up;

    enum sw_xdp_mode mode;         /* As configured. */
    int n_rxq;                  /* As configured. */
    bool configured;

    /* What is open: queues in 'mode_in_use', or the fallback. */
    struct xsk_queue *queues;
    int n_queues;
    enum sw_xdp_mode mode_in_use;
    struct swxdp_device *xdp;   /* The program, attached in that mode. */
    struct afpacket *fallback;
    char *fallback_why;

    bool promisc_set;           /* We made the device promiscuous. */
    uint64_t closed_drops;      /* Kernel drops of sockets now closed. */
};

static struct netdev_afxdp *
netdev_afxdp_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_afxdp, up);
}

/* UMEM pages are locked memory, counted against RLIMIT_MEMLOCK by
 * kernels before 5.11: without a raised limit the third port fails there.
 * Raise it as far as we may; newer kernels do not care. */
static void
raise_memlock_limit(void)
{
    static bool done;
    struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
    if (done || !setrlimit(RLIMIT_MEMLOCK, &r)) {
        done = true;
        return;
    }
    done = true;
    if (!getrlimit(RLIMIT_MEMLOCK, &r) && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_MEMLOCK, &r);
    }
}

static void
xsk_queue_close(struct xsk_queue *q)
{
    if (q->xsk) {
        xsk_socket__delete(q->xsk);
    }
    if (q->umem) {
        xsk_umem__delete(q->umem);
    }
    if (q->area) {
        munmap(q->area, (size_t) XSK_FRAMES * XSK_FRAME_SIZE);
    }
    pthread_spin_destroy(&q->tx_lock);
    memset(q, 0, sizeof *q);
}

/* Opens queue 'qid' of device 'name' in 'mode' (not best-effort). */
static int
xsk_queue_open(struct xsk_queue *q, const char *name, int qid,
               enum sw_xdp_mode mode)
{
    size_t size = (size_t) XSK_FRAMES * XSK_FRAME_SIZE;
    int error;

    memset(q, 0, sizeof *q);
    pthread_spin_init(&q->tx_lock, PTHREAD_PROCESS_PRIVATE);
    q->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q->area == MAP_FAILED) {
        q->area = NULL;
        error = -errno;
        goto err;
    }
    struct xsk_umem_config ucfg = {
        .fill_size = XSK_RING_SIZE,
        .comp_size = XSK_RING_SIZE,
        .frame_size = XSK_FRAME_SIZE,
        .frame_headroom = 0,
    };
    error = xsk_umem__create(&q->umem, q->area, size, &q->fq, &q->cq, &ucfg);
    if (error) {
        q->umem = NULL;
        goto err;
    }
    struct xsk_socket_config scfg = {
        .rx_size = XSK_RING_SIZE,
        .tx_size = XSK_RING_SIZE,
        .xdp_flags = xdp_mode_flags(mode),
        .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
        .bind_flags = XDP_USE_NEED_WAKEUP
                      | (mode == SW_XDP_NATIVE_ZC ? XDP_ZEROCOPY
                         : XDP_COPY),
    };
    /* The kernel lets go of a queue some time after its last socket
     * closes (the release is deferred): reopening at once finds it
     * busy for a few milliseconds. */
    for (int tries = 0; ; tries++) {
        error = xsk_socket__create(&q->xsk, name, qid, q->umem, &q->rx,
                                   &q->tx, &scfg);
        if (error != -EBUSY || tries >= XSK_BUSY_RETRIES) {
            break;
        }
        usleep(XSK_BUSY_RETRY_USEC);
    }
    if (error) {
        q->xsk = NULL;
        goto err;
    }

    /* Every receive frame goes to the fill ring; the rest wait to send. */
    uint32_t idx;
    if (xsk_ring_prod__reserve(&q->fq, XSK_RX_FRAMES, &idx)
        != XSK_RX_FRAMES) {
        error = -ENOMEM;
        goto err;
    }
    for (uint64_t i = 0; i < XSK_RX_FRAMES; i++) {
        *xsk_ring_prod__fill_addr(&q->fq, idx + i) = i * XSK_FRAME_SIZE;
    }
    xsk_ring_prod__submit(&q->fq, XSK_RX_FRAMES);
    for (uint64_t i = 0; i < XSK_TX_FRAMES; i++) {
        q->tx_free[i] = (XSK_RX_FRAMES + i) * XSK_FRAME_SIZE;
    }
    q->n_tx_free = XSK_TX_FRAMES;
    return 0;

err:
    xsk_queue_close(q);
    return error < 0 ? error : -error;
}

/* Frames the kernel dropped for queue 'q' before its socket saw them
 * (receive ring full, or no buffer): invisible otherwise. */
static uint64_t
xsk_queue_drops(const struct xsk_queue *q)
{
    struct xdp_statistics st;
    socklen_t len = sizeof st;
    if (!q->xsk || getsockopt(xsk_socket__fd(q->xsk), SOL_XDP,
                              XDP_STATISTICS, &st, &len)) {
        return 0;
    }
    return st.rx_dropped + st.rx_ring_full;
}

static void
netdev_afxdp_close_all(struct netdev_afxdp *dev)
{
    swxdp_device_close(dev->xdp);
    dev->xdp = NULL;
    for (int i = 0; i < dev->n_queues; i++) {
        dev->closed_drops += xsk_queue_drops(&dev->queues[i]);
        xsk_queue_close(&dev->queues[i]);
    }

    free(dev->queues);
    dev->queues = NULL;
    dev->n_queues = 0;
    if (dev->fallback) {
        dev->closed_drops += afpacket_kernel_drops(dev->fallback);
    }
    afpacket_close(dev->fallback);
    dev->fallback = NULL;
    free(dev->fallback_why);
    dev->fallback_why = NULL;
}

/* Attaches the program in 'mode' and opens 'n' queues, all or nothing.
 * On failure '*whyp' may say why. */
static int
netdev_afxdp_open_queues(struct netdev_afxdp *dev, enum sw_xdp_mode mode,
                         int n, char **whyp)
{
    struct swxdp_device *xdp;
    int error = swxdp_device_open(linux_ifindex(dev->up.name),
                                  mode == SW_XDP_GENERIC, &xdp, whyp);
    if (error) {
        return error;
    }
    struct xsk_queue *queues = xcalloc(n, sizeof *queues);
    for (int i = 0; i < n; i++) {
        error = xsk_queue_open(&queues[i], dev->up.name, i, mode);
        if (!error) {
            error = swxdp_device_set_socket(xdp, i,
                                            xsk_socket__fd(queues[i].xsk));
            if (error) {
                xsk_queue_close(&queues[i]);
            }
        }
        if (error) {
            while (i-- > 0) {
                xsk_queue_close(&queues[i]);
            }
            free(queues);
            swxdp_device_close(xdp);
            return error;
        }
    }
    dev->xdp = xdp;
    dev->queues = queues;
    dev->n_queues = n;
    dev->mode_in_use = mode;
    return 0;
}

/* Opens the device as configured: AF_XDP in the first mode that works,
 * else a packet socket.  Returns 0 or a negative errno. */
static int
netdev_afxdp_open(struct netdev_afxdp *dev, char **errp)
{
    const char *name = dev->up.name;
    int error = 0;

    raise_memlock_limit();
    error = linux_update_flags(name, 0, IFF_UP | IFF_PROMISC);
    if (error) {
        *errp = xasprintf("%s: could not bring the device up (%s)", name,
                          strerror(-error));
        return error;
    }
    dev->promisc_set = true;
    int first = dev->mode == SW_XDP_BEST_EFFORT ? SW_XDP_NATIVE_ZC
                                                  : (int) dev->mode;
    int last = dev->mode == SW_XDP_BEST_EFFORT ? SW_XDP_GENERIC
                                                 : (int) dev->mode;
    char *why = NULL;
    for (int mode = first; mode <= last; mode++) {
        /* A failed mode leaves nothing attached or open. */
        free(why);
        why = NULL;
        error = netdev_afxdp_open_queues(dev, mode, dev->n_rxq, &why);
        if (!error) {
            VLOG_INFO("%s: AF_XDP in %s mode, %d queue(s)", name,
                      xdp_mode_names[mode], dev->n_rxq);
            dev->up.takes_offloads = false;
            return 0;
        }
        VLOG_DBG("%s: AF_XDP in %s mode failed (%s)", name,
                 xdp_mode_names[mode], strerror(-error));
    }

    /* An MTU too large for XDP is the common reason: say so. */
    int mtu;
    if (!linux_get_mtu(name, &mtu) && mtu > XSK_MAX_MTU) {
        dev->fallback_why = xasprintf("MTU %d is larger than AF_XDP "
                                      "takes (about %d)", mtu, XSK_MAX_MTU);
    } else {
        dev->fallback_why = xasprintf("XDP could not attach in %s mode "
                                      "(%s)", xdp_mode_names[dev->mode],
                                      why ? why : strerror(-error));
    }
    free(why);
    COVERAGE_INC(afxdp_fallback);
    dev->fallback = afpacket_open(name, &error, errp);
    if (!dev->fallback) {
        return error;
    }
    VLOG_WARN("%s: using AF_PACKET: %s", name, dev->fallback_why);
    dev->up.takes_offloads = true;
    return 0;
}

static struct netdev *
netdev_afxdp_alloc(void)
{
    struct netdev_afxdp *dev = xzalloc(sizeof *dev);
    return &dev->up;
}

static int
netdev_afxdp_construct(struct netdev *netdev, char **errp)
{
    int ifindex = linux_ifindex(netdev->name);
    if (ifindex < 0) {
        *errp = xasprintf("%s: no such network device (%s)", netdev->name,
                          strerror(-ifindex));
        return ifindex;
    }
    return 0;
}

static void
netdev_afxdp_destroy(struct netdev *netdev)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    netdev_afxdp_close_all(dev);
    if (dev->promisc_set) {
        linux_update_flags(netdev->name, IFF_PROMISC, 0);
    }
    free(dev);
}

static int
netdev_afxdp_set_config(struct netdev *netdev, const struct smap *options,
                        char **errp)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    enum sw_xdp_mode mode = SW_XDP_BEST_EFFORT;
    int n_rxq = 1;

    struct smap_node *node;
    SMAP_FOR_EACH (node, options) {
        if (!strcmp(node->key, "xdp-mode")) {
            size_t i;
            for (i = 0; i < ARRAY_SIZE(xdp_mode_names); i++) {
                if (!strcmp(node->value, xdp_mode_names[i])) {
                    break;
                }
            }
            if (i == ARRAY_SIZE(xdp_mode_names)) {
                *errp = xasprintf("%s: xdp-mode \"%s\" is not one of "
                                  "best-effort, native-with-zerocopy, "
                                  "native, generic", netdev->name,
                                  node->value);
                return -EINVAL;
            }
            mode = i;
        } else if (!strcmp(node->key, "n_rxq")) {
            int max = MIN(XSK_MAX_RXQ, linux_get_n_rxq(netdev->name));
            if (!str_to_int(node->value, 1, max, &n_rxq)) {
                *errp = xasprintf("%s: n_rxq \"%s\" is not a number from 1 "
                                  "to %d (the device's receive queues)",
                                  netdev->name, node->value, max);
                return -EINVAL;
            }
        } else {
            *errp = xasprintf("%s: unknown option \"%s\"", netdev->name,
                              node->key);
            return -EINVAL;
        }
    }

    if (dev->configured && mode == dev->mode && n_rxq == dev->n_rxq) {
        return 0;
    }
    /* The bridge takes a threaded port off the datapath before it
     * changes its options, so no thread uses the queues closed here. */
    netdev_afxdp_close_all(dev);
    dev->mode = mode;
    dev->n_rxq = n_rxq;
    dev->configured = true;
    return netdev_afxdp_open(dev, errp);
}

static void
netdev_afxdp_get_status(const struct netdev *netdev, struct smap *status)
{
    const struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    if (dev->fallback) {
        smap_add(status, "io", "afpacket");
        smap_add(status, "afxdp_error", dev->fallback_why);
    } else if (dev->n_queues) {
        smap_add(status, "io", "afxdp");
        smap_add(status, "xdp-mode", xdp_mode_names[dev->mode_in_use]);
        smap_add_format(status, "n_rxq", "%d", dev->n_queues);
    }
    linux_get_driver_status(netdev->name, status);
}

static int
netdev_afxdp_get_stats(const struct netdev *netdev,
                       struct netdev_stats *stats)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    netdev_read_counters(netdev, stats);
    stats->rx_dropped += dev->closed_drops;
    if (dev->fallback) {
        stats->rx_dropped += afpacket_kernel_drops(dev->fallback);
    }
    for (int i = 0; i < dev->n_queues; i++) {
        stats->rx_dropped += xsk_queue_drops(&dev->queues[i]);
    }
    return 0;
}

static int
netdev_afxdp_n_rxq(const struct netdev *netdev)
{
    const struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    return dev->fallback ? 1 : MAX(dev->n_queues, 1);
}

static int
netdev_afxdp_rxq_recv(struct netdev *netdev, int qid,
                      struct dp_packet_batch *batch)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    if (dev->fallback) {
        return afpacket_recv(dev->fallback, batch, &dev->up.stats);
    }
    if (qid >= dev->n_queues) {
        return -EAGAIN;
    }

    struct xsk_queue *q = &dev->queues[qid];
    uint32_t idx_rx, idx_fq = 0;
    unsigned int n = xsk_ring_cons__peek(&q->rx, DP_PACKET_BATCH_SIZE,
                                         &idx_rx);
    if (!n) {
        if (xsk_ring_prod__needs_wakeup(&q->fq)) {
            recvfrom(xsk_socket__fd(q->xsk), NULL, 0, MSG_DONTWAIT, NULL,
                     NULL);
        }
        return -EAGAIN;
    }

    /* The frames just received make room for as many in the fill ring. */
    xsk_ring_prod__reserve(&q->fq, n, &idx_fq);
    uint64_t bytes = 0;
    for (unsigned int i = 0; i < n; i++) {
        const struct xdp_desc *desc = xsk_ring_cons__rx_desc(&q->rx,
                                                             idx_rx + i);
        uint64_t addr = xsk_umem__add_offset_to_addr(desc->addr);
        struct dp_packet *p = dp_packet_new_with_data(
            xsk_umem__get_data(q->area, addr), desc->len);
        dp_packet_offload_repair_csum(p);
        bytes += desc->len;
        dp_packet_batch_add(batch, p);
        *xsk_ring_prod__fill_addr(&q->fq, idx_fq + i)
            = xsk_umem__extract_addr(desc->addr);
    }
    xsk_ring_prod__submit(&q->fq, n);
    xsk_ring_cons__release(&q->rx, n);
    netdev_count(&dev->up.stats.rx_packets, n);
    netdev_count(&dev->up.stats.rx_bytes, bytes);
    return 0;
}

/* Takes back the frames the kernel has finished sending. */
static void
xsk_queue_complete_tx(struct xsk_queue *q)
{
    uint32_t idx;
    unsigned int n = xsk_ring_cons__peek(&q->cq, XSK_RING_SIZE, &idx);
    for (unsigned int i = 0; i < n; i++) {
        q->tx_free[q->n_tx_free++] = *xsk_ring_cons__comp_addr(&q->cq,
                                                               idx + i);
    }
    xsk_ring_cons__release(&q->cq, n);
}

static int
netdev_afxdp_send(struct netdev *netdev, int qid,
                  struct dp_packet_batch *batch)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    if (dev->fallback) {
        return afpacket_send(dev->fallback, batch, &dev->up.stats);
    }
    if (!dev->n_queues) {
        netdev_count(&dev->up.stats.tx_dropped, batch->count);
        dp_packet_batch_delete(batch);
        return -ENETDOWN;
    }

    /* Frames larger than a UMEM frame cannot go: drop them first. */
    size_t too_big = 0;
    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *p = batch->packets[i];
        if (unlikely(p->size > XSK_FRAME_SIZE)) {
            dp_packet_delete(p);
            too_big++;
        } else {
            batch->packets[i - too_big] = p;
        }
    }
    batch->count -= too_big;

    struct xsk_queue *q = &dev->queues[qid % dev->n_queues];
    uint64_t bytes = 0;
    uint32_t idx;

    pthread_spin_lock(&q->tx_lock);
    xsk_queue_complete_tx(q);
    unsigned int n = MIN(batch->count, q->n_tx_free);
    if (n && xsk_ring_prod__reserve(&q->tx, n, &idx) != n) {
        n = 0;
    }
    for (unsigned int i = 0; i < n; i++) {
        const struct dp_packet *p = batch->packets[i];
        uint64_t addr = q->tx_free[--q->n_tx_free];
        memcpy(xsk_umem__get_data(q->area, addr), dp_packet_data(p),
               p->size);
        struct xdp_desc *desc = xsk_ring_prod__tx_desc(&q->tx, idx + i);
        desc->addr = addr;
        desc->len = p->size;
        desc->options = 0;
        bytes += p->size;
    }
    if (n) {
        xsk_ring_prod__submit(&q->tx, n);
        if (xsk_ring_prod__needs_wakeup(&q->tx)) {
            sendto(xsk_socket__fd(q->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
        }
    }
    pthread_spin_unlock(&q->tx_lock);

    size_t full = batch->count - n;
    if (full) {
        COVERAGE_ADD(afxdp_tx_full, full);
    }
    if (too_big) {
        COVERAGE_ADD(afxdp_tx_too_big, too_big);
    }
    netdev_count(&dev->up.stats.tx_packets, n);
    netdev_count(&dev->up.stats.tx_bytes, bytes);
    netdev_count(&dev->up.stats.tx_dropped, full + too_big);
    dp_packet_batch_delete(batch);
    return 0;
}

static const struct swxdp_device *
netdev_afxdp_get_fastpath(const struct netdev *netdev)
{
    const struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    return dev->fallback ? afpacket_fastpath(dev->fallback) : dev->xdp;
}

static int
netdev_afxdp_rxq_wait_fd(const struct netdev *netdev, int qid)
{
    const struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    return (dev->fallback ? afpacket_fd(dev->fallback)
            : qid < dev->n_queues ? xsk_socket__fd(dev->queues[qid].xsk)
            : -1);
}

const struct netdev_class netdev_afxdp_class = {
    .type = "afxdp",
    .threaded = true,
    .alloc = netdev_afxdp_alloc,
    .construct = netdev_afxdp_construct,
    .destroy = netdev_afxdp_destroy,
    .set_config = netdev_afxdp_set_config,
    .get_etheraddr = netdev_linux_get_etheraddr,
    .get_mtu = netdev_linux_get_mtu,
    .set_mtu = netdev_linux_set_mtu,
    .get_stats = netdev_afxdp_get_stats,
    .get_status = netdev_afxdp_get_status,
    .get_carrier = netdev_linux_get_carrier,
    .n_rxq = netdev_afxdp_n_rxq,
    .rxq_recv = netdev_afxdp_rxq_recv,
    .send = netdev_afxdp_send,
    .rxq_wait_fd = netdev_afxdp_rxq_wait_fd,
    .get_fastpath = netdev_afxdp_get_fastpath,
};
