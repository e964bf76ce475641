#include <config.h>
#include "packet-compose.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "flow.h"
#include "match.h"
#include "meta-flow.h"
#include "packets.h"
#include "util.h"

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
    return n >= 2;     /* No flow description is all hex digits. */
}

static void
put_be16(struct dp_packet *p, uint16_t v)
{
    v = htons(v);
    dp_packet_put(p, &v, 2);
}

/* The part of an L4 checksum that covers the IP pseudo-header. */
static uint32_t
pseudo_header_sum(const struct flow *f, size_t l4_len)
{
    uint32_t sum = f->nw_proto + l4_len;
    const uint8_t *b;
    size_t n;
    if (f->dl_type == htons(ETH_TYPE_IP)) {
        b = (const uint8_t *) &f->nw_src;   /* nw_src, nw_dst adjacent. */
        n = 8;
    } else {
        b = f->ipv6_src.s6_addr;            /* ipv6_src, ipv6_dst. */
        n = 32;
    }
    for (size_t i = 0; i < n; i += 2) {
        sum += (b[i] << 8) | b[i + 1];
    }
    return sum;
}

static void
set_l4_checksum(struct dp_packet *p, size_t l4_ofs, size_t csum_ofs,
                const struct flow *f)
{
    uint8_t *l4 = (uint8_t *) dp_packet_data(p) + l4_ofs;
    size_t len = dp_packet_size(p) - l4_ofs;
    bool ipv4 = f->dl_type == htons(ETH_TYPE_IP);
    uint32_t pseudo = (ipv4 && f->nw_proto == IP_PROTO_ICMP
                       ? 0 : pseudo_header_sum(f, len));
    uint16_t csum = inet_checksum(l4, len, pseudo);
    if (f->nw_proto == IP_PROTO_UDP && !csum) {
        csum = 0xffff;
    }
    memcpy(l4 + csum_ofs, &csum, 2);
}

static void
compose_nd(struct dp_packet *p, const struct flow *f)
{
    dp_packet_put(p, NULL, 4);                      /* Flags, reserved. */
    dp_packet_put(p, &f->nd_target, sizeof f->nd_target);
    const struct eth_addr *opts[2] = { &f->arp_sha, &f->arp_tha };
    for (int i = 0; i < 2; i++) {
        if (!eth_addr_is_zero(*opts[i])) {
            uint8_t opt[2] = { i ? ND_OPT_TARGET_LINKADDR
                                 : ND_OPT_SOURCE_LINKADDR, 1 };
            dp_packet_put(p, opt, 2);
            dp_packet_put(p, opts[i]->ea, ETH_ADDR_LEN);
        }
    }
}

static void
compose_l4(struct dp_packet *p, const struct flow *f, size_t payload_len)
{
    size_t l4_ofs = dp_packet_size(p);
    switch (f->nw_proto) {
    case IP_PROTO_UDP:
        dp_packet_put(p, &f->tp_src, 2);
        dp_packet_put(p, &f->tp_dst, 2);
        put_be16(p, UDP_HEADER_LEN + payload_len);
        put_be16(p, 0);
        dp_packet_put(p, NULL, payload_len);
        set_l4_checksum(p, l4_ofs, 6, f);
        break;
    case IP_PROTO_TCP:
        dp_packet_put(p, &f->tp_src, 2);
        dp_packet_put(p, &f->tp_dst, 2);
        dp_packet_put(p, NULL, 8);          /* Sequence, acknowledgement. */
        put_be16(p, (5 << 12) | 0x02);      /* Header length, SYN. */
        put_be16(p, 65535);                 /* Window. */
        put_be16(p, 0);                     /* Checksum. */
        put_be16(p, 0);                     /* Urgent pointer. */
        dp_packet_put(p, NULL, payload_len);
        set_l4_checksum(p, l4_ofs, 16, f);
        break;
    case IP_PROTO_SCTP:
        dp_packet_put(p, &f->tp_src, 2);
        dp_packet_put(p, &f->tp_dst, 2);
        dp_packet_put(p, NULL, 8 + payload_len);
        break;
    case IP_PROTO_ICMP:
    case IP_PROTO_ICMPV6: {
        uint8_t header[4] = { ntohs(f->tp_src), ntohs(f->tp_dst), 0, 0 };
        dp_packet_put(p, header, sizeof header);
        uint8_t type = header[0];
        if (f->nw_proto == IP_PROTO_ICMPV6
            && (type == ICMP6_ND_NEIGHBOR_SOLICIT
                || type == ICMP6_ND_NEIGHBOR_ADVERT)) {
            compose_nd(p, f);
        } else {
            dp_packet_put(p, NULL, 4);      /* Identifier, sequence. */
        }
        dp_packet_put(p, NULL, payload_len);
        set_l4_checksum(p, l4_ofs, 2, f);
        break;
    }
    default:
        dp_packet_put(p, NULL, payload_len);
    }
}

