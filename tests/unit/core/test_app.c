/*
 * test_app.c - opening a data directory: first-start bootstrap, restarts
 * that overwrite nothing, the master key rules, and sealing under it.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_tmp.h"

#include "jose/jose.h"
#include "rsa_keys.h"
#include <jansson.h>

#include "core/app.h"
#include "core/catalog.h"
#include "core/keys.h"
#include "core/masterkey.h"
#include "util/err.h"
#include "util/log.h"

static char dir[512];
static const char *env_master_key;

static const char *test_getenv(const char *name)
{
    return strcmp(name, "TESSERA_MASTER_KEY") == 0 ? env_master_key : NULL;
}

static void path_in_dir(char *out, size_t len, const char *file)
{
    snprintf(out, len, "%s/%s", dir, file);
}

static char *read_file(const char *file)
{
    char path[700];
    path_in_dir(path, sizeof path, file);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int file_mode(const char *file)
{
    char path[700];
    struct stat sb;
    path_in_dir(path, sizeof path, file);
    assert_int_equal(stat(path, &sb), 0);
    return (int)(sb.st_mode & 0777);
}

static int setup(void **state)
{
    (void)state;
    fixture_mkdtemp(dir, sizeof dir, "tsr-app");
    env_master_key = NULL;
    tsr_log_set_level(TSR_LOG_ERROR);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const files[] = {"tessera.db", "tessera.db-wal",        "tessera.db-shm",
                                        "master.key", "bootstrap-client.json", "tessera.lock"};
    char path[700];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        path_in_dir(path, sizeof path, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

/* Opens the app on dir; returns the code and leaves the message in err. */
static int open_app(struct tsr_app *app, char *out_text, size_t out_len, char *err, size_t errlen)
{
    struct tsr_settings s;
    tsr_settings_defaults(&s);
    snprintf(s.data_dir, sizeof s.data_dir, "%s", dir);
    snprintf(s.public_url, sizeof s.public_url, "http://127.0.0.1:9999/");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int rc = tsr_app_open(app, &s, test_getenv, out, err, errlen);
    fclose(out);
    if (out_text != NULL)
        snprintf(out_text, out_len, "%s", buf ? buf : "");
    free(buf);
    return rc;
}

static void first_start_bootstraps_default_tenant(void **state)
{
    (void)state;
    struct tsr_app app;
    char out[4096], err[512];
    assert_int_equal(open_app(&app, out, sizeof out, err, sizeof err), 0);
    assert_int_equal(app.tenants->n, 1);
    assert_string_equal(app.tenants->tenants[0].t.issuer, "http://127.0.0.1:9999/");
    assert_string_equal(app.tenants->tenants[0].mgmt_audience, "http://127.0.0.1:9999/api/v2/");

    json_t *jwks = json_loads(app.tenants->tenants[0].jwks_json, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 2);
    json_decref(jwks);
    tsr_app_close(&app);

    assert_int_equal(file_mode("master.key"), 0600);
    assert_int_equal(file_mode("bootstrap-client.json"), 0600);
    char *text = read_file("bootstrap-client.json");
    json_t *creds = json_loads(text, 0, NULL);
    assert_non_null(creds);
    assert_int_equal(json_object_size(creds), 5);
    assert_string_equal(json_string_value(json_object_get(creds, "issuer")),
                        "http://127.0.0.1:9999/");
    assert_string_equal(json_string_value(json_object_get(creds, "audience")),
                        "http://127.0.0.1:9999/api/v2/");
    assert_string_equal(json_string_value(json_object_get(creds, "token_endpoint")),
                        "http://127.0.0.1:9999/oauth/token");
    const char *secret = json_string_value(json_object_get(creds, "client_secret"));
    assert_int_equal(strlen(secret), 64);
    assert_non_null(strstr(out, secret)); /* printed once, on the first start */
    json_decref(creds);
    free(text);
}

