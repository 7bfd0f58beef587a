/*
 * test_catalog_stale.c - a reload that fails after a committed write
 * leaves the tenant marked stale (core/app.h), at whichever store call
 * the failure strikes, the touch included; requests retry the reload at
 * most once per interval per tenant, and the first success serves the
 * change.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_tmp.h"
#include "jose/jose.h"
#include "rsa_keys.h"

#include "core/app.h"
#include "core/catalog.h"
#include "core/keys.h"
#include "util/err.h"
#include "util/log.h"

static char dir[512];

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    fixture_mkdtemp(dir, sizeof dir, "tsr-stale");
    /* Each case's tenants take their RSA keys from the start of the pool (a new store each). */
    tsr_jwk_rsa_pool_for_tests(test_rsa_keys, sizeof test_rsa_keys / sizeof *test_rsa_keys);
    tsr_log_set_level(TSR_LOG_ERROR);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tsr_store_fail_after(0);
    tsr_app_store_release(); /* a failed test leaves its handle open */
    static const char *const files[] = {"tessera.db", "tessera.db-wal",        "tessera.db-shm",
                                        "master.key", "bootstrap-client.json", "tessera.lock"};
    char path[700];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static tsr_store *open_app(struct tsr_app *app)
{
    struct tsr_settings s;
    char err[512];
    tsr_settings_defaults(&s);
    snprintf(s.data_dir, sizeof s.data_dir, "%s", dir);
    snprintf(s.public_url, sizeof s.public_url, "http://127.0.0.1:9999/");
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    int rc = tsr_app_open(app, &s, no_env, out, err, sizeof err);
    fclose(out);
    if (rc != 0)
        fail_msg("open: %s", err);
    tsr_store *st = tsr_app_store(app);
    assert_non_null(st);
    return st;
}

/* A new client of the first tenant, committed; its id into id. */
static void add_client(tsr_store *st, const char *tenant_id, char id[TSR_CLIENT_ID_LEN + 1])
{
    struct tsr_client c;
    assert_int_equal(tsr_client_init_new(&c, tenant_id), 0);
    assert_int_equal(tsr_client_insert(st, &c), 0);
    snprintf(id, TSR_CLIENT_ID_LEN + 1, "%s", c.client_id);
    tsr_client_cleanup(&c);
}

static struct tsr_tenant_ctx *current(struct tsr_app *app)
{
    return &app->tenants->tenants[0];
}

/* A retry as a request makes it: true when it moved to a newer snapshot. */
static bool retry(struct tsr_app *app, tsr_store *st)
{
    struct tsr_tenant_set *fresh = tsr_app_retry_stale(app, st, app->tenants, current(app));
    tsr_tenant_set_release(fresh);
    return fresh != NULL;
}

/*
 * Wherever the store fails during tsr_catalog_changed (the touch or any
 * statement of the reload), the node either serves the change (a client's
 * new web origin: an update, so every reload makes the same calls) or has
 * the tenant marked stale: never the old catalog as if it were current.
 */
static void every_failure_point_fails_closed(void **state)
{
    (void)state;
    struct tsr_app app;
    tsr_store *st = open_app(&app);
    char tid[128];
    snprintf(tid, sizeof tid, "%s", current(&app)->t.id);
    struct tsr_client c;
    assert_int_equal(tsr_client_init_new(&c, tid), 0);
    assert_int_equal(tsr_client_insert(st, &c), 0);
    int stale_seen = 0, untouched_seen = 0, n = 1;
    for (; n < 400; n++) {
        char origin[64];
        snprintf(origin, sizeof origin, "https://v%d.example.com", n);
        tsr_strlist_cleanup(&c.web_origins);
        assert_int_equal(tsr_strlist_push(&c.web_origins, origin), 0);
        assert_int_equal(tsr_client_update(st, &c), 0);
        tsr_store_fail_after(n);
        int rc = tsr_catalog_changed(&app, st, tid);
        tsr_store_fail_after(0);
        bool served = tsr_catalog_origin_allowed(current(&app)->catalog, origin);
        bool stale = atomic_load(&current(&app)->stale);
        if (served == stale)
            fail_msg("failure at call %d: served %d, stale %d", n, (int)served, (int)stale);
        if (stale) {
            stale_seen++;
            untouched_seen += atomic_load(&current(&app)->untouched);
            assert_int_not_equal(rc, 0);
            /* The next request's retry (none made for this tenant yet) loads the change. */
            assert_true(retry(&app, st));
            assert_false(atomic_load(&current(&app)->stale));
            assert_true(tsr_catalog_origin_allowed(current(&app)->catalog, origin));
        }
        if (rc == 0)
            break;
    }
    assert_true(n < 400);
    assert_true(stale_seen > 0);
    assert_true(untouched_seen > 0); /* the touch's own failures were among them */
    tsr_client_cleanup(&c);
    tsr_app_close(&app);
}

