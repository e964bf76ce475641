/* swctl's bridge, port and interface commands, and those for
 * controllers, fail mode, managers and SSL: the ovs-vsctl commands that
 * know the switch's structure. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "db/db-txn.h"
#include "swctl.h"
#include "util.h"

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_, *const *b = b_;
    return strcmp(*a, *b);
}

/* Appends 'names' sorted, one per line. */
static void
output_sorted(struct swctl_context *ctx, const char **names, size_t n)
{
    if (!n) {
        return;
    }
    qsort(names, n, sizeof *names, compare_strings);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s\n", names[i]);
    }
}

static void
cmd_init(struct swctl_context *ctx)
{
    swctl_root(ctx);
}

/* Back to an empty configuration: no bridges, managers or SSL, and none
 * of the root record's settings.  What nothing refers to then goes. */
static void
cmd_emer_reset(struct swctl_context *ctx)
{
    static const char *const columns[] = {
        "bridges", "manager_options", "ssl", "other_config", "external_ids",
    };
    struct db_row *root = swctl_root(ctx);
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        struct db_datum empty;
        db_datum_init_empty(&empty);
        swctl_set_datum(ctx, &root, columns[i], &empty);
    }
}

/* Refuses to create 'kind' ("a bridge", "a port", "an interface")
 * called 'name' if anything already has that name. */
static void
check_conflicts(struct swctl_context *ctx, const char *kind,
                const char *name)
{
    struct swctl_port *port = swctl_find_port_raw(ctx, name);
    struct swctl_iface *iface = swctl_find_iface_raw(ctx, name);

    if (swctl_find_bridge(ctx, name, false)) {
        sw_fatal("cannot create %s named %s because a bridge named %s "
                    "already exists", kind, name, name);
    }
    if (port) {
        sw_fatal("cannot create %s named %s because a port named %s "
                    "already exists on bridge %s", kind, name, name,
                    port->bridge->name);
    }
    if (iface) {
        sw_fatal("cannot create %s named %s because an interface named "
                    "%s already exists on bridge %s", kind, name, name,
                    iface->port->bridge->name);
    }
}

/* Creates Port 'name' with one Interface 'iface_name' of 'type' ("" for
 * none) and returns the Port row. */
static struct db_row *
create_port(struct swctl_context *ctx, const char *name,
            const char **iface_names, size_t n_ifaces, const char *type)
{
    struct db_row *port = swctl_insert(ctx, "Port");
    struct db_datum no_ifaces;
    db_datum_init_empty(&no_ifaces);    /* Not the default's zero UUID. */
    swctl_set_string(ctx, &port, "name", name);
    swctl_set_datum(ctx, &port, "interfaces", &no_ifaces);
    for (size_t i = 0; i < n_ifaces; i++) {
        struct db_row *iface = swctl_insert(ctx, "Interface");
        swctl_set_string(ctx, &iface, "name", iface_names[i]);
        if (type[0]) {
            swctl_set_string(ctx, &iface, "type", type);
        }
        swctl_add_ref(ctx, &port, "interfaces", db_row_uuid(iface));
        ctx->new_ifaces = xrealloc(ctx->new_ifaces, (ctx->n_new_ifaces + 1)
                                   * sizeof *ctx->new_ifaces);
        ctx->new_ifaces[ctx->n_new_ifaces++] = *db_row_uuid(iface);
    }
    return port;
}

static void
set_tag(struct swctl_context *ctx, struct db_row **port, int vlan)
{
    struct db_datum tag;
    db_datum_init_integer(&tag, vlan);
    swctl_set_datum(ctx, port, "tag", &tag);
}

