/* swctl show: the whole configuration as a tree, in ovs-vsctl's layout.
 * Children come in UUID order (as the reference sets keep them), and a
 * column is shown only when it is not at its default. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "swctl.h"
#include "util.h"

/* How one table shows: its rows are titled "Table NAME" (or with the
 * quoted target), then show 'columns', then the rows of 'children'. */
struct show_table {
    const char *table;
    const char *title_column;
    bool quote_title;
    const char *columns[4];
    const char *children[3];
};

static const struct show_table show_tables[] = {
    { "Open_vSwitch", NULL, false, { NULL },
      { "manager_options", "bridges", NULL } },
    { "Manager", "target", true, { "is_connected", NULL }, { NULL } },
    { "Bridge", "name", false, { NULL }, { "controller", NULL } },
    { "Controller", "target", true, { "is_connected", NULL }, { NULL } },
    { "Port", "name", false, { "tag", "trunks", NULL },
      { "interfaces", NULL } },
    { "Interface", "name", false, { "type", "options", "error", NULL },
      { NULL } },
};

/* Bridge columns shown after the controllers and before the ports. */
static const char *const bridge_columns[] = { "fail_mode", "datapath_type" };

static const struct show_table *
find_show_table(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(show_tables); i++) {
        if (!strcmp(show_tables[i].table, name)) {
            return &show_tables[i];
        }
    }
    return NULL;
}

static void
show_column(struct swctl_context *ctx, const struct db_row *row,
            const char *name, int indent)
{
    const struct db_column *column = db_table_schema_find_column(
        row->table->schema, name);
    if (!column
        || db_datum_is_default(&row->fields[column->index], &column->type)) {
        return;
    }
    ds_put_char_multiple(&ctx->output, ' ', indent);
    ds_put_format(&ctx->output, "%s: ", name);
    db_datum_to_string(&row->fields[column->index], &column->type,
                       &ctx->output);
    ds_put_char(&ctx->output, '\n');
}

static void show_row(struct swctl_context *, const struct db_row *,
                     int indent);

static void
show_children(struct swctl_context *ctx, const struct db_row *row,
              const char *column, int indent)
{
    size_t n;
    struct db_row **children = swctl_get_refs(ctx, row, column, &n);
    for (size_t i = 0; i < n; i++) {
        show_row(ctx, children[i], indent);
    }
    free(children);
}

static void
show_row(struct swctl_context *ctx, const struct db_row *row, int indent)
{
    const struct show_table *st = find_show_table(row->table->schema->name);
    if (!st) {
        return;
    }

    ds_put_char_multiple(&ctx->output, ' ', indent);
    if (st->title_column) {
        const char *title = db_row_get_string(row, st->title_column);
        ds_put_format(&ctx->output, "%s ", st->table);
        if (st->quote_title) {
            db_string_quote(title, &ctx->output);
        } else {
            ds_put_cstr(&ctx->output, title);
        }
    } else {
        ds_put_format(&ctx->output, UUID_FMT, UUID_ARGS(db_row_uuid(row)));
    }
    ds_put_char(&ctx->output, '\n');

    for (size_t i = 0; st->columns[i]; i++) {
        show_column(ctx, row, st->columns[i], indent + 4);
    }
    for (size_t i = 0; st->children[i]; i++) {
        show_children(ctx, row, st->children[i], indent + 4);
    }
    if (!strcmp(st->table, "Bridge")) {
        for (size_t i = 0; i < ARRAY_SIZE(bridge_columns); i++) {
            show_column(ctx, row, bridge_columns[i], indent + 4);
        }
        show_children(ctx, row, "ports", indent + 4);
    }
    if (!strcmp(st->table, "Open_vSwitch")) {
        show_column(ctx, row, "ovs_version", indent + 4);
    }
}

static void
cmd_show(struct swctl_context *ctx)
{
    show_row(ctx, swctl_root(ctx), 0);
}

const struct swctl_command swctl_show_commands[] = {
    { "show", 0, 0, "", cmd_show, "", NULL },
    { NULL, 0, 0, NULL, NULL, NULL, NULL },
};
