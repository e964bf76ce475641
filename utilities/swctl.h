/* swctl internals: what the command implementations share.
 *
 * swctl works like ovs-vsctl: it loads a replica of the config DB, runs
 * every command of the command line in order against one transaction on
 * that replica (each seeing the effects of the ones before), and then
 * sends the whole transaction to the server at once.  A command that
 * finds a problem calls sw_fatal(): nothing has been sent yet, so the
 * database is untouched. */
#ifndef SWCTL_H
#define SWCTL_H 1

#include <stdbool.h>
#include "db/db-symtab.h"
#include "db/db.h"
#include "dynamic-string.h"
#include "hmap.h"
#include "smap.h"
#include "table.h"

struct db_schema;
struct db_txn;

enum swctl_data_format {
    DATA_STRING,                /* As the command line writes values. */
    DATA_BARE,                  /* No quotes or brackets. */
    DATA_JSON,                  /* RFC 7047 JSON. */
};

/* Options that apply to the whole run. */
struct swctl_options {
    struct table_style style;
    enum swctl_data_format data;
    char *columns;              /* --columns, or NULL. */
    bool oneline;
    bool dry_run;
    bool wait;                  /* Wait for sw-vswitchd (not --no-wait). */
};

/* The bridges, ports and interfaces as the switch sees them, by name,
 * including "fake" (VLAN) bridges.  Rebuilt whenever a command changed
 * them. */
struct swctl_bridge {
    struct hmap_node node;
    char *name;
    struct db_row *row;         /* The Bridge row (the parent's, if fake). */
    struct swctl_bridge *parent;    /* NULL unless fake. */
    int vlan;                   /* For a fake bridge; else 0. */
};

struct swctl_port {
    struct hmap_node node;
    struct db_row *row;
    struct swctl_bridge *bridge;
};

struct swctl_iface {
    struct hmap_node node;
    struct db_row *row;
    struct swctl_port *port;
};

struct swctl_context {
    const struct swctl_options *opts;
    struct db *db;
    struct db_txn *txn;
    struct db_symtab *symtab;   /* @names, for the whole run. */

    /* The command being run. */
    int argc;
    char **argv;
    const struct smap *options; /* Its options, e.g. "--may-exist". */
    struct ds output;
    struct table *table;        /* Output as a table, or NULL. */

    /* The cache; 'cache_valid' false forces a rebuild. */
    bool cache_valid;
    struct hmap bridges, ports, ifaces;

    /* Rows this run inserted into Interface, to check after the switch
     * has applied the change (local UUIDs). */
    struct uuid *new_ifaces;
    size_t n_new_ifaces;

    /* "create" prints the server's UUID of its row, known only after the
     * commit (local UUID). */
    bool print_uuid_after_commit;
    struct uuid created_uuid;

    /* br-exists of a missing bridge. */
    bool exit_2;

    /* wait-until found its condition false: run the commands again after
     * the next change to the database. */
    bool try_again;
};

struct swctl_fetch;

struct swctl_command {
    const char *name;
    int min_args, max_args;
    const char *usage;          /* Arguments, for --help. */
    void (*run)(struct swctl_context *);
    const char *options;        /* Allowed options, "--a,--b=". */

    /* Says what the command looks at, by name, so that a run need not
     * load the whole database (swctl-fetch.c).  NULL: everything. */
    void (*prefetch)(struct swctl_fetch *, const struct db_schema *,
                     int argc, char *argv[], const struct smap *options);
};

/* Command tables of each file. */
extern const struct swctl_command swctl_bridge_commands[];
extern const struct swctl_command swctl_db_commands[];
extern const struct swctl_command swctl_list_commands[];
extern const struct swctl_command swctl_show_commands[];

void swctl_exit(int status) NO_RETURN;
void swctl_warn(const char *format, ...) PRINTF_FORMAT(1, 2);

bool swctl_has_option(const struct swctl_context *, const char *option);

/* The cache (swctl-cache.c). */
void swctl_cache_invalidate(struct swctl_context *);
void swctl_cache_ensure(struct swctl_context *);
void swctl_cache_destroy(struct swctl_context *);
struct swctl_bridge *swctl_find_bridge(struct swctl_context *,
                                       const char *name, bool must_exist);