static void
cmd_add_br(struct swctl_context *ctx)
{
    const char *name = ctx->argv[1];
    bool may_exist = swctl_has_option(ctx, "--may-exist");
    const char *parent_name = ctx->argc > 2 ? ctx->argv[2] : NULL;
    int vlan = 0;

    if (ctx->argc == 3) {
        sw_fatal("'add-br' command takes exactly 1 or 3 arguments");
    }
    if (parent_name && !str_to_int(ctx->argv[3], 0, 4095, &vlan)) {
        sw_fatal("add-br: vlan must be between 0 and 4095");
    }

    swctl_cache_ensure(ctx);
    struct swctl_bridge *br = swctl_find_bridge(ctx, name, false);
    if (br && may_exist) {
        if (!parent_name && br->parent) {
            sw_fatal("\"--may-exist add-br %s\" but %s is a VLAN bridge "
                        "for VLAN %d", name, name, br->vlan);
        } else if (parent_name && !br->parent) {
            sw_fatal("\"--may-exist add-br %s %s %d\" but %s is not a "
                        "VLAN bridge", name, parent_name, vlan, name);
        } else if (parent_name && (strcmp(br->parent->name, parent_name)
                                   || br->vlan != vlan)) {
            sw_fatal("\"--may-exist add-br %s %s %d\" but %s is a VLAN "
                        "bridge for the wrong parent or VLAN", name,
                        parent_name, vlan, name);
        }
        return;
    }
    check_conflicts(ctx, "a bridge", name);

    struct db_row *root = swctl_root(ctx);
    const char *local = name;
    if (!parent_name) {
        struct db_row *port = create_port(ctx, name, &local, 1, "internal");
        struct db_row *bridge = swctl_insert(ctx, "Bridge");
        swctl_set_string(ctx, &bridge, "name", name);
        swctl_add_ref(ctx, &bridge, "ports", db_row_uuid(port));
        swctl_add_ref(ctx, &root, "bridges", db_row_uuid(bridge));
    } else {
        struct swctl_bridge *parent = swctl_find_bridge(ctx, parent_name,
                                                        false);
        if (!parent) {
            sw_fatal("parent bridge %s does not exist", parent_name);
        }
        if (parent->parent) {
            sw_fatal("cannot create bridge with fake bridge as parent");
        }
        struct db_row *port = create_port(ctx, name, &local, 1, "internal");
        struct db_datum fake;
        db_datum_init_bool(&fake, true);
        swctl_set_datum(ctx, &port, "fake_bridge", &fake);
        set_tag(ctx, &port, vlan);
        struct db_row *parent_row = parent->row;
        swctl_add_ref(ctx, &parent_row, "ports", db_row_uuid(port));
    }
}

/* Removes 'port' from its bridge and deletes it with its interfaces. */
static void
delete_port(struct swctl_context *ctx, struct swctl_port *port)
{
    struct db_row *bridge = port->bridge->row;
    size_t n;
    struct db_row **ifaces = swctl_get_refs(ctx, port->row, "interfaces",
                                            &n);
    swctl_remove_ref(ctx, &bridge, "ports", db_row_uuid(port->row));
    for (size_t i = 0; i < n; i++) {
        swctl_delete(ctx, ifaces[i]);
    }
    free(ifaces);
    swctl_delete(ctx, port->row);
}

static void
cmd_del_br(struct swctl_context *ctx)
{
    swctl_cache_ensure(ctx);
    struct swctl_bridge *br = swctl_find_bridge(
        ctx, ctx->argv[1], !swctl_has_option(ctx, "--if-exists"));
    if (!br) {
        return;
    }

    /* Every port of the bridge, its fake bridges' and its own. */
    size_t n = 0, allocated = 0;
    struct swctl_port **ports = NULL, *port;
    HMAP_FOR_EACH (port, node, &ctx->ports) {
        if (port->bridge == br || (port->bridge->parent == br)) {
            ports = x2nrealloc(ports, &allocated, n + 1, sizeof *ports);
            ports[n++] = port;
        }
    }
    for (size_t i = 0; i < n; i++) {
        delete_port(ctx, ports[i]);
    }
    free(ports);
    if (!br->parent) {
        struct db_row *root = swctl_root(ctx);
        swctl_remove_ref(ctx, &root, "bridges", db_row_uuid(br->row));
        swctl_delete(ctx, br->row);
    }
}

static void
cmd_list_br(struct swctl_context *ctx)
{
    bool real = swctl_has_option(ctx, "--real");
    bool fake = swctl_has_option(ctx, "--fake");
    if (!real && !fake) {
        real = fake = true;
    }

    swctl_cache_ensure(ctx);
    const char **names = xcalloc(hmap_count(&ctx->bridges) + 1,
                                 sizeof *names);
    size_t n = 0;
    struct swctl_bridge *br;
    HMAP_FOR_EACH (br, node, &ctx->bridges) {
        if (br->parent ? fake : real) {
            names[n++] = br->name;
        }
    }
    output_sorted(ctx, names, n);
    free(names);
}

static void
cmd_br_exists(struct swctl_context *ctx)
{
    swctl_cache_ensure(ctx);
    if (!swctl_find_bridge(ctx, ctx->argv[1], false)) {
        ctx->exit_2 = true;
    }
}

