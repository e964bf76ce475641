#include <config.h>
#include "meta-flow.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "match.h"
#include "util.h"

#define FIELD(MEMBER) offsetof(struct flow, MEMBER), \
                      sizeof(((struct flow *) 0)->MEMBER)
#define ALL_BITS UINT64_MAX

static const struct mf_field fields[] = {
    /* name, alias, storage, shift, bits, implied, format, prereq, mask */
    { "tun_id", "tunnel_id", FIELD(tun_id), 0, ALL_BITS, 0, MF_FMT_HEX,
      MFP_NONE, true, false },
    { "tun_src", NULL, FIELD(tun_src), 0, ALL_BITS, 0, MF_FMT_IPV4,
      MFP_NONE, true, false },
    { "tun_dst", NULL, FIELD(tun_dst), 0, ALL_BITS, 0, MF_FMT_IPV4,
      MFP_NONE, true, false },
    { "tun_ipv6_src", NULL, FIELD(tun_ipv6_src), 0, ALL_BITS, 0,
      MF_FMT_IPV6, MFP_NONE, true, false },
    { "tun_ipv6_dst", NULL, FIELD(tun_ipv6_dst), 0, ALL_BITS, 0,
      MF_FMT_IPV6, MFP_NONE, true, false },
#define TUN_METADATA(N)                                                 \
    { "tun_metadata" #N, NULL, FIELD(tun_metadata[N]), 0, ALL_BITS, 0,  \
      MF_FMT_HEX, MFP_NONE, true, false }
    TUN_METADATA(0), TUN_METADATA(1), TUN_METADATA(2), TUN_METADATA(3),
    TUN_METADATA(4), TUN_METADATA(5), TUN_METADATA(6), TUN_METADATA(7),
#undef TUN_METADATA
    { "in_port", NULL, FIELD(in_port), 0, ALL_BITS, 0, MF_FMT_DEC,
      MFP_NONE, false, true },
    { "dl_src", "eth_src", FIELD(dl_src), 0, ALL_BITS, 0, MF_FMT_ETH,
      MFP_NONE, true, false },
    { "dl_dst", "eth_dst", FIELD(dl_dst), 0, ALL_BITS, 0, MF_FMT_ETH,
      MFP_NONE, true, false },
    { "dl_type", "eth_type", FIELD(dl_type), 0, ALL_BITS, 0, MF_FMT_HEX,
      MFP_NONE, false, false },
    { "dl_vlan", NULL, FIELD(vlans[0].tci), 0, VLAN_VID_MASK, VLAN_CFI,
      MF_FMT_DEC, MFP_NONE, false, false },
    { "dl_vlan_pcp", "vlan_pcp", FIELD(vlans[0].tci), VLAN_PCP_SHIFT,
      VLAN_PCP_MASK, VLAN_CFI, MF_FMT_DEC, MFP_NONE, false, false },
    { "vlan_tci", NULL, FIELD(vlans[0].tci), 0, 0xffff, 0, MF_FMT_HEX,
      MFP_NONE, true, false },
    { "vlan_vid", NULL, FIELD(vlans[0].tci), 0, VLAN_CFI | VLAN_VID_MASK,
      0, MF_FMT_HEX, MFP_NONE, true, false },
    { "nw_src", "ip_src", FIELD(nw_src), 0, ALL_BITS, 0, MF_FMT_IPV4,
      MFP_IPV4_OR_ARP, true, false },
    { "nw_dst", "ip_dst", FIELD(nw_dst), 0, ALL_BITS, 0, MF_FMT_IPV4,
      MFP_IPV4_OR_ARP, true, false },
    { "ipv4_src", NULL, FIELD(nw_src), 0, ALL_BITS, 0, MF_FMT_IPV4,
      MFP_IPV4, true, false },
    { "ipv4_dst", NULL, FIELD(nw_dst), 0, ALL_BITS, 0, MF_FMT_IPV4,
      MFP_IPV4, true, false },
    { "arp_spa", NULL, FIELD(nw_src), 0, ALL_BITS, 0, MF_FMT_IPV4, MFP_ARP,
      true, false },
    { "arp_tpa", NULL, FIELD(nw_dst), 0, ALL_BITS, 0, MF_FMT_IPV4, MFP_ARP,
      true, false },
    { "arp_op", NULL, FIELD(nw_proto), 0, ALL_BITS, 0, MF_FMT_DEC, MFP_ARP,
      false, false },
    { "arp_sha", NULL, FIELD(arp_sha), 0, ALL_BITS, 0, MF_FMT_ETH, MFP_ARP,
      true, false },
    { "arp_tha", NULL, FIELD(arp_tha), 0, ALL_BITS, 0, MF_FMT_ETH, MFP_ARP,
      true, false },
    { "ipv6_src", NULL, FIELD(ipv6_src), 0, ALL_BITS, 0, MF_FMT_IPV6,
      MFP_IPV6, true, false },
    { "ipv6_dst", NULL, FIELD(ipv6_dst), 0, ALL_BITS, 0, MF_FMT_IPV6,
      MFP_IPV6, true, false },
    { "ipv6_label", NULL, FIELD(ipv6_label), 0, 0xfffff, 0, MF_FMT_HEX,
      MFP_IPV6, true, false },
    { "nw_proto", "ip_proto", FIELD(nw_proto), 0, ALL_BITS, 0, MF_FMT_DEC,
      MFP_IP_ANY, false, false },
    { "nw_tos", NULL, FIELD(nw_tos), 0, 0xfc, 0, MF_FMT_DEC, MFP_IP_ANY,
      false, false },
    { "ip_dscp", NULL, FIELD(nw_tos), 2, 0xfc, 0, MF_FMT_DEC, MFP_IP_ANY,
      false, false },
    { "nw_ecn", "ip_ecn", FIELD(nw_tos), 0, 0x03, 0, MF_FMT_DEC,
      MFP_IP_ANY, false, false },
    { "nw_ttl", NULL, FIELD(nw_ttl), 0, ALL_BITS, 0, MF_FMT_DEC, MFP_IP_ANY,
      false, false },
    { "ip_frag", "nw_frag", FIELD(nw_frag), 0, 0x03, 0, MF_FMT_FRAG,
      MFP_IP_ANY, true, false },
    { "tp_src", NULL, FIELD(tp_src), 0, ALL_BITS, 0, MF_FMT_DEC,
      MFP_L4_PORTS, true, false },
    { "tp_dst", NULL, FIELD(tp_dst), 0, ALL_BITS, 0, MF_FMT_DEC,
      MFP_L4_PORTS, true, false },
    { "tcp_src", NULL, FIELD(tp_src), 0, ALL_BITS, 0, MF_FMT_DEC, MFP_TCP,
      true, false },
    { "tcp_dst", NULL, FIELD(tp_dst), 0, ALL_BITS, 0, MF_FMT_DEC, MFP_TCP,
      true, false },
    { "udp_src", NULL, FIELD(tp_src), 0, ALL_BITS, 0, MF_FMT_DEC, MFP_UDP,
      true, false },
    { "udp_dst", NULL, FIELD(tp_dst), 0, ALL_BITS, 0, MF_FMT_DEC, MFP_UDP,
      true, false },
    { "sctp_src", NULL, FIELD(tp_src), 0, ALL_BITS, 0, MF_FMT_DEC, MFP_SCTP,
      true, false },
    { "sctp_dst", NULL, FIELD(tp_dst), 0, ALL_BITS, 0, MF_FMT_DEC, MFP_SCTP,
      true, false },
    { "icmp_type", NULL, FIELD(tp_src), 0, 0xff, 0, MF_FMT_DEC, MFP_ICMPV4,
      false, false },
    { "icmp_code", NULL, FIELD(tp_dst), 0, 0xff, 0, MF_FMT_DEC, MFP_ICMPV4,
      false, false },
    { "icmpv6_type", NULL, FIELD(tp_src), 0, 0xff, 0, MF_FMT_DEC,
      MFP_ICMPV6, false, false },
    { "icmpv6_code", NULL, FIELD(tp_dst), 0, 0xff, 0, MF_FMT_DEC,
      MFP_ICMPV6, false, false },
    { "nd_target", NULL, FIELD(nd_target), 0, ALL_BITS, 0, MF_FMT_IPV6,
      MFP_ND, true, false },
    { "nd_sll", NULL, FIELD(arp_sha), 0, ALL_BITS, 0, MF_FMT_ETH,
      MFP_ND_SOLICIT, true, false },
    { "nd_tll", NULL, FIELD(arp_tha), 0, ALL_BITS, 0, MF_FMT_ETH,
      MFP_ND_ADVERT, true, false },
};

