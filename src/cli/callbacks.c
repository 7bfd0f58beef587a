/*
 * callbacks.c - `tessera apps callbacks add|remove --app ID URL...`: adds
 * URLs to, or removes them from, an application's callbacks,
 * allowed_logout_urls, web_origins and allowed_origins.
 *
 * The Management API (like Auth0's) only replaces whole lists, so two
 * preview deploys that each read, add and write would erase each other's
 * URL.  Each attempt here reads the client with its ETag, changes the
 * lists and writes them back with If-Match (docs/management-api.md,
 * "Tessera extensions"); a 412 means another writer came first, and the
 * attempt is made again on the fresh record after a random pause, a
 * bounded number of times.  Adding a URL that is there, or removing one
 * that is not, changes nothing and succeeds.
 */
#include "cli/callbacks.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "util/secure.h"

#define ATTEMPTS_DEFAULT 10
#define ATTEMPTS_MAX 50
#define ETAG_MAX 128
/* The pause before attempt n (from 1) is random in [0, min(BASE << n, CAP)) ms. */
#define PAUSE_BASE_MS 25
#define PAUSE_CAP_MS 2000

/* Which list of the client an option fills; operands go to callbacks. */
static const struct {
    const char *opt; /* NULL: the operands */
    const char *member;
} lists[] = {
    {NULL, "callbacks"},
    {"logout-url", "allowed_logout_urls"},
    {"web-origin", "web_origins"},
    {"allowed-origin", "allowed_origins"},
};
#define NLISTS (sizeof lists / sizeof lists[0])

const struct tsr_cli_opt tsr_cli_callbacks_opts[] = {
    {"app", "CLIENT_ID", "the application", TSR_CLI_OPT_REQUIRED},
    {"logout-url", "URL", "a URL of allowed_logout_urls (after logout)", TSR_CLI_OPT_REPEAT},
    {"web-origin", "ORIGIN", "an origin of web_origins (silent authentication)",
     TSR_CLI_OPT_REPEAT},
    {"allowed-origin", "ORIGIN", "an origin of allowed_origins (CORS)", TSR_CLI_OPT_REPEAT},
    {"attempts", "N", "how many read-and-write attempts before giving up, 1 to 50 (10)", 0},
    {NULL, NULL, NULL, 0},
};

/* The URLs asked for, one array per entry of lists. */
struct wanted {
    json_t *urls[NLISTS];
    size_t total;
};

static void wanted_cleanup(struct wanted *w)
{
    for (size_t i = 0; i < NLISTS; i++)
        json_decref(w->urls[i]);
}

static int wanted_read(const struct tsr_cli_args *a, struct wanted *w)
{
    int rc = 0;
    w->total = 0;
    for (size_t i = 0; i < NLISTS && rc == 0; i++) {
        if (lists[i].opt != NULL) {
            rc = tsr_cli_opt_list(a, lists[i].opt, &w->urls[i]);
            continue;
        }
        w->urls[i] = json_array();
        for (size_t k = 0; w->urls[i] != NULL && k < tsr_cli_noperands(a); k++)
            if (json_array_append_new(w->urls[i], json_string(tsr_cli_operand(a, k))) != 0)
                rc = tsr_cli_fail(a, "out of memory");
        if (w->urls[i] == NULL)
            rc = tsr_cli_fail(a, "out of memory");
    }
    for (size_t i = 0; i < NLISTS && rc == 0; i++)
        w->total += json_array_size(w->urls[i]);
    if (rc == 0 && w->total == 0)
        rc = tsr_cli_usage(a, "nothing to change: give a URL or a list option");
    return rc;
}

static long find(const json_t *list, const char *s)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *v = json_string_value(json_array_get(list, i));
        if (v != NULL && strcmp(v, s) == 0)
            return (long)i;
    }
    return -1;
}

/*
 * Builds the PATCH body that applies w to app (the current record): only
 * the lists that change, each whole.  *body is an empty object when
 * nothing changes; *changed counts the URLs added or removed.
 */
