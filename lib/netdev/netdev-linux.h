/* What the kernel-facing port classes (tap, internal, afpacket, afxdp)
 * ask of a Linux network interface: its index, MAC, MTU, flags and
 * carrier, through ioctls on one shared socket.  Any thread may call
 * them; they return 0 or a negative errno. */
#ifndef NETDEV_LINUX_H
#define NETDEV_LINUX_H 1

#include <stdbool.h>
#include "packets.h"

struct smap;

/* The interface's index, or a negative errno (-ENODEV if it is gone). */
int linux_ifindex(const char *name);

int linux_get_etheraddr(const char *name, struct eth_addr *);
int linux_set_etheraddr(const char *name, struct eth_addr);
int linux_get_mtu(const char *name, int *mtu);
int linux_set_mtu(const char *name, int mtu);

/* Clears the IFF_* bits 'off' and sets 'on' in the interface's flags. */
int linux_update_flags(const char *name, int off, int on);
/* True if the interface is up and has its carrier (IFF_RUNNING). */
bool linux_get_carrier(const char *name);

/* The device's receive queues (ethtool channels), 1 if it cannot say. */
int linux_get_n_rxq(const char *name);

/* Adds the driver's name (ethtool) to 'status', as OVS does. */
void linux_get_driver_status(const char *name, struct smap *status);

#endif /* netdev-linux.h */
