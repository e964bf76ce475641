/* Checksum and segmentation offloads: reading and writing the virtio-net
 * header that taps (IFF_VNET_HDR) and packet sockets (PACKET_VNET_HDR)
 * put in front of frames, and doing the work in software for ports that
 * cannot take it.
 *
 * A VM or a namespace sending TCP through a veth or a tap leaves the
 * checksum to "the hardware" and hands over segments of up to 64 kB.
 * Passing that on to a port that accepts it keeps bulk TCP fast; any
 * other port gets complete, MTU-sized frames from here.  Pure functions
 * of their arguments: any thread may call them. */
#ifndef DP_PACKET_OFFLOAD_H
#define DP_PACKET_OFFLOAD_H 1

#include <stdbool.h>
#include <stddef.h>
#include <linux/virtio_net.h>

struct dp_packet;

/* Takes the offloads that 'vnet' asks for into 'p'.  Returns 0, or
 * -EINVAL (counted) if the header is inconsistent with the frame or asks
 * for a kind of segmentation the switch does not do. */
int dp_packet_offload_from_vnet(struct dp_packet *p,
                                const struct virtio_net_hdr *vnet);
/* The virtio-net header that hands 'p''s pending offloads to the kernel. */
void dp_packet_offload_to_vnet(const struct dp_packet *p,
                               struct virtio_net_hdr *vnet);

/* Fills in a pending checksum and forgets it.  Returns 0, or -EINVAL if
 * the checksum lies outside the frame. */
int dp_packet_offload_csum(struct dp_packet *p);

/* Frames that a sender's stack left with a partial TCP or UDP checksum
 * (the field holding only the pseudo-header's sum) reach AF_XDP with no
 * note of it, as from a veth whose peer offloads checksums.  If the
 * field holds exactly that sum, this computes the checksum in full, which
 * is right whether or not the field was partial.  Returns true if it
 * rewrote the checksum. */
bool dp_packet_offload_repair_csum(struct dp_packet *p);

/* How many segments a GSO packet becomes (1 for any other packet). */
size_t dp_packet_offload_n_segs(const struct dp_packet *p);
/* Cuts GSO packet 'p' into dp_packet_offload_n_segs(p) complete frames,
 * stored in 'segs', each with its own IP length and ID, TCP sequence
 * number, flags and checksums.  'p' itself is left alone.  Returns the
 * number of segments, or -EINVAL (counted) if 'p' is not a TCP packet
 * the switch can segment. */
int dp_packet_offload_segment(const struct dp_packet *p,
                              struct dp_packet **segs);

/* The reverse, as a NIC's GRO does: if 'pkts' starts with two or more
 * complete, correctly checksummed TCP segments of one stream, in order,
 * with the same metadata (input port, tunnel),
 * as dp_packet_offload_segment() or a sender's TSO cut them, merges as
 * many as fit in one IP packet into a GSO packet with a partial
 * checksum, '*merged', frees them and returns how many.  Else returns 0
 * and leaves 'pkts' alone.  Only untagged TCP over IPv4 (no options) or
 * IPv6 (no extension headers). */
size_t dp_packet_offload_merge(struct dp_packet **pkts, size_t n,
                               struct dp_packet **merged);

#endif /* dp-packet-offload.h */