/*
 * A reload that keeps failing (here: a stored limit that does not parse)
 * keeps the tenant stale; one retry per interval, and the first reload
 * that succeeds clears it.
 */
static void retries_are_bounded_and_recover(void **state)
{
    (void)state;
    struct tsr_app app;
    tsr_store *st = open_app(&app);
    char tid[128], id[TSR_CLIENT_ID_LEN + 1];
    snprintf(tid, sizeof tid, "%s", current(&app)->t.id);
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO tenant_limits (tenant_id, name, value) VALUES "
                                   "(?, 'rate-limit-login-per-ip', 'lots')",
                                   "s", tid),
                     0);
    add_client(st, tid, id);
    struct tsr_tenant_set *before = app.tenants;
    assert_int_not_equal(tsr_catalog_changed(&app, st, tid), 0);
    assert_ptr_equal(app.tenants, before);
    assert_true(atomic_load(&current(&app)->stale));
    assert_null(tsr_catalog_client(current(&app)->catalog, id));

    /* The first retry tries and fails, and sets the time of the next. */
    assert_int_equal(atomic_load(&current(&app)->retry_at_ms), 0);
    assert_false(retry(&app, st));
    assert_true(atomic_load(&current(&app)->retry_at_ms) > 0);
    assert_true(atomic_load(&current(&app)->stale));

    /* Repaired; within the interval no request reloads, so the tenant stays stale. */
    assert_int_equal(tsr_store_run(st, NULL, "DELETE FROM tenant_limits WHERE value = 'lots'", ""),
                     0);
    atomic_store(&current(&app)->retry_at_ms, LLONG_MAX);
    assert_false(retry(&app, st));
    assert_ptr_equal(app.tenants, before);
    assert_true(atomic_load(&current(&app)->stale));

    /* The interval over: the retry reloads and the change is served. */
    atomic_store(&current(&app)->retry_at_ms, 0);
    struct tsr_tenant_set *held = tsr_app_acquire(&app); /* a request still on the stale one */
    assert_true(retry(&app, st));
    assert_ptr_not_equal(app.tenants, before);
    assert_false(atomic_load(&current(&app)->stale));
    assert_non_null(tsr_catalog_client(current(&app)->catalog, id));

    /* A request still holding the stale snapshot moves to the current one without a reload. */
    struct tsr_tenant_set *now = app.tenants;
    atomic_store(&held->tenants[0].retry_at_ms, LLONG_MAX);
    struct tsr_tenant_set *moved = tsr_app_retry_stale(&app, st, held, &held->tenants[0]);
    assert_ptr_equal(moved, now);
    tsr_tenant_set_release(moved);
    tsr_tenant_set_release(held);
    tsr_app_close(&app);
}

/*
 * A change whose touch failed did not move the generation: any later
 * reload (here the once-a-second check's kind, not the tenant's retry)
 * touches it first, so it neither keeps the old catalog unmarked nor hides
 * the change from other nodes.
 */
static void untouched_change_survives_other_reloads(void **state)
{
    (void)state;
    struct tsr_app app;
    tsr_store *st = open_app(&app);
    char tid[128];
    snprintf(tid, sizeof tid, "%s", current(&app)->t.id);
    struct tsr_client c;
    assert_int_equal(tsr_client_init_new(&c, tid), 0);
    assert_int_equal(tsr_strlist_push(&c.web_origins, "https://untouched.example.com"), 0);
    assert_int_equal(tsr_client_insert(st, &c), 0);
    int64_t g0 = 0, g1 = 0;
    assert_int_equal(tsr_tenant_set_generation(st, &g0), 0);
    tsr_store_fail_after(1); /* the touch's first statement */
    assert_int_not_equal(tsr_catalog_changed(&app, st, tid), 0);
    tsr_store_fail_after(0);
    assert_true(atomic_load(&current(&app)->stale));
    assert_true(atomic_load(&current(&app)->untouched));
    assert_false(
        tsr_catalog_origin_allowed(current(&app)->catalog, "https://untouched.example.com"));

    /* A reload that cannot touch fails, and the marks stay. */
    tsr_store_fail_after(1);
    assert_int_not_equal(tsr_app_reload(&app, st), 0);
    tsr_store_fail_after(0);
    assert_true(atomic_load(&current(&app)->untouched));

    assert_int_equal(tsr_app_reload(&app, st), 0);
    assert_false(atomic_load(&current(&app)->stale));
    assert_false(atomic_load(&current(&app)->untouched));
    assert_true(
        tsr_catalog_origin_allowed(current(&app)->catalog, "https://untouched.example.com"));
    assert_int_equal(tsr_tenant_set_generation(st, &g1), 0);
    assert_true(g1 > g0);
    tsr_client_cleanup(&c);
    tsr_app_close(&app);
}