static void restart_overwrites_nothing(void **state)
{
    (void)state;
    struct tsr_app app;
    char out[4096], err[512];
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), 0);
    char *jwks_before = strdup(app.tenants->tenants[0].jwks_json);
    tsr_app_close(&app);
    char *creds_before = read_file("bootstrap-client.json");
    char *key_before = read_file("master.key");

    assert_int_equal(open_app(&app, out, sizeof out, err, sizeof err), 0);
    assert_int_equal(app.tenants->n, 1);
    assert_string_equal(app.tenants->tenants[0].jwks_json, jwks_before);
    tsr_app_close(&app);
    assert_null(strstr(out, "client_secret"));
    char *creds_after = read_file("bootstrap-client.json");
    char *key_after = read_file("master.key");
    assert_string_equal(creds_before, creds_after);
    assert_string_equal(key_before, key_after);
    free(jwks_before);
    free(creds_before);
    free(creds_after);
    free(key_before);
    free(key_after);
}

static void missing_master_key_is_refused(void **state)
{
    (void)state;
    struct tsr_app app;
    char err[512];
    char path[700];
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), 0);
    tsr_app_close(&app);
    path_in_dir(path, sizeof path, "master.key");
    assert_int_equal(unlink(path), 0);
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), TSR_EMASTERKEY);
    tsr_app_close(&app);
    assert_non_null(strstr(err, "master key missing"));
    assert_int_equal(access(path, F_OK), -1); /* no new key replaced the lost one */
}

static void wrong_master_key_is_refused(void **state)
{
    (void)state;
    struct tsr_app app;
    char err[512];
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), 0);
    tsr_app_close(&app);
    env_master_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), TSR_EMASTERKEY);
    tsr_app_close(&app);
    assert_non_null(strstr(err, "master key wrong"));
    env_master_key = "not-hex";
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), TSR_EMASTERKEY);
    tsr_app_close(&app);
    assert_non_null(strstr(err, "TESSERA_MASTER_KEY"));
}

/* The snapshot carries each tenant's limits: the server's, with the tenant's own values over them.
 */
static void tenant_limits_in_snapshot(void **state)
{
    (void)state;
    struct tsr_app app;
    char err[512];
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), 0);
    struct tsr_tenant_ctx *c = &app.tenants->tenants[0];
    assert_int_equal(c->limits.per_ip[TSR_RATE_LOGIN].count, 100);
    assert_true(c->limits.lockout_enabled);
    tsr_store *st = tsr_app_store(&app);
    assert_non_null(st);
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO tenant_limits (tenant_id, name, value) VALUES "
                                   "(?, 'rate-limit-login-per-ip', '3/3600'), "
                                   "(?, 'brute-force-enabled', 'false')",
                                   "ss", c->t.id, c->t.id),
                     0);
    assert_int_equal(tsr_tenant_touch(st, c->t.id), 0);
    assert_int_equal(tsr_app_reload(&app, st), 0);
    c = &app.tenants->tenants[0];
    assert_int_equal(c->limits.per_ip[TSR_RATE_LOGIN].count, 3);
    assert_int_equal(c->limits.per_ip[TSR_RATE_LOGIN].seconds, 3600);
    assert_int_equal(c->limits.per_ip[TSR_RATE_SIGNUP].count, 30);
    assert_false(c->limits.lockout_enabled);

    /* A stored value that does not parse: the reload keeps the old snapshot, a start refuses. */
    assert_int_equal(tsr_store_run(st, NULL,
                                   "UPDATE tenant_limits SET value = 'lots' WHERE name = "
                                   "'rate-limit-login-per-ip'",
                                   ""),
                     0);
    assert_int_not_equal(tsr_app_reload(&app, st), 0);
    assert_int_equal(app.tenants->tenants[0].limits.per_ip[TSR_RATE_LOGIN].count, 3);
    tsr_app_close(&app);
    assert_int_not_equal(open_app(&app, NULL, 0, err, sizeof err), 0);
    tsr_app_close(&app);
    assert_non_null(strstr(err, "rate-limit-login-per-ip"));
}

