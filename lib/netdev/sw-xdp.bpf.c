/* The programs every AF_XDP port runs (see xdp-fastpath-abi.h).
 *
 * A frame whose Ethernet fields match a fast path entry is redirected
 * to that entry's device here, in the driver, and counted in the entry
 * (or, for an entry marked 'via_tc', counted, marked and passed up to
 * sw_tc, which redirects the socket buffer); everything else goes to the
 * AF_XDP socket of its receive queue, or to the kernel's stack if there
 * is none (the port is being set up or torn down).
 *
 * Ports on a packet socket have no XDP program: sw_sock, the socket's
 * filter, looks their frames up instead, keeps the ones an entry
 * forwards from the socket and marks them for sw_tc_sock at the
 * device's ingress, which the kernel runs right after the sockets.
 *
 * TCP and UDP frames that a local socket sent with the checksum left to
 * the hardware (CHECKSUM_PARTIAL: the field holds just the pseudo-header
 * sum, which XDP cannot see flagged) are not redirected by XDP in native
 * mode, where they would arrive broken: they go to userspace, which
 * completes the checksum (dp_packet_offload_repair_csum(), same test).
 * In generic mode the program runs on the socket buffer, which a
 * redirect sends on whole with its offload state (and its 64 kB of TCP
 * segment, which could not go to a socket anyway): those stay in the
 * fast path.
 *
 * Tunnel ports have no device of their own: tc_send() puts a tunnel's
 * outer headers in front of a frame for one (tunnel_send()), and
 * sw_tc_tunnel, at the ingress of the device through which the remote
 * is reached, takes them off the tunnel's packets whose inner frame an
 * entry forwards.  The kernel's socket sees neither. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "xdp-fastpath-abi.h"

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, SWXDP_MAX_DEVICES * SWXDP_MAX_QUEUES);
    __type(key, __u32);
    __type(value, __u32);
} xsks SEC(".maps");

/* ifindex -> where its sockets are. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, SWXDP_MAX_DEVICES);
    __type(key, __u32);
    __type(value, struct swxdp_device_info);
} xsk_base SEC(".maps");

/* ifindex -> ifindex: the devices entries may send to. */
struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, SWXDP_MAX_DEVICES);
    __type(key, __u32);
    __type(value, __u32);
} tx_ports SEC(".maps");

/* Tunnel port id -> how to send to it. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, SWXDP_MAX_DEVICES);
    __type(key, __u32);
    __type(value, struct swxdp_tunnel);
} tunnels SEC(".maps");

/* A tunnel packet's outer fields -> the tunnel port it is for. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, SWXDP_MAX_DEVICES);
    __type(key, struct swxdp_tunnel_rx_key);
    __type(value, __u32);
} tunnel_rx SEC(".maps");

/* One entry: when the daemon last brought the table up to date
 * (bpf_ktime_get_ns(), CLOCK_MONOTONIC). */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} heartbeat SEC(".maps");

/* One entry, per CPU: frames XDP passed up for tc that tc could not
 * send (their output went in between, or the kernel refused to change
 * the frame's headers for a tunnel). */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} tc_missed SEC(".maps");

/* One entry: all the masks, read with one lookup per frame. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct swxdp_masks);
} masks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, SWXDP_MAX_FLOWS);
    __type(key, struct swxdp_key);
    __type(value, struct swxdp_action);
} flows SEC(".maps");

/* From Linux 6.3's <linux/bpf.h>, newer than Debian 12's: after a
 * decapsulation, skb->protocol becomes the inner packet's.  Older
 * kernels refuse the flag, and those frames go to the stack. */
#ifndef BPF_F_ADJ_ROOM_DECAP_L3_IPV6
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)
#endif

enum {
    VLAN_CFI = 0x1000,          /* Set in a flow's TCI when tagged. */
    KEY_WORDS = sizeof(struct swxdp_key) / sizeof(__u32),
};

static __always_inline int
is_vlan(__be16 type)
{
    return type == bpf_htons(ETH_P_8021Q) || type == bpf_htons(ETH_P_8021AD);
}

