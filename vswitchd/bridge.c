#include <config.h>
#include "bridge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <urcu/list.h>
#include "bridge-changes.h"
#include "iface-status.h"
#include "db/db-error.h"
#include "db/db-txn.h"
#include "db/db.h"
#include "dpif/dpif.h"
#include "dynamic-string.h"
#include "hash.h"
#include "hmap.h"
#include "netdev/netdev.h"
#include "ofproto-lite/mac-learning.h"
#include "ofproto-lite/ofproto.h"
#include "smap.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(bridge);

enum {
    DEFAULT_FLOW_LIMIT = 200000,
    DEFAULT_MAX_IDLE_MSEC = 10000,
    STATS_INTERVAL_DEFAULT = 5000,  /* ms between statistics writes. */
    STATS_INTERVAL_MIN = 100,
};

struct iface {
    struct hmap_node node;      /* In struct bridge's 'ifaces', by name. */
    struct hmap_node uuid_node; /* In 'ifaces_by_uuid'. */
    struct bridge *br;
    struct uuid uuid;           /* Its Interface row. */
    char *name;
    char *type;
    struct netdev *netdev;      /* NULL if it could not be opened. */
    ofp_port_t ofp_port;        /* OFPP_NONE if not on the bridge. */
    struct smap options;        /* As last applied. */
    long long ofport_request;   /* 0 for none. */
    long long mtu_request;      /* 0 for none. */
    char *error;                /* Why it is not working, or NULL. */
};

struct bridge {
    struct hmap_node node;      /* In 'bridges', by name. */
    char *name;
    struct ofproto *ofproto;
    struct hmap ifaces;         /* struct iface. */
    bool seen;
};

static struct db *idl;
static struct dpif *dpif;
static uv_loop_t *loop;
static struct hmap bridges = HMAP_INITIALIZER(&bridges);
static struct hmap ifaces_by_uuid = HMAP_INITIALIZER(&ifaces_by_uuid);
static struct bridge_changes changes;
static struct db_listener bridge_listener;
static uv_timer_t reconfigure_timer;
static uv_timer_t stats_timer;
static long long stats_interval = STATS_INTERVAL_DEFAULT;
static bool writing;            /* Our own commit is under way. */

static struct db_table *
table(const char *name)
{
    struct db_table *t = db_get_table(idl, name);
    if (!t) {
        sw_fatal("schema has no %s table", name);
    }
    return t;
}

static const struct db_column *
column(const char *table_name, const char *name)
{
    const struct db_column *c = db_table_schema_find_column(
        table(table_name)->schema, name);
    if (!c) {
        sw_fatal("schema has no %s.%s column", table_name, name);
    }
    return c;
}

/* The rows that 'row''s column 'name' refers to, in order. */
static struct db_row **
get_refs(const struct db_row *row, const char *name, const char *ref_table,
         size_t *n)
{
    const struct db_datum *datum = db_row_get(row, name);
    struct db_table *t = table(ref_table);
    struct db_row **rows = xcalloc(datum->n ? datum->n : 1, sizeof *rows);
    *n = 0;
    for (unsigned int i = 0; i < datum->n; i++) {
        struct db_row *ref = db_table_get_row(t, &datum->keys[i].uuid);
        if (ref) {
            rows[(*n)++] = ref;
        }
    }
    return rows;
}

static struct db_row *
get_root_row(void)
{
    struct db_row *row;
    DB_TABLE_FOR_EACH (row, table("Open_vSwitch")) {
        return row;
    }
    return NULL;
}

static void
smap_from_column(const struct db_row *row, const char *name, struct smap *s)
{
    smap_init(s);
    db_datum_to_smap(db_row_get(row, name), s);
}

/* Bridges and interfaces. */