/* A reload after a change of unknown tenant (the poll, tenant settings, keys) marks them all. */
static void failed_full_reload_marks_every_tenant(void **state)
{
    (void)state;
    struct tsr_app app;
    tsr_store *st = open_app(&app);
    struct tsr_tenant other = {.issuer = "http://127.0.0.1:9999/other/",
                               .friendly_name = "other",
                               .default_audience = "",
                               .is_default = false};
    assert_int_equal(tsr_tenant_insert(st, &other), 0);
    assert_int_equal(tsr_keys_create_initial(st, other.id, app.master_key), 0);
    assert_int_equal(tsr_app_reload(&app, st), 0);
    assert_int_equal(app.tenants->n, 2);
    tsr_store_fail_after(1);
    assert_int_not_equal(tsr_app_reload(&app, st), 0);
    tsr_store_fail_after(0);
    assert_true(atomic_load(&app.tenants->tenants[0].stale));
    assert_true(atomic_load(&app.tenants->tenants[1].stale));
    assert_int_equal(tsr_app_reload(&app, st), 0);
    assert_false(atomic_load(&app.tenants->tenants[0].stale));
    assert_false(atomic_load(&app.tenants->tenants[1].stale));

    /* One tenant's failed reload marks that tenant only. */
    tsr_store_fail_after(1);
    assert_int_not_equal(tsr_app_reload_tenant(&app, st, other.id), 0);
    tsr_store_fail_after(0);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(atomic_load(&app.tenants->tenants[i].stale),
                         strcmp(app.tenants->tenants[i].t.id, other.id) == 0);
    free(other.id);
    tsr_app_close(&app);
}

/*
 * Attack (issue 12 review): a deletion whose touch failed leaves the
 * generation unmoved.  The node that took it marks the tenant stale, but
 * nothing but a request to that tenant on that node ever retries: its own
 * once-a-second check (which any tenant's request runs) compares
 * generations, sees none moved and touches nothing, so a second node keeps
 * serving the deleted client for as long as that tenant gets no request
 * on the first node.
 */
static void untouched_change_reaches_other_nodes(void **state)
{
    (void)state;
    struct tsr_app one, two;
    tsr_store *st = open_app(&one);
    char tid[128], id[TSR_CLIENT_ID_LEN + 1];
    snprintf(tid, sizeof tid, "%s", current(&one)->t.id);
    add_client(st, tid, id);
    assert_int_equal(tsr_catalog_changed(&one, st, tid), 0);
    tsr_store *st2 = open_app(&two);
    assert_non_null(tsr_catalog_client(current(&two)->catalog, id));

    assert_int_equal(tsr_client_delete(st, tid, id), 0);
    tsr_store_fail_after(1); /* the touch's first statement */
    assert_int_not_equal(tsr_catalog_changed(&one, st, tid), 0);
    tsr_store_fail_after(0);
    assert_true(atomic_load(&current(&one)->untouched));

    /* Time passes; both nodes run their once-a-second checks (requests to other tenants, mail). */
    for (int i = 0; i < 3; i++) {
        atomic_store(&one.checked_at, 0);
        tsr_app_refresh_if_changed(&one, st);
        atomic_store(&two.checked_at, 0);
        tsr_app_refresh_if_changed(&two, st2);
    }
    /* The second node must not serve the deleted client any more. */
    assert_false(atomic_load(&current(&one)->untouched));
    assert_null(tsr_catalog_client(current(&two)->catalog, id));
    tsr_app_close(&two);
    tsr_app_close(&one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_failure_point_fails_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(retries_are_bounded_and_recover, setup, teardown),
        cmocka_unit_test_setup_teardown(untouched_change_survives_other_reloads, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_full_reload_marks_every_tenant, setup, teardown),
        cmocka_unit_test_setup_teardown(untouched_change_reaches_other_nodes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
