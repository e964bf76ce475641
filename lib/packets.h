/* Protocol constants and header layouts for the frames the switch
 * handles, and Ethernet address helpers. */
#ifndef PACKETS_H
#define PACKETS_H 1

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

/* Values in network byte order carry these names, so that a reader (and
 * a reviewer) can tell them from host-order integers. */
typedef uint16_t be16;
typedef uint32_t be32;
typedef uint64_t be64;

enum {
    ETH_ADDR_LEN = 6,
    ETH_HEADER_LEN = 14,
    VLAN_HEADER_LEN = 4,
    ETH_MIN_FRAME_LEN = 60,     /* Without the FCS. */
    IPV4_HEADER_LEN = 20,
    IPV6_HEADER_LEN = 40,
    UDP_HEADER_LEN = 8,
    TCP_HEADER_LEN = 20,
    ICMP_HEADER_LEN = 8,
    SCTP_HEADER_LEN = 12,
    ARP_ETH_IPV4_LEN = 28,
    IPV6_FRAG_HEADER_LEN = 8,
    ND_MSG_LEN = 24,            /* ICMPv6 header, reserved, target. */
    ND_OPT_LEN = 8,             /* One unit of option length. */
};

enum {
    VLAN_VID_MASK = 0x0fff,
    VLAN_CFI = 0x1000,          /* In a flow key: a tag is present. */
    VLAN_PCP_SHIFT = 13,
    VLAN_PCP_MASK = 0xe000,
};

enum {
    IP_DONT_FRAGMENT = 0x4000,
    IP_MORE_FRAGMENTS = 0x2000,
    IP_FRAG_OFF_MASK = 0x1fff,
};

enum {
    ARP_HTYPE_ETH = 1,
    ARP_OP_REQUEST = 1,
    ARP_OP_REPLY = 2,
};

enum ipv6_next_header {
    IPV6_NH_HOPOPTS = 0,
    IPV6_NH_ROUTING = 43,
    IPV6_NH_FRAGMENT = 44,
    IPV6_NH_ESP = 50,
    IPV6_NH_AUTH = 51,
    IPV6_NH_NONE = 59,
    IPV6_NH_DSTOPTS = 60,
};

enum {
    ICMP6_ND_NEIGHBOR_SOLICIT = 135,
    ICMP6_ND_NEIGHBOR_ADVERT = 136,
    ND_OPT_SOURCE_LINKADDR = 1,
    ND_OPT_TARGET_LINKADDR = 2,
};

enum eth_type {
    ETH_TYPE_IP = 0x0800,
    ETH_TYPE_ARP = 0x0806,
    ETH_TYPE_TEB = 0x6558,      /* Transparent Ethernet bridging. */
    ETH_TYPE_VLAN_8021Q = 0x8100,
    ETH_TYPE_IPV6 = 0x86dd,
    ETH_TYPE_VLAN_8021AD = 0x88a8,
};

enum ip_proto {
    IP_PROTO_ICMP = 1,
    IP_PROTO_TCP = 6,
    IP_PROTO_UDP = 17,
    IP_PROTO_GRE = 47,
    IP_PROTO_ICMPV6 = 58,
    IP_PROTO_SCTP = 132,
};

struct eth_addr {
    uint8_t ea[ETH_ADDR_LEN];
};

#define ETH_ADDR_FMT "%02x:%02x:%02x:%02x:%02x:%02x"
#define ETH_ADDR_ARGS(A) \
    (A).ea[0], (A).ea[1], (A).ea[2], (A).ea[3], (A).ea[4], (A).ea[5]

struct eth_header {
    struct eth_addr dst;
    struct eth_addr src;
    uint16_t type;              /* Network byte order. */
} __attribute__((packed));

struct vlan_header {
    be16 tci;                   /* PCP (3 bits), DEI, VID (12 bits). */
    be16 next_type;
} __attribute__((packed));

/* An Ethernet header followed by one 802.1Q tag. */
struct vlan_eth_header {
    struct eth_addr dst;
    struct eth_addr src;
    be16 tpid;
    be16 tci;
    be16 type;
} __attribute__((packed));

struct ipv4_header {
    uint8_t ihl_ver;            /* Version (high 4 bits), IHL. */
    uint8_t tos;
    be16 tot_len;
    be16 id;
    be16 frag_off;              /* Flags and fragment offset. */
    uint8_t ttl;
    uint8_t proto;
    be16 csum;
    be32 src;
    be32 dst;
} __attribute__((packed));

struct ipv6_header {
    be32 vtc_flow;              /* Version, traffic class, flow label. */
    be16 payload_len;
    uint8_t next_header;
    uint8_t hop_limit;
    struct in6_addr src;
    struct in6_addr dst;
} __attribute__((packed));

static inline bool
ipv6_is_zero(const struct in6_addr *a)
{
    static const struct in6_addr zero;
    return !memcmp(a, &zero, sizeof zero);
}

struct arp_eth_header {
    be16 htype;
    be16 ptype;
    uint8_t hlen;
    uint8_t plen;
    be16 op;
    struct eth_addr sha;
    be32 spa;
    struct eth_addr tha;
    be32 tpa;
} __attribute__((packed));

static inline bool
eth_addr_is_multicast(struct eth_addr a)
{
    return a.ea[0] & 1;
}

static inline bool
eth_addr_is_broadcast(struct eth_addr a)
{
    return (a.ea[0] & a.ea[1] & a.ea[2] & a.ea[3] & a.ea[4] & a.ea[5])
           == 0xff;
}

static inline bool
eth_addr_is_zero(struct eth_addr a)
{
    return !(a.ea[0] | a.ea[1] | a.ea[2] | a.ea[3] | a.ea[4] | a.ea[5]);
}

static inline bool
eth_addr_equals(struct eth_addr a, struct eth_addr b)
{
    return !memcmp(a.ea, b.ea, ETH_ADDR_LEN);
}

/* IEEE 802.1D reserved addresses 01:80:c2:00:00:0x (STP, LACP, ...),
 * which a bridge must not forward. */
static inline bool
eth_addr_is_reserved(struct eth_addr a)
{
    return a.ea[0] == 0x01 && a.ea[1] == 0x80 && a.ea[2] == 0xc2
           && !a.ea[3] && !a.ea[4] && (a.ea[5] & 0xf0) == 0x00;
}

/* Parses "xx:xx:xx:xx:xx:xx".  Returns false on anything else. */
bool eth_addr_from_string(const char *, struct eth_addr *);

/* A locally administered unicast address derived from 'seed'. */
struct eth_addr eth_addr_local_from_seed(uint32_t seed);

/* Parses a dotted IPv4 address into network byte order. */
bool ipv4_from_string(const char *, uint32_t *);

/* The 16-bit one's complement sum used by IPv4, ICMP, TCP and UDP. */
uint16_t inet_checksum(const void *, size_t len, uint32_t partial);

/* Updates checksum 'csum' for a 32-bit word changing from 'old' to 'new'
 * (RFC 1624). */
be16 inet_checksum_update32(be16 csum, be32 old, be32 new);

/* Frame surgery for datapath actions.  Each checks that the frame is
 * long enough and does nothing (returning false) when it is not. */
struct dp_packet;
void eth_push_vlan(struct dp_packet *, be16 tpid, be16 tci);
bool eth_pop_vlan(struct dp_packet *);
bool eth_set_addr(struct dp_packet *, bool src, struct eth_addr);
bool ipv4_set_addr(struct dp_packet *, bool src, be32 addr);

#endif /* packets.h */
