/* The geneve port class (RFC 8926): an 8-byte header with a 24-bit VNI,
 * then TLV options, in a UDP datagram to port 6081.  Control packets (O
 * bit) are not for a bridge.  The bridge's TLV map (tlv-map.h) says
 * which options are understood: they become tunnel metadata that rules
 * can match and set; a packet with an option that is not understood but
 * has the critical bit is dropped.  The rest is netdev-tunnel.c. */
#include <config.h>

#include <netinet/in.h>
#include <string.h>
#include "dp-packet.h"
#include "geneve.h"
#include "netdev/netdev-tunnel.h"
#include "rcu.h"
#include "tlv-map.h"

static size_t
geneve_header_len(const struct tnl_config *cfg)
{
    return GENEVE_HEADER_LEN;
}

/* Options for the fields of 'md' that the map names, in slot order:
 * their total length, written at 'opts' if it is not NULL.  Sets
 * '*critical' if one has the critical bit. */
static size_t
geneve_put_options(const struct tlv_map *map, const struct pkt_metadata *md,
                   uint8_t *opts, bool *critical)
{
    size_t len = 0;
    uint8_t present = map ? md->tun_metadata_present & map->used : 0;
    for (int i = 0; present && i < TUN_METADATA_SLOTS; i++) {
        if (!(present & (1u << i))) {
            continue;
        }
        const struct tlv_map_entry *e = &map->slots[i];
        if (opts) {
            struct geneve_option opt = {
                .opt_class = htons(e->opt_class),
                .type = e->type,
                .flags_len = e->len / GENEVE_OPT_LEN_UNIT,
            };
            memcpy(opts + len, &opt, sizeof opt);
            /* The field's low 'len' bytes, big-endian. */
            memcpy(opts + len + sizeof opt,
                   (const uint8_t *) &md->tun_metadata[i] + 8 - e->len,
                   e->len);
        }
        *critical |= (e->type & GENEVE_OPT_TYPE_CRITICAL) != 0;
        len += sizeof(struct geneve_option) + e->len;
    }
    return len;
}

static void
geneve_push_header(struct netdev_tunnel *port, struct dp_packet *p,
                   uint32_t key)
{
    const struct tlv_map *map = rcu_get(port->tlv_map);
    bool critical = false;
    size_t opts_len = geneve_put_options(map, &p->md, NULL, &critical);
    struct geneve_header *h = dp_packet_push_uninit(p, sizeof *h + opts_len);
    memset(h, 0, sizeof *h);
    h->ver_opt_len = opts_len / GENEVE_OPT_LEN_UNIT;
    h->flags = critical ? GENEVE_FLAG_CRITICAL : 0;
    h->protocol = htons(GENEVE_PROTO_TEB);
    h->vni_reserved = htonl(key << 8);
    geneve_put_options(map, &p->md, (uint8_t *) (h + 1), &critical);
}

/* Steps through options: the one at '*opts' ('*len' bytes left) into
 * '*opt' and '*data', moving past it.  Returns false at the end, and
 * sets '*bad' if an option runs past it. */
static bool
geneve_next_option(const uint8_t **opts, size_t *len,
                   struct geneve_option *opt, const uint8_t **data,
                   size_t *data_len, bool *bad)
{
    *bad = false;
    if (!*len) {
        return false;
    }
    if (*len < sizeof *opt) {
        *bad = true;
        return false;
    }
    memcpy(opt, *opts, sizeof *opt);
    *data = *opts + sizeof *opt;
    *data_len = (opt->flags_len & 0x1f) * GENEVE_OPT_LEN_UNIT;
    if (sizeof *opt + *data_len > *len) {
        *bad = true;
        return false;
    }
    *opts += sizeof *opt + *data_len;
    *len -= sizeof *opt + *data_len;
    return true;
}

/* Checks that the options in 'opts' ('len' bytes) fit. */
static enum tnl_drop
geneve_check_options(const uint8_t *opts, size_t len)
{
    struct geneve_option opt;
    const uint8_t *data;
    size_t data_len;
    bool bad;
    while (geneve_next_option(&opts, &len, &opt, &data, &data_len, &bad)) {
        continue;
    }
    return bad ? TNL_DROP_BAD_HEADER : TNL_OK;
}

static enum tnl_drop
geneve_pop_header(struct dp_packet *p, uint32_t *key)
{
    if (p->size < sizeof(struct geneve_header)) {
        return TNL_DROP_SHORT;
    }
    const struct geneve_header *h = dp_packet_data(p);
    size_t opts_len = (h->ver_opt_len & 0x3f) * GENEVE_OPT_LEN_UNIT;
    if ((h->ver_opt_len >> 6) != GENEVE_VERSION) {
        return TNL_DROP_BAD_HEADER;
    }
    if (p->size < sizeof *h + opts_len) {
        return TNL_DROP_SHORT;
    }
    if (h->protocol != htons(GENEVE_PROTO_TEB)) {
        return TNL_DROP_BAD_PROTO;
    }
    if (h->flags & GENEVE_FLAG_OAM) {
        *key = ntohl(h->vni_reserved) >> 8;   /* So the port counts it. */
        return TNL_DROP_OAM;
    }
    enum tnl_drop reason = geneve_check_options((const uint8_t *) (h + 1),
                                                opts_len);
    if (reason) {
        return reason;
    }
    *key = ntohl(h->vni_reserved) >> 8;
    dp_packet_pull(p, sizeof *h + opts_len);
    return TNL_OK;
}

/* The options that the port's map names become tunnel metadata; an
 * unnamed one with the critical bit drops the packet (RFC 8926 3.5).
 * geneve_pop_header() has checked the lengths. */
static enum tnl_drop
geneve_read_options(const struct netdev_tunnel *port, struct dp_packet *p,
                    const void *header)
{
    const struct geneve_header *h = header;
    const uint8_t *opts = (const uint8_t *) (h + 1);
    size_t len = (h->ver_opt_len & 0x3f) * GENEVE_OPT_LEN_UNIT;
    const struct tlv_map *map = rcu_get(port->tlv_map);
    struct geneve_option opt;
    const uint8_t *data;
    size_t data_len;
    bool bad;
    while (geneve_next_option(&opts, &len, &opt, &data, &data_len, &bad)) {
        int slot = (map
                    ? tlv_map_find(map, ntohs(opt.opt_class), opt.type,
                                   data_len)
                    : -1);
        if (slot >= 0) {
            be64 value = 0;
            memcpy((uint8_t *) &value + 8 - data_len, data, data_len);
            p->md.tun_metadata[slot] = value;
            p->md.tun_metadata_present |= 1u << slot;
        } else if (opt.type & GENEVE_OPT_TYPE_CRITICAL) {
            return TNL_DROP_CRITICAL_OPTION;
        }
    }
    return TNL_OK;
}

static const struct tnl_proto geneve_proto = {
    .rules = {
        .type = "geneve",
        .default_port = GENEVE_PORT,
        .max_key = GENEVE_MAX_VNI,
    },
    .ip_proto = IPPROTO_UDP,
    .header_len = geneve_header_len,
    .push_header = geneve_push_header,
    .pop_header = geneve_pop_header,
    .read_options = geneve_read_options,
};

static struct netdev *
netdev_geneve_alloc(void)
{
    return netdev_tunnel_alloc(&geneve_proto);
}

const struct netdev_class netdev_geneve_class = {
    .type = "geneve",
    .alloc = netdev_geneve_alloc,
    NETDEV_TUNNEL_MEMBERS,
};
