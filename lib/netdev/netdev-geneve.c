/* The geneve port class (RFC 8926): an 8-byte header with a 24-bit VNI,
 * then TLV options, in a UDP datagram to port 6081.  Control packets (O
 * bit) are not for a bridge; an option whose type has the critical bit
 * must be understood, and none is yet, so such packets are dropped.
 * The rest is netdev-tunnel.c. */
#include <config.h>

#include <netinet/in.h>
#include <string.h>
#include "dp-packet.h"
#include "geneve.h"
#include "netdev/netdev-tunnel.h"

static size_t
geneve_header_len(const struct tnl_config *cfg)
{
    return GENEVE_HEADER_LEN;
}

static void
geneve_push_header(struct netdev_tunnel *port, struct dp_packet *p,
                   uint32_t key)
{
    struct geneve_header *h = dp_packet_push_uninit(p, sizeof *h);
    memset(h, 0, sizeof *h);
    h->protocol = htons(GENEVE_PROTO_TEB);
    h->vni_reserved = htonl(key << 8);
}

/* Walks the options in 'opts' ('len' bytes): TNL_OK, or why not. */
static enum tnl_drop
geneve_check_options(const uint8_t *opts, size_t len)
{
    while (len) {
        struct geneve_option opt;
        if (len < sizeof opt) {
            return TNL_DROP_BAD_HEADER;
        }
        memcpy(&opt, opts, sizeof opt);
        size_t opt_len = sizeof opt
                         + (opt.flags_len & 0x1f) * GENEVE_OPT_LEN_UNIT;
        if (opt_len > len) {
            return TNL_DROP_BAD_HEADER;
        }
        if (opt.type & GENEVE_OPT_TYPE_CRITICAL) {
            return TNL_DROP_CRITICAL_OPTION;
        }
        opts += opt_len;
        len -= opt_len;
    }
    return TNL_OK;
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
