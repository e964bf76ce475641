#include <config.h>
#include "dp-packet-offload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "coverage.h"
#include "dp-packet.h"
#include "packets.h"
#include "util.h"

COVERAGE_DEFINE(offload_bad_vnet_header);
COVERAGE_DEFINE(offload_bad_checksum_offset);
COVERAGE_DEFINE(offload_cannot_segment);
COVERAGE_DEFINE(offload_segmented);
COVERAGE_DEFINE(offload_checksummed);
COVERAGE_DEFINE(offload_checksum_repaired);
COVERAGE_DEFINE(offload_merged);

enum {
    TCP_FLAG_FIN = 0x01,
    TCP_FLAG_PSH = 0x08,
    TCP_FLAG_ACK = 0x10,
    TCP_FLAG_CWR = 0x80,
    TCP_SEQ_OFS = 4,
    TCP_FLAGS_OFS = 13,
    TCP_CSUM_OFS = 16,
};

int
dp_packet_offload_from_vnet(struct dp_packet *p,
                            const struct virtio_net_hdr *vnet)
{
    struct dp_packet_offload o = { 0 };

    if (vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        if ((size_t) vnet->csum_start + vnet->csum_offset + 2 > p->size) {
            goto bad;
        }
        o.csum_start = p->data_ofs + vnet->csum_start;
        o.csum_offset = vnet->csum_offset;
    }
    switch (vnet->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
    case VIRTIO_NET_HDR_GSO_NONE:
        break;
    case VIRTIO_NET_HDR_GSO_TCPV4:
    case VIRTIO_NET_HDR_GSO_TCPV6:
        /* Segments are cut at the TCP header, which the checksum
         * offset locates. */
        if (!vnet->gso_size || !o.csum_start
            || vnet->csum_offset != TCP_CSUM_OFS) {
            goto bad;
        }
        o.gso_size = vnet->gso_size;
        o.gso_type = vnet->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
        break;
    default:
        goto bad;
    }
    p->offload = o;
    return 0;

bad:
    COVERAGE_INC(offload_bad_vnet_header);
    return -EINVAL;
}

void
dp_packet_offload_to_vnet(const struct dp_packet *p,
                          struct virtio_net_hdr *vnet)
{
    memset(vnet, 0, sizeof *vnet);
    if (p->offload.csum_start) {
        vnet->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        vnet->csum_start = p->offload.csum_start - p->data_ofs;
        vnet->csum_offset = p->offload.csum_offset;
    }
    if (p->offload.gso_size) {
        const uint8_t *data = dp_packet_data(p);
        size_t l4 = vnet->csum_start;
        vnet->gso_type = p->offload.gso_type;
        vnet->gso_size = p->offload.gso_size;
        vnet->hdr_len = (l4 + TCP_HEADER_LEN <= p->size
                         ? l4 + (data[l4 + 12] >> 4) * 4 : l4);
    }
}

int
dp_packet_offload_csum(struct dp_packet *p)
{
    if (!p->offload.csum_start) {
        return 0;
    }
    uint8_t *data = dp_packet_data(p);
    bool inside = p->offload.csum_start >= p->data_ofs;
    size_t start = p->offload.csum_start - p->data_ofs;
    size_t field = start + p->offload.csum_offset;
    p->offload.csum_start = 0;
    if (!inside || field + 2 > p->size) {
        COVERAGE_INC(offload_bad_checksum_offset);
        return -EINVAL;
    }

    /* The field holds the pseudo-header's sum, so summing from the start
     * over the whole segment gives the checksum. */
    be16 csum = inet_checksum(data + start, p->size - start, 0);
    if (!csum) {
        csum = 0xffff;          /* 0 means "no checksum" to UDP. */
    }
    memcpy(data + field, &csum, 2);
    COVERAGE_INC(offload_checksummed);
    return 0;
}

