/* Megaflow matches as text, in the datapath syntax that Open vSwitch's
 * dpctl/dump-flows uses: one group per header, listing only the fields
 * the mask covers, with "/MASK" where it covers part of a field. */
#include <config.h>
#include "dpif/dp-flow.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "dynamic-string.h"
#include "util.h"

/* Builds "name(field=value,...)" one field at a time; nothing at all if
 * no field is added.  'start' is where the whole match began, so that
 * groups after the first get a comma. */
struct group {
    struct ds *ds;
    const char *name;
    bool open;
    size_t start;
};

static void
group_field(struct group *g, const char *field)
{
    if (!g->open) {
        if (g->ds->length > g->start) {
            ds_put_char(g->ds, ',');
        }
        ds_put_format(g->ds, "%s(", g->name);
        g->open = true;
    } else {
        ds_put_char(g->ds, ',');
    }
    ds_put_format(g->ds, "%s=", field);
}

static void
group_close(struct group *g)
{
    if (g->open) {
        ds_put_char(g->ds, ')');
    }
}

static void
put_uint(struct group *g, const char *field, uint64_t value, uint64_t mask,
         uint64_t all, bool hex)
{
    if (!mask) {
        return;
    }
    group_field(g, field);
    if (mask == all) {
        ds_put_format(g->ds, hex ? "0x%llx" : "%llu",
                      (unsigned long long) value);
    } else {
        ds_put_format(g->ds, "0x%llx/0x%llx", (unsigned long long) value,
                      (unsigned long long) mask);
    }
}

static void
put_ipv4(struct group *g, const char *field, be32 value, be32 mask)
{
    if (!mask) {
        return;
    }
    group_field(g, field);
    char buf[INET_ADDRSTRLEN];
    ds_put_cstr(g->ds, inet_ntop(AF_INET, &value, buf, sizeof buf));
    if (mask != UINT32_MAX) {
        ds_put_format(g->ds, "/%s", inet_ntop(AF_INET, &mask, buf,
                                                sizeof buf));
    }
}

static void
put_ipv6(struct group *g, const char *field, const struct in6_addr *value,
         const struct in6_addr *mask)
{
    if (ipv6_is_zero(mask)) {
        return;
    }
    group_field(g, field);
    char buf[INET6_ADDRSTRLEN];
    ds_put_cstr(g->ds, inet_ntop(AF_INET6, value, buf, sizeof buf));
    struct in6_addr all;
    memset(&all, 0xff, sizeof all);
    if (memcmp(mask, &all, sizeof all)) {
        ds_put_format(g->ds, "/%s", inet_ntop(AF_INET6, mask, buf,
                                                sizeof buf));
    }
}

static void
put_eth(struct group *g, const char *field, struct eth_addr value,
        struct eth_addr mask)
{
    if (eth_addr_is_zero(mask)) {
        return;
    }
    group_field(g, field);
    ds_put_format(g->ds, ETH_ADDR_FMT, ETH_ADDR_ARGS(value));
    if (!eth_addr_is_broadcast(mask)) {
        ds_put_format(g->ds, "/" ETH_ADDR_FMT, ETH_ADDR_ARGS(mask));
    }
}

static void
put_frag(struct group *g, uint8_t value, uint8_t mask)
{
    if (!mask) {
        return;
    }
    group_field(g, "frag");
    ds_put_cstr(g->ds, (!(value & FLOW_NW_FRAG_ANY) ? "no"
                        : !(mask & FLOW_NW_FRAG_LATER) ? "yes"
                        : value & FLOW_NW_FRAG_LATER ? "later" : "first"));
}

static void
format_vlan(struct ds *ds, size_t start, const struct flow_vlan *key,
            const struct flow_vlan *mask)
{
    uint16_t tci = ntohs(key->tci), m = ntohs(mask->tci);
    if (!m) {
        return;
    }
    struct group g = { ds, "vlan", false, start };
    if ((m & VLAN_CFI) && !(tci & VLAN_CFI)) {
        group_field(&g, "none");
        ds_truncate(ds, ds->length - 1);    /* "none", not "none=". */
    } else {
        if (mask->tpid && key->tpid != htons(ETH_TYPE_VLAN_8021Q)) {
            put_uint(&g, "tpid", ntohs(key->tpid), 0xffff, 0xffff, true);
        }
        put_uint(&g, "vid", tci & VLAN_VID_MASK, m & VLAN_VID_MASK,
                 VLAN_VID_MASK, false);
        put_uint(&g, "pcp", tci >> VLAN_PCP_SHIFT, m >> VLAN_PCP_SHIFT, 7,
                 false);
    }
    group_close(&g);
}

