/*
 * test_tenant_admin.c - creating a tenant beside the default one (what it
 * gets, its credentials file, a taken issuer) and deleting it (every
 * record goes, the default stays, the generation sum keeps growing).
 */
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

#include "core/bootstrap.h"
#include "core/tenant.h"
#include "core/tenant_set.h"
#include "util/err.h"
#include "util/log.h"

static char dir[512];
static char db[600];
static char creds_path[700];
static char default_creds[700];
static const uint8_t master_key[TSR_MASTER_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};

static int setup(void **state)
{
    tsr_store *st = NULL;
    char err[512] = "";
    fixture_mkdtemp(dir, sizeof dir, "tsr-tenant-admin");
    /* Each case's tenants take their RSA keys from the start of the pool (a new store each). */
    tsr_jwk_rsa_pool_for_tests(test_rsa_keys, sizeof test_rsa_keys / sizeof *test_rsa_keys);
    tsr_log_set_level(TSR_LOG_ERROR);
    snprintf(db, sizeof db, "%s/tessera.db", dir);
    snprintf(creds_path, sizeof creds_path, "%s/bootstrap-client-dev.json", dir);
    snprintf(default_creds, sizeof default_creds, "%s/bootstrap-client.json", dir);
    int applied = 0;
    assert_int_equal(tsr_store_open(db, &st), 0);
    assert_int_equal(tsr_store_migrate(st, &applied), 0);
    assert_int_equal(
        tsr_bootstrap(st, "http://127.0.0.1:9999/", dir, master_key, NULL, err, sizeof err), 0);
    *state = st;
    return 0;
}

static int teardown(void **state)
{
    tsr_store_close(*state);
    static const char *const files[] = {"tessera.db", "tessera.db-wal", "tessera.db-shm",
                                        "bootstrap-client.json", "bootstrap-client-dev.json"};
    char path[700];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static int64_t count_for(tsr_store *st, const char *table, const char *tenant_id)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE tenant_id = '%s'", table, tenant_id);
    return fixture_count(st, sql);
}

static char *create_dev(tsr_store *st, json_t **creds)
{
    char err[512] = "", *id = NULL;
    struct tsr_tenant_new spec = {.issuer = "http://127.0.0.1:9999/dev/",
                                  .name = "dev",
                                  .is_default = false,
                                  .creds_path = creds_path};
    assert_int_equal(tsr_tenant_create(st, &spec, master_key, creds, &id, err, sizeof err), 0);
    assert_non_null(id);
    return id;
}

