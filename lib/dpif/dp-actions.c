#include <config.h>
#include "dpif/dp-actions.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "util.h"

const char *
dp_drop_reason_to_string(enum dp_drop_reason reason)
{
    switch (reason) {
    case DP_DROP_RULE:
        return "rule";
    case DP_DROP_TABLE_MISS:
        return "table_miss";
    case DP_DROP_NO_OUTPUT:
        return "no_output";
    case DP_DROP_VLAN_FILTERED:
        return "vlan_filtered";
    case DP_DROP_RESERVED_MCAST:
        return "reserved_multicast";
    case DP_DROP_MCAST_SOURCE:
        return "multicast_source";
    case DP_DROP_INPUT_DISABLED:
        return "input_disabled";
    case DP_DROP_MALFORMED:
        return "malformed";
    case DP_DROP_TRANSLATION:
        return "translation_error";
    case DP_N_DROP_REASONS:
        break;
    }
    return "unknown";
}

void
dp_actions_init(struct dp_actions *actions)
{
    actions->actions = NULL;
    actions->n = actions->allocated = 0;
}

void
dp_actions_destroy(struct dp_actions *actions)
{
    free(actions->actions);
    dp_actions_init(actions);
}

void
dp_actions_clear(struct dp_actions *actions)
{
    actions->n = 0;
}

void
dp_actions_clone(struct dp_actions *dst, const struct dp_actions *src)
{
    dp_actions_init(dst);
    if (src->n) {
        dst->actions = xmemdup(src->actions, src->n * sizeof *src->actions);
        dst->n = dst->allocated = src->n;
    }
}

bool
dp_actions_equal(const struct dp_actions *a, const struct dp_actions *b)
{
    return a->n == b->n && (!a->n || !memcmp(a->actions, b->actions,
                                             a->n * sizeof *a->actions));
}

/* A new, zeroed action (padding too, so that lists compare with
 * memcmp()). */
static struct dp_action *
dp_actions_put(struct dp_actions *actions, enum dp_action_type type)
{
    actions->actions = x2nrealloc(actions->actions, &actions->allocated,
                                  actions->n + 1, sizeof *actions->actions);
    struct dp_action *a = &actions->actions[actions->n++];
    memset(a, 0, sizeof *a);
    a->type = type;
    return a;
}

void
dp_actions_add_output(struct dp_actions *actions, odp_port_t port)
{
    dp_actions_put(actions, DP_ACTION_OUTPUT)->port = port;
}

void
dp_actions_add_push_vlan(struct dp_actions *actions, be16 tpid, be16 tci)
{
    struct dp_action *a = dp_actions_put(actions, DP_ACTION_PUSH_VLAN);
    a->vlan.tpid = tpid;
    a->vlan.tci = tci & ~htons(VLAN_CFI);
}

void
dp_actions_add_pop_vlan(struct dp_actions *actions)
{
    dp_actions_put(actions, DP_ACTION_POP_VLAN);
}

void
dp_actions_add_set_eth(struct dp_actions *actions, bool src,
                       struct eth_addr mac)
{
    dp_actions_put(actions, src ? DP_ACTION_SET_ETH_SRC
                                : DP_ACTION_SET_ETH_DST)->mac = mac;
}

void
dp_actions_add_set_ipv4(struct dp_actions *actions, bool src, be32 addr)
{
    dp_actions_put(actions, src ? DP_ACTION_SET_IPV4_SRC
                                : DP_ACTION_SET_IPV4_DST)->ipv4 = addr;
}

void
dp_actions_add_set_tunnel(struct dp_actions *actions, be64 tun_id,
                          be32 src, be32 dst)
{
    struct dp_action *a = dp_actions_put(actions, DP_ACTION_SET_TUNNEL);
    a->tunnel.tun_id = tun_id;
    a->tunnel.src = src;
    a->tunnel.dst = dst;
}

