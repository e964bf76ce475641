/* A growable string buffer ("ds") for building output and messages. */
#ifndef DYNAMIC_STRING_H
#define DYNAMIC_STRING_H 1

#include <stdarg.h>
#include <stddef.h>
#include "util.h"

struct ds {
    char *string;       /* NUL-terminated once anything was written. */
    size_t length;
    size_t allocated;
};

#define DS_EMPTY_INITIALIZER { NULL, 0, 0 }

void ds_init(struct ds *);
void ds_destroy(struct ds *);
void ds_clear(struct ds *);
void ds_reserve(struct ds *, size_t min_length);
char *ds_put_uninit(struct ds *, size_t n);
void ds_put_char(struct ds *, char);
void ds_put_char_multiple(struct ds *, char, size_t n);
void ds_put_buffer(struct ds *, const char *, size_t n);
void ds_put_cstr(struct ds *, const char *);
void ds_put_format(struct ds *, const char *, ...) PRINTF_FORMAT(2, 3);
void ds_put_format_valist(struct ds *, const char *, va_list)
    PRINTF_FORMAT(2, 0);
void ds_put_hex(struct ds *, const void *, size_t n);
const char *ds_cstr(struct ds *);
char *ds_steal_cstr(struct ds *);
void ds_chomp(struct ds *, char c);
void ds_truncate(struct ds *, size_t new_length);
int ds_last(const struct ds *);

#endif /* dynamic-string.h */
