#include <config.h>
#include "packet-compose.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "packets.h"
#include "util.h"

struct flow_desc {
    struct eth_addr dl_src, dl_dst;
    int dl_type;                /* -1 until known. */
    int vlan_vid;               /* -1 for none. */
    int vlan_pcp;
    int nw_proto;               /* -1 until known. */
    uint32_t nw_src, nw_dst;    /* Network byte order. */
    struct in6_addr ipv6_src, ipv6_dst;
    int nw_ttl, nw_tos;
    int tp_src, tp_dst;
    int icmp_type, icmp_code;
    int arp_op;
    struct eth_addr arp_sha, arp_tha;
    bool has_arp_sha, has_arp_tha;
    int payload_len;
};

static char *
parse_hex(const char *s, struct dp_packet **packetp)
{
    struct dp_packet *p = dp_packet_new(strlen(s) / 2);
    while (*s) {
        if (isspace((unsigned char) *s)) {
            s++;
            continue;
        }
        if (!isxdigit((unsigned char) s[0])
            || !isxdigit((unsigned char) s[1])) {
            dp_packet_delete(p);
            return xstrdup("hex frame has an odd number of digits or a "
                           "non-hex character");
        }
        char byte[3] = { s[0], s[1], '\0' };
        uint8_t b = strtoul(byte, NULL, 16);
        dp_packet_put(p, &b, 1);
        s += 2;
    }
    *packetp = p;
    return NULL;
}

static bool
is_hex_frame(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        if (isxdigit((unsigned char) *s)) {
            n++;
        } else if (!isspace((unsigned char) *s)) {
            return false;
        }
    }
    return n >= 2 * ETH_HEADER_LEN;
}

static char *
parse_int_field(const char *key, const char *value, long long max, int *out)
{
    unsigned long long v;
    if (!str_to_ullong(value, 0, max, &v)) {
        return xasprintf("%s: \"%s\" is not a number from 0 to %lld", key,
                         value, max);
    }
    *out = v;
    return NULL;
}

