#include <config.h>
#include "match.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "meta-flow.h"
#include "util.h"

void
match_init_catchall(struct match *match)
{
    memset(match, 0, sizeof *match);
}

static void
match_exact_field(struct match *match, const char *name)
{
    mf_mask_exact(mf_from_name(name), &match->wc);
}

void
match_init_exact(struct match *match, const struct flow *flow)
{
    match_init_catchall(match);
    match->flow = *flow;
    match_exact_field(match, "in_port");
    match_exact_field(match, "dl_src");
    match_exact_field(match, "dl_dst");
    match_exact_field(match, "dl_type");
    match_exact_field(match, "vlan_tci");
    bool tun_ipv6 = (!ipv6_is_zero(&flow->tun_ipv6_src)
                     || !ipv6_is_zero(&flow->tun_ipv6_dst));
    if (flow->tun_id || flow->tun_src || flow->tun_dst || tun_ipv6) {
        match_exact_field(match, "tun_id");
        match_exact_field(match, tun_ipv6 ? "tun_ipv6_src" : "tun_src");
        match_exact_field(match, tun_ipv6 ? "tun_ipv6_dst" : "tun_dst");
    }
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        if (flow->tun_metadata_present & (1u << i)) {
            match->wc.tun_metadata[i] = UINT64_MAX;
        }
    }

    uint16_t dl_type = ntohs(flow->dl_type);
    if (dl_type == ETH_TYPE_ARP) {
        match_exact_field(match, "arp_spa");
        match_exact_field(match, "arp_tpa");
        match_exact_field(match, "arp_op");
        match_exact_field(match, "arp_sha");
        match_exact_field(match, "arp_tha");
    } else if (dl_type == ETH_TYPE_IP || dl_type == ETH_TYPE_IPV6) {
        if (dl_type == ETH_TYPE_IP) {
            match_exact_field(match, "nw_src");
            match_exact_field(match, "nw_dst");
        } else {
            match_exact_field(match, "ipv6_src");
            match_exact_field(match, "ipv6_dst");
            match_exact_field(match, "ipv6_label");
        }
        match_exact_field(match, "nw_proto");
        match->wc.nw_tos = 0xff;
        match_exact_field(match, "nw_ttl");
        match_exact_field(match, "ip_frag");
        uint8_t proto = flow->nw_proto;
        bool has_l4 = (proto == IP_PROTO_TCP || proto == IP_PROTO_UDP
                       || proto == IP_PROTO_SCTP || proto == IP_PROTO_ICMP
                       || proto == IP_PROTO_ICMPV6);
        if (has_l4 && !(flow->nw_frag & FLOW_NW_FRAG_LATER)) {
            match_exact_field(match, "tp_src");
            match_exact_field(match, "tp_dst");
            if (proto == IP_PROTO_ICMPV6) {
                match_exact_field(match, "nd_target");
                match_exact_field(match, "nd_sll");
                match_exact_field(match, "nd_tll");
            }
        }
    }
    flow_and(&match->flow, flow, &match->wc);
}

/* Parsing. */

struct shorthand {
    const char *name;
    uint16_t dl_type;
    uint8_t nw_proto;           /* 0: none. */
};

static const struct shorthand shorthands[] = {
    { "ip", ETH_TYPE_IP, 0 },
    { "ipv6", ETH_TYPE_IPV6, 0 },
    { "icmp", ETH_TYPE_IP, IP_PROTO_ICMP },
    { "icmp6", ETH_TYPE_IPV6, IP_PROTO_ICMPV6 },
    { "tcp", ETH_TYPE_IP, IP_PROTO_TCP },
    { "tcp6", ETH_TYPE_IPV6, IP_PROTO_TCP },
    { "udp", ETH_TYPE_IP, IP_PROTO_UDP },
    { "udp6", ETH_TYPE_IPV6, IP_PROTO_UDP },
    { "sctp", ETH_TYPE_IP, IP_PROTO_SCTP },
    { "sctp6", ETH_TYPE_IPV6, IP_PROTO_SCTP },
    { "arp", ETH_TYPE_ARP, 0 },
};