static void
format_l4(struct ds *ds, size_t start, const struct flow *k,
          const struct flow *m)
{
    const char *name = (k->nw_proto == IP_PROTO_TCP ? "tcp"
                        : k->nw_proto == IP_PROTO_UDP ? "udp"
                        : k->nw_proto == IP_PROTO_SCTP ? "sctp"
                        : k->nw_proto == IP_PROTO_ICMP ? "icmp"
                        : k->nw_proto == IP_PROTO_ICMPV6 ? "icmpv6"
                        : "l4");
    bool icmp = k->nw_proto == IP_PROTO_ICMP
                || k->nw_proto == IP_PROTO_ICMPV6;
    struct group g = { ds, name, false, start };
    put_uint(&g, icmp ? "type" : "src", ntohs(k->tp_src), ntohs(m->tp_src),
             icmp ? 0xff : 0xffff, false);
    put_uint(&g, icmp ? "code" : "dst", ntohs(k->tp_dst), ntohs(m->tp_dst),
             icmp ? 0xff : 0xffff, false);
    group_close(&g);

    if (k->nw_proto == IP_PROTO_ICMPV6) {
        struct group nd = { ds, "nd", false, start };
        put_ipv6(&nd, "target", &k->nd_target, &m->nd_target);
        put_eth(&nd, "sll", k->arp_sha, m->arp_sha);
        put_eth(&nd, "tll", k->arp_tha, m->arp_tha);
        group_close(&nd);
    }
}

void
dp_flow_format_match(const struct flow *k, const struct flow *m,
                     const char *(*port_name)(odp_port_t, void *aux),
                     void *aux, struct ds *ds)
{
    size_t start = ds->length;
    struct group tnl = { ds, "tunnel", false, start };
    put_uint(&tnl, "tun_id", be64toh(k->tun_id), be64toh(m->tun_id),
             UINT64_MAX, true);
    put_ipv4(&tnl, "src", k->tun_src, m->tun_src);
    put_ipv4(&tnl, "dst", k->tun_dst, m->tun_dst);
    put_ipv6(&tnl, "ipv6_src", &k->tun_ipv6_src, &m->tun_ipv6_src);
    put_ipv6(&tnl, "ipv6_dst", &k->tun_ipv6_dst, &m->tun_ipv6_dst);
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        char name[32];
        snprintf(name, sizeof name, "tun_metadata%d", i);
        put_uint(&tnl, name, be64toh(k->tun_metadata[i]),
                 be64toh(m->tun_metadata[i]), UINT64_MAX, true);
    }
    group_close(&tnl);
    if (m->in_port) {
        const char *name = port_name ? port_name(k->in_port, aux) : NULL;
        if (ds->length > start) {
            ds_put_char(ds, ',');
        }
        if (name) {
            ds_put_format(ds, "in_port(%s)", name);
        } else {
            ds_put_format(ds, "in_port(%u)", k->in_port);
        }
    }

    struct group eth = { ds, "eth", false, start };
    put_eth(&eth, "src", k->dl_src, m->dl_src);
    put_eth(&eth, "dst", k->dl_dst, m->dl_dst);
    group_close(&eth);
    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        format_vlan(ds, start, &k->vlans[i], &m->vlans[i]);
    }
    if (m->dl_type) {
        ds_put_format(ds, "%seth_type(0x%04x)", ds->length > start ? "," : "",
                      ntohs(k->dl_type));
    }

    uint16_t dl_type = m->dl_type ? ntohs(k->dl_type) : 0;
    if (dl_type == ETH_TYPE_ARP) {
        struct group g = { ds, "arp", false, start };
        put_ipv4(&g, "sip", k->nw_src, m->nw_src);
        put_ipv4(&g, "tip", k->nw_dst, m->nw_dst);
        put_uint(&g, "op", k->nw_proto, m->nw_proto, 0xff, false);
        put_eth(&g, "sha", k->arp_sha, m->arp_sha);
        put_eth(&g, "tha", k->arp_tha, m->arp_tha);
        group_close(&g);
        return;
    }

    bool v6 = dl_type == ETH_TYPE_IPV6;
    struct group ip = { ds, v6 ? "ipv6" : dl_type == ETH_TYPE_IP ? "ipv4"
                                                                 : "l3",
                        false, start };
    if (v6) {
        put_ipv6(&ip, "src", &k->ipv6_src, &m->ipv6_src);
        put_ipv6(&ip, "dst", &k->ipv6_dst, &m->ipv6_dst);
        put_uint(&ip, "label", ntohl(k->ipv6_label), ntohl(m->ipv6_label),
                 0xfffff, true);
    } else {
        put_ipv4(&ip, "src", k->nw_src, m->nw_src);
        put_ipv4(&ip, "dst", k->nw_dst, m->nw_dst);
    }
    put_uint(&ip, "proto", k->nw_proto, m->nw_proto, 0xff, false);
    put_uint(&ip, v6 ? "tclass" : "tos", k->nw_tos, m->nw_tos, 0xff, true);
    put_uint(&ip, v6 ? "hlimit" : "ttl", k->nw_ttl, m->nw_ttl, 0xff, false);
    put_frag(&ip, k->nw_frag, m->nw_frag);
    group_close(&ip);

    if (m->tp_src || m->tp_dst || !ipv6_is_zero(&m->nd_target)
        || !eth_addr_is_zero(m->arp_sha) || !eth_addr_is_zero(m->arp_tha)) {
        format_l4(ds, start, k, m);
    }
}
