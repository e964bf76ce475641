/* The softswitch XDP program (sw-xdp.bpf.c) and its maps, for the afxdp
 * and afpacket port classes and the datapath's fast path
 * (dpif/dp-offload.c).
 *
 * One copy of the program, loaded on first use, runs on every device
 * with AF_XDP queues, attached through a BPF link so that it goes away
 * with the daemon (before Linux 5.9, which has no XDP links, attached
 * plainly and detached on close).  It hands frames to the device's
 * sockets, except those matching a fast path entry, which it forwards
 * itself.  A device on a packet socket gets the socket filter and tc
 * halves instead (swxdp_socket_device_open()).
 *
 * Main thread only.  Functions return 0 or a negative errno. */
#ifndef XDP_FASTPATH_H
#define XDP_FASTPATH_H 1

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "netdev/xdp-fastpath-abi.h"

struct swxdp_device;

/* Where a device's received frames meet the fast path. */
enum swxdp_hook {
    SWXDP_HOOK_NATIVE,          /* XDP in the driver (and tc after it, for
                                 * what XDP cannot send). */
    SWXDP_HOOK_GENERIC,         /* XDP on socket buffers. */
    SWXDP_HOOK_SOCKET,          /* A packet socket's filter, then tc. */
    SWXDP_HOOK_TUNNEL,          /* A tunnel port: tc at the ingress of
                                 * its underlay device. */
};

/* A tunnel port's part in the fast path: an IPv4 underlay, one remote,
 * and a header that is the same for all its packets. */
struct swxdp_tunnel_config {
    uint32_t remote;            /* Network byte order. */
    uint32_t local;             /* Network byte order; 0: the source the
                                 * kernel's route to 'remote' names. */
    uint16_t dst_port;          /* UDP port, host order; 0 for GRE. */
    uint8_t ip_proto;           /* IPPROTO_UDP or IPPROTO_GRE. */
    uint8_t ttl, tos;
    bool df;
    uint8_t hdr[8];             /* The tunnel header, key included. */
    size_t hdr_len;             /* 8, or 4 for GRE without a key. */
    uint16_t max_len;           /* The longest inner frame that fits. */
};

#ifdef HAVE_AF_XDP
/* Attaches the program to 'ifindex' in generic (skb) or native mode and
 * makes it a fast path target.  On failure '*errp' says why. */
int swxdp_device_open(int ifindex, bool generic, struct swxdp_device **,
                      char **errp);
/* Gives the device of packet socket 'sock_fd' (bound to 'ifindex') the
 * fast path: a filter on the socket keeps from it the frames that
 * entries forward, and the tc program at the device's ingress sends
 * them on.  On failure '*errp' says why; the socket is as it was. */
int swxdp_socket_device_open(int ifindex, int sock_fd,
                             struct swxdp_device **, char **errp);
/* Makes a tunnel port a fast path device, under an id of its own in
 * place of an ifindex.  Its packets are sent and received through the
 * device of the kernel's route to the remote, looked up again twice a
 * second (swxdp_heartbeat()); while there is none, it takes no part
 * (swxdp_device_has_tc() is false).  On failure '*errp' says why. */
int swxdp_tunnel_open(const struct swxdp_tunnel_config *,
                      struct swxdp_device **, char **errp);
/* Points receive queue 'queue' at AF_XDP socket 'xsk_fd'.  Frames on
 * queues above the last one given a socket go to the kernel's stack,
 * fast path or not, as they would without softswitch. */
int swxdp_device_set_socket(struct swxdp_device *, int queue, int xsk_fd);
/* Detaches the programs and forgets the device.  NULL is ignored. */
void swxdp_device_close(struct swxdp_device *);
int swxdp_device_ifindex(const struct swxdp_device *);
enum swxdp_hook swxdp_device_hook(const struct swxdp_device *);
/* True if the device has its tc program, so that entries from it may
 * be served by tc (a tunnel: if its underlay device has it). */
bool swxdp_device_has_tc(const struct swxdp_device *);

/* True if frames redirected in native mode may go out of 'ifindex'
 * (the kernel's xdp_features say "ndo_xmit": a veth only when its peer
 * polls, through XDP or GRO). */
bool swxdp_can_xmit(int ifindex);

/* Fast path masks: the index of a slot holding 'mask' (one more user),
 * or -ENOSPC.  'now' is time_msec(): a slot freed less than a second
 * ago is not reused, so that no frame still in the program with the old
 * mask meets entries made for the new one. */
int swxdp_mask_ref(const struct swxdp_key *mask, long long now);
void swxdp_mask_unref(int mask_id, long long now);

/* Fast path entries: 'key' masked, with its mask's index in mask_id.
 * 'xdp_ok': the input device runs the program in generic mode, or the
 * output can take frames XDP redirects (swxdp_can_xmit()); if not, the
 * entry is served by the tc program (-EOPNOTSUPP without one). */
int swxdp_flow_put(const struct swxdp_key *key, uint32_t out_ifindex,
                   bool xdp_ok);
/* What the program counted for the entry so far. */
int swxdp_flow_stats(const struct swxdp_key *key, uint64_t *n_packets,
                     uint64_t *n_bytes);
int swxdp_flow_del(const struct swxdp_key *key);
/* Tells the programs the table is kept up to date: call it at least once
 * a second, or entries served by tc stop (after 2 s). */
void swxdp_heartbeat(void);
/* Frames XDP passed up for tc that tc could not send, all time. */
uint64_t swxdp_tc_missed(void);
#else
static inline int swxdp_socket_device_open(int ifindex, int sock_fd,
                                           struct swxdp_device **devp,
                                           char **errp)
{ *devp = NULL; *errp = NULL; return -EOPNOTSUPP; }
static inline int swxdp_tunnel_open(const struct swxdp_tunnel_config *c,
                                    struct swxdp_device **devp, char **errp)
{ *devp = NULL; *errp = NULL; return -EOPNOTSUPP; }
static inline void swxdp_device_close(struct swxdp_device *dev) { }
static inline int swxdp_device_ifindex(const struct swxdp_device *dev)
{ return 0; }
static inline enum swxdp_hook
swxdp_device_hook(const struct swxdp_device *dev)
{ return SWXDP_HOOK_NATIVE; }
static inline bool swxdp_device_has_tc(const struct swxdp_device *dev)
{ return false; }
static inline bool swxdp_can_xmit(int ifindex) { return false; }
static inline int swxdp_mask_ref(const struct swxdp_key *mask,
                                 long long now)
{ return -EOPNOTSUPP; }
static inline void swxdp_mask_unref(int mask_id, long long now) { }
static inline int swxdp_flow_put(const struct swxdp_key *key,
                                 uint32_t out_ifindex, bool xdp_ok)
{ return -EOPNOTSUPP; }
static inline void swxdp_heartbeat(void) { }
static inline uint64_t swxdp_tc_missed(void) { return 0; }
static inline int swxdp_flow_stats(const struct swxdp_key *key,
                                   uint64_t *n_packets, uint64_t *n_bytes)
{ return -EOPNOTSUPP; }
static inline int swxdp_flow_del(const struct swxdp_key *key)
{ return -EOPNOTSUPP; }
#endif

#endif /* xdp-fastpath.h */
