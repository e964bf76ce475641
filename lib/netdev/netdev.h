/* Network devices ("netdevs"): the ports of the datapath, each of a port
 * class (dummy, internal, tap, afxdp, vxlan, ...) behind one interface.
 *
 * A netdev is opened by name and type, configured from its Interface
 * row's options, and then receives and sends batches of packets.  The
 * control functions run on the main thread; receive and send may run on
 * a datapath thread, one thread per queue. */
#ifndef NETDEV_H
#define NETDEV_H 1

#include <stdbool.h>
#include <stdint.h>
#include "packets.h"

struct dp_packet_batch;
struct netdev;
struct smap;
struct swxdp_device;
struct tlv_map;

struct netdev_stats {
    uint64_t rx_packets, tx_packets;
    uint64_t rx_bytes, tx_bytes;
    uint64_t rx_errors, tx_errors;
    uint64_t rx_dropped, tx_dropped;
};

/* Makes the dummy class stand in for the kernel-facing types (system,
 * internal, tap), as the test suite and the sandbox want. */
void netdev_enable_dummy(void);
bool netdev_is_dummy_enabled(void);

/* Types that can be opened, for Open_vSwitch.iface_types. */
const char **netdev_get_types(size_t *n);
/* True if 'type' names a port class at all ("" counts as "system"). */
bool netdev_type_is_known(const char *type);

/* Opens device 'name' of 'type' ("" means "system").  Returns 0 or a
 * negative errno, with '*errp' (free()) saying why when it can. */
int netdev_open(const char *name, const char *type, struct netdev **,
                char **errp);
void netdev_close(struct netdev *);

/* Applies the Interface's options.  Returns 0 or a negative errno, with
 * '*errp' set to a message to free(). */
int netdev_set_config(struct netdev *, const struct smap *options,
                      char **errp);

const char *netdev_get_name(const struct netdev *);
const char *netdev_get_type(const struct netdev *);
int netdev_get_etheraddr(const struct netdev *, struct eth_addr *);
int netdev_get_mtu(const struct netdev *, int *mtu);
/* Asks for MTU 'mtu'.  Returns 0, -EOPNOTSUPP, or another -errno. */
int netdev_set_mtu(struct netdev *, int mtu);
int netdev_get_stats(const struct netdev *, struct netdev_stats *);
/* Adds class-specific facts for Interface.status. */
void netdev_get_status(const struct netdev *, struct smap *);
bool netdev_get_carrier(const struct netdev *);

/* True if datapath threads poll this netdev's receive queues. */
bool netdev_is_threaded(const struct netdev *);
/* Number of receive queues. */
int netdev_n_rxq(const struct netdev *);
/* A descriptor that polls readable when queue 'qid' may have packets, or
 * -1 if the netdev has none. */
int netdev_rxq_wait_fd(const struct netdev *, int qid);

/* Gives a Geneve port its bridge's TLV map; other ports ignore it. */
void netdev_set_tlv_map(struct netdev *, const struct tlv_map *);

/* If frames received on 'netdev' meet softswitch's kernel fast path
 * (netdev/xdp-fastpath.h: AF_XDP ports, and ports on a packet socket),
 * returns its device there; otherwise NULL. */
const struct swxdp_device *netdev_get_fastpath(const struct netdev *);
/* Counts frames that the XDP fast path forwarded for the port: received
 * on it ('rx') or sent out of it. */
void netdev_count_xdp(struct netdev *, bool rx, uint64_t n_packets,
                      uint64_t n_bytes);

/* Receives up to a batch from queue 'qid' into 'batch' (empty on entry).
 * Returns 0, -EAGAIN if nothing is waiting, or another negative errno. */
int netdev_rxq_recv(struct netdev *, int qid, struct dp_packet_batch *);
/* Sends and takes every packet of 'batch' (dropping what cannot go),
 * segmenting and checksumming in software what the port cannot take
 * with the packet.  'qid' is the calling thread's index: threads may
 * send to one netdev at once, each with its own.  Returns 0 or a
 * negative errno. */
int netdev_send(struct netdev *, int qid, struct dp_packet_batch *);

/* Who to tell that packets are waiting on a netdev whose receive queues
 * the main thread polls (dummy ports). */
typedef void netdev_rx_notify_cb(struct netdev *, void *aux);
void netdev_set_rx_notify(struct netdev *, netdev_rx_notify_cb *, void *aux);

/* Tells 'netdev' its datapath port number (0: none). */
void netdev_set_dp_port_no(struct netdev *, uint32_t port_no);

/* Finds an open netdev by name (for `netdev-dummy/receive`), or NULL. */
struct netdev *netdev_from_name(const char *name);

#endif /* netdev.h */
