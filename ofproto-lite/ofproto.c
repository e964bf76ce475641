/* Bridges, their ports and MAC tables, and the upcall handler that
 * hands datapath misses to translation. */
#include <config.h>
#include "ofproto-lite/ofproto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dpif/dpif.h"
#include "hash.h"
#include "netdev/netdev.h"
#include "ofproto-lite/mac-learning.h"
#include "ofproto-lite/ofproto-private.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto);

enum {
    RUN_INTERVAL_MSEC = 500,    /* Statistics, expiry, aging. */
    DEFAULT_MAX_IDLE_MSEC = 10000,
};

struct hmap all_ofprotos = HMAP_INITIALIZER(&all_ofprotos);

/* Every bridge's ports, by datapath port number. */
static struct hmap all_ports = HMAP_INITIALIZER(&all_ports);

static struct dpif *the_dpif;
static uv_loop_t *the_loop;
static bool xcfg_deferred;      /* Between ofproto_defer_begin/end. */
static bool xcfg_stale;         /* A deferred rebuild is owed. */
static uv_timer_t run_timer;
static uv_async_t wakeup;
static bool need_revalidate;    /* Atomic: set from any thread. */
static unsigned int max_idle = DEFAULT_MAX_IDLE_MSEC;

struct ofproto *
ofproto_lookup(const char *name)
{
    struct ofproto *ofproto;
    HMAP_FOR_EACH_WITH_HASH (ofproto, node, hash_string(name, 0),
                             &all_ofprotos) {
        if (!strcmp(ofproto->name, name)) {
            return ofproto;
        }
    }
    return NULL;
}

struct dpif *
ofproto_dpif(void)
{
    return the_dpif;
}

struct ofport *
ofport_from_ofp(const struct ofproto *ofproto, ofp_port_t ofp_port)
{
    struct ofport *port;
    HMAP_FOR_EACH_WITH_HASH (port, ofp_node, hash_int(ofp_port, 0),
                             &ofproto->ports) {
        if (port->ofp_port == ofp_port) {
            return port;
        }
    }
    return NULL;
}

struct ofport *
ofport_from_name(const struct ofproto *ofproto, const char *name)
{
    struct ofport *port;
    HMAP_FOR_EACH (port, ofp_node, &ofproto->ports) {
        if (!strcmp(netdev_get_name(port->netdev), name)) {
            return port;
        }
    }
    return NULL;
}

/* Revalidation requests. */

void
ofproto_request_revalidate(void)
{
    __atomic_store_n(&need_revalidate, true, __ATOMIC_RELEASE);
    if (the_loop) {
        uv_async_send(&wakeup);
    }
}

void
ofproto_wake(void)
{
    if (the_loop) {
        uv_async_send(&wakeup);
    }
}

/* Revalidates now what needs it: everything after a rule or port change;
 * after MAC table changes (learning, moves, aging, flushes), just the
 * megaflows that looked up the addresses that changed. */
void
ofproto_revalidate_if_needed(void)
{
    bool all = __atomic_exchange_n(&need_revalidate, false,
                                   __ATOMIC_ACQ_REL);
    bool macs_changed = false;
    struct mac_change_set macs;
    mac_change_set_init(&macs);

    struct ofproto *ofproto;
    HMAP_FOR_EACH (ofproto, node, &all_ofprotos) {
        uint64_t seq = mac_learning_seq(ofproto->ml);
        if (seq == ofproto->ml_seq) {
            continue;
        }
        ofproto->ml_seq = seq;
        macs_changed = true;
        struct mac_change *changes;
        size_t n;
        if (!mac_learning_take_changes(ofproto->ml, &changes, &n)) {
            all = true;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            mac_change_set_add(&macs, ofproto, changes[i].mac,
                               changes[i].vlan);
        }
        free(changes);
    }
    if (all || macs_changed) {
        revalidator_run(the_dpif, all ? REVALIDATE_ALL : REVALIDATE_MACS,
                        &macs, time_msec(), max_idle);
    }
    mac_change_set_destroy(&macs);

    /* Megaflows just changed or deleted leave the XDP fast path before
     * it forwards another frame by them; new ones join it. */
    if (all || macs_changed || dpif_offload_pending(the_dpif)) {
        dpif_offload_run(the_dpif, time_msec());
    }
}

