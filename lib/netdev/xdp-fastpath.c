/* The softswitch XDP program: loading, attaching, and its maps (see
 * xdp-fastpath.h). */
#include <config.h>

#include "netdev/xdp-fastpath.h"

#include <errno.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "netdev/netdev-linux.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(xdp_fastpath);

/* The compiled program (sw-xdp-obj.c, made from sw-xdp.bpf.o). */
extern const unsigned char sw_xdp_obj[];
extern const size_t sw_xdp_obj_len;

struct swxdp_device {
    int ifindex;
    enum swxdp_hook hook;
    int link_fd;                /* -1: attached without a link. */
    int sock_fd;                /* SWXDP_HOOK_SOCKET: the socket. */
    bool tc_attached;           /* The tc program at its ingress. */
    bool not_veth;              /* Never has a peer (info.has_peer). */
    struct swxdp_device_info info;      /* Its value in "xsk_base". */
    unsigned int slot;          /* info.base / SWXDP_MAX_QUEUES. */

    /* SWXDP_HOOK_TUNNEL ('tc_attached': 'tunnel' is in the maps). */
    struct swxdp_tunnel_config tunnel_cfg;
    struct swxdp_tunnel tunnel;         /* Zero while there is no route. */
};

static struct bpf_object *obj;
static int prog_fd = -1, tc_prog_fd = -1;
static int sock_prog_fd = -1, tc_sock_prog_fd = -1, tc_tunnel_prog_fd = -1;
static int xsks_fd, xsk_base_fd, tx_ports_fd, masks_fd, flows_fd;
static int heartbeat_fd, tc_missed_fd, tunnels_fd, tunnel_rx_fd;

/* Where softswitch's tc filters sit at a device's ingress: a port's, and
 * a tunnel underlay's, which comes first and passes on (TC_ACT_UNSPEC)
 * what is not its own. */
enum { TC_HANDLE = 0x5357, TC_PRIORITY = 0x5357 };
enum { TC_TUNNEL_HANDLE = 0x5356, TC_TUNNEL_PRIORITY = 0x5356 };

/* Devices that tunnels' packets come in through, with sw_tc_tunnel. */
static struct {
    int ifindex;
    unsigned int refs;
} underlays[SWXDP_MAX_DEVICES];
static int load_error;          /* Once loading failed, it stays failed. */

static struct swxdp_device *devices[SWXDP_MAX_DEVICES];  /* By slot. */
static int n_cpus;              /* Possible CPUs: per-CPU values. */

static struct {
    struct swxdp_key mask;
    unsigned int refs;
    long long freed;            /* time_msec() when refs last hit 0. */
} masks[SWXDP_MAX_MASKS];

enum { MASK_REUSE_MSEC = 1000 };
enum { PEER_CHECK_MSEC = 400 };     /* At most this often, veth peers are
                                     * looked at (the runs that do it come
                                     * every 500 ms). */

/* libbpf and libxdp explain what they try (no zero-copy on veth, a
 * clsact qdisc that is there already, ...) on stderr; what comes of it
 * is logged by the callers: keep their words for debugging. */
static int
library_print(const char *format, va_list args)
{
    if (vlog_is_enabled(&this_module, VLL_DBG)) {
        char msg[512];
        vsnprintf(msg, sizeof msg, format, args);
        msg[strcspn(msg, "\n")] = '\0';
        VLOG_DBG("libxdp/libbpf: %s", msg);
    }
    return 0;
}

static int
libbpf_print(enum libbpf_print_level level, const char *format,
             va_list args)
{
    return library_print(format, args);
}

static int
libxdp_print(enum libxdp_print_level level, const char *format,
             va_list args)
{
    return library_print(format, args);
}

static int
map_fd(const char *name)
{
    struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
    return map ? bpf_map__fd(map) : -ENOENT;
}

static int
open_and_load(bool with_tc)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "sw_xdp");
    bpf_object__close(obj);
    obj = bpf_object__open_mem(sw_xdp_obj, sw_xdp_obj_len, &opts);
    if (!obj) {
        return -errno;
    }
    /* Without tc, the socket filter would keep frames from the socket
     * that nothing sends on. */
    static const char *const tc_halves[] = { "sw_tc", "sw_tc_sock",
                                             "sw_sock", "sw_tc_tunnel" };
    for (size_t i = 0; !with_tc && i < ARRAY_SIZE(tc_halves); i++) {
        struct bpf_program *prog
            = bpf_object__find_program_by_name(obj, tc_halves[i]);
        if (prog) {
            bpf_program__set_autoload(prog, false);
        }
    }
    return bpf_object__load(obj);
}

