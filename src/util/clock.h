/*
 * clock.h - the one wall clock: every expiry decision, stored timestamp,
 * log line and mail date reads the time here, so a unit test can move
 * the whole server's notion of "now" with one call.
 *
 * Timers that bound how long something may take (request timeouts,
 * condition-variable waits, once-a-second throttles) use CLOCK_MONOTONIC
 * directly and never this clock: a test clock, or the wall clock being
 * stepped, must not stretch or cut a wait.
 */
#ifndef TSR_UTIL_CLOCK_H
#define TSR_UTIL_CLOCK_H

#include <stdint.h>

/* Seconds since the epoch (CLOCK_REALTIME unless a test set the clock). */
int64_t tsr_clock_now(void);

/* Milliseconds since the epoch, the same clock as tsr_clock_now. */
int64_t tsr_clock_now_ms(void);

enum tsr_clock_mode {
    TSR_CLOCK_REAL,   /* the wall clock; ms is ignored */
    TSR_CLOCK_FIXED,  /* always ms milliseconds since the epoch */
    TSR_CLOCK_OFFSET, /* the wall clock plus ms milliseconds (may be negative) */
};

/*
 * For tests only: sets the clock every thread reads from now on.  Safe
 * to call while other threads read the clock; a reader sees the old or
 * the new setting, never a mix of the two.
 */
void tsr_clock_set_for_tests(enum tsr_clock_mode mode, int64_t ms);

#endif
