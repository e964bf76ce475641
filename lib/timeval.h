/* Clocks.  time_msec() is monotonic and is what timers, aging and
 * expiry use; tests can move it forward with time_warp() so that no test
 * has to sleep.  Thread-safe. */
#ifndef TIMEVAL_H
#define TIMEVAL_H 1

#include <stdint.h>

long long time_msec(void);          /* Monotonic, plus any warp. */
long long time_wall_msec(void);     /* Wall clock, ms since the epoch. */
void time_warp(long long msecs);    /* Test-only: advance time_msec(). */
void time_stop(void);               /* Test-only: freeze time_msec(). */

#endif /* timeval.h */
