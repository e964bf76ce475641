/* A packet socket bound to one kernel interface: the receive and send
 * half of the afpacket port class, shared with the afxdp class, which
 * falls back to it where XDP cannot attach.
 *
 * The socket carries a virtio-net header (PACKET_VNET_HDR) both ways, so
 * checksum and segmentation offloads pass through, and gets VLAN tags the
 * kernel stripped back from PACKET_AUXDATA.  Where it can, it also
 * gives the device the kernel fast path (netdev/xdp-fastpath.h), whose
 * filter keeps from the socket the frames the kernel forwards itself.
 * One thread receives at a time; any number may send. */
#ifndef NETDEV_AFPACKET_H
#define NETDEV_AFPACKET_H 1

#include <stdint.h>

struct dp_packet_batch;
struct netdev_stats;
struct afpacket;
struct swxdp_device;

/* Opens a packet socket on interface 'name', up and promiscuous.
 * Returns NULL with '*error' (a negative errno) and '*errp' on failure. */
struct afpacket *afpacket_open(const char *name, int *error, char **errp);
void afpacket_close(struct afpacket *);

int afpacket_fd(const struct afpacket *);
/* The socket's device in the fast path, or NULL. */
const struct swxdp_device *afpacket_fastpath(const struct afpacket *);

/* Frames the kernel dropped for the socket since it opened (its receive
 * buffer was full): invisible otherwise.  Main thread only. */
uint64_t afpacket_kernel_drops(struct afpacket *);

/* Receive and send a batch, counting into 'stats' (netdev_count()). */
int afpacket_recv(struct afpacket *, struct dp_packet_batch *,
                  struct netdev_stats *);
int afpacket_send(struct afpacket *, struct dp_packet_batch *,
                  struct netdev_stats *);

#endif /* netdev-afpacket.h */
