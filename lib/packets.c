#include <config.h>
#include "packets.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include "dp-packet.h"
#include "hash.h"

bool
eth_addr_from_string(const char *s, struct eth_addr *ea)
{
    unsigned int b[ETH_ADDR_LEN];
    int n = 0;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
               &b[4], &b[5], &n) != ETH_ADDR_LEN || s[n] || n != 17) {
        return false;
    }
    for (int i = 0; i < ETH_ADDR_LEN; i++) {
        ea->ea[i] = b[i];
    }
    return true;
}

struct eth_addr
eth_addr_local_from_seed(uint32_t seed)
{
    uint32_t h = hash_int(seed, 0x5eed);
    struct eth_addr ea = { { 0xaa, 0x55, h >> 24, h >> 16, h >> 8, h } };
    return ea;
}

bool
ipv4_from_string(const char *s, uint32_t *ip)
{
    struct in_addr addr;
    if (inet_pton(AF_INET, s, &addr) != 1) {
        return false;
    }
    *ip = addr.s_addr;
    return true;
}

uint16_t
inet_checksum(const void *data_, size_t len, uint32_t partial)
{
    const uint8_t *data = data_;
    uint32_t sum = partial;
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (data[i] << 8) | data[i + 1];
    }
    if (len & 1) {
        sum += data[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return htons(~sum & 0xffff);
}

be16
inet_checksum_update32(be16 csum, be32 old, be32 new)
{
    /* HC' = ~(~HC + ~m + m'), one 16-bit half at a time. */
    uint32_t sum = (uint16_t) ~ntohs(csum);
    uint32_t o = ntohl(old), n = ntohl(new);
    sum += (uint16_t) ~(o >> 16) + (uint16_t) ~(o & 0xffff);
    sum += (n >> 16) + (n & 0xffff);
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return htons(~sum & 0xffff);
}

void
eth_push_vlan(struct dp_packet *p, be16 tpid, be16 tci)
{
    if (dp_packet_size(p) < 2 * ETH_ADDR_LEN) {
        return;
    }
    uint8_t *data = dp_packet_push_uninit(p, VLAN_HEADER_LEN);
    memmove(data, data + VLAN_HEADER_LEN, 2 * ETH_ADDR_LEN);
    memcpy(data + 2 * ETH_ADDR_LEN, &tpid, 2);
    memcpy(data + 2 * ETH_ADDR_LEN + 2, &tci, 2);
}

static bool
eth_type_is_vlan(be16 type)
{
    return type == htons(ETH_TYPE_VLAN_8021Q)
           || type == htons(ETH_TYPE_VLAN_8021AD);
}

bool
eth_pop_vlan(struct dp_packet *p)
{
    if (dp_packet_size(p) < ETH_HEADER_LEN + VLAN_HEADER_LEN) {
        return false;
    }
    uint8_t *data = dp_packet_data(p);
    be16 type;
    memcpy(&type, data + 2 * ETH_ADDR_LEN, 2);
    if (!eth_type_is_vlan(type)) {
        return false;
    }
    memmove(data + VLAN_HEADER_LEN, data, 2 * ETH_ADDR_LEN);
    dp_packet_pull(p, VLAN_HEADER_LEN);
    return true;
}

bool
eth_set_addr(struct dp_packet *p, bool src, struct eth_addr addr)
{
    if (dp_packet_size(p) < ETH_HEADER_LEN) {
        return false;
    }
    uint8_t *data = dp_packet_data(p);
    memcpy(data + (src ? ETH_ADDR_LEN : 0), addr.ea, ETH_ADDR_LEN);
    return true;
}

/* Offset of the L3 header of an Ethernet frame, with its type in
 * '*type', or 0 if the frame ends first. */
static size_t
eth_l3_offset(const struct dp_packet *p, be16 *type)
{
    const uint8_t *data = dp_packet_data(p);
    size_t size = dp_packet_size(p);
    size_t ofs = 2 * ETH_ADDR_LEN;
    for (;;) {
        if (ofs + 2 > size) {
            return 0;
        }
        memcpy(type, data + ofs, 2);
        ofs += 2;
        if (!eth_type_is_vlan(*type)) {
            return ofs;
        }
        ofs += 2;               /* The TCI. */
    }
}

bool
ipv4_set_addr(struct dp_packet *p, bool src, be32 addr)
{
    be16 type;
    size_t l3 = eth_l3_offset(p, &type);
    uint8_t *data = dp_packet_data(p);
    size_t size = dp_packet_size(p);
    if (!l3 || type != htons(ETH_TYPE_IP) || l3 + IPV4_HEADER_LEN > size) {
        return false;
    }
    struct ipv4_header *ip = (struct ipv4_header *) (data + l3);
    size_t ihl = (ip->ihl_ver & 0x0f) * 4;
    if ((ip->ihl_ver >> 4) != 4 || ihl < IPV4_HEADER_LEN
        || l3 + ihl > size) {
        return false;
    }

    uint8_t *field = (uint8_t *) ip + (src ? offsetof(struct ipv4_header, src)
                                           : offsetof(struct ipv4_header, dst));
    be32 old;
    memcpy(&old, field, 4);
    if (old == addr) {
        return true;
    }

    /* The TCP and UDP checksums cover the addresses too. */
    bool first_fragment = !(ntohs(ip->frag_off) & IP_FRAG_OFF_MASK);
    size_t l4 = l3 + ihl;
    size_t csum_ofs = (ip->proto == IP_PROTO_TCP ? 16
                       : ip->proto == IP_PROTO_UDP ? 6 : 0);
    if (first_fragment && csum_ofs && l4 + csum_ofs + 2 <= size) {
        be16 csum;
        memcpy(&csum, data + l4 + csum_ofs, 2);
        if (p->offload.csum_start == p->data_ofs + l4) {
            /* A partial checksum holds the pseudo-header's sum, not yet
             * complemented: update it as the complement of a checksum. */
            csum = ~inet_checksum_update32(~csum, old, addr);
        } else if (csum || ip->proto == IP_PROTO_TCP) {
            csum = inet_checksum_update32(csum, old, addr);
            if (!csum && ip->proto == IP_PROTO_UDP) {
                csum = 0xffff;
            }
        }
        memcpy(data + l4 + csum_ofs, &csum, 2);
    }
    be16 csum;
    memcpy(&csum, &ip->csum, 2);
    csum = inet_checksum_update32(csum, old, addr);
    memcpy(&ip->csum, &csum, 2);
    memcpy(field, &addr, 4);
    return true;
}