static void
wakeup_cb(uv_async_t *handle)
{
    ofproto_revalidate_if_needed();
}

/* Upcalls. */

static void
upcall_cb(const struct dpif_upcall *upcall, struct dpif_upcall_result *r,
          void *aux)
{
    struct xlate_in xin = {
        .flow = upcall->flow,
        .may_learn = upcall->packet != NULL,
        .now = upcall->now,
    };
    struct xlate_out xout = { .actions = r->actions };
    xout.xcache = xzalloc(sizeof *xout.xcache);

    xlate(&xin, &xout);
    r->actions = xout.actions;
    r->wc = xout.wc;
    r->no_install = xout.no_install;
    r->upcall_data = xout.xcache;
    if (xout.mac_changed) {
        ofproto_wake();         /* To revalidate what the change concerns. */
    }
}

/* Runs after the main thread has processed packets, so that what they
 * taught the MAC table shows in the megaflows before anyone looks. */
static void
after_main_batch(void *aux)
{
    ofproto_revalidate_if_needed();
}

/* A datapath thread installed a megaflow that may join the XDP fast
 * path: wakeup_cb() takes it there. */
static void
offload_wake(void *aux)
{
    ofproto_wake();
}

void
ofproto_run(void)
{
    long long now = time_msec();
    struct ofproto *ofproto;

    revalidator_run(the_dpif, REVALIDATE_NONE, NULL, now, max_idle);
    HMAP_FOR_EACH (ofproto, node, &all_ofprotos) {
        ofproto_expire_rules(ofproto, now);
        mac_learning_run(ofproto->ml, now);
    }
    ofproto_revalidate_if_needed();
    /* Also for what no event announces: megaflows expired above, a
     * device that became able to take redirected frames. */
    dpif_offload_run(the_dpif, now);
}

static void
run_cb(uv_timer_t *timer)
{
    ofproto_run();
}

void
ofproto_init(struct dpif *dpif, uv_loop_t *loop)
{
    the_dpif = dpif;
    the_loop = loop;
    dpif_set_upcall_cb(dpif, upcall_cb, xcache_free, NULL);
    dpif_set_after_main_batch_cb(dpif, after_main_batch, NULL);
    dpif_set_offload_wake_cb(dpif, offload_wake, NULL);
    xcfg_update();
    if (loop) {
        uv_async_init(loop, &wakeup, wakeup_cb);
        uv_timer_init(loop, &run_timer);
        uv_timer_start(&run_timer, run_cb, RUN_INTERVAL_MSEC,
                       RUN_INTERVAL_MSEC);
    }
    ofproto_unixctl_init();
}

void
ofproto_exit(void)
{
    if (the_loop) {
        uv_close((uv_handle_t *) &wakeup, NULL);
        uv_close((uv_handle_t *) &run_timer, NULL);
        the_loop = NULL;
    }
    xcfg_clear();
}

/* Rebuilds 'ofproto''s part of the translation view, now or at
 * ofproto_defer_end(). */
static void
xcfg_changed(struct ofproto *ofproto)
{
    ofproto->xbridge_stale = true;
    if (xcfg_deferred) {
        xcfg_stale = true;
    } else {
        xcfg_update();
    }
}

void
ofproto_defer_begin(void)
{
    xcfg_deferred = true;
}

void
ofproto_defer_end(void)
{
    xcfg_deferred = false;
    if (xcfg_stale) {
        xcfg_stale = false;
        xcfg_update();
    }
}

void
ofproto_set_max_idle(unsigned int msec)
{
    max_idle = MAX(msec, 100);
}

/* Bridges. */

/* Where port number 'ofp_port' is, or would go, in 'ofproto->sorted'. */
static size_t
sorted_find(const struct ofproto *ofproto, ofp_port_t ofp_port)
{
    size_t lo = 0, hi = ofproto->n_sorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ofproto->sorted[mid]->ofp_port < ofp_port) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void
sorted_insert(struct ofproto *ofproto, struct ofport *port)
{
    size_t i = sorted_find(ofproto, port->ofp_port);
    if (ofproto->n_sorted >= ofproto->allocated_sorted) {
        ofproto->sorted = x2nrealloc(ofproto->sorted,
                                     &ofproto->allocated_sorted,
                                     ofproto->n_sorted + 1,
                                     sizeof *ofproto->sorted);
    }
    memmove(&ofproto->sorted[i + 1], &ofproto->sorted[i],
            (ofproto->n_sorted - i) * sizeof *ofproto->sorted);
    ofproto->sorted[i] = port;
    ofproto->n_sorted++;
}

