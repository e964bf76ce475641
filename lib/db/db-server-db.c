#include <config.h>
#include "db/db-server-db.h"

#include <string.h>
#include "db/db-datum.h"
#include "db/db-error.h"
#include "db/db-schema.h"
#include "db/db.h"
#include "util.h"
#include "uuid.h"

/* The columns are those OVS 3.1's clients monitor; "cid", "sid" and
 * "index" stay empty for a standalone database. */
static const char server_schema[] =
    "{\"name\": \"_Server\", \"version\": \"1.2.0\","
    " \"tables\": {\"Database\": {\"columns\": {"
    "  \"name\": {\"type\": \"string\"},"
    "  \"model\": {\"type\": {\"key\": {\"type\": \"string\","
    "    \"enum\": [\"set\", [\"standalone\", \"clustered\", \"relay\"]]}}},"
    "  \"connected\": {\"type\": \"boolean\"},"
    "  \"leader\": {\"type\": \"boolean\"},"
    "  \"schema\": {\"type\": {\"key\": \"string\", \"min\": 0}},"
    "  \"cid\": {\"type\": {\"key\": \"uuid\", \"min\": 0}},"
    "  \"sid\": {\"type\": {\"key\": \"uuid\", \"min\": 0}},"
    "  \"index\": {\"type\": {\"key\": \"integer\", \"min\": 0}}}}}}";

static void
set_column(struct db_row *row, const char *name, struct db_datum *value)
{
    const struct db_column *column = db_table_schema_find_column(
        row->table->schema, name);
    db_row_set(row, column, value);
}

static void
add_database_row(struct db_table *table, const struct db_schema *schema)
{
    struct uuid uuid;
    uuid_generate(&uuid);
    struct db_row *row = db_row_create(table, &uuid);
    struct db_datum datum;

    db_datum_init_string(&datum, schema->name);
    set_column(row, "name", &datum);
    db_datum_init_string(&datum, "standalone");
    set_column(row, "model", &datum);
    db_datum_init_bool(&datum, true);
    set_column(row, "connected", &datum);
    db_datum_init_bool(&datum, true);
    set_column(row, "leader", &datum);

    char *text = json_dumps(schema->json, JSON_COMPACT | JSON_SORT_KEYS);
    db_datum_init_string(&datum, text);
    set_column(row, "schema", &datum);
    free(text);

    db_table_insert_row(table, row);
}

struct db *
db_server_db_create(const struct db *served)
{
    struct db_schema *schema;
    struct db_error *error = db_schema_from_string(server_schema,
                                                   "_Server schema", &schema);
    if (error) {
        sw_fatal("%s", db_error_to_string_free(error));
    }

    struct db *db = db_create(schema);
    struct db_table *table = db_get_table(db, "Database");
    add_database_row(table, db->schema);
    add_database_row(table, served->schema);
    return db;
}

bool
db_server_db_allows(const char *op)
{
    static const char *const read_only[] = {
        "select", "wait", "comment", "assert",
    };
    for (size_t i = 0; i < ARRAY_SIZE(read_only); i++) {
        if (!strcmp(op, read_only[i])) {
            return true;
        }
    }
    return false;
}