static char *
parse_field(struct flow_desc *f, const char *key, const char *value)
{
    static const struct {
        const char *name;
        int dl_type;
        int nw_proto;
    } shorthands[] = {
        { "ip", ETH_TYPE_IP, -1 },
        { "icmp", ETH_TYPE_IP, IP_PROTO_ICMP },
        { "tcp", ETH_TYPE_IP, IP_PROTO_TCP },
        { "udp", ETH_TYPE_IP, IP_PROTO_UDP },
        { "arp", ETH_TYPE_ARP, -1 },
        { "ipv6", ETH_TYPE_IPV6, -1 },
        { "udp6", ETH_TYPE_IPV6, IP_PROTO_UDP },
        { "tcp6", ETH_TYPE_IPV6, IP_PROTO_TCP },
        { "icmp6", ETH_TYPE_IPV6, IP_PROTO_ICMPV6 },
    };

    if (!value) {
        for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
            if (!strcmp(key, shorthands[i].name)) {
                f->dl_type = shorthands[i].dl_type;
                if (shorthands[i].nw_proto >= 0) {
                    f->nw_proto = shorthands[i].nw_proto;
                }
                return NULL;
            }
        }
        return xasprintf("%s: unknown field or protocol", key);
    }

    if (!strcmp(key, "eth_src") || !strcmp(key, "dl_src")
        || !strcmp(key, "eth_dst") || !strcmp(key, "dl_dst")
        || !strcmp(key, "arp_sha") || !strcmp(key, "arp_tha")) {
        struct eth_addr ea;
        if (!eth_addr_from_string(value, &ea)) {
            return xasprintf("%s: \"%s\" is not an Ethernet address", key,
                             value);
        }
        if (strstr(key, "src")) {
            f->dl_src = ea;
        } else if (strstr(key, "dst")) {
            f->dl_dst = ea;
        } else if (!strcmp(key, "arp_sha")) {
            f->arp_sha = ea;
            f->has_arp_sha = true;
        } else {
            f->arp_tha = ea;
            f->has_arp_tha = true;
        }
        return NULL;
    }
    if (!strcmp(key, "nw_src") || !strcmp(key, "ip_src")
        || !strcmp(key, "arp_spa") || !strcmp(key, "nw_dst")
        || !strcmp(key, "ip_dst") || !strcmp(key, "arp_tpa")) {
        uint32_t ip;
        if (!ipv4_from_string(value, &ip)) {
            return xasprintf("%s: \"%s\" is not an IPv4 address", key,
                             value);
        }
        if (strstr(key, "src") || !strcmp(key, "arp_spa")) {
            f->nw_src = ip;
        } else {
            f->nw_dst = ip;
        }
        return NULL;
    }
    if (!strcmp(key, "ipv6_src") || !strcmp(key, "ipv6_dst")) {
        struct in6_addr *addr = strstr(key, "src") ? &f->ipv6_src
                                                   : &f->ipv6_dst;
        if (inet_pton(AF_INET6, value, addr) != 1) {
            return xasprintf("%s: \"%s\" is not an IPv6 address", key,
                             value);
        }
        if (f->dl_type < 0) {
            f->dl_type = ETH_TYPE_IPV6;
        }
        return NULL;
    }

    static const struct {
        const char *name;
        size_t offset;
        long long max;
    } ints[] = {
        { "eth_type", offsetof(struct flow_desc, dl_type), 0xffff },
        { "dl_type", offsetof(struct flow_desc, dl_type), 0xffff },
        { "dl_vlan", offsetof(struct flow_desc, vlan_vid), 4095 },
        { "vlan_vid", offsetof(struct flow_desc, vlan_vid), 4095 },
        { "vlan_pcp", offsetof(struct flow_desc, vlan_pcp), 7 },
        { "dl_vlan_pcp", offsetof(struct flow_desc, vlan_pcp), 7 },
        { "nw_proto", offsetof(struct flow_desc, nw_proto), 255 },
        { "ip_proto", offsetof(struct flow_desc, nw_proto), 255 },
        { "nw_ttl", offsetof(struct flow_desc, nw_ttl), 255 },
        { "nw_tos", offsetof(struct flow_desc, nw_tos), 255 },
        { "tp_src", offsetof(struct flow_desc, tp_src), 65535 },
        { "tp_dst", offsetof(struct flow_desc, tp_dst), 65535 },
        { "udp_src", offsetof(struct flow_desc, tp_src), 65535 },
        { "udp_dst", offsetof(struct flow_desc, tp_dst), 65535 },
        { "tcp_src", offsetof(struct flow_desc, tp_src), 65535 },
        { "tcp_dst", offsetof(struct flow_desc, tp_dst), 65535 },
        { "icmp_type", offsetof(struct flow_desc, icmp_type), 255 },
        { "icmp_code", offsetof(struct flow_desc, icmp_code), 255 },
        { "arp_op", offsetof(struct flow_desc, arp_op), 65535 },
        { "packet_len", offsetof(struct flow_desc, payload_len), 9000 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
        if (!strcmp(key, ints[i].name)) {
            return parse_int_field(key, value, ints[i].max,
                                   (int *) ((char *) f + ints[i].offset));
        }
    }
    if (!strcmp(key, "in_port")) {
        return NULL;            /* The port is given separately. */
    }
    return xasprintf("%s: unknown field", key);
}

static void
put_be16(struct dp_packet *p, uint16_t v)
{
    v = htons(v);
    dp_packet_put(p, &v, 2);
}

