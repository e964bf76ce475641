#include <config.h>
#include "db/db-atom.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "db/db-datum.h"
#include "db/db-error.h"
#include "db/db-symtab.h"
#include "dynamic-string.h"
#include "hash.h"
#include "util.h"

void
db_atom_init_default(union db_atom *atom, enum db_atomic_type type)
{
    memset(atom, 0, sizeof *atom);
    if (type == DB_TYPE_STRING) {
        atom->string = xstrdup("");
    }
}

bool
db_atom_is_default(const union db_atom *atom, enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return atom->integer == 0;
    case DB_TYPE_REAL:
        return atom->real == 0.0;
    case DB_TYPE_BOOLEAN:
        return !atom->boolean;
    case DB_TYPE_STRING:
        return !atom->string[0];
    case DB_TYPE_UUID:
        return uuid_is_zero(&atom->uuid);
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        break;
    }
    return true;
}

void
db_atom_clone(union db_atom *dst, const union db_atom *src,
              enum db_atomic_type type)
{
    if (type == DB_TYPE_STRING) {
        dst->string = xstrdup(src->string);
    } else {
        *dst = *src;
    }
}

void
db_atom_destroy(union db_atom *atom, enum db_atomic_type type)
{
    if (type == DB_TYPE_STRING) {
        free(atom->string);
        atom->string = NULL;
    }
}

int
db_atom_compare_3way(const union db_atom *a, const union db_atom *b,
                     enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return a->integer < b->integer ? -1 : a->integer > b->integer;
    case DB_TYPE_REAL:
        return a->real < b->real ? -1 : a->real > b->real;
    case DB_TYPE_BOOLEAN:
        return a->boolean - b->boolean;
    case DB_TYPE_STRING:
        return strcmp(a->string, b->string);
    case DB_TYPE_UUID:
        return uuid_compare(&a->uuid, &b->uuid);
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        break;
    }
    return 0;
}

uint32_t
db_atom_hash(const union db_atom *atom, enum db_atomic_type type,
             uint32_t basis)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return hash_uint64(atom->integer, basis);
    case DB_TYPE_REAL: {
        double real = atom->real == 0.0 ? 0.0 : atom->real; /* -0 == 0 */
        return hash_bytes(&real, sizeof real, basis);
    }
    case DB_TYPE_BOOLEAN:
        return hash_int(atom->boolean, basis);
    case DB_TYPE_STRING:
        return hash_string(atom->string, basis);
    case DB_TYPE_UUID:
        return hash_int(uuid_hash(&atom->uuid), basis);
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        break;
    }
    return basis;
}

static struct db_error *
db_uuid_from_json(struct uuid *uuid, const json_t *json,
                  struct db_symtab *symtab)
{
    const char *kind = json_string_value(json_array_get(json, 0));
    const char *value = json_string_value(json_array_get(json, 1));

    if (!json_is_array(json) || json_array_size(json) != 2 || !kind
        || !value) {
        return db_syntax_error(json, "expected [\"uuid\", <uuid>]");
    }
    if (!strcmp(kind, "uuid")) {
        if (!uuid_from_string(uuid, value)) {
            return db_syntax_error(json, "\"%s\" is not a valid UUID", value);
        }
        return NULL;
    }
    if (!strcmp(kind, "named-uuid") && symtab) {
        struct db_symbol *symbol = db_symtab_insert(symtab, value);
        symbol->used = true;
        *uuid = symbol->uuid;
        return NULL;
    }
    return db_syntax_error(json, "expected [\"uuid\", <uuid>]");
}

struct db_error *
db_atom_from_json(union db_atom *atom, const struct db_base_type *base,
                  const json_t *json, struct db_symtab *symtab)
{
    switch (base->type) {
    case DB_TYPE_INTEGER:
        if (!json_is_integer(json)) {
            return db_syntax_error(json, "expected integer");
        }
        atom->integer = json_integer_value(json);
        return NULL;
    case DB_TYPE_REAL:
        if (!json_is_number(json)) {
            return db_syntax_error(json, "expected real");
        }
        atom->real = json_number_value(json);
        return NULL;
    case DB_TYPE_BOOLEAN:
        if (!json_is_boolean(json)) {
            return db_syntax_error(json, "expected boolean");
        }
        atom->boolean = json_is_true(json);
        return NULL;
    case DB_TYPE_STRING:
        if (!json_is_string(json)) {
            return db_syntax_error(json, "expected string");
        }
        atom->string = xmemdup(json_string_value(json),
                               json_string_length(json) + 1);
        if (strlen(atom->string) != json_string_length(json)) {
            free(atom->string);
            atom->string = NULL;
            return db_syntax_error(NULL, "string contains a NUL byte");
        }
        return NULL;
    case DB_TYPE_UUID:
        return db_uuid_from_json(&atom->uuid, json, symtab);
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        break;
    }
    SW_NOT_REACHED();
}

