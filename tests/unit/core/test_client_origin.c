/*
 * test_client_origin.c - the CORS decision over the tenant's catalog
 * (tsr_catalog_origin_allowed): an origin is allowed only when an
 * application of the same tenant lists it exactly, in allowed_origins or
 * web_origins.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/catalog.h"
#include "fixture_people.h"
#include "util/err.h"

static void add_client(struct people *p, const char *allowed, const char *web)
{
    struct tsr_client c;
    assert_int_equal(tsr_client_init_new(&c, p->tenant_id), 0);
    if (allowed)
        assert_int_equal(tsr_strlist_push(&c.allowed_origins, allowed), 0);
    if (web)
        assert_int_equal(tsr_strlist_push(&c.web_origins, web), 0);
    assert_int_equal(tsr_client_insert(p->st, &c), 0);
    tsr_client_cleanup(&c);
}

/* The answer of tenant_id's catalog as loaded now (what a request after the write asks). */
static bool allowed(struct people *p, const char *tenant_id, const char *origin)
{
    struct tsr_catalog *cat = NULL;
    assert_int_equal(tsr_catalog_load(p->st, tenant_id, &cat), 0);
    bool ok = tsr_catalog_origin_allowed(cat, origin);
    tsr_catalog_free(cat);
    return ok;
}

static void test_listed(void **state)
{
    struct people *p = *state;
    assert_false(allowed(p, p->tenant_id, "https://spa.example.com"));
    add_client(p, "https://spa.example.com", NULL);
    add_client(p, NULL, "http://localhost:3000");
    assert_true(allowed(p, p->tenant_id, "https://spa.example.com"));
    assert_true(allowed(p, p->tenant_id, "http://localhost:3000"));
    /* Exact items only: no prefix, suffix, other scheme, port or tenant. */
    assert_false(allowed(p, p->tenant_id, "https://spa.example.co"));
    assert_false(allowed(p, p->tenant_id, "https://pa.example.com"));
    assert_false(allowed(p, p->tenant_id, "http://spa.example.com"));
    assert_false(allowed(p, p->tenant_id, "http://localhost:300"));
    assert_false(allowed(p, p->tenant_id, "http://localhost:30000"));
    assert_false(allowed(p, "another-tenant", "https://spa.example.com"));
}

static void test_case_update_delete(void **state)
{
    struct people *p = *state;
    struct tsr_client c;
    assert_int_equal(tsr_client_init_new(&c, p->tenant_id), 0);
    assert_int_equal(tsr_strlist_push(&c.web_origins, "https://App.Example.com"), 0);
    assert_int_equal(tsr_strlist_push(&c.allowed_origins, "https://app.example.com"), 0);
    assert_int_equal(tsr_client_insert(p->st, &c), 0);
    /* ASCII case is ignored, as the LIKE over the stored lists did. */
    assert_true(allowed(p, p->tenant_id, "https://app.example.com"));
    assert_true(allowed(p, p->tenant_id, "https://APP.Example.COM"));
    /* An update replaces the origins; a delete takes them. */
    tsr_strlist_cleanup(&c.web_origins);
    tsr_strlist_cleanup(&c.allowed_origins);
    assert_int_equal(tsr_strlist_push(&c.web_origins, "https://new.example.com"), 0);
    assert_int_equal(tsr_client_update(p->st, &c), 0);
    assert_false(allowed(p, p->tenant_id, "https://app.example.com"));
    assert_true(allowed(p, p->tenant_id, "https://new.example.com"));
    assert_int_equal(tsr_client_delete(p->st, p->tenant_id, c.client_id), 0);
    assert_false(allowed(p, p->tenant_id, "https://new.example.com"));
    tsr_client_cleanup(&c);
}

static void test_shapes_refused(void **state)
{
    struct people *p = *state;
    add_client(p, "https://spa.example.com", NULL);
    /* Wildcards, quotes and paths never reach the query. */
    static const char *const bad[] = {
        "https://spa%example.com", "https://spa_example.com", "https://%",
        "https://spa.example.com/", "https://spa.example.com\"", "https://a\\b",
        "https://", "spa.example.com", "ftp://spa.example.com", "https://spa example.com",
        ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(allowed(p, p->tenant_id, bad[i]));
    assert_false(allowed(p, p->tenant_id, NULL));
    /* Longer than any origin a browser sends. */
    char longer[300];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer, "https://", 8);
    assert_false(allowed(p, p->tenant_id, longer));
}

/* The origins cannot be read: an error and no catalog, so nothing is allowed from it. */
static void test_store_failure(void **state)
{
    struct people *p = *state;
    add_client(p, "https://spa.example.com", NULL);
    struct tsr_catalog *cat = NULL;
    tsr_store_fail_after(1);
    assert_int_equal(tsr_catalog_load(p->st, p->tenant_id, &cat), TSR_ESTORE);
    tsr_store_fail_after(0);
    assert_null(cat);
    assert_false(tsr_catalog_origin_allowed(cat, "https://spa.example.com"));
    assert_true(allowed(p, p->tenant_id, "https://spa.example.com"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_listed, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_case_update_delete, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_shapes_refused, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_store_failure, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
