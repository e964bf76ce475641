#include <config.h>
#include "db/db-types.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>
#include "db/db-datum.h"
#include "db/db-error.h"
#include "dynamic-string.h"
#include "util.h"

static const char *const atomic_type_names[DB_N_TYPES] = {
    "void", "integer", "real", "boolean", "string", "uuid",
};

const char *
db_atomic_type_to_string(enum db_atomic_type type)
{
    return type < DB_N_TYPES ? atomic_type_names[type] : "<invalid>";
}

bool
db_atomic_type_from_string(const char *s, enum db_atomic_type *type)
{
    for (int i = DB_TYPE_INTEGER; i < DB_N_TYPES; i++) {
        if (!strcmp(s, atomic_type_names[i])) {
            *type = i;
            return true;
        }
    }
    return false;
}

void
db_base_type_init(struct db_base_type *base, enum db_atomic_type type)
{
    memset(base, 0, sizeof *base);
    base->type = type;
    switch (type) {
    case DB_TYPE_INTEGER:
        base->u.integer.min = INT64_MIN;
        base->u.integer.max = INT64_MAX;
        break;
    case DB_TYPE_REAL:
        base->u.real.min = -DBL_MAX;
        base->u.real.max = DBL_MAX;
        break;
    case DB_TYPE_STRING:
        base->u.string.max_len = UINT_MAX;
        break;
    case DB_TYPE_UUID:
    case DB_TYPE_BOOLEAN:
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        break;
    }
}

static void
db_base_type_strip_enum_type(struct db_type *type, const struct db_base_type *base)
{
    db_type_init(type);
    type->key = *base;
    type->key.enum_ = NULL;
    if (base->type == DB_TYPE_UUID) {
        type->key.u.uuid.ref_table_name = NULL;
    }
    type->n_min = 1;
    type->n_max = DB_N_MAX_UNLIMITED;
}

void
db_base_type_clone(struct db_base_type *dst, const struct db_base_type *src)
{
    *dst = *src;
    if (src->enum_) {
        struct db_type enum_type;
        db_base_type_strip_enum_type(&enum_type, src);
        dst->enum_ = xmalloc(sizeof *dst->enum_);
        db_datum_clone(dst->enum_, src->enum_, &enum_type);
    }
    if (src->type == DB_TYPE_UUID && src->u.uuid.ref_table_name) {
        dst->u.uuid.ref_table_name = xstrdup(src->u.uuid.ref_table_name);
    }
}

void
db_base_type_destroy(struct db_base_type *base)
{
    if (base->enum_) {
        struct db_type enum_type;
        db_base_type_strip_enum_type(&enum_type, base);
        db_datum_destroy(base->enum_, &enum_type);
        free(base->enum_);
        base->enum_ = NULL;
    }
    if (base->type == DB_TYPE_UUID) {
        free(base->u.uuid.ref_table_name);
        base->u.uuid.ref_table_name = NULL;
    }
}

bool
db_base_type_is_ref(const struct db_base_type *base)
{
    return base->type == DB_TYPE_UUID && base->u.uuid.ref_table_name;
}

bool
db_base_type_is_strong_ref(const struct db_base_type *base)
{
    return db_base_type_is_ref(base) && base->u.uuid.ref_type == DB_REF_STRONG;
}

bool
db_base_type_is_weak_ref(const struct db_base_type *base)
{
    return db_base_type_is_ref(base) && base->u.uuid.ref_type == DB_REF_WEAK;
}

bool
db_base_type_has_constraints(const struct db_base_type *base)
{
    if (base->enum_) {
        return true;
    }
    switch (base->type) {
    case DB_TYPE_INTEGER:
        return (base->u.integer.min != INT64_MIN
                || base->u.integer.max != INT64_MAX);
    case DB_TYPE_REAL:
        return base->u.real.min != -DBL_MAX || base->u.real.max != DBL_MAX;
    case DB_TYPE_STRING:
        return base->u.string.min_len || base->u.string.max_len != UINT_MAX;
    case DB_TYPE_UUID:
        return db_base_type_is_ref(base);
    case DB_TYPE_VOID:
    case DB_TYPE_BOOLEAN:
    case DB_N_TYPES:
        break;
    }
    return false;
}

