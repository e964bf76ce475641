#include <config.h>
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *program_name = "softswitch";

void
set_program_name(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    program_name = slash ? slash + 1 : argv0;
}

static void NO_RETURN
out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", program_name);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xzalloc(size_t size)
{
    return xcalloc(1, size);
}

void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xmemdup(const void *p, size_t size)
{
    void *copy = xmalloc(size);
    memcpy(copy, p, size);
    return copy;
}

char *
xstrdup(const char *s)
{
    return xmemdup(s, strlen(s) + 1);
}

char *
xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = xmalloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *
xvasprintf(const char *format, va_list args)
{
    char *s;
    if (vasprintf(&s, format, args) < 0) {
        out_of_memory();
    }
    return s;
}

char *
xasprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *s = xvasprintf(format, args);
    va_end(args);
    return s;
}

void *
x2nrealloc(void *array, size_t *allocated, size_t needed, size_t elem_size)
{
    if (needed <= *allocated) {
        return array;
    }
    size_t n = *allocated ? *allocated : 4;
    while (n < needed) {
        if (n > SIZE_MAX / 2 / elem_size) {
            out_of_memory();
        }
        n *= 2;
    }
    *allocated = n;
    return xrealloc(array, n * elem_size);
}

void
sw_fatal(const char *format, ...)
{
    va_list args;
    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    fflush(stdout);
    _exit(EXIT_FAILURE);       /* A fatal error: no cleanup to trust. */
}

void
sw_error(int err, const char *format, ...)
{
    va_list args;
    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    if (err) {
        fprintf(stderr, " (%s)", strerror(-err));
    }
    fputc('\n', stderr);
}

void
sw_abort__(const char *file, int line)
{
    fprintf(stderr, "%s: %s:%d: unreachable code reached\n",
            program_name, file, line);
    abort();
}

bool
str_to_llong(const char *s, long long min, long long max, long long *out)
{
    if (!s || !*s) {
        return false;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

bool
str_to_int(const char *s, int min, int max, int *out)
{
    long long v;
    if (!str_to_llong(s, min, max, &v)) {
        return false;
    }
    *out = v;
    return true;
}

bool
str_to_ullong(const char *s, int base, unsigned long long max,
              unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+') {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end || v > max) {
        return false;
    }
    *out = v;
    return true;
}

bool
str_to_double(const char *s, double *out)
{
    if (!s || !*s) {
        return false;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end) {
        return false;
    }
    *out = v;
    return true;
}

bool
str_starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

bool
utf8_is_valid(const char *s_)
{
    const unsigned char *s = (const unsigned char *) s_;
    while (*s) {
        unsigned int c = *s++, n, min;
        if (c < 0x80) {
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        for (unsigned int i = 0; i < n; i++, s++) {
            if ((*s & 0xc0) != 0x80) {
                return false;
            }
            c = (c << 6) | (*s & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
            return false;
        }
    }
    return true;
}

bool
str_ends_with(const char *s, const char *suffix)
{
    size_t s_len = strlen(s), suffix_len = strlen(suffix);
    return s_len >= suffix_len && !strcmp(s + s_len - suffix_len, suffix);
}

int
write_fully(int fd, const void *buf_, size_t len)
{
    const char *buf = buf_;
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        buf += n;
        len -= n;
    }
    return 0;
}