static void
sorted_remove(struct ofproto *ofproto, struct ofport *port)
{
    size_t i = sorted_find(ofproto, port->ofp_port);
    if (i < ofproto->n_sorted && ofproto->sorted[i] == port) {
        ofproto->n_sorted--;
        memmove(&ofproto->sorted[i], &ofproto->sorted[i + 1],
                (ofproto->n_sorted - i) * sizeof *ofproto->sorted);
    }
}

struct ofproto *
ofproto_create(const char *name, struct dpif *dpif)
{
    struct ofproto *ofproto = xzalloc(sizeof *ofproto);
    ofproto->name = xstrdup(name);
    ofproto->dpif = dpif;
    hmap_init(&ofproto->ports);
    for (size_t i = 0; i < OFP_N_TABLES; i++) {
        hmap_init(&ofproto->rules[i]);
    }
    ofproto->ml = mac_learning_create();
    ofproto->ml_seq = mac_learning_seq(ofproto->ml);
    hmap_insert(&all_ofprotos, &ofproto->node, hash_string(name, 0));
    ofproto_add_default_rule(ofproto);
    xcfg_update();
    VLOG_INFO("%s: created bridge", name);
    return ofproto;
}

static void
ofproto_free(struct ofproto *ofproto)
{
    for (size_t i = 0; i < OFP_N_TABLES; i++) {
        hmap_destroy(&ofproto->rules[i]);
    }
    hmap_destroy(&ofproto->ports);
    free(ofproto->sorted);
    free(ofproto->name);
    free(ofproto);
}

void
ofproto_destroy(struct ofproto *ofproto)
{
    if (!ofproto) {
        return;
    }
    /* The bridge leaves the translation view first, whole, so that its
     * ports then go without a new view each. */
    hmap_remove(&all_ofprotos, &ofproto->node);
    ofproto->destroying = true;
    xcfg_update();
    xbridge_unref(ofproto->xbridge);    /* Old views keep their own. */
    ofproto->xbridge = NULL;

    struct ofport *port;
    HMAP_FOR_EACH (port, ofp_node, &ofproto->ports) {
        ofproto_port_del(ofproto, port->ofp_port);
    }
    ofproto_flush_rules(ofproto);
    mac_learning_destroy(ofproto->ml);
    VLOG_INFO("%s: deleted bridge", ofproto->name);
    /* Translations in flight may still look at it. */
    rcu_postpone(ofproto_free, ofproto);
}

const char *
ofproto_get_name(const struct ofproto *ofproto)
{
    return ofproto->name;
}

void
ofproto_set_mac_learning(struct ofproto *ofproto, unsigned int aging_sec,
                         unsigned int max_entries)
{
    mac_learning_set_aging(ofproto->ml, aging_sec);
    mac_learning_set_max(ofproto->ml, max_entries);
}

/* Ports. */

static ofp_port_t
ofproto_alloc_port_number(const struct ofproto *ofproto, ofp_port_t request)
{
    if (request && request < OFPP_MAX
        && !ofport_from_ofp(ofproto, request)) {
        return request;
    }
    /* The lowest free number: numbers 1...k+1 are all taken exactly when
     * the (k+1)th lowest is k+1, so a binary search finds the first gap. */
    size_t lo = 0, hi = ofproto->n_sorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ofproto->sorted[mid]->ofp_port > mid + 1) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo + 1 < OFPP_MAX ? lo + 1 : OFPP_NONE;
}

