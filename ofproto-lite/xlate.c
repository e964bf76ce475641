/* Translation: from a packet's flow, through a bridge's rule tables and
 * their actions, to datapath actions and the mask of flow bits that the
 * result depended on.
 *
 * OpenFlow actions change 'ctx->flow'; header changes reach the datapath
 * actions lazily, just before each output ("commit"), so that a rule
 * that rewrites a header and then outputs twice costs one rewrite.  Each
 * decision that looks at a packet field marks it in the mask; a rewrite
 * that does not depend on the packet does not. */
#include <config.h>

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "dpif/dpif.h"
#include "dynamic-string.h"
#include "meta-flow.h"
#include "netdev/netdev.h"
#include "ofproto-lite/ofproto-private.h"
#include "ofproto-lite/rule-table.h"
#include "ofproto-lite/rule.h"
#include "rcu.h"
#include "util.h"

enum { XLATE_MAX_DEPTH = 64 };

static void xlate_table(struct xlate_ctx *, uint8_t table_id);

/* Tracing. */

void
xlate_report(struct xlate_ctx *ctx, int extra, const char *format, ...)
{
    struct ds *trace = ctx->xin->trace;
    if (!trace) {
        return;
    }
    ds_put_format(trace, "%*s", 4 + 8 * ctx->trace_depth + extra, "");
    va_list args;
    va_start(args, format);
    ds_put_format_valist(trace, format, args);
    va_end(args);
    ds_put_char(trace, '\n');
}

static void
report_rule(struct xlate_ctx *ctx, uint8_t table_id, const struct rule *rule)
{
    struct ds *trace = ctx->xin->trace;
    if (!trace) {
        return;
    }
    ds_put_format(trace, "%*s%u. ", 1 + 4 * ctx->trace_depth, "", table_id);
    if (!rule) {
        ds_put_cstr(trace, "No match.\n");
        return;
    }
    size_t start = trace->length;
    match_format(&rule->match, NULL, trace);
    ds_put_format(trace, "%spriority %d", trace->length > start ? ", " : "",
                  rule->priority);
    if (rule->cookie) {
        ds_put_format(trace, ", cookie 0x%llx",
                      (unsigned long long) rule->cookie);
    }
    ds_put_char(trace, '\n');
}

/* Drops and outputs. */

/* Notes why a packet goes nowhere.  If nothing else outputs it, the
 * first reason noted stays in the datapath actions to count the drop. */
void
xlate_drop(struct xlate_ctx *ctx, enum dp_drop_reason reason)
{
    dp_actions_add_drop(&ctx->xout->actions, reason);
}

/* Emits pushes and pops that turn the base flow's VLAN tags into the
 * current flow's. */
static void
commit_vlans(struct xlate_ctx *ctx)
{
    struct flow_vlan *base = ctx->base.vlans, *cur = ctx->flow.vlans;
    if (!memcmp(base, cur, sizeof ctx->flow.vlans)) {
        return;
    }
    int nb = 0, nc = 0;
    while (nb < FLOW_MAX_VLANS && base[nb].tci & htons(VLAN_CFI)) {
        nb++;
    }
    while (nc < FLOW_MAX_VLANS && cur[nc].tci & htons(VLAN_CFI)) {
        nc++;
    }
    /* Keep the inner tags both share; pop the rest, push the new. */
    int keep = 0;
    while (keep < nb && keep < nc
           && !memcmp(&base[nb - 1 - keep], &cur[nc - 1 - keep],
                      sizeof *base)) {
        keep++;
    }
    for (int i = 0; i < nb - keep; i++) {
        dp_actions_add_pop_vlan(&ctx->xout->actions);
    }
    for (int i = nc - keep - 1; i >= 0; i--) {
        be16 tpid = cur[i].tpid ? cur[i].tpid : htons(ETH_TYPE_VLAN_8021Q);
        dp_actions_add_push_vlan(&ctx->xout->actions, tpid, cur[i].tci);
    }
    memcpy(base, cur, sizeof ctx->flow.vlans);
}

/* A set action for each Geneve option that 'f' has and 'base' has not,
 * or has with another value. */
static void
commit_tun_metadata(struct dp_actions *a, const struct flow *f,
                    const struct flow *base)
{
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        bool present = f->tun_metadata_present & (1u << i);
        bool was = base->tun_metadata_present & (1u << i);
        if (present != was || f->tun_metadata[i] != base->tun_metadata[i]) {
            dp_actions_add_set_tun_metadata(a, i, present,
                                            f->tun_metadata[i]);
        }
    }
}

