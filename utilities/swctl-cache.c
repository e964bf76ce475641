/* swctl's view of bridges, ports and interfaces by name, built from the
 * replica as the transaction sees it.  A port with fake_bridge=true and a
 * tag makes a "fake" bridge: a VLAN of its parent, which owns the parent's
 * other ports with that tag. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "db/db-txn.h"
#include "hash.h"
#include "swctl.h"
#include "util.h"

static void
cache_clear(struct swctl_context *ctx)
{
    struct swctl_bridge *br;
    HMAP_FOR_EACH (br, node, &ctx->bridges) {
        hmap_remove(&ctx->bridges, &br->node);
        free(br->name);
        free(br);
    }
    struct swctl_port *port;
    HMAP_FOR_EACH (port, node, &ctx->ports) {
        hmap_remove(&ctx->ports, &port->node);
        free(port);
    }
    struct swctl_iface *iface;
    HMAP_FOR_EACH (iface, node, &ctx->ifaces) {
        hmap_remove(&ctx->ifaces, &iface->node);
        free(iface);
    }
}

void
swctl_cache_invalidate(struct swctl_context *ctx)
{
    ctx->cache_valid = false;
}

void
swctl_cache_destroy(struct swctl_context *ctx)
{
    cache_clear(ctx);
    hmap_destroy(&ctx->bridges);
    hmap_destroy(&ctx->ports);
    hmap_destroy(&ctx->ifaces);
}

const char *
swctl_port_name(const struct swctl_port *port)
{
    return db_row_get_string(port->row, "name");
}

const char *
swctl_iface_name(const struct swctl_iface *iface)
{
    return db_row_get_string(iface->row, "name");
}

struct db_row *
swctl_root(struct swctl_context *ctx)
{
    struct db_table *table = db_get_table(ctx->db, "Open_vSwitch");
    struct db_row *row;
    DB_TABLE_FOR_EACH (row, table) {
        return row;
    }
    /* A database nobody initialized: do it, as "init" would. */
    return swctl_insert(ctx, "Open_vSwitch");
}

static struct swctl_bridge *
add_bridge(struct swctl_context *ctx, const char *name, struct db_row *row,
           struct swctl_bridge *parent, int vlan)
{
    struct swctl_bridge *br = xzalloc(sizeof *br);
    br->name = xstrdup(name);
    br->row = row;
    br->parent = parent;
    br->vlan = vlan;
    hmap_insert(&ctx->bridges, &br->node, hash_string(name, 0));
    return br;
}

static struct swctl_bridge *
find_vlan_bridge(struct swctl_context *ctx, struct swctl_bridge *parent,
                 int vlan)
{
    struct swctl_bridge *br;
    HMAP_FOR_EACH (br, node, &ctx->bridges) {
        if (br->parent == parent && br->vlan == vlan) {
            return br;
        }
    }
    return NULL;
}

static bool
port_is_fake_bridge(const struct db_row *port)
{
    long long tag = db_row_get_int(port, "tag", -1);
    return db_row_get_bool(port, "fake_bridge", false) && tag >= 0
           && tag <= 4095;
}

struct swctl_port *
swctl_find_port_raw(struct swctl_context *ctx, const char *name)
{
    struct swctl_port *port;
    HMAP_FOR_EACH_WITH_HASH (port, node, hash_string(name, 0),
                             &ctx->ports) {
        if (!strcmp(swctl_port_name(port), name)) {
            return port;
        }
    }
    return NULL;
}

struct swctl_iface *
swctl_find_iface_raw(struct swctl_context *ctx, const char *name)
{
    struct swctl_iface *iface;
    HMAP_FOR_EACH_WITH_HASH (iface, node, hash_string(name, 0),
                             &ctx->ifaces) {
        if (!strcmp(swctl_iface_name(iface), name)) {
            return iface;
        }
    }
    return NULL;
}

