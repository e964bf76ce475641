/* Errors of the config DB, in RFC 7047's terms: a tag such as
 * "constraint violation" or "syntax error" plus details in words.
 *
 * DB functions that can fail in ways a client must be told about return
 * a struct db_error * (NULL on success), which the caller owns: the tag
 * and details go back to the client verbatim, so a negative errno would
 * lose them. */
#ifndef DB_ERROR_H
#define DB_ERROR_H 1

#include <jansson.h>
#include "util.h"

struct db_error {
    char *tag;                  /* "constraint violation", ... */
    char *details;              /* May be NULL. */
    char *syntax;               /* The offending JSON, or NULL. */
};

struct db_error *db_error_create(const char *tag, const char *details_fmt,
                                 ...) PRINTF_FORMAT(2, 3);
/* A "syntax error" about 'json' (may be NULL). */
struct db_error *db_syntax_error(const json_t *json, const char *fmt, ...)
    PRINTF_FORMAT(2, 3);
/* Sets (replacing) the offending JSON that 'error' is about. */
void db_error_set_syntax(struct db_error *, const json_t *);
void db_error_destroy(struct db_error *);
struct db_error *db_error_clone(const struct db_error *);

/* {"syntax": SYNTAX, "details": DETAILS, "error": TAG}, members present
 * only when set. */
json_t *db_error_to_json(const struct db_error *);
/* "TAG: DETAILS", for messages; free(). */
char *db_error_to_string(const struct db_error *);

/* Returns the error and destroys it; a helper for "return error" paths
 * that want a string.  free() the result. */
char *db_error_to_string_free(struct db_error *);

#endif /* db-error.h */
