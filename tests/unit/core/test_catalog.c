/*
 * test_catalog.c - the tenant catalog (core/catalog.h): every client, API
 * and client grant of a tenant found by its key among many, nothing of
 * another tenant, unknown keys answer NULL, the client secret held only as
 * its hash, and a storage failure during the load is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/catalog.h"
#include "util/err.h"
#include "util/secure.h"

#include "fixture_people.h"

#define NCLIENTS 60
#define NAPIS 7

static char *add_client(tsr_store *st, const char *tenant_id, char **secret)
{
    struct tsr_client c;
    assert_int_equal(tsr_client_init_new(&c, tenant_id), 0);
    assert_int_equal(tsr_client_new_secret(&c, secret), 0);
    assert_int_equal(tsr_client_insert(st, &c), 0);
    char *id = strdup(c.client_id);
    tsr_client_cleanup(&c);
    return id;
}

static void add_api(tsr_store *st, const char *tenant_id, const char *identifier)
{
    struct tsr_api a;
    assert_int_equal(tsr_api_init_new(&a, tenant_id), 0);
    free(a.identifier);
    a.identifier = strdup(identifier);
    assert_int_equal(tsr_api_insert(st, &a), 0);
    tsr_api_cleanup(&a);
}

static void add_grant(tsr_store *st, const char *tenant_id, const char *client_id,
                      const char *audience, const char *scope)
{
    struct tsr_grant g;
    assert_int_equal(tsr_grant_init_new(&g, tenant_id), 0);
    free(g.client_id);
    free(g.audience);
    g.client_id = strdup(client_id);
    g.audience = strdup(audience);
    assert_int_equal(tsr_strlist_split(&g.scope, scope), 0);
    assert_int_equal(tsr_grant_insert(st, &g), 0);
    tsr_grant_cleanup(&g);
}

static void identifier(char *buf, size_t len, int i)
{
    snprintf(buf, len, "https://api-%d.example.com/", i);
}

static void test_lookups(void **state)
{
    struct people *p = *state;
    char *ids[NCLIENTS], *secrets[NCLIENTS];
    char aud[64];
    for (int i = 0; i < NAPIS; i++) {
        identifier(aud, sizeof aud, i);
        add_api(p->st, p->tenant_id, aud);
    }
    for (int i = 0; i < NCLIENTS; i++) {
        ids[i] = add_client(p->st, p->tenant_id, &secrets[i]);
        /* Client i holds a grant for API i % NAPIS only. */
        identifier(aud, sizeof aud, i % NAPIS);
        add_grant(p->st, p->tenant_id, ids[i], aud, i % 2 ? "read:x" : "read:x write:x");
    }
    struct tsr_catalog *cat = NULL;
    assert_int_equal(tsr_catalog_load(p->st, p->tenant_id, &cat), 0);
    struct tsr_catalog_counts n = tsr_catalog_count(cat);
    assert_int_equal(n.clients, NCLIENTS);
    assert_int_equal(n.apis, NAPIS);
    assert_int_equal(n.grants, NCLIENTS);
    for (int i = 0; i < NCLIENTS; i++) {
        const struct tsr_client *c = tsr_catalog_client(cat, ids[i]);
        assert_non_null(c);
        assert_string_equal(c->client_id, ids[i]);
        assert_string_equal(c->tenant_id, p->tenant_id);
        /* What the store holds: the hash, never the secret itself. */
        assert_string_not_equal(c->secret_hash, secrets[i]);
        assert_null(strstr(c->secret_hash, secrets[i]));
        assert_true(tsr_client_secret_matches(c, secrets[i]));
        assert_false(tsr_client_secret_matches(c, secrets[(i + 1) % NCLIENTS]));
        for (int a = 0; a < NAPIS; a++) {
            identifier(aud, sizeof aud, a);
            const struct tsr_grant *g = tsr_catalog_grant(cat, ids[i], aud);
            if (a != i % NAPIS) {
                assert_null(g);
                continue;
            }
            assert_non_null(g);
            assert_string_equal(g->client_id, ids[i]);
            assert_string_equal(g->audience, aud);
            char *s = tsr_strlist_join(&g->scope);
            assert_string_equal(s, i % 2 ? "read:x" : "read:x write:x");
            free(s);
        }
    }
    for (int a = 0; a < NAPIS; a++) {
        identifier(aud, sizeof aud, a);
        const struct tsr_api *api = tsr_catalog_api(cat, aud);
        assert_non_null(api);
        assert_string_equal(api->identifier, aud);
    }
    /* Unknown keys, near misses and NULL. */
    assert_null(tsr_catalog_client(cat, "no-such-client"));
    assert_null(tsr_catalog_client(cat, ""));
    assert_null(tsr_catalog_client(cat, NULL));
    char near[64];
    snprintf(near, sizeof near, "%.*s", (int)strlen(ids[0]) - 1, ids[0]);
    assert_null(tsr_catalog_client(cat, near));
    assert_null(tsr_catalog_api(cat, "https://api-0.example.com"));
    assert_null(tsr_catalog_api(cat, "HTTPS://API-0.EXAMPLE.COM/"));
    assert_null(tsr_catalog_api(cat, NULL));
    assert_null(tsr_catalog_grant(cat, ids[0], NULL));
    assert_null(tsr_catalog_grant(cat, NULL, "https://api-0.example.com/"));
    tsr_catalog_free(cat);
    for (int i = 0; i < NCLIENTS; i++) {
        free(ids[i]);
        tsr_wipe_free_str(secrets[i]);
    }
}