static __always_inline __u32
sum16(const __be16 *p, int n)
{
    __u32 sum = 0;
    for (int i = 0; i < n; i++) {
        sum += bpf_ntohs(p[i]);
    }
    return sum;
}

static __always_inline __u16
fold(__u32 sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* True if the L4 checksum field holds only the pseudo-header sum. */
static __always_inline int
csum_is_partial(void *l3, void *end, __be16 type)
{
    __u8 proto;
    __u32 pseudo, l4_len;
    void *l4;

    if (type == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = l3;
        if ((void *) (ip + 1) > end || ip->version != 4 || ip->ihl < 5
            || ip->frag_off & bpf_htons(0x3fff)) {
            return 0;
        }
        __u32 tot_len = bpf_ntohs(ip->tot_len);
        __u32 ihl = ip->ihl * 4;
        if (tot_len < ihl) {
            return 0;
        }
        proto = ip->protocol;
        l4 = l3 + ihl;
        l4_len = tot_len - ihl;
        pseudo = sum16((const __be16 *) &ip->saddr, 4);
    } else if (type == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = l3;
        if ((void *) (ip6 + 1) > end) {
            return 0;
        }
        proto = ip6->nexthdr;
        l4 = ip6 + 1;
        l4_len = bpf_ntohs(ip6->payload_len);
        pseudo = sum16((const __be16 *) &ip6->saddr, 16);
    } else {
        return 0;
    }

    __u32 field;
    if (proto == IPPROTO_TCP) {
        field = 16;
    } else if (proto == IPPROTO_UDP) {
        field = 6;
    } else {
        return 0;
    }
    __be16 *csum = l4 + field;
    if ((void *) (csum + 1) > end) {
        return 0;
    }
    pseudo += proto + (l4_len & 0xffff) + (l4_len >> 16);
    return bpf_ntohs(*csum) == fold(pseudo);
}

/* A queue without a socket is not the switch's: the kernel's. */
static __always_inline int
to_socket(struct xdp_md *ctx)
{
    __u32 ifindex = ctx->ingress_ifindex;
    const struct swxdp_device_info *dev
        = bpf_map_lookup_elem(&xsk_base, &ifindex);
    if (!dev || ctx->rx_queue_index >= dev->n_queues
        || ctx->rx_queue_index >= SWXDP_MAX_QUEUES) {
        return XDP_PASS;
    }
    return bpf_redirect_map(&xsks, dev->base + ctx->rx_queue_index,
                            XDP_PASS);
}

/* Looks 'key' up under mask 'i'. */
static __always_inline struct swxdp_action *
try_mask(const struct swxdp_key *key, const struct swxdp_key *mask, __u32 i)
{
    if (!mask->mask_id) {
        return NULL;
    }
    struct swxdp_key masked;
    const __u32 *k = (const __u32 *) key, *m = (const __u32 *) mask;
    __u32 *out = (__u32 *) &masked;
#pragma clang loop unroll(full)
    for (unsigned int w = 0; w < KEY_WORDS; w++) {
        out[w] = k[w] & m[w];
    }
    masked.mask_id = i;
    return bpf_map_lookup_elem(&flows, &masked);
}

/* The fast path entry that matches 'key', if any. */
static __always_inline struct swxdp_action *
fastpath_lookup(const struct swxdp_key *key)
{
    __u32 zero = 0;
    const struct swxdp_masks *masks_ = bpf_map_lookup_elem(&masks, &zero);
    if (!masks_) {
        return NULL;
    }
    /* Unrolled: as a loop, the counter lives on the stack, where the
     * verifier loses its bounds and calls the loop endless. */
    struct swxdp_action *found = NULL;
#pragma clang loop unroll(full)
    for (__u32 i = 0; i < SWXDP_MAX_MASKS; i++) {
        if (!found && i < masks_->n) {
            found = try_mask(key, &masks_->mask[i], i);
        }
    }
    return found;
}

static __always_inline void
key_set_eth(struct swxdp_key *key, const struct ethhdr *eth)
{
    __builtin_memcpy(key->dl_dst, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(key->dl_src, eth->h_source, ETH_ALEN);
}

/* Fills 'key' (its ifindex already set) from the frame in [data, end).
 * Returns 0, with '*l3' and '*type' where the frame's network header
 * starts and what it is, or -1 if the frame is not for the fast path. */
static __always_inline int
parse_key(void *data, void *end, struct swxdp_key *key, void **l3,
          __be16 *type)
{
    struct ethhdr *eth = data;
    if ((void *) (eth + 1) > end) {
        return -1;
    }
    key_set_eth(key, eth);
    *type = eth->h_proto;
    *l3 = eth + 1;
    for (int i = 0; i < SWXDP_MAX_VLANS; i++) {
        if (!is_vlan(*type)) {
            break;
        }
        __be16 *tag = *l3;
        if ((void *) (tag + 2) > end) {
            return -1;
        }
        key->vlan_tpid[i] = *type;
        key->vlan_tci[i] = tag[0] | bpf_htons(VLAN_CFI);
        *type = tag[1];
        *l3 = tag + 2;
    }
    /* More tags than a flow keeps: rare, left to userspace. */
    if (is_vlan(*type)) {
        return -1;
    }
    key->dl_type = *type;
    return 0;
}

static __always_inline int
is_ip(__be16 type)
{
    return type == bpf_htons(ETH_P_IP) || type == bpf_htons(ETH_P_IPV6);
}

/* True if 'out' names a tunnel port, not a device. */
static __always_inline int
is_tunnel(__u32 out)
{
    return out & SWXDP_TUNNEL_ID;
}

/* For an entry toward a tunnel: true if the frame may take it.  Only IP
 * frames (the kernel routes the outer packet by skb->protocol, which
 * tc cannot set to IPv4 for another), no longer than the underlay takes
 * ('len': the frame's, or a segment's of a GSO one): others go to
 * userspace, which counts them or has the kernel fragment them. */
static __always_inline int
tunnel_takes(const struct swxdp_action *a, __u32 len, __be16 type)
{
    return is_ip(type) && len <= a->max_len;
}

/* True while the daemon keeps the table up to date: entries that the
 * tc program serves must not outlive it. */
static __always_inline int
daemon_alive(void)
{
    __u32 zero = 0;
    __u64 *beat = bpf_map_lookup_elem(&heartbeat, &zero);
    return beat && (bpf_ktime_get_ns() - *beat
                    < SWXDP_HEARTBEAT_MSEC * 1000000ULL);
}

/* Marks the frame, in its XDP metadata, for sw_tc to send out of
 * 'out_ifindex'.  Returns 0, or -1 if the driver keeps no metadata. */
static __always_inline int
pass_to_tc(struct xdp_md *ctx, __u32 out_ifindex)
{
    if (bpf_xdp_adjust_meta(ctx, -(int) sizeof(struct swxdp_tc_meta))) {
        return -1;
    }
    struct swxdp_tc_meta *meta = (void *) (long) ctx->data_meta;
    if ((void *) (meta + 1) > (void *) (long) ctx->data) {
        return -1;
    }
    meta->mark = SWXDP_TC_MARK;
    meta->out_ifindex = out_ifindex;
    return 0;
}

SEC("xdp")
int
sw_xdp(struct xdp_md *ctx)
{
    void *data = (void *) (long) ctx->data;
    void *end = (void *) (long) ctx->data_end;
    struct swxdp_key key = { .ifindex = ctx->ingress_ifindex };
    void *l3;
    __be16 type;

    if (parse_key(data, end, &key, &l3, &type)) {
        return to_socket(ctx);
    }
    struct swxdp_action *a = fastpath_lookup(&key);
    if (!a) {
        return to_socket(ctx);
    }
    if (ctx->rx_queue_index >= a->in_n_queues) {
        return XDP_PASS;        /* Not the switch's queue. */
    }
    __u64 len = end - data;     /* Before adjust_meta moves pointers. */
    if (is_tunnel(a->out_ifindex) && !tunnel_takes(a, len, type)) {
        return to_socket(ctx);
    }
    int verdict;
    if (a->via_tc) {
        /* The kernel's stack takes it on to the tc program, whose
         * redirect works toward any device and keeps checksum offload
         * state.  Only untagged frames, since the stack may strip a tag
         * before tc sees the frame. */
        if (key.vlan_tpid[0] || !daemon_alive()
            || pass_to_tc(ctx, a->out_ifindex)) {
            return to_socket(ctx);
        }
        verdict = XDP_PASS;
    } else if ((!a->in_generic && csum_is_partial(l3, end, type))
               || bpf_redirect_map(&tx_ports, a->out_ifindex, 0)
                  != XDP_REDIRECT) {
        return to_socket(ctx);
    } else {
        verdict = XDP_REDIRECT;
    }
    a->n_packets++;             /* This CPU's copy. */
    a->n_bytes += len;
    return verdict;
}

/* True if the frame's destination is 'mac'. */
static __always_inline int
is_for(const struct __sk_buff *skb, const __u8 mac[ETH_ALEN])
{
    const __u8 *dst = (void *) (long) skb->data;
    if ((void *) (dst + ETH_ALEN) > (void *) (long) skb->data_end) {
        return 0;
    }
    __u8 diff = 0;
#pragma clang loop unroll(full)
    for (int i = 0; i < ETH_ALEN; i++) {
        diff |= dst[i] ^ mac[i];
    }
    return !diff;
}

/* The checksum of an IPv4 header whose own field is zero. */
static __always_inline __sum16
ip_checksum(const struct iphdr *ip)
{
    return bpf_htons(~fold(sum16((const __be16 *) ip, sizeof *ip / 2))
                     & 0xffff);
}

/* The UDP source port for a flow hash: from the dynamic port range, as
 * the kernel's tunnels pick theirs, so that ECMP can spread flows. */
static __always_inline __be16
udp_src_port(__u32 hash)
{
    enum { LOW = 32768, HIGH = 61000 };
    return bpf_htons((__u16) (((__u64) hash * (HIGH - LOW)) >> 32) + LOW);
}

/* The outer headers after the Ethernet header, as tunnel_send() writes
 * them: a GRE header is hdr[0..hdr_len) right after the IP header. */
struct outer_udp {
    struct iphdr ip;
    struct udphdr udp;
    __u8 hdr[8];
};

struct outer_gre {
    struct iphdr ip;
    __u8 hdr[8];
};

/* Frames tc took but could not send. */
static __always_inline int
tc_lost(void)
{
    __u32 zero = 0;
    __u64 *missed = bpf_map_lookup_elem(&tc_missed, &zero);
    if (missed) {
        (*missed)++;
    }
    return TC_ACT_SHOT;
}

/* Sends the frame to tunnel port 'id': room for the outer headers goes
 * in after the frame's Ethernet header, which moves to the front of the
 * inner frame; the kernel then routes the outer packet out of the
 * tunnel's device and fills in its Ethernet header from the neighbour
 * table (resolving it if need be).  A GSO frame's segments each get
 * their outer headers when the kernel cuts it. */
static __always_inline int
tunnel_send(struct __sk_buff *skb, __u32 id)
{
    const struct swxdp_tunnel *t = bpf_map_lookup_elem(&tunnels, &id);
    struct ethhdr inner;
    if (!t || bpf_skb_load_bytes(skb, 0, &inner, sizeof inner)) {
        return tc_lost();
    }
    int udp = t->ip_proto == IPPROTO_UDP;
    __u32 hdr_len = t->hdr_len == 4 ? 4 : 8;
    __u32 outer_len = (udp ? sizeof(struct outer_udp)
                       : sizeof(struct iphdr) + hdr_len);
    __u32 inner_len = skb->len;
    __be16 sport = udp_src_port(bpf_get_hash_recalc(skb));
    __u64 flags = (BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L3_IPV4
                   | BPF_F_ADJ_ROOM_ENCAP_L2_ETH
                   | BPF_F_ADJ_ROOM_ENCAP_L2(ETH_HLEN)
                   | (udp ? BPF_F_ADJ_ROOM_ENCAP_L4_UDP
                      : BPF_F_ADJ_ROOM_ENCAP_L4_GRE));
    if (bpf_skb_adjust_room(skb, outer_len + ETH_HLEN, BPF_ADJ_ROOM_MAC,
                            flags)) {
        return tc_lost();       /* Unchanged, but it was the switch's. */
    }

    struct outer_udp o = {
        .ip = {
            .version = 4,
            .ihl = 5,
            .tos = t->tos,
            .tot_len = bpf_htons(inner_len + outer_len),
            .id = t->df ? 0 : bpf_get_prandom_u32(),
            .frag_off = t->df ? bpf_htons(0x4000) : 0,
            .ttl = t->ttl,
            .protocol = t->ip_proto,
            .saddr = t->local,
            .daddr = t->remote,
        },
    };
    o.ip.check = ip_checksum(&o.ip);
    int error;
    if (udp) {
        o.udp.source = sport;
        o.udp.dest = t->dst_port;
        o.udp.len = bpf_htons(inner_len + outer_len - sizeof o.ip);
        __builtin_memcpy(o.hdr, t->hdr, sizeof o.hdr);
        error = bpf_skb_store_bytes(skb, ETH_HLEN, &o, sizeof o,
                                    BPF_F_RECOMPUTE_CSUM);
    } else {
        struct outer_gre g = { .ip = o.ip };
        __builtin_memcpy(g.hdr, t->hdr, sizeof g.hdr);
        error = bpf_skb_store_bytes(skb, ETH_HLEN, &g,
                                    hdr_len == 4 ? sizeof g - 4 : sizeof g,
                                    BPF_F_RECOMPUTE_CSUM);
    }
    /* The outer Ethernet header is the neighbour's to write; until then
     * it holds the inner one, whose multicast destination would make
     * bpf_redirect_neigh() drop the packet. */
    struct ethhdr outer_eth = { .h_proto = bpf_htons(ETH_P_IP) };
    if (error
        || bpf_skb_store_bytes(skb, ETH_HLEN + outer_len, &inner,
                               sizeof inner, BPF_F_RECOMPUTE_CSUM)
        || bpf_skb_store_bytes(skb, 0, &outer_eth, sizeof outer_eth, 0)) {
        return tc_lost();
    }
    return bpf_redirect_neigh(t->oif, NULL, 0, 0);
}

/* Sends a frame that sw_xdp or sw_sock chose to forward out of 'out'.
 * The output may have gone since: the frame is the switch's, not the
 * host's, so it goes, counted.
 *
 * Into a veth whose other end is in another namespace, a frame for that
 * end's own MAC goes straight to its ingress, as if it had crossed the
 * veth, but without a second pass through the CPU's backlog (the kernel
 * takes it as the host's, hence only frames for that MAC; and not past
 * an XDP program there). */
static __always_inline int
tc_send(struct __sk_buff *skb, __u32 out)
{
    if (is_tunnel(out)) {
        return tunnel_send(skb, out);
    }
    const struct swxdp_device_info *dev = bpf_map_lookup_elem(&xsk_base,
                                                              &out);
    if (!dev) {
        return tc_lost();
    }
    if (dev->has_peer && is_for(skb, dev->peer_mac)) {
        return bpf_redirect_peer(out, 0);
    }
    return bpf_redirect(out, 0);
}

/* The second half of entries marked 'via_tc', at the ingress of devices
 * whose XDP program runs in native mode: sends on the frames sw_xdp
 * marked, to the device it chose (and counted). */
SEC("tc")
int
sw_tc(struct __sk_buff *skb)
{
    const struct swxdp_tc_meta *meta = (void *) (long) skb->data_meta;
    if ((void *) (meta + 1) > (void *) (long) skb->data
        || meta->mark != SWXDP_TC_MARK) {
        return TC_ACT_OK;       /* Not passed up by sw_xdp for us. */
    }
    return tc_send(skb, meta->out_ifindex);
}

/* The length of the frame, or if it is a GSO one, of its longest
 * segment (headers and gso_size bytes of payload); if the headers are
 * not as expected, more than any limit. */
static __always_inline __u32
segment_len(const struct __sk_buff *skb, __be16 type)
{
    if (!skb->gso_size) {
        return skb->len;
    }
    __u32 l4;
    __u8 proto, byte;
    if (type == bpf_htons(ETH_P_IP)) {
        struct iphdr ip;
        if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof ip)) {
            return ~0u;
        }
        l4 = ETH_HLEN + ip.ihl * 4;
        proto = ip.protocol;
    } else if (type == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr ip6;
        if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof ip6)) {
            return ~0u;
        }
        l4 = ETH_HLEN + sizeof ip6;
        proto = ip6.nexthdr;
    } else {
        return ~0u;
    }
    if (proto == IPPROTO_UDP) {
        return l4 + sizeof(struct udphdr) + skb->gso_size;
    }
    if (proto != IPPROTO_TCP || bpf_skb_load_bytes(skb, l4 + 12, &byte, 1)) {
        return ~0u;
    }
    return l4 + (byte >> 4) * 4 + skb->gso_size;
}

