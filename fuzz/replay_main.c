/*
 * replay_main.c - runs a fuzz target over files, without libFuzzer.
 *
 *   fuzz_replay_<target> DIR_OR_FILE...
 *
 * Feeds every regular file of each directory (not recursing), or each file
 * named, to LLVMFuzzerTestOneInput once.  A crash or a failed invariant
 * aborts; otherwise it prints how many inputs ran and exits 0.  Finding no
 * input at all is an error, so a corpus that goes missing fails the test.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Reads the whole file into a new buffer (caller frees).  Returns 0 or -1. */
static int read_file(const char *path, uint8_t **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    int rc = -1;
    uint8_t *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        goto out;
    size_t cap = 4096, len = 0;
    if ((buf = malloc(cap)) == NULL)
        goto out;
    for (;;) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap)
            break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (bigger == NULL)
            goto out;
        buf = bigger;
        cap *= 2;
    }
    if (ferror(f))
        goto out;
    *out = buf;
    *outlen = len;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    if (f != NULL)
        fclose(f);
    return rc;
}

static int run_file(const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    if (read_file(path, &data, &len) != 0) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    /* An exact-size copy, so ASan sees any read past the input's end. */
    uint8_t *exact = malloc(len > 0 ? len : 1);
    if (exact == NULL) {
        free(data);
        return -1;
    }
    if (len > 0)
        memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir in name order.  Returns the count or -1. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    long count = -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **bigger = realloc(names, ncap * sizeof *names);
            if (bigger == NULL)
                goto out;
            names = bigger;
            cap = ncap;
        }
        size_t plen = strlen(dir) + 1 + strlen(e->d_name) + 1;
        if ((names[n] = malloc(plen)) == NULL)
            goto out;
        snprintf(names[n], plen, "%s/%s", dir, e->d_name);
        n++;
    }
    if (n > 0)
        qsort(names, n, sizeof *names, cmp_names);
    count = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (run_file(names[i]) != 0) {
            count = -1;
            goto out;
        }
        count++;
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    long total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s does not exist\n", argv[i]);
            return 1;
        }
        long n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : (run_file(argv[i]) == 0 ? 1 : -1);
        if (n < 0)
            return 1;
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    printf("replay: %ld inputs, no crash\n", total);
    return 0;
}