json_t *
db_atom_to_json(const union db_atom *atom, enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return json_integer(atom->integer);
    case DB_TYPE_REAL:
        return json_real(atom->real);
    case DB_TYPE_BOOLEAN:
        return json_boolean(atom->boolean);
    case DB_TYPE_STRING:
        return json_string(atom->string);
    case DB_TYPE_UUID: {
        char s[UUID_LEN + 1];
        snprintf(s, sizeof s, UUID_FMT, UUID_ARGS(&atom->uuid));
        return json_pack("[ss]", "uuid", s);
    }
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        break;
    }
    SW_NOT_REACHED();
}

/* Number of characters (not bytes) in UTF-8 string 's'. */
static size_t
utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char) *s & 0xc0) != 0x80;
    }
    return n;
}

struct db_error *
db_atom_check_constraints(const union db_atom *atom,
                          const struct db_base_type *base)
{
    if (base->enum_
        && db_datum_find_key(base->enum_, atom, base->type) == UINT_MAX) {
        struct ds value = DS_EMPTY_INITIALIZER;
        struct ds allowed = DS_EMPTY_INITIALIZER;
        struct db_type enum_type;

        db_type_init(&enum_type);
        enum_type.key.type = base->type;
        enum_type.n_max = DB_N_MAX_UNLIMITED;
        db_atom_to_string(atom, base->type, &value);
        db_datum_to_string(base->enum_, &enum_type, &allowed);
        struct db_error *error = db_error_create(
            "constraint violation", "%s is not one of the allowed values (%s)",
            ds_cstr(&value), ds_cstr(&allowed));
        ds_destroy(&value);
        ds_destroy(&allowed);
        return error;
    }

    switch (base->type) {
    case DB_TYPE_INTEGER: {
        long long v = atom->integer;
        long long min = base->u.integer.min, max = base->u.integer.max;
        if (v >= min && v <= max) {
            return NULL;
        } else if (min != INT64_MIN && max != INT64_MAX) {
            return db_error_create("constraint violation", "%lld is not in "
                                   "the valid range %lld to %lld (inclusive)",
                                   v, min, max);
        } else if (min != INT64_MIN) {
            return db_error_create("constraint violation", "%lld is less "
                                   "than minimum allowed value %lld", v, min);
        } else {
            return db_error_create("constraint violation", "%lld is greater "
                                   "than maximum allowed value %lld", v, max);
        }
    }
    case DB_TYPE_REAL: {
        double v = atom->real;
        if (v >= base->u.real.min && v <= base->u.real.max && !isnan(v)) {
            return NULL;
        }
        return db_error_create("constraint violation", "%.15g is not in the "
                               "valid range %.15g to %.15g (inclusive)", v,
                               base->u.real.min, base->u.real.max);
    }
    case DB_TYPE_STRING: {
        size_t len = utf8_length(atom->string);
        if (len < base->u.string.min_len) {
            return db_error_create("constraint violation", "\"%s\" length "
                                   "%zu is less than minimum allowed length "
                                   "%u", atom->string, len,
                                   base->u.string.min_len);
        } else if (len > base->u.string.max_len) {
            return db_error_create("constraint violation", "\"%s\" length "
                                   "%zu is greater than maximum allowed "
                                   "length %u", atom->string, len,
                                   base->u.string.max_len);
        }
        return NULL;
    }
    case DB_TYPE_BOOLEAN:
    case DB_TYPE_UUID:
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        break;
    }
    return NULL;
}

/* Parses a double-quoted string with JSON escapes, all of 's'.  Control
 * characters typed as they are (a tab) stand for themselves, as with
 * ovs-vsctl, although JSON wants them escaped. */
