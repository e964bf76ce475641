/* Packet buffers for the data plane.  Each has headroom in front of the
 * frame, so that tunnel encapsulation can push headers without copying,
 * and per-packet metadata (the input port, later tunnel keys).  Packets
 * move in batches of up to DP_PACKET_BATCH_SIZE.  A packet belongs to
 * one thread at a time. */
#ifndef DP_PACKET_H
#define DP_PACKET_H 1

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

enum {
    DP_PACKET_HEADROOM = 128,
    DP_PACKET_BATCH_SIZE = 32,
};

/* What the frame itself does not say: where it came from.  Tunnel
 * fields are in network byte order, zero for frames not from a tunnel;
 * they mean the same as struct flow's fields of the same names. */
struct pkt_metadata {
    uint32_t in_port;           /* Datapath port number it came in on. */
    uint32_t tun_src;           /* Outer IPv4 source. */
    uint32_t tun_dst;           /* Outer IPv4 destination. */
    uint8_t tun_metadata_present;
    uint8_t pad[3];             /* No hidden padding: memcmp() compares. */
    uint64_t tun_id;            /* Tunnel key (VNI). */
    struct in6_addr tun_ipv6_src;
    struct in6_addr tun_ipv6_dst;
    uint64_t tun_metadata[8];   /* TUN_METADATA_SLOTS (flow.h). */
};

/* Work the sender left to the switch, as a virtio-net header describes
 * it: a TCP or UDP checksum still to fill in, and a large TCP segment
 * still to cut into MTU-sized ones (GSO).  Ports that take a virtio-net
 * header pass both on to the kernel; for the others netdev_send() does
 * the work in software.  Offsets count from the buffer's base, so that
 * pushing or popping headers in front of the IP header keeps them. */
struct dp_packet_offload {
    uint32_t csum_start;        /* Where checksumming starts; 0 if none
                                 * is pending. */
    uint16_t csum_offset;       /* Checksum field, from 'csum_start'. */
    uint16_t gso_size;          /* Payload bytes per segment; 0: no GSO. */
    uint8_t gso_type;           /* VIRTIO_NET_HDR_GSO_*, without ECN. */
};

struct dp_packet {
    char *base;                 /* Start of the buffer. */
    uint32_t allocated;         /* Bytes at 'base'. */
    uint32_t data_ofs;          /* Offset of the frame in the buffer. */
    uint32_t size;              /* Bytes of frame. */
    struct pkt_metadata md;
    struct dp_packet_offload offload;
};

/* True if the packet still needs a checksum or segmentation. */
static inline bool
dp_packet_has_offload(const struct dp_packet *p)
{
    return p->offload.csum_start || p->offload.gso_size;
}

struct dp_packet_batch {
    size_t count;
    struct dp_packet *packets[DP_PACKET_BATCH_SIZE];
};

/* A packet with room for 'size' bytes of frame after the headroom. */
struct dp_packet *dp_packet_new(size_t size);
/* A packet holding a copy of 'data'. */
struct dp_packet *dp_packet_new_with_data(const void *data, size_t size);
struct dp_packet *dp_packet_clone(const struct dp_packet *);
void dp_packet_delete(struct dp_packet *);

static inline void *
dp_packet_data(const struct dp_packet *p)
{
    return p->base + p->data_ofs;
}

static inline uint32_t
dp_packet_size(const struct dp_packet *p)
{
    return p->size;
}

/* Appends 'n' bytes of 'data' (or, if NULL, zeros) at the end. */
void *dp_packet_put(struct dp_packet *, const void *data, size_t n);
/* Frames of unknown size are received into a small packet and, past
 * its end, a large "tail" packet whose frame starts 'head' bytes into
 * its room.  A large frame then becomes the tail packet, with the small
 * one's bytes put in front: a copy of 'head' bytes, not of the frame.
 * dp_packet_prepend_head() gives 'p' (a tail packet that received 'n'
 * bytes) 'head''s frame and metadata in front; 'head' is not changed. */
struct dp_packet *dp_packet_new_tail(size_t head, size_t tail);
void dp_packet_prepend_head(struct dp_packet *p, size_t n,
                            const struct dp_packet *head);
/* Prepends 'n' bytes, using headroom. */
void *dp_packet_push_uninit(struct dp_packet *, size_t n);

/* Removes 'n' bytes (no more than the size) from the front. */
static inline void
dp_packet_pull(struct dp_packet *p, size_t n)
{
    p->data_ofs += n;
    p->size -= n;
}

static inline void
dp_packet_batch_init(struct dp_packet_batch *batch)
{
    batch->count = 0;
}

static inline void
dp_packet_batch_add(struct dp_packet_batch *batch, struct dp_packet *p)
{
    batch->packets[batch->count++] = p;
}

static inline bool
dp_packet_batch_is_full(const struct dp_packet_batch *batch)
{
    return batch->count == DP_PACKET_BATCH_SIZE;
}

void dp_packet_batch_delete(struct dp_packet_batch *);

#endif /* dp-packet.h */