static void create_gives_what_the_default_got(void **state)
{
    tsr_store *st = *state;
    json_t *creds = NULL;
    char *id = create_dev(st, &creds);
    assert_string_equal(json_string_value(json_object_get(creds, "tenant_id")), id);
    assert_string_equal(json_string_value(json_object_get(creds, "audience")),
                        "http://127.0.0.1:9999/dev/api/v2/");
    static const char *const tables[] = {"signing_keys", "clients", "resource_servers",
                                         "client_grants", "connections"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        assert_int_equal(count_for(st, tables[i], id), 1 + (i == 0)); /* RS256 current + next */

    struct stat sb;
    assert_int_equal(stat(creds_path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    json_t *file = json_load_file(creds_path, 0, NULL);
    assert_non_null(file);
    assert_int_equal(json_object_size(file), 5);
    assert_string_equal(json_string_value(json_object_get(file, "client_secret")),
                        json_string_value(json_object_get(creds, "client_secret")));
    json_decref(file);

    struct tsr_tenant *list = NULL;
    size_t n = 0;
    assert_int_equal(tsr_tenant_list(st, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_true(list[0].is_default); /* the default lists first */
    assert_string_equal(list[1].name, "dev");
    assert_string_equal(list[1].friendly_name, "dev");
    tsr_tenant_list_free(list, n);
    tsr_wipe_creds(creds);
    free(id);
}

static void a_taken_issuer_leaves_nothing(void **state)
{
    tsr_store *st = *state;
    json_t *creds = NULL;
    char err[512] = "", *id = NULL;
    struct tsr_tenant_new spec = {.issuer = "http://127.0.0.1:9999/",
                                  .name = "again",
                                  .is_default = false,
                                  .creds_path = creds_path};
    assert_int_equal(tsr_tenant_create(st, &spec, master_key, &creds, &id, err, sizeof err),
                     TSR_ECONFLICT);
    assert_null(creds);
    assert_null(id);
    assert_non_null(strstr(err, "another tenant has this host and path"));
    assert_int_equal(access(creds_path, F_OK), -1);
    assert_int_equal(access(default_creds, F_OK), 0);
    assert_int_equal(fixture_count(st, "SELECT count(*) FROM tenants"), 1);
    assert_int_equal(fixture_count(st, "SELECT count(*) FROM clients"), 1);
}

static void issuers_that_share_or_shadow_routes_are_refused(void **state)
{
    tsr_store *st = *state;
    struct tsr_tenant list[] = {{.issuer = "http://127.0.0.1:9999/"},
                                {.issuer = "http://127.0.0.1:9999/dev/"},
                                {.issuer = "http://127.0.0.1:9999/x/y/"}};
    size_t n = sizeof list / sizeof list[0];
    /* The same host and path over https: routing never looks at the scheme. */
    assert_non_null(tsr_tenant_issuer_clash(list, n, "https://127.0.0.1:9999/dev/"));
    /* Inside dev's path (/dev/oauth/ would take dev's /oauth/ routes), or around x/y's. */
    assert_non_null(tsr_tenant_issuer_clash(list, n, "http://127.0.0.1:9999/dev/oauth/"));
    assert_non_null(tsr_tenant_issuer_clash(list, n, "http://127.0.0.1:9999/x/"));
    /* A prefix under the root tenant, another host, or a sibling path is free. */
    assert_null(tsr_tenant_issuer_clash(list, n, "http://127.0.0.1:9999/stage/"));
    assert_null(tsr_tenant_issuer_clash(list, n, "http://localhost:9999/dev/"));
    assert_null(tsr_tenant_issuer_clash(list, n, "http://127.0.0.1:9999/devx/"));
    assert_null(tsr_tenant_issuer_clash(list, n, "http://127.0.0.1:9999/x/z/"));

    /* tsr_tenant_create checks it in its transaction and leaves nothing behind. */
    json_t *creds = NULL;
    char err[512] = "", *id = NULL;
    struct tsr_tenant_new spec = {.issuer = "https://127.0.0.1:9999/",
                                  .name = "twin",
                                  .is_default = false,
                                  .creds_path = creds_path};
    assert_int_equal(tsr_tenant_create(st, &spec, master_key, &creds, &id, err, sizeof err),
                     TSR_ECONFLICT);
    assert_null(creds);
    assert_non_null(strstr(err, "another tenant has this host and path"));
    assert_int_equal(access(creds_path, F_OK), -1);
    assert_int_equal(fixture_count(st, "SELECT count(*) FROM tenants"), 1);
}

static void delete_removes_every_record_and_the_generation_grows(void **state)
{
    tsr_store *st = *state;
    json_t *creds = NULL;
    int64_t g0 = 0, g1 = 0, g2 = 0, g3 = 0;
    assert_int_equal(tsr_tenant_set_generation(st, &g0), 0);
    char *id = create_dev(st, &creds);
    tsr_wipe_creds(creds);
    assert_int_equal(tsr_tenant_set_generation(st, &g1), 0);
    assert_true(g1 > g0);
    assert_int_equal(tsr_tenant_touch(st, id), 0); /* a generation above the default's start */
    assert_int_equal(tsr_tenant_delete(st, id), 0);
    assert_int_equal(tsr_tenant_set_generation(st, &g2), 0);
    assert_true(g2 > g1);

    tsr_stmt *q = NULL;
    assert_int_equal(
        tsr_store_query(st, &q,
                        "SELECT DISTINCT m.name FROM sqlite_master m, pragma_table_info(m.name) c "
                        "WHERE m.type = 'table' AND c.name = 'tenant_id'",
                        ""),
        0);
    int tables = 0;
    while (tsr_stmt_step(q) == TSR_STORE_ROW) {
        assert_int_equal(count_for(st, tsr_stmt_text(q, 0), id), 0);
        tables++;
    }
    tsr_stmt_finalize(q);
    assert_true(tables > 10);

    /* A creation right after a deletion still moves the sum. */
    free(id);
    assert_int_equal(unlink(creds_path), 0); /* the CLI removes it with the tenant */
    id = create_dev(st, &creds);
    tsr_wipe_creds(creds);
    assert_int_equal(tsr_tenant_set_generation(st, &g3), 0);
    assert_true(g3 > g2);
    free(id);
}

static void the_default_and_unknown_tenants_are_not_deleted(void **state)
{
    tsr_store *st = *state;
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    int64_t g0 = 0, g1 = 0;
    assert_int_equal(tsr_tenant_set_generation(st, &g0), 0);
    assert_int_equal(tsr_tenant_list(st, &list, &n), 0);
    assert_int_equal(tsr_tenant_delete(st, list[0].id), TSR_ENOTFOUND);
    assert_int_equal(tsr_tenant_delete(st, "nosuchtenant"), TSR_ENOTFOUND);
    tsr_tenant_list_free(list, n);
    assert_int_equal(fixture_count(st, "SELECT count(*) FROM tenants"), 1);
    assert_int_equal(tsr_tenant_set_generation(st, &g1), 0);
    assert_int_equal(g1, g0); /* rolled back */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_gives_what_the_default_got, setup, teardown),
        cmocka_unit_test_setup_teardown(a_taken_issuer_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(issuers_that_share_or_shadow_routes_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(delete_removes_every_record_and_the_generation_grows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_default_and_unknown_tenants_are_not_deleted, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
