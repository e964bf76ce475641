#include <config.h>
#include "dpif/dpctl.h"

#include <stdlib.h>
#include <string.h>
#include "dpif/dpif.h"
#include "dynamic-string.h"
#include "netdev/netdev.h"
#include "unixctl.h"
#include "util.h"

static void
dpctl_show(struct unixctl_conn *conn, int argc, const char *argv[],
           void *dpif_)
{
    struct dpif *dpif = dpif_;
    bool with_stats = false;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct dpif_stats stats;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--statistics")) {
            with_stats = true;
        } else if (strcmp(argv[i], dpif_name(dpif))) {
            char *error = xasprintf("unknown datapath or option \"%s\"",
                                    argv[i]);
            unixctl_command_reply_error(conn, error);
            free(error);
            return;
        }
    }

    dpif_get_stats(dpif, &stats);
    ds_put_format(&s, "%s:\n", dpif_name(dpif));
    ds_put_format(&s, "  lookups: hit:0 missed:%llu lost:%llu\n",
                  (unsigned long long) stats.n_missed,
                  (unsigned long long) stats.n_lost);
    ds_put_cstr(&s, "  flows: 0\n");
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

void
dpctl_register_commands(struct dpif *dpif)
{
    unixctl_command_register("dpctl/show", "[-s] [DP]", 0, 2, dpctl_show,
                             dpif);
}
