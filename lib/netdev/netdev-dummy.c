/* The dummy port class: an in-memory port for tests and the sandbox.
 *
 * Frames arrive through `sw-appctl netdev-dummy/receive PORT FRAME...`
 * (hex, or a flow description) and wait in a bounded queue until the
 * datapath polls them; frames the switch sends are counted and, with
 * options:pcap=FILE, written to a pcap file (options:rx_pcap=FILE does
 * the same for frames received).
 *
 * Type "dummy" is received by the main thread at once, which keeps tests
 * deterministic; "dummy-pmd" is polled by datapath threads like a real
 * port, and wakes a sleeping thread through an eventfd. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "coverage.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "hash.h"
#include "netdev/netdev-provider.h"
#include "packet-compose.h"
#include "pcap-file.h"
#include "smap.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_dummy);

COVERAGE_DEFINE(netdev_dummy_rx_overflow);

enum {
    DUMMY_MAX_QUEUED = 4096,    /* Frames waiting to be received. */
    DUMMY_MTU = 1500,
};

struct netdev_dummy {
    struct netdev up;

    pthread_mutex_t mutex;      /* Guards everything below. */
    struct dp_packet **queue;   /* Ring of received frames; NULL until
                                 * the first (most ports of a big test
                                 * receive none: 32 kB each). */
    size_t head, n_queued;
    struct netdev_stats stats;
    struct eth_addr mac;
    bool carrier;
    char *tx_pcap_name, *rx_pcap_name;
    FILE *tx_pcap, *rx_pcap;
    int wake_fd;                /* dummy-pmd: readable while queued. */
};

static struct netdev_dummy *
netdev_dummy_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_dummy, up);
}

static struct netdev *
netdev_dummy_alloc(void)
{
    struct netdev_dummy *dev = xzalloc(sizeof *dev);
    return &dev->up;
}

static int
netdev_dummy_construct(struct netdev *netdev, char **errp)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    pthread_mutex_init(&dev->mutex, NULL);
    dev->mac = eth_addr_local_from_seed(hash_string(netdev->name, 0));
    dev->carrier = true;
    dev->wake_fd = -1;
    if (netdev->class->threaded) {
        dev->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (dev->wake_fd < 0) {
            int error = -errno;
            *errp = xasprintf("%s: eventfd failed (%s)", netdev->name,
                              strerror(errno));
            return error;
        }
    }
    return 0;
}

static void
netdev_dummy_destroy(struct netdev *netdev)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    if (dev->queue) {
        for (size_t i = 0; i < dev->n_queued; i++) {
            dp_packet_delete(dev->queue[(dev->head + i) % DUMMY_MAX_QUEUED]);
        }
        free(dev->queue);
        pthread_mutex_destroy(&dev->mutex);
    }
    if (dev->tx_pcap) {
        fclose(dev->tx_pcap);
    }
    if (dev->rx_pcap) {
        fclose(dev->rx_pcap);
    }
    if (dev->wake_fd >= 0) {
        close(dev->wake_fd);
    }
    free(dev->tx_pcap_name);
    free(dev->rx_pcap_name);
    free(dev);
}

/* Points '*file' (named '*name') at pcap file 'path' (or none), keeping
 * the file open if the name is unchanged. */
static int
netdev_dummy_set_pcap(const char *path, char **name, FILE **file,
                      char **errp)
{
    if (*name && path && !strcmp(*name, path)) {
        return 0;
    }
    if (*file) {
        fclose(*file);
        *file = NULL;
    }
    free(*name);
    *name = NULL;
    if (!path) {
        return 0;
    }
    int error = pcap_open_write(path, file);
    if (error) {
        *errp = xasprintf("%s: could not open pcap file (%s)", path,
                          strerror(-error));
        return error;
    }
    *name = xstrdup(path);
    return 0;
}

