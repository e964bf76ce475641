/* The gre port class: Ethernet over GRE (RFC 2784, "gretap"), with the
 * optional checksum, key and sequence number of RFC 2890, in IP protocol
 * 47 through raw sockets.  The rest is netdev-tunnel.c. */
#include <config.h>

#include <netinet/in.h>
#include <string.h>
#include "dp-packet.h"
#include "gre.h"
#include "netdev/netdev-tunnel.h"
#include "packets.h"

static size_t
gre_header_len(const struct tnl_config *cfg)
{
    return GRE_BASE_LEN + GRE_OPTION_LEN * (cfg->csum + cfg->has_key
                                            + cfg->seq);
}

static void
gre_push_header(struct netdev_tunnel *port, struct dp_packet *p,
                uint32_t key)
{
    const struct tnl_config *cfg = &port->cfg;
    size_t len = gre_header_len(cfg);
    uint8_t *h = dp_packet_push_uninit(p, len);
    struct gre_base_header base = {
        .flags_version = htons((cfg->csum ? GRE_FLAG_CSUM : 0)
                               | (cfg->has_key ? GRE_FLAG_KEY : 0)
                               | (cfg->seq ? GRE_FLAG_SEQ : 0)),
        .protocol = htons(GRE_PROTO_TEB),
    };
    memcpy(h, &base, sizeof base);
    uint8_t *opt = h + sizeof base;
    if (cfg->csum) {
        memset(opt, 0, GRE_OPTION_LEN);     /* Filled in at the end. */
        opt += GRE_OPTION_LEN;
    }
    if (cfg->has_key) {
        be32 k = htonl(key);
        memcpy(opt, &k, sizeof k);
        opt += GRE_OPTION_LEN;
    }
    if (cfg->seq) {
        be32 seq = htonl(__atomic_fetch_add(&port->gre_seq, 1,
                                            __ATOMIC_RELAXED));
        memcpy(opt, &seq, sizeof seq);
    }
    if (cfg->csum) {
        be16 csum = inet_checksum(h, p->size, 0);
        memcpy(h + sizeof base, &csum, sizeof csum);
    }
}

static enum tnl_drop
gre_pop_header(struct dp_packet *p, uint32_t *key)
{
    struct gre_base_header base;
    if (p->size < sizeof base) {
        return TNL_DROP_SHORT;
    }
    memcpy(&base, dp_packet_data(p), sizeof base);
    uint16_t flags = ntohs(base.flags_version);
    if (flags & GRE_FLAGS_UNSUPPORTED) {
        return TNL_DROP_BAD_HEADER;
    }
    if (base.protocol != htons(GRE_PROTO_TEB)) {
        return TNL_DROP_BAD_PROTO;
    }
    bool csum = flags & GRE_FLAG_CSUM, has_key = flags & GRE_FLAG_KEY;
    size_t len = GRE_BASE_LEN + GRE_OPTION_LEN * (csum + has_key
                                                  + !!(flags & GRE_FLAG_SEQ));
    if (p->size < len) {
        return TNL_DROP_SHORT;
    }
    const uint8_t *opt = (const uint8_t *) dp_packet_data(p) + sizeof base;
    if (csum) {
        /* The sum over a packet that holds its checksum is zero. */
        if (inet_checksum(dp_packet_data(p), p->size, 0)) {
            return TNL_DROP_BAD_CSUM;
        }
        opt += GRE_OPTION_LEN;
    }
    *key = 0;
    if (has_key) {
        be32 k;
        memcpy(&k, opt, sizeof k);
        *key = ntohl(k);
    }
    dp_packet_pull(p, len);
    return TNL_OK;
}

static const struct tnl_proto gre_proto = {
    .rules = {
        .type = "gre",
        .max_key = UINT32_MAX,
        .has_seq = true,
    },
    .ip_proto = IPPROTO_GRE,
    .header_len = gre_header_len,
    .push_header = gre_push_header,
    .pop_header = gre_pop_header,
};

static struct netdev *
netdev_gre_alloc(void)
{
    return netdev_tunnel_alloc(&gre_proto);
}

const struct netdev_class netdev_gre_class = {
    .type = "gre",
    .alloc = netdev_gre_alloc,
    NETDEV_TUNNEL_MEMBERS,
};
