#include <config.h>
#include "coverage.h"

#include <pthread.h>
#include <string.h>
#include "dynamic-string.h"

static pthread_mutex_t coverage_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct coverage_counter *counters;   /* Sorted by name. */

void
coverage_register(struct coverage_counter *counter)
{
    pthread_mutex_lock(&coverage_mutex);
    struct coverage_counter **p = &counters;
    while (*p && strcmp((*p)->name, counter->name) < 0) {
        p = &(*p)->next;
    }
    counter->next = *p;
    *p = counter;
    pthread_mutex_unlock(&coverage_mutex);
}

uint64_t
coverage_get(const char *name)
{
    uint64_t total = 0;
    pthread_mutex_lock(&coverage_mutex);
    for (struct coverage_counter *c = counters; c; c = c->next) {
        if (!strcmp(c->name, name)) {
            total += __atomic_load_n(&c->count, __ATOMIC_RELAXED);
        }
    }
    pthread_mutex_unlock(&coverage_mutex);
    return total;
}

char *
coverage_show(void)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    unsigned int n_unhit = 0;

    ds_put_cstr(&s, "Event coverage:\n");
    pthread_mutex_lock(&coverage_mutex);
    for (struct coverage_counter *c = counters; c; c = c->next) {
        uint64_t count = __atomic_load_n(&c->count, __ATOMIC_RELAXED);
        if (count) {
            ds_put_format(&s, "%-32s total: %llu\n", c->name,
                          (unsigned long long) count);
        } else {
            n_unhit++;
        }
    }
    pthread_mutex_unlock(&coverage_mutex);
    ds_put_format(&s, "%u events never hit\n", n_unhit);
    return ds_steal_cstr(&s);
}
