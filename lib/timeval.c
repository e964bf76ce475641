#include <config.h>
#include "timeval.h"

#include <stdbool.h>
#include <time.h>

static long long warp_msecs;
static long long stopped_at;    /* Nonzero: the frozen monotonic time. */

static long long
timespec_to_msec(const struct timespec *ts)
{
    return (long long) ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static long long
monotonic_msec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return timespec_to_msec(&ts);
}

long long
time_msec(void)
{
    long long stopped = __atomic_load_n(&stopped_at, __ATOMIC_RELAXED);
    return ((stopped ? stopped : monotonic_msec())
            + __atomic_load_n(&warp_msecs, __ATOMIC_RELAXED));
}

void
time_stop(void)
{
    long long expected = 0;
    __atomic_compare_exchange_n(&stopped_at, &expected, monotonic_msec(),
                                false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

long long
time_wall_msec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return timespec_to_msec(&ts);
}

void
time_warp(long long msecs)
{
    __atomic_add_fetch(&warp_msecs, msecs, __ATOMIC_RELAXED);
}
