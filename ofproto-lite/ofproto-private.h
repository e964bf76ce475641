/* ofproto-lite's insides, shared by its files.
 *
 * Two views of the bridges exist.  The main thread's (struct ofproto,
 * struct ofport) is what configuration changes; translation, which runs
 * on datapath threads, reads an immutable copy (struct xcfg: xbridges
 * and xports) that the main thread rebuilds and publishes with RCU after
 * every change, and each bridge's rule tables, published per table. */
#ifndef OFPROTO_PRIVATE_H
#define OFPROTO_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "dpif/dp-actions.h"
#include "hmap.h"
#include "ofproto-lite/ofp-actions.h"
#include "ofproto-lite/ofproto.h"
#include "tlv-map.h"

struct ds;
struct mac_learning;
struct rule;
struct rule_table;

struct ofport {
    struct hmap_node ofp_node;  /* In struct ofproto's 'ports'. */
    struct hmap_node odp_node;  /* In 'all_ports', by datapath port. */
    struct ofproto *ofproto;
    struct netdev *netdev;
    ofp_port_t ofp_port;
    odp_port_t odp_port;
    struct ofproto_port_vlan vlan;
    uint64_t *trunks;           /* Bitmap of 4096 VLANs, or NULL: all. */
};

struct ofproto {
    struct hmap_node node;      /* In 'all_ofprotos'. */
    char *name;
    struct dpif *dpif;
    struct hmap ports;          /* struct ofport, by OpenFlow number. */
    struct ofport **sorted;     /* The same, by ascending number. */
    size_t n_sorted, allocated_sorted;
    struct mac_learning *ml;
    uint64_t ml_seq;            /* mac_learning_seq() last revalidated. */

    /* The rules, per table: the main thread's set (struct rule_node by
     * match and priority) and the published lookup table. */
    struct hmap rules[OFP_N_TABLES];
    struct rule_table *tables[OFP_N_TABLES];   /* RCU; NULL if empty. */

    struct tlv_map tlv_map;     /* Geneve options as tun_metadataN; each
                                 * port has a copy (netdev_set_tlv_map). */

    /* The bridge's part of the translation view, as last built (one
     * reference), and whether its ports have changed since. */
    struct xbridge *xbridge;
    bool xbridge_stale;
    bool destroying;            /* Out of the view, its ports going. */
};

/* A rule in its table's 'rules' set. */
struct rule_node {
    struct hmap_node node;
    struct rule *rule;
};

extern struct hmap all_ofprotos;

/* ofproto.c */
struct ofproto *ofproto_lookup(const char *name);
struct dpif *ofproto_dpif(void);
struct ofport *ofport_from_ofp(const struct ofproto *, ofp_port_t);
struct ofport *ofport_from_name(const struct ofproto *, const char *name);
/* Port names for flows: with 'names_out', printing uses names too. */
struct port_namer ofproto_port_namer(const struct ofproto *, bool names_out);
/* Asks for every megaflow to be checked against the current rules,
 * ports and MAC tables, soon.  Any thread. */
void ofproto_request_revalidate(void);
/* Wakes the main thread to look at what changed (MAC tables). */
void ofproto_wake(void);
/* Main thread: revalidates now if that was asked for. */
void ofproto_revalidate_if_needed(void);

/* Replaces the bridge's TLV map and gives its ports the new one. */
void ofproto_set_tlv_map(struct ofproto *, const struct tlv_map *);

/* ofproto-unixctl.c: the bridge called 'name', or NULL after replying
 * with an error to 'conn'. */
struct unixctl_conn;
struct ofproto *ofproto_unixctl_find_bridge(struct unixctl_conn *,
                                            const char *name);

/* ofproto-tlv.c: the "ofctl/" commands on TLV maps. */
void ofproto_tlv_init(void);
/* NULL if 'fm' uses only tun_metadataN fields that the bridge maps, or
 * an error message to free(). */
struct ofp_flow_mod;
char *ofproto_check_tlv_fields(const struct ofproto *,
                               const struct ofp_flow_mod *);

/* ofproto-flows.c: the rule tables. */
struct ofp_flow_mod;
void ofproto_add_default_rule(struct ofproto *);
/* Applies 'fm'.  Returns NULL, or an error message to free(). */
char *ofproto_flow_mod(struct ofproto *, struct ofp_flow_mod *fm);
void ofproto_flush_rules(struct ofproto *);
void ofproto_expire_rules(struct ofproto *, long long now);
/* Calls 'cb' for each rule that 'filter' (a dump) selects, by table,
 * then priority (highest first). */
void ofproto_for_each_rule(struct ofproto *, const struct ofp_flow_mod *filter,
                           void (*cb)(struct rule *, void *aux), void *aux);

/* revalidator.c */

/* Which MAC table entries changed, in which bridges. */
struct mac_change_set {
    struct hmap entries;        /* struct mac_change_node. */
};
void mac_change_set_init(struct mac_change_set *);
void mac_change_set_destroy(struct mac_change_set *);
void mac_change_set_add(struct mac_change_set *, const struct ofproto *,
                        struct eth_addr, uint16_t vlan);
bool mac_change_set_contains(const struct mac_change_set *,
                             const struct ofproto *, struct eth_addr,
                             uint16_t vlan);

enum revalidate_scope {
    REVALIDATE_NONE,            /* Statistics and idle expiry only. */
    REVALIDATE_MACS,            /* Also megaflows that depend on changed
                                 * MAC table entries. */
    REVALIDATE_ALL,             /* Also every other megaflow. */
};

