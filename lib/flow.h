/* Flow keys: what the switch knows about a frame once it has parsed it.
 *
 * flow_extract() reads Ethernet, up to two VLAN tags, ARP, IPv4, IPv6
 * (with extension headers and fragments), TCP, UDP, SCTP, ICMP and
 * ICMPv6 neighbour discovery into a fixed-size struct flow.  Fields the
 * frame does not have are zero.  A truncated or malformed header stops
 * the parse there: the key keeps what came before, the reason is
 * returned and counted, and nothing past the frame is ever read.
 *
 * The same layout serves as a mask ("wildcards": a 1 bit means the bit
 * matters), so that caches can AND a key with a mask and hash it word by
 * word: struct flow is FLOW_U64S 64-bit words, accessed through
 * flow_u64().  Wire fields are in network byte order.  Thread-safe: every
 * function works only on its arguments. */
#ifndef FLOW_H
#define FLOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "packets.h"

struct dp_packet;

enum { FLOW_MAX_VLANS = 2 };

/* Geneve options a bridge's TLV map names tun_metadata0 to
 * tun_metadata7 (see tun-metadata.h); each holds up to 8 bytes, as a
 * big-endian number. */
enum { TUN_METADATA_SLOTS = 8 };

struct flow_vlan {
    be16 tpid;                  /* 0x8100 or 0x88a8; 0 if no tag. */
    be16 tci;                   /* With VLAN_CFI set when a tag is there. */
};

/* nw_frag bits. */
enum {
    FLOW_NW_FRAG_ANY = 1 << 0,  /* Any fragment. */
    FLOW_NW_FRAG_LATER = 1 << 1, /* Not the first: no L4 header. */
};

struct flow {
    /* Metadata: where the frame came from. */
    be64 tun_id;                /* Tunnel key (VNI), or 0. */
    be32 tun_src;               /* Outer IPv4 source of a tunnel, or 0. */
    be32 tun_dst;               /* Outer IPv4 destination, or 0. */
    struct in6_addr tun_ipv6_src;       /* Outer IPv6 addresses, or zero. */
    struct in6_addr tun_ipv6_dst;
    be64 tun_metadata[TUN_METADATA_SLOTS];  /* Geneve option values. */
    uint32_t in_port;           /* Datapath or OpenFlow port, by context. */
    uint8_t tun_metadata_present;       /* Bit N: tun_metadataN is there
                                         * (came in, or a rule set it). */
    uint8_t pad0[3];

    /* L2. */
    struct eth_addr dl_dst;
    struct eth_addr dl_src;
    be16 dl_type;               /* After any VLAN tags. */
    uint8_t pad1[2];
    struct flow_vlan vlans[FLOW_MAX_VLANS]; /* Outermost first. */

    /* L3. */
    be32 nw_src;                /* IPv4 source, or ARP sender address. */
    be32 nw_dst;                /* IPv4 destination, or ARP target. */
    struct in6_addr ipv6_src;
    struct in6_addr ipv6_dst;
    be32 ipv6_label;
    uint8_t nw_proto;           /* IP protocol, or ARP opcode if < 256. */
    uint8_t nw_tos;             /* DSCP and ECN. */
    uint8_t nw_ttl;
    uint8_t nw_frag;            /* FLOW_NW_FRAG_*. */
    struct in6_addr nd_target;  /* ICMPv6 neighbour discovery target. */
    struct eth_addr arp_sha;    /* ARP sender, or ND source link addr. */
    struct eth_addr arp_tha;    /* ARP target, or ND target link addr. */

    /* L4. */
    be16 tp_src;                /* Port, or ICMP type in the low byte. */
    be16 tp_dst;                /* Port, or ICMP code in the low byte. */
};

enum { FLOW_U64S = sizeof(struct flow) / sizeof(uint64_t) };
_Static_assert(sizeof(struct flow) % sizeof(uint64_t) == 0,
               "struct flow must be a whole number of 64-bit words");

/* Words of a flow, for masking and hashing; may alias struct flow. */
typedef uint64_t __attribute__((may_alias)) flow_word;

static inline const flow_word *
flow_u64(const struct flow *flow)
{
    return (const flow_word *) flow;
}