static const struct {
    const char *name;
    uint32_t port;
} reserved_ports[] = {
    { "IN_PORT", OFPP_IN_PORT },
    { "NORMAL", OFPP_NORMAL },
    { "FLOOD", OFPP_FLOOD },
    { "ALL", OFPP_ALL },
    { "CONTROLLER", OFPP_CONTROLLER },
    { "LOCAL", OFPP_LOCAL },
    { "NONE", OFPP_NONE },
};

char *
port_parse(const char *s, const struct port_namer *namer, uint32_t *port)
{
    unsigned long long n;
    if (str_to_ullong(s, 0, UINT16_MAX, &n)) {
        *port = n;
        return NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(reserved_ports); i++) {
        if (!strcasecmp(s, reserved_ports[i].name)) {
            *port = reserved_ports[i].port;
            return NULL;
        }
    }
    if (namer && namer->name_to_port
        && namer->name_to_port(s, port, namer->aux)) {
        return NULL;
    }
    return xasprintf("%s: invalid or unknown port", s);
}

void
port_format(uint32_t port, const struct port_namer *namer, struct ds *ds)
{
    for (size_t i = 0; i < ARRAY_SIZE(reserved_ports); i++) {
        if (port == reserved_ports[i].port) {
            ds_put_cstr(ds, reserved_ports[i].name);
            return;
        }
    }
    const char *name = (namer && namer->port_to_name
                        ? namer->port_to_name(port, namer->aux) : NULL);
    if (name) {
        ds_put_cstr(ds, name);
    } else {
        ds_put_format(ds, "%u", port);
    }
}

char *
match_parse_item(struct match *match, const char *name, const char *value,
                 const struct port_namer *namer)
{
    if (!value) {
        for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
            const struct shorthand *sh = &shorthands[i];
            if (!strcmp(name, sh->name)) {
                union mf_value v = { .u64 = sh->dl_type };
                mf_set_match(mf_from_name("dl_type"), &v, NULL, match);
                if (sh->nw_proto) {
                    v.u64 = sh->nw_proto;
                    mf_set_match(mf_from_name("nw_proto"), &v, NULL, match);
                }
                return NULL;
            }
        }
        return xasprintf("%s: unknown field or protocol", name);
    }

    const struct mf_field *mf = mf_from_name(name);
    if (!mf) {
        return xasprintf("%s: unknown field", name);
    }
    if (!strcmp(mf->name, "in_port")) {
        uint32_t port;
        char *error = port_parse(value, namer, &port);
        if (error) {
            return error;
        }
        union mf_value v = { .u64 = port };
        mf_set_match(mf, &v, NULL, match);
        return NULL;
    }

    union mf_value v, m;
    char *error = mf_parse(mf, value, &v, &m);
    if (error) {
        char *prefixed = xasprintf("%s: %s", name, error);
        free(error);
        return prefixed;
    }
    mf_set_match(mf, &v, &m, match);
    return NULL;
}

char *
match_parse(struct match *match, const char *s, const struct port_namer *namer)
{
    char *copy = xstrdup(s), *save = NULL, *error = NULL;
    for (char *item = strtok_r(copy, ", \t", &save); item && !error;
         item = strtok_r(NULL, ", \t", &save)) {
        char *value = strchr(item, '=');
        if (value) {
            *value++ = '\0';
        }
        error = match_parse_item(match, item, value, namer);
    }
    free(copy);
    return error ? error : match_check_prereqs(match);
}

