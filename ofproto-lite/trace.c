/* ofproto/trace: what a bridge would do with a packet, and why.
 *
 *     sw-appctl ofproto/trace br0 in_port=p1,dl_src=...,dl_dst=... [-generate]
 *
 * Prints the flow, each table's matching rule and its actions (with
 * what NORMAL decided and why), the flow after header changes, the
 * megaflow the datapath would cache and its actions.  A trace has no
 * side effects unless -generate asks for them (then it learns MAC
 * addresses as a real packet would). */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "dpif/dpif.h"
#include "dynamic-string.h"
#include "match.h"
#include "netdev/netdev.h"
#include "ofproto-lite/ofproto-private.h"
#include "rcu.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

/* Parses the flow to trace, with OpenFlow port numbers.  Returns NULL or
 * an error message to free(). */
static char *
parse_trace_flow(struct ofproto *ofproto, const char *s, struct flow *flow)
{
    struct port_namer namer = ofproto_port_namer(ofproto, false);
    struct match match;
    match_init_catchall(&match);
    char *error = match_parse(&match, s, &namer);
    if (error) {
        return error;
    }
    if (!match.wc.in_port) {
        return xstrdup("the flow must say in_port");
    }
    *flow = match.flow;
    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        if ((flow->vlans[i].tci & htons(VLAN_CFI)) && !flow->vlans[i].tpid) {
            flow->vlans[i].tpid = htons(ETH_TYPE_VLAN_8021Q);
        }
    }
    return NULL;
}

static void
ofproto_trace(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux)
{
    bool generate = false;
    const char *args[3];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-generate")) {
            generate = true;
        } else if (n < 2) {
            args[n++] = argv[i];
        } else {
            unixctl_command_reply_error(conn, "usage: ofproto/trace BRIDGE "
                                        "FLOW [-generate]");
            return;
        }
    }

    /* The bridge may be left out when there is only one. */
    struct ofproto *ofproto = NULL;
    const char *flow_s;
    if (n == 2) {
        ofproto = ofproto_lookup(args[0]);
        flow_s = args[1];
    } else if (n == 1 && hmap_count(&all_ofprotos) == 1) {
        ofproto = CONTAINER_OF(hmap_first(&all_ofprotos), struct ofproto,
                               node);
        flow_s = args[0];
    } else {
        unixctl_command_reply_error(conn, n == 1
                                    ? "there is more than one bridge: name "
                                      "it first"
                                    : "usage: ofproto/trace BRIDGE FLOW "
                                      "[-generate]");
        return;
    }
    if (!ofproto) {
        char *msg = xasprintf("%s: no such bridge", args[0]);
        unixctl_command_reply_error(conn, msg);
        free(msg);
        return;
    }

    struct flow flow;
    char *error = parse_trace_flow(ofproto, flow_s, &flow);
    const struct ofport *in = (error ? NULL
                               : ofport_from_ofp(ofproto, flow.in_port));
    if (!error && !in) {
        error = xasprintf("%u: no such port on bridge %s", flow.in_port,
                          ofproto->name);
    }
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, "Flow: ");
    flow_format(&flow, NULL, &s);
    ds_put_cstr(&s, "\n\n");

    struct flow odp_flow = flow;
    odp_flow.in_port = in->odp_port;
    struct xlate_in xin = {
        .flow = &odp_flow,
        .may_learn = generate,
        .now = time_msec(),
        .trace = &s,
    };
    struct xlate_out xout;
    memset(&xout, 0, sizeof xout);
    dp_actions_init(&xout.actions);

    rcu_read_begin();
    xlate(&xin, &xout);
    rcu_read_end();

    ds_put_cstr(&s, "\nFinal flow: ");
    if (flow_equal(&xout.final_flow, &flow)) {
        ds_put_cstr(&s, "unchanged");
    } else {
        flow_format(&xout.final_flow, NULL, &s);
    }
    struct match megaflow = { .wc = xout.wc };
    flow_and(&megaflow.flow, &flow, &xout.wc);
    ds_put_cstr(&s, "\nMegaflow: ");
    match_format(&megaflow, NULL, &s);
    ds_put_cstr(&s, "\nDatapath actions: ");
    dp_actions_format(xout.actions.actions, xout.actions.n, NULL, NULL, &s);
    ds_put_char(&s, '\n');
    dp_actions_destroy(&xout.actions);

    if (xout.mac_changed) {
        ofproto_revalidate_if_needed();
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
ofproto_trace_init(void)
{
    unixctl_command_register("ofproto/trace", "[BRIDGE] FLOW [-generate]", 1,
                             3, ofproto_trace, NULL);
}