static struct bridge *
bridge_find(const char *name)
{
    struct bridge *br;
    HMAP_FOR_EACH_WITH_HASH (br, node, hash_string(name, 0), &bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

static struct iface *
iface_find(const struct bridge *br, const char *name)
{
    struct iface *iface;
    HMAP_FOR_EACH_WITH_HASH (iface, node, hash_string(name, 0),
                             &br->ifaces) {
        if (!strcmp(iface->name, name)) {
            return iface;
        }
    }
    return NULL;
}

static struct iface *
iface_find_by_uuid(const struct uuid *uuid)
{
    struct iface *iface;
    HMAP_FOR_EACH_WITH_HASH (iface, uuid_node, uuid_hash(uuid),
                             &ifaces_by_uuid) {
        if (uuid_equals(&iface->uuid, uuid)) {
            return iface;
        }
    }
    return NULL;
}

/* Records that 'iface' now stands for the Interface row 'row'. */
static void
iface_set_row(struct iface *iface, const struct db_row *row)
{
    if (!uuid_equals(&iface->uuid, db_row_uuid(row))) {
        hmap_remove(&ifaces_by_uuid, &iface->uuid_node);
        iface->uuid = *db_row_uuid(row);
        hmap_insert(&ifaces_by_uuid, &iface->uuid_node,
                    uuid_hash(&iface->uuid));
    }
}

static void
iface_close(struct bridge *br, struct iface *iface)
{
    if (iface->ofp_port != OFPP_NONE) {
        ofproto_port_del(br->ofproto, iface->ofp_port);
        iface->ofp_port = OFPP_NONE;
    }
    netdev_close(iface->netdev);
    iface->netdev = NULL;
}

static void
iface_destroy(struct bridge *br, struct iface *iface)
{
    iface_close(br, iface);
    hmap_remove(&br->ifaces, &iface->node);
    hmap_remove(&ifaces_by_uuid, &iface->uuid_node);
    smap_destroy(&iface->options);
    free(iface->name);
    free(iface->type);
    free(iface->error);
    free(iface);
}

static void
iface_set_error(struct iface *iface, char *error)
{
    if (error && (!iface->error || strcmp(error, iface->error))) {
        VLOG_WARN("%s", error);
    }
    free(iface->error);
    iface->error = error;
}

/* The OpenFlow port number to ask for: ofport_request, else the number
 * the interface had before (so that a restart keeps numbers, on which
 * flow rules depend), else none. */
static long long
iface_port_request(const struct db_row *row)
{
    long long request = db_row_get_int(row, "ofport_request", 0);
    long long previous = db_row_get_int(row, "ofport", 0);
    return request ? request : previous > 0 && previous < OFPP_MAX
                               ? previous : 0;
}

/* Asks the device for Interface.mtu_request, if any. */
static void
iface_apply_mtu(struct iface *iface)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    int mtu;
    if (!iface->netdev || !iface->mtu_request
        || (!netdev_get_mtu(iface->netdev, &mtu)
            && mtu == iface->mtu_request)) {
        return;
    }
    int error = netdev_set_mtu(iface->netdev, iface->mtu_request);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: could not set MTU %lld (%s)", iface->name,
                     iface->mtu_request, strerror(-error));
    }
}

/* Opens and adds the interface to its bridge, as far as it can. */
static void
iface_open(struct bridge *br, struct iface *iface)
{
    char *why = NULL;
    int error = netdev_open(iface->name, iface->type, &iface->netdev, &why);
    if (error) {
        iface_set_error(iface, xasprintf("could not open network device %s "
                                         "(%s)", iface->name,
                                         why ? why : strerror(-error)));
        free(why);
        return;
    }
    error = netdev_set_config(iface->netdev, &iface->options, &why);
    if (error) {
        iface_set_error(iface, xasprintf("could not configure network "
                                         "device %s (%s)", iface->name,
                                         why ? why : strerror(-error)));
        free(why);
        iface_close(br, iface);
        return;
    }
    iface_apply_mtu(iface);
    error = ofproto_port_add(br->ofproto, iface->netdev,
                             iface->ofport_request, &iface->ofp_port);
    if (error) {
        iface_set_error(iface, xasprintf("could not add network device %s "
                                         "to bridge %s (%s)", iface->name,
                                         br->name, strerror(-error)));
        iface_close(br, iface);
        return;
    }
    iface_set_error(iface, NULL);
}