static int
netdev_dummy_set_config(struct netdev *netdev, const struct smap *options,
                        char **errp)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    struct smap_node *node;
    int error;

    SMAP_FOR_EACH (node, options) {
        if (strcmp(node->key, "pcap") && strcmp(node->key, "rx_pcap")) {
            *errp = xasprintf("%s: unknown option \"%s\" for a dummy "
                              "interface", netdev->name, node->key);
            return -EINVAL;
        }
    }
    pthread_mutex_lock(&dev->mutex);
    error = netdev_dummy_set_pcap(smap_get(options, "pcap"),
                                  &dev->tx_pcap_name, &dev->tx_pcap, errp);
    if (!error) {
        error = netdev_dummy_set_pcap(smap_get(options, "rx_pcap"),
                                      &dev->rx_pcap_name, &dev->rx_pcap,
                                      errp);
    }
    pthread_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_dummy_get_etheraddr(const struct netdev *netdev, struct eth_addr *ea)
{
    *ea = netdev_dummy_cast(netdev)->mac;
    return 0;
}

static int
netdev_dummy_get_mtu(const struct netdev *netdev, int *mtu)
{
    *mtu = DUMMY_MTU;
    return 0;
}

static int
netdev_dummy_get_stats(const struct netdev *netdev,
                       struct netdev_stats *stats)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    pthread_mutex_lock(&dev->mutex);
    *stats = dev->stats;
    pthread_mutex_unlock(&dev->mutex);
    return 0;
}

static void
netdev_dummy_get_status(const struct netdev *netdev, struct smap *status)
{
    if (strcmp(netdev->type, "dummy")) {
        smap_add_format(status, "driver_name", "dummy (standing in for %s)",
                        netdev->type);
    } else {
        smap_add(status, "driver_name", "dummy");
    }
}

static bool
netdev_dummy_get_carrier(const struct netdev *netdev)
{
    return netdev_dummy_cast(netdev)->carrier;
}

static int
netdev_dummy_rxq_recv(struct netdev *netdev, int qid,
                      struct dp_packet_batch *batch)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    while (dev->n_queued && !dp_packet_batch_is_full(batch)) {
        struct dp_packet *p = dev->queue[dev->head];
        dev->head = (dev->head + 1) % DUMMY_MAX_QUEUED;
        dev->n_queued--;
        dev->stats.rx_packets++;
        dev->stats.rx_bytes += dp_packet_size(p);
        dp_packet_batch_add(batch, p);
    }
    if (!dev->n_queued && dev->wake_fd >= 0) {
        uint64_t n;
        while (read(dev->wake_fd, &n, sizeof n) > 0) {
            continue;
        }
    }
    pthread_mutex_unlock(&dev->mutex);
    return batch->count ? 0 : -EAGAIN;
}

static int
netdev_dummy_rxq_wait_fd(const struct netdev *netdev, int qid)
{
    return netdev_dummy_cast(netdev)->wake_fd;
}

static int
netdev_dummy_send(struct netdev *netdev, int qid,
                  struct dp_packet_batch *batch)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    pthread_mutex_lock(&dev->mutex);
    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *p = batch->packets[i];
        if (!dev->carrier) {
            dev->stats.tx_dropped++;
            continue;
        }
        dev->stats.tx_packets++;
        dev->stats.tx_bytes += dp_packet_size(p);
        if (dev->tx_pcap && pcap_write(dev->tx_pcap, p)) {
            dev->stats.tx_errors++;
        }
    }
    if (dev->tx_pcap) {
        fflush(dev->tx_pcap);   /* Once per batch, so readers see it. */
    }
    pthread_mutex_unlock(&dev->mutex);
    dp_packet_batch_delete(batch);
    return 0;
}

/* Queues 'p' as received.  Returns false (and frees it) if the queue is
 * full. */
static bool
netdev_dummy_queue_rx(struct netdev_dummy *dev, struct dp_packet *p)
{
    bool queued = false;
    pthread_mutex_lock(&dev->mutex);
    if (dev->rx_pcap) {
        pcap_write(dev->rx_pcap, p);
        fflush(dev->rx_pcap);
    }
    if (!dev->queue) {
        dev->queue = xcalloc(DUMMY_MAX_QUEUED, sizeof *dev->queue);
    }
    if (dev->n_queued < DUMMY_MAX_QUEUED) {
        dev->queue[(dev->head + dev->n_queued) % DUMMY_MAX_QUEUED] = p;
        dev->n_queued++;
        queued = true;
        if (dev->wake_fd >= 0) {
            uint64_t one = 1;
            ignore_result(write(dev->wake_fd, &one, sizeof one));
        }
    } else {
        dev->stats.rx_dropped++;
        COVERAGE_INC(netdev_dummy_rx_overflow);
    }
    pthread_mutex_unlock(&dev->mutex);
    if (!queued) {
        dp_packet_delete(p);
    }
    return queued;
}