char *
match_check_prereqs(const struct match *match)
{
    for (size_t i = 0; mf_field_at(i); i++) {
        const struct mf_field *mf = mf_field_at(i);
        if (mf_is_wild(mf, &match->wc) || mf_prereqs_ok(mf, match)) {
            continue;
        }
        /* Fields that share storage (nw_src and arp_spa) both see the
         * bits: complain only if no field that fits can explain them. */
        bool explained = false;
        for (size_t j = 0; mf_field_at(j); j++) {
            const struct mf_field *other = mf_field_at(j);
            if (other->offset == mf->offset && mf_prereqs_ok(other, match)) {
                explained = true;
            }
        }
        if (!explained) {
            return xasprintf("%s: prerequisites not met (the match must "
                             "also say the protocol, e.g. \"%s\")", mf->name,
                             mf->prereq == MFP_ARP ? "arp"
                             : mf->prereq == MFP_IPV6 ? "ipv6"
                             : mf->prereq == MFP_TCP ? "tcp"
                             : mf->prereq == MFP_UDP ? "udp"
                             : mf->prereq == MFP_SCTP ? "sctp"
                             : mf->prereq == MFP_ICMPV4 ? "icmp"
                             : mf->prereq == MFP_ICMPV6 ? "icmp6"
                             : mf->prereq >= MFP_ND ? "icmp6,icmp_type=135"
                             : mf->prereq == MFP_L4_PORTS ? "tcp" : "ip");
        }
    }
    return NULL;
}

/* Formatting. */

/* The shorthand that says 'dl_type' and, if it can, 'nw_proto'. */
static const struct shorthand *
shorthand_find(uint16_t dl_type, bool exact_proto, uint8_t nw_proto)
{
    const struct shorthand *type_only = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
        const struct shorthand *sh = &shorthands[i];
        if (sh->dl_type != dl_type) {
            continue;
        }
        if (!sh->nw_proto) {
            type_only = sh;
        } else if (exact_proto && sh->nw_proto == nw_proto) {
            return sh;
        }
    }
    return type_only;
}

/* Appends "name=value," for field 'name' if the match looks at it. */
static void
format_field(struct ds *ds, const char *name, const struct match *match)
{
    const struct mf_field *mf = mf_from_name(name);
    if (mf_is_wild(mf, &match->wc)) {
        return;
    }
    union mf_value v, m;
    mf_get(mf, &match->flow, &v);
    mf_get(mf, &match->wc, &m);
    ds_put_format(ds, "%s=", name);
    mf_format(mf, &v, &m, ds);
    ds_put_char(ds, ',');
}

static void
format_vlan(struct ds *ds, const struct match *match)
{
    uint16_t tci = ntohs(match->flow.vlans[0].tci);
    uint16_t mask = ntohs(match->wc.vlans[0].tci);
    if (!mask) {
        return;
    }
    uint16_t vid_cfi = VLAN_VID_MASK | VLAN_CFI;
    uint16_t pcp_cfi = VLAN_PCP_MASK | VLAN_CFI;
    if ((mask == vid_cfi || mask == 0xffff) && (tci & VLAN_CFI)) {
        ds_put_format(ds, "dl_vlan=%u,", tci & VLAN_VID_MASK);
        if (mask == 0xffff) {
            ds_put_format(ds, "dl_vlan_pcp=%u,", tci >> VLAN_PCP_SHIFT);
        }
    } else if (mask == pcp_cfi && (tci & VLAN_CFI)) {
        ds_put_format(ds, "dl_vlan_pcp=%u,", tci >> VLAN_PCP_SHIFT);
    } else if (mask == 0xffff) {
        ds_put_format(ds, "vlan_tci=0x%04x,", tci);
    } else {
        ds_put_format(ds, "vlan_tci=0x%04x/0x%04x,", tci, mask);
    }
}

