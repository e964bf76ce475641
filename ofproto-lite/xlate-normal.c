/* The NORMAL action: a learning L2 switch with Open vSwitch's VLAN
 * semantics.
 *
 * A frame's VLAN comes from its input port: an access port puts it in
 * the port's 'tag' (and drops frames that arrive tagged, except
 * priority-tagged ones); a trunk takes the frame's own VLAN (0 if
 * untagged) if 'trunks' allows it; native-tagged and native-untagged
 * ports are trunks whose untagged frames belong to 'tag'.  The source
 * address is learned in that VLAN; a known unicast destination goes to
 * its port, anything else floods to every other port in the VLAN, each
 * output tagged or not as the output port's mode says.
 *
 * The megaflow always includes the input port, both addresses and the
 * outer VLAN tag: those decide everything here. */
#include <config.h>

#include <arpa/inet.h>
#include <string.h>
#include "coverage.h"
#include "ofproto-lite/mac-learning.h"
#include "ofproto-lite/ofproto-private.h"
#include "util.h"

COVERAGE_DEFINE(normal_learn_busy);

static const char *
vlan_mode_name(enum port_vlan_mode mode)
{
    switch (mode) {
    case PORT_VLAN_ACCESS:
        return "access";
    case PORT_VLAN_TRUNK:
        return "trunk";
    case PORT_VLAN_NATIVE_TAGGED:
        return "native-tagged";
    case PORT_VLAN_NATIVE_UNTAGGED:
        return "native-untagged";
    }
    return "unknown";
}

/* The VLAN of a frame from 'in', or -1 (after reporting) if 'in' does
 * not accept it. */
static int
input_vlan(struct xlate_ctx *ctx, const struct xport *in)
{
    uint16_t tci = ntohs(ctx->flow.vlans[0].tci);
    bool tagged = tci & VLAN_CFI;
    int vid = tagged ? tci & VLAN_VID_MASK : 0;
    int vlan;

    switch (in->vlan_mode) {
    case PORT_VLAN_ACCESS:
        if (vid) {
            xlate_report(ctx, 1, "-> dropping VLAN %d tagged packet "
                         "received on access port %s (VLAN %d)", vid,
                         in->name, in->tag);
            return -1;
        }
        return in->tag;
    case PORT_VLAN_TRUNK:
        vlan = vid;
        break;
    case PORT_VLAN_NATIVE_TAGGED:
    case PORT_VLAN_NATIVE_UNTAGGED:
        vlan = vid ? vid : in->tag;
        if (vlan == in->tag) {
            return vlan;
        }
        break;
    default:
        return -1;
    }
    if (!vlan_bitmap_has(in->trunks, vlan)) {
        xlate_report(ctx, 1, "-> dropping VLAN %d packet received on port "
                     "%s, which does not trunk VLAN %d", vlan, in->name,
                     vlan);
        return -1;
    }
    return vlan;
}

static bool
port_in_vlan(const struct xport *p, int vlan)
{
    switch (p->vlan_mode) {
    case PORT_VLAN_ACCESS:
        return vlan == p->tag;
    case PORT_VLAN_TRUNK:
        return vlan_bitmap_has(p->trunks, vlan);
    case PORT_VLAN_NATIVE_TAGGED:
    case PORT_VLAN_NATIVE_UNTAGGED:
        return vlan == p->tag || vlan_bitmap_has(p->trunks, vlan);
    }
    return false;
}

/* Outputs to 'out' in 'vlan', tagged as 'out' wants, keeping the PCP the
 * frame came with. */
static void
output_in_vlan(struct xlate_ctx *ctx, const struct xport *out, int vlan,
               uint16_t pcp_bits)
{
    bool tagged;
    switch (out->vlan_mode) {
    case PORT_VLAN_ACCESS:
        tagged = false;
        break;
    case PORT_VLAN_NATIVE_UNTAGGED:
        tagged = vlan != out->tag;
        break;
    case PORT_VLAN_NATIVE_TAGGED:
        tagged = true;
        break;
    case PORT_VLAN_TRUNK:
    default:
        tagged = vlan != 0;
        break;
    }

    struct flow_vlan *v = &ctx->flow.vlans[0];
    bool has_tag = v->tci & htons(VLAN_CFI);
    if (tagged) {
        if (!has_tag) {
            ctx->flow.vlans[1] = *v;
            v->tpid = htons(ETH_TYPE_VLAN_8021Q);
        }
        v->tci = htons(VLAN_CFI | pcp_bits | vlan);
    } else if (has_tag) {
        *v = ctx->flow.vlans[1];
        memset(&ctx->flow.vlans[1], 0, sizeof ctx->flow.vlans[1]);
    }
    xlate_output(ctx, out);
}

static void
flood(struct xlate_ctx *ctx, const struct xport *in, int vlan,
      uint16_t pcp_bits)
{
    const struct xbridge *xb = ctx->xbridge;
    bool any = false;
    for (size_t i = 0; i < xb->n_ports; i++) {
        const struct xport *p = xb->ports[i];
        if (p != in && port_in_vlan(p, vlan)) {
            output_in_vlan(ctx, p, vlan, pcp_bits);
            any = true;
        }
    }
    if (!any) {
        xlate_drop(ctx, DP_DROP_NO_OUTPUT);
    }
}