/* Brings 'iface' in line with its Interface row. */
static void
iface_reconfigure(struct bridge *br, struct iface *iface,
                  const struct db_row *row)
{
    const char *type = db_row_get_string(row, "type");
    long long request = db_row_get_int(row, "ofport_request", 0);
    struct smap options;

    iface_set_row(iface, row);
    smap_from_column(row, "options", &options);
    bool retype = strcmp(type, iface->type);
    /* Only a request that changed renumbers: one that cannot be met
     * (another port has the number) must not reopen the port each time. */
    bool renumber = request && request != iface->ofport_request
                    && iface->ofp_port != OFPP_LOCAL;
    bool reoptions = !smap_equal(&options, &iface->options);
    /* Datapath threads poll a threaded port's queues, which new options
     * may close: such a port leaves the datapath to change them. */
    bool threaded = iface->netdev && netdev_is_threaded(iface->netdev);

    iface->mtu_request = db_row_get_int(row, "mtu_request", 0);
    if (retype || renumber || (reoptions && (iface->error || threaded))) {
        /* Start over: simplest and always right.  Keep the port's
         * number unless a new one was asked for. */
        ofp_port_t keep = iface->ofp_port;
        iface_close(br, iface);
        free(iface->type);
        iface->type = xstrdup(type);
        smap_destroy(&iface->options);
        smap_move(&iface->options, &options);
        iface->ofport_request = (request || keep == OFPP_NONE
                                 || keep == OFPP_LOCAL ? request : keep);
        iface_open(br, iface);
        return;
    }
    iface_apply_mtu(iface);
    if (reoptions) {
        char *why = NULL;
        int error = netdev_set_config(iface->netdev, &options, &why);
        if (error) {
            iface_set_error(iface, xasprintf("could not configure network "
                                             "device %s (%s)", iface->name,
                                             why ? why : strerror(-error)));
            free(why);
            iface_close(br, iface);
        }
        smap_destroy(&iface->options);
        smap_move(&iface->options, &options);
    } else {
        smap_destroy(&options);
    }
    iface->ofport_request = request;
}

/* Adds an interface for Interface row 'row' to 'br' and opens it. */
static void
iface_create(struct bridge *br, const struct db_row *row)
{
    struct iface *iface = xzalloc(sizeof *iface);
    iface->br = br;
    iface->uuid = *db_row_uuid(row);
    iface->name = xstrdup(db_row_get_string(row, "name"));
    iface->type = xstrdup(db_row_get_string(row, "type"));
    iface->ofp_port = OFPP_NONE;
    iface->ofport_request = iface_port_request(row);
    iface->mtu_request = db_row_get_int(row, "mtu_request", 0);
    smap_from_column(row, "options", &iface->options);
    hmap_insert(&br->ifaces, &iface->node, hash_string(iface->name, 0));
    hmap_insert(&ifaces_by_uuid, &iface->uuid_node, uuid_hash(&iface->uuid));
    iface_open(br, iface);
}

static struct bridge *
bridge_create(const char *name)
{
    struct bridge *br = xzalloc(sizeof *br);
    br->name = xstrdup(name);
    br->ofproto = ofproto_create(name, dpif);
    hmap_init(&br->ifaces);
    hmap_insert(&bridges, &br->node, hash_string(name, 0));
    return br;
}

static void
bridge_destroy(struct bridge *br)
{
    /* The ofproto takes its ports out of the datapath itself, faster
     * than one by one from here. */
    ofproto_destroy(br->ofproto);
    struct iface *iface;
    HMAP_FOR_EACH (iface, node, &br->ifaces) {
        iface->ofp_port = OFPP_NONE;
        iface_destroy(br, iface);
    }
    hmap_destroy(&br->ifaces);
    hmap_remove(&bridges, &br->node);
    free(br->name);
    free(br);
}

/* What the DB asks for: an interface, the bridge it belongs on, and its
 * row.  Listed twice, an interface stays where it was listed first. */
struct wanted_iface {
    struct hmap_node node;      /* By name. */
    const char *name;
    const char *bridge;
    const struct db_row *row;
};

static struct vlog_rate_limit dup_rl = VLOG_RATE_LIMIT_INIT(5, 5);

static struct wanted_iface *
wanted_find(const struct hmap *wanted, const char *name)
{
    struct wanted_iface *w;
    HMAP_FOR_EACH_WITH_HASH (w, node, hash_string(name, 0), wanted) {
        if (!strcmp(w->name, name)) {
            return w;
        }
    }
    return NULL;
}

static void
free_wanted(struct hmap *wanted)
{
    struct wanted_iface *w;
    HMAP_FOR_EACH (w, node, wanted) {
        hmap_remove(wanted, &w->node);
        free(w);
    }
    hmap_destroy(wanted);
}

