/* What the kernel-facing port classes (tap, internal, afpacket, afxdp)
 * ask of a Linux network interface: its index, MAC, MTU, flags and
 * carrier, through ioctls on one shared socket; its XDP features,
 * through generic netlink; a veth's other end, through rtnetlink; and
 * the socket options they and the tunnel
 * classes set.  Any thread may call them; they return 0 or a negative
 * errno. */
#ifndef NETDEV_LINUX_H
#define NETDEV_LINUX_H 1

#include <stdbool.h>
#include <stdint.h>
#include "packets.h"

struct netdev;
struct smap;

/* The interface's index, or a negative errno (-ENODEV if it is gone). */
int linux_ifindex(const char *name);

int linux_get_mtu(const char *name, int *mtu);

/* Clears the IFF_* bits 'off' and sets 'on' in the interface's flags. */
int linux_update_flags(const char *name, int off, int on);

/* The device's receive queues (ethtool channels), 1 if it cannot say. */
int linux_get_n_rxq(const char *name);

/* The XDP actions the device supports (the kernel's xdp_features, as
 * NETDEV_XDP_ACT_* bits; linux-xdp-features.c, over generic netlink).
 * Returns 0, or a negative errno (kernels before 6.3 do not say). */
int linux_get_xdp_features(int ifindex, uint64_t *features);
enum { LINUX_XDP_ACT_NDO_XMIT = 1 << 2 };  /* Takes redirected frames. */

/* If 'ifindex' is a veth (or netkit) whose other end another network
 * namespace holds, and that end runs no XDP program, puts the other
 * end's MAC in '*peer_mac' and returns 0 (linux-veth-peer.c, over
 * rtnetlink).  Otherwise a negative errno: -EOPNOTSUPP if 'ifindex' is
 * no veth, which does not change; -ENOENT if it is not such a one now. */
int linux_get_veth_peer(int ifindex, struct eth_addr *peer_mac);

/* The kernel's route to IPv4 address 'dst' (from 'src', unless 0; both
 * in network byte order): puts its output device in '*oif' and the
 * source address it would pick in '*prefsrc' (0 if it names none).
 * Returns 0, -ENETUNREACH if 'dst' is local or not reached through a
 * device, or another negative errno (linux-route.c, over rtnetlink). */
int linux_route_get_ipv4(uint32_t dst, uint32_t src, int *oif,
                         uint32_t *prefsrc);

/* Adds the driver's name (ethtool) to 'status', as OVS does. */
void linux_get_driver_status(const char *name, struct smap *status);

/* setsockopt() of an int.  Returns 0 or a negative errno. */
int linux_set_sockopt(int fd, int level, int name, int value);

/* Gives socket 'fd' a receive (SO_RCVBUF) or send (SO_SNDBUF) buffer of
 * 'bytes': past the sysctl limit only the FORCE variant (root) can. */
void linux_set_sock_buffer(int fd, int name, int bytes);

/* Members of struct netdev_class for any class whose device is a Linux
 * interface named like the netdev. */
int netdev_linux_get_etheraddr(const struct netdev *, struct eth_addr *);
int netdev_linux_get_mtu(const struct netdev *, int *mtu);
int netdev_linux_set_mtu(struct netdev *, int mtu);
/* True if the interface is up and has its carrier (IFF_RUNNING). */
bool netdev_linux_get_carrier(const struct netdev *);

#endif /* netdev-linux.h */
