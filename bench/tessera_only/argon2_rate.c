/*
 * argon2_rate.c - the raw argon2id rate at Tessera's own parameters: the
 * ceiling for every password login.
 *
 *   tessera-argon2-rate THREADS SECONDS
 *
 * Each thread verifies one password against one hash, over and over, for
 * SECONDS (and at most MAX_PER_THREAD times), through Tessera's own
 * tsr_password_hash / tsr_password_verify: a login does exactly one such
 * verification, and the parameters are whatever the server uses, never
 * lowered here.  Prints one JSON object on stdout: the rate, and the CPU
 * time per verification (which another load on the machine changes less
 * than the rate).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/password.h"

#define MAX_THREADS 256
#define MAX_SECONDS 600
#define MAX_PER_THREAD 100000

static const char PASSWORD[] = "Bench!Passw0rd";

struct worker {
    pthread_t thread;
    const char *hash;
    double seconds;
    long done;
    bool failed;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    double end = now_s() + w->seconds;
    while (w->done < MAX_PER_THREAD && now_s() < end) {
        if (!tsr_password_verify(w->hash, PASSWORD)) {
            w->failed = true;
            break;
        }
        w->done++;
    }
    return NULL;
}

static long parse_bounded(const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    return v;
}

/* "m=65536,t=2,p=1" of "$argon2id$v=19$m=65536,t=2,p=1$salt$hash", or "". */
static void params_of(const char *hash, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *p = strstr(hash, "$m=");
    if (p == NULL)
        return;
    p++;
    size_t n = strcspn(p, "$");
    if (n >= outlen)
        return;
    memcpy(out, p, n);
    out[n] = '\0';
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s THREADS SECONDS\n", argv[0]);
        return 2;
    }
    long threads = parse_bounded(argv[1], 1, MAX_THREADS);
    long seconds = parse_bounded(argv[2], 1, MAX_SECONDS);
    if (threads < 0 || seconds < 0) {
        fprintf(stderr, "THREADS is 1..%d, SECONDS 1..%d\n", MAX_THREADS, MAX_SECONDS);
        return 2;
    }
    char *hash = NULL;
    if (tsr_password_hash(PASSWORD, &hash) != 0) {
        fprintf(stderr, "argon2id hashing failed\n");
        return 1;
    }
    char params[64];
    params_of(hash, params, sizeof params);

    struct worker w[MAX_THREADS];
    memset(w, 0, sizeof w);
    int rc = 0;
    long started = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (long i = 0; i < threads; i++) {
        w[i].hash = hash;
        w[i].seconds = (double)seconds;
        if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0) {
            fprintf(stderr, "cannot start thread %ld\n", i);
            rc = 1;
            break;
        }
        started++;
    }
    long total = 0;
    bool failed = false;
    for (long i = 0; i < started; i++) {
        pthread_join(w[i].thread, NULL);
        total += w[i].done;
        failed = failed || w[i].failed;
    }
    double elapsed = now_s() - t0, cpu = cpu_s() - c0;
    free(hash);
    if (failed) {
        fprintf(stderr, "a verification of the right password failed\n");
        return 1;
    }
    if (rc != 0)
        return rc;
    printf("{\"argon2id_per_s\": %.2f, \"hashes\": %ld, \"threads\": %ld, \"seconds\": %.3f, "
           "\"cpu_ms_per_hash\": %.2f, "
           "\"argon2id_params\": \"argon2id %s (Tessera's tsr_password_hash)\"}\n",
           elapsed > 0 ? (double)total / elapsed : 0.0, total, threads, elapsed,
           total > 0 ? cpu * 1000.0 / (double)total : 0.0, params);
    return 0;
}