/* Fills 'wanted' with every interface of every bridge in 'bridge_rows'. */
static void
collect_wanted(struct db_row **bridge_rows, size_t n_bridges,
               struct hmap *wanted)
{
    for (size_t b = 0; b < n_bridges; b++) {
        const char *br_name = db_row_get_string(bridge_rows[b], "name");
        size_t n_ports;
        struct db_row **ports = get_refs(bridge_rows[b], "ports", "Port",
                                         &n_ports);
        for (size_t i = 0; i < n_ports; i++) {
            size_t n_ifaces;
            struct db_row **ifaces = get_refs(ports[i], "interfaces",
                                              "Interface", &n_ifaces);
            for (size_t j = 0; j < n_ifaces; j++) {
                const char *name = db_row_get_string(ifaces[j], "name");
                struct wanted_iface *w = wanted_find(wanted, name);
                if (w) {
                    if (strcmp(w->bridge, br_name)) {
                        VLOG_WARN_RL(&dup_rl, "interface %s is on bridges "
                                     "%s and %s: keeping it on %s", name,
                                     w->bridge, br_name, w->bridge);
                    }
                    continue;
                }
                w = xzalloc(sizeof *w);
                w->name = name;
                w->bridge = br_name;
                w->row = ifaces[j];
                hmap_insert(wanted, &w->node, hash_string(name, 0));
            }
            free(ifaces);
        }
        free(ports);
    }
}

static int
compare_row_names(const void *a_, const void *b_)
{
    const struct db_row *const *a = a_, *const *b = b_;
    return strcmp(db_row_get_string(*a, "name"),
                  db_row_get_string(*b, "name"));
}

/* The Interface rows of 'wanted' in the order of their names: where two
 * interfaces compete (for a tunnel key, say), the same one wins every
 * time, on a full pass or an incremental one. */
static const struct db_row **
sort_by_name(const struct hmap *wanted, size_t *n)
{
    const struct db_row **rows = xcalloc(hmap_count(wanted) + 1,
                                         sizeof *rows);
    const struct wanted_iface *w;
    *n = 0;
    HMAP_FOR_EACH (w, node, wanted) {
        rows[(*n)++] = w->row;
    }
    qsort(rows, *n, sizeof *rows, compare_row_names);
    return rows;
}

/* Makes the running bridges and interfaces those that 'wanted' and
 * 'bridge_rows' describe.  Everything that goes away or moves is removed
 * first, so that an interface moving between bridges is free to be
 * added to its new one. */
static void
reconfigure_bridges(struct db_row **bridge_rows, size_t n_bridges,
                    const struct hmap *wanted)
{
    struct bridge *br;
    HMAP_FOR_EACH (br, node, &bridges) {
        br->seen = false;
    }
    for (size_t b = 0; b < n_bridges; b++) {
        br = bridge_find(db_row_get_string(bridge_rows[b], "name"));
        if (br) {
            br->seen = true;
        }
    }
    HMAP_FOR_EACH (br, node, &bridges) {
        if (!br->seen) {
            bridge_destroy(br);
            continue;
        }
        struct iface *iface;
        HMAP_FOR_EACH (iface, node, &br->ifaces) {
            const struct wanted_iface *w = wanted_find(wanted, iface->name);
            if (!w || strcmp(w->bridge, br->name)) {
                iface_destroy(br, iface);
            }
        }
    }

    for (size_t b = 0; b < n_bridges; b++) {
        const char *name = db_row_get_string(bridge_rows[b], "name");
        if (!bridge_find(name)) {
            bridge_create(name);
        }
    }
    size_t n;
    const struct db_row **rows = sort_by_name(wanted, &n);
    for (size_t i = 0; i < n; i++) {
        const struct wanted_iface *w = wanted_find(
            wanted, db_row_get_string(rows[i], "name"));
        br = bridge_find(w->bridge);
        struct iface *iface = iface_find(br, w->name);
        if (iface) {
            iface_reconfigure(br, iface, w->row);
        } else {
            iface_create(br, w->row);
        }
    }
    free(rows);
}

/* Bridge and port settings beyond the interfaces. */