/* The fd of loaded program 'name', or -1. */
static int
loaded_prog_fd(const char *name)
{
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);
    return prog && bpf_program__autoload(prog) ? bpf_program__fd(prog) : -1;
}

static int
swxdp_load(char **errp)
{
    if (prog_fd >= 0 || load_error) {
        if (load_error) {
            *errp = xasprintf("could not load the XDP program (%s)",
                              strerror(-load_error));
        }
        return load_error;
    }
    libbpf_set_print(libbpf_print);
    libxdp_set_print(libxdp_print);
    int error = open_and_load(true);
    if (error) {
        /* A kernel may refuse the tc half alone: do without it. */
        VLOG_INFO("XDP program: loading without its tc half");
        error = open_and_load(false);
    }
    if (!error) {
        prog_fd = loaded_prog_fd("sw_xdp");
        if (prog_fd < 0) {
            prog_fd = -ENOENT;
        }
        tc_prog_fd = loaded_prog_fd("sw_tc");
        tc_sock_prog_fd = loaded_prog_fd("sw_tc_sock");
        sock_prog_fd = loaded_prog_fd("sw_sock");
        tc_tunnel_prog_fd = loaded_prog_fd("sw_tc_tunnel");
        tunnels_fd = map_fd("tunnels");
        tunnel_rx_fd = map_fd("tunnel_rx");
        heartbeat_fd = map_fd("heartbeat");
        tc_missed_fd = map_fd("tc_missed");
        xsks_fd = map_fd("xsks");
        xsk_base_fd = map_fd("xsk_base");
        tx_ports_fd = map_fd("tx_ports");
        masks_fd = map_fd("masks");
        flows_fd = map_fd("flows");
        n_cpus = libbpf_num_possible_cpus();
        error = MIN(prog_fd, MIN(xsks_fd, MIN(xsk_base_fd, MIN(tx_ports_fd,
                    MIN(masks_fd, MIN(flows_fd, MIN(n_cpus,
                    MIN(heartbeat_fd, MIN(tc_missed_fd, MIN(tunnels_fd,
                    MIN(tunnel_rx_fd, 0)))))))))));
    }
    if (error) {
        load_error = error < 0 ? error : -EINVAL;
        prog_fd = -1;
        bpf_object__close(obj);
        obj = NULL;
        VLOG_WARN("could not load the XDP program (%s)",
                  strerror(-load_error));
        *errp = xasprintf("could not load the XDP program (%s)",
                          strerror(-load_error));
        return load_error;
    }
    return 0;
}

/* swxdp_load(), for a caller that needs tc program '*prog'. */
static int
swxdp_load_tc(const int *prog, char **errp)
{
    int error = swxdp_load(errp);
    if (!error && *prog < 0) {
        *errp = xstrdup("the kernel took no tc program");
        error = -EOPNOTSUPP;
    }
    return error;
}

static uint32_t
mode_flags(const struct swxdp_device *dev)
{
    return (dev->hook == SWXDP_HOOK_GENERIC ? XDP_FLAGS_SKB_MODE
            : XDP_FLAGS_DRV_MODE);
}

/* Attaches the program to the device: through a link, or, on kernels
 * without XDP links (before 5.9), directly, unless another program is
 * there. */
static int
attach(struct swxdp_device *dev, char **errp)
{
    LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = mode_flags(dev));
    dev->link_fd = bpf_link_create(prog_fd, dev->ifindex, BPF_XDP, &opts);
    int error = dev->link_fd < 0 ? -errno : 0;
    if (error == -EINVAL || error == -EOPNOTSUPP) {
        error = bpf_xdp_attach(dev->ifindex, prog_fd,
                               mode_flags(dev) | XDP_FLAGS_UPDATE_IF_NOEXIST,
                               NULL);
    }
    if (error) {
        *errp = xasprintf(error == -EBUSY || error == -EEXIST
                          ? "another XDP program is attached"
                          : "could not attach the XDP program (%s)",
                          strerror(-error));
    }
    return error;
}