/* Writes the checksum of an L4 segment with the IPv4 pseudo-header. */
static void
set_l4_checksum(struct dp_packet *p, size_t l4_ofs, size_t csum_ofs,
                const struct flow_desc *f, int proto)
{
    uint8_t *l4 = (uint8_t *) dp_packet_data(p) + l4_ofs;
    size_t len = dp_packet_size(p) - l4_ofs;
    uint32_t pseudo = 0;
    const uint8_t *src = (const uint8_t *) &f->nw_src;
    const uint8_t *dst = (const uint8_t *) &f->nw_dst;
    pseudo += (src[0] << 8 | src[1]) + (src[2] << 8 | src[3]);
    pseudo += (dst[0] << 8 | dst[1]) + (dst[2] << 8 | dst[3]);
    pseudo += proto + len;
    uint16_t csum = inet_checksum(l4, len, pseudo);
    if (proto == IP_PROTO_UDP && !csum) {
        csum = 0xffff;
    }
    memcpy(l4 + csum_ofs, &csum, 2);
}

static void
compose_l4(struct dp_packet *p, const struct flow_desc *f, bool ipv6)
{
    size_t l4_ofs = dp_packet_size(p);
    switch (f->nw_proto) {
    case IP_PROTO_UDP:
        put_be16(p, f->tp_src);
        put_be16(p, f->tp_dst);
        put_be16(p, UDP_HEADER_LEN + f->payload_len);
        put_be16(p, 0);
        dp_packet_put(p, NULL, f->payload_len);
        if (!ipv6) {
            set_l4_checksum(p, l4_ofs, 6, f, IP_PROTO_UDP);
        }
        break;
    case IP_PROTO_TCP:
        put_be16(p, f->tp_src);
        put_be16(p, f->tp_dst);
        dp_packet_put(p, NULL, 8);          /* Sequence, acknowledgement. */
        put_be16(p, (5 << 12) | 0x02);      /* Header length, SYN. */
        put_be16(p, 65535);                 /* Window. */
        put_be16(p, 0);                     /* Checksum. */
        put_be16(p, 0);                     /* Urgent pointer. */
        dp_packet_put(p, NULL, f->payload_len);
        if (!ipv6) {
            set_l4_checksum(p, l4_ofs, 16, f, IP_PROTO_TCP);
        }
        break;
    case IP_PROTO_ICMP:
    case IP_PROTO_ICMPV6: {
        uint8_t header[4] = { f->icmp_type, f->icmp_code, 0, 0 };
        dp_packet_put(p, header, sizeof header);
        dp_packet_put(p, NULL, 4 + f->payload_len);  /* Id, sequence. */
        if (!ipv6) {
            uint8_t *icmp = (uint8_t *) dp_packet_data(p) + l4_ofs;
            uint16_t csum = inet_checksum(icmp, dp_packet_size(p) - l4_ofs,
                                          0);
            memcpy(icmp + 2, &csum, 2);
        }
        break;
    }
    default:
        dp_packet_put(p, NULL, f->payload_len);
    }
}

static void
compose_ipv4(struct dp_packet *p, struct flow_desc *f)
{
    size_t ip_ofs = dp_packet_size(p);
    uint8_t *ip = dp_packet_put(p, NULL, IPV4_HEADER_LEN);
    ip[0] = 0x45;
    ip[1] = f->nw_tos;
    ip[8] = f->nw_ttl;
    ip[9] = f->nw_proto;
    memcpy(ip + 12, &f->nw_src, 4);
    memcpy(ip + 16, &f->nw_dst, 4);
    compose_l4(p, f, false);

    ip = (uint8_t *) dp_packet_data(p) + ip_ofs;
    uint16_t total = htons(dp_packet_size(p) - ip_ofs);
    memcpy(ip + 2, &total, 2);
    uint16_t csum = inet_checksum(ip, IPV4_HEADER_LEN, 0);
    memcpy(ip + 10, &csum, 2);
}