static void
format_match(const struct match *match, const struct port_namer *namer,
             bool is_flow, struct ds *ds)
{
    const struct flow *f = &match->flow;
    const struct flow *wc = &match->wc;
    size_t start = ds->length;
    bool exact_type = wc->dl_type == 0xffff;
    bool exact_proto = wc->nw_proto == 0xff;
    uint16_t dl_type = exact_type ? ntohs(f->dl_type) : 0;
    bool is_ip = dl_type == ETH_TYPE_IP || dl_type == ETH_TYPE_IPV6;

    format_field(ds, "tun_id", match);
    format_field(ds, "tun_src", match);
    format_field(ds, "tun_dst", match);
    format_field(ds, "tun_ipv6_src", match);
    format_field(ds, "tun_ipv6_dst", match);
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        char name[32];
        snprintf(name, sizeof name, "tun_metadata%d", i);
        format_field(ds, name, match);
    }

    const struct shorthand *sh = (exact_type
                                  ? shorthand_find(dl_type, exact_proto,
                                                   f->nw_proto)
                                  : NULL);
    bool skip_type = sh != NULL;
    bool skip_proto = sh && sh->nw_proto;
    if (sh) {
        ds_put_format(ds, "%s,", sh->name);
    }

    if (wc->in_port) {
        ds_put_cstr(ds, "in_port=");
        port_format(f->in_port, namer, ds);
        ds_put_char(ds, ',');
    }
    if (is_flow) {
        uint16_t tci = ntohs(f->vlans[0].tci);
        if (tci & VLAN_CFI) {
            ds_put_format(ds, "dl_vlan=%u,dl_vlan_pcp=%u,",
                          tci & VLAN_VID_MASK, tci >> VLAN_PCP_SHIFT);
        } else {
            ds_put_format(ds, "vlan_tci=0x%04x,", tci);
        }
    } else {
        format_vlan(ds, match);
    }
    format_field(ds, "dl_src", match);
    format_field(ds, "dl_dst", match);
    if (!skip_type && wc->dl_type) {
        ds_put_format(ds, "dl_type=0x%04x,", ntohs(f->dl_type));
    }

    if (dl_type == ETH_TYPE_IPV6) {
        format_field(ds, "ipv6_src", match);
        format_field(ds, "ipv6_dst", match);
        format_field(ds, "ipv6_label", match);
    } else if (dl_type == ETH_TYPE_ARP) {
        format_field(ds, "arp_spa", match);
        format_field(ds, "arp_tpa", match);
    } else {
        format_field(ds, "nw_src", match);
        format_field(ds, "nw_dst", match);
    }
    if (!skip_proto && wc->nw_proto) {
        ds_put_format(ds, "%s=%u,",
                      dl_type == ETH_TYPE_ARP ? "arp_op" : "nw_proto",
                      f->nw_proto);
    }
    if (dl_type == ETH_TYPE_ARP) {
        format_field(ds, "arp_sha", match);
        format_field(ds, "arp_tha", match);
    }
    if (wc->nw_tos & 0xfc) {
        ds_put_format(ds, "nw_tos=%u,", f->nw_tos & 0xfc);
    }
    if (wc->nw_tos & 0x03) {
        ds_put_format(ds, "nw_ecn=%u,", f->nw_tos & 0x03);
    }
    format_field(ds, "nw_ttl", match);
    if (wc->nw_frag) {
        ds_put_cstr(ds, "nw_frag=");
        union mf_value v = { .u64 = f->nw_frag }, m = { .u64 = wc->nw_frag };
        mf_format(mf_from_name("ip_frag"), &v, &m, ds);
        ds_put_char(ds, ',');
    }

    uint8_t proto = exact_proto ? f->nw_proto : 0;
    if (is_ip && proto == IP_PROTO_ICMP) {
        format_field(ds, "icmp_type", match);
        format_field(ds, "icmp_code", match);
    } else if (is_ip && proto == IP_PROTO_ICMPV6) {
        format_field(ds, "icmp_type", match);
        format_field(ds, "icmp_code", match);
        format_field(ds, "nd_target", match);
        format_field(ds, "nd_sll", match);
        format_field(ds, "nd_tll", match);
    } else if (is_ip) {
        /* Without a protocol, ports are bits of an unknown header. */
        format_field(ds, "tp_src", match);
        format_field(ds, "tp_dst", match);
    }

    if (ds->length > start && ds->string[ds->length - 1] == ',') {
        ds_truncate(ds, ds->length - 1);
    }
}

void
match_format(const struct match *match, const struct port_namer *namer,
             struct ds *ds)
{
    format_match(match, namer, false, ds);
}

void
flow_format(const struct flow *flow, const struct port_namer *namer,
            struct ds *ds)
{
    struct match match;
    match_init_exact(&match, flow);
    format_match(&match, namer, true, ds);
}

bool
match_equal(const struct match *a, const struct match *b)
{
    return flow_equal(&a->flow, &b->flow) && flow_equal(&a->wc, &b->wc);
}
