/*
 * verify_bench - how many access tokens per second libtessera-verify checks
 * on one thread.  Reads tokens (one per line), verifies each once to warm
 * the key cache, then verifies them all again under the clock.  Prints one
 * JSON line.  Used by bench/verify.mjs, which compares it with jose.
 *
 * per_second is per CPU second of this thread (user and system), the time
 * base of `openssl speed` (CPU user time unless -elapsed), against which
 * it is held: on a machine busy with other work a wall-clock rate falls
 * while OpenSSL's does not.  per_wall_second is beside it.
 *
 *   tessera-verify-bench ISSUER AUDIENCE ALG TOKEN_FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tessera/verify.h"

#define MAX_TOKENS 100000
#define MAX_LINE 4096

static double now_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads up to MAX_TOKENS lines; returns the count, tokens in *out (caller frees). */
static size_t read_tokens(const char *path, char ***out)
{
    FILE *f = fopen(path, "r");
    char line[MAX_LINE];
    size_t n = 0;
    char **list = calloc(MAX_TOKENS, sizeof *list);
    if (f == NULL || list == NULL) {
        if (f != NULL)
            fclose(f);
        free(list);
        return 0;
    }
    while (n < MAX_TOKENS && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '\0' && (list[n] = strdup(line)) != NULL)
            n++;
    }
    fclose(f);
    *out = list;
    return n;
}

/* Verifies every token once; returns how many were valid. */
static size_t verify_all(tessera_verifier *v, char **tokens, size_t n)
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        tessera_claims *c = NULL;
        if (tessera_verify(v, tokens[i], &c, NULL, 0) == TESSERA_OK)
            ok++;
        tessera_claims_free(c);
    }
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s ISSUER AUDIENCE ALG TOKEN_FILE\n", argv[0]);
        return 2;
    }
    char detail[256] = "", **tokens = NULL;
    const char *algs[] = {argv[3], NULL};
    tessera_verifier *v = NULL;
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    o.issuer = argv[1];
    o.audience = argv[2];
    o.algorithms = algs;
    size_t n = read_tokens(argv[4], &tokens);
    int rc = n > 0 ? tessera_verifier_new(&o, &v, detail, sizeof detail) : TESSERA_EINVAL;
    if (rc != TESSERA_OK) {
        fprintf(stderr, "verify_bench: %s %s\n", tessera_strerror(rc), detail);
        return 1;
    }
    size_t warm = verify_all(v, tokens, n);
    double w0 = now_seconds(CLOCK_MONOTONIC), c0 = now_seconds(CLOCK_THREAD_CPUTIME_ID);
    size_t ok = verify_all(v, tokens, n);
    double cpu = now_seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
    double wall = now_seconds(CLOCK_MONOTONIC) - w0;
    printf("{\"alg\":\"%s\",\"tokens\":%zu,\"valid\":%zu,\"cpu_seconds\":%.6f,"
           "\"seconds\":%.6f,\"per_second\":%.1f,\"per_wall_second\":%.1f}\n",
           argv[3], n, ok, cpu, wall, cpu > 0 ? (double)n / cpu : 0.0,
           wall > 0 ? (double)n / wall : 0.0);
    tessera_verifier_free(v);
    for (size_t i = 0; i < n; i++)
        free(tokens[i]);
    free(tokens);
    return warm == n && ok == n ? 0 : 1;
}