static inline flow_word *
flow_u64_rw(struct flow *flow)
{
    return (flow_word *) flow;
}

/* Why a parse stopped early.  Each has a coverage counter. */
enum flow_parse_error {
    FLOW_PARSE_OK = 0,
    FLOW_PARSE_RUNT,            /* Shorter than an Ethernet header. */
    FLOW_PARSE_VLAN_TRUNC,      /* A VLAN tag cut short. */
    FLOW_PARSE_ARP_TRUNC,
    FLOW_PARSE_IPV4_TRUNC,
    FLOW_PARSE_IPV4_BAD,        /* Version, header or total length. */
    FLOW_PARSE_IPV6_TRUNC,
    FLOW_PARSE_IPV6_BAD,        /* Not version 6. */
    FLOW_PARSE_IPV6_EXT,        /* An extension header cut short. */
    FLOW_PARSE_L4_TRUNC,        /* TCP, UDP, SCTP or ICMP header. */
    FLOW_PARSE_TCP_BAD,         /* TCP data offset impossible. */
    FLOW_PARSE_ND_BAD,          /* Neighbour discovery options. */
    FLOW_PARSE_N_ERRORS
};

const char *flow_parse_error_to_string(enum flow_parse_error);

/* Parses the frame in 'packet' into 'flow', whose in_port it takes from
 * the packet's metadata.  Returns why the parse stopped early, if it
 * did.  Frames shorter than an Ethernet header are FLOW_PARSE_RUNT and
 * yield an all-zero L2. */
enum flow_parse_error flow_extract(const struct dp_packet *, struct flow *);

/* Same, on raw bytes. */
enum flow_parse_error flow_extract_data(const void *data, size_t size,
                                        uint32_t in_port, struct flow *);

/* Copies the tunnel fields (tun_*) from a packet's metadata to 'flow',
 * and back. */
struct pkt_metadata;
void flow_set_tunnel(struct flow *, const struct pkt_metadata *);
void flow_get_tunnel(const struct flow *, struct pkt_metadata *);

static inline bool
flow_equal(const struct flow *a, const struct flow *b)
{
    const flow_word *aw = flow_u64(a), *bw = flow_u64(b);
    uint64_t diff = 0;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        diff |= aw[i] ^ bw[i];
    }
    return !diff;
}

/* 'dst' = 'src' & 'mask', word by word. */
void flow_and(struct flow *dst, const struct flow *src,
              const struct flow *mask);

/* True if every bit set in 'a' is set in 'b'. */
bool flow_mask_is_subset(const struct flow *a, const struct flow *b);

/* True if 'a' and 'b' are equal in the bits of 'mask'. */
bool flow_equal_masked(const struct flow *a, const struct flow *b,
                       const struct flow *mask);

/* A keyed hash of every word of 'flow' (see flow_hash_word()). */
uint32_t flow_hash(const struct flow *, uint32_t basis);

/* The per-word multipliers that the flow caches hash with: random per
 * process, so that nobody can aim frames at one hash bucket. */
extern uint64_t flow_hash_keys[FLOW_U64S];

/* A multilinear hash: the sum of each word times its random odd key,
 * whose high bits are nearly universal.  One multiply and one add per
 * word, which matters on the per-packet path. */
static inline uint64_t
flow_hash_word(uint64_t acc, size_t idx, uint64_t word)
{
    return acc + word * flow_hash_keys[idx];
}

static inline uint32_t
flow_hash_finish(uint64_t acc)
{
    acc ^= acc >> 29;
    acc *= 0xbf58476d1ce4e5b9ULL;
    return acc >> 32;
}

/* Randomizes flow_hash_keys (idempotent; done at startup). */
void flow_hash_init(void);

static inline bool
flow_is_ip(const struct flow *flow)
{
    return flow->dl_type == htons(ETH_TYPE_IP)
           || flow->dl_type == htons(ETH_TYPE_IPV6);
}

static inline uint16_t
flow_vlan_vid(const struct flow_vlan *vlan)
{
    return ntohs(vlan->tci) & VLAN_VID_MASK;
}

static inline uint8_t
flow_vlan_pcp(const struct flow_vlan *vlan)
{
    return ntohs(vlan->tci) >> VLAN_PCP_SHIFT;
}

#endif /* flow.h */