static void
commit(struct xlate_ctx *ctx)
{
    struct dp_actions *a = &ctx->xout->actions;
    struct flow *f = &ctx->flow, *b = &ctx->base;
    if (ctx->dirty & XLATE_DIRTY_TUNNEL) {
        dp_actions_add_set_tunnel(a, f->tun_id, f->tun_src, f->tun_dst);
        commit_tun_metadata(a, f, b);
    }
    if (ctx->dirty & XLATE_DIRTY_ETH_SRC) {
        dp_actions_add_set_eth(a, true, f->dl_src);
    }
    if (ctx->dirty & XLATE_DIRTY_ETH_DST) {
        dp_actions_add_set_eth(a, false, f->dl_dst);
    }
    if (ctx->dirty & XLATE_DIRTY_IPV4_SRC) {
        dp_actions_add_set_ipv4(a, true, f->nw_src);
    }
    if (ctx->dirty & XLATE_DIRTY_IPV4_DST) {
        dp_actions_add_set_ipv4(a, false, f->nw_dst);
    }
    commit_vlans(ctx);
    struct flow_vlan vlans[FLOW_MAX_VLANS];
    memcpy(vlans, b->vlans, sizeof vlans);
    *b = *f;
    memcpy(b->vlans, vlans, sizeof vlans);
    ctx->dirty = 0;
}

void
xlate_output(struct xlate_ctx *ctx, const struct xport *xport)
{
    commit(ctx);
    dp_actions_add_output(&ctx->xout->actions, xport->odp_port);
}

static void
output_port(struct xlate_ctx *ctx, uint32_t port)
{
    const struct xbridge *xb = ctx->xbridge;
    uint32_t in_port = ctx->flow.in_port;

    switch (port) {
    case OFPP_IN_PORT: {
        const struct xport *in = xbridge_port(xb, in_port);
        if (in) {
            xlate_output(ctx, in);
        }
        return;
    }
    case OFPP_NORMAL:
        xlate_normal(ctx);
        return;
    case OFPP_FLOOD:
    case OFPP_ALL:
        for (size_t i = 0; i < xb->n_ports; i++) {
            if (xb->ports[i]->ofp_port != in_port) {
                xlate_output(ctx, xb->ports[i]);
            }
        }
        return;
    }

    const struct xport *out = xbridge_port(xb, port);
    if (!out) {
        xlate_report(ctx, 1, "-> output to nonexistent port %u", port);
    } else if (port == in_port) {
        xlate_report(ctx, 1, "-> skipping output to input port");
    } else {
        xlate_output(ctx, out);
    }
}

/* VLAN and header rewrites. */

static bool
flow_has_vlan(struct xlate_ctx *ctx)
{
    ctx->xout->wc.vlans[0].tci = htons(0xffff);
    return ctx->flow.vlans[0].tci & htons(VLAN_CFI);
}

static void
push_vlan(struct xlate_ctx *ctx, be16 tpid)
{
    struct flow *f = &ctx->flow;
    f->vlans[1] = f->vlans[0];
    f->vlans[0].tpid = tpid;
    f->vlans[0].tci = (f->vlans[1].tci & htons(VLAN_VID_MASK | VLAN_PCP_MASK))
                      | htons(VLAN_CFI);
}

static void
set_vlan_bits(struct xlate_ctx *ctx, uint16_t mask, uint16_t value)
{
    if (!flow_has_vlan(ctx)) {
        push_vlan(ctx, htons(ETH_TYPE_VLAN_8021Q));
    }
    struct flow_vlan *v = &ctx->flow.vlans[0];
    v->tci = (v->tci & ~htons(mask)) | htons(value & mask) | htons(VLAN_CFI);
}

static bool
flow_is_ipv4(struct xlate_ctx *ctx)
{
    ctx->xout->wc.dl_type = htons(0xffff);
    return ctx->flow.dl_type == htons(ETH_TYPE_IP);
}