static void
learn(struct xlate_ctx *ctx, const struct xport *in, int vlan)
{
    struct mac_learning *ml = ctx->xbridge->ofproto->ml;
    struct eth_addr src = ctx->flow.dl_src;
    struct xcache *xc = ctx->xout->xcache;

    if (xc) {
        xc->learn_ofproto = ctx->xbridge->ofproto;
        xc->learn_mac = src;
        xc->learn_vlan = vlan;
        xc->learn_port = in->ofp_port;
    }
    if (!ctx->xin->may_learn) {
        /* Revalidating: a megaflow whose source now shows up elsewhere in
         * the table would hide the host moving back here, since packets
         * that hit it never reach learning.  Let it go, so the next
         * packet learns. */
        uint32_t port;
        if (mac_learning_lookup(ml, src, vlan, &port) && port != in->ofp_port
            && !mac_learning_is_held(ml, src, vlan, ctx->xin->now)) {
            ctx->xout->no_install = true;
        }
        return;
    }
    switch (mac_learning_learn(ml, src, vlan, in->ofp_port, ctx->xin->now,
                               false)) {
    case MAC_LEARN_NEW:
    case MAC_LEARN_MOVED:
        ctx->xout->mac_changed = true;
        xlate_report(ctx, 1, "-> learned that " ETH_ADDR_FMT " is on port "
                     "%s in VLAN %d", ETH_ADDR_ARGS(src), in->name, vlan);
        break;
    case MAC_LEARN_HELD:
        xlate_report(ctx, 1, "-> " ETH_ADDR_FMT " keeps moving between "
                     "ports: not learned on %s for now", ETH_ADDR_ARGS(src),
                     in->name);
        break;
    case MAC_LEARN_BUSY:
        /* Another thread is changing the table: try again with the next
         * packet, which will miss again because nothing is cached. */
        COVERAGE_INC(normal_learn_busy);
        ctx->xout->no_install = true;
        break;
    case MAC_LEARN_UNCHANGED:
    case MAC_LEARN_REFUSED:
        break;
    }
}

void
xlate_normal(struct xlate_ctx *ctx)
{
    struct flow *wc = &ctx->xout->wc;
    memset(&wc->dl_src, 0xff, sizeof wc->dl_src);
    memset(&wc->dl_dst, 0xff, sizeof wc->dl_dst);
    wc->vlans[0].tci = htons(0xffff);

    const struct xport *in = xbridge_port(ctx->xbridge, ctx->flow.in_port);
    if (!in) {
        xlate_report(ctx, 1, "-> no input port, dropping");
        xlate_drop(ctx, DP_DROP_INPUT_DISABLED);
        return;
    }
    if (eth_addr_is_reserved(ctx->flow.dl_dst)) {
        xlate_report(ctx, 1, "-> packet has reserved destination MAC, "
                     "dropping");
        xlate_drop(ctx, DP_DROP_RESERVED_MCAST);
        return;
    }
    if (eth_addr_is_multicast(ctx->flow.dl_src)) {
        xlate_report(ctx, 1, "-> packet has multicast source MAC, "
                     "dropping");
        xlate_drop(ctx, DP_DROP_MCAST_SOURCE);
        return;
    }
    int vlan = input_vlan(ctx, in);
    if (vlan < 0) {
        xlate_drop(ctx, DP_DROP_VLAN_FILTERED);
        return;
    }

    /* Outputs change the VLAN tags; later actions of the rule see the
     * frame as it came. */
    struct flow_vlan saved[FLOW_MAX_VLANS];
    memcpy(saved, ctx->flow.vlans, sizeof saved);
    uint16_t pcp_bits = ntohs(ctx->flow.vlans[0].tci) & VLAN_PCP_MASK;

    learn(ctx, in, vlan);

    struct eth_addr dst = ctx->flow.dl_dst;
    uint32_t out_port;
    struct xcache *xc = ctx->xout->xcache;
    if (xc && !eth_addr_is_multicast(dst)) {
        xc->many_lookups |= xc->lookup_ofproto != NULL;
        xc->lookup_ofproto = ctx->xbridge->ofproto;
        xc->lookup_mac = dst;
        xc->lookup_vlan = vlan;
    }
    if (eth_addr_is_multicast(dst)) {
        xlate_report(ctx, 1, "-> %s destination, flooding",
                     eth_addr_is_broadcast(dst) ? "broadcast" : "multicast");
        flood(ctx, in, vlan, pcp_bits);
    } else if (!mac_learning_lookup(ctx->xbridge->ofproto->ml, dst, vlan,
                                    &out_port)) {
        xlate_report(ctx, 1, "-> no learned MAC for destination, flooding");
        flood(ctx, in, vlan, pcp_bits);
    } else {
        const struct xport *out = xbridge_port(ctx->xbridge, out_port);
        if (!out) {
            xlate_report(ctx, 1, "-> learned port is gone, flooding");
            flood(ctx, in, vlan, pcp_bits);
        } else if (out == in) {
            xlate_report(ctx, 1, "-> learned port is input port, dropping");
            xlate_drop(ctx, DP_DROP_NO_OUTPUT);
        } else if (!port_in_vlan(out, vlan)) {
            xlate_report(ctx, 1, "-> learned port %s (%s) is not in VLAN "
                         "%d, dropping", out->name,
                         vlan_mode_name(out->vlan_mode), vlan);
            xlate_drop(ctx, DP_DROP_NO_OUTPUT);
        } else {
            xlate_report(ctx, 1, "-> forwarding to learned port %s",
                         out->name);
            output_in_vlan(ctx, out, vlan, pcp_bits);
        }
    }
    memcpy(ctx->flow.vlans, saved, sizeof saved);
}
