#include <config.h>
#include "dynamic-string.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ds_init(struct ds *ds)
{
    ds->string = NULL;
    ds->length = 0;
    ds->allocated = 0;
}

void
ds_destroy(struct ds *ds)
{
    free(ds->string);
    ds_init(ds);
}

void
ds_clear(struct ds *ds)
{
    ds->length = 0;
    if (ds->string) {
        ds->string[0] = '\0';
    }
}

void
ds_reserve(struct ds *ds, size_t min_length)
{
    if (min_length >= ds->allocated || !ds->string) {
        size_t allocated = ds->allocated ? ds->allocated * 2 : 32;
        while (allocated <= min_length) {
            allocated *= 2;
        }
        ds->string = xrealloc(ds->string, allocated);
        ds->allocated = allocated;
    }
}

char *
ds_put_uninit(struct ds *ds, size_t n)
{
    ds_reserve(ds, ds->length + n);
    char *p = &ds->string[ds->length];
    ds->length += n;
    ds->string[ds->length] = '\0';
    return p;
}

void
ds_put_char(struct ds *ds, char c)
{
    *ds_put_uninit(ds, 1) = c;
}

void
ds_put_char_multiple(struct ds *ds, char c, size_t n)
{
    memset(ds_put_uninit(ds, n), c, n);
}

void
ds_put_buffer(struct ds *ds, const char *buf, size_t n)
{
    memcpy(ds_put_uninit(ds, n), buf, n);
}

void
ds_put_cstr(struct ds *ds, const char *s)
{
    ds_put_buffer(ds, s, strlen(s));
}

void
ds_put_format_valist(struct ds *ds, const char *format, va_list args_)
{
    va_list args;
    ds_reserve(ds, ds->length + 64);
    size_t available = ds->allocated - ds->length;

    va_copy(args, args_);
    int needed = vsnprintf(&ds->string[ds->length], available, format, args);
    va_end(args);
    if (needed < 0) {
        return;
    }
    if ((size_t) needed >= available) {
        ds_reserve(ds, ds->length + needed);
        va_copy(args, args_);
        vsnprintf(&ds->string[ds->length], needed + 1, format, args);
        va_end(args);
    }
    ds->length += needed;
}

void
ds_put_format(struct ds *ds, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ds_put_format_valist(ds, format, args);
    va_end(args);
}

void
ds_put_hex(struct ds *ds, const void *buf_, size_t n)
{
    const unsigned char *buf = buf_;
    for (size_t i = 0; i < n; i++) {
        ds_put_format(ds, "%02x", buf[i]);
    }
}

const char *
ds_cstr(struct ds *ds)
{
    if (!ds->string) {
        ds_reserve(ds, 0);
        ds->string[0] = '\0';
    }
    return ds->string;
}

char *
ds_steal_cstr(struct ds *ds)
{
    ds_cstr(ds);
    char *s = ds->string;
    ds_init(ds);
    return s;
}

void
ds_chomp(struct ds *ds, char c)
{
    if (ds->length > 0 && ds->string[ds->length - 1] == c) {
        ds->string[--ds->length] = '\0';
    }
}

void
ds_truncate(struct ds *ds, size_t new_length)
{
    if (new_length < ds->length) {
        ds->length = new_length;
        ds->string[new_length] = '\0';
    }
}

int
ds_last(const struct ds *ds)
{
    return ds->length > 0 ? (unsigned char) ds->string[ds->length - 1] : EOF;
}