static void
set_field(struct xlate_ctx *ctx, const struct mf_field *mf,
          const union mf_value *value)
{
    struct flow *f = &ctx->flow;
    const char *name = mf->name;
    if (!strcmp(name, "dl_vlan") || !strcmp(name, "vlan_vid")) {
        set_vlan_bits(ctx, VLAN_VID_MASK, value->u64);
    } else if (!strcmp(name, "dl_vlan_pcp")) {
        set_vlan_bits(ctx, VLAN_PCP_MASK, value->u64 << VLAN_PCP_SHIFT);
    } else if (!mf_prereqs_ok_flow(mf, f, &ctx->xout->wc)) {
        xlate_report(ctx, 1, "-> prerequisites not met: %s not set", name);
    } else {
        mf_set_flow(mf, value, f);
        int slot = mf_tun_metadata_slot(mf);
        if (slot >= 0) {
            f->tun_metadata_present |= 1u << slot;
        }
        ctx->dirty |= (!strncmp(name, "tun_", 4) ? XLATE_DIRTY_TUNNEL
                       : !strcmp(name, "dl_src") ? XLATE_DIRTY_ETH_SRC
                       : !strcmp(name, "dl_dst") ? XLATE_DIRTY_ETH_DST
                       : !strcmp(name, "nw_src") ? XLATE_DIRTY_IPV4_SRC
                       : XLATE_DIRTY_IPV4_DST);
    }
}

static void
resubmit(struct xlate_ctx *ctx, uint32_t in_port, uint8_t table_id,
         bool tail)
{
    uint32_t old_in_port = ctx->flow.in_port;
    uint8_t old_table = ctx->table_id;
    if (in_port != OFPP_IN_PORT) {
        ctx->flow.in_port = in_port;
    }
    ctx->trace_depth += !tail;
    ctx->depth++;
    xlate_table(ctx, table_id == 255 ? old_table : table_id);
    ctx->depth--;
    ctx->trace_depth -= !tail;
    ctx->table_id = old_table;
    ctx->flow.in_port = old_in_port;
}

static void
xlate_actions(struct xlate_ctx *ctx, const struct ofpacts *acts)
{
    if (!acts->n) {
        xlate_report(ctx, 0, "drop");
        xlate_drop(ctx, DP_DROP_RULE);
        return;
    }
    for (size_t i = 0; i < acts->n && !ctx->error; i++) {
        const struct ofpact *a = &acts->acts[i];
        if (ctx->xin->trace) {
            struct ds text = DS_EMPTY_INITIALIZER;
            ofpact_format(a, NULL, &text);
            xlate_report(ctx, 0, "%s", ds_cstr(&text));
            ds_destroy(&text);
        }
        switch (a->type) {
        case OFPACT_OUTPUT:
            output_port(ctx, a->port);
            break;
        case OFPACT_SET_VLAN_VID:
            set_vlan_bits(ctx, VLAN_VID_MASK, a->vid);
            break;
        case OFPACT_SET_VLAN_PCP:
            set_vlan_bits(ctx, VLAN_PCP_MASK, a->pcp << VLAN_PCP_SHIFT);
            break;
        case OFPACT_PUSH_VLAN:
            flow_has_vlan(ctx);
            push_vlan(ctx, a->tpid);
            break;
        case OFPACT_STRIP_VLAN:
            if (flow_has_vlan(ctx)) {
                ctx->flow.vlans[0] = ctx->flow.vlans[1];
                memset(&ctx->flow.vlans[1], 0, sizeof ctx->flow.vlans[1]);
            }
            break;
        case OFPACT_SET_ETH_SRC:
            ctx->flow.dl_src = a->mac;
            ctx->dirty |= XLATE_DIRTY_ETH_SRC;
            break;
        case OFPACT_SET_ETH_DST:
            ctx->flow.dl_dst = a->mac;
            ctx->dirty |= XLATE_DIRTY_ETH_DST;
            break;
        case OFPACT_SET_IPV4_SRC:
        case OFPACT_SET_IPV4_DST:
            if (flow_is_ipv4(ctx)) {
                bool src = a->type == OFPACT_SET_IPV4_SRC;
                *(src ? &ctx->flow.nw_src : &ctx->flow.nw_dst) = a->ipv4;
                ctx->dirty |= src ? XLATE_DIRTY_IPV4_SRC
                                  : XLATE_DIRTY_IPV4_DST;
            }
            break;
        case OFPACT_SET_FIELD:
            set_field(ctx, a->set_field.field, &a->set_field.value);
            break;
        case OFPACT_RESUBMIT:
            resubmit(ctx, a->port, a->table, i == acts->n - 1);
            break;
        case OFPACT_GOTO_TABLE:
            resubmit(ctx, OFPP_IN_PORT, a->table, true);
            break;
        }
    }
}