/* In native mode, also puts the tc program at the device's ingress, for
 * entries toward devices that cannot take XDP frames; on a packet
 * socket's device, the one that sends on what the socket's filter
 * marked.  Without it those entries are not made; nothing else depends
 * on it.  A filter left by a daemon that died is replaced.  The clsact
 * qdisc, once there, stays: others may have filters on it. */
static int
tc_filter_add(int ifindex, int prog, uint32_t handle, uint32_t priority)
{
    if (prog < 0) {
        return -EOPNOTSUPP;
    }
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
                .attach_point = BPF_TC_INGRESS);
    int error = bpf_tc_hook_create(&hook);
    if (error && error != -EEXIST) {
        VLOG_INFO("ifindex %d: no clsact qdisc for the fast path (%s)",
                  ifindex, strerror(-error));
        return error;
    }
    LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog,
                .handle = handle, .priority = priority,
                .flags = BPF_TC_F_REPLACE);
    error = bpf_tc_attach(&hook, &opts);
    if (error) {
        VLOG_INFO("ifindex %d: no tc program for the fast path (%s)",
                  ifindex, strerror(-error));
    }
    return error;
}

static void
tc_filter_del(int ifindex, uint32_t handle, uint32_t priority)
{
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
                .attach_point = BPF_TC_INGRESS);
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = priority);
    bpf_tc_detach(&hook, &opts);
}

static void
attach_tc(struct swxdp_device *dev)
{
    int fd = dev->hook == SWXDP_HOOK_SOCKET ? tc_sock_prog_fd : tc_prog_fd;
    dev->tc_attached = !tc_filter_add(dev->ifindex, fd, TC_HANDLE,
                                      TC_PRIORITY);
}

static void
detach_tc(struct swxdp_device *dev)
{
    if (dev->tc_attached && dev->hook != SWXDP_HOOK_TUNNEL) {
        tc_filter_del(dev->ifindex, TC_HANDLE, TC_PRIORITY);
    }
}

static void
detach(struct swxdp_device *dev)
{
    if (dev->link_fd >= 0) {
        close(dev->link_fd);
    } else {
        LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = prog_fd);
        bpf_xdp_detach(dev->ifindex, mode_flags(dev), &opts);
    }
}

/* A new device in 'hook' for 'ifindex', in a free slot, or NULL. */
static struct swxdp_device *
device_new(int ifindex, enum swxdp_hook hook, char **errp)
{
    unsigned int slot = 0;
    while (slot < SWXDP_MAX_DEVICES && devices[slot]) {
        slot++;
    }
    if (slot == SWXDP_MAX_DEVICES) {
        *errp = xasprintf("more than %d fast path devices",
                          SWXDP_MAX_DEVICES);
        return NULL;
    }
    struct swxdp_device *dev = xzalloc(sizeof *dev);
    dev->ifindex = ifindex;
    dev->hook = hook;
    dev->link_fd = dev->sock_fd = -1;
    dev->slot = slot;
    dev->info.base = slot * SWXDP_MAX_QUEUES;
    return dev;
}

/* Writes 'dev''s "xsk_base" value. */
static int
device_write_info(const struct swxdp_device *dev)
{
    uint32_t key = dev->ifindex;
    return (bpf_map_update_elem(xsk_base_fd, &key, &dev->info, BPF_ANY)
            ? -errno : 0);
}

/* Learns whether 'dev' is a veth whose other end is in another
 * namespace, and that end's MAC (which may change), for tc_send() in
 * sw-xdp.bpf.c.  Returns true if that changed. */
static bool
device_update_peer(struct swxdp_device *dev)
{
    if (dev->not_veth) {
        return false;
    }
    struct eth_addr mac;
    int error = linux_get_veth_peer(dev->ifindex, &mac);
    dev->not_veth = error == -EOPNOTSUPP;

    struct swxdp_device_info info = dev->info;
    info.has_peer = !error;
    memset(info.peer_mac, 0, sizeof info.peer_mac);
    if (info.has_peer) {
        memcpy(info.peer_mac, mac.ea, sizeof info.peer_mac);
    }
    if (!memcmp(&info, &dev->info, sizeof info)) {
        return false;
    }
    dev->info = info;
    return true;
}