/* The filter of a port's packet socket: the first half of the fast path
 * for devices without the XDP program.  A frame that an entry forwards
 * is counted, kept from the socket (0: take no byte of it) and marked
 * in its control block, which is the switch's until the ingress hook
 * (the kernel clears it before running a filter that uses it). */
SEC("socket")
int
sw_sock(struct __sk_buff *skb)
{
    struct ethhdr eth;
    if (skb->vlan_present
        || bpf_skb_load_bytes(skb, 0, &eth, sizeof eth)
        || is_vlan(eth.h_proto)) {
        return skb->len;        /* Only untagged frames, as in sw_xdp. */
    }
    struct swxdp_key key = { .ifindex = skb->ifindex,
                             .dl_type = eth.h_proto };
    key_set_eth(&key, &eth);
    struct swxdp_action *a = fastpath_lookup(&key);
    if (!a || !a->via_tc || !daemon_alive()
        || (is_tunnel(a->out_ifindex)
            && !tunnel_takes(a, segment_len(skb, eth.h_proto),
                             eth.h_proto))) {
        return skb->len;
    }
    a->n_packets++;
    a->n_bytes += skb->len;
    skb->cb[SWXDP_CB_MARK] = SWXDP_TC_MARK;
    skb->cb[SWXDP_CB_OUT] = a->out_ifindex;
    return 0;
}