static void
cmd_br_to_vlan(struct swctl_context *ctx)
{
    swctl_cache_ensure(ctx);
    struct swctl_bridge *br = swctl_find_bridge(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "%d\n", br->vlan);
}

static void
cmd_br_to_parent(struct swctl_context *ctx)
{
    swctl_cache_ensure(ctx);
    struct swctl_bridge *br = swctl_find_bridge(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "%s\n",
                  br->parent ? br->parent->name : br->name);
}

/* A bridge's external_ids: the Bridge row's, or for a fake bridge its
 * port's under "fake-bridge-" keys. */
static void
br_external_ids(struct swctl_context *ctx, struct swctl_bridge *br,
                struct db_row **rowp, const char **prefix)
{
    if (br->parent) {
        *rowp = swctl_find_port_raw(ctx, br->name)->row;
        *prefix = "fake-bridge-";
    } else {
        *rowp = br->row;
        *prefix = "";
    }
}

static void
cmd_br_set_external_id(struct swctl_context *ctx)
{
    swctl_cache_ensure(ctx);
    struct swctl_bridge *br = swctl_find_bridge(ctx, ctx->argv[1], true);
    struct db_row *row;
    const char *prefix;
    br_external_ids(ctx, br, &row, &prefix);

    char *key = xasprintf("%s%s", prefix, ctx->argv[2]);
    struct smap ids;
    smap_init(&ids);
    db_datum_to_smap(db_row_get(row, "external_ids"), &ids);
    if (ctx->argc > 3) {
        smap_replace(&ids, key, ctx->argv[3]);
    } else {
        smap_remove(&ids, key);
    }
    struct db_datum datum;
    db_datum_from_smap(&datum, &ids);
    swctl_set_datum(ctx, &row, "external_ids", &datum);
    smap_destroy(&ids);
    free(key);
}

static void
cmd_br_get_external_id(struct swctl_context *ctx)
{
    swctl_cache_ensure(ctx);
    struct swctl_bridge *br = swctl_find_bridge(ctx, ctx->argv[1], true);
    struct db_row *row;
    const char *prefix;
    br_external_ids(ctx, br, &row, &prefix);

    const struct db_datum *ids = db_row_get(row, "external_ids");
    for (unsigned int i = 0; i < ids->n; i++) {
        const char *key = ids->keys[i].string;
        if (!str_starts_with(key, prefix)) {
            continue;
        }
        key += strlen(prefix);
        if (ctx->argc > 2) {
            if (!strcmp(key, ctx->argv[2])) {
                ds_put_format(&ctx->output, "%s\n", ids->values[i].string);
            }
        } else {
            ds_put_format(&ctx->output, "%s=%s\n", key,
                          ids->values[i].string);
        }
    }
}

/* Ports or interfaces of 'br' that users see, sorted. */
static void
list_ports_or_ifaces(struct swctl_context *ctx, bool ifaces)
{
    swctl_cache_ensure(ctx);
    struct swctl_bridge *br = swctl_find_bridge(ctx, ctx->argv[1], true);
    size_t n = 0, allocated = 0;
    const char **names = NULL;

    if (!ifaces) {
        struct swctl_port *port;
        HMAP_FOR_EACH (port, node, &ctx->ports) {
            if (port->bridge == br
                && strcmp(swctl_port_name(port), br->name)) {
                names = x2nrealloc(names, &allocated, n + 1, sizeof *names);
                names[n++] = swctl_port_name(port);
            }
        }
    } else {
        struct swctl_iface *iface;
        HMAP_FOR_EACH (iface, node, &ctx->ifaces) {
            if (iface->port->bridge == br
                && strcmp(swctl_iface_name(iface), br->name)) {
                names = x2nrealloc(names, &allocated, n + 1, sizeof *names);
                names[n++] = swctl_iface_name(iface);
            }
        }
    }
    output_sorted(ctx, names, n);
    free(names);
}

static void
cmd_list_ports(struct swctl_context *ctx)
{
    list_ports_or_ifaces(ctx, false);
}

static void
cmd_list_ifaces(struct swctl_context *ctx)
{
    list_ports_or_ifaces(ctx, true);
}

/* Applies add-port's COLUMN[:KEY]=VALUE arguments.  Port columns come
 * first, as in ovs-vsctl; then Interface columns by exact name; then any
 * other KEY=VALUE is an option of the interface (the short form,
 * "type=vxlan key=100"). */
