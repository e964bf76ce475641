#include <config.h>
#include "dpif/dpctl.h"

#include <stdlib.h>
#include <string.h>
#include "dpif/dp-flow.h"
#include "dpif/dpif.h"
#include "dynamic-string.h"
#include "netdev/netdev.h"
#include "rcu.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

/* Parses the options shared by the dpctl commands.  Returns false after
 * replying with an error. */
static bool
parse_args(struct unixctl_conn *conn, int argc, const char *argv[],
           struct dpif *dpif, bool *stats, bool *names)
{
    for (int i = 1; i < argc; i++) {
        if (stats && (!strcmp(argv[i], "-s")
                      || !strcmp(argv[i], "--statistics"))) {
            *stats = true;
        } else if (names && !strcmp(argv[i], "--names")) {
            *names = true;
        } else if (names && !strcmp(argv[i], "--no-names")) {
            *names = false;
        } else if (strcmp(argv[i], dpif_name(dpif))) {
            char *error = xasprintf("unknown datapath or option \"%s\"",
                                    argv[i]);
            unixctl_command_reply_error(conn, error);
            free(error);
            return false;
        }
    }
    return true;
}

static void
dpctl_show(struct unixctl_conn *conn, int argc, const char *argv[],
           void *dpif_)
{
    struct dpif *dpif = dpif_;
    bool with_stats = false;
    if (!parse_args(conn, argc, argv, dpif, &with_stats, NULL)) {
        return;
    }

    struct dpif_cache_stats cs;
    dpif_get_cache_stats(dpif, SIZE_MAX, &cs);
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%s:\n", dpif_name(dpif));
    ds_put_format(&s, "  lookups: hit:%llu missed:%llu lost:%llu\n",
                  (unsigned long long) (cs.emc_hits + cs.megaflow_hits),
                  (unsigned long long) cs.n_upcalls,
                  (unsigned long long) cs.n_lost);
    ds_put_format(&s, "  flows: %zu\n", dpif_n_flows(dpif));
    for (odp_port_t port = 0; port < dpif_port_max(dpif); port++) {
        struct netdev *netdev = dpif_port_get_netdev(dpif, port);
        if (!netdev) {
            continue;
        }
        ds_put_format(&s, "  port %u: %s (%s)\n", port,
                      netdev_get_name(netdev), netdev_get_type(netdev));
        if (with_stats) {
            struct netdev_stats ns;
            netdev_get_stats(netdev, &ns);
            ds_put_format(&s, "    RX packets:%llu errors:%llu "
                          "dropped:%llu\n",
                          (unsigned long long) ns.rx_packets,
                          (unsigned long long) ns.rx_errors,
                          (unsigned long long) ns.rx_dropped);
            ds_put_format(&s, "    TX packets:%llu errors:%llu "
                          "dropped:%llu\n",
                          (unsigned long long) ns.tx_packets,
                          (unsigned long long) ns.tx_errors,
                          (unsigned long long) ns.tx_dropped);
            ds_put_format(&s, "    RX bytes:%llu  TX bytes:%llu\n",
                          (unsigned long long) ns.rx_bytes,
                          (unsigned long long) ns.tx_bytes);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static const char *
port_name(odp_port_t port, void *dpif)
{
    struct netdev *netdev = dpif_port_get_netdev(dpif, port);
    return netdev ? netdev_get_name(netdev) : NULL;
}

struct dump_ctx {
    struct dpif *dpif;
    bool names;
    long long now;
    struct ds *s;
    unsigned int thread;        /* Whose flows are being printed. */
    bool any;                   /* Printed any of this thread's flows. */
};

static void
thread_header(struct ds *s, unsigned int thread)
{
    if (!thread) {
        ds_put_cstr(s, "flow-dump from the main thread:\n");
    } else {
        ds_put_format(s, "flow-dump from dp thread %u:\n", thread);
    }
}

static void
dump_flow(struct dp_flow *flow, unsigned int thread, void *ctx_)
{
    struct dump_ctx *ctx = ctx_;
    if (dp_flow_is_dead(flow)) {
        return;
    }
    if (thread != ctx->thread || !ctx->any) {
        ctx->thread = thread;
        ctx->any = true;
        thread_header(ctx->s, thread);
    }

    struct ds *s = ctx->s;
    struct dp_flow_stats st;
    dp_flow_get_stats(flow, &st);
    const char *(*namer)(odp_port_t, void *) = ctx->names ? port_name : NULL;
    size_t start = s->length;
    dp_flow_format_match(&flow->key, &flow->mask, namer, ctx->dpif, s);
    if (s->length == start) {
        ds_put_cstr(s, "any");
    }
    ds_put_format(s, ", packets:%llu, bytes:%llu, used:",
                  (unsigned long long) st.n_packets,
                  (unsigned long long) st.n_bytes);
    if (st.used) {
        ds_put_format(s, "%.3fs", MAX(ctx->now - st.used, 0) / 1000.0);
    } else {
        ds_put_cstr(s, "never");
    }
    switch (__atomic_load_n(&flow->offloaded, __ATOMIC_RELAXED)) {
    case DP_FLOW_OFFLOAD_XDP:
        ds_put_cstr(s, ", offloaded:yes, dp:xdp");     /* As OVS says. */
        break;
    case DP_FLOW_OFFLOAD_TC:
        ds_put_cstr(s, ", offloaded:yes, dp:tc");
        break;
    }
    ds_put_cstr(s, ", actions:");
    const struct dp_flow_actions *a = dp_flow_get_actions(flow);
    dp_actions_format(a->actions, a->n, namer, ctx->dpif, s);
    ds_put_char(s, '\n');
}

static void
dpctl_dump_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *dpif_)
{
    struct dpif *dpif = dpif_;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct dump_ctx ctx = {
        .dpif = dpif, .now = time_msec(), .s = &s,
    };
    if (!parse_args(conn, argc, argv, dpif, NULL, &ctx.names)) {
        return;
    }
    rcu_read_begin();
    dpif_flow_for_each(dpif, dump_flow, &ctx);
    rcu_read_end();
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
dpctl_del_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                void *dpif_)
{
    struct dpif *dpif = dpif_;
    if (parse_args(conn, argc, argv, dpif, NULL, NULL)) {
        dpif_flow_flush(dpif);
        unixctl_command_reply(conn, NULL);
    }
}

static void
put_cache_stats(struct ds *s, const struct dpif_cache_stats *cs)
{
    ds_put_format(s, "  packets received: %llu\n",
                  (unsigned long long) cs->n_packets);
    ds_put_format(s, "  emc hits: %llu\n",
                  (unsigned long long) cs->emc_hits);
    ds_put_format(s, "  megaflow hits: %llu\n",
                  (unsigned long long) cs->megaflow_hits);
    ds_put_format(s, "  avg. subtable lookups per megaflow hit: %.2f\n",
                  cs->megaflow_hits
                  ? (double) cs->n_probes / cs->megaflow_hits : 0.0);
    ds_put_format(s, "  miss with flow installed: %llu\n",
                  (unsigned long long) (cs->n_upcalls
                                        - cs->n_not_installed));
    ds_put_format(s, "  miss with flow not installed: %llu\n",
                  (unsigned long long) cs->n_not_installed);
    ds_put_format(s, "  lost (port gone): %llu\n",
                  (unsigned long long) cs->n_lost);
    ds_put_format(s, "  malformed: %llu\n",
                  (unsigned long long) cs->n_malformed);
    ds_put_format(s, "  megaflows: %llu\n",
                  (unsigned long long) cs->n_flows);
    ds_put_format(s, "  subtables: %llu\n",
                  (unsigned long long) cs->n_subtables);
}

static void
dpif_cache_stats(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *dpif_)
{
    struct dpif *dpif = dpif_;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct dpif_cache_stats cs;

    for (size_t i = 0; i < dpif_n_threads(dpif); i++) {
        dpif_get_cache_stats(dpif, i, &cs);
        if (!i) {
            ds_put_cstr(&s, "main thread:\n");
        } else {
            ds_put_format(&s, "dp thread %zu:\n", i);
        }
        put_cache_stats(&s, &cs);
    }
    if (dpif_n_threads(dpif) > 1) {
        dpif_get_cache_stats(dpif, SIZE_MAX, &cs);
        ds_put_cstr(&s, "total:\n");
        put_cache_stats(&s, &cs);
    }
    uint64_t xdp_packets;
    size_t xdp_flows;
    dpif_get_offload_stats(dpif, &xdp_packets, &xdp_flows);
    ds_put_format(&s, "xdp fast path: %llu packets, %zu megaflows\n",
                  (unsigned long long) xdp_packets, xdp_flows);
    ds_put_format(&s, "flow limit: %u\n", dpif_get_flow_limit(dpif));
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
dpctl_register_commands(struct dpif *dpif)
{
    unixctl_command_register("dpctl/show", "[-s] [DP]", 0, 2, dpctl_show,
                             dpif);
    unixctl_command_register("dpctl/dump-flows", "[--names] [DP]", 0, 2,
                             dpctl_dump_flows, dpif);
    unixctl_command_register("dpctl/del-flows", "[DP]", 0, 1,
                             dpctl_del_flows, dpif);
    unixctl_command_register("dpif/cache-stats", "", 0, 0,
                             dpif_cache_stats, dpif);
}
