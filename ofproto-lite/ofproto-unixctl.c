/* sw-appctl and sw-ofctl commands on bridges: the "ofctl/" commands (the
 * flow tables, for sw-ofctl until the OpenFlow wire protocol arrives),
 * the "fdb/" ones (MAC learning) and dpif/show. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "dpif/dpif.h"
#include "dynamic-string.h"
#include "netdev/netdev.h"
#include "ofproto-lite/mac-learning.h"
#include "ofproto-lite/ofp-actions.h"
#include "ofproto-lite/ofp-flow.h"
#include "ofproto-lite/ofproto-private.h"
#include "ofproto-lite/rule.h"
#include "rcu.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

struct ofproto *
ofproto_unixctl_find_bridge(struct unixctl_conn *conn, const char *name)
{
    struct ofproto *ofproto = ofproto_lookup(name);
    if (!ofproto) {
        char *msg = xasprintf("%s: no such bridge", name);
        unixctl_command_reply_error(conn, msg);
        free(msg);
    }
    return ofproto;
}

static void
reply_error(struct unixctl_conn *conn, char *msg)
{
    unixctl_command_reply_error(conn, msg);
    free(msg);
}

/* Flow mods. */

/* ofctl/add-flows BR FLOW...: all or nothing.  An error names the
 * argument ("2: ...") so that sw-ofctl can point at a file's line. */
static void
ofctl_add_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                void *aux)
{
    struct ofproto *ofproto = ofproto_unixctl_find_bridge(conn, argv[1]);
    if (!ofproto) {
        return;
    }
    struct port_namer namer = ofproto_port_namer(ofproto, false);
    size_t n = argc - 2;
    struct ofp_flow_mod *fms = xcalloc(n + 1, sizeof *fms);
    for (size_t i = 0; i < n; i++) {
        char *error = ofp_flow_mod_parse(argv[i + 2], OFPFC_ADD, &namer,
                                         &fms[i]);
        if (!error) {
            error = ofproto_check_tlv_fields(ofproto, &fms[i]);
            if (error) {
                ofp_flow_mod_destroy(&fms[i]);
            }
        }
        if (error) {
            for (size_t j = 0; j < i; j++) {
                ofp_flow_mod_destroy(&fms[j]);
            }
            free(fms);
            reply_error(conn, n > 1 ? xasprintf("%zu: %s", i + 1, error)
                                    : xstrdup(error));
            free(error);
            return;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(ofproto_flow_mod(ofproto, &fms[i]));
        ofp_flow_mod_destroy(&fms[i]);
    }
    free(fms);
    ofproto_revalidate_if_needed();
    unixctl_command_reply(conn, NULL);
}

/* Leading options of ofctl commands; returns the index of the first
 * other argument, or -1 after replying with an error to 'conn'. */
struct ofctl_options {
    bool strict;
    bool names;
    bool stats;
    bool idle_age;
    int sort;                   /* 0: table and priority; 1: up; -1: down. */
};

static int
parse_options(struct unixctl_conn *conn, int argc, const char *argv[],
              struct ofctl_options *o)
{
    *o = (struct ofctl_options) { .stats = true };
    int i;
    for (i = 2; i < argc && !strncmp(argv[i], "--", 2); i++) {
        if (!strcmp(argv[i], "--strict")) {
            o->strict = true;
        } else if (!strcmp(argv[i], "--names")) {
            o->names = true;
        } else if (!strcmp(argv[i], "--no-stats")) {
            o->stats = false;
        } else if (!strcmp(argv[i], "--idle-age")) {
            o->idle_age = true;
        } else if (!strcmp(argv[i], "--sort")) {
            o->sort = 1;
        } else if (!strcmp(argv[i], "--rsort")) {
            o->sort = -1;
        } else {
            reply_error(conn, xasprintf("%s: unknown option", argv[i]));
            return -1;
        }
    }
    return i;
}

static void
ofctl_mod_or_del(struct unixctl_conn *conn, int argc, const char *argv[],
                 bool del)
{
    struct ofproto *ofproto = ofproto_unixctl_find_bridge(conn, argv[1]);
    if (!ofproto) {
        return;
    }
    struct ofctl_options o;
    int i = parse_options(conn, argc, argv, &o);
    if (i < 0) {
        return;
    }
    if (i < argc - 1 || (!del && i != argc - 1)) {
        reply_error(conn, xstrdup("expected one flow"));
        return;
    }

    struct port_namer namer = ofproto_port_namer(ofproto, false);
    enum ofp_flow_mod_command cmd = (del ? (o.strict ? OFPFC_DELETE_STRICT
                                                      : OFPFC_DELETE)
                                         : (o.strict ? OFPFC_MODIFY_STRICT
                                                     : OFPFC_MODIFY));
    struct ofp_flow_mod fm;
    char *error = ofp_flow_mod_parse(i < argc ? argv[i] : "", cmd, &namer,
                                     &fm);
    if (!error && !del) {
        error = ofproto_check_tlv_fields(ofproto, &fm);
        if (error) {
            ofp_flow_mod_destroy(&fm);
        }
    }
    if (error) {
        reply_error(conn, error);
        return;
    }
    free(ofproto_flow_mod(ofproto, &fm));
    ofp_flow_mod_destroy(&fm);
    ofproto_revalidate_if_needed();
    unixctl_command_reply(conn, NULL);
}

static void
ofctl_mod_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                void *aux)
{
    ofctl_mod_or_del(conn, argc, argv, false);
}

