/* The revalidator: keeps the datapath's megaflows honest.
 *
 * On the main thread, now and then and whenever rules, ports or learned
 * addresses change, it walks every megaflow: credits the packets it
 * carried since last time to the rules and MAC entries its translation
 * went through (so OpenFlow counters, idle timeouts and MAC aging see
 * traffic that never left the fast path), deletes megaflows idle for
 * max-idle, and, after a change, translates again from its own key each
 * megaflow the change may concern: same answer, kept; new actions within
 * the same mask, updated in place; otherwise deleted, so the next packet
 * makes a fresh one.  A rule or port change concerns every megaflow; a
 * learned, moved or expired address only those whose translation looked
 * it up, which a busy host learning new addresses all the time needs.
 *
 * Over the flow limit it expires idle megaflows after 100 ms instead of
 * max-idle, so the table shrinks back without stopping forwarding. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "coverage.h"
#include "dpif/dp-flow.h"
#include "dpif/dpif.h"
#include "hash.h"
#include "ofproto-lite/mac-learning.h"
#include "ofproto-lite/ofproto-private.h"
#include "ofproto-lite/rule.h"
#include "rcu.h"

COVERAGE_DEFINE(revalidate_flow_translated);
COVERAGE_DEFINE(revalidate_flow_deleted);
COVERAGE_DEFINE(revalidate_flow_updated);
COVERAGE_DEFINE(revalidate_flow_expired);

enum { OVER_LIMIT_MAX_IDLE_MSEC = 100 };

struct mac_change_node {
    struct hmap_node node;
    const struct ofproto *ofproto;
    struct eth_addr mac;
    uint16_t vlan;
};

static uint32_t
mac_change_hash(const struct ofproto *ofproto, struct eth_addr mac,
                uint16_t vlan)
{
    uint32_t h = hash_bytes(mac.ea, ETH_ADDR_LEN, vlan);
    return hash_add64(h, (uintptr_t) ofproto);
}

void
mac_change_set_init(struct mac_change_set *set)
{
    hmap_init(&set->entries);
}

void
mac_change_set_destroy(struct mac_change_set *set)
{
    struct mac_change_node *n;
    HMAP_FOR_EACH (n, node, &set->entries) {
        hmap_remove(&set->entries, &n->node);
        free(n);
    }
    hmap_destroy(&set->entries);
}

bool
mac_change_set_contains(const struct mac_change_set *set,
                        const struct ofproto *ofproto, struct eth_addr mac,
                        uint16_t vlan)
{
    const struct mac_change_node *n;
    HMAP_FOR_EACH_WITH_HASH (n, node, mac_change_hash(ofproto, mac, vlan),
                             &set->entries) {
        if (n->ofproto == ofproto && n->vlan == vlan
            && eth_addr_equals(n->mac, mac)) {
            return true;
        }
    }
    return false;
}

void
mac_change_set_add(struct mac_change_set *set, const struct ofproto *ofproto,
                   struct eth_addr mac, uint16_t vlan)
{
    if (!mac_change_set_contains(set, ofproto, mac, vlan)) {
        struct mac_change_node *n = xmalloc(sizeof *n);
        n->ofproto = ofproto;
        n->mac = mac;
        n->vlan = vlan;
        hmap_insert(&set->entries, &n->node,
                    mac_change_hash(ofproto, mac, vlan));
    }
}

struct reval_ctx {
    struct dpif *dpif;
    enum revalidate_scope scope;
    const struct mac_change_set *macs;
    long long now;
    unsigned int max_idle;
};

/* True if the translation behind 'flow' looked at a MAC table entry that
 * changed. */
static bool
depends_on_macs(const struct dp_flow *flow, const struct mac_change_set *macs)
{
    const struct xcache *xc = flow->upcall_data;
    if (!xc) {
        return true;
    }
    if (xc->learn_ofproto
        && mac_change_set_contains(macs, xc->learn_ofproto, xc->learn_mac,
                                   xc->learn_vlan)) {
        return true;
    }
    if (xc->lookup_ofproto
        && (xc->many_lookups
            || mac_change_set_contains(macs, xc->lookup_ofproto,
                                       xc->lookup_mac, xc->lookup_vlan))) {
        return true;
    }
    return false;
}