void
db_type_init(struct db_type *type)
{
    db_base_type_init(&type->key, DB_TYPE_VOID);
    db_base_type_init(&type->value, DB_TYPE_VOID);
    type->n_min = type->n_max = 1;
}

void
db_type_clone(struct db_type *dst, const struct db_type *src)
{
    db_base_type_clone(&dst->key, &src->key);
    db_base_type_clone(&dst->value, &src->value);
    dst->n_min = src->n_min;
    dst->n_max = src->n_max;
}

void
db_type_destroy(struct db_type *type)
{
    db_base_type_destroy(&type->key);
    db_base_type_destroy(&type->value);
}

bool
db_type_has_refs(const struct db_type *type)
{
    return db_base_type_is_ref(&type->key) || db_base_type_is_ref(&type->value);
}

void
db_type_relax(struct db_type *dst, const struct db_type *src)
{
    db_type_init(dst);
    db_base_type_init(&dst->key, src->key.type);
    db_base_type_init(&dst->value, src->value.type);
    dst->n_min = 0;
    dst->n_max = DB_N_MAX_UNLIMITED;
}

/* Reads optional integer member 'name' of 'json' into '*out'. */
static struct db_error *
parse_optional_int(const json_t *json, const char *name, long long min,
                   long long max, long long *out)
{
    const json_t *member = json_object_get(json, name);
    if (!member) {
        return NULL;
    }
    if (!json_is_integer(member) || json_integer_value(member) < min
        || json_integer_value(member) > max) {
        return db_syntax_error(json, "\"%s\" must be an integer in "
                               "[%lld, %lld]", name, min, max);
    }
    *out = json_integer_value(member);
    return NULL;
}

static struct db_error *
parse_optional_real(const json_t *json, const char *name, double *out)
{
    const json_t *member = json_object_get(json, name);
    if (!member) {
        return NULL;
    }
    if (!json_is_number(member)) {
        return db_syntax_error(json, "\"%s\" must be a number", name);
    }
    *out = json_number_value(member);
    return NULL;
}

static struct db_error *
db_base_type_from_json(struct db_base_type *base, const json_t *json)
{
    enum db_atomic_type atomic;

    if (json_is_string(json)) {
        if (!db_atomic_type_from_string(json_string_value(json), &atomic)) {
            return db_syntax_error(json, "unknown atomic type");
        }
        db_base_type_init(base, atomic);
        return NULL;
    }
    if (!json_is_object(json)
        || !json_is_string(json_object_get(json, "type"))
        || !db_atomic_type_from_string(
               json_string_value(json_object_get(json, "type")), &atomic)) {
        return db_syntax_error(json, "base type must be an atomic type name "
                               "or an object with a \"type\"");
    }

    struct db_error *error = NULL;
    long long lo, hi;
    db_base_type_init(base, atomic);
    switch (atomic) {
    case DB_TYPE_INTEGER:
        lo = INT64_MIN;
        hi = INT64_MAX;
        error = parse_optional_int(json, "minInteger", INT64_MIN, INT64_MAX,
                                   &lo);
        if (!error) {
            error = parse_optional_int(json, "maxInteger", INT64_MIN,
                                       INT64_MAX, &hi);
        }
        if (!error && lo > hi) {
            error = db_syntax_error(json, "minInteger exceeds maxInteger");
        }
        base->u.integer.min = lo;
        base->u.integer.max = hi;
        break;
    case DB_TYPE_REAL:
        error = parse_optional_real(json, "minReal", &base->u.real.min);
        if (!error) {
            error = parse_optional_real(json, "maxReal", &base->u.real.max);
        }
        if (!error && base->u.real.min > base->u.real.max) {
            error = db_syntax_error(json, "minReal exceeds maxReal");
        }
        break;
    case DB_TYPE_STRING:
        lo = 0;
        hi = UINT_MAX;
        error = parse_optional_int(json, "minLength", 0, UINT_MAX, &lo);
        if (!error) {
            error = parse_optional_int(json, "maxLength", 0, UINT_MAX, &hi);
        }
        if (!error && lo > hi) {
            error = db_syntax_error(json, "minLength exceeds maxLength");
        }
        base->u.string.min_len = lo;
        base->u.string.max_len = hi;
        break;
    case DB_TYPE_UUID: {
        const json_t *ref_table = json_object_get(json, "refTable");
        const json_t *ref_type = json_object_get(json, "refType");
        if (ref_table) {
            if (!json_is_string(ref_table)) {
                return db_syntax_error(json, "refTable must be a string");
            }
            base->u.uuid.ref_table_name = xstrdup(json_string_value(ref_table));
            base->u.uuid.ref_type = DB_REF_STRONG;
            if (ref_type) {
                const char *s = json_string_value(ref_type);
                if (s && !strcmp(s, "weak")) {
                    base->u.uuid.ref_type = DB_REF_WEAK;
                } else if (!s || strcmp(s, "strong")) {
                    error = db_syntax_error(json, "refType must be "
                                            "\"strong\" or \"weak\"");
                }
            }
        } else if (ref_type) {
            error = db_syntax_error(json, "refType without refTable");
        }
        break;
    }
    case DB_TYPE_BOOLEAN:
    case DB_TYPE_VOID:
    case DB_N_TYPES:
        break;
    }

    const json_t *enum_json = json_object_get(json, "enum");
    if (!error && enum_json) {
        struct db_type enum_type;
        db_base_type_strip_enum_type(&enum_type, base);
        base->enum_ = xmalloc(sizeof *base->enum_);
        error = db_datum_from_json(base->enum_, &enum_type, enum_json, NULL);
        if (error) {
            free(base->enum_);
            base->enum_ = NULL;
        }
    }
    if (error) {
        db_base_type_destroy(base);
    }
    return error;
}

