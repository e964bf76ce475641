/* What the softswitch XDP program (sw-xdp.bpf.c) and the daemon share:
 * the layout of its maps.  Included by both, so only <linux/types.h>.
 *
 * Every device with AF_XDP queues runs the XDP program, and in native
 * mode also a tc program at its ingress.  A frame that matches an entry
 * of the fast path table leaves at once through another device (an XDP
 * redirect, or a tc one for entries marked 'via_tc'; never reaching
 * userspace); any other frame goes to the device's AF_XDP socket for its
 * receive queue.  Devices on a packet socket (afpacket ports) run no
 * XDP: the socket's filter looks their frames up, and a tc program at
 * their ingress sends on those that match.
 *
 * The table is a copy of some of the datapath's megaflows: those that
 * look only at Ethernet fields and send to one such port unchanged.  A
 * megaflow's mask is one of a few masks (struct swxdp_masks, the one
 * entry of the "masks" map, tried in order); its entry's key is the
 * frame's fields ANDed with that mask, with the mask's index in
 * 'mask_id'.
 *
 * Tunnel ports (IPv4 underlay, one remote) take part under an id in
 * place of an ifindex (SWXDP_TUNNEL_ID): an entry toward one is served
 * by tc, which puts the port's outer headers in front of the frame and
 * sends it where the kernel routes the remote; an entry from one is
 * found by sw_tc_tunnel, at the ingress of the device that route goes
 * through, which takes the outer headers off the packets of that port
 * and sends the inner frame on. */
#ifndef XDP_FASTPATH_ABI_H
#define XDP_FASTPATH_ABI_H 1

#include <linux/types.h>

enum {
    SWXDP_MAX_MASKS = 8,
    SWXDP_MAX_FLOWS = 65536,
    SWXDP_MAX_DEVICES = 256,
    SWXDP_MAX_QUEUES = 16,      /* Per device, in the socket map. */
    SWXDP_MAX_VLANS = 2,
};

enum {
    /* Entries served by tc stop when the daemon has not refreshed the
     * "heartbeat" map for this long (it does twice a second). */
    SWXDP_HEARTBEAT_MSEC = 2000,
    SWXDP_TC_MARK = 0x53575443,         /* "SWTC" */
};

/* Tunnel port ids: ifindexes are positive ints, so never have this
 * bit. */
#define SWXDP_TUNNEL_ID 0x80000000u

/* Where sw_sock leaves its mark for sw_tc_sock: words of the socket
 * buffer's control block (struct __sk_buff's cb[]). */
enum {
    SWXDP_CB_MARK = 0,          /* SWXDP_TC_MARK. */
    SWXDP_CB_OUT = 1,           /* The output's ifindex. */
};

/* What sw_xdp puts before a frame it passes up for sw_tc (its XDP
 * metadata, which the socket buffer keeps). */
struct swxdp_tc_meta {
    __u32 mark;                 /* SWXDP_TC_MARK. */
    __u32 out_ifindex;          /* Where the entry said to send it. */
};

/* A frame's fields (all in network byte order, as in struct flow), or a
 * mask over them. */
struct swxdp_key {
    __u32 ifindex;
    __u8 dl_dst[6];
    __u8 dl_src[6];
    __be16 dl_type;             /* After the VLAN tags. */
    __u8 mask_id;               /* In a mask: 1 if the slot is used. */
    __u8 pad;
    __be16 vlan_tpid[SWXDP_MAX_VLANS];  /* 0: no tag. */
    __be16 vlan_tci[SWXDP_MAX_VLANS];   /* With 0x1000 (CFI) if tagged. */
};

struct swxdp_masks {
    __u32 n;                    /* Slots [0, n) may be in use. */
    __u32 pad;
    struct swxdp_key mask[SWXDP_MAX_MASKS];     /* mask_id 1: in use. */
};

/* What "xsk_base" maps a device's ifindex to (every fast path device:
 * a packet socket's has no queues there). */
struct swxdp_device_info {
    __u32 base;                 /* Its queues' first slot in "xsks". */
    __u32 n_queues;             /* Queues with a socket: [0, n_queues). */
    __u8 peer_mac[6];           /* With 'has_peer': the MAC of the other
                                 * end of this veth, in another network
                                 * namespace, which runs no XDP. */
    __u8 has_peer;
    __u8 pad;
};

/* What "tunnels" maps a tunnel port's id to: how to send to it. */
struct swxdp_tunnel {
    __u32 oif;                  /* The route's device, for its ingress
                                 * (the route is looked up again for
                                 * each packet, with neighbours). */
    __be32 local;               /* Outer source. */
    __be32 remote;              /* Outer destination. */
    __be16 dst_port;            /* UDP; 0 for GRE. */
    __u8 ip_proto;              /* IPPROTO_UDP or IPPROTO_GRE. */
    __u8 ttl;
    __u8 tos;
    __u8 df;                    /* Sets "don't fragment". */
    __u8 hdr_len;               /* Of 'hdr': 4 or 8 (GRE), 8 (UDP). */
    __u8 pad;
    __u8 hdr[8];                /* The tunnel header, key included: the
                                 * same for every packet of the port. */
};

/* What "tunnel_rx" maps to a tunnel port's id: the outer fields that
 * every packet for the port has, the whole tunnel header included
 * (packets with other flags or options go to the socket). */
struct swxdp_tunnel_rx_key {
    __be32 remote;              /* Outer source. */
    __be32 local;               /* Outer destination. */
    __be16 dst_port;            /* UDP; 0 for GRE. */
    __u8 ip_proto;
    __u8 hdr_len;
    __u8 hdr[8];                /* Zero past hdr_len. */
};

/* A fast path entry's value, one per CPU ("flows" is per-CPU, so that
 * counting needs no atomic operation). */
struct swxdp_action {
    __u32 out_ifindex;          /* In the "tx_ports" device map. */
    __u16 in_n_queues;          /* The input device's queues with a
                                 * socket: frames on others are the
                                 * kernel's. */
    __u8 in_generic;            /* The program runs on socket buffers
                                 * there, which keep their checksum and
                                 * segmentation offload state. */
    __u8 via_tc;                /* The output cannot take frames that XDP
                                 * redirects in native mode: the XDP
                                 * program counts the frame and passes
                                 * it up, and the tc program at the
                                 * device's ingress redirects its socket
                                 * buffer. */
    __u16 max_len;              /* Toward a tunnel: the longest frame
                                 * (a segment of a GSO one) that fits
                                 * the underlay; longer ones go to
                                 * userspace.  0: no limit. */
    __u16 pad[3];
    __u64 n_packets;            /* Added to by the program. */
    __u64 n_bytes;
};

#endif /* xdp-fastpath-abi.h */
