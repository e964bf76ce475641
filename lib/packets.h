/* Protocol constants and header layouts for the frames the switch
 * handles, and Ethernet address helpers. */
#ifndef PACKETS_H
#define PACKETS_H 1

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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
    ARP_ETH_IPV4_LEN = 28,
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
    uint16_t tci;               /* PCP (3 bits), DEI, VID (12 bits). */
    uint16_t next_type;
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

/* Parses "xx:xx:xx:xx:xx:xx".  Returns false on anything else. */
bool eth_addr_from_string(const char *, struct eth_addr *);

/* A locally administered unicast address derived from 'seed'. */
struct eth_addr eth_addr_local_from_seed(uint32_t seed);

/* Parses a dotted IPv4 address into network byte order. */
bool ipv4_from_string(const char *, uint32_t *);

/* The 16-bit one's complement sum used by IPv4, ICMP, TCP and UDP. */
uint16_t inet_checksum(const void *, size_t len, uint32_t partial);

#endif /* packets.h */