size_t
dp_packet_offload_n_segs(const struct dp_packet *p)
{
    size_t start = p->offload.csum_start - p->data_ofs;
    if (!p->offload.gso_size || start >= p->size) {
        return 1;
    }
    const uint8_t *data = dp_packet_data(p);
    size_t hdr = start + TCP_HEADER_LEN <= p->size
                 ? start + (data[start + 12] >> 4) * 4 : p->size;
    size_t payload = hdr < p->size ? p->size - hdr : 0;
    return MAX(1, DIV_ROUND_UP(payload, p->offload.gso_size));
}

/* Offset of the IP header after any VLAN tags, with its EtherType in
 * '*type', or 0 if the frame is too short. */
static size_t
l3_offset(const uint8_t *data, size_t size, uint16_t *type)
{
    size_t ofs = 2 * ETH_ADDR_LEN;
    for (;;) {
        if (ofs + 2 > size) {
            return 0;
        }
        *type = (data[ofs] << 8) | data[ofs + 1];
        if (*type != ETH_TYPE_VLAN_8021Q && *type != ETH_TYPE_VLAN_8021AD) {
            return ofs + 2;
        }
        ofs += VLAN_HEADER_LEN;
    }
}

/* Sum of the pseudo-header for 'proto' and 'l4_len' bytes. */
static uint32_t
pseudo_header_sum(const uint8_t *ip, bool ipv6, uint8_t proto, size_t l4_len)
{
    const uint8_t *addrs = ipv6 ? ip + 8 : ip + 12;
    size_t addr_len = ipv6 ? 32 : 8;
    uint32_t sum = proto + (l4_len >> 16) + (l4_len & 0xffff);
    for (size_t i = 0; i < addr_len; i += 2) {
        sum += (addrs[i] << 8) | addrs[i + 1];
    }
    return sum;
}

int
dp_packet_offload_segment(const struct dp_packet *p, struct dp_packet **segs)
{
    const uint8_t *data = dp_packet_data(p);
    size_t size = p->size;
    size_t l4 = p->offload.csum_start - p->data_ofs;
    uint16_t type;
    size_t l3 = l3_offset(data, size, &type);
    bool ipv6 = type == ETH_TYPE_IPV6;

    if (!p->offload.gso_size || !l3 || l4 + TCP_HEADER_LEN > size
        || (type != ETH_TYPE_IP && !ipv6)
        || l3 + (ipv6 ? IPV6_HEADER_LEN : IPV4_HEADER_LEN) > l4) {
        goto bad;
    }
    size_t ihl = ipv6 ? IPV6_HEADER_LEN : (data[l3] & 0x0f) * 4;
    size_t hdr = l4 + (data[l4 + 12] >> 4) * 4;
    if (ihl < IPV4_HEADER_LEN || l3 + ihl > l4 || hdr < l4 + TCP_HEADER_LEN
        || hdr > size) {
        goto bad;
    }

    size_t n = dp_packet_offload_n_segs(p);
    size_t mss = p->offload.gso_size;
    uint32_t seq;
    uint16_t ip_id;
    memcpy(&seq, data + l4 + TCP_SEQ_OFS, 4);
    memcpy(&ip_id, data + l3 + 4, 2);
    seq = ntohl(seq);
    ip_id = ntohs(ip_id);

    for (size_t i = 0; i < n; i++) {
        size_t ofs = hdr + i * mss;
        size_t len = MIN(mss, size - ofs);
        struct dp_packet *seg = dp_packet_new(hdr + len);
        uint8_t *s = dp_packet_put(seg, data, hdr);
        dp_packet_put(seg, data + ofs, len);
        seg->md = p->md;

        uint8_t *ip = s + l3;
        if (ipv6) {
            be16 plen = htons(hdr - l3 - IPV6_HEADER_LEN + len);
            memcpy(ip + 4, &plen, 2);
        } else {
            be16 tot_len = htons(hdr - l3 + len);
            be16 id = htons(ip_id + i);
            be16 zero = 0;
            memcpy(ip + 2, &tot_len, 2);
            memcpy(ip + 4, &id, 2);
            memcpy(ip + 10, &zero, 2);
            be16 csum = inet_checksum(ip, ihl, 0);
            memcpy(ip + 10, &csum, 2);
        }

        uint8_t *tcp = s + l4;
        be32 seg_seq = htonl(seq + i * mss);
        memcpy(tcp + TCP_SEQ_OFS, &seg_seq, 4);
        if (i + 1 < n) {
            tcp[TCP_FLAGS_OFS] &= ~(TCP_FLAG_FIN | TCP_FLAG_PSH);
        }
        if (i > 0) {
            tcp[TCP_FLAGS_OFS] &= ~TCP_FLAG_CWR;
        }
        size_t l4_len = hdr - l4 + len;
        memset(tcp + TCP_CSUM_OFS, 0, 2);
        be16 csum = inet_checksum(tcp, l4_len,
                                  pseudo_header_sum(ip, ipv6, IP_PROTO_TCP,
                                                    l4_len));
        memcpy(tcp + TCP_CSUM_OFS, &csum, 2);
        segs[i] = seg;
    }
    COVERAGE_INC(offload_segmented);
    return n;

bad:
    COVERAGE_INC(offload_cannot_segment);
    return -EINVAL;
}

