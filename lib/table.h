/* Rows and columns of text for command-line output, printed in one of
 * the formats `ovs-vsctl` users know: list ("column : value" lines), an
 * aligned table, CSV, JSON or HTML.  Each cell carries its text and, for
 * JSON output, its JSON value. */
#ifndef TABLE_H
#define TABLE_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ds;

enum table_format {
    TABLE_FORMAT_LIST,
    TABLE_FORMAT_TABLE,
    TABLE_FORMAT_CSV,
    TABLE_FORMAT_JSON,
    TABLE_FORMAT_HTML,
};

struct table_style {
    enum table_format format;
    bool headings;              /* Print column headings. */
    bool pretty;                /* Indent JSON. */
};

struct table;

struct table *table_create(void);
void table_destroy(struct table *);
void table_add_column(struct table *, const char *heading);
void table_add_row(struct table *);
/* Sets the next cell of the last row; takes 'json'. */
void table_add_cell(struct table *, const char *text, json_t *json);

/* Appends the table to 'out'. */
void table_format(const struct table *, const struct table_style *,
                  struct ds *out);

/* Parses "list", "table", "csv", "json" or "html". */
bool table_format_from_string(const char *, enum table_format *);

#endif /* table.h */