static void
apply_port_settings(struct swctl_context *ctx, struct db_row **port,
                    struct db_row **iface, int first, int last)
{
    const struct db_table *port_table = (*port)->table;
    const struct db_table *iface_table = db_get_table(ctx->db, "Interface");
    for (int i = first; i < last; i++) {
        const char *arg = ctx->argv[i];
        if (swctl_arg_names_column(ctx, port_table, arg, true) || !iface) {
            swctl_set_column(ctx, port, arg);
        } else if (swctl_arg_names_column(ctx, iface_table, arg, false)) {
            swctl_set_column(ctx, iface, arg);
        } else {
            const char *eq = strchr(arg, '=');
            const char *colon = strchr(arg, ':');
            if (!eq || eq == arg || (colon && colon < eq)) {
                /* Not KEY=VALUE: let the usual parser report it. */
                swctl_set_column(ctx, port, arg);
                continue;
            }
            char *option = xasprintf("options:%s", arg);
            swctl_set_column(ctx, iface, option);
            free(option);
        }
    }
}

static void
add_port(struct swctl_context *ctx, const char *br_name,
         const char *port_name, const char **iface_names, size_t n_ifaces,
         int settings_start)
{
    bool may_exist = swctl_has_option(ctx, "--may-exist");

    swctl_cache_ensure(ctx);
    struct swctl_port *existing = swctl_find_port(ctx, port_name, false);
    if (may_exist && existing) {
        if (strcmp(existing->bridge->name, br_name)) {
            sw_fatal("\"--may-exist add-port %s %s\" but %s is actually "
                        "attached to bridge %s", br_name, port_name,
                        port_name, existing->bridge->name);
        }
        return;
    }
    struct swctl_bridge *br = swctl_find_bridge(ctx, br_name, true);
    check_conflicts(ctx, "a port", port_name);
    for (size_t i = 0; i < n_ifaces; i++) {
        if (strcmp(iface_names[i], port_name)) {
            check_conflicts(ctx, "an interface", iface_names[i]);
        }
    }

    struct db_row *port = create_port(ctx, port_name, iface_names, n_ifaces,
                                      "");
    if (br->parent) {
        set_tag(ctx, &port, br->vlan);
    }
    size_t n;
    struct db_row **ifaces = swctl_get_refs(ctx, port, "interfaces", &n);
    struct db_row *iface = n == 1 ? ifaces[0] : NULL;
    free(ifaces);
    apply_port_settings(ctx, &port, iface ? &iface : NULL, settings_start,
                        ctx->argc);

    struct db_row *bridge = br->row;
    swctl_add_ref(ctx, &bridge, "ports", db_row_uuid(port));
}

static void
cmd_add_port(struct swctl_context *ctx)
{
    const char *iface = ctx->argv[2];
    add_port(ctx, ctx->argv[1], ctx->argv[2], &iface, 1, 3);
}

static void
cmd_add_bond(struct swctl_context *ctx)
{
    int first_setting = 3;
    while (first_setting < ctx->argc
           && !strchr(ctx->argv[first_setting], '=')) {
        first_setting++;
    }
    size_t n_ifaces = first_setting - 3;
    if (n_ifaces < 2 && !swctl_has_option(ctx, "--fake-iface")) {
        sw_fatal("add-bond requires at least 2 interfaces, but only %zu "
                    "were specified", n_ifaces);
    }
    add_port(ctx, ctx->argv[1], ctx->argv[2],
             (const char **) &ctx->argv[3], n_ifaces, first_setting);
}

static void
cmd_del_port(struct swctl_context *ctx)
{
    bool if_exists = swctl_has_option(ctx, "--if-exists");
    const char *name = ctx->argv[ctx->argc - 1];
    struct swctl_bridge *br = NULL;

    swctl_cache_ensure(ctx);
    if (ctx->argc > 2) {
        br = swctl_find_bridge(ctx, ctx->argv[1], true);
    }

    struct swctl_port *port = swctl_find_port(ctx, name, false);
    if (!port && swctl_has_option(ctx, "--with-iface")) {
        struct swctl_iface *iface = swctl_find_iface(ctx, name, false);
        port = iface ? iface->port : NULL;
    }
    if (!port) {
        struct swctl_port *local = swctl_find_port_raw(ctx, name);
        if (local && br && local->bridge == br) {
            sw_fatal("cannot delete port %s because it is the local port "
                        "for bridge %s (deleting this port requires deleting "
                        "the entire bridge)", name, br->name);
        }
        if (!if_exists) {
            sw_fatal("no port named %s", name);
        }
        return;
    }
    if (br && port->bridge != br) {
        if (port->bridge->parent == br) {
            sw_fatal("bridge %s does not have a port %s (although its "
                        "child bridge %s does)", br->name, name,
                        port->bridge->name);
        }
        sw_fatal("bridge %s does not have a port %s", br->name, name);
    }
    delete_port(ctx, port);
}