/* Makes 'dev' a fast path target. */
static int
device_register(struct swxdp_device *dev, char **errp)
{
    uint32_t key = dev->ifindex;
    device_update_peer(dev);
    int error = device_write_info(dev);
    if (!error && bpf_map_update_elem(tx_ports_fd, &key, &key, BPF_ANY)) {
        error = -errno;
    }
    if (error) {
        *errp = xasprintf("could not add the device to the XDP maps (%s)",
                          strerror(-error));
        bpf_map_delete_elem(xsk_base_fd, &key);
        return error;
    }
    devices[dev->slot] = dev;
    return 0;
}

int
swxdp_device_open(int ifindex, bool generic, struct swxdp_device **devp,
                  char **errp)
{
    *devp = NULL;
    int error = swxdp_load(errp);
    if (error) {
        return error;
    }
    struct swxdp_device *dev = device_new(ifindex, (generic
                                                    ? SWXDP_HOOK_GENERIC
                                                    : SWXDP_HOOK_NATIVE),
                                          errp);
    if (!dev) {
        return -ENOSPC;
    }
    error = attach(dev, errp);
    if (error) {
        free(dev);
        return error;
    }
    if (!generic) {
        attach_tc(dev);
    }
    error = device_register(dev, errp);
    if (error) {
        detach_tc(dev);
        detach(dev);
        free(dev);
        return error;
    }
    *devp = dev;
    return 0;
}

int
swxdp_socket_device_open(int ifindex, int sock_fd,
                         struct swxdp_device **devp, char **errp)
{
    *devp = NULL;
    int error = swxdp_load_tc(&sock_prog_fd, errp);
    if (error) {
        return error;
    }
    struct swxdp_device *dev = device_new(ifindex, SWXDP_HOOK_SOCKET, errp);
    if (!dev) {
        return -ENOSPC;
    }
    /* tc first: the filter's marks must find it there. */
    attach_tc(dev);
    if (!dev->tc_attached) {
        *errp = xstrdup("could not attach the tc program");
        free(dev);
        return -EOPNOTSUPP;
    }
    error = device_register(dev, errp);
    if (error) {
        detach_tc(dev);
        free(dev);
        return error;
    }
    if (setsockopt(sock_fd, SOL_SOCKET, SO_ATTACH_BPF, &sock_prog_fd,
                   sizeof sock_prog_fd) < 0) {
        error = -errno;
        *errp = xasprintf("could not attach the socket filter (%s)",
                          strerror(errno));
        swxdp_device_close(dev);
        return error;
    }
    dev->sock_fd = sock_fd;
    *devp = dev;
    return 0;
}

/* Tunnels. */

/* Puts sw_tc_tunnel at the ingress of 'ifindex', or counts one more
 * tunnel there. */
static int
underlay_ref(int ifindex)
{
    int free_slot = -1;
    for (int i = 0; i < SWXDP_MAX_DEVICES; i++) {
        if (underlays[i].refs && underlays[i].ifindex == ifindex) {
            underlays[i].refs++;
            return 0;
        }
        if (!underlays[i].refs && free_slot < 0) {
            free_slot = i;
        }
    }
    if (free_slot < 0) {
        return -ENOSPC;
    }
    int error = tc_filter_add(ifindex, tc_tunnel_prog_fd, TC_TUNNEL_HANDLE,
                              TC_TUNNEL_PRIORITY);
    if (!error) {
        underlays[free_slot].ifindex = ifindex;
        underlays[free_slot].refs = 1;
    }
    return error;
}

static void
underlay_unref(int ifindex)
{
    for (int i = 0; i < SWXDP_MAX_DEVICES; i++) {
        if (underlays[i].refs && underlays[i].ifindex == ifindex) {
            if (!--underlays[i].refs) {
                tc_filter_del(ifindex, TC_TUNNEL_HANDLE, TC_TUNNEL_PRIORITY);
            }
            return;
        }
    }
}

/* The outer fields of the packets that 'tunnel' receives. */
static struct swxdp_tunnel_rx_key
tunnel_rx_key(const struct swxdp_tunnel *t)
{
    struct swxdp_tunnel_rx_key rx = {
        .remote = t->remote,
        .local = t->local,
        .dst_port = t->dst_port,
        .ip_proto = t->ip_proto,
        .hdr_len = t->hdr_len,
    };
    memcpy(rx.hdr, t->hdr, sizeof rx.hdr);
    return rx;
}