static void
xcache_add_rule(struct xlate_ctx *ctx, const struct rule *rule)
{
    struct xcache *xc = ctx->xout->xcache;
    if (xc) {
        xc->rules = xrealloc(xc->rules, (xc->n_rules + 1) * sizeof *xc->rules);
        xc->rules[xc->n_rules++] = rule;
        rule_ref(rule);
    }
}

static void
xlate_table(struct xlate_ctx *ctx, uint8_t table_id)
{
    if (ctx->depth >= XLATE_MAX_DEPTH) {
        xlate_report(ctx, 0, ">>>> over max translation depth %d <<<<",
                     XLATE_MAX_DEPTH);
        ctx->error = true;
        return;
    }
    ctx->table_id = table_id;
    const struct rule_table *table
        = rcu_get(ctx->xbridge->ofproto->tables[table_id]);
    const struct rule *rule = rule_table_lookup(table, &ctx->flow,
                                                &ctx->xout->wc);
    report_rule(ctx, table_id, rule);
    if (!rule) {
        xlate_report(ctx, 0, "drop");
        xlate_drop(ctx, DP_DROP_TABLE_MISS);
        return;
    }
    xcache_add_rule(ctx, rule);
    xlate_actions(ctx, rule_get_actions(rule));
}

void
xlate(const struct xlate_in *xin, struct xlate_out *xout)
{
    struct xlate_ctx ctx = { .xin = xin, .xout = xout };
    const struct xcfg *cfg = xcfg_get();
    const struct xport *in = xcfg_port_by_odp(cfg, xin->flow->in_port);

    xout->wc.in_port = UINT32_MAX;
    if (!in) {
        /* A port on its way out of the bridge. */
        dp_actions_add_drop(&xout->actions, DP_DROP_INPUT_DISABLED);
        xout->final_flow = *xin->flow;
        return;
    }
    ctx.xbridge = in->xbridge;
    ctx.flow = *xin->flow;
    ctx.flow.in_port = in->ofp_port;
    ctx.base = ctx.flow;
    if (xin->trace) {
        ds_put_format(xin->trace, "bridge(\"%s\")\n", in->xbridge->name);
        ds_put_format(xin->trace, "%.*s\n",
                      (int) strlen(in->xbridge->name) + 10,
                      "------------------------------------------------"
                      "------------------------------------------------");
    }
    xlate_table(&ctx, 0);

    if (ctx.error) {
        dp_actions_clear(&xout->actions);
        dp_actions_add_drop(&xout->actions, DP_DROP_TRANSLATION);
    } else if (dp_actions_drops(xout->actions.actions, xout->actions.n)) {
        /* Header rewrites with no output are pointless: keep only the
         * reason, or say "no output" if none was given. */
        enum dp_drop_reason reason = DP_DROP_NO_OUTPUT;
        for (size_t i = 0; i < xout->actions.n; i++) {
            if (xout->actions.actions[i].type == DP_ACTION_DROP) {
                reason = xout->actions.actions[i].reason;
                break;
            }
        }
        dp_actions_clear(&xout->actions);
        dp_actions_add_drop(&xout->actions, reason);
    } else {
        /* Something goes out: drops noted on the way do not count. */
        size_t n = 0;
        for (size_t i = 0; i < xout->actions.n; i++) {
            if (xout->actions.actions[i].type != DP_ACTION_DROP) {
                xout->actions.actions[n++] = xout->actions.actions[i];
            }
        }
        xout->actions.n = n;
    }
    xout->final_flow = ctx.flow;
}

/* The translation view. */

static struct xcfg *current_xcfg;

const struct xcfg *
xcfg_get(void)
{
    return rcu_get(current_xcfg);
}

const struct xport *
xcfg_port_by_odp(const struct xcfg *cfg, odp_port_t odp_port)
{
    return cfg && odp_port < cfg->n_odp ? cfg->by_odp[odp_port] : NULL;
}

const struct xport *
xbridge_port(const struct xbridge *xb, uint32_t ofp_port)
{
    size_t lo = 0, hi = xb->n_ports;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (xb->ports[mid]->ofp_port < ofp_port) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (lo < xb->n_ports && xb->ports[lo]->ofp_port == ofp_port
            ? xb->ports[lo] : NULL);
}