static void test_tenants_apart(void **state)
{
    struct people *p = *state;
    struct tsr_tenant other = {.issuer = "https://other.example.com/", .friendly_name = "other",
                               .default_audience = "", .is_default = false};
    assert_int_equal(tsr_tenant_insert(p->st, &other), 0);
    char *secret = NULL, *other_secret = NULL;
    char *mine = add_client(p->st, p->tenant_id, &secret);
    char *theirs = add_client(p->st, other.id, &other_secret);
    add_api(p->st, other.id, "https://theirs.example.com/");
    add_grant(p->st, other.id, theirs, "https://theirs.example.com/", "read:x");
    struct tsr_client c;
    assert_int_equal(tsr_client_get(p->st, other.id, theirs, &c), 0);
    assert_int_equal(tsr_strlist_push(&c.web_origins, "https://theirs.example.com"), 0);
    assert_int_equal(tsr_client_update(p->st, &c), 0);
    tsr_client_cleanup(&c);

    struct tsr_catalog *cat = NULL;
    assert_int_equal(tsr_catalog_load(p->st, p->tenant_id, &cat), 0);
    assert_non_null(tsr_catalog_client(cat, mine));
    assert_null(tsr_catalog_client(cat, theirs));
    assert_null(tsr_catalog_api(cat, "https://theirs.example.com/"));
    assert_null(tsr_catalog_grant(cat, theirs, "https://theirs.example.com/"));
    assert_false(tsr_catalog_origin_allowed(cat, "https://theirs.example.com"));
    tsr_catalog_free(cat);

    assert_int_equal(tsr_catalog_load(p->st, other.id, &cat), 0);
    assert_null(tsr_catalog_client(cat, mine));
    assert_non_null(tsr_catalog_client(cat, theirs));
    assert_non_null(tsr_catalog_grant(cat, theirs, "https://theirs.example.com/"));
    assert_true(tsr_catalog_origin_allowed(cat, "https://theirs.example.com"));
    tsr_catalog_free(cat);

    free(mine);
    free(theirs);
    tsr_wipe_free_str(secret);
    tsr_wipe_free_str(other_secret);
    free(other.id);
}