/* Credits megaflow statistics to rules and MAC entries, deletes
 * megaflows idle for 'max_idle' ms and, as 'scope' says, translates the
 * rest again ('macs' for REVALIDATE_MACS), fixing or deleting those
 * whose decision changed. */
void revalidator_run(struct dpif *, enum revalidate_scope,
                     const struct mac_change_set *macs, long long now,
                     unsigned int max_idle);

/* ofproto-unixctl.c, trace.c */
void ofproto_unixctl_init(void);
void ofproto_trace_init(void);

/* The translation view. */

struct xport {
    uint32_t ofp_port;
    odp_port_t odp_port;
    const char *name;           /* In its xbridge's 'names'. */
    struct xbridge *xbridge;
    enum port_vlan_mode vlan_mode;
    int tag;                    /* -1: none. */
    uint64_t *trunks;           /* NULL: all VLANs. */
};

/* A bridge's translation view.  One that did not change is shared by
 * successive views, so a change to one bridge costs what that bridge
 * has, not what all have. */
struct xbridge {
    unsigned int refcount;      /* Atomic: views free it after RCU. */
    char *name;
    struct ofproto *ofproto;    /* For its tables and MAC table. */
    struct xport **ports;       /* By OpenFlow number, ascending. */
    size_t n_ports;
    struct xport *xports;       /* What 'ports' points to, in one block. */
    char *names;                /* The ports' names, in one block. */
};

struct xcfg {
    struct xport **by_odp;      /* Indexed by datapath port. */
    size_t n_odp;
    struct xbridge **bridges;
    size_t n_bridges;
};

/* Main thread: publishes a new translation view, rebuilding the bridges
 * marked 'xbridge_stale' (and new ones), or (at exit) withdraws it. */
void xcfg_update(void);
void xcfg_clear(void);
/* Drops a reference taken by xcfg_update() (ofproto->xbridge). */
void xbridge_unref(struct xbridge *);
/* The current view, valid until the next quiescent state. */
const struct xcfg *xcfg_get(void);
const struct xport *xcfg_port_by_odp(const struct xcfg *, odp_port_t);
const struct xport *xbridge_port(const struct xbridge *, uint32_t ofp_port);
const struct xbridge *xcfg_bridge(const struct xcfg *, const char *name);

static inline bool
vlan_bitmap_has(const uint64_t *bitmap, uint16_t vlan)
{
    return !bitmap || (bitmap[vlan / 64] >> (vlan % 64)) & 1;
}

/* What a translation touched, kept with its megaflow so that the
 * revalidator can credit rules and refresh MAC learning as packets
 * keep hitting the megaflow. */
struct xcache {
    size_t n_rules;
    const struct rule **rules;  /* Each holds a reference. */
    struct ofproto *learn_ofproto;  /* Non-null if NORMAL learned... */
    struct eth_addr learn_mac;      /* ...this source... */
    uint16_t learn_vlan;            /* ...in this VLAN... */
    uint32_t learn_port;            /* ...on this OpenFlow port. */
    /* The MAC table lookups of NORMAL, so that a change to an address
     * revalidates only the megaflows that looked it up. */
    struct ofproto *lookup_ofproto; /* Non-null if NORMAL looked up... */
    struct eth_addr lookup_mac;     /* ...this destination... */
    uint16_t lookup_vlan;           /* ...in this VLAN. */
    bool many_lookups;              /* More than one: any change counts. */
};

void xcache_free(void *xcache);

/* Translation. */

struct xlate_in {
    const struct flow *flow;    /* in_port: a datapath port. */
    bool may_learn;             /* Update MAC learning (real packets). */
    long long now;
    struct ds *trace;           /* Explain into this, if nonnull. */
};

struct xlate_out {
    struct dp_actions actions;
    struct flow wc;             /* Bits of the flow looked at. */
    struct xcache *xcache;      /* If nonnull on entry: filled in. */
    bool no_install;            /* Do not cache (learning was busy). */
    bool mac_changed;           /* Learned a new address or a move. */
    struct flow final_flow;     /* The flow after header changes. */
};

/* Translates 'xin' into 'xout', whose 'actions' must be initialized and
 * 'wc' zeroed.  Runs on any thread, in an RCU read-side section. */
void xlate(const struct xlate_in *, struct xlate_out *);

/* Per-packet state of a translation, shared with NORMAL. */
struct xlate_ctx {
    const struct xlate_in *xin;
    struct xlate_out *xout;
    const struct xbridge *xbridge;
    struct flow flow;           /* As the actions have changed it. */
    struct flow base;           /* As the datapath actions leave it. */
    uint32_t dirty;             /* XLATE_DIRTY_*: fields to commit. */
    int depth;                  /* Resubmit nesting. */
    int trace_depth;            /* Indentation of the trace. */
    uint8_t table_id;
    bool error;
};

enum {
    XLATE_DIRTY_ETH_SRC = 1 << 0,
    XLATE_DIRTY_ETH_DST = 1 << 1,
    XLATE_DIRTY_IPV4_SRC = 1 << 2,
    XLATE_DIRTY_IPV4_DST = 1 << 3,
    XLATE_DIRTY_TUNNEL = 1 << 4,
};

/* Emits the header changes pending in 'ctx', then output to 'xport'. */
void xlate_output(struct xlate_ctx *, const struct xport *);
/* Appends a trace line at the current action depth (+ 'extra'). */
void xlate_report(struct xlate_ctx *, int extra, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void xlate_drop(struct xlate_ctx *, enum dp_drop_reason);

/* xlate-normal.c */
void xlate_normal(struct xlate_ctx *);

#endif /* ofproto-private.h */
