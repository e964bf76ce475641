/* Small helpers every module uses: allocation that never returns NULL,
 * string parsing with full validation, container arithmetic, and the
 * program's name for messages.  Thread-safe except set_program_name(),
 * which main() calls once before starting threads. */
#ifndef UTIL_H
#define UTIL_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof (a) / sizeof (a)[0])
#define CONTAINER_OF(ptr, type, member) \
    ((type *) (void *) ((char *) (ptr) - offsetof(type, member)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
#define DIV_ROUND_UP(x, y) (((x) + (y) - 1) / (y))
/* For calls whose result truly does not matter (a wakeup that may be
 * lost because one is already pending). */
static inline void
ignore_result(long long x)
{
    (void) x;
}

#define PRINTF_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#define NO_RETURN __attribute__((noreturn))

extern const char *program_name;
void set_program_name(const char *argv0);

void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
void *xmemdup(const void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *format, ...) PRINTF_FORMAT(1, 2);
char *xvasprintf(const char *format, va_list args) PRINTF_FORMAT(1, 0);

/* Grows '*array' (of '*allocated' elements of 'elem_size' bytes) so that it
 * holds at least 'needed' elements. */
void *x2nrealloc(void *array, size_t *allocated, size_t needed,
                 size_t elem_size);

/* "prog: message" on stderr, then exit(1) / abort(). */
void sw_fatal(const char *format, ...) PRINTF_FORMAT(1, 2) NO_RETURN;
/* "prog: message (strerror(-err))" on stderr; 'err' is a negative errno or
 * 0 for none. */
void sw_error(int err, const char *format, ...) PRINTF_FORMAT(2, 3);
#define SW_NOT_REACHED() sw_abort__(__FILE__, __LINE__)
void sw_abort__(const char *file, int line) NO_RETURN;

/* Parse the whole of 's' as a number in [min, max]; base 10, or 0x hex for
 * the unsigned forms.  Return false (and leave '*out' alone) on any junk. */
bool str_to_llong(const char *s, long long min, long long max,
                  long long *out);
bool str_to_int(const char *s, int min, int max, int *out);
bool str_to_ullong(const char *s, int base, unsigned long long max,
                   unsigned long long *out);
bool str_to_double(const char *s, double *out);

bool str_starts_with(const char *s, const char *prefix);
/* True if 's' is well-formed UTF-8 (no overlong forms, no surrogates). */
bool utf8_is_valid(const char *s);
bool str_ends_with(const char *s, const char *suffix);

/* Writes all of 'buf' to 'fd', retrying on EINTR and short writes.
 * Returns 0 or a negative errno. */
int write_fully(int fd, const void *buf, size_t len);

#endif /* util.h */