/* Takes tunnel 'dev' out of the maps: its packets go to its socket
 * again, and tc drops, counted, what is still on its way to it. */
static void
tunnel_withdraw(struct swxdp_device *dev)
{
    if (dev->tc_attached) {
        uint32_t id = dev->ifindex;
        struct swxdp_tunnel_rx_key rx = tunnel_rx_key(&dev->tunnel);
        bpf_map_delete_elem(tunnel_rx_fd, &rx);
        bpf_map_delete_elem(tunnels_fd, &id);
        underlay_unref(dev->tunnel.oif);
        dev->tc_attached = false;
    }
    memset(&dev->tunnel, 0, sizeof dev->tunnel);
}

/* What 'dev''s entry in "tunnels" should be now, given the kernel's
 * route to its remote; all zero if there is none. */
static struct swxdp_tunnel
tunnel_routed(const struct swxdp_device *dev)
{
    const struct swxdp_tunnel_config *c = &dev->tunnel_cfg;
    struct swxdp_tunnel t;
    memset(&t, 0, sizeof t);
    int oif;
    uint32_t src;
    if (!linux_route_get_ipv4(c->remote, c->local, &oif, &src)
        && (c->local || src)) {
        t.oif = oif;
        t.local = c->local ? c->local : src;
        t.remote = c->remote;
        t.dst_port = htons(c->dst_port);
        t.ip_proto = c->ip_proto;
        t.ttl = c->ttl;
        t.tos = c->tos;
        t.df = c->df;
        t.hdr_len = c->hdr_len;
        memcpy(t.hdr, c->hdr, c->hdr_len);
    }
    return t;
}

/* Follows the kernel's route to the tunnel's remote: its device gets
 * sw_tc_tunnel, and the maps the outer fields. */
static void
tunnel_update_route(struct swxdp_device *dev)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    struct swxdp_tunnel t = tunnel_routed(dev);
    if (!memcmp(&t, &dev->tunnel, sizeof t)) {
        return;
    }
    char remote[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &dev->tunnel_cfg.remote, remote, sizeof remote);
    /* The new device's filter first: on the same device, it stays. */
    int error = t.oif ? underlay_ref(t.oif) : 0;
    tunnel_withdraw(dev);
    if (!t.oif) {
        VLOG_INFO("tunnel to %s: no route, so no fast path", remote);
        return;
    }

    struct swxdp_tunnel_rx_key rx = tunnel_rx_key(&t);
    uint32_t id = dev->ifindex;
    if (!error && bpf_map_update_elem(tunnels_fd, &id, &t, BPF_ANY)) {
        error = -errno;
        underlay_unref(t.oif);
    }
    if (!error && bpf_map_update_elem(tunnel_rx_fd, &rx, &id, BPF_ANY)) {
        error = -errno;
        bpf_map_delete_elem(tunnels_fd, &id);
        underlay_unref(t.oif);
    }
    if (error) {
        VLOG_WARN_RL(&rl, "tunnel to %s: no fast path (%s)", remote,
                     strerror(-error));
        return;
    }
    dev->tunnel = t;
    dev->tc_attached = true;
    VLOG_INFO("tunnel to %s: fast path through ifindex %d", remote, t.oif);
}

int
swxdp_tunnel_open(const struct swxdp_tunnel_config *cfg,
                  struct swxdp_device **devp, char **errp)
{
    *devp = NULL;
    int error = swxdp_load_tc(&tc_tunnel_prog_fd, errp);
    if (error) {
        return error;
    }
    if (cfg->hdr_len != 4 && cfg->hdr_len != 8) {
        *errp = xasprintf("a %zu-byte tunnel header", cfg->hdr_len);
        return -EOPNOTSUPP;
    }
    struct swxdp_device *dev = device_new(0, SWXDP_HOOK_TUNNEL, errp);
    if (!dev) {
        return -ENOSPC;
    }
    /* Never an id that a closed tunnel had: until the next offload run,
     * entries may still name it. */
    static uint32_t serial;
    serial = (serial + 1) & ~SWXDP_TUNNEL_ID;
    dev->ifindex = (int) (SWXDP_TUNNEL_ID | serial);
    dev->not_veth = true;
    dev->tunnel_cfg = *cfg;
    devices[dev->slot] = dev;
    tunnel_update_route(dev);
    *devp = dev;
    return 0;
}