/*
 * A reload carries the catalog's new records, and keeps the keyring of a
 * tenant whose keys did not change; a key rotation loads a new one.
 */
static void reload_shares_unchanged_keys(void **state)
{
    (void)state;
    struct tsr_app app;
    char err[512];
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), 0);
    tsr_store *st = tsr_app_store(&app);
    assert_non_null(st);
    const char *tid = app.tenants->tenants[0].t.id;
    struct tsr_keyring *ring = app.tenants->tenants[0].keys;
    size_t nclients = tsr_catalog_count(app.tenants->tenants[0].catalog).clients;

    struct tsr_client c;
    assert_int_equal(tsr_client_init_new(&c, tid), 0);
    assert_int_equal(tsr_client_insert(st, &c), 0);
    assert_null(tsr_catalog_client(app.tenants->tenants[0].catalog, c.client_id));
    assert_int_equal(tsr_catalog_changed(&app, st, tid), 0);
    tid = app.tenants->tenants[0].t.id;
    assert_non_null(tsr_catalog_client(app.tenants->tenants[0].catalog, c.client_id));
    assert_int_equal(tsr_catalog_count(app.tenants->tenants[0].catalog).clients, nclients + 1);
    assert_ptr_equal(app.tenants->tenants[0].keys, ring);

    /* A request holding the old snapshot keeps its keyring after a rotation's reload. */
    struct tsr_tenant_set *held = tsr_app_acquire(&app);
    char *jwks = strdup(held->tenants[0].jwks_json);
    char *kid = NULL;
    assert_int_equal(tsr_keys_rotate(st, tid, app.master_key, &kid), 0);
    free(kid);
    assert_int_equal(tsr_catalog_changed(&app, st, tid), 0);
    assert_ptr_not_equal(app.tenants->tenants[0].keys, ring);
    assert_string_not_equal(app.tenants->tenants[0].jwks_json, jwks);
    assert_ptr_equal(held->tenants[0].keys, ring);
    assert_string_equal(held->tenants[0].jwks_json, jwks);
    tsr_tenant_set_release(held);
    free(jwks);

    assert_int_equal(tsr_client_delete(st, c.tenant_id, c.client_id), 0);
    assert_int_equal(tsr_catalog_changed(&app, st, c.tenant_id), 0);
    assert_null(tsr_catalog_client(app.tenants->tenants[0].catalog, c.client_id));
    tsr_client_cleanup(&c);
    tsr_app_close(&app);
}

/*
 * A reload keeps the catalog of a tenant whose generation did not move
 * and loads afresh the catalog of one a write touched (tsr_catalog_changed),
 * so a write costs its own tenant's records, not every tenant's.
 */
static void reload_shares_unchanged_catalogs(void **state)
{
    (void)state;
    struct tsr_app app;
    char err[512];
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), 0);
    tsr_store *st = tsr_app_store(&app);
    assert_non_null(st);
    const struct tsr_catalog *before = app.tenants->tenants[0].catalog;
    assert_int_equal(tsr_app_reload(&app, st), 0);
    assert_ptr_equal(app.tenants->tenants[0].catalog, before);

    /* A snapshot still held keeps the shared catalog after the next one drops it. */
    struct tsr_tenant_set *held = tsr_app_acquire(&app);
    struct tsr_client c;
    const char *tid = app.tenants->tenants[0].t.id;
    assert_int_equal(tsr_client_init_new(&c, tid), 0);
    assert_int_equal(tsr_client_insert(st, &c), 0);
    assert_int_equal(tsr_catalog_changed(&app, st, tid), 0);
    assert_ptr_not_equal(app.tenants->tenants[0].catalog, before);
    assert_non_null(tsr_catalog_client(app.tenants->tenants[0].catalog, c.client_id));
    assert_ptr_equal(held->tenants[0].catalog, before);
    assert_null(tsr_catalog_client(held->tenants[0].catalog, c.client_id));
    tsr_tenant_set_release(held);
    tsr_client_cleanup(&c);
    tsr_app_close(&app);
}

