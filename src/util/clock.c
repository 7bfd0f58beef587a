#include "util/clock.h"

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/*
 * The test setting, packed into one atomic so a reader never pairs one
 * setting's mode with another's value: mode in the low 2 bits, ms in the
 * rest.  Offsets and fixed times fit easily in 61 bits of milliseconds.
 */
static _Atomic int64_t setting = TSR_CLOCK_REAL;

#define MODE_BITS 2
#define MODE_MASK ((int64_t)3)

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tsr_clock_now_ms(void)
{
    int64_t s = atomic_load(&setting);
    /* Arithmetic shift of a possibly negative offset: multiply back instead of >>. */
    int64_t ms = (s - (s & MODE_MASK)) / ((int64_t)1 << MODE_BITS);
    switch ((enum tsr_clock_mode)(s & MODE_MASK)) {
    case TSR_CLOCK_FIXED:
        return ms;
    case TSR_CLOCK_OFFSET:
        return real_ms() + ms;
    case TSR_CLOCK_REAL:
    default:
        return real_ms();
    }
}

int64_t tsr_clock_now(void)
{
    int64_t ms = tsr_clock_now_ms();
    /* Floor, so a time before 1970 still rounds towards the past like time(2). */
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void tsr_clock_set_for_tests(enum tsr_clock_mode mode, int64_t ms)
{
    if (mode != TSR_CLOCK_FIXED && mode != TSR_CLOCK_OFFSET) {
        mode = TSR_CLOCK_REAL;
        ms = 0;
    }
    atomic_store(&setting, ms * ((int64_t)1 << MODE_BITS) + (int64_t)mode);
}