static void
compose_ipv4(struct dp_packet *p, const struct flow *f, size_t payload_len)
{
    size_t ip_ofs = dp_packet_size(p);
    struct ipv4_header *ip = dp_packet_put(p, NULL, IPV4_HEADER_LEN);
    ip->ihl_ver = 0x45;
    ip->tos = f->nw_tos;
    ip->ttl = f->nw_ttl;
    ip->proto = f->nw_proto;
    ip->src = f->nw_src;
    ip->dst = f->nw_dst;
    if (f->nw_frag & FLOW_NW_FRAG_LATER) {
        ip->frag_off = htons(1);            /* Offset 8 bytes. */
        dp_packet_put(p, NULL, payload_len);
    } else {
        if (f->nw_frag & FLOW_NW_FRAG_ANY) {
            ip->frag_off = htons(IP_MORE_FRAGMENTS);
        }
        compose_l4(p, f, payload_len);
    }

    ip = (struct ipv4_header *) ((uint8_t *) dp_packet_data(p) + ip_ofs);
    ip->tot_len = htons(dp_packet_size(p) - ip_ofs);
    ip->csum = inet_checksum(ip, IPV4_HEADER_LEN, 0);
}

static void
compose_ipv6(struct dp_packet *p, const struct flow *f, size_t payload_len)
{
    size_t ip_ofs = dp_packet_size(p);
    struct ipv6_header *ip = dp_packet_put(p, NULL, IPV6_HEADER_LEN);
    ip->vtc_flow = htonl(0x60000000 | (f->nw_tos << 20)
                         | (ntohl(f->ipv6_label) & 0xfffff));
    ip->hop_limit = f->nw_ttl;
    ip->src = f->ipv6_src;
    ip->dst = f->ipv6_dst;
    if (f->nw_frag & FLOW_NW_FRAG_ANY) {
        ip->next_header = IPV6_NH_FRAGMENT;
        uint8_t frag[IPV6_FRAG_HEADER_LEN] = { f->nw_proto };
        bool later = f->nw_frag & FLOW_NW_FRAG_LATER;
        frag[3] = later ? 0x08 : 0x01;      /* Offset 8, or more. */
        dp_packet_put(p, frag, sizeof frag);
        if (later) {
            dp_packet_put(p, NULL, payload_len);
        } else {
            compose_l4(p, f, payload_len);
        }
    } else {
        ip->next_header = f->nw_proto;
        compose_l4(p, f, payload_len);
    }

    ip = (struct ipv6_header *) ((uint8_t *) dp_packet_data(p) + ip_ofs);
    ip->payload_len = htons(dp_packet_size(p) - ip_ofs - IPV6_HEADER_LEN);
}

static void
compose_arp(struct dp_packet *p, const struct flow *f)
{
    struct arp_eth_header *arp = dp_packet_put(p, NULL, sizeof *arp);
    arp->htype = htons(ARP_HTYPE_ETH);
    arp->ptype = htons(ETH_TYPE_IP);
    arp->hlen = ETH_ADDR_LEN;
    arp->plen = 4;
    arp->op = htons(f->nw_proto);
    arp->sha = f->arp_sha;
    arp->spa = f->nw_src;
    arp->tha = f->arp_tha;
    arp->tpa = f->nw_dst;
}