/* The second half, at the ingress of those devices: sends on what
 * sw_sock marked. */
SEC("tc")
int
sw_tc_sock(struct __sk_buff *skb)
{
    if (skb->cb[SWXDP_CB_MARK] != SWXDP_TC_MARK) {
        return TC_ACT_OK;
    }
    skb->cb[SWXDP_CB_MARK] = 0;     /* cb[] travels with the frame. */
    return tc_send(skb, skb->cb[SWXDP_CB_OUT]);
}

/* A tunnel packet's headers, up to the inner Ethernet header, which
 * starts at 'inner_ofs'. */
struct tunnel_packet {
    struct swxdp_tunnel_rx_key key;
    __u32 inner_ofs;
};

/* Fills 'tp' from the outer headers of the frame in 'skb', if it may be
 * a packet of a tunnel port in the fast path.  Returns 0, or -1 if it
 * is not for the fast path: IP options, fragments, UDP checksums (the
 * kernel would check them) go to the stack. */
static __always_inline int
parse_tunnel(struct __sk_buff *skb, struct tunnel_packet *tp)
{
    struct iphdr ip;
    if (skb->protocol != bpf_htons(ETH_P_IP)
        || skb->pkt_type != 0     /* PACKET_HOST: for one of ours. */
        || skb->vlan_present      /* For a VLAN device, if any. */
        || bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof ip)
        || ip.version != 4 || ip.ihl != 5
        || ip.frag_off & bpf_htons(0x3fff)
        || fold(sum16((const __be16 *) &ip, sizeof ip / 2)) != 0xffff
        || (!skb->gso_size
            && bpf_ntohs(ip.tot_len) != skb->len - ETH_HLEN)) {
        return -1;
    }
    __u32 ofs = ETH_HLEN + sizeof ip;
    tp->key.remote = ip.saddr;
    tp->key.local = ip.daddr;
    tp->key.ip_proto = ip.protocol;
    if (ip.protocol == IPPROTO_UDP) {
        struct udphdr udp;
        if (bpf_skb_load_bytes(skb, ofs, &udp, sizeof udp) || udp.check
            || (!skb->gso_size
                && bpf_ntohs(udp.len) != bpf_ntohs(ip.tot_len) - sizeof ip)) {
            return -1;
        }
        tp->key.dst_port = udp.dest;
        ofs += sizeof udp;
        tp->key.hdr_len = 8;
    } else if (ip.protocol == IPPROTO_GRE) {
        __be16 flags;
        if (bpf_skb_load_bytes(skb, ofs, &flags, sizeof flags)) {
            return -1;
        }
        tp->key.hdr_len = flags & bpf_htons(0x2000) ? 8 : 4;  /* Key. */
    } else {
        return -1;
    }
    if (bpf_skb_load_bytes(skb, ofs, tp->key.hdr, tp->key.hdr_len == 4
                                                  ? 4 : 8)) {
        return -1;
    }
    tp->inner_ofs = ofs + (tp->key.hdr_len == 4 ? 4 : 8);
    return 0;
}