static void
cmd_port_to_br(struct swctl_context *ctx)
{
    swctl_cache_ensure(ctx);
    struct swctl_port *port = swctl_find_port(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "%s\n", port->bridge->name);
}

static void
cmd_iface_to_br(struct swctl_context *ctx)
{
    swctl_cache_ensure(ctx);
    struct swctl_iface *iface = swctl_find_iface(ctx, ctx->argv[1], true);
    ds_put_format(&ctx->output, "%s\n", iface->port->bridge->name);
}

/* Controllers, fail mode, managers, SSL. */

/* Prints the 'column' strings of the rows that 'row''s 'refs' column
 * points to, sorted. */
static void
output_ref_targets(struct swctl_context *ctx, const struct db_row *row,
                   const char *refs, const char *column)
{
    size_t n;
    struct db_row **rows = swctl_get_refs(ctx, row, refs, &n);
    const char **names = xcalloc(n + 1, sizeof *names);
    for (size_t i = 0; i < n; i++) {
        names[i] = db_row_get_string(rows[i], column);
    }
    output_sorted(ctx, names, n);
    free(names);
    free(rows);
}

/* Deletes every row that 'row''s 'refs' column points to and empties it. */
static void
delete_ref_targets(struct swctl_context *ctx, struct db_row **row,
                   const char *refs)
{
    size_t n;
    struct db_row **rows = swctl_get_refs(ctx, *row, refs, &n);
    struct db_datum empty;
    db_datum_init_empty(&empty);
    swctl_set_datum(ctx, row, refs, &empty);
    for (size_t i = 0; i < n; i++) {
        swctl_delete(ctx, rows[i]);
    }
    free(rows);
}

/* Replaces 'row''s 'refs' targets with new rows of 'table', one per
 * target string in argv[first...]. */
static void
set_ref_targets(struct swctl_context *ctx, struct db_row **row,
                const char *refs, const char *table, int first)
{
    delete_ref_targets(ctx, row, refs);
    for (int i = first; i < ctx->argc; i++) {
        struct db_row *target = swctl_insert(ctx, table);
        swctl_set_string(ctx, &target, "target", ctx->argv[i]);
        swctl_add_ref(ctx, row, refs, db_row_uuid(target));
    }
}

static struct db_row *
controller_bridge(struct swctl_context *ctx)
{
    swctl_cache_ensure(ctx);
    return swctl_find_real_bridge(ctx, ctx->argv[1], true)->row;
}

static void
cmd_get_controller(struct swctl_context *ctx)
{
    output_ref_targets(ctx, controller_bridge(ctx), "controller", "target");
}

static void
cmd_del_controller(struct swctl_context *ctx)
{
    struct db_row *br = controller_bridge(ctx);
    delete_ref_targets(ctx, &br, "controller");
}

static void
cmd_set_controller(struct swctl_context *ctx)
{
    struct db_row *br = controller_bridge(ctx);
    set_ref_targets(ctx, &br, "controller", "Controller", 2);
}

static void
cmd_get_fail_mode(struct swctl_context *ctx)
{
    const char *mode = db_row_get_string(controller_bridge(ctx),
                                         "fail_mode");
    if (mode) {
        ds_put_format(&ctx->output, "%s\n", mode);
    }
}

static void
cmd_del_fail_mode(struct swctl_context *ctx)
{
    struct db_row *br = controller_bridge(ctx);
    struct db_datum empty;
    db_datum_init_empty(&empty);
    swctl_set_datum(ctx, &br, "fail_mode", &empty);
}

static void
cmd_set_fail_mode(struct swctl_context *ctx)
{
    const char *mode = ctx->argv[2];
    if (strcmp(mode, "standalone") && strcmp(mode, "secure")) {
        sw_fatal("fail-mode must be \"standalone\" or \"secure\"");
    }
    struct db_row *br = controller_bridge(ctx);
    swctl_set_string(ctx, &br, "fail_mode", mode);
}