struct dp_packet *
flow_compose(const struct flow *f, size_t payload_len)
{
    struct dp_packet *p = dp_packet_new(256 + payload_len);
    dp_packet_put(p, f->dl_dst.ea, ETH_ADDR_LEN);
    dp_packet_put(p, f->dl_src.ea, ETH_ADDR_LEN);
    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        if (f->vlans[i].tci & htons(VLAN_CFI)) {
            be16 tpid = f->vlans[i].tpid ? f->vlans[i].tpid
                                         : htons(ETH_TYPE_VLAN_8021Q);
            be16 tci = f->vlans[i].tci & ~htons(VLAN_CFI);
            dp_packet_put(p, &tpid, 2);
            dp_packet_put(p, &tci, 2);
        }
    }
    dp_packet_put(p, &f->dl_type, 2);

    switch (ntohs(f->dl_type)) {
    case ETH_TYPE_IP:
        compose_ipv4(p, f, payload_len);
        break;
    case ETH_TYPE_IPV6:
        compose_ipv6(p, f, payload_len);
        break;
    case ETH_TYPE_ARP:
        compose_arp(p, f);
        break;
    default:
        dp_packet_put(p, NULL, payload_len);
    }
    if (dp_packet_size(p) < ETH_MIN_FRAME_LEN) {
        dp_packet_put(p, NULL, ETH_MIN_FRAME_LEN - dp_packet_size(p));
    }
    return p;
}

/* Fills in what a description left out, so the frame makes sense. */
static void
apply_defaults(struct match *m)
{
    struct flow *f = &m->flow;
    if (!m->wc.dl_type) {
        f->dl_type = htons(m->wc.nw_proto ? ETH_TYPE_IP
                                          : 0x88b5); /* Local use. */
    }
    uint16_t dl_type = ntohs(f->dl_type);
    if (dl_type == ETH_TYPE_ARP) {
        if (!m->wc.nw_proto) {
            f->nw_proto = ARP_OP_REQUEST;
        }
        if (eth_addr_is_zero(m->wc.arp_sha)) {
            f->arp_sha = f->dl_src;
        }
    } else if (dl_type == ETH_TYPE_IP || dl_type == ETH_TYPE_IPV6) {
        bool v6 = dl_type == ETH_TYPE_IPV6;
        if (!m->wc.nw_proto) {
            f->nw_proto = v6 ? IP_PROTO_ICMPV6 : IP_PROTO_ICMP;
        }
        if (!m->wc.nw_ttl) {
            f->nw_ttl = 64;
        }
        if ((f->nw_proto == IP_PROTO_ICMP || f->nw_proto == IP_PROTO_ICMPV6)
            && !m->wc.tp_src) {
            f->tp_src = htons(v6 ? 128 : 8);    /* Echo request. */
        }
    }
}

char *
packet_compose_flow(const char *text, struct flow *flow,
                    size_t *payload_len)
{
    struct match m;
    match_init_catchall(&m);
    *payload_len = 0;

    char *copy = xstrdup(text), *save = NULL, *error = NULL;
    for (char *item = strtok_r(copy, ", ", &save); item && !error;
         item = strtok_r(NULL, ", ", &save)) {
        char *value = strchr(item, '=');
        if (value) {
            *value++ = '\0';
        }
        if (!strcmp(item, "packet_len") && value) {
            unsigned long long n;
            if (!str_to_ullong(value, 0, 9000, &n)) {
                error = xasprintf("packet_len: \"%s\" is not a number from 0 "
                                  "to 9000", value);
            }
            *payload_len = n;
        } else if (strcmp(item, "in_port")) {
            error = match_parse_item(&m, item, value, NULL);
        }
    }
    free(copy);
    if (!error) {
        apply_defaults(&m);
        *flow = m.flow;
    }
    return error;
}

char *
packet_compose(const char *text, struct dp_packet **packetp)
{
    *packetp = NULL;
    if (is_hex_frame(text)) {
        return parse_hex(text, packetp);
    }

    struct flow flow;
    size_t payload_len;
    char *error = packet_compose_flow(text, &flow, &payload_len);
    if (!error) {
        *packetp = flow_compose(&flow, payload_len);
    }
    return error;
}
