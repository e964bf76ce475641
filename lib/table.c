#include <config.h>
#include "table.h"

#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "util.h"

struct cell {
    char *text;
    json_t *json;
};

struct table {
    char **headings;
    size_t n_columns;
    struct cell **rows;         /* Each 'n_columns' cells. */
    size_t n_rows, n_cells_in_last;
};

struct table *
table_create(void)
{
    return xzalloc(sizeof(struct table));
}

void
table_destroy(struct table *t)
{
    if (!t) {
        return;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_columns; c++) {
            free(t->rows[r][c].text);
            json_decref(t->rows[r][c].json);
        }
        free(t->rows[r]);
    }
    for (size_t c = 0; c < t->n_columns; c++) {
        free(t->headings[c]);
    }
    free(t->rows);
    free(t->headings);
    free(t);
}

void
table_add_column(struct table *t, const char *heading)
{
    t->headings = xrealloc(t->headings,
                           (t->n_columns + 1) * sizeof *t->headings);
    t->headings[t->n_columns++] = xstrdup(heading);
}

void
table_add_row(struct table *t)
{
    t->rows = xrealloc(t->rows, (t->n_rows + 1) * sizeof *t->rows);
    t->rows[t->n_rows++] = xcalloc(t->n_columns ? t->n_columns : 1,
                                   sizeof **t->rows);
    t->n_cells_in_last = 0;
}

void
table_add_cell(struct table *t, const char *text, json_t *json)
{
    struct cell *cell = &t->rows[t->n_rows - 1][t->n_cells_in_last++];
    cell->text = xstrdup(text);
    cell->json = json ? json : json_string(text);
}

/* Drops spaces at the end of the line just written. */
static void
end_line(struct ds *out)
{
    while (ds_last(out) == ' ') {
        ds_truncate(out, out->length - 1);
    }
    ds_put_char(out, '\n');
}

static void
format_list(const struct table *t, const struct table_style *style,
            struct ds *out)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        if (r) {
            ds_put_char(out, '\n');
        }
        for (size_t c = 0; c < t->n_columns; c++) {
            if (style->headings) {
                ds_put_format(out, "%-20s: ", t->headings[c]);
            }
            ds_put_format(out, "%s\n", t->rows[r][c].text);
        }
    }
}

static void
format_table(const struct table *t, const struct table_style *style,
             struct ds *out)
{
    size_t *widths = xcalloc(t->n_columns + 1, sizeof *widths);
    for (size_t c = 0; c < t->n_columns; c++) {
        widths[c] = style->headings ? strlen(t->headings[c]) : 0;
        for (size_t r = 0; r < t->n_rows; r++) {
            widths[c] = MAX(widths[c], strlen(t->rows[r][c].text));
        }
    }
    if (style->headings) {
        for (size_t c = 0; c < t->n_columns; c++) {
            ds_put_format(out, "%s%-*s", c ? " " : "", (int) widths[c],
                          t->headings[c]);
        }
        end_line(out);
        for (size_t c = 0; c < t->n_columns; c++) {
            if (c) {
                ds_put_char(out, ' ');
            }
            ds_put_char_multiple(out, '-', widths[c]);
        }
        end_line(out);
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_columns; c++) {
            ds_put_format(out, "%s%-*s", c ? " " : "", (int) widths[c],
                          t->rows[r][c].text);
        }
        end_line(out);
    }
    free(widths);
}

static void
put_csv_cell(struct ds *out, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        ds_put_cstr(out, s);
        return;
    }
    ds_put_char(out, '"');
    for (; *s; s++) {
        if (*s == '"') {
            ds_put_char(out, '"');
        }
        ds_put_char(out, *s);
    }
    ds_put_char(out, '"');
}

static void
format_csv(const struct table *t, const struct table_style *style,
           struct ds *out)
{
    if (style->headings) {
        for (size_t c = 0; c < t->n_columns; c++) {
            if (c) {
                ds_put_char(out, ',');
            }
            put_csv_cell(out, t->headings[c]);
        }
        ds_put_char(out, '\n');
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_columns; c++) {
            if (c) {
                ds_put_char(out, ',');
            }
            put_csv_cell(out, t->rows[r][c].text);
        }
        ds_put_char(out, '\n');
    }
}

static void
format_json(const struct table *t, const struct table_style *style,
            struct ds *out)
{
    json_t *headings = json_array();
    json_t *data = json_array();
    for (size_t c = 0; c < t->n_columns; c++) {
        json_array_append_new(headings, json_string(t->headings[c]));
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        json_t *row = json_array();
        for (size_t c = 0; c < t->n_columns; c++) {
            json_array_append(row, t->rows[r][c].json);
        }
        json_array_append_new(data, row);
    }
    json_t *json = json_pack("{s:o, s:o}", "data", data, "headings",
                             headings);
    char *s = json_dumps(json, style->pretty ? JSON_INDENT(2)
                                             : JSON_COMPACT);
    ds_put_format(out, "%s\n", s);
    free(s);
    json_decref(json);
}

static void
put_html_escaped(struct ds *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            ds_put_cstr(out, "&amp;");
            break;
        case '<':
            ds_put_cstr(out, "&lt;");
            break;
        case '>':
            ds_put_cstr(out, "&gt;");
            break;
        default:
            ds_put_char(out, *s);
        }
    }
}

static void
format_html(const struct table *t, const struct table_style *style,
            struct ds *out)
{
    ds_put_cstr(out, "<table border=1>\n");
    if (style->headings) {
        ds_put_cstr(out, "  <tr>\n");
        for (size_t c = 0; c < t->n_columns; c++) {
            ds_put_cstr(out, "    <th>");
            put_html_escaped(out, t->headings[c]);
            ds_put_cstr(out, "</th>\n");
        }
        ds_put_cstr(out, "  </tr>\n");
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        ds_put_cstr(out, "  <tr>\n");
        for (size_t c = 0; c < t->n_columns; c++) {
            ds_put_cstr(out, "    <td>");
            put_html_escaped(out, t->rows[r][c].text);
            ds_put_cstr(out, "</td>\n");
        }
        ds_put_cstr(out, "  </tr>\n");
    }
    ds_put_cstr(out, "</table>\n");
}

void
table_format(const struct table *t, const struct table_style *style,
             struct ds *out)
{
    switch (style->format) {
    case TABLE_FORMAT_LIST:
        format_list(t, style, out);
        break;
    case TABLE_FORMAT_TABLE:
        format_table(t, style, out);
        break;
    case TABLE_FORMAT_CSV:
        format_csv(t, style, out);
        break;
    case TABLE_FORMAT_JSON:
        format_json(t, style, out);
        break;
    case TABLE_FORMAT_HTML:
        format_html(t, style, out);
        break;
    }
}

bool
table_format_from_string(const char *s, enum table_format *format)
{
    static const struct {
        const char *name;
        enum table_format format;
    } formats[] = {
        { "list", TABLE_FORMAT_LIST },
        { "table", TABLE_FORMAT_TABLE },
        { "csv", TABLE_FORMAT_CSV },
        { "json", TABLE_FORMAT_JSON },
        { "html", TABLE_FORMAT_HTML },
    };
    for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
        if (!strcmp(s, formats[i].name)) {
            *format = formats[i].format;
            return true;
        }
    }
    return false;
}
