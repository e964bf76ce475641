#include <config.h>
#include "dpif/dpif.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "coverage.h"
#include "dp-packet.h"
#include "netdev/netdev.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif);

COVERAGE_DEFINE(dpif_drop_no_actions);
COVERAGE_DEFINE(dpif_drop_port_gone);
COVERAGE_DEFINE(dpif_upcall);

enum { DPIF_MAX_PORTS = 65536 };

struct dpif_port {
    struct dpif *dpif;
    odp_port_t port_no;
    struct netdev *netdev;
    struct dp_packet_batch tx;  /* Output gathered during one batch. */
};

struct dpif {
    char *name;
    struct dpif_port **ports;   /* Indexed by port number; NULL if free. */
    size_t n_ports;             /* Size of 'ports'. */
    struct dpif_port **pending_tx;  /* Ports with output in 'tx'. */
    size_t n_pending_tx;
    dpif_upcall_cb *upcall_cb;
    void *upcall_aux;
    struct dpif_stats stats;
    struct dp_actions actions;  /* Scratch for upcalls. */
};

struct dpif *
dpif_create(const char *name)
{
    struct dpif *dpif = xzalloc(sizeof *dpif);
    dpif->name = xstrdup(name);
    dp_actions_init(&dpif->actions);
    return dpif;
}

void
dpif_destroy(struct dpif *dpif)
{
    if (dpif) {
        for (size_t i = 0; i < dpif->n_ports; i++) {
            if (dpif->ports[i]) {
                dpif_port_del(dpif, i);
            }
        }
        free(dpif->ports);
        free(dpif->pending_tx);
        dp_actions_destroy(&dpif->actions);
        free(dpif->name);
        free(dpif);
    }
}

const char *
dpif_name(const struct dpif *dpif)
{
    return dpif->name;
}

void
dpif_set_upcall_cb(struct dpif *dpif, dpif_upcall_cb *cb, void *aux)
{
    dpif->upcall_cb = cb;
    dpif->upcall_aux = aux;
}

static struct dpif_port *
dpif_get_port(const struct dpif *dpif, odp_port_t port_no)
{
    return port_no < dpif->n_ports ? dpif->ports[port_no] : NULL;
}

struct netdev *
dpif_port_get_netdev(const struct dpif *dpif, odp_port_t port_no)
{
    struct dpif_port *port = dpif_get_port(dpif, port_no);
    return port ? port->netdev : NULL;
}

odp_port_t
dpif_port_max(const struct dpif *dpif)
{
    return dpif->n_ports;
}

/* Sends what packets of the current batch gathered for output. */
static void
dpif_flush_tx(struct dpif *dpif)
{
    for (size_t i = 0; i < dpif->n_pending_tx; i++) {
        struct dpif_port *port = dpif->pending_tx[i];
        netdev_send(port->netdev, 0, &port->tx);
        dp_packet_batch_init(&port->tx);
    }
    dpif->n_pending_tx = 0;
}

static void
dpif_output(struct dpif *dpif, odp_port_t port_no, struct dp_packet *p)
{
    struct dpif_port *port = dpif_get_port(dpif, port_no);
    if (!port) {
        COVERAGE_INC(dpif_drop_port_gone);
        dpif->stats.n_lost++;
        dp_packet_delete(p);
        return;
    }
    if (dp_packet_batch_is_full(&port->tx)) {
        netdev_send(port->netdev, 0, &port->tx);
        dp_packet_batch_init(&port->tx);
    } else if (!port->tx.count) {
        dpif->pending_tx[dpif->n_pending_tx++] = port;
    }
    dp_packet_batch_add(&port->tx, p);
}

/* Decides and executes the fate of one packet, which it takes. */
static void
dpif_process_packet(struct dpif *dpif, struct dp_packet *p)
{
    struct dp_actions *actions = &dpif->actions;
    struct dpif_upcall upcall = {
        .packet = p,
        .in_port = p->md.in_port,
    };

    dp_actions_clear(actions);
    COVERAGE_INC(dpif_upcall);
    dpif->stats.n_missed++;
    if (dpif->upcall_cb) {
        dpif->upcall_cb(&upcall, actions, dpif->upcall_aux);
    }
    if (!actions->n) {
        COVERAGE_INC(dpif_drop_no_actions);
        dpif->stats.n_dropped++;
        dp_packet_delete(p);
        return;
    }
    for (size_t i = 0; i < actions->n; i++) {
        const struct dp_action *a = &actions->actions[i];
        switch (a->type) {
        case DP_ACTION_OUTPUT:
            dpif_output(dpif, a->port,
                        i + 1 < actions->n ? dp_packet_clone(p) : p);
            break;
        }
    }
}

static void
dpif_poll_port(struct dpif *dpif, odp_port_t port_no)
{
    struct dpif_port *port = dpif_get_port(dpif, port_no);
    struct dp_packet_batch batch;

    dp_packet_batch_init(&batch);
    while (port && !netdev_rxq_recv(port->netdev, 0, &batch)) {
        dpif->stats.n_packets += batch.count;
        for (size_t i = 0; i < batch.count; i++) {
            batch.packets[i]->md.in_port = port_no;
            dpif_process_packet(dpif, batch.packets[i]);
        }
        dp_packet_batch_init(&batch);
        dpif_flush_tx(dpif);
        port = dpif_get_port(dpif, port_no);
    }
}

void
dpif_run(struct dpif *dpif)
{
    for (size_t i = 0; i < dpif->n_ports; i++) {
        if (dpif->ports[i]) {
            dpif_poll_port(dpif, i);
        }
    }
}

static void
dpif_port_rx_notify(struct netdev *netdev, void *port_)
{
    struct dpif_port *port = port_;
    dpif_poll_port(port->dpif, port->port_no);
}

int
dpif_port_add(struct dpif *dpif, struct netdev *netdev, odp_port_t *port_no)
{
    size_t i;
    for (i = 1; i < dpif->n_ports && dpif->ports[i]; i++) {
        continue;
    }
    if (i >= DPIF_MAX_PORTS) {
        return -EFBIG;
    }
    if (i >= dpif->n_ports) {
        size_t n = MAX(16, dpif->n_ports * 2);
        dpif->ports = xrealloc(dpif->ports, n * sizeof *dpif->ports);
        memset(dpif->ports + dpif->n_ports, 0,
               (n - dpif->n_ports) * sizeof *dpif->ports);
        dpif->n_ports = n;
        /* Ports are added between batches, when nothing is pending. */
        dpif->pending_tx = xrealloc(dpif->pending_tx,
                                    n * sizeof *dpif->pending_tx);
    }

    struct dpif_port *port = xzalloc(sizeof *port);
    port->dpif = dpif;
    port->port_no = i;
    port->netdev = netdev;
    dp_packet_batch_init(&port->tx);
    dpif->ports[i] = port;
    netdev_set_rx_notify(netdev, dpif_port_rx_notify, port);
    *port_no = i;
    VLOG_DBG("%s: added port %zu (%s)", dpif->name, i,
             netdev_get_name(netdev));
    return 0;
}

void
dpif_port_del(struct dpif *dpif, odp_port_t port_no)
{
    struct dpif_port *port = dpif_get_port(dpif, port_no);
    if (port) {
        netdev_set_rx_notify(port->netdev, NULL, NULL);
        dp_packet_batch_delete(&port->tx);
        dpif->ports[port_no] = NULL;
        free(port);
    }
}

void
dpif_get_stats(const struct dpif *dpif, struct dpif_stats *stats)
{
    *stats = dpif->stats;
}