bool
dp_packet_offload_repair_csum(struct dp_packet *p)
{
    uint8_t *data = dp_packet_data(p);
    size_t size = p->size;
    uint16_t type;
    size_t l3 = l3_offset(data, size, &type);
    size_t l4, l4_len;
    uint8_t proto;

    if (!l3) {
        return false;
    }
    if (type == ETH_TYPE_IP) {
        if (l3 + IPV4_HEADER_LEN > size || (data[l3] >> 4) != 4) {
            return false;
        }
        size_t ihl = (data[l3] & 0x0f) * 4;
        size_t tot_len = (data[l3 + 2] << 8) | data[l3 + 3];
        bool fragment = ((data[l3 + 6] << 8) | data[l3 + 7])
                        & (IP_MORE_FRAGMENTS | IP_FRAG_OFF_MASK);
        if (ihl < IPV4_HEADER_LEN || tot_len < ihl || l3 + tot_len > size
            || fragment) {
            return false;
        }
        proto = data[l3 + 9];
        l4 = l3 + ihl;
        l4_len = tot_len - ihl;
    } else if (type == ETH_TYPE_IPV6) {
        /* Extension headers are rare with offloads: only the plain
         * header is looked through. */
        if (l3 + IPV6_HEADER_LEN > size) {
            return false;
        }
        proto = data[l3 + 6];
        l4 = l3 + IPV6_HEADER_LEN;
        l4_len = (data[l3 + 4] << 8) | data[l3 + 5];
        if (l4 + l4_len > size) {
            return false;
        }
    } else {
        return false;
    }

    size_t field = (proto == IP_PROTO_TCP ? TCP_CSUM_OFS
                    : proto == IP_PROTO_UDP ? 6 : 0);
    if (!field || l4 + field + 2 > l4 + l4_len
        || l4_len < (proto == IP_PROTO_TCP ? TCP_HEADER_LEN
                                           : UDP_HEADER_LEN)) {
        return false;
    }
    uint8_t *csum_p = data + l4 + field;
    uint16_t csum = (csum_p[0] << 8) | csum_p[1];
    uint32_t pseudo = pseudo_header_sum(data + l3, type == ETH_TYPE_IPV6,
                                        proto, l4_len);
    while (pseudo >> 16) {
        pseudo = (pseudo & 0xffff) + (pseudo >> 16);
    }
    if (csum != pseudo) {
        return false;
    }

    memset(csum_p, 0, 2);
    be16 full = inet_checksum(data + l4, l4_len,
                              pseudo_header_sum(data + l3,
                                                type == ETH_TYPE_IPV6,
                                                proto, l4_len));
    if (!full && proto == IP_PROTO_UDP) {
        full = 0xffff;
    }
    memcpy(csum_p, &full, 2);
    COVERAGE_INC(offload_checksum_repaired);
    return true;
}

/* Where a frame's headers are, for merging: only TCP over IPv4 without
 * options or over IPv6 without extension headers, after one Ethernet
 * header. */
