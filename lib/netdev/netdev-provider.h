/* What a port class implements.  Each class is a const struct
 * netdev_class; a concrete device embeds struct netdev as 'up' and gets
 * back to itself with CONTAINER_OF.  Members marked "may be NULL" are
 * optional; the rest every class provides. */
#ifndef NETDEV_PROVIDER_H
#define NETDEV_PROVIDER_H 1

#include "hmap.h"
#include "netdev/netdev.h"

struct netdev_class;
struct tlv_map;

struct netdev {
    const struct netdev_class *class;
    char *name;
    char *type;                 /* As asked for: may differ from the
                                 * class's, e.g. "internal" when dummy. */
    struct hmap_node node;      /* In the table of open netdevs. */
    netdev_rx_notify_cb *rx_notify;
    void *rx_notify_aux;

    /* Set by the class: send() passes checksum and segmentation offloads
     * on (a virtio-net header), so netdev_send() leaves them pending. */
    bool takes_offloads;

    /* The datapath's number for the port, 0 while in none.  A class that
     * receives for several ports at once (tunnels) puts it in each
     * packet's md.in_port. */
    uint32_t dp_port_no;

    /* Counters for classes without get_stats(), kept with netdev_count()
     * by whichever threads receive and send. */
    struct netdev_stats stats;
};

struct netdev_class {
    const char *type;

    /* True if datapath threads poll the receive queues (and may block on
     * rxq_wait_fd); false if the main thread receives when told through
     * netdev_notify_rx(). */
    bool threaded;

    /* Allocates the device, including its struct netdev, zeroed. */
    struct netdev *(*alloc)(void);
    /* Opens the device behind 'netdev' (name and type set).  Returns 0
     * or a negative errno, with '*errp' set to a message when useful. */
    int (*construct)(struct netdev *, char **errp);
    /* Closes the device and frees it, including struct netdev. */
    void (*destroy)(struct netdev *);

    /* Applies options.  May be NULL: then the class takes no options and
     * rejects any. */
    int (*set_config)(struct netdev *, const struct smap *, char **errp);

    int (*get_etheraddr)(const struct netdev *, struct eth_addr *);
    int (*get_mtu)(const struct netdev *, int *);
    /* May be NULL (then the MTU cannot be changed). */
    int (*set_mtu)(struct netdev *, int);
    /* May be NULL: then 'stats' in struct netdev are the counters. */
    int (*get_stats)(const struct netdev *, struct netdev_stats *);
    /* May be NULL. */
    void (*get_status)(const struct netdev *, struct smap *);
    /* May be NULL (then the link is always up). */
    bool (*get_carrier)(const struct netdev *);

    /* Number of receive queues.  May be NULL (then 1). */
    int (*n_rxq)(const struct netdev *);
    /* Receives from queue 'qid': only one thread at a time per queue. */
    int (*rxq_recv)(struct netdev *, int qid, struct dp_packet_batch *);
    /* Sends and takes the batch.  'qid' is the calling thread's index:
     * threads call it concurrently, each with its own 'qid'. */
    int (*send)(struct netdev *, int qid, struct dp_packet_batch *);

    /* A file descriptor that polls readable while queue 'qid' may have
     * packets, for a datapath thread that wants to sleep.  May be NULL
     * (then idle threads check back every millisecond). */
    int (*rxq_wait_fd)(const struct netdev *, int qid);

    /* Geneve ports: the bridge's TLV map (tlv-map.h), copied.  May be
     * NULL (other classes carry no options). */
    void (*set_tlv_map)(struct netdev *, const struct tlv_map *);

    /* Ports whose frames meet softswitch's kernel fast path
     * (xdp-fastpath.h): their device there, or NULL if the port has none
     * now.  May be NULL (never). */
    const struct swxdp_device *(*get_fastpath)(const struct netdev *);
};

/* Tells the netdev's listener that packets are waiting. */
void netdev_notify_rx(struct netdev *);

/* Reads the counters that netdev_count() keeps into 'stats'. */
static inline void
netdev_read_counters(const struct netdev *netdev, struct netdev_stats *stats)
{
    const uint64_t *from = (const uint64_t *) &netdev->stats;
    uint64_t *to = (uint64_t *) stats;
    for (size_t i = 0; i < sizeof *stats / sizeof *from; i++) {
        to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
    }
}

/* Adds to a counter that several threads update. */
static inline void
netdev_count(uint64_t *counter, uint64_t n)
{
    __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

extern const struct netdev_class netdev_dummy_class;
extern const struct netdev_class netdev_dummy_pmd_class;
extern const struct netdev_class netdev_tap_class;
extern const struct netdev_class netdev_internal_class;
extern const struct netdev_class netdev_afpacket_class;
extern const struct netdev_class netdev_afxdp_class;
extern const struct netdev_class netdev_vxlan_class;
extern const struct netdev_class netdev_gre_class;
extern const struct netdev_class netdev_geneve_class;

#endif /* netdev-provider.h */
