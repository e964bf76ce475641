#include <config.h>
#include "db/db-error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"

static struct db_error *
db_error_create_valist(const char *tag, const char *fmt, va_list args)
{
    struct db_error *error = xzalloc(sizeof *error);
    error->tag = xstrdup(tag);
    error->details = fmt ? xvasprintf(fmt, args) : NULL;
    return error;
}

struct db_error *
db_error_create(const char *tag, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    struct db_error *error = db_error_create_valist(tag, fmt, args);
    va_end(args);
    return error;
}

void
db_error_set_syntax(struct db_error *error, const json_t *json)
{
    free(error->syntax);
    error->syntax = (json ? json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS
                                             | JSON_ENCODE_ANY)
                          : NULL);
}

struct db_error *
db_syntax_error(const json_t *json, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    struct db_error *error = db_error_create_valist("syntax error", fmt,
                                                    args);
    va_end(args);
    db_error_set_syntax(error, json);
    return error;
}

void
db_error_destroy(struct db_error *error)
{
    if (error) {
        free(error->tag);
        free(error->details);
        free(error->syntax);
        free(error);
    }
}

struct db_error *
db_error_clone(const struct db_error *error)
{
    struct db_error *copy = xzalloc(sizeof *copy);
    copy->tag = xstrdup(error->tag);
    copy->details = error->details ? xstrdup(error->details) : NULL;
    copy->syntax = error->syntax ? xstrdup(error->syntax) : NULL;
    return copy;
}

json_t *
db_error_to_json(const struct db_error *error)
{
    json_t *json = json_object();
    if (error->syntax) {
        json_object_set_new(json, "syntax", json_string(error->syntax));
    }
    if (error->details) {
        json_object_set_new(json, "details", json_string(error->details));
    }
    json_object_set_new(json, "error", json_string(error->tag));
    return json;
}

char *
db_error_to_string(const struct db_error *error)
{
    return (error->details ? xasprintf("%s: %s", error->tag, error->details)
                           : xstrdup(error->tag));
}

char *
db_error_to_string_free(struct db_error *error)
{
    char *s = db_error_to_string(error);
    db_error_destroy(error);
    return s;
}