struct merge_headers {
    size_t l3, l4, hdr;         /* Offsets: IP, TCP, payload. */
    bool ipv6;
    uint32_t seq;
};

static bool
merge_parse(const struct dp_packet *p, struct merge_headers *h)
{
    const uint8_t *data = dp_packet_data(p);
    uint16_t type = 0;
    h->l3 = l3_offset(data, p->size, &type);
    h->ipv6 = type == ETH_TYPE_IPV6;
    if (h->l3 != ETH_HEADER_LEN || dp_packet_has_offload(p)
        || (type != ETH_TYPE_IP && !h->ipv6)) {
        return false;
    }
    const uint8_t *ip = data + h->l3;
    if (h->ipv6) {
        h->l4 = h->l3 + IPV6_HEADER_LEN;
        if (h->l4 > p->size || ip[6] != IP_PROTO_TCP
            || (size_t) ((ip[4] << 8) | ip[5]) != p->size - h->l4) {
            return false;
        }
    } else {
        h->l4 = h->l3 + IPV4_HEADER_LEN;
        if (h->l4 > p->size || ip[0] != 0x45 || ip[9] != IP_PROTO_TCP
            || (size_t) ((ip[2] << 8) | ip[3]) != p->size - h->l3
            || (ip[6] & 0x3f) || ip[7]) {         /* A fragment. */
            return false;
        }
    }
    if (h->l4 + TCP_HEADER_LEN > p->size) {
        return false;
    }
    h->hdr = h->l4 + (data[h->l4 + 12] >> 4) * 4;
    if (h->hdr < h->l4 + TCP_HEADER_LEN || h->hdr > p->size) {
        return false;
    }
    memcpy(&h->seq, data + h->l4 + TCP_SEQ_OFS, 4);
    h->seq = ntohl(h->seq);
    return true;
}

/* True if 'p''s TCP checksum is right. */
static bool
merge_csum_ok(const struct dp_packet *p, const struct merge_headers *h)
{
    const uint8_t *data = dp_packet_data(p);
    size_t l4_len = p->size - h->l4;
    return !inet_checksum(data + h->l4, l4_len,
                          pseudo_header_sum(data + h->l3, h->ipv6,
                                            IP_PROTO_TCP, l4_len));
}

/* True if 'b' can follow 'a' in one GSO packet: the same metadata, the
 * same headers but for
 * the IP length, ID and checksum and the TCP sequence number, checksum
 * and flags, and its payload right after a's. */
static bool
merge_follows(const struct dp_packet *a, const struct merge_headers *ha,
              const struct dp_packet *b, const struct merge_headers *hb)
{
    const uint8_t *x = dp_packet_data(a), *y = dp_packet_data(b);
    size_t ip_len_ofs = ha->l3 + (ha->ipv6 ? 4 : 2);
    if (memcmp(&a->md, &b->md, sizeof a->md)    /* Port, tunnel. */
        || ha->hdr != hb->hdr || ha->ipv6 != hb->ipv6
        || hb->seq != ha->seq + (a->size - ha->hdr)
        || memcmp(x, y, ip_len_ofs)) {
        return false;
    }
    if (ha->ipv6) {
        return !memcmp(x + ha->l3 + 6, y + ha->l3 + 6, ha->l4 - ha->l3 - 6
                       + TCP_SEQ_OFS)
               && !memcmp(x + ha->l4 + 8, y + ha->l4 + 8, 5)
               && !memcmp(x + ha->l4 + 14, y + ha->l4 + 14, 2)
               && !memcmp(x + ha->l4 + 18, y + ha->l4 + 18,
                          ha->hdr - ha->l4 - 18);
    }
    return !memcmp(x + ha->l3 + 6, y + ha->l3 + 6, 4)     /* Frag, TTL,
                                                             * proto. */
           && !memcmp(x + ha->l3 + 12, y + ha->l3 + 12, 8 + TCP_SEQ_OFS)
           && !memcmp(x + ha->l4 + 8, y + ha->l4 + 8, 5)
           && !memcmp(x + ha->l4 + 14, y + ha->l4 + 14, 2)
           && !memcmp(x + ha->l4 + 18, y + ha->l4 + 18,
                      ha->hdr - ha->l4 - 18);
}