static enum port_vlan_mode
port_vlan_mode(const struct db_row *port, bool has_tag, bool has_trunks)
{
    const struct db_datum *d = db_row_get(port, "vlan_mode");
    const char *mode = d->n ? d->keys[0].string : NULL;
    if (!mode) {
        /* Implicit, as in Open vSwitch: a tag makes an access port. */
        return has_tag && !has_trunks ? PORT_VLAN_ACCESS
               : has_tag ? PORT_VLAN_NATIVE_UNTAGGED : PORT_VLAN_TRUNK;
    }
    if (!strcmp(mode, "trunk")) {
        return PORT_VLAN_TRUNK;
    } else if (!strcmp(mode, "native-tagged")) {
        return PORT_VLAN_NATIVE_TAGGED;
    } else if (!strcmp(mode, "native-untagged")) {
        return PORT_VLAN_NATIVE_UNTAGGED;
    } else if (strcmp(mode, "access")) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 60);
        VLOG_WARN_RL(&rl, "port %s: vlan_mode %s is not supported yet; "
                     "treating it as access", db_row_get_string(port, "name"),
                     mode);
    }
    return PORT_VLAN_ACCESS;
}

static void
port_configure_vlan(struct bridge *br, const struct db_row *port)
{
    const struct db_datum *tag = db_row_get(port, "tag");
    const struct db_datum *trunks = db_row_get(port, "trunks");
    int64_t *trunk_list = xcalloc(trunks->n + 1, sizeof *trunk_list);
    for (unsigned int i = 0; i < trunks->n; i++) {
        trunk_list[i] = trunks->keys[i].integer;
    }
    struct ofproto_port_vlan vlan = {
        .mode = port_vlan_mode(port, tag->n, trunks->n),
        .tag = tag->n ? tag->keys[0].integer : -1,
        .trunks = trunk_list,
        .n_trunks = trunks->n,
    };
    if ((vlan.mode == PORT_VLAN_ACCESS || vlan.mode >= PORT_VLAN_NATIVE_TAGGED)
        && vlan.tag < 0) {
        /* Access or native without a tag: VLAN 0, as OVS does. */
        vlan.tag = 0;
    }

    size_t n_ifaces;
    struct db_row **ifaces = get_refs(port, "interfaces", "Interface",
                                      &n_ifaces);
    for (size_t i = 0; i < n_ifaces; i++) {
        struct iface *iface = iface_find(br, db_row_get_string(ifaces[i],
                                                               "name"));
        if (iface && iface->ofp_port != OFPP_NONE) {
            ofproto_port_set_vlan(br->ofproto, iface->ofp_port, &vlan);
        }
    }
    free(ifaces);
    free(trunk_list);
}

/* The bridge's own settings, not its ports'. */
static void
bridge_configure_settings(struct bridge *br, const struct db_row *bridge_row)
{
    struct smap oc;
    smap_from_column(bridge_row, "other_config", &oc);
    ofproto_set_mac_learning(br->ofproto,
                             smap_get_llong(&oc, "mac-aging-time",
                                            MAC_DEFAULT_AGING_SEC),
                             smap_get_llong(&oc, "mac-table-size",
                                            MAC_DEFAULT_MAX));
    smap_destroy(&oc);
}

static void
bridge_configure(struct db_row *bridge_row)
{
    struct bridge *br = bridge_find(db_row_get_string(bridge_row, "name"));
    if (!br) {
        return;
    }
    bridge_configure_settings(br, bridge_row);

    size_t n_ports;
    struct db_row **ports = get_refs(bridge_row, "ports", "Port", &n_ports);
    for (size_t i = 0; i < n_ports; i++) {
        port_configure_vlan(br, ports[i]);
    }
    free(ports);
}

static void
datapath_configure(const struct db_row *root)
{
    struct smap oc;
    smap_from_column(root, "other_config", &oc);
    dpif_set_flow_limit(dpif, MAX(smap_get_llong(&oc, "flow-limit",
                                                 DEFAULT_FLOW_LIMIT), 0));
    dpif_set_emc_insert_inv_prob(dpif,
                                 MAX(smap_get_llong(&oc,
                                                    "emc-insert-inv-prob",
                                                    100), 0));
    dpif_set_busy_poll(dpif, smap_get_bool(&oc, "dp-busy-poll", false));
    dpif_set_xdp_fastpath(dpif, smap_get_bool(&oc, "xdp-fastpath", true));
    dpif_set_n_threads(dpif, MIN(MAX(smap_get_llong(&oc, "n-dp-threads", 1),
                                     1), 64));
    ofproto_set_max_idle(MAX(smap_get_llong(&oc, "max-idle",
                                            DEFAULT_MAX_IDLE_MSEC), 0));
    smap_destroy(&oc);
}

