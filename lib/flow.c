#include <config.h>
#include "flow.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include "coverage.h"
#include "dp-packet.h"
#include "timeval.h"
#include "util.h"

COVERAGE_DEFINE(flow_extract_runt);
COVERAGE_DEFINE(flow_extract_vlan_trunc);
COVERAGE_DEFINE(flow_extract_arp_trunc);
COVERAGE_DEFINE(flow_extract_ipv4_trunc);
COVERAGE_DEFINE(flow_extract_ipv4_bad);
COVERAGE_DEFINE(flow_extract_ipv6_trunc);
COVERAGE_DEFINE(flow_extract_ipv6_bad);
COVERAGE_DEFINE(flow_extract_ipv6_ext);
COVERAGE_DEFINE(flow_extract_l4_trunc);
COVERAGE_DEFINE(flow_extract_tcp_bad);
COVERAGE_DEFINE(flow_extract_nd_bad);

/* What is left of the frame to parse. */
struct cursor {
    const uint8_t *p;
    size_t left;
};

static inline const void *
cursor_pull(struct cursor *c, size_t n)
{
    if (unlikely(c->left < n)) {
        return NULL;
    }
    const void *p = c->p;
    c->p += n;
    c->left -= n;
    return p;
}

static inline const void *
cursor_peek(const struct cursor *c, size_t n)
{
    return c->left >= n ? c->p : NULL;
}