/* Credits what 'flow' carried since the last push. */
static void
push_stats(struct dp_flow *flow)
{
    struct dp_flow_stats st;
    dp_flow_get_stats(flow, &st);
    uint64_t packets = st.n_packets - flow->pushed_packets;
    uint64_t bytes = st.n_bytes - flow->pushed_bytes;
    if (!packets) {
        return;
    }
    flow->pushed_packets = st.n_packets;
    flow->pushed_bytes = st.n_bytes;

    struct xcache *xc = flow->upcall_data;
    if (!xc) {
        return;
    }
    for (size_t i = 0; i < xc->n_rules; i++) {
        struct rule *rule = (struct rule *) xc->rules[i];
        if (!rule_is_removed(rule)) {
            rule->n_packets += packets;
            rule->n_bytes += bytes;
            if (st.used > rule->used) {
                rule->used = st.used;
            }
        }
    }
    struct mac_learning *ml = (xc->learn_ofproto
                               ? xc->learn_ofproto->ml : NULL);
    if (ml && !mac_learning_is_held(ml, xc->learn_mac, xc->learn_vlan,
                                    st.used)) {
        /* Packets kept coming from this source on this port. */
        mac_learning_learn(ml, xc->learn_mac, xc->learn_vlan, xc->learn_port,
                           st.used, true);
    }
}

/* Translates 'flow' again.  Returns false if it must go. */
static bool
retranslate(struct reval_ctx *ctx, struct dp_flow *flow)
{
    struct xlate_in xin = { .flow = &flow->key, .now = ctx->now };
    COVERAGE_INC(revalidate_flow_translated);
    struct xlate_out xout;
    memset(&xout, 0, sizeof xout);
    dp_actions_init(&xout.actions);
    xout.xcache = xzalloc(sizeof *xout.xcache);

    xlate(&xin, &xout);
    bool keep = !xout.no_install && flow_mask_is_subset(&xout.wc,
                                                        &flow->mask);
    if (keep) {
        if (!dp_flow_actions_equal(flow, &xout.actions)) {
            dp_flow_set_actions(flow, &xout.actions);
            COVERAGE_INC(revalidate_flow_updated);
        }
        /* The new translation may have passed other rules. */
        void *old = flow->upcall_data;
        flow->upcall_data = xout.xcache;
        xout.xcache = old;
    }
    xcache_free(xout.xcache);
    dp_actions_destroy(&xout.actions);
    return keep;
}

static void
revalidate_flow(struct dp_flow *flow, unsigned int thread, void *ctx_)
{
    struct reval_ctx *ctx = ctx_;
    if (dp_flow_is_dead(flow)) {
        return;
    }
    push_stats(flow);

    struct dp_flow_stats st;
    dp_flow_get_stats(flow, &st);
    long long last = st.used ? st.used : flow->created;
    if (ctx->now - last >= ctx->max_idle) {
        COVERAGE_INC(revalidate_flow_expired);
        dpif_flow_del(ctx->dpif, flow);
    } else if ((ctx->scope == REVALIDATE_ALL
                || (ctx->scope == REVALIDATE_MACS
                    && depends_on_macs(flow, ctx->macs)))
               && !retranslate(ctx, flow)) {
        COVERAGE_INC(revalidate_flow_deleted);
        dpif_flow_del(ctx->dpif, flow);
    }
}

void
revalidator_run(struct dpif *dpif, enum revalidate_scope scope,
                const struct mac_change_set *macs, long long now,
                unsigned int max_idle)
{
    struct reval_ctx ctx = {
        .dpif = dpif,
        .scope = scope,
        .macs = macs,
        .now = now,
        .max_idle = (dpif_n_flows(dpif) > dpif_get_flow_limit(dpif)
                     ? OVER_LIMIT_MAX_IDLE_MSEC : max_idle),
    };
    dpif_offload_credit(dpif, now);     /* XDP fast path traffic too. */
    rcu_read_begin();
    dpif_flow_for_each(dpif, revalidate_flow, &ctx);
    rcu_read_end();
}