/* Writing back. */

/* Writes what the bridge knows about an interface into its row. */
static void
iface_write_back(struct db_txn *txn, struct db_row *row,
                 const struct iface *iface, bool with_stats)
{
    bool on_bridge = iface && iface->ofp_port != OFPP_NONE;
    iface_status_write(txn, row, iface ? iface->netdev : NULL,
                       on_bridge ? (long long) iface->ofp_port : -1,
                       iface ? iface->error : NULL, with_stats);
}

/* Writes what the bridge knows into the Interface rows in 'dirty' (a
 * UUID set), or into all of them if it is NULL, and 'root''s cur_cfg if
 * 'root' is nonnull. */
static void
write_back(struct db_row *root, bool with_stats, const struct hmap *dirty)
{
    struct db_txn *txn = db_txn_create(idl);
    struct db_row *row;

    if (dirty) {
        struct uuid_map_node *n;
        UUID_SET_FOR_EACH (n, dirty) {
            row = db_table_get_row(table("Interface"), &n->key);
            if (row) {
                iface_write_back(txn, row, iface_find_by_uuid(&n->key),
                                 with_stats);
            }
        }
    } else {
        DB_TABLE_FOR_EACH (row, table("Interface")) {
            iface_write_back(txn, row, iface_find_by_uuid(db_row_uuid(row)),
                             with_stats);
        }
    }
    if (root) {
        struct db_datum d;
        db_datum_init_integer(&d, db_row_get_int(root, "next_cfg", 0));
        status_set(txn, root, "cur_cfg", &d);
    }

    writing = true;
    struct db_error *error = db_txn_commit(txn);
    writing = false;
    if (error) {
        char *s = db_error_to_string_free(error);
        VLOG_ERR("could not write status to the database: %s", s);
        free(s);
    }
}

/* Fills in the root row's facts about this switch. */
static void
init_root_row(void)
{
    struct db_txn *txn = db_txn_create(idl);
    struct db_row *root = get_root_row();
    struct uuid uuid;

    if (!root) {
        uuid_generate(&uuid);
        root = db_txn_insert(txn, table("Open_vSwitch"), &uuid);
    }
    status_set_string(txn, root, "ovs_version", PACKAGE_VERSION);

    struct db_datum types;
    size_t n;
    const char **names = netdev_get_types(&n);
    db_datum_init_empty(&types);
    for (size_t i = 0; i < n; i++) {
        union db_atom atom = { .string = xstrdup(names[i]) };
        db_datum_add_unsafe(&types, &atom, NULL);
    }
    free(names);
    db_datum_sort(&types, &column("Open_vSwitch", "iface_types")->type);
    status_set(txn, root, "iface_types", &types);

    struct db_datum dp_types;
    union db_atom netdev_atom = { .string = xstrdup("netdev") };
    db_datum_init_empty(&dp_types);
    db_datum_add_unsafe(&dp_types, &netdev_atom, NULL);
    status_set(txn, root, "datapath_types", &dp_types);

    writing = true;
    struct db_error *error = db_txn_commit(txn);
    writing = false;
    if (error) {
        char *s = db_error_to_string_free(error);
        sw_fatal("cannot initialize the database: %s", s);
    }
}

/* The incremental reconfiguration. */

/* The bridge on which Interface 'uuid' belongs now, with its row in
 * '*rowp', or NULL if it belongs on none. */
static struct bridge *
iface_wanted_bridge(const struct uuid *uuid, const struct db_row **rowp)
{
    *rowp = db_table_get_row(table("Interface"), uuid);
    const struct uuid *port = (*rowp ? bridge_changes_port_of(&changes, uuid)
                               : NULL);
    const struct uuid *br_uuid = (
        port && db_table_get_row(table("Port"), port)
        ? bridge_changes_bridge_of(&changes, port) : NULL);
    const struct db_row *br_row = (br_uuid
                                   ? db_table_get_row(table("Bridge"), br_uuid)
                                   : NULL);
    return br_row ? bridge_find(db_row_get_string(br_row, "name")) : NULL;
}