struct swctl_bridge *swctl_find_real_bridge(struct swctl_context *,
                                            const char *name,
                                            bool must_exist);
struct swctl_port *swctl_find_port(struct swctl_context *, const char *name,
                                   bool must_exist);
struct swctl_iface *swctl_find_iface(struct swctl_context *,
                                     const char *name, bool must_exist);
/* Including bridges' own ports and interfaces, which the above hide. */
struct swctl_port *swctl_find_port_raw(struct swctl_context *,
                                       const char *name);
struct swctl_iface *swctl_find_iface_raw(struct swctl_context *,
                                         const char *name);
const char *swctl_port_name(const struct swctl_port *);
const char *swctl_iface_name(const struct swctl_iface *);

/* The Open_vSwitch row, created in the transaction if there is none. */
struct db_row *swctl_root(struct swctl_context *);

/* The partial replica (swctl-fetch.c). */
struct db_client;
struct swctl_fetch *swctl_fetch_create(void);
void swctl_fetch_destroy(struct swctl_fetch *);
void swctl_fetch_all(struct swctl_fetch *);
bool swctl_fetch_needs_all(const struct swctl_fetch *);
/* A bridge named on the command line, which may be a fake bridge. */
void swctl_fetch_bridge(struct swctl_fetch *, const char *name);
/* Every fake bridge (looks at every Port). */
void swctl_fetch_fake_bridges(struct swctl_fetch *);
void swctl_fetch_port(struct swctl_fetch *, const char *name);
void swctl_fetch_iface(struct swctl_fetch *, const char *name);
/* A record of 'table' as the command line names it (swctl_get_row()). */
void swctl_fetch_record(struct swctl_fetch *, const char *table,
                        const char *record);
/* Loads what 'fetch' asks for into 'client''s replica.  Returns 0 or a
 * negative errno with '*errp' set. */
int swctl_fetch_load(const struct swctl_fetch *, struct db_client *,
                     long long deadline, char **errp);

/* Lookups and values (swctl-db.c). */
struct db_row *swctl_get_row(struct swctl_context *, struct db_table *,
                             const char *record, bool must_exist);
void swctl_parse_atom(struct swctl_context *, union db_atom *,
                      const struct db_base_type *, const char *);
void swctl_parse_datum(struct swctl_context *, struct db_datum *,
                       const struct db_type *, const char *);

/* Row helpers (swctl-db.c). */
struct db_table *swctl_table(struct swctl_context *, const char *name);
/* The name of the table that 'name' means, or NULL (no such table, or
 * more than one). */
const char *swctl_match_table(const struct db_schema *, const char *name);
const struct db_column *swctl_column(const struct db_table *,
                                     const char *name);
struct db_row *swctl_insert(struct swctl_context *, const char *table);
struct db_row *swctl_modify(struct swctl_context *, struct db_row *);
void swctl_delete(struct swctl_context *, struct db_row *);
void swctl_set_string(struct swctl_context *, struct db_row **,
                      const char *column, const char *value);
void swctl_set_datum(struct swctl_context *, struct db_row **,
                     const char *column, struct db_datum *value);
/* Adds or removes one UUID in a set-of-references column. */
void swctl_add_ref(struct swctl_context *, struct db_row **,
                   const char *column, const struct uuid *);
void swctl_remove_ref(struct swctl_context *, struct db_row **,
                      const char *column, const struct uuid *);
/* The rows that a reference column of 'row' points to. */
struct db_row **swctl_get_refs(struct swctl_context *, const struct db_row *,
                               const char *column, size_t *n);
/* Applies "COLUMN[:KEY]=VALUE" to 'row' (writable). */
void swctl_set_column(struct swctl_context *, struct db_row **,
                      const char *arg);
/* Whether 'arg' (COLUMN[:KEY]=VALUE) names a column of 'table'. */
bool swctl_arg_names_column(struct swctl_context *,
                            const struct db_table *, const char *arg,
                            bool allow_prefix);

#endif /* swctl.h */
