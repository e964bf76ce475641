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
 * fast path. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
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

/* One entry: when the daemon last brought the table up to date
 * (bpf_ktime_get_ns(), CLOCK_MONOTONIC). */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} heartbeat SEC(".maps");

/* One entry, per CPU: frames XDP passed up for tc that tc could not
 * send (their output went in between). */
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
tc_send(const struct __sk_buff *skb, __u32 out)
{
    const struct swxdp_device_info *dev = bpf_map_lookup_elem(&xsk_base,
                                                              &out);
    if (!dev) {
        __u32 zero = 0;
        __u64 *missed = bpf_map_lookup_elem(&tc_missed, &zero);
        if (missed) {
            (*missed)++;
        }
        return TC_ACT_SHOT;
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
    if (!a || !a->via_tc || !daemon_alive()) {
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

char _license[] SEC("license") = "GPL";
