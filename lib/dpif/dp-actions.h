/* Datapath actions: what the datapath does with a packet once the
 * translation layer has decided.  A short list, executed in order on
 * the packet as the earlier actions left it: "push_vlan(vid=10),2,
 * pop_vlan,3" sends port 2 a tagged copy and port 3 an untagged one.
 * An empty list drops; a list may say why with a drop action, so that
 * every drop is counted under its reason. */
#ifndef DP_ACTIONS_H
#define DP_ACTIONS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "packets.h"

struct ds;

typedef uint32_t odp_port_t;
enum { ODPP_NONE = UINT32_MAX };

enum dp_action_type {
    DP_ACTION_OUTPUT,           /* Send a copy to 'port'. */
    DP_ACTION_PUSH_VLAN,        /* Push a tag ('tpid', 'tci'). */
    DP_ACTION_POP_VLAN,         /* Remove the outermost tag. */
    DP_ACTION_SET_ETH_SRC,      /* 'mac'. */
    DP_ACTION_SET_ETH_DST,
    DP_ACTION_SET_IPV4_SRC,     /* 'ipv4', fixing checksums. */
    DP_ACTION_SET_IPV4_DST,
    DP_ACTION_SET_TUNNEL,       /* Metadata for a tunnel port: 'tunnel'. */
    DP_ACTION_SET_TUN_METADATA, /* One Geneve option: 'tun_metadata'. */
    DP_ACTION_DROP,             /* Count the drop under 'reason'. */
};

/* Why a packet was dropped on purpose, for coverage/show. */
enum dp_drop_reason {
    DP_DROP_RULE,               /* An OpenFlow rule said so. */
    DP_DROP_TABLE_MISS,         /* No OpenFlow rule matched. */
    DP_DROP_NO_OUTPUT,          /* Nowhere to go but back in. */
    DP_DROP_VLAN_FILTERED,      /* VLAN not allowed on the input port. */
    DP_DROP_RESERVED_MCAST,     /* 01:80:c2:00:00:0x. */
    DP_DROP_MCAST_SOURCE,       /* Source MAC is multicast. */
    DP_DROP_INPUT_DISABLED,     /* Input port is not forwarding. */
    DP_DROP_MALFORMED,          /* Could not parse enough to decide. */
    DP_DROP_TRANSLATION,        /* Translation error (loop, depth). */
    DP_N_DROP_REASONS
};

const char *dp_drop_reason_to_string(enum dp_drop_reason);

struct dp_action {
    enum dp_action_type type;
    union {
        odp_port_t port;
        struct {
            be16 tpid;
            be16 tci;           /* Without VLAN_CFI. */
        } vlan;
        struct eth_addr mac;
        be32 ipv4;
        struct {
            be64 tun_id;
            be32 src;
            be32 dst;
        } tunnel;
        struct {
            be64 value;
            uint8_t slot;       /* tun_metadataN. */
            bool present;       /* False: the option goes away. */
        } tun_metadata;
        enum dp_drop_reason reason;
    };
};

struct dp_actions {
    struct dp_action *actions;
    size_t n, allocated;
};

void dp_actions_init(struct dp_actions *);
void dp_actions_destroy(struct dp_actions *);
void dp_actions_clear(struct dp_actions *);
void dp_actions_clone(struct dp_actions *dst, const struct dp_actions *src);
bool dp_actions_equal(const struct dp_actions *, const struct dp_actions *);

void dp_actions_add_output(struct dp_actions *, odp_port_t);
void dp_actions_add_push_vlan(struct dp_actions *, be16 tpid, be16 tci);
void dp_actions_add_pop_vlan(struct dp_actions *);
void dp_actions_add_set_eth(struct dp_actions *, bool src,
                            struct eth_addr);
void dp_actions_add_set_ipv4(struct dp_actions *, bool src, be32 addr);
void dp_actions_add_set_tunnel(struct dp_actions *, be64 tun_id, be32 src,
                               be32 dst);
void dp_actions_add_set_tun_metadata(struct dp_actions *, int slot,
                                     bool present, be64 value);
void dp_actions_add_drop(struct dp_actions *, enum dp_drop_reason);

/* True if the list sends nothing anywhere. */
bool dp_actions_drops(const struct dp_action *, size_t n);

/* Appends the list as dpctl/dump-flows shows it ("2,3", "drop",
 * "push_vlan(vid=10,pcp=0),2").  'port_name' may map port numbers to
 * names (returns NULL to print the number). */
void dp_actions_format(const struct dp_action *, size_t n,
                       const char *(*port_name)(odp_port_t, void *aux),
                       void *aux, struct ds *);

#endif /* dp-actions.h */