/* True if the IP packet at 'ofs' in 'skb' takes up the rest of it.  A
 * GSO packet that does is one tunnel packet of one large inner one (sent
 * so by a host or glued by GRO); many datagrams glued by UDP GRO have
 * many inner packets, and stay whole for the stack. */
static __always_inline int
inner_spans_rest(struct __sk_buff *skb, __u32 ofs, __be16 type)
{
    __u32 len;
    if (type == bpf_htons(ETH_P_IP)) {
        struct iphdr ip;
        if (bpf_skb_load_bytes(skb, ofs, &ip, sizeof ip)) {
            return 0;
        }
        len = bpf_ntohs(ip.tot_len);
    } else {
        struct ipv6hdr ip6;
        if (bpf_skb_load_bytes(skb, ofs, &ip6, sizeof ip6)) {
            return 0;
        }
        len = sizeof ip6 + bpf_ntohs(ip6.payload_len);
    }
    return len == skb->len - ofs;
}

/* At the ingress of a tunnel's underlay device: a packet of a tunnel
 * port whose inner frame an entry forwards loses its outer headers
 * (the inner Ethernet header takes the outer one's place and the rest
 * goes) and is sent on, counted.  Only IP inner frames, so that
 * skb->protocol can be made theirs, as for encapsulation.  Anything
 * else goes on to the stack: to the tunnel's socket, and the daemon. */
