/* Named event counters: every drop reason and every slow path gets one,
 * so that `sw-appctl coverage/show` explains where packets and time went.
 * Incrementing is a relaxed atomic add, safe from any thread. */
#ifndef COVERAGE_H
#define COVERAGE_H 1

#include <stdint.h>

struct coverage_counter {
    const char *name;
    uint64_t count;
    struct coverage_counter *next;
};

void coverage_register(struct coverage_counter *);

#define COVERAGE_DEFINE(NAME)                                               \
    static struct coverage_counter NAME##_counter = { #NAME, 0, 0 };        \
    static void __attribute__((constructor)) coverage_init_##NAME(void)     \
    {                                                                       \
        coverage_register(&NAME##_counter);                                 \
    }

#define COVERAGE_ADD(NAME, N) \
    __atomic_add_fetch(&NAME##_counter.count, (N), __ATOMIC_RELAXED)
#define COVERAGE_INC(NAME) COVERAGE_ADD(NAME, 1)

/* The value of the counter called 'name', or 0 if there is none. */
uint64_t coverage_get(const char *name);
/* Every counter that was hit, one per line, sorted by name; free(). */
char *coverage_show(void);

#endif /* coverage.h */