const struct xbridge *
xcfg_bridge(const struct xcfg *cfg, const char *name)
{
    for (size_t i = 0; cfg && i < cfg->n_bridges; i++) {
        if (!strcmp(cfg->bridges[i]->name, name)) {
            return cfg->bridges[i];
        }
    }
    return NULL;
}

void
xbridge_unref(struct xbridge *xb)
{
    if (xb && __atomic_sub_fetch(&xb->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
        for (size_t j = 0; j < xb->n_ports; j++) {
            free(xb->xports[j].trunks);
        }
        free(xb->xports);
        free(xb->names);
        free(xb->ports);
        free(xb->name);
        free(xb);
    }
}

static struct xbridge *
xbridge_ref(struct xbridge *xb)
{
    __atomic_add_fetch(&xb->refcount, 1, __ATOMIC_RELAXED);
    return xb;
}

static void
xcfg_free(struct xcfg *cfg)
{
    if (!cfg) {
        return;
    }
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        xbridge_unref(cfg->bridges[i]);
    }
    free(cfg->bridges);
    free(cfg->by_odp);
    free(cfg);
}

/* A snapshot of 'ofproto' for translation, with one reference. */
static struct xbridge *
xbridge_create(const struct ofproto *ofproto)
{
    struct xbridge *xb = xzalloc(sizeof *xb);
    size_t n = ofproto->n_sorted;
    xb->refcount = 1;
    xb->name = xstrdup(ofproto->name);
    xb->ofproto = (struct ofproto *) ofproto;
    xb->n_ports = n;
    xb->ports = xcalloc(n + 1, sizeof *xb->ports);
    xb->xports = xcalloc(n + 1, sizeof *xb->xports);

    /* One block for the names: a bridge of 10,000 ports is rebuilt on
     * every change to it, so what it costs per port matters. */
    size_t names_len = 0;
    for (size_t i = 0; i < n; i++) {
        names_len += strlen(netdev_get_name(ofproto->sorted[i]->netdev)) + 1;
    }
    char *name = xb->names = xmalloc(names_len + 1);

    for (size_t i = 0; i < n; i++) {
        const struct ofport *port = ofproto->sorted[i];
        struct xport *xp = &xb->xports[i];
        size_t len = strlen(netdev_get_name(port->netdev)) + 1;
        memcpy(name, netdev_get_name(port->netdev), len);
        xp->name = name;
        name += len;
        xp->ofp_port = port->ofp_port;
        xp->odp_port = port->odp_port;
        xp->xbridge = xb;
        xp->vlan_mode = port->vlan.mode;
        xp->tag = port->vlan.tag;
        xp->trunks = port->trunks ? xmemdup(port->trunks, 4096 / 8) : NULL;
        xb->ports[i] = xp;
    }
    return xb;
}

void
xcfg_update(void)
{
    struct xcfg *cfg = xzalloc(sizeof *cfg);
    struct ofproto *ofproto;

    cfg->bridges = xcalloc(hmap_count(&all_ofprotos) + 1,
                           sizeof *cfg->bridges);
    HMAP_FOR_EACH (ofproto, node, &all_ofprotos) {
        if (!ofproto->xbridge || ofproto->xbridge_stale) {
            xbridge_unref(ofproto->xbridge);
            ofproto->xbridge = xbridge_create(ofproto);
            ofproto->xbridge_stale = false;
        }
        cfg->bridges[cfg->n_bridges++] = xbridge_ref(ofproto->xbridge);
        cfg->n_odp = MAX(cfg->n_odp, dpif_port_max(ofproto->dpif));
    }
    cfg->by_odp = xcalloc(cfg->n_odp + 1, sizeof *cfg->by_odp);
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const struct xbridge *xb = cfg->bridges[i];
        for (size_t j = 0; j < xb->n_ports; j++) {
            cfg->by_odp[xb->ports[j]->odp_port] = xb->ports[j];
        }
    }

    struct xcfg *old = current_xcfg;
    rcu_set(current_xcfg, cfg);
    if (old) {
        rcu_postpone(xcfg_free, old);
    }
}

void
xcfg_clear(void)
{
    struct xcfg *old = current_xcfg;
    rcu_set(current_xcfg, NULL);
    if (old) {
        rcu_postpone(xcfg_free, old);
    }
}

void
xcache_free(void *xc_)
{
    struct xcache *xc = xc_;
    if (xc) {
        for (size_t i = 0; i < xc->n_rules; i++) {
            rule_unref(xc->rules[i]);
        }
        free(xc->rules);
        free(xc);
    }
}