int
ofproto_port_add(struct ofproto *ofproto, struct netdev *netdev,
                 ofp_port_t request, ofp_port_t *ofp_portp)
{
    ofp_port_t ofp_port = (!strcmp(netdev_get_name(netdev), ofproto->name)
                           ? OFPP_LOCAL
                           : ofproto_alloc_port_number(ofproto, request));
    if (ofp_port == OFPP_NONE || ofport_from_ofp(ofproto, ofp_port)) {
        return -EFBIG;
    }

    netdev_set_tlv_map(netdev, &ofproto->tlv_map);
    odp_port_t odp_port;
    int error = dpif_port_add(ofproto->dpif, netdev, &odp_port);
    if (error) {
        return error;
    }

    struct ofport *port = xzalloc(sizeof *port);
    port->ofproto = ofproto;
    port->netdev = netdev;
    port->ofp_port = ofp_port;
    port->odp_port = odp_port;
    port->vlan.mode = PORT_VLAN_TRUNK;
    port->vlan.tag = -1;
    hmap_insert(&ofproto->ports, &port->ofp_node, hash_int(ofp_port, 0));
    hmap_insert(&all_ports, &port->odp_node, hash_int(odp_port, 0));
    sorted_insert(ofproto, port);
    xcfg_changed(ofproto);
    ofproto_request_revalidate();
    *ofp_portp = ofp_port;
    VLOG_INFO("%s: added interface %s on port %u", ofproto->name,
              netdev_get_name(netdev), ofp_port);
    return 0;
}

void
ofproto_set_tlv_map(struct ofproto *ofproto, const struct tlv_map *map)
{
    ofproto->tlv_map = *map;
    struct ofport *port;
    HMAP_FOR_EACH (port, ofp_node, &ofproto->ports) {
        netdev_set_tlv_map(port->netdev, map);
    }
    ofproto_request_revalidate();
}

void
ofproto_port_del(struct ofproto *ofproto, ofp_port_t ofp_port)
{
    struct ofport *port = ofport_from_ofp(ofproto, ofp_port);
    if (!port) {
        return;
    }
    VLOG_INFO("%s: deleted interface %s on port %u", ofproto->name,
              netdev_get_name(port->netdev), ofp_port);
    hmap_remove(&ofproto->ports, &port->ofp_node);
    hmap_remove(&all_ports, &port->odp_node);
    sorted_remove(ofproto, port);
    if (!ofproto->destroying) {
        ofproto->xbridge_stale = true;
        xcfg_update();
    }
    /* Waits until no thread uses the port, so its netdev can close. */
    dpif_port_del(ofproto->dpif, port->odp_port);
    mac_learning_flush_port(ofproto->ml, ofp_port);
    ofproto_request_revalidate();
    free(port->trunks);
    free(port);
}

void
ofproto_port_set_vlan(struct ofproto *ofproto, ofp_port_t ofp_port,
                      const struct ofproto_port_vlan *vlan)
{
    struct ofport *port = ofport_from_ofp(ofproto, ofp_port);
    if (!port) {
        return;
    }
    uint64_t *trunks = NULL;
    if (vlan->n_trunks) {
        trunks = xzalloc(4096 / 8);
        for (size_t i = 0; i < vlan->n_trunks; i++) {
            int64_t v = vlan->trunks[i];
            if (v >= 0 && v < 4096) {
                trunks[v / 64] |= UINT64_C(1) << (v % 64);
            }
        }
    }
    bool same = (port->vlan.mode == vlan->mode && port->vlan.tag == vlan->tag
                 && (!trunks == !port->trunks)
                 && (!trunks || !memcmp(trunks, port->trunks, 4096 / 8)));
    if (same) {
        free(trunks);
        return;
    }
    free(port->trunks);
    port->trunks = trunks;
    port->vlan.mode = vlan->mode;
    port->vlan.tag = vlan->tag;
    port->vlan.trunks = NULL;
    port->vlan.n_trunks = 0;
    xcfg_changed(ofproto);
    /* Addresses learned under the old VLANs mean nothing now. */
    mac_learning_flush_port(ofproto->ml, ofp_port);
    ofproto_request_revalidate();
}

/* Port names for parsing and printing flows. */

static bool
namer_name_to_port(const char *name, uint32_t *port, void *ofproto_)
{
    const struct ofproto *ofproto = ofproto_;
    const struct ofport *p = ofport_from_name(ofproto, name);
    if (p) {
        *port = p->ofp_port;
    }
    return p != NULL;
}

static const char *
namer_port_to_name(uint32_t ofp_port, void *ofproto_)
{
    const struct ofport *p = ofport_from_ofp(ofproto_, ofp_port);
    return p ? netdev_get_name(p->netdev) : NULL;
}

struct port_namer
ofproto_port_namer(const struct ofproto *ofproto, bool names_out)
{
    struct port_namer namer = {
        .name_to_port = namer_name_to_port,
        .port_to_name = names_out ? namer_port_to_name : NULL,
        .aux = (void *) ofproto,
    };
    return namer;
}