static void test_empty(void **state)
{
    struct people *p = *state;
    struct tsr_catalog *cat = NULL;
    assert_int_equal(tsr_catalog_load(p->st, "no-such-tenant", &cat), 0);
    struct tsr_catalog_counts n = tsr_catalog_count(cat);
    assert_int_equal(n.clients + n.apis + n.grants + n.origins, 0);
    assert_null(tsr_catalog_client(cat, "x"));
    assert_null(tsr_catalog_api(cat, "x"));
    assert_null(tsr_catalog_grant(cat, "x", "y"));
    assert_false(tsr_catalog_origin_allowed(cat, "https://x.example.com"));
    tsr_catalog_free(cat);
    tsr_catalog_free(NULL);
}

/* A failure at any of the load's statements is an error, with nothing leaked. */
static void test_store_failure(void **state)
{
    struct people *p = *state;
    char *secret = NULL;
    char *id = add_client(p->st, p->tenant_id, &secret);
    add_api(p->st, p->tenant_id, "https://api.example.com/");
    add_grant(p->st, p->tenant_id, id, "https://api.example.com/", "read:x");
    struct tsr_catalog *cat = NULL;
    int n = 1;
    for (; n < 100; n++) {
        tsr_store_fail_after(n);
        int rc = tsr_catalog_load(p->st, p->tenant_id, &cat);
        tsr_store_fail_after(0);
        if (rc == 0)
            break;
        assert_int_equal(rc, TSR_ESTORE);
        assert_null(cat);
    }
    assert_true(n > 1 && n < 100);
    assert_non_null(tsr_catalog_client(cat, id));
    tsr_catalog_free(cat);
    free(id);
    tsr_wipe_free_str(secret);
}

/*
 * A row that cannot be read (here: JSON columns that are not arrays, as an
 * older or hand-edited database may hold) leaves that record out, so it is
 * refused; the rest of the catalog loads, so a reload still carries every
 * later deletion (a failed load would keep the previous catalog).
 */
static void test_unreadable_rows(void **state)
{
    struct people *p = *state;
    char *s1 = NULL, *s2 = NULL;
    char *good = add_client(p->st, p->tenant_id, &s1);
    char *bad = add_client(p->st, p->tenant_id, &s2);
    add_api(p->st, p->tenant_id, "https://good.example.com/");
    add_api(p->st, p->tenant_id, "https://bad.example.com/");
    add_grant(p->st, p->tenant_id, good, "https://good.example.com/", "read:x");
    add_grant(p->st, p->tenant_id, good, "https://bad.example.com/", "read:x");
    char sql[512];
    snprintf(sql, sizeof sql, "UPDATE clients SET callbacks = '[' WHERE client_id = '%s'", bad);
    assert_int_equal(tsr_store_exec(p->st, sql), 0);
    assert_int_equal(tsr_store_exec(p->st, "UPDATE resource_servers SET scopes = '{' WHERE "
                                           "identifier = 'https://bad.example.com/'"),
                     0);
    assert_int_equal(tsr_store_exec(p->st, "UPDATE client_grants SET scope = 'x' WHERE "
                                           "audience = 'https://bad.example.com/'"),
                     0);
    struct tsr_catalog *cat = NULL;
    assert_int_equal(tsr_catalog_load(p->st, p->tenant_id, &cat), 0);
    assert_non_null(tsr_catalog_client(cat, good));
    assert_null(tsr_catalog_client(cat, bad));
    assert_non_null(tsr_catalog_api(cat, "https://good.example.com/"));
    assert_null(tsr_catalog_api(cat, "https://bad.example.com/"));
    assert_non_null(tsr_catalog_grant(cat, good, "https://good.example.com/"));
    assert_null(tsr_catalog_grant(cat, good, "https://bad.example.com/"));
    tsr_catalog_free(cat);
    free(good);
    free(bad);
    tsr_wipe_free_str(s1);
    tsr_wipe_free_str(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lookups, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_tenants_apart, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_empty, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_store_failure, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_rows, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