static void
cache_build(struct swctl_context *ctx)
{
    struct db_row *root = swctl_root(ctx);
    size_t n_bridges;
    struct db_row **bridges = swctl_get_refs(ctx, root, "bridges",
                                             &n_bridges);

    cache_clear(ctx);
    for (size_t i = 0; i < n_bridges; i++) {
        const char *name = db_row_get_string(bridges[i], "name");
        if (swctl_find_bridge(ctx, name, false)) {
            swctl_warn("%s: database contains duplicate bridge name", name);
            continue;
        }
        struct swctl_bridge *br = add_bridge(ctx, name, bridges[i], NULL, 0);

        /* Fake bridges first, so that ports can find theirs. */
        size_t n_ports;
        struct db_row **ports = swctl_get_refs(ctx, bridges[i], "ports",
                                               &n_ports);
        for (size_t j = 0; j < n_ports; j++) {
            const char *port_name = db_row_get_string(ports[j], "name");
            if (port_is_fake_bridge(ports[j])
                && !swctl_find_bridge(ctx, port_name, false)) {
                add_bridge(ctx, port_name, bridges[i], br,
                           db_row_get_int(ports[j], "tag", 0));
            }
        }
        for (size_t j = 0; j < n_ports; j++) {
            const char *port_name = db_row_get_string(ports[j], "name");
            if (swctl_find_port_raw(ctx, port_name)) {
                continue;       /* On two bridges: the first wins. */
            }
            struct swctl_port *port = xzalloc(sizeof *port);
            port->row = ports[j];
            port->bridge = br;
            if (port_is_fake_bridge(ports[j])) {
                port->bridge = swctl_find_bridge(ctx, port_name, false);
            } else if (strcmp(port_name, name)) {
                long long tag = db_row_get_int(ports[j], "tag", -1);
                struct swctl_bridge *vlan_br = find_vlan_bridge(ctx, br,
                                                                tag);
                if (tag >= 0 && vlan_br) {
                    port->bridge = vlan_br;
                }
            }
            hmap_insert(&ctx->ports, &port->node, hash_string(port_name, 0));

            size_t n_ifaces;
            struct db_row **ifaces = swctl_get_refs(ctx, ports[j],
                                                    "interfaces", &n_ifaces);
            for (size_t k = 0; k < n_ifaces; k++) {
                const char *iface_name = db_row_get_string(ifaces[k],
                                                           "name");
                if (swctl_find_iface_raw(ctx, iface_name)) {
                    continue;
                }
                struct swctl_iface *iface = xzalloc(sizeof *iface);
                iface->row = ifaces[k];
                iface->port = port;
                hmap_insert(&ctx->ifaces, &iface->node,
                            hash_string(iface_name, 0));
            }
            free(ifaces);
        }
        free(ports);
    }
    free(bridges);
    ctx->cache_valid = true;
}

void
swctl_cache_ensure(struct swctl_context *ctx)
{
    if (!ctx->cache_valid) {
        cache_build(ctx);
    }
}

struct swctl_bridge *
swctl_find_bridge(struct swctl_context *ctx, const char *name,
                  bool must_exist)
{
    struct swctl_bridge *br;
    HMAP_FOR_EACH_WITH_HASH (br, node, hash_string(name, 0),
                             &ctx->bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    if (must_exist) {
        sw_fatal("no bridge named %s", name);
    }
    return NULL;
}

struct swctl_bridge *
swctl_find_real_bridge(struct swctl_context *ctx, const char *name,
                       bool must_exist)
{
    struct swctl_bridge *br = swctl_find_bridge(ctx, name, must_exist);
    if (br && br->parent) {
        sw_fatal("%s is a fake bridge", name);
    }
    return br;
}

struct swctl_port *
swctl_find_port(struct swctl_context *ctx, const char *name,
                bool must_exist)
{
    /* A bridge's own port is not a port of the bridge to users. */
    struct swctl_port *port = swctl_find_port_raw(ctx, name);
    if (port && strcmp(name, port->bridge->name)) {
        return port;
    }
    if (must_exist) {
        sw_fatal("no port named %s", name);
    }
    return NULL;
}

struct swctl_iface *
swctl_find_iface(struct swctl_context *ctx, const char *name,
                 bool must_exist)
{
    struct swctl_iface *iface = swctl_find_iface_raw(ctx, name);
    if (iface && strcmp(name, iface->port->bridge->name)) {
        return iface;
    }
    if (must_exist) {
        sw_fatal("no interface named %s", name);
    }
    return NULL;
}