int
swxdp_device_set_socket(struct swxdp_device *dev, int queue, int xsk_fd)
{
    if (queue < 0 || queue >= SWXDP_MAX_QUEUES) {
        return -EINVAL;
    }
    uint32_t key = dev->info.base + queue;
    uint32_t fd = xsk_fd;
    if (bpf_map_update_elem(xsks_fd, &key, &fd, BPF_ANY)) {
        return -errno;
    }
    if (queue >= (int) dev->info.n_queues) {
        dev->info.n_queues = queue + 1;
        return device_write_info(dev);
    }
    return 0;
}

void
swxdp_device_close(struct swxdp_device *dev)
{
    if (!dev) {
        return;
    }
    if (dev->hook == SWXDP_HOOK_TUNNEL) {
        tunnel_withdraw(dev);
        devices[dev->slot] = NULL;
        free(dev);
        return;
    }
    /* Frames stop coming first (the socket's filter marks no more before
     * tc goes), then the maps forget the device. */
    if (dev->sock_fd >= 0) {
        int zero = 0;
        setsockopt(dev->sock_fd, SOL_SOCKET, SO_DETACH_BPF, &zero,
                   sizeof zero);
    }
    detach_tc(dev);
    if (dev->hook != SWXDP_HOOK_SOCKET) {
        detach(dev);
    }
    uint32_t key = dev->ifindex;
    bpf_map_delete_elem(xsk_base_fd, &key);
    bpf_map_delete_elem(tx_ports_fd, &key);
    for (uint32_t q = 0; q < SWXDP_MAX_QUEUES; q++) {
        uint32_t i = dev->info.base + q;
        bpf_map_delete_elem(xsks_fd, &i);
    }
    devices[dev->slot] = NULL;
    free(dev);
}

int
swxdp_device_ifindex(const struct swxdp_device *dev)
{
    return dev->ifindex;
}

enum swxdp_hook
swxdp_device_hook(const struct swxdp_device *dev)
{
    return dev->hook;
}

bool
swxdp_device_has_tc(const struct swxdp_device *dev)
{
    return dev->tc_attached;
}

bool
swxdp_can_xmit(int ifindex)
{
    uint64_t features;
    return (!linux_get_xdp_features(ifindex, &features)
            && features & LINUX_XDP_ACT_NDO_XMIT);
}

/* The fast path table. */

/* Gives the program the masks in use, rewriting the map's one entry in
 * place.  A frame may read it half written, or keep using a mask for a
 * while after it goes; but a slot changes only while no entry has its
 * mask_id (entries come after swxdp_mask_ref() and go before
 * swxdp_mask_unref()) and is reused only a second after it was freed,
 * so such a frame can miss, never match the wrong entry. */
static int
masks_write(void)
{
    struct swxdp_masks all = { .n = 0 };
    for (int i = 0; i < SWXDP_MAX_MASKS; i++) {
        if (masks[i].refs) {
            all.mask[i] = masks[i].mask;
            all.mask[i].mask_id = 1;    /* "In use", to the program. */
            all.n = i + 1;
        }
    }
    uint32_t key = 0;
    return bpf_map_update_elem(masks_fd, &key, &all, BPF_ANY) ? -errno : 0;
}

int
swxdp_mask_ref(const struct swxdp_key *mask, long long now)
{
    int free_slot = -1;
    for (int i = 0; i < SWXDP_MAX_MASKS; i++) {
        if (masks[i].refs && !memcmp(&masks[i].mask, mask, sizeof *mask)) {
            masks[i].refs++;
            return i;
        }
        if (!masks[i].refs && free_slot < 0
            && (!masks[i].freed || now - masks[i].freed >= MASK_REUSE_MSEC)) {
            free_slot = i;
        }
    }
    if (free_slot < 0 || prog_fd < 0) {
        return prog_fd < 0 ? -ENODEV : -ENOSPC;
    }
    masks[free_slot].mask = *mask;
    masks[free_slot].refs = 1;
    int error = masks_write();
    if (error) {
        masks[free_slot].refs = 0;
        return error;
    }
    return free_slot;
}