static bool
netdev_is_dummy(const struct netdev *netdev)
{
    return netdev && (netdev->class == &netdev_dummy_class
                      || netdev->class == &netdev_dummy_pmd_class);
}

static void
netdev_dummy_receive(struct unixctl_conn *conn, int argc,
                     const char *argv[], void *aux)
{
    struct netdev *netdev = netdev_from_name(argv[1]);
    if (!netdev_is_dummy(netdev)) {
        char *error = xasprintf("no such dummy netdev \"%s\"", argv[1]);
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }

    /* Parse everything first, so that a bad frame sends nothing. */
    struct dp_packet **packets = xcalloc(argc - 2, sizeof *packets);
    for (int i = 2; i < argc; i++) {
        char *error = packet_compose(argv[i], &packets[i - 2]);
        if (error) {
            unixctl_command_reply_error(conn, error);
            free(error);
            for (int j = 0; j < i - 2; j++) {
                dp_packet_delete(packets[j]);
            }
            free(packets);
            return;
        }
    }

    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    int n_dropped = 0;
    for (int i = 0; i < argc - 2; i++) {
        n_dropped += !netdev_dummy_queue_rx(dev, packets[i]);
    }
    free(packets);
    /* The datapath takes the frames before we reply, so that the caller
     * sees their effects at once. */
    netdev_notify_rx(netdev);

    if (n_dropped) {
        char *msg = xasprintf("receive queue full: dropped %d frame(s)",
                              n_dropped);
        unixctl_command_reply_error(conn, msg);
        free(msg);
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

static void
netdev_dummy_set_carrier(struct unixctl_conn *conn, int argc,
                             const char *argv[], void *aux)
{
    struct netdev *netdev = netdev_from_name(argv[1]);
    bool up = !strcmp(argv[2], "up");
    if (!netdev_is_dummy(netdev)
        || (!up && strcmp(argv[2], "down"))) {
        unixctl_command_reply_error(conn, "usage: netdev-dummy/set-carrier "
                                    "PORT up|down (of a dummy port)");
        return;
    }
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    pthread_mutex_lock(&dev->mutex);
    dev->carrier = up;
    pthread_mutex_unlock(&dev->mutex);
    unixctl_command_reply(conn, NULL);
}

static void __attribute__((constructor))
netdev_dummy_register_commands(void)
{
    unixctl_command_register("netdev-dummy/receive", "PORT FRAME...", 2,
                             INT32_MAX, netdev_dummy_receive, NULL);
    unixctl_command_register("netdev-dummy/set-carrier", "PORT up|down", 2,
                             2, netdev_dummy_set_carrier, NULL);
}

/* "dummy" and "dummy-pmd" differ in who receives: the main thread, or
 * datapath threads that may sleep on the queue's eventfd. */
#define NETDEV_DUMMY_MEMBERS                        \
    .alloc = netdev_dummy_alloc,                    \
    .construct = netdev_dummy_construct,            \
    .destroy = netdev_dummy_destroy,                \
    .set_config = netdev_dummy_set_config,          \
    .get_etheraddr = netdev_dummy_get_etheraddr,    \
    .get_mtu = netdev_dummy_get_mtu,                \
    .get_stats = netdev_dummy_get_stats,            \
    .get_status = netdev_dummy_get_status,          \
    .get_carrier = netdev_dummy_get_carrier,        \
    .rxq_recv = netdev_dummy_rxq_recv,              \
    .send = netdev_dummy_send

const struct netdev_class netdev_dummy_class = {
    .type = "dummy",
    NETDEV_DUMMY_MEMBERS,
};

const struct netdev_class netdev_dummy_pmd_class = {
    .type = "dummy-pmd",
    NETDEV_DUMMY_MEMBERS,
    .threaded = true,
    .rxq_wait_fd = netdev_dummy_rxq_wait_fd,
};