static void
compose_ipv6(struct dp_packet *p, struct flow_desc *f)
{
    size_t ip_ofs = dp_packet_size(p);
    uint8_t *ip = dp_packet_put(p, NULL, IPV6_HEADER_LEN);
    ip[0] = 0x60 | (f->nw_tos >> 4);
    ip[1] = f->nw_tos << 4;
    ip[6] = f->nw_proto;
    ip[7] = f->nw_ttl;
    memcpy(ip + 8, &f->ipv6_src, 16);
    memcpy(ip + 24, &f->ipv6_dst, 16);
    compose_l4(p, f, true);

    ip = (uint8_t *) dp_packet_data(p) + ip_ofs;
    uint16_t payload = htons(dp_packet_size(p) - ip_ofs - IPV6_HEADER_LEN);
    memcpy(ip + 4, &payload, 2);
}

static void
compose_arp(struct dp_packet *p, const struct flow_desc *f)
{
    put_be16(p, 1);                 /* Ethernet. */
    put_be16(p, ETH_TYPE_IP);
    uint8_t lens[2] = { ETH_ADDR_LEN, 4 };
    dp_packet_put(p, lens, 2);
    put_be16(p, f->arp_op ? f->arp_op : 1);
    dp_packet_put(p, (f->has_arp_sha ? &f->arp_sha : &f->dl_src)->ea,
                  ETH_ADDR_LEN);
    dp_packet_put(p, &f->nw_src, 4);
    dp_packet_put(p, f->has_arp_tha ? f->arp_tha.ea : NULL, ETH_ADDR_LEN);
    dp_packet_put(p, &f->nw_dst, 4);
}

char *
packet_compose(const char *text, struct dp_packet **packetp)
{
    *packetp = NULL;
    if (is_hex_frame(text)) {
        return parse_hex(text, packetp);
    }

    struct flow_desc f = {
        .dl_type = -1, .vlan_vid = -1, .nw_proto = -1, .nw_ttl = 64,
    };
    char *copy = xstrdup(text), *save = NULL, *error = NULL;
    for (char *item = strtok_r(copy, ", ", &save); item && !error;
         item = strtok_r(NULL, ", ", &save)) {
        char *value = strchr(item, '=');
        if (value) {
            *value++ = '\0';
        }
        error = parse_field(&f, item, value);
    }
    free(copy);
    if (error) {
        return error;
    }

    if (f.dl_type < 0) {
        f.dl_type = f.nw_proto >= 0 ? ETH_TYPE_IP : 0x88b5; /* Local use. */
    }
    if (f.nw_proto < 0) {
        f.nw_proto = f.dl_type == ETH_TYPE_IPV6 ? IP_PROTO_ICMPV6
                                                : IP_PROTO_ICMP;
    }
    if (f.nw_proto == IP_PROTO_ICMP && !f.icmp_type) {
        f.icmp_type = 8;            /* Echo request. */
    } else if (f.nw_proto == IP_PROTO_ICMPV6 && !f.icmp_type) {
        f.icmp_type = 128;
    }

    struct dp_packet *p = dp_packet_new(128 + f.payload_len);
    dp_packet_put(p, f.dl_dst.ea, ETH_ADDR_LEN);
    dp_packet_put(p, f.dl_src.ea, ETH_ADDR_LEN);
    if (f.vlan_vid >= 0) {
        put_be16(p, ETH_TYPE_VLAN_8021Q);
        put_be16(p, (f.vlan_pcp << 13) | f.vlan_vid);
    }
    put_be16(p, f.dl_type);
    if (f.dl_type == ETH_TYPE_IP) {
        compose_ipv4(p, &f);
    } else if (f.dl_type == ETH_TYPE_IPV6) {
        compose_ipv6(p, &f);
    } else if (f.dl_type == ETH_TYPE_ARP) {
        compose_arp(p, &f);
    } else {
        dp_packet_put(p, NULL, f.payload_len);
    }
    if (dp_packet_size(p) < ETH_MIN_FRAME_LEN) {
        dp_packet_put(p, NULL, ETH_MIN_FRAME_LEN - dp_packet_size(p));
    }
    *packetp = p;
    return NULL;
}