void
swxdp_mask_unref(int mask_id, long long now)
{
    if (mask_id >= 0 && mask_id < SWXDP_MAX_MASKS && masks[mask_id].refs
        && !--masks[mask_id].refs) {
        masks[mask_id].freed = MAX(now, 1);
        masks_write();
    }
}

static const struct swxdp_device *
device_by_ifindex(int ifindex)
{
    for (size_t i = 0; i < SWXDP_MAX_DEVICES; i++) {
        if (devices[i] && devices[i]->ifindex == ifindex) {
            return devices[i];
        }
    }
    return NULL;
}

int
swxdp_flow_put(const struct swxdp_key *key, uint32_t out_ifindex,
               bool xdp_ok)
{
    const struct swxdp_device *in = device_by_ifindex(key->ifindex);
    if (!in) {
        return -ENODEV;
    }
    if (!xdp_ok && !in->tc_attached) {
        return -EOPNOTSUPP;
    }
    const struct swxdp_device *out = device_by_ifindex(out_ifindex);
    if (out && out->hook == SWXDP_HOOK_TUNNEL && (xdp_ok || !out->tc_attached
                                                  || !out->tunnel_cfg.max_len)) {
        return -EOPNOTSUPP;
    }
    struct swxdp_action *a = xcalloc(n_cpus, sizeof *a);
    for (int i = 0; i < n_cpus; i++) {
        a[i].out_ifindex = out_ifindex;
        a[i].max_len = (out && out->hook == SWXDP_HOOK_TUNNEL
                        ? out->tunnel_cfg.max_len : 0);
        a[i].in_n_queues = in->info.n_queues;
        a[i].in_generic = in->hook == SWXDP_HOOK_GENERIC;
        a[i].via_tc = !xdp_ok;
    }
    int error = (bpf_map_update_elem(flows_fd, key, a, BPF_NOEXIST)
                 ? -errno : 0);
    free(a);
    return error;
}

int
swxdp_flow_stats(const struct swxdp_key *key, uint64_t *n_packets,
                 uint64_t *n_bytes)
{
    struct swxdp_action *a = xcalloc(n_cpus, sizeof *a);
    int error = bpf_map_lookup_elem(flows_fd, key, a) ? -errno : 0;
    *n_packets = *n_bytes = 0;
    for (int i = 0; !error && i < n_cpus; i++) {
        *n_packets += a[i].n_packets;
        *n_bytes += a[i].n_bytes;
    }
    free(a);
    return error;
}

int
swxdp_flow_del(const struct swxdp_key *key)
{
    return bpf_map_delete_elem(flows_fd, key) ? -errno : 0;
}

void
swxdp_heartbeat(void)
{
    struct timespec ts;
    if (prog_fd < 0 || clock_gettime(CLOCK_MONOTONIC, &ts)) {
        return;
    }
    uint32_t key = 0;
    uint64_t ns = (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
    bpf_map_update_elem(heartbeat_fd, &key, &ns, BPF_ANY);

    /* A veth's other end may move, change its MAC or get an XDP
     * program: until this notices, frames for its old MAC are taken as
     * its own (see tc_send()). */
    static uint64_t peers_checked;
    if (ns - peers_checked >= PEER_CHECK_MSEC * 1000000ULL) {
        peers_checked = ns;
        for (size_t i = 0; i < SWXDP_MAX_DEVICES; i++) {
            if (!devices[i]) {
                continue;
            }
            if (devices[i]->hook == SWXDP_HOOK_TUNNEL) {
                tunnel_update_route(devices[i]);
            } else if (device_update_peer(devices[i])) {
                device_write_info(devices[i]);
            }
        }
    }
}

uint64_t
swxdp_tc_missed(void)
{
    uint64_t total = 0;
    if (prog_fd >= 0) {
        uint64_t *per_cpu = xcalloc(n_cpus, sizeof *per_cpu);
        uint32_t key = 0;
        if (!bpf_map_lookup_elem(tc_missed_fd, &key, per_cpu)) {
            for (int i = 0; i < n_cpus; i++) {
                total += per_cpu[i];
            }
        }
        free(per_cpu);
    }
    return total;
}