static void
cmd_get_manager(struct swctl_context *ctx)
{
    output_ref_targets(ctx, swctl_root(ctx), "manager_options", "target");
}

static void
cmd_del_manager(struct swctl_context *ctx)
{
    struct db_row *root = swctl_root(ctx);
    delete_ref_targets(ctx, &root, "manager_options");
}

static void
cmd_set_manager(struct swctl_context *ctx)
{
    struct db_row *root = swctl_root(ctx);
    set_ref_targets(ctx, &root, "manager_options", "Manager", 1);
}

static void
cmd_get_ssl(struct swctl_context *ctx)
{
    size_t n;
    struct db_row **ssl = swctl_get_refs(ctx, swctl_root(ctx), "ssl", &n);
    if (n) {
        ds_put_format(&ctx->output, "Private key: %s\nCertificate: %s\n"
                      "CA Certificate: %s\nBootstrap: %s\n",
                      db_row_get_string(ssl[0], "private_key"),
                      db_row_get_string(ssl[0], "certificate"),
                      db_row_get_string(ssl[0], "ca_cert"),
                      db_row_get_bool(ssl[0], "bootstrap_ca_cert", false)
                      ? "true" : "false");
    }
    free(ssl);
}

static void
cmd_del_ssl(struct swctl_context *ctx)
{
    struct db_row *root = swctl_root(ctx);
    delete_ref_targets(ctx, &root, "ssl");
}

static void
cmd_set_ssl(struct swctl_context *ctx)
{
    struct db_row *root = swctl_root(ctx);
    delete_ref_targets(ctx, &root, "ssl");

    struct db_row *ssl = swctl_insert(ctx, "SSL");
    swctl_set_string(ctx, &ssl, "private_key", ctx->argv[1]);
    swctl_set_string(ctx, &ssl, "certificate", ctx->argv[2]);
    swctl_set_string(ctx, &ssl, "ca_cert", ctx->argv[3]);
    struct db_datum bootstrap;
    db_datum_init_bool(&bootstrap, swctl_has_option(ctx, "--bootstrap"));
    swctl_set_datum(ctx, &ssl, "bootstrap_ca_cert", &bootstrap);
    swctl_add_ref(ctx, &root, "ssl", db_row_uuid(ssl));
}

/* Prefetches (see swctl-fetch.c).  Every Bridge and small table is
 * always loaded; these add the ports, interfaces and fake bridges
 * named. */

static void
prefetch_none(struct swctl_fetch *f, const struct db_schema *schema,
              int argc, char *argv[], const struct smap *options)
{
}

/* The bridge that most bridge commands take first. */
static void
prefetch_bridge(struct swctl_fetch *f, const struct db_schema *schema,
                int argc, char *argv[], const struct smap *options)
{
    swctl_fetch_bridge(f, argv[1]);
}

static void
prefetch_fake_bridges(struct swctl_fetch *f, const struct db_schema *schema,
                      int argc, char *argv[], const struct smap *options)
{
    swctl_fetch_fake_bridges(f);
}

/* The new bridge of add-br may not have a port's or interface's name; a
 * fake one may not have its parent's VLAN taken. */
static void
prefetch_add_br(struct swctl_fetch *f, const struct db_schema *schema,
                int argc, char *argv[], const struct smap *options)
{
    swctl_fetch_port(f, argv[1]);
    swctl_fetch_iface(f, argv[1]);
    if (argc == 4) {
        swctl_fetch_bridge(f, argv[2]);
        swctl_fetch_fake_bridges(f);
    }
}

/* The port of del-port, or with --with-iface its interface. */
static void
prefetch_del_port(struct swctl_fetch *f, const struct db_schema *schema,
                  int argc, char *argv[], const struct smap *options)
{
    swctl_fetch_port(f, argv[argc - 1]);
    swctl_fetch_iface(f, argv[argc - 1]);
    if (argc == 3) {
        swctl_fetch_bridge(f, argv[1]);
    }
}