int
mf_tun_metadata_slot(const struct mf_field *mf)
{
    size_t first = offsetof(struct flow, tun_metadata);
    size_t end = first + sizeof(((struct flow *) 0)->tun_metadata);
    return (mf->offset >= first && mf->offset < end
            ? (int) ((mf->offset - first) / sizeof(be64)) : -1);
}

const struct mf_field *
mf_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        if (!strcmp(name, fields[i].name)
            || (fields[i].alias && !strcmp(name, fields[i].alias))) {
            return &fields[i];
        }
    }
    return NULL;
}

const struct mf_field *
mf_field_at(size_t i)
{
    return i < ARRAY_SIZE(fields) ? &fields[i] : NULL;
}

bool
mf_is_integer(const struct mf_field *mf)
{
    return mf->format != MF_FMT_ETH && mf->format != MF_FMT_IPV6;
}

/* Storage of integer fields: big-endian integers of 1 to 8 bytes, or a
 * host-order uint32_t. */
static uint64_t
storage_read(const struct mf_field *mf, const struct flow *flow)
{
    const uint8_t *p = (const uint8_t *) flow + mf->offset;
    if (mf->host_order) {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    uint64_t v = 0;
    for (int i = 0; i < mf->n_bytes; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void
storage_write(const struct mf_field *mf, struct flow *flow, uint64_t v)
{
    uint8_t *p = (uint8_t *) flow + mf->offset;
    if (mf->host_order) {
        uint32_t v32 = v;
        memcpy(p, &v32, sizeof v32);
        return;
    }
    for (int i = mf->n_bytes - 1; i >= 0; i--) {
        p[i] = v;
        v >>= 8;
    }
}

/* The bits of the storage that hold the field. */
static uint64_t
storage_mask(const struct mf_field *mf)
{
    uint64_t all = (mf->n_bytes >= 8 ? UINT64_MAX
                    : (UINT64_C(1) << (8 * mf->n_bytes)) - 1);
    return mf->bits & all;
}

uint64_t
mf_max_value(const struct mf_field *mf)
{
    return storage_mask(mf) >> mf->shift;
}

/* "dl_vlan=0xffff" matches frames without a VLAN tag. */
enum { MF_VLAN_NONE = 0xffff };

static bool
mf_is_vlan_none(const struct mf_field *mf, uint64_t value)
{
    return mf->implied == VLAN_CFI && mf->bits == VLAN_VID_MASK
           && value == MF_VLAN_NONE;
}

void
mf_get(const struct mf_field *mf, const struct flow *flow,
       union mf_value *value)
{
    memset(value, 0, sizeof *value);
    if (mf_is_integer(mf)) {
        value->u64 = (storage_read(mf, flow) & storage_mask(mf)) >> mf->shift;
    } else {
        memcpy(value, (const uint8_t *) flow + mf->offset, mf->n_bytes);
    }
}

void
mf_set_flow(const struct mf_field *mf, const union mf_value *value,
            struct flow *flow)
{
    if (mf_is_integer(mf)) {
        uint64_t m = storage_mask(mf);
        uint64_t v = storage_read(mf, flow) & ~m;
        storage_write(mf, flow, v | ((value->u64 << mf->shift) & m)
                                    | mf->implied);
    } else {
        memcpy((uint8_t *) flow + mf->offset, value, mf->n_bytes);
    }
}

void
mf_set_match(const struct mf_field *mf, const union mf_value *value,
             const union mf_value *mask, struct match *match)
{
    if (mf_is_integer(mf)) {
        uint64_t m = storage_mask(mf);
        uint64_t v = (value->u64 << mf->shift) & m;
        if (mask) {
            m &= mask->u64 << mf->shift;
            v &= m;
        }
        if (mf_is_vlan_none(mf, value->u64)) {
            m = UINT16_MAX;     /* The whole TCI is zero. */
            v = 0;
        } else {
            m |= mf->implied;
            v |= mf->implied;
        }
        uint64_t old_v = storage_read(mf, &match->flow);
        uint64_t old_m = storage_read(mf, &match->wc);
        storage_write(mf, &match->flow, (old_v & ~m) | v);
        storage_write(mf, &match->wc, old_m | m);
    } else {
        uint8_t *f = (uint8_t *) &match->flow + mf->offset;
        uint8_t *w = (uint8_t *) &match->wc + mf->offset;
        const uint8_t *v = (const uint8_t *) value;
        const uint8_t *m = mask ? (const uint8_t *) mask : NULL;
        for (int i = 0; i < mf->n_bytes; i++) {
            uint8_t mi = m ? m[i] : 0xff;
            f[i] = (f[i] & ~mi) | (v[i] & mi);
            w[i] |= mi;
        }
    }
}

bool
mf_is_wild(const struct mf_field *mf, const struct flow *wc)
{
    if (mf_is_integer(mf)) {
        return !(storage_read(mf, wc) & storage_mask(mf));
    }
    const uint8_t *w = (const uint8_t *) wc + mf->offset;
    for (int i = 0; i < mf->n_bytes; i++) {
        if (w[i]) {
            return false;
        }
    }
    return true;
}

bool
mf_is_exact(const struct mf_field *mf, const struct flow *wc)
{
    if (mf_is_integer(mf)) {
        uint64_t m = storage_mask(mf);
        return (storage_read(mf, wc) & m) == m;
    }
    const uint8_t *w = (const uint8_t *) wc + mf->offset;
    for (int i = 0; i < mf->n_bytes; i++) {
        if (w[i] != 0xff) {
            return false;
        }
    }
    return true;
}

void
mf_exact_mask(const struct mf_field *mf, union mf_value *mask)
{
    memset(mask, 0, sizeof *mask);
    if (mf_is_integer(mf)) {
        mask->u64 = mf_max_value(mf);
    } else {
        memset(mask, 0xff, mf->n_bytes);
    }
}

/* Parsing. */

static char *
parse_uint(const struct mf_field *mf, const char *s, uint64_t max,
           uint64_t *out)
{
    unsigned long long v;
    if (!str_to_ullong(s, 0, max, &v)) {
        return xasprintf("\"%s\" is not a number from 0 to %llu", s,
                         (unsigned long long) max);
    }
    *out = v;
    return NULL;
}

static char *
parse_ipv4(const struct mf_field *mf, const char *s, const char *mask_s,
           union mf_value *value, union mf_value *mask)
{
    uint32_t ip;
    if (!ipv4_from_string(s, &ip)) {
        return xasprintf("\"%s\" is not an IPv4 address", s);
    }
    value->u64 = ntohl(ip);
    if (!mask_s) {
        mask->u64 = UINT32_MAX;
    } else if (strchr(mask_s, '.')) {
        if (!ipv4_from_string(mask_s, &ip)) {
            return xasprintf("\"%s\" is not an IPv4 mask", mask_s);
        }
        mask->u64 = ntohl(ip);
    } else {
        int plen;
        if (!str_to_int(mask_s, 0, 32, &plen)) {
            return xasprintf("\"%s\" is not a prefix length from 0 to 32",
                             mask_s);
        }
        mask->u64 = plen ? (UINT32_MAX << (32 - plen)) & UINT32_MAX : 0;
    }
    return NULL;
}

static char *
parse_ipv6(const struct mf_field *mf, const char *s, const char *mask_s,
           union mf_value *value, union mf_value *mask)
{
    if (inet_pton(AF_INET6, s, &value->ipv6) != 1) {
        return xasprintf("\"%s\" is not an IPv6 address", s);
    }
    memset(&mask->ipv6, 0xff, sizeof mask->ipv6);
    if (!mask_s) {
        return NULL;
    }
    if (strchr(mask_s, ':')) {
        if (inet_pton(AF_INET6, mask_s, &mask->ipv6) != 1) {
            return xasprintf("\"%s\" is not an IPv6 mask", mask_s);
        }
        return NULL;
    }
    int plen;
    if (!str_to_int(mask_s, 0, 128, &plen)) {
        return xasprintf("\"%s\" is not a prefix length from 0 to 128",
                         mask_s);
    }
    memset(&mask->ipv6, 0, sizeof mask->ipv6);
    for (int i = 0; i < plen; i++) {
        mask->ipv6.s6_addr[i / 8] |= 0x80 >> (i % 8);
    }
    return NULL;
}

static const struct {
    const char *name;
    uint8_t value, mask;
} frag_names[] = {
    { "no", 0, FLOW_NW_FRAG_ANY },
    { "yes", FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_ANY },
    { "first", FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER },
    { "later", FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER,
      FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER },
    { "not_later", 0, FLOW_NW_FRAG_LATER },
};

char *
mf_parse(const struct mf_field *mf, const char *s, union mf_value *value,
         union mf_value *mask)
{
    memset(value, 0, sizeof *value);
    mf_exact_mask(mf, mask);

    char *copy = xstrdup(s);
    char *mask_s = strchr(copy, '/');
    if (mask_s) {
        *mask_s++ = '\0';
        if (!mf->maskable) {
            free(copy);
            return xstrdup("field does not take a mask");
        }
    }

    char *error = NULL;
    switch (mf->format) {
    case MF_FMT_DEC:
    case MF_FMT_HEX: {
        uint64_t max = mf_max_value(mf);
        if (mf_is_vlan_none(mf, MF_VLAN_NONE) && !strcasecmp(copy, "0xffff")) {
            value->u64 = MF_VLAN_NONE;
            break;
        }
        error = parse_uint(mf, copy, max, &value->u64);
        if (!error && mask_s) {
            error = parse_uint(mf, mask_s, max, &mask->u64);
        }
        break;
    }
    case MF_FMT_ETH:
        if (!eth_addr_from_string(copy, &value->mac)) {
            error = xasprintf("\"%s\" is not an Ethernet address", copy);
        } else if (mask_s && !eth_addr_from_string(mask_s, &mask->mac)) {
            error = xasprintf("\"%s\" is not an Ethernet mask", mask_s);
        }
        break;
    case MF_FMT_IPV4:
        error = parse_ipv4(mf, copy, mask_s, value, mask);
        break;
    case MF_FMT_IPV6:
        error = parse_ipv6(mf, copy, mask_s, value, mask);
        break;
    case MF_FMT_FRAG:
        error = xasprintf("\"%s\" is not one of no, yes, first, later, "
                          "not_later", copy);
        for (size_t i = 0; i < ARRAY_SIZE(frag_names); i++) {
            if (!strcmp(copy, frag_names[i].name)) {
                free(error);
                error = NULL;
                value->u64 = frag_names[i].value;
                mask->u64 = frag_names[i].mask;
            }
        }
        break;
    }
    free(copy);
    return error;
}

/* Formatting. */

static void
format_ipv6(const struct in6_addr *addr, struct ds *ds)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, addr, buf, sizeof buf);
    ds_put_cstr(ds, buf);
}

/* Prefix length of a contiguous mask of 'n_bits', or -1. */
static int
prefix_len(const uint8_t *mask, int n_bytes)
{
    int len = 0;
    bool ended = false;
    for (int i = 0; i < n_bytes * 8; i++) {
        bool bit = mask[i / 8] & (0x80 >> (i % 8));
        if (bit && ended) {
            return -1;
        }
        if (!bit) {
            ended = true;
        } else {
            len++;
        }
    }
    return len;
}

void
mf_format(const struct mf_field *mf, const union mf_value *value,
          const union mf_value *mask, struct ds *ds)
{
    union mf_value exact;
    mf_exact_mask(mf, &exact);
    if (mask && !memcmp(mask, &exact, sizeof exact)) {
        mask = NULL;
    }

    switch (mf->format) {
    case MF_FMT_DEC:
        if (mask) {
            ds_put_format(ds, "0x%" PRIx64 "/0x%" PRIx64, value->u64,
                          mask->u64);
        } else {
            ds_put_format(ds, "%" PRIu64, value->u64);
        }
        break;
    case MF_FMT_HEX:
        ds_put_format(ds, "0x%" PRIx64, value->u64);
        if (mask) {
            ds_put_format(ds, "/0x%" PRIx64, mask->u64);
        }
        break;
    case MF_FMT_ETH:
        ds_put_format(ds, ETH_ADDR_FMT, ETH_ADDR_ARGS(value->mac));
        if (mask) {
            ds_put_format(ds, "/" ETH_ADDR_FMT, ETH_ADDR_ARGS(mask->mac));
        }
        break;
    case MF_FMT_IPV4: {
        uint32_t v = value->u64;
        ds_put_format(ds, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff,
                      (v >> 8) & 0xff, v & 0xff);
        if (mask) {
            uint32_t m = mask->u64;
            uint8_t bytes[4] = { m >> 24, m >> 16, m >> 8, m };
            int plen = prefix_len(bytes, 4);
            if (plen >= 0) {
                ds_put_format(ds, "/%d", plen);
            } else {
                ds_put_format(ds, "/%u.%u.%u.%u", bytes[0], bytes[1],
                              bytes[2], bytes[3]);
            }
        }
        break;
    }
    case MF_FMT_IPV6:
        format_ipv6(&value->ipv6, ds);
        if (mask) {
            int plen = prefix_len(mask->ipv6.s6_addr, 16);
            ds_put_char(ds, '/');
            if (plen >= 0) {
                ds_put_format(ds, "%d", plen);
            } else {
                format_ipv6(&mask->ipv6, ds);
            }
        }
        break;
    case MF_FMT_FRAG: {
        uint64_t m = mask ? mask->u64 : FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER;
        uint64_t v = value->u64 & m;
        if (!v && (m & FLOW_NW_FRAG_ANY)) {
            ds_put_cstr(ds, "no");  /* Not a fragment: LATER is moot. */
            return;
        }
        for (size_t i = 0; i < ARRAY_SIZE(frag_names); i++) {
            if (frag_names[i].value == v && frag_names[i].mask == m) {
                ds_put_cstr(ds, frag_names[i].name);
                return;
            }
        }
        ds_put_format(ds, "0x%" PRIx64 "/0x%" PRIx64, value->u64, m);
        break;
    }
    }
}

/* Prerequisites. */

void
mf_mask_exact(const struct mf_field *mf, struct flow *wc)
{
    if (mf_is_integer(mf)) {
        storage_write(mf, wc, storage_read(mf, wc) | storage_mask(mf));
    } else {
        memset((uint8_t *) wc + mf->offset, 0xff, mf->n_bytes);
    }
}

/* Whether field 'mf' of a flow (noting the look in 'wc', if nonnull) or
 * of a match (exactly) has 'value'. */
typedef bool field_is_func(const struct mf_field *mf, const void *subject,
                           struct flow *wc, uint64_t value);

static bool
flow_field_is(const struct mf_field *mf, const void *flow_, struct flow *wc,
              uint64_t value)
{
    union mf_value v;
    mf_get(mf, flow_, &v);
    if (wc) {
        mf_mask_exact(mf, wc);
    }
    return v.u64 == value;
}

static bool
match_field_is(const struct mf_field *mf, const void *match_,
               struct flow *wc, uint64_t value)
{
    const struct match *match = match_;
    union mf_value v;
    mf_get(mf, &match->flow, &v);
    return mf_is_exact(mf, &match->wc) && v.u64 == value;
}

static bool
prereqs_ok(enum mf_prereq prereq, const void *flow, struct flow *wc,
           field_is_func *is)
{
    const struct mf_field *dl_type = mf_from_name("dl_type");
    const struct mf_field *nw_proto = mf_from_name("nw_proto");
    const struct mf_field *type = mf_from_name("icmpv6_type");

#define IS(FIELD, VALUE) is(FIELD, flow, wc, VALUE)
#define IS_IPV4 IS(dl_type, ETH_TYPE_IP)
#define IS_IPV6 IS(dl_type, ETH_TYPE_IPV6)
#define IS_IP_ANY (IS_IPV4 || IS_IPV6)
    switch (prereq) {
    case MFP_NONE:
        return true;
    case MFP_ARP:
        return IS(dl_type, ETH_TYPE_ARP);
    case MFP_IPV4:
        return IS_IPV4;
    case MFP_IPV6:
        return IS_IPV6;
    case MFP_IP_ANY:
        return IS_IP_ANY;
    case MFP_IPV4_OR_ARP:
        return IS_IPV4 || IS(dl_type, ETH_TYPE_ARP);
    case MFP_TCP:
        return IS_IP_ANY && IS(nw_proto, IP_PROTO_TCP);
    case MFP_UDP:
        return IS_IP_ANY && IS(nw_proto, IP_PROTO_UDP);
    case MFP_SCTP:
        return IS_IP_ANY && IS(nw_proto, IP_PROTO_SCTP);
    case MFP_L4_PORTS:
        return IS_IP_ANY && (IS(nw_proto, IP_PROTO_TCP)
                             || IS(nw_proto, IP_PROTO_UDP)
                             || IS(nw_proto, IP_PROTO_SCTP));
    case MFP_ICMPV4:
        return IS_IPV4 && IS(nw_proto, IP_PROTO_ICMP);
    case MFP_ICMPV6:
        return IS_IPV6 && IS(nw_proto, IP_PROTO_ICMPV6);
    /* Extraction fills in ND fields only for code 0, so the code need
     * not be matched. */
    case MFP_ND:
        return (IS_IPV6 && IS(nw_proto, IP_PROTO_ICMPV6)
                && (IS(type, ICMP6_ND_NEIGHBOR_SOLICIT)
                    || IS(type, ICMP6_ND_NEIGHBOR_ADVERT)));
    case MFP_ND_SOLICIT:
        return (IS_IPV6 && IS(nw_proto, IP_PROTO_ICMPV6)
                && IS(type, ICMP6_ND_NEIGHBOR_SOLICIT));
    case MFP_ND_ADVERT:
        return (IS_IPV6 && IS(nw_proto, IP_PROTO_ICMPV6)
                && IS(type, ICMP6_ND_NEIGHBOR_ADVERT));
    }
#undef IS
#undef IS_IPV4
#undef IS_IPV6
#undef IS_IP_ANY
    return false;
}

bool
mf_prereqs_ok(const struct mf_field *mf, const struct match *match)
{
    return prereqs_ok(mf->prereq, match, NULL, match_field_is);
}

bool
mf_prereqs_ok_flow(const struct mf_field *mf, const struct flow *flow,
                   struct flow *wc)
{
    return prereqs_ok(mf->prereq, flow, wc, flow_field_is);
}