#define WRITERS 2
#define WRITES 8

struct writer {
    struct tsr_app *app;
    char tenant_id[64];
    char ids[WRITES][TSR_CLIENT_ID_LEN + 1];
    int failures;
};

/* Inserts clients one by one, each followed by its reload, on its own database handle. */
static void *write_and_reload(void *arg)
{
    struct writer *w = arg;
    tsr_store *st = tsr_app_store(w->app);
    for (int i = 0; st != NULL && i < WRITES; i++) {
        struct tsr_client c;
        if (tsr_client_init_new(&c, w->tenant_id) != 0 || tsr_client_insert(st, &c) != 0 ||
            tsr_catalog_changed(w->app, st, w->tenant_id) != 0)
            w->failures++;
        snprintf(w->ids[i], sizeof w->ids[i], "%s", c.client_id ? c.client_id : "");
        tsr_client_cleanup(&c);
    }
    if (st == NULL)
        w->failures++;
    tsr_app_store_release();
    return NULL;
}

/* Reloads in parallel never leave an older load in place: every write is in the last snapshot. */
static void parallel_reloads_keep_the_newest(void **state)
{
    (void)state;
    struct tsr_app app;
    char err[512];
    assert_int_equal(open_app(&app, NULL, 0, err, sizeof err), 0);
    struct writer w[WRITERS];
    pthread_t th[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].app = &app;
        snprintf(w[i].tenant_id, sizeof w[i].tenant_id, "%s", app.tenants->tenants[0].t.id);
        assert_int_equal(pthread_create(&th[i], NULL, write_and_reload, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    int64_t generation = 0;
    assert_int_equal(tsr_tenant_set_generation(tsr_app_store(&app), &generation), 0);
    assert_int_equal(app.tenants->generation, generation);
    for (int i = 0; i < WRITERS; i++) {
        assert_int_equal(w[i].failures, 0);
        for (int j = 0; j < WRITES; j++)
            assert_non_null(tsr_catalog_client(app.tenants->tenants[0].catalog, w[i].ids[j]));
    }
    tsr_app_close(&app);
}

static void seal_round_trip_and_tamper(void **state)
{
    (void)state;
    uint8_t key[TSR_MASTER_KEY_LEN] = {1, 2, 3};
    uint8_t other[TSR_MASTER_KEY_LEN] = {9};
    const uint8_t data[] = "private key bytes";
    char *sealed = NULL;
    uint8_t *plain = NULL;
    size_t len = 0;
    assert_int_equal(tsr_seal(key, "ctx:a", data, sizeof data, &sealed), 0);
    assert_int_equal(tsr_unseal(key, "ctx:a", sealed, &plain, &len), 0);
    assert_int_equal(len, sizeof data);
    assert_memory_equal(plain, data, sizeof data);
    free(plain);
    assert_int_equal(tsr_unseal(other, "ctx:a", sealed, &plain, &len), TSR_EMASTERKEY);
    assert_int_equal(tsr_unseal(key, "ctx:b", sealed, &plain, &len), TSR_EMASTERKEY);
    sealed[20] = sealed[20] == 'A' ? 'B' : 'A';
    assert_int_equal(tsr_unseal(key, "ctx:a", sealed, &plain, &len), TSR_EMASTERKEY);
    assert_int_equal(tsr_unseal(key, "ctx:a", "short", &plain, &len), TSR_EFORMAT);
    free(sealed);
}

int main(void)
{
    tsr_jwk_rsa_pool_for_tests(test_rsa_keys, sizeof test_rsa_keys / sizeof *test_rsa_keys);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_start_bootstraps_default_tenant, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_overwrites_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_master_key_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_master_key_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(tenant_limits_in_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(reload_shares_unchanged_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(reload_shares_unchanged_catalogs, setup, teardown),
        cmocka_unit_test_setup_teardown(parallel_reloads_keep_the_newest, setup, teardown),
        cmocka_unit_test(seal_round_trip_and_tamper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