static void
prefetch_add_port(struct swctl_fetch *f, const struct db_schema *schema,
                  int argc, char *argv[], const struct smap *options)
{
    swctl_fetch_bridge(f, argv[1]);
    swctl_fetch_port(f, argv[2]);
    swctl_fetch_iface(f, argv[2]);
    /* add-bond's interfaces come before the settings. */
    if (!strcmp(argv[0], "add-bond")) {
        for (int i = 3; i < argc && !strchr(argv[i], '='); i++) {
            swctl_fetch_iface(f, argv[i]);
        }
    }
}

static void
prefetch_port(struct swctl_fetch *f, const struct db_schema *schema,
              int argc, char *argv[], const struct smap *options)
{
    swctl_fetch_port(f, argv[1]);
}

static void
prefetch_iface(struct swctl_fetch *f, const struct db_schema *schema,
               int argc, char *argv[], const struct smap *options)
{
    swctl_fetch_iface(f, argv[1]);
}

const struct swctl_command swctl_bridge_commands[] = {
    { "init", 0, 0, "", cmd_init, "", prefetch_none },
    { "emer-reset", 0, 0, "", cmd_emer_reset, "", NULL },
    { "add-br", 1, 3, "BRIDGE [PARENT VLAN]", cmd_add_br, "--may-exist",
      prefetch_add_br },
    { "del-br", 1, 1, "BRIDGE", cmd_del_br, "--if-exists", NULL },
    { "list-br", 0, 0, "", cmd_list_br, "--real,--fake",
      prefetch_fake_bridges },
    { "br-exists", 1, 1, "BRIDGE", cmd_br_exists, "", prefetch_bridge },
    { "br-to-vlan", 1, 1, "BRIDGE", cmd_br_to_vlan, "", prefetch_bridge },
    { "br-to-parent", 1, 1, "BRIDGE", cmd_br_to_parent, "", prefetch_bridge },
    { "br-set-external-id", 2, 3, "BRIDGE KEY [VALUE]",
      cmd_br_set_external_id, "",
      prefetch_bridge },
    { "br-get-external-id", 1, 2, "BRIDGE [KEY]", cmd_br_get_external_id,
      "",
      prefetch_bridge },
    { "list-ports", 1, 1, "BRIDGE", cmd_list_ports, "", NULL },
    { "add-port", 2, INT32_MAX, "BRIDGE PORT [COLUMN[:KEY]=VALUE]...",
      cmd_add_port, "--may-exist",
      prefetch_add_port },
    { "add-bond", 4, INT32_MAX, "BRIDGE PORT IFACE... [COLUMN=VALUE]...",
      cmd_add_bond, "--may-exist,--fake-iface",
      prefetch_add_port },
    { "del-port", 1, 2, "[BRIDGE] PORT", cmd_del_port,
      "--if-exists,--with-iface",
      prefetch_del_port },
    { "port-to-br", 1, 1, "PORT", cmd_port_to_br, "", prefetch_port },
    { "list-ifaces", 1, 1, "BRIDGE", cmd_list_ifaces, "", NULL },
    { "iface-to-br", 1, 1, "IFACE", cmd_iface_to_br, "", prefetch_iface },
    { "get-controller", 1, 1, "BRIDGE", cmd_get_controller, "",
      prefetch_bridge },
    { "del-controller", 1, 1, "BRIDGE", cmd_del_controller, "",
      prefetch_bridge },
    { "set-controller", 1, INT32_MAX, "BRIDGE TARGET...",
      cmd_set_controller, "",
      prefetch_bridge },
    { "get-fail-mode", 1, 1, "BRIDGE", cmd_get_fail_mode, "",
      prefetch_bridge },
    { "del-fail-mode", 1, 1, "BRIDGE", cmd_del_fail_mode, "",
      prefetch_bridge },
    { "set-fail-mode", 2, 2, "BRIDGE MODE", cmd_set_fail_mode, "",
      prefetch_bridge },
    { "get-manager", 0, 0, "", cmd_get_manager, "", prefetch_none },
    { "del-manager", 0, 0, "", cmd_del_manager, "", prefetch_none },
    { "set-manager", 1, INT32_MAX, "TARGET...", cmd_set_manager, "",
      prefetch_none },
    { "get-ssl", 0, 0, "", cmd_get_ssl, "", prefetch_none },
    { "del-ssl", 0, 0, "", cmd_del_ssl, "", prefetch_none },
    { "set-ssl", 3, 3, "PRIVATE-KEY CERTIFICATE CA-CERT", cmd_set_ssl,
      "--bootstrap",
      prefetch_none },
    { NULL, 0, 0, NULL, NULL, NULL, NULL },
};