static inline be16
get_be16(const void *p)
{
    be16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline be32
get_be32(const void *p)
{
    be32 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static enum flow_parse_error
count_error(enum flow_parse_error error)
{
    switch (error) {
    case FLOW_PARSE_OK:
    case FLOW_PARSE_N_ERRORS:
        break;
    case FLOW_PARSE_RUNT:
        COVERAGE_INC(flow_extract_runt);
        break;
    case FLOW_PARSE_VLAN_TRUNC:
        COVERAGE_INC(flow_extract_vlan_trunc);
        break;
    case FLOW_PARSE_ARP_TRUNC:
        COVERAGE_INC(flow_extract_arp_trunc);
        break;
    case FLOW_PARSE_IPV4_TRUNC:
        COVERAGE_INC(flow_extract_ipv4_trunc);
        break;
    case FLOW_PARSE_IPV4_BAD:
        COVERAGE_INC(flow_extract_ipv4_bad);
        break;
    case FLOW_PARSE_IPV6_TRUNC:
        COVERAGE_INC(flow_extract_ipv6_trunc);
        break;
    case FLOW_PARSE_IPV6_BAD:
        COVERAGE_INC(flow_extract_ipv6_bad);
        break;
    case FLOW_PARSE_IPV6_EXT:
        COVERAGE_INC(flow_extract_ipv6_ext);
        break;
    case FLOW_PARSE_L4_TRUNC:
        COVERAGE_INC(flow_extract_l4_trunc);
        break;
    case FLOW_PARSE_TCP_BAD:
        COVERAGE_INC(flow_extract_tcp_bad);
        break;
    case FLOW_PARSE_ND_BAD:
        COVERAGE_INC(flow_extract_nd_bad);
        break;
    }
    return error;
}

const char *
flow_parse_error_to_string(enum flow_parse_error error)
{
    switch (error) {
    case FLOW_PARSE_OK:
        return "ok";
    case FLOW_PARSE_RUNT:
        return "frame shorter than an Ethernet header";
    case FLOW_PARSE_VLAN_TRUNC:
        return "truncated VLAN tag";
    case FLOW_PARSE_ARP_TRUNC:
        return "truncated ARP";
    case FLOW_PARSE_IPV4_TRUNC:
        return "truncated IPv4 header";
    case FLOW_PARSE_IPV4_BAD:
        return "bad IPv4 header";
    case FLOW_PARSE_IPV6_TRUNC:
        return "truncated IPv6 header";
    case FLOW_PARSE_IPV6_BAD:
        return "bad IPv6 version";
    case FLOW_PARSE_IPV6_EXT:
        return "bad IPv6 extension header";
    case FLOW_PARSE_L4_TRUNC:
        return "truncated L4 header";
    case FLOW_PARSE_TCP_BAD:
        return "bad TCP header length";
    case FLOW_PARSE_ND_BAD:
        return "bad neighbour discovery option";
    case FLOW_PARSE_N_ERRORS:
        break;
    }
    return "unknown";
}

static enum flow_parse_error
parse_l4_ports(struct cursor *c, struct flow *flow, size_t min_len)
{
    const uint8_t *l4 = cursor_peek(c, min_len);
    if (!l4) {
        return FLOW_PARSE_L4_TRUNC;
    }
    flow->tp_src = get_be16(l4);
    flow->tp_dst = get_be16(l4 + 2);
    return FLOW_PARSE_OK;
}

static enum flow_parse_error
parse_tcp(struct cursor *c, struct flow *flow)
{
    const uint8_t *tcp = cursor_peek(c, TCP_HEADER_LEN);
    if (!tcp) {
        return FLOW_PARSE_L4_TRUNC;
    }
    size_t header_len = (tcp[12] >> 4) * 4;
    if (header_len < TCP_HEADER_LEN || header_len > c->left) {
        return FLOW_PARSE_TCP_BAD;
    }
    flow->tp_src = get_be16(tcp);
    flow->tp_dst = get_be16(tcp + 2);
    return FLOW_PARSE_OK;
}

static enum flow_parse_error
parse_icmp(struct cursor *c, struct flow *flow)
{
    const uint8_t *icmp = cursor_peek(c, 4);
    if (!icmp) {
        return FLOW_PARSE_L4_TRUNC;
    }
    flow->tp_src = htons(icmp[0]);
    flow->tp_dst = htons(icmp[1]);
    return FLOW_PARSE_OK;
}

/* Neighbour solicitations and advertisements carry a target and, in
 * options, link-layer addresses.  A bad option voids all three, as a
 * receiver would ignore the message. */
static enum flow_parse_error
parse_nd(struct cursor *c, struct flow *flow)
{
    const uint8_t *nd = cursor_pull(c, ND_MSG_LEN);
    if (!nd) {
        return FLOW_PARSE_L4_TRUNC;
    }
    memcpy(&flow->nd_target, nd + 8, sizeof flow->nd_target);

    while (c->left >= ND_OPT_LEN) {
        const uint8_t *opt = c->p;
        size_t len = opt[1] * ND_OPT_LEN;
        if (!len || len > c->left) {
            goto bad;
        }
        if (opt[0] == ND_OPT_SOURCE_LINKADDR && len == ND_OPT_LEN
            && flow->tp_src == htons(ICMP6_ND_NEIGHBOR_SOLICIT)) {
            if (!eth_addr_is_zero(flow->arp_sha)) {
                goto bad;       /* Two source options. */
            }
            memcpy(&flow->arp_sha, opt + 2, ETH_ADDR_LEN);
        } else if (opt[0] == ND_OPT_TARGET_LINKADDR && len == ND_OPT_LEN
                   && flow->tp_src == htons(ICMP6_ND_NEIGHBOR_ADVERT)) {
            if (!eth_addr_is_zero(flow->arp_tha)) {
                goto bad;
            }
            memcpy(&flow->arp_tha, opt + 2, ETH_ADDR_LEN);
        }
        cursor_pull(c, len);
    }
    return FLOW_PARSE_OK;

bad:
    memset(&flow->nd_target, 0, sizeof flow->nd_target);
    memset(&flow->arp_sha, 0, sizeof flow->arp_sha);
    memset(&flow->arp_tha, 0, sizeof flow->arp_tha);
    return FLOW_PARSE_ND_BAD;
}

static enum flow_parse_error
parse_icmpv6(struct cursor *c, struct flow *flow)
{
    enum flow_parse_error error = parse_icmp(c, flow);
    if (error) {
        return error;
    }
    uint16_t type = ntohs(flow->tp_src);
    if ((type == ICMP6_ND_NEIGHBOR_SOLICIT
         || type == ICMP6_ND_NEIGHBOR_ADVERT) && !ntohs(flow->tp_dst)) {
        return parse_nd(c, flow);
    }
    return FLOW_PARSE_OK;
}

static enum flow_parse_error
parse_l4(struct cursor *c, struct flow *flow)
{
    if (flow->nw_frag & FLOW_NW_FRAG_LATER) {
        return FLOW_PARSE_OK;
    }
    switch (flow->nw_proto) {
    case IP_PROTO_TCP:
        return parse_tcp(c, flow);
    case IP_PROTO_UDP:
        return parse_l4_ports(c, flow, UDP_HEADER_LEN);
    case IP_PROTO_SCTP:
        return parse_l4_ports(c, flow, SCTP_HEADER_LEN);
    case IP_PROTO_ICMP:
        return flow->dl_type == htons(ETH_TYPE_IP) ? parse_icmp(c, flow)
                                                   : FLOW_PARSE_OK;
    case IP_PROTO_ICMPV6:
        return flow->dl_type == htons(ETH_TYPE_IPV6) ? parse_icmpv6(c, flow)
                                                     : FLOW_PARSE_OK;
    }
    return FLOW_PARSE_OK;
}

static enum flow_parse_error
parse_ipv4(struct cursor *c, struct flow *flow)
{
    const struct ipv4_header *ip = cursor_peek(c, IPV4_HEADER_LEN);
    if (!ip) {
        return FLOW_PARSE_IPV4_TRUNC;
    }
    size_t header_len = (ip->ihl_ver & 0x0f) * 4;
    size_t tot_len = ntohs(ip->tot_len);
    if ((ip->ihl_ver >> 4) != 4 || header_len < IPV4_HEADER_LEN
        || tot_len < header_len) {
        return FLOW_PARSE_IPV4_BAD;
    }
    if (tot_len > c->left) {
        return FLOW_PARSE_IPV4_TRUNC;
    }

    flow->nw_src = get_be32(&ip->src);
    flow->nw_dst = get_be32(&ip->dst);
    flow->nw_proto = ip->proto;
    flow->nw_tos = ip->tos;
    flow->nw_ttl = ip->ttl;
    uint16_t frag = ntohs(ip->frag_off);
    if (frag & (IP_MORE_FRAGMENTS | IP_FRAG_OFF_MASK)) {
        flow->nw_frag = FLOW_NW_FRAG_ANY;
        if (frag & IP_FRAG_OFF_MASK) {
            flow->nw_frag |= FLOW_NW_FRAG_LATER;
        }
    }

    /* L4 starts after the options and ends where IP says, not at the
     * end of the frame, which may carry Ethernet padding. */
    struct cursor l4 = { c->p + header_len, tot_len - header_len };
    return parse_l4(&l4, flow);
}

/* Walks the extension headers to the upper-layer protocol, noting
 * fragments.  Each header is at least 8 bytes, so the walk ends. */
static enum flow_parse_error
parse_ipv6_ext(struct cursor *c, struct flow *flow, uint8_t *next)
{
    for (;;) {
        switch (*next) {
        case IPV6_NH_HOPOPTS:
        case IPV6_NH_ROUTING:
        case IPV6_NH_DSTOPTS:
        case IPV6_NH_AUTH: {
            const uint8_t *ext = cursor_peek(c, 8);
            if (!ext) {
                return FLOW_PARSE_IPV6_EXT;
            }
            size_t len = (*next == IPV6_NH_AUTH ? (ext[1] + 2) * 4
                                                : (ext[1] + 1) * 8);
            if (!cursor_pull(c, len)) {
                return FLOW_PARSE_IPV6_EXT;
            }
            *next = ext[0];
            break;
        }
        case IPV6_NH_FRAGMENT: {
            const uint8_t *frag = cursor_pull(c, IPV6_FRAG_HEADER_LEN);
            if (!frag) {
                return FLOW_PARSE_IPV6_EXT;
            }
            uint16_t off = ntohs(get_be16(frag + 2));
            flow->nw_frag = FLOW_NW_FRAG_ANY;
            if (off & 0xfff8) {
                flow->nw_frag |= FLOW_NW_FRAG_LATER;
            }
            *next = frag[0];
            break;
        }
        default:
            return FLOW_PARSE_OK;
        }
    }
}

static enum flow_parse_error
parse_ipv6(struct cursor *c, struct flow *flow)
{
    const struct ipv6_header *ip = cursor_pull(c, IPV6_HEADER_LEN);
    if (!ip) {
        return FLOW_PARSE_IPV6_TRUNC;
    }
    if ((get_be32(&ip->vtc_flow) & htonl(0xf0000000)) != htonl(0x60000000)) {
        return FLOW_PARSE_IPV6_BAD;
    }
    size_t payload_len = ntohs(ip->payload_len);
    if (payload_len > c->left) {
        return FLOW_PARSE_IPV6_TRUNC;
    }
    c->left = payload_len;      /* Drop any Ethernet padding. */

    uint32_t vtc_flow = ntohl(get_be32(&ip->vtc_flow));
    memcpy(&flow->ipv6_src, &ip->src, sizeof flow->ipv6_src);
    memcpy(&flow->ipv6_dst, &ip->dst, sizeof flow->ipv6_dst);
    flow->ipv6_label = htonl(vtc_flow & 0x000fffff);
    flow->nw_tos = vtc_flow >> 20;
    flow->nw_ttl = ip->hop_limit;

    uint8_t next = ip->next_header;
    enum flow_parse_error error = parse_ipv6_ext(c, flow, &next);
    flow->nw_proto = next;
    return error ? error : parse_l4(c, flow);
}

static enum flow_parse_error
parse_arp(struct cursor *c, struct flow *flow)
{
    const struct arp_eth_header *arp = cursor_peek(c, ARP_ETH_IPV4_LEN);
    if (!arp) {
        return FLOW_PARSE_ARP_TRUNC;
    }
    /* Only Ethernet/IPv4 ARP has fields to match; others stay zero. */
    if (arp->htype == htons(ARP_HTYPE_ETH)
        && arp->ptype == htons(ETH_TYPE_IP)
        && arp->hlen == ETH_ADDR_LEN && arp->plen == 4) {
        uint16_t op = ntohs(arp->op);
        flow->nw_proto = op <= 0xff ? op : 0;
        flow->nw_src = get_be32(&arp->spa);
        flow->nw_dst = get_be32(&arp->tpa);
        flow->arp_sha = arp->sha;
        flow->arp_tha = arp->tha;
    }
    return FLOW_PARSE_OK;
}

static inline bool
eth_type_is_vlan(be16 type)
{
    return type == htons(ETH_TYPE_VLAN_8021Q)
           || type == htons(ETH_TYPE_VLAN_8021AD);
}

static enum flow_parse_error
flow_extract__(struct cursor *c, struct flow *flow)
{
    const struct eth_header *eth = cursor_pull(c, ETH_HEADER_LEN);
    if (!eth) {
        return FLOW_PARSE_RUNT;
    }
    flow->dl_dst = eth->dst;
    flow->dl_src = eth->src;
    be16 type = get_be16(&eth->type);

    for (int i = 0; eth_type_is_vlan(type); i++) {
        const struct vlan_header *vlan = cursor_pull(c, VLAN_HEADER_LEN);
        if (!vlan) {
            return FLOW_PARSE_VLAN_TRUNC;
        }
        if (i < FLOW_MAX_VLANS) {
            flow->vlans[i].tpid = type;
            flow->vlans[i].tci = get_be16(&vlan->tci) | htons(VLAN_CFI);
        }
        type = get_be16(&vlan->next_type);
    }
    flow->dl_type = type;

    switch (ntohs(type)) {
    case ETH_TYPE_IP:
        return parse_ipv4(c, flow);
    case ETH_TYPE_IPV6:
        return parse_ipv6(c, flow);
    case ETH_TYPE_ARP:
        return parse_arp(c, flow);
    }
    return FLOW_PARSE_OK;
}

enum flow_parse_error
flow_extract_data(const void *data, size_t size, uint32_t in_port,
                  struct flow *flow)
{
    struct cursor c = { data, size };
    memset(flow, 0, sizeof *flow);
    flow->in_port = in_port;
    enum flow_parse_error error = flow_extract__(&c, flow);
    return unlikely(error) ? count_error(error) : error;
}

enum flow_parse_error
flow_extract(const struct dp_packet *packet, struct flow *flow)
{
    enum flow_parse_error error
        = flow_extract_data(dp_packet_data(packet), dp_packet_size(packet),
                            packet->md.in_port, flow);
    flow_set_tunnel(flow, &packet->md);
    return error;
}

_Static_assert(ARRAY_SIZE(((struct pkt_metadata *) 0)->tun_metadata)
               == TUN_METADATA_SLOTS, "tunnel metadata slots differ");

void
flow_set_tunnel(struct flow *flow, const struct pkt_metadata *md)
{
    flow->tun_id = md->tun_id;
    flow->tun_src = md->tun_src;
    flow->tun_dst = md->tun_dst;
    flow->tun_ipv6_src = md->tun_ipv6_src;
    flow->tun_ipv6_dst = md->tun_ipv6_dst;
    memcpy(flow->tun_metadata, md->tun_metadata, sizeof flow->tun_metadata);
    flow->tun_metadata_present = md->tun_metadata_present;
}

void
flow_get_tunnel(const struct flow *flow, struct pkt_metadata *md)
{
    md->tun_id = flow->tun_id;
    md->tun_src = flow->tun_src;
    md->tun_dst = flow->tun_dst;
    md->tun_ipv6_src = flow->tun_ipv6_src;
    md->tun_ipv6_dst = flow->tun_ipv6_dst;
    memcpy(md->tun_metadata, flow->tun_metadata, sizeof md->tun_metadata);
    md->tun_metadata_present = flow->tun_metadata_present;
}

void
flow_and(struct flow *dst, const struct flow *src, const struct flow *mask)
{
    flow_word *d = flow_u64_rw(dst);
    const flow_word *s = flow_u64(src), *m = flow_u64(mask);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        d[i] = s[i] & m[i];
    }
}

bool
flow_mask_is_subset(const struct flow *a, const struct flow *b)
{
    const flow_word *aw = flow_u64(a), *bw = flow_u64(b);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (aw[i] & ~bw[i]) {
            return false;
        }
    }
    return true;
}

bool
flow_equal_masked(const struct flow *a, const struct flow *b,
                  const struct flow *mask)
{
    const flow_word *aw = flow_u64(a), *bw = flow_u64(b);
    const flow_word *m = flow_u64(mask);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if ((aw[i] ^ bw[i]) & m[i]) {
            return false;
        }
    }
    return true;
}

uint64_t flow_hash_keys[FLOW_U64S];

static void
flow_hash_init__(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, 0) != sizeof seed) {
        seed = time_wall_msec() ^ ((uint64_t) getpid() << 32);
    }
    for (size_t i = 0; i < FLOW_U64S; i++) {
        /* splitmix64: distinct, well-mixed, odd multipliers. */
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        flow_hash_keys[i] = (z ^ (z >> 31)) | 1;
    }
}

void
flow_hash_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, flow_hash_init__);
}

uint32_t
flow_hash(const struct flow *flow, uint32_t basis)
{
    const flow_word *w = flow_u64(flow);
    uint64_t acc = basis;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        acc = flow_hash_word(acc, i, w[i]);
    }
    return flow_hash_finish(acc);
}