/* Reconfigures the ports on the bridge that 'port' (a Port UUID) is on. */
static void
port_reconfigure(const struct uuid *port)
{
    const struct db_row *row = db_table_get_row(table("Port"), port);
    const struct uuid *br_uuid = (row ? bridge_changes_bridge_of(&changes,
                                                                 port)
                                  : NULL);
    const struct db_row *br_row = (br_uuid
                                   ? db_table_get_row(table("Bridge"), br_uuid)
                                   : NULL);
    struct bridge *br = (br_row
                         ? bridge_find(db_row_get_string(br_row, "name"))
                         : NULL);
    if (br) {
        port_configure_vlan(br, row);
    }
}

/* Redoes what the commits since the last pass changed (see
 * bridge-changes.h).  Returns false if it met something that needs a full
 * pass. */
static bool
reconfigure_changes(struct db_row **bridge_rows, size_t n_bridges)
{
    for (size_t i = 0; i < n_bridges; i++) {
        struct bridge *br = bridge_find(db_row_get_string(bridge_rows[i],
                                                          "name"));
        if (!br) {
            return false;
        }
        bridge_configure_settings(br, bridge_rows[i]);
    }

    /* Take down what goes away or moves, then bring up or update the
     * rest, so that a name that moves is free where it goes. */
    bridge_changes_expand(&changes, idl);
    struct hmap wanted = HMAP_INITIALIZER(&wanted);
    struct uuid_map_node *n;
    UUID_SET_FOR_EACH (n, &changes.dirty_ifaces) {
        const struct db_row *row;
        struct bridge *br = iface_wanted_bridge(&n->key, &row);
        struct iface *iface = iface_find_by_uuid(&n->key);
        const char *name = row ? db_row_get_string(row, "name") : NULL;
        if (iface && (br != iface->br || strcmp(iface->name, name))) {
            iface_destroy(iface->br, iface);
        }
        if (br) {
            struct wanted_iface *w = xzalloc(sizeof *w);
            w->name = name;
            w->bridge = br->name;
            w->row = row;
            hmap_insert(&wanted, &w->node, hash_string(name, 0));
        }
    }

    size_t n_rows;
    const struct db_row **rows = sort_by_name(&wanted, &n_rows);
    bool ok = true;
    for (size_t i = 0; ok && i < n_rows; i++) {
        const struct wanted_iface *w = wanted_find(
            &wanted, db_row_get_string(rows[i], "name"));
        struct bridge *br = bridge_find(w->bridge);
        struct iface *iface = iface_find_by_uuid(db_row_uuid(w->row));
        if (iface) {
            iface_reconfigure(br, iface, w->row);
        } else if (iface_find(br, w->name)) {
            ok = false;         /* Its name is another row's still. */
        } else {
            iface_create(br, w->row);
        }
        /* A reopened interface has lost its port's VLAN settings. */
        bridge_changes_mark_port(&changes, bridge_changes_port_of(
                                     &changes, db_row_uuid(w->row)));
    }
    free(rows);
    free_wanted(&wanted);

    UUID_SET_FOR_EACH (n, &changes.dirty_ports) {
        if (ok) {
            port_reconfigure(&n->key);
        }
    }
    return ok;
}

/* With SW_BRIDGE_VERIFY set (tests do), checks the incremental pass
 * against what a full one would have made. */
static bool
verify_changes(struct db_row **bridge_rows, size_t n_bridges)
{
    struct hmap wanted = HMAP_INITIALIZER(&wanted);
    bool ok = true;

    collect_wanted(bridge_rows, n_bridges, &wanted);
    if (hmap_count(&ifaces_by_uuid) != hmap_count(&wanted)) {
        VLOG_ERR("incremental reconfiguration: %zu interfaces run where "
                 "%zu should", hmap_count(&ifaces_by_uuid),
                 hmap_count(&wanted));
        ok = false;
    }
    struct wanted_iface *w;
    HMAP_FOR_EACH (w, node, &wanted) {
        struct bridge *br = bridge_find(w->bridge);
        struct iface *iface = br ? iface_find(br, w->name) : NULL;
        if (!iface || !uuid_equals(&iface->uuid, db_row_uuid(w->row))) {
            VLOG_ERR("incremental reconfiguration: %s should be on %s",
                     w->name, w->bridge);
            ok = false;
        }
    }
    free_wanted(&wanted);
    return ok;
}