static void
ofctl_del_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                void *aux)
{
    ofctl_mod_or_del(conn, argc, argv, true);
}

/* Dumps. */

struct dump_ctx {
    struct rule **rules;
    size_t n, allocated;
};

static void
collect_rule(struct rule *rule, void *ctx_)
{
    struct dump_ctx *ctx = ctx_;
    ctx->rules = x2nrealloc(ctx->rules, &ctx->allocated, ctx->n + 1,
                            sizeof *ctx->rules);
    ctx->rules[ctx->n++] = rule;
}

static int
compare_priority_up(const void *a_, const void *b_)
{
    const struct rule *a = *(const struct rule *const *) a_;
    const struct rule *b = *(const struct rule *const *) b_;
    return a->priority < b->priority ? -1 : a->priority > b->priority;
}

static int
compare_priority_down(const void *a, const void *b)
{
    return compare_priority_up(b, a);
}

/* ofctl/dump-flows BR [--names] [--no-stats] [--idle-age] [--sort|--rsort]
 * [FILTER] */
static void
ofctl_dump_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *aux)
{
    struct ofproto *ofproto = ofproto_unixctl_find_bridge(conn, argv[1]);
    if (!ofproto) {
        return;
    }
    struct ofctl_options o;
    int i = parse_options(conn, argc, argv, &o);
    if (i < 0) {
        return;
    }
    if (i < argc - 1) {
        reply_error(conn, xstrdup("expected at most one filter"));
        return;
    }

    struct port_namer namer = ofproto_port_namer(ofproto, o.names);
    struct ofp_flow_mod filter;
    char *error = ofp_flow_mod_parse(i < argc ? argv[i] : "", OFPFC_DUMP,
                                     &namer, &filter);
    if (error) {
        reply_error(conn, error);
        return;
    }

    /* Counters reflect every packet so far. */
    long long now = time_msec();
    revalidator_run(ofproto_dpif(), REVALIDATE_NONE, NULL, now, UINT32_MAX);

    struct dump_ctx ctx = { NULL, 0, 0 };
    ofproto_for_each_rule(ofproto, &filter, collect_rule, &ctx);
    if (o.sort) {
        qsort(ctx.rules, ctx.n, sizeof *ctx.rules,
              o.sort > 0 ? compare_priority_up : compare_priority_down);
    }

    struct rule_format_options fo = {
        .stats = o.stats, .idle_age = o.idle_age, .namer = &namer,
    };
    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t j = 0; j < ctx.n; j++) {
        rule_format(ctx.rules[j], now, &fo, &s);
        ds_put_char(&s, '\n');
    }
    free(ctx.rules);
    ofp_flow_mod_destroy(&filter);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static int
