#include <config.h>
#include "netdev/netdev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "dp-packet-offload.h"
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

#ifdef HAVE_AF_XDP
#define NETDEV_SYSTEM_CLASS (&netdev_afxdp_class)
#else
#define NETDEV_SYSTEM_CLASS (&netdev_afpacket_class)
#endif

static const struct netdev_type netdev_types[] = {
    { "dummy", &netdev_dummy_class, false },
    { "dummy-pmd", &netdev_dummy_pmd_class, false },
    /* A kernel interface: AF_XDP where it can attach, else AF_PACKET. */
    { "system", NETDEV_SYSTEM_CLASS, true },
    { "internal", &netdev_internal_class, true },
    { "tap", &netdev_tap_class, true },
#ifdef HAVE_AF_XDP
    { "afxdp", &netdev_afxdp_class, true },
#else
    { "afxdp", NULL, true },
#endif
    { "afpacket", &netdev_afpacket_class, true },
    { "vxlan", &netdev_vxlan_class, false },
    { "gre", &netdev_gre_class, false },
    { "geneve", &netdev_geneve_class, false },
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
    return dummy_enabled && t->dummy_stand_in ? &netdev_dummy_class
           : t->class;
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

/* Frees 'netdev', whose class may still need its name on the way out. */
static void
netdev_destroy__(struct netdev *netdev)
{
    char *name = netdev->name;
    char *type = netdev->type;
    netdev->class->destroy(netdev);
    free(name);
    free(type);
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
        netdev_destroy__(netdev);
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
        netdev_destroy__(netdev);
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

void
netdev_set_dp_port_no(struct netdev *netdev, uint32_t port_no)
{
    netdev->dp_port_no = port_no;
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
netdev_set_mtu(struct netdev *netdev, int mtu)
{
    return (netdev->class->set_mtu ? netdev->class->set_mtu(netdev, mtu)
            : -EOPNOTSUPP);
}

int
netdev_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    if (netdev->class->get_stats) {
        return netdev->class->get_stats(netdev, stats);
    }
    netdev_read_counters(netdev, stats);
    return 0;
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

static bool
netdev_batch_has_offload(const struct dp_packet_batch *batch)
{
    for (size_t i = 0; i < batch->count; i++) {
        if (dp_packet_has_offload(batch->packets[i])) {
            return true;
        }
    }
    return false;
}

/* Adds 'p' to 'out', sending 'out' first if it is full. */
static void
netdev_send_add(struct netdev *netdev, int qid, struct dp_packet_batch *out,
                struct dp_packet *p, int *error)
{
    if (dp_packet_batch_is_full(out)) {
        int e = netdev->class->send(netdev, qid, out);
        *error = *error ? *error : e;
        dp_packet_batch_init(out);
    }
    dp_packet_batch_add(out, p);
}

/* Sends 'batch' to a port that cannot take offloads: segments and
 * checksums are made here first. */
static int
netdev_send_in_software(struct netdev *netdev, int qid,
                        struct dp_packet_batch *batch)
{
    struct dp_packet_batch out;
    int error = 0;

    dp_packet_batch_init(&out);
    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *p = batch->packets[i];
        if (p->offload.gso_size) {
            size_t n = dp_packet_offload_n_segs(p);
            struct dp_packet **segs = xmalloc(n * sizeof *segs);
            int n_segs = dp_packet_offload_segment(p, segs);
            for (int j = 0; j < n_segs; j++) {
                netdev_send_add(netdev, qid, &out, segs[j], &error);
            }
            free(segs);
            dp_packet_delete(p);
        } else if (dp_packet_offload_csum(p)) {
            dp_packet_delete(p);
        } else {
            netdev_send_add(netdev, qid, &out, p, &error);
        }
    }
    batch->count = 0;
    if (out.count) {
        int e = netdev->class->send(netdev, qid, &out);
        error = error ? error : e;
    }
    return error;
}

int
netdev_send(struct netdev *netdev, int qid, struct dp_packet_batch *b)
{
    if (!netdev->takes_offloads && netdev_batch_has_offload(b)) {
        return netdev_send_in_software(netdev, qid, b);
    }
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
    return netdev->class->n_rxq ? netdev->class->n_rxq(netdev) : 1;
}

int
netdev_rxq_wait_fd(const struct netdev *netdev, int qid)
{
    return (netdev->class->rxq_wait_fd
            ? netdev->class->rxq_wait_fd(netdev, qid) : -1);
}

void
netdev_set_tlv_map(struct netdev *netdev, const struct tlv_map *map)
{
    if (netdev->class->set_tlv_map) {
        netdev->class->set_tlv_map(netdev, map);
    }
}

const struct swxdp_device *
netdev_get_fastpath(const struct netdev *netdev)
{
    return (netdev->class->get_fastpath
            ? netdev->class->get_fastpath(netdev) : NULL);
}

void
netdev_count_xdp(struct netdev *netdev, bool rx, uint64_t n_packets,
                 uint64_t n_bytes)
{
    struct netdev_stats *st = &netdev->stats;
    netdev_count(rx ? &st->rx_packets : &st->tx_packets, n_packets);
    netdev_count(rx ? &st->rx_bytes : &st->tx_bytes, n_bytes);
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