static void stats_cb(uv_timer_t *);
static void reconfigure_cb(uv_timer_t *);

/* Makes the bridges what the database says: everything on the first pass
 * and after changes that bridge-changes.c does not follow, else only what
 * the commits since the last pass changed. */
static void
reconfigure__(void)
{
    struct db_row *root = get_root_row();
    struct bridge *br;

    if (!root) {
        HMAP_FOR_EACH (br, node, &bridges) {
            bridge_destroy(br);
        }
        bridge_changes_rebuild(&changes, idl);
        write_back(NULL, true, NULL);
        return;
    }

    struct smap other_config;
    smap_from_column(root, "other_config", &other_config);
    long long interval = MAX(STATS_INTERVAL_MIN,
                             smap_get_llong(&other_config,
                                            "stats-update-interval",
                                            STATS_INTERVAL_DEFAULT));
    smap_destroy(&other_config);
    if (interval != stats_interval) {
        stats_interval = interval;
        uv_timer_start(&stats_timer, stats_cb, stats_interval, 0);
    }

    size_t n;
    struct db_row **rows = get_refs(root, "bridges", "Bridge", &n);
    bool full = bridge_changes_need_full(&changes);
    if (!full && reconfigure_changes(rows, n)) {
        datapath_configure(root);
        write_back(root, true, &changes.dirty_ifaces);
        bridge_changes_clear(&changes);
        /* The write-back changed no Bridge row: 'rows' still stand. */
        if (getenv("SW_BRIDGE_VERIFY") && !verify_changes(rows, n)) {
            changes.full = true;
            uv_timer_start(&reconfigure_timer, reconfigure_cb, 0, 0);
        }
    } else {
        full = true;
    }
    if (full) {
        struct hmap wanted = HMAP_INITIALIZER(&wanted);
        collect_wanted(rows, n, &wanted);
        reconfigure_bridges(rows, n, &wanted);
        for (size_t i = 0; i < n; i++) {
            bridge_configure(rows[i]);
        }
        datapath_configure(root);
        free_wanted(&wanted);
        bridge_changes_rebuild(&changes, idl);
        write_back(root, true, NULL);
    }
    free(rows);
}

static void
reconfigure(void)
{
    ofproto_defer_begin();
    reconfigure__();
    ofproto_defer_end();
}

static void
reconfigure_cb(uv_timer_t *timer)
{
    reconfigure();
}

static void
stats_cb(uv_timer_t *timer)
{
    write_back(NULL, true, NULL);
    uv_timer_start(&stats_timer, stats_cb, stats_interval, 0);
}

static void
bridge_committed(struct db_listener *listener, const struct db_txn *txn)
{
    if (!writing) {
        bridge_changes_note(&changes, txn);
        /* Coalesce a burst of commits into one reconfiguration. */
        uv_timer_start(&reconfigure_timer, reconfigure_cb, 0, 0);
    }
}

void
bridge_init(uv_loop_t *loop_, struct db *db, struct dpif *dpif_)
{
    loop = loop_;
    idl = db;
    dpif = dpif_;
    ofproto_init(dpif, loop);
    bridge_changes_init(&changes);
    init_root_row();

    bridge_listener.committed = bridge_committed;
    db_add_listener(idl, &bridge_listener);
    uv_timer_init(loop, &reconfigure_timer);
    uv_timer_init(loop, &stats_timer);
    reconfigure();
    uv_timer_start(&stats_timer, stats_cb, stats_interval, 0);
}

void
bridge_exit(void)
{
    struct bridge *br;
    HMAP_FOR_EACH (br, node, &bridges) {
        bridge_destroy(br);
    }
    ofproto_exit();
    bridge_changes_destroy(&changes);
    if (idl) {
        db_remove_listener(idl, &bridge_listener);
        uv_close((uv_handle_t *) &reconfigure_timer, NULL);
        uv_close((uv_handle_t *) &stats_timer, NULL);
        idl = NULL;
    }
}