static int plan(const json_t *app, const struct wanted *w, bool add, json_t **body, size_t *changed)
{
    *changed = 0;
    *body = json_object();
    if (*body == NULL)
        return -1;
    for (size_t i = 0; i < NLISTS; i++) {
        const json_t *cur = json_object_get(app, lists[i].member);
        json_t *next = json_is_array(cur) ? json_deep_copy(cur) : json_array();
        size_t n = 0;
        if (next == NULL)
            return -1;
        for (size_t k = 0; k < json_array_size(w->urls[i]); k++) {
            const char *url = json_string_value(json_array_get(w->urls[i], k));
            long at = find(next, url);
            if (add && at < 0) {
                if (json_array_append_new(next, json_string(url)) != 0) {
                    json_decref(next);
                    return -1;
                }
                n++;
            } else if (!add && at >= 0) {
                json_array_remove(next, (size_t)at);
                n++;
            }
        }
        if (n > 0 && json_object_set(*body, lists[i].member, next) != 0) {
            json_decref(next);
            return -1;
        }
        json_decref(next);
        *changed += n;
    }
    return 0;
}

/* Sleeps a random time, growing with the attempt, so racing writers spread out. */
static void pause_before(unsigned attempt)
{
    uint32_t rnd = 0;
    unsigned shift = attempt < 16 ? attempt : 16;
    uint64_t cap = (uint64_t)PAUSE_BASE_MS << shift;
    if (cap > PAUSE_CAP_MS)
        cap = PAUSE_CAP_MS;
    if (tsr_random_bytes(&rnd, sizeof rnd) != 0)
        rnd = (uint32_t)attempt * 7919u;
    uint64_t ms = rnd % cap;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void report(const struct tsr_cli_args *a, const json_t *app, bool add, size_t changed,
                   unsigned attempts)
{
    if (tsr_cli_json(a)) {
        tsr_cli_print_json(stdout, app);
        return;
    }
    const char *id = tsr_cli_opt(a, "app");
    if (changed == 0)
        tsr_cli_say(stdout, "Nothing to change: app %s already %s.\n", id,
                    add ? "has every URL given" : "has none of the URLs given");
    else
        tsr_cli_say(stdout, "%s %zu URL%s %s app %s (attempt %u).\n", add ? "Added" : "Removed",
                    changed, changed == 1 ? "" : "s", add ? "to" : "from", id, attempts);
}

static int run(const struct tsr_cli_args *a, bool add)
{
    struct wanted w = {0};
    tsr_remote *r = NULL;
    json_t *app = NULL, *body = NULL;
    char *path = NULL;
    uint64_t attempts = 0;
    int rc = tsr_cli_opt_uint(a, "attempts", 1, ATTEMPTS_MAX, ATTEMPTS_DEFAULT, &attempts);
    if (rc == 0)
        rc = wanted_read(a, &w);
    if (rc == 0 && (path = tsr_remote_path("clients/", tsr_cli_opt(a, "app"), "")) == NULL)
        rc = tsr_cli_fail(a, "out of memory");
    if (rc == 0)
        rc = tsr_remote_open(a, &r);
    for (unsigned n = 1; rc == 0; n++) {
        char etag[ETAG_MAX], unused[ETAG_MAX];
        size_t changed = 0;
        bool stale = false;
        json_decref(app);
        json_decref(body);
        app = body = NULL;
        if ((rc = tsr_remote_call_cond(r, "GET", path, NULL, NULL, &app, etag, sizeof etag,
                                       &stale)) != 0)
            break;
        if (etag[0] == '\0') {
            rc = tsr_cli_fail(a, "the server sent no ETag: it cannot change a list safely");
            break;
        }
        if (plan(app, &w, add, &body, &changed) != 0) {
            rc = tsr_cli_fail(a, "out of memory");
            break;
        }
        if (changed == 0) {
            report(a, app, add, 0, n);
            break;
        }
        json_t *updated = NULL;
        rc = tsr_remote_call_cond(r, "PATCH", path, body, etag, &updated, unused, sizeof unused,
                                  &stale);
        if (rc == 0) {
            report(a, updated, add, changed, n);
            json_decref(updated);
            break;
        }
        if (!stale)
            break;
        if (n >= attempts) {
            rc = tsr_cli_fail(a,
                              "app %s kept changing under other writers: gave up after %u "
                              "attempts (--attempts)",
                              tsr_cli_opt(a, "app"), n);
            break;
        }
        rc = 0;
        pause_before(n);
    }
    json_decref(app);
    json_decref(body);
    free(path);
    wanted_cleanup(&w);
    tsr_remote_close(r);
    return rc;
}

int tsr_cli_callbacks_add(const struct tsr_cli_args *a)
{
    return run(a, true);
}

int tsr_cli_callbacks_remove(const struct tsr_cli_args *a)
{
    return run(a, false);
}