struct db_error *
db_type_from_json(struct db_type *type, const json_t *json)
{
    struct db_error *error;

    db_type_init(type);
    if (json_is_string(json)) {
        return db_base_type_from_json(&type->key, json);
    }
    if (!json_is_object(json)) {
        return db_syntax_error(json, "type must be a string or an object");
    }

    const json_t *key = json_object_get(json, "key");
    const json_t *value = json_object_get(json, "value");
    const json_t *min = json_object_get(json, "min");
    const json_t *max = json_object_get(json, "max");
    if (!key) {
        return db_syntax_error(json, "type has no \"key\"");
    }
    error = db_base_type_from_json(&type->key, key);
    if (!error && value) {
        error = db_base_type_from_json(&type->value, value);
    }
    if (!error && min) {
        if (!json_is_integer(min) || json_integer_value(min) < 0
            || json_integer_value(min) > 1) {
            error = db_syntax_error(json, "\"min\" must be 0 or 1");
        } else {
            type->n_min = json_integer_value(min);
        }
    }
    if (!error && max) {
        if (json_is_string(max)
            && !strcmp(json_string_value(max), "unlimited")) {
            type->n_max = DB_N_MAX_UNLIMITED;
        } else if (json_is_integer(max) && json_integer_value(max) >= 1
                   && json_integer_value(max) < UINT_MAX) {
            type->n_max = json_integer_value(max);
        } else {
            error = db_syntax_error(json, "\"max\" must be a positive "
                                    "integer or \"unlimited\"");
        }
    }
    if (!error && type->n_min > type->n_max) {
        error = db_syntax_error(json, "\"min\" exceeds \"max\"");
    }
    if (error) {
        db_type_destroy(type);
    }
    return error;
}

char *
db_type_to_english(const struct db_type *type)
{
    const char *key = db_atomic_type_to_string(type->key.type);
    if (db_type_is_scalar(type)) {
        return xstrdup(key);
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    bool is_map = db_type_is_map(type);
    ds_put_cstr(&s, is_map ? "map of" : "set of");
    if (type->n_max == DB_N_MAX_UNLIMITED) {
        if (type->n_min) {
            ds_put_format(&s, " %u or more", type->n_min);
        }
    } else if (type->n_min) {
        ds_put_format(&s, " %u to %u", type->n_min, type->n_max);
    } else {
        ds_put_format(&s, " up to %u", type->n_max);
    }
    if (is_map) {
        ds_put_format(&s, " (%s, %s) pairs", key,
                      db_atomic_type_to_string(type->value.type));
    } else {
        ds_put_format(&s, " %ss", key);
    }
    return ds_steal_cstr(&s);
}