compare_ofports(const void *a_, const void *b_)
{
    const struct ofport *a = *(const struct ofport *const *) a_;
    const struct ofport *b = *(const struct ofport *const *) b_;
    return a->ofp_port < b->ofp_port ? -1 : a->ofp_port > b->ofp_port;
}

static void
ofctl_show(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
    struct ofproto *ofproto = ofproto_unixctl_find_bridge(conn, argv[1]);
    if (!ofproto) {
        return;
    }
    struct eth_addr mac = { { 0 } };
    struct ofport *local = ofport_from_ofp(ofproto, OFPP_LOCAL);
    if (local) {
        netdev_get_etheraddr(local->netdev, &mac);
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "OFPT_FEATURES_REPLY (xid=0x2): dpid:0000%02x%02x%02x"
                  "%02x%02x%02x\n", mac.ea[0], mac.ea[1], mac.ea[2],
                  mac.ea[3], mac.ea[4], mac.ea[5]);
    ds_put_format(&s, "n_tables:%d, n_buffers:0\n", OFP_N_TABLES);
    ds_put_cstr(&s, "capabilities: FLOW_STATS TABLE_STATS PORT_STATS\n");
    ds_put_cstr(&s, "actions: output set_vlan_vid set_vlan_pcp strip_vlan "
                "mod_dl_src mod_dl_dst mod_nw_src mod_nw_dst\n");

    /* Ports by number, so LOCAL comes last. */
    struct ofport **ports = xmalloc((hmap_count(&ofproto->ports) + 1)
                                    * sizeof *ports);
    size_t n = 0;
    struct ofport *p;
    HMAP_FOR_EACH (p, ofp_node, &ofproto->ports) {
        ports[n++] = p;
    }
    qsort(ports, n, sizeof *ports, compare_ofports);
    for (size_t i = 0; i < n; i++) {
        struct eth_addr ea;
        netdev_get_etheraddr(ports[i]->netdev, &ea);
        ds_put_char(&s, ' ');
        port_format(ports[i]->ofp_port, NULL, &s);
        ds_put_format(&s, "(%s): addr:" ETH_ADDR_FMT "\n",
                      netdev_get_name(ports[i]->netdev), ETH_ADDR_ARGS(ea));
        ds_put_cstr(&s, "     config:     0\n");
        ds_put_format(&s, "     state:      %s\n",
                      netdev_get_carrier(ports[i]->netdev) ? "0"
                                                           : "LINK_DOWN");
        ds_put_cstr(&s, "     speed: 0 Mbps now, 0 Mbps max\n");
    }
    free(ports);
    ds_put_cstr(&s, "OFPT_GET_CONFIG_REPLY (xid=0x4): frags=normal "
                "miss_send_len=0\n");
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* MAC learning. */

static void
fdb_port_name(uint32_t port, struct ds *ds, void *aux)
{
    port_format(port, NULL, ds);
}

static void
fdb_show(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
    struct ofproto *ofproto = ofproto_unixctl_find_bridge(conn, argv[1]);
    if (!ofproto) {
        return;
    }
    long long now = time_msec();
    revalidator_run(ofproto_dpif(), REVALIDATE_NONE, NULL, now, UINT32_MAX);
    struct ds s = DS_EMPTY_INITIALIZER;
    mac_learning_format(ofproto->ml, now, fdb_port_name, NULL, &s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
fdb_flush(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
    if (argc > 1) {
        struct ofproto *ofproto = ofproto_unixctl_find_bridge(conn, argv[1]);
        if (!ofproto) {
            return;
        }
        mac_learning_flush(ofproto->ml);
    } else {
        struct ofproto *ofproto;
        HMAP_FOR_EACH (ofproto, node, &all_ofprotos) {
            mac_learning_flush(ofproto->ml);
        }
    }
    ofproto_revalidate_if_needed();
    unixctl_command_reply(conn, "table successfully flushed");
}

static void
fdb_stats_show(struct unixctl_conn *conn, int argc, const char *argv[],
               void *aux)
{
    struct ofproto *ofproto = ofproto_unixctl_find_bridge(conn, argv[1]);
    if (!ofproto) {
        return;
    }
    struct mac_learning_stats st;
    mac_learning_get_stats(ofproto->ml, &st);
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "Statistics for bridge \"%s\":\n", ofproto->name);
    ds_put_format(&s, "  Current/maximum MAC entries in the table: "
                  "%llu/%llu\n", (unsigned long long) st.n_entries,
                  (unsigned long long) st.max_entries);
    ds_put_format(&s, "  MAC aging time (seconds)                : %u\n",
                  mac_learning_get_aging(ofproto->ml));
    ds_put_format(&s, "  Total number of learned MAC entries     : %llu\n",
                  (unsigned long long) st.learned);
    ds_put_format(&s, "  Total number of expired MAC entries     : %llu\n",
                  (unsigned long long) st.expired);
    ds_put_format(&s, "  Total number of evicted MAC entries     : %llu\n",
                  (unsigned long long) st.evicted);
    ds_put_format(&s, "  Total number of port moved MAC entries  : %llu\n",
                  (unsigned long long) st.moved);
    ds_put_format(&s, "  Total number of moves held (flapping)   : %llu\n",
                  (unsigned long long) st.held);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
dpif_show(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
    struct dpif *dpif = ofproto_dpif();
    struct dpif_cache_stats cs;
    dpif_get_cache_stats(dpif, SIZE_MAX, &cs);

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%s: hit:%llu missed:%llu\n", dpif_name(dpif),
                  (unsigned long long) (cs.emc_hits + cs.megaflow_hits),
                  (unsigned long long) cs.n_upcalls);
    rcu_read_begin();
    const struct xcfg *cfg = xcfg_get();
    for (size_t i = 0; cfg && i < cfg->n_bridges; i++) {
        const struct xbridge *xb = cfg->bridges[i];
        ds_put_format(&s, "  %s:\n", xb->name);
        for (size_t j = 0; j < xb->n_ports; j++) {
            const struct xport *xp = xb->ports[j];
            struct netdev *netdev = dpif_port_get_netdev(dpif, xp->odp_port);
            ds_put_format(&s, "    %s ", xp->name);
            port_format(xp->ofp_port, NULL, &s);
            ds_put_format(&s, "/%u: (%s)\n", xp->odp_port,
                          netdev ? netdev_get_type(netdev) : "?");
        }
    }
    rcu_read_end();
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
ofproto_unixctl_init(void)
{
    unixctl_command_register("ofctl/add-flows", "BRIDGE FLOW...", 2,
                             INT32_MAX, ofctl_add_flows, NULL);
    unixctl_command_register("ofctl/mod-flows", "BRIDGE [--strict] FLOW",
                             2, 3, ofctl_mod_flows, NULL);
    unixctl_command_register("ofctl/del-flows", "BRIDGE [--strict] [FLOW]",
                             1, 3, ofctl_del_flows, NULL);
    unixctl_command_register("ofctl/dump-flows",
                             "BRIDGE [--names] [--no-stats] [--idle-age] "
                             "[--sort|--rsort] [FILTER]", 1, 7,
                             ofctl_dump_flows, NULL);
    unixctl_command_register("ofctl/show", "BRIDGE", 1, 1, ofctl_show, NULL);
    unixctl_command_register("fdb/show", "BRIDGE", 1, 1, fdb_show, NULL);
    unixctl_command_register("fdb/flush", "[BRIDGE]", 0, 1, fdb_flush,
                             NULL);
    unixctl_command_register("fdb/stats-show", "BRIDGE", 1, 1,
                             fdb_stats_show, NULL);
    unixctl_command_register("dpif/show", "", 0, 0, dpif_show, NULL);
    ofproto_trace_init();
    ofproto_tlv_init();
}