static char *
unquote_string(const char *s, char **out)
{
    struct ds escaped = DS_EMPTY_INITIALIZER;
    for (const char *p = s; *p; p++) {
        if ((unsigned char) *p < 0x20) {
            ds_put_format(&escaped, "\\u%04x", (unsigned char) *p);
        } else {
            ds_put_char(&escaped, *p);
        }
    }
    json_error_t error;
    json_t *json = json_loads(ds_cstr(&escaped),
                              JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    ds_destroy(&escaped);
    if (!json_is_string(json) || strlen(json_string_value(json))
                                 != json_string_length(json)) {
        json_decref(json);
        return xasprintf("%s: syntax error in quoted string", s);
    }
    *out = xstrdup(json_string_value(json));
    json_decref(json);
    return NULL;
}

char *
db_atom_from_string(union db_atom *atom, const struct db_base_type *base,
                    const char *s, struct db_symtab *symtab)
{
    switch (base->type) {
    case DB_TYPE_INTEGER: {
        long long v;
        if (!str_to_llong(s, INT64_MIN, INT64_MAX, &v)) {
            return xasprintf("\"%s\" is not a valid integer", s);
        }
        atom->integer = v;
        return NULL;
    }
    case DB_TYPE_REAL:
        if (!str_to_double(s, &atom->real) || !isfinite(atom->real)) {
            return xasprintf("\"%s\" is not a valid real number", s);
        }
        return NULL;
    case DB_TYPE_BOOLEAN:
        if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")
            || !strcmp(s, "1")) {
            atom->boolean = true;
        } else if (!strcmp(s, "false") || !strcmp(s, "no")
                   || !strcmp(s, "off") || !strcmp(s, "0")) {
            atom->boolean = false;
        } else {
            return xasprintf("\"%s\" is not a valid boolean (use \"true\" or "
                             "\"false\")", s);
        }
        return NULL;
    case DB_TYPE_STRING:
        if (!utf8_is_valid(s)) {
            return xasprintf("%s: not valid UTF-8", s);
        }
        if (s[0] == '"') {
            return unquote_string(s, &atom->string);
        }
        atom->string = xstrdup(s);
        return NULL;
    case DB_TYPE_UUID:
        if (s[0] == '@' && symtab) {
            struct db_symbol *symbol = db_symtab_insert(symtab, s);
            symbol->used = true;
            atom->uuid = symbol->uuid;
            return NULL;
        }
        if (!uuid_from_string(&atom->uuid, s)) {
            return xasprintf("\"%s\" is not a valid UUID", s);
        }
        return NULL;
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        break;
    }
    SW_NOT_REACHED();
}

bool
db_string_needs_quotes(const char *s)
{
    if (!(isalpha((unsigned char) s[0]) || s[0] == '_')) {
        return true;
    }
    for (const char *p = s; *p; p++) {
        unsigned char c = *p;
        if (!isalnum(c) && c != '_' && c != '-' && c != '.') {
            return true;
        }
    }
    return (!strcmp(s, "true") || !strcmp(s, "false")
            || uuid_is_string(s));
}

void
db_string_quote(const char *s, struct ds *ds)
{
    ds_put_char(ds, '"');
    for (; *s; s++) {
        unsigned char c = *s;
        switch (c) {
        case '"':
            ds_put_cstr(ds, "\\\"");
            break;
        case '\\':
            ds_put_cstr(ds, "\\\\");
            break;
        case '\b':
            ds_put_cstr(ds, "\\b");
            break;
        case '\f':
            ds_put_cstr(ds, "\\f");
            break;
        case '\n':
            ds_put_cstr(ds, "\\n");
            break;
        case '\r':
            ds_put_cstr(ds, "\\r");
            break;
        case '\t':
            ds_put_cstr(ds, "\\t");
            break;
        default:
            if (c < 0x20) {
                ds_put_format(ds, "\\u%04x", c);
            } else {
                ds_put_char(ds, c);
            }
        }
    }
    ds_put_char(ds, '"');
}

void
db_atom_to_bare(const union db_atom *atom, enum db_atomic_type type,
                struct ds *ds)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        ds_put_format(ds, "%lld", (long long) atom->integer);
        break;
    case DB_TYPE_REAL:
        ds_put_format(ds, "%.15g", atom->real);
        break;
    case DB_TYPE_BOOLEAN:
        ds_put_cstr(ds, atom->boolean ? "true" : "false");
        break;
    case DB_TYPE_STRING:
        ds_put_cstr(ds, atom->string);
        break;
    case DB_TYPE_UUID:
        ds_put_format(ds, UUID_FMT, UUID_ARGS(&atom->uuid));
        break;
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        SW_NOT_REACHED();
    }
}

void
db_atom_to_string(const union db_atom *atom, enum db_atomic_type type,
                  struct ds *ds)
{
    if (type == DB_TYPE_STRING && db_string_needs_quotes(atom->string)) {
        db_string_quote(atom->string, ds);
    } else {
        db_atom_to_bare(atom, type, ds);
    }
}
