/*
 * sqlite_wait.c - the busy handler every SQLite connection of the process
 * shares (see sqlite_wait.h).
 *
 * A release bumps a counter and, only when someone waits, broadcasts.  A
 * waiter returns at once when the counter moved since its last wait, so a
 * release between SQLite's failed attempt and the wait is never missed (at
 * worst one attempt too many); the short timed slice covers writers in
 * other processes.
 */
#include "store/sqlite_wait.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

/* How long one wait lasts before SQLite tries again without a signal. */
#define SLICE_NS 2000000L

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released;
static pthread_once_t released_once = PTHREAD_ONCE_INIT;
static atomic_uint_fast64_t releases;
static atomic_int waiters;

static void released_init(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&released, &ca);
    pthread_condattr_destroy(&ca);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_busy(void *arg, int attempts)
{
    struct tsr_sq_wait *w = arg;
    int64_t now = now_ms();
    if (attempts == 0)
        w->started_ms = now;
    else if (now - w->started_ms >= w->timeout_ms)
        return 0; /* SQLite answers SQLITE_BUSY */

    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += SLICE_NS;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&lock);
    atomic_fetch_add(&waiters, 1);
    while (atomic_load(&releases) == w->seen)
        if (pthread_cond_timedwait(&released, &lock, &until) != 0)
            break;
    atomic_fetch_sub(&waiters, 1);
    pthread_mutex_unlock(&lock);
    w->seen = atomic_load(&releases);
    return 1;
}

void tsr_sq_wait_install(sqlite3 *db, struct tsr_sq_wait *w, int timeout_ms)
{
    pthread_once(&released_once, released_init);
    w->seen = atomic_load(&releases);
    w->started_ms = 0;
    w->timeout_ms = timeout_ms;
    sqlite3_busy_handler(db, on_busy, w);
}

void tsr_sq_wait_released(void)
{
    atomic_fetch_add(&releases, 1);
    if (atomic_load(&waiters) > 0) {
        pthread_mutex_lock(&lock);
        pthread_cond_broadcast(&released);
        pthread_mutex_unlock(&lock);
    }
}
