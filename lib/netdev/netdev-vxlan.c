/* The vxlan port class (RFC 7348): an 8-byte header with a 24-bit VNI
 * in a UDP datagram to port 4789.  The rest is netdev-tunnel.c. */
#include <config.h>

#include <netinet/in.h>
#include <string.h>
#include "dp-packet.h"
#include "netdev/netdev-tunnel.h"
#include "vxlan.h"

static size_t
vxlan_header_len(const struct tnl_config *cfg)
{
    return VXLAN_HEADER_LEN;
}

static void
vxlan_push_header(struct netdev_tunnel *port, struct dp_packet *p,
                  uint32_t key)
{
    struct vxlan_header *h = dp_packet_push_uninit(p, sizeof *h);
    memset(h, 0, sizeof *h);
    h->flags = VXLAN_FLAG_VNI;
    h->vni_reserved = htonl(key << 8);
}

/* Reserved bits are ignored, as RFC 7348 says; the I flag must be set. */
static enum tnl_drop
vxlan_pop_header(struct dp_packet *p, uint32_t *key)
{
    if (p->size < sizeof(struct vxlan_header)) {
        return TNL_DROP_SHORT;
    }
    const struct vxlan_header *h = dp_packet_data(p);
    if (!(h->flags & VXLAN_FLAG_VNI)) {
        return TNL_DROP_BAD_HEADER;
    }
    *key = ntohl(h->vni_reserved) >> 8;
    dp_packet_pull(p, sizeof *h);
    return TNL_OK;
}

static const struct tnl_proto vxlan_proto = {
    .rules = {
        .type = "vxlan",
        .default_port = VXLAN_PORT,
        .max_key = VXLAN_MAX_VNI,
    },
    .ip_proto = IPPROTO_UDP,
    .header_len = vxlan_header_len,
    .push_header = vxlan_push_header,
    .pop_header = vxlan_pop_header,
};

static struct netdev *
netdev_vxlan_alloc(void)
{
    return netdev_tunnel_alloc(&vxlan_proto);
}

const struct netdev_class netdev_vxlan_class = {
    .type = "vxlan",
    .alloc = netdev_vxlan_alloc,
    NETDEV_TUNNEL_MEMBERS,
};