SEC("tc")
int
sw_tc_tunnel(struct __sk_buff *skb)
{
    struct tunnel_packet tp = { .key = { .remote = 0 } };
    struct ethhdr inner;
    if (parse_tunnel(skb, &tp)
        || bpf_skb_load_bytes(skb, tp.inner_ofs, &inner, sizeof inner)
        || !is_ip(inner.h_proto)
        || (skb->gso_size
            && !inner_spans_rest(skb, tp.inner_ofs + ETH_HLEN,
                                 inner.h_proto))) {
        return TC_ACT_UNSPEC;
    }
    __u32 *id = bpf_map_lookup_elem(&tunnel_rx, &tp.key);
    if (!id) {
        return TC_ACT_UNSPEC;
    }
    struct swxdp_key key = { .ifindex = *id, .dl_type = inner.h_proto };
    key_set_eth(&key, &inner);
    struct swxdp_action *a = fastpath_lookup(&key);
    if (!a || !daemon_alive() || is_tunnel(a->out_ifindex)) {
        return TC_ACT_UNSPEC;
    }
    __u32 outer_len = tp.inner_ofs - ETH_HLEN;
    __u64 flags = BPF_F_ADJ_ROOM_FIXED_GSO;
    if (inner.h_proto == bpf_htons(ETH_P_IPV6)) {
        flags |= BPF_F_ADJ_ROOM_DECAP_L3_IPV6;
    }
    if (bpf_skb_adjust_room(skb, -(int) (outer_len + ETH_HLEN),
                            BPF_ADJ_ROOM_MAC, flags)) {
        return TC_ACT_UNSPEC;   /* Unchanged: the stack may have it. */
    }
    if (bpf_skb_store_bytes(skb, 0, &inner, sizeof inner, 0)) {
        return tc_lost();
    }
    a->n_packets++;
    a->n_bytes += skb->len;
    return tc_send(skb, a->out_ifindex);
}

char _license[] SEC("license") = "GPL";
