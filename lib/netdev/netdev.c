#include <config.h>
#include "netdev/netdev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "hash.h"
#include "hmap.h"
#include "netdev/netdev-provider.h"
#include "smap.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev);

static bool dummy_enabled;
static struct hmap netdevs = HMAP_INITIALIZER(&netdevs);

/* Types users may name, with the class that serves each; a NULL class is
 * a type we know of but cannot open yet. */
struct netdev_type {
    const char *name;
    const struct netdev_class *class;
    bool dummy_stand_in;        /* Served by dummy in dummy mode. */
};

static const struct netdev_type netdev_types[] = {
    { "dummy", &netdev_dummy_class, false },
    { "dummy-pmd", &netdev_dummy_pmd_class, false },
    { "system", NULL, true },
    { "internal", NULL, true },
    { "tap", NULL, true },
    { "afxdp", NULL, true },
    { "afpacket", NULL, true },
    { "vxlan", NULL, false },
    { "gre", NULL, false },
    { "geneve", NULL, false },
};

void
netdev_enable_dummy(void)
{
    dummy_enabled = true;
}

bool
netdev_is_dummy_enabled(void)
{
    return dummy_enabled;
}

static const struct netdev_type *
netdev_type_lookup(const char *type)
{
    if (!type[0]) {
        type = "system";
    }
    for (size_t i = 0; i < ARRAY_SIZE(netdev_types); i++) {
        if (!strcmp(netdev_types[i].name, type)) {
            return &netdev_types[i];
        }
    }
    return NULL;
}

static const struct netdev_class *
netdev_type_class(const struct netdev_type *t)
{
    return t->class ? t->class
           : dummy_enabled && t->dummy_stand_in ? &netdev_dummy_class
           : NULL;
}

bool
netdev_type_is_known(const char *type)
{
    return netdev_type_lookup(type) != NULL;
}

const char **
netdev_get_types(size_t *n)
{
    const char **types = xcalloc(ARRAY_SIZE(netdev_types), sizeof *types);
    *n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(netdev_types); i++) {
        if (netdev_type_class(&netdev_types[i])) {
            types[(*n)++] = netdev_types[i].name;
        }
    }
    return types;
}

struct netdev *
netdev_from_name(const char *name)
{
    struct netdev *netdev;
    HMAP_FOR_EACH_WITH_HASH (netdev, node, hash_string(name, 0), &netdevs) {
        if (!strcmp(netdev->name, name)) {
            return netdev;
        }
    }
    return NULL;
}

int
netdev_open(const char *name, const char *type, struct netdev **netdevp,
            char **errp)
{
    const struct netdev_type *t = netdev_type_lookup(type);
    const struct netdev_class *class = t ? netdev_type_class(t) : NULL;

    *netdevp = NULL;
    *errp = NULL;
    if (!t) {
        *errp = xasprintf("unknown interface type \"%s\"", type);
        return -EINVAL;
    }
    if (!class) {
        *errp = xasprintf("interface type \"%s\" is not available yet in "
                          "this version of softswitch", t->name);
        return -EAFNOSUPPORT;
    }
    if (netdev_from_name(name)) {
        *errp = xasprintf("a network device named %s is already open",
                          name);
        return -EEXIST;
    }

    struct netdev *netdev = class->alloc();
    netdev->class = class;
    netdev->name = xstrdup(name);
    netdev->type = xstrdup(t->name);
    int error = class->construct(netdev, errp);
    if (error) {
        free(netdev->name);
        free(netdev->type);
        class->destroy(netdev);
        return error;
    }
    hmap_insert(&netdevs, &netdev->node, hash_string(name, 0));
    *netdevp = netdev;
    return 0;
}

void
netdev_close(struct netdev *netdev)
{
    if (netdev) {
        hmap_remove(&netdevs, &netdev->node);
        free(netdev->name);
        free(netdev->type);
        netdev->class->destroy(netdev);
    }
}

int
netdev_set_config(struct netdev *netdev, const struct smap *options,
                  char **errp)
{
    *errp = NULL;
    if (netdev->class->set_config) {
        return netdev->class->set_config(netdev, options, errp);
    }
    if (smap_count(options)) {
        *errp = xasprintf("%s: interface type %s takes no options",
                          netdev->name, netdev->type);
        return -EINVAL;
    }
    return 0;
}

const char *
netdev_get_name(const struct netdev *netdev)
{
    return netdev->name;
}

const char *
netdev_get_type(const struct netdev *netdev)
{
    return netdev->type;
}

int
netdev_get_etheraddr(const struct netdev *netdev, struct eth_addr *ea)
{
    return netdev->class->get_etheraddr(netdev, ea);
}

int
netdev_get_mtu(const struct netdev *netdev, int *mtu)
{
    return netdev->class->get_mtu(netdev, mtu);
}

int
netdev_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    return netdev->class->get_stats(netdev, stats);
}

void
netdev_get_status(const struct netdev *netdev, struct smap *status)
{
    if (netdev->class->get_status) {
        netdev->class->get_status(netdev, status);
    }
}

bool
netdev_get_carrier(const struct netdev *netdev)
{
    return !netdev->class->get_carrier || netdev->class->get_carrier(netdev);
}

int
netdev_rxq_recv(struct netdev *netdev, int qid, struct dp_packet_batch *b)
{
    return netdev->class->rxq_recv(netdev, qid, b);
}

int
netdev_send(struct netdev *netdev, int qid, struct dp_packet_batch *b)
{
    return netdev->class->send(netdev, qid, b);
}

bool
netdev_is_threaded(const struct netdev *netdev)
{
    return netdev->class->threaded;
}

int
netdev_n_rxq(const struct netdev *netdev)
{
    return 1;
}

int
netdev_rxq_wait_fd(const struct netdev *netdev, int qid)
{
    return (netdev->class->rxq_wait_fd
            ? netdev->class->rxq_wait_fd(netdev, qid) : -1);
}

void
netdev_set_rx_notify(struct netdev *netdev, netdev_rx_notify_cb *cb,
                     void *aux)
{
    netdev->rx_notify = cb;
    netdev->rx_notify_aux = aux;
}

void
netdev_notify_rx(struct netdev *netdev)
{
    if (netdev->rx_notify) {
        netdev->rx_notify(netdev, netdev->rx_notify_aux);
    }
}