size_t
dp_packet_offload_merge(struct dp_packet **pkts, size_t n,
                        struct dp_packet **merged)
{
    struct merge_headers first, prev, cur;
    if (n < 2 || !merge_parse(pkts[0], &first)
        || !merge_csum_ok(pkts[0], &first)
        || pkts[0]->size == first.hdr) {
        return 0;
    }
    const uint8_t *data0 = dp_packet_data(pkts[0]);
    size_t mss = pkts[0]->size - first.hdr;
    size_t max_l3_len = first.ipv6 ? 65535 + IPV6_HEADER_LEN : 65535;
    size_t total = pkts[0]->size;
    size_t k = 1;
    prev = first;
    /* All but the last carry exactly 'mss' bytes and only ACK. */
    bool more = data0[first.l4 + TCP_FLAGS_OFS] == TCP_FLAG_ACK;
    while (more && k < n) {
        const struct dp_packet *p = pkts[k];
        if (!merge_parse(p, &cur)
            || !merge_follows(pkts[k - 1], &prev, p, &cur)) {
            break;
        }
        size_t payload = p->size - cur.hdr;
        if (payload == 0 || payload > mss
            || total + payload - first.l3 > max_l3_len
            || !merge_csum_ok(p, &cur)) {
            break;
        }
        uint8_t flags = ((const uint8_t *) dp_packet_data(p))
                        [cur.l4 + TCP_FLAGS_OFS];
        if (flags & ~(TCP_FLAG_ACK | TCP_FLAG_PSH)) {
            break;
        }
        total += payload;
        k++;
        prev = cur;
        /* Only the last may be short or push. */
        more = payload == mss && flags == TCP_FLAG_ACK;
    }
    if (k < 2) {
        return 0;
    }

    struct dp_packet *m = dp_packet_new(total);
    m->md = pkts[0]->md;
    uint8_t *d = dp_packet_put(m, data0, pkts[0]->size);
    for (size_t i = 1; i < k; i++) {
        dp_packet_put(m, (const uint8_t *) dp_packet_data(pkts[i])
                         + first.hdr, pkts[i]->size - first.hdr);
    }
    d = dp_packet_data(m);
    uint8_t *ip = d + first.l3;
    uint8_t *tcp = d + first.l4;
    tcp[TCP_FLAGS_OFS] = ((const uint8_t *) dp_packet_data(pkts[k - 1]))
                         [first.l4 + TCP_FLAGS_OFS];
    if (first.ipv6) {
        be16 plen = htons(total - first.l4);
        memcpy(ip + 4, &plen, 2);
    } else {
        be16 tot_len = htons(total - first.l3);
        be16 zero = 0;
        memcpy(ip + 2, &tot_len, 2);
        memcpy(ip + 10, &zero, 2);
        be16 csum = inet_checksum(ip, IPV4_HEADER_LEN, 0);
        memcpy(ip + 10, &csum, 2);
    }
    /* A partial checksum: the pseudo-header's sum, folded, for whoever
     * segments or checksums it next. */
    uint32_t sum = pseudo_header_sum(ip, first.ipv6, IP_PROTO_TCP,
                                     total - first.l4);
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    be16 partial = htons(sum);
    memcpy(tcp + TCP_CSUM_OFS, &partial, 2);
    m->offload.csum_start = m->data_ofs + first.l4;
    m->offload.csum_offset = TCP_CSUM_OFS;
    m->offload.gso_size = mss;
    m->offload.gso_type = (first.ipv6 ? VIRTIO_NET_HDR_GSO_TCPV6
                                      : VIRTIO_NET_HDR_GSO_TCPV4);

    for (size_t i = 0; i < k; i++) {
        dp_packet_delete(pkts[i]);
    }
    COVERAGE_INC(offload_merged);
    *merged = m;
    return k;
}