void
dp_actions_add_set_tun_metadata(struct dp_actions *actions, int slot,
                                bool present, be64 value)
{
    struct dp_action *a = dp_actions_put(actions,
                                         DP_ACTION_SET_TUN_METADATA);
    a->tun_metadata.slot = slot;
    a->tun_metadata.present = present;
    a->tun_metadata.value = present ? value : 0;
}

void
dp_actions_add_drop(struct dp_actions *actions, enum dp_drop_reason reason)
{
    dp_actions_put(actions, DP_ACTION_DROP)->reason = reason;
}

bool
dp_actions_drops(const struct dp_action *actions, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (actions[i].type == DP_ACTION_OUTPUT) {
            return false;
        }
    }
    return true;
}

static void
format_ipv4(be32 ip, struct ds *ds)
{
    uint32_t h = ntohl(ip);
    ds_put_format(ds, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff,
                  (h >> 8) & 0xff, h & 0xff);
}

void
dp_actions_format(const struct dp_action *actions, size_t n,
                  const char *(*port_name)(odp_port_t, void *aux), void *aux,
                  struct ds *ds)
{
    if (!n) {
        ds_put_cstr(ds, "drop");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct dp_action *a = &actions[i];
        if (i) {
            ds_put_char(ds, ',');
        }
        switch (a->type) {
        case DP_ACTION_OUTPUT: {
            const char *name = port_name ? port_name(a->port, aux) : NULL;
            if (name) {
                ds_put_cstr(ds, name);
            } else {
                ds_put_format(ds, "%u", a->port);
            }
            break;
        }
        case DP_ACTION_PUSH_VLAN: {
            uint16_t tci = ntohs(a->vlan.tci);
            if (a->vlan.tpid != htons(ETH_TYPE_VLAN_8021Q)) {
                ds_put_format(ds, "push_vlan(tpid=0x%04x,vid=%u,pcp=%u)",
                              ntohs(a->vlan.tpid), tci & VLAN_VID_MASK,
                              tci >> VLAN_PCP_SHIFT);
            } else {
                ds_put_format(ds, "push_vlan(vid=%u,pcp=%u)",
                              tci & VLAN_VID_MASK, tci >> VLAN_PCP_SHIFT);
            }
            break;
        }
        case DP_ACTION_POP_VLAN:
            ds_put_cstr(ds, "pop_vlan");
            break;
        case DP_ACTION_SET_ETH_SRC:
        case DP_ACTION_SET_ETH_DST:
            ds_put_format(ds, "set(eth(%s=" ETH_ADDR_FMT "))",
                          a->type == DP_ACTION_SET_ETH_SRC ? "src" : "dst",
                          ETH_ADDR_ARGS(a->mac));
            break;
        case DP_ACTION_SET_IPV4_SRC:
        case DP_ACTION_SET_IPV4_DST:
            ds_put_format(ds, "set(ipv4(%s=",
                          a->type == DP_ACTION_SET_IPV4_SRC ? "src" : "dst");
            format_ipv4(a->ipv4, ds);
            ds_put_cstr(ds, "))");
            break;
        case DP_ACTION_SET_TUNNEL:
            ds_put_format(ds, "set(tunnel(tun_id=0x%llx",
                          (unsigned long long) be64toh(a->tunnel.tun_id));
            if (a->tunnel.src) {
                ds_put_cstr(ds, ",src=");
                format_ipv4(a->tunnel.src, ds);
            }
            if (a->tunnel.dst) {
                ds_put_cstr(ds, ",dst=");
                format_ipv4(a->tunnel.dst, ds);
            }
            ds_put_cstr(ds, "))");
            break;
        case DP_ACTION_SET_TUN_METADATA:
            if (a->tun_metadata.present) {
                ds_put_format(ds, "set(tun_metadata%d=0x%llx)",
                              a->tun_metadata.slot, (unsigned long long)
                              be64toh(a->tun_metadata.value));
            } else {
                ds_put_format(ds, "set(tun_metadata%d=none)",
                              a->tun_metadata.slot);
            }
            break;
        case DP_ACTION_DROP:
            ds_put_format(ds, "drop(%s)",
                          dp_drop_reason_to_string(a->reason));
            break;
        }
    }
}
