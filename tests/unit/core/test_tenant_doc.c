/*
 * test_tenant_doc.c - a tenant document planned and applied on an
 * in-memory database: creates, then no change the second time; unknown
 * sections and properties are reported, not applied; a document of the
 * wrong shape is refused before anything is read; a refusal in the middle
 * rolls back everything; each value the Management API refuses is
 * refused by the same rule, writing nothing; a dry run writes nothing; deletions only when
 * allowed, dependants before what they refer to (an API with its grants);
 * the applications granted the Management API are never exported,
 * changed, deleted nor named; the export refers to clients by name and
 * holds no secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/api.h"
#include "core/connection.h"
#include "core/grant.h"
#include "core/tenant_doc.h"
#include "core/tenant_doc_yaml.h"
#include "fixture_tmp.h"
#include "store/store.h"
#include "util/err.h"

static const uint8_t zero_key[TSR_MASTER_KEY_LEN];

static const char *const doc_text =
    "tenant:\n"
    "  friendly_name: Shop\n"
    "  default_audience: https://orders.example.com\n"
    "resourceServers:\n"
    "  - name: Orders\n"
    "    identifier: https://orders.example.com\n"
    "    scopes: [{value: read:orders, description: Read}, {value: write:orders, description: W}]\n"
    "    signing_alg: HS256\n"
    "clients:\n"
    "  - name: Worker\n"
    "    app_type: non_interactive\n"
    "    sso_disabled: true\n"
    "    jwt_configuration: {alg: RS256, secret_encoded: false}\n"
    "  - name: Shop\n"
    "    app_type: spa\n"
    "    callbacks: [https://shop.example.com/cb]\n"
    "databases:\n"
    "  - name: Username-Password-Authentication\n"
    "    strategy: auth0\n"
    "    enabled_clients: [Shop]\n"
    "clientGrants:\n"
    "  - client_id: Worker\n"
    "    audience: https://orders.example.com\n"
    "    scope: [read:orders]\n"
    "roles:\n"
    "  - name: admin\n"
    "    permissions:\n"
    "      - {permission_name: write:orders, resource_server_identifier: "
    "https://orders.example.com}\n"
    "emailTemplates: []\n";

static tsr_store *open_tenant(void)
{
    tsr_store *st = NULL;
    int applied = 0;
    assert_int_equal(tsr_store_open("sqlite::memory:", &st), 0);
    assert_int_equal(tsr_store_migrate(st, &applied), 0);
    assert_int_equal(tsr_store_run(st, NULL,
                                   "INSERT INTO tenants (id, issuer, is_default, created_at, "
                                   "updated_at) VALUES ('t1', 'https://t1/', 1, 1, 1)",
                                   ""),
                     0);
    assert_int_equal(tsr_connection_ensure_default(st, "t1"), 0);
    return st;
}

static json_t *parse(const char *text)
{
    char err[300];
    json_t *v = NULL;
    assert_int_equal(tsr_yaml_parse(text, strlen(text), NULL, &v, err, sizeof err), 0);
    return v;
}

static size_t count_op(const struct tsr_doc_plan *p, enum tsr_doc_op op)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += p->v[i].op == op;
    return n;
}

static int plan_apply(tsr_store *st, const json_t *doc, bool allow_delete, bool dry,
                      struct tsr_doc_plan *plan, char *err, size_t errlen)
{
    int rc = tsr_tenant_doc_plan(st, "t1", doc, allow_delete, plan, err, errlen);
    if (rc != 0)
        return rc;
    return tsr_tenant_doc_apply(st, "t1", zero_key, plan, dry, err, errlen);
}

static void test_apply_then_nothing(void **state)
{
    (void)state;
    tsr_store *st = open_tenant();
    json_t *doc = parse(doc_text);
    struct tsr_doc_plan plan;
    char err[600] = "";
    assert_int_equal(plan_apply(st, doc, false, true, &plan, err, sizeof err), 0);
    assert_int_equal(count_op(&plan, TSR_DOC_CREATE), 5);
    assert_int_equal(count_op(&plan, TSR_DOC_UPDATE), 2); /* tenant, the connection */
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM clients"), 0); /* dry run */
    assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), 0);
    assert_true(tsr_strlist_contains(&plan.ignored, "emailTemplates"));
    assert_true(tsr_strlist_contains(&plan.ignored, "clients[Worker].sso_disabled"));
    assert_true(
        tsr_strlist_contains(&plan.ignored, "clients[Worker].jwt_configuration.secret_encoded"));
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM clients"), 2);
    assert_int_equal(fixture_count(st, "SELECT generation FROM tenants"), 2);

    assert_int_equal(tsr_tenant_doc_plan(st, "t1", doc, true, &plan, err, sizeof err), 0);
    assert_int_equal(tsr_doc_plan_changes(&plan), 0);
    tsr_doc_plan_cleanup(&plan);

    json_t *out = NULL;
    assert_int_equal(tsr_tenant_doc_export(st, "t1", &out, err, sizeof err), 0);
    char *text = json_dumps(out, JSON_COMPACT);
    assert_non_null(strstr(text, "\"client_id\":\"Worker\""));
    assert_non_null(strstr(text, "\"enabled_clients\":[\"Shop\"]"));
    assert_null(strstr(text, "secret\":"));
    assert_null(strstr(text, "signing_secret"));
    free(text);
    json_decref(out);
    json_decref(doc);
    tsr_store_close(st);
}

static void test_refusal_rolls_back(void **state)
{
    (void)state;
    tsr_store *st = open_tenant();
    json_t *doc = parse(doc_text);
    struct tsr_doc_plan plan;
    char err[600] = "";
    json_t *g = json_array_get(json_object_get(doc, "clientGrants"), 0);
    json_object_set_new(g, "scope", json_pack("[s]", "delete:orders"));
    assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), TSR_EINVAL);
    assert_non_null(strstr(err, "clientGrants[Worker -> https://orders.example.com]"));
    assert_non_null(strstr(err, "delete:orders"));
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM clients"), 0);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM resource_servers"), 0);
    assert_int_equal(fixture_count(st, "SELECT generation FROM tenants"), 1);

    /* A value core's patch refuses. */
    json_object_set_new(g, "scope", json_pack("[s]", "read:orders"));
    json_t *c = json_array_get(json_object_get(doc, "clients"), 1);
    json_object_set_new(c, "app_type", json_string("mainframe"));
    err[0] = '\0';
    assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), TSR_EINVAL);
    assert_non_null(strstr(err, "clients[Shop]: app_type"));
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM resource_servers"), 0);
    json_decref(doc);
    tsr_store_close(st);
}

/* One value the Management API refuses, put into the document. */
struct api_refusal {
    const char *section; /* "tenant" or a list section (its first item) */
    const char *key;
    const char *value; /* JSON */
    const char *error; /* in err */
};

/*
 * What the Management API refuses, an apply refuses through the same
 * rule (core/tenant_rules.h, connection.h, grant.h, rbac.h,
 * client_update.h, util/url_check.h), naming the record and the property,
 * and writes nothing.
 */
static void test_refuses_what_the_api_refuses(void **state)
{
    (void)state;
    static const struct api_refusal cases[] = {
        {"tenant", "allowed_logout_urls", "[\"javascript:alert(1)\"]",
         "tenant: allowed_logout_urls[0]: URL scheme is not allowed"},
        {"tenant", "allowed_logout_urls", "[\"https://shop.example.com/#top\"]",
         "tenant: allowed_logout_urls[0]: URL must not contain a fragment"},
        {"tenant", "allowed_logout_urls", "[\"https://*.example.com/\"]",
         "tenant: allowed_logout_urls[0]: URL host is not valid"},
        {"tenant", "allowed_logout_urls", "[\"http://shop.example.com/\"]",
         "allowed_logout_urls[0]: http is only allowed for localhost"},
        {"tenant", "allowed_logout_urls",
         "[\"https://a.example.com/\", \"https://a.example.com/\"]",
         "allowed_logout_urls: Array items are not unique (indexes 0 and 1)"},
        {"tenant", "session_lifetime", "8761",
         "tenant: session_lifetime: Must be more than 0 and at most 8760 hours"},
        {"tenant", "session_lifetime", "0", "session_lifetime: Must be more than 0"},
        {"tenant", "idle_session_lifetime", "9000", "idle_session_lifetime: Must be more than 0"},
        {"tenant", "friendly_name", "\"Shop\\u0001\"",
         "friendly_name: String must not contain control characters"},
        {"databases", "name", "\"Users!\"", "name: String does not match pattern"},
        {"databases", "name", "\" Users\"", "name: The name must not start or end with a space"},
        {"databases", "strategy", "\"google-oauth2\"", "Strategy google-oauth2 is not supported"},
        {"databases", "options", "{\"passwordPolicy\": \"strong\"}",
         "options.passwordPolicy: No enum match for: \"strong\""},
        {"clientGrants", "scope", "[\"delete:orders\"]",
         "scope[0]: Scope delete:orders is not defined by the resource server"},
        {"roles", "name",
         "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaa\"",
         "name: String is too long (101 chars), maximum 100"},
        {"roles", "description", "\"x\\u0007\"",
         "description: String must not contain control characters"},
        {"roles", "permissions",
         "[{\"permission_name\": \"delete:orders\", "
         "\"resource_server_identifier\": \"https://orders.example.com\"}]",
         "permissions: Permission delete:orders is not a scope of https://orders.example.com"},
        {"clients", "callbacks", "[\"https://shop_app.example.com/cb\"]",
         "callbacks[0]: The login pages' Content-Security-Policy cannot allow this host"},
        {"clients", "web_origins", "[\"https://shop.example.com/app\"]",
         "web_origins[0]: An origin must not have a path or query"},
        {"clients", "logo_uri", "\"http://shop.example.com/logo.png\"",
         "logo_uri: URL must use https"},
        {"clients", "client_metadata",
         "{\"a\":\"1\",\"b\":\"1\",\"c\":\"1\",\"d\":\"1\",\"e\":\"1\",\"f\":\"1\","
         "\"g\":\"1\",\"h\":\"1\",\"i\":\"1\",\"j\":\"1\",\"k\":\"1\"}",
         "client_metadata: Too many properties defined (11), maximum 10"},
        {"clients", "client_metadata", "{\"tier\": 1}",
         "client_metadata.tier: Expected type string but found type integer"},
    };
    tsr_store *st = open_tenant();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct api_refusal *k = &cases[i];
        json_t *doc = parse(doc_text);
        json_t *rec = json_object_get(doc, k->section);
        if (json_is_array(rec))
            rec = json_array_get(rec, 0);
        json_object_set_new(rec, k->key, json_loads(k->value, JSON_DECODE_ANY, NULL));
        struct tsr_doc_plan plan;
        char err[600] = "";
        int rc = plan_apply(st, doc, false, false, &plan, err, sizeof err);
        if (rc != TSR_EINVAL || strstr(err, k->error) == NULL)
            fail_msg("case %zu (%s.%s): rc %d, err \"%s\", expected \"%s\"", i, k->section, k->key,
                     rc, err, k->error);
        tsr_doc_plan_cleanup(&plan);
        assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM clients"), 0);
        assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM roles"), 0);
        assert_int_equal(fixture_count(st, "SELECT generation FROM tenants"), 1);
        json_decref(doc);
    }
    /* What it accepts, an apply accepts: a connection without a policy level. */
    json_t *doc = parse(doc_text);
    json_t *db = json_array_get(json_object_get(doc, "databases"), 0);
    json_object_set_new(db, "options", json_pack("{s:n}", "passwordPolicy"));
    struct tsr_doc_plan plan;
    char err[600] = "";
    assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), 0);
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM connections WHERE "
                                       "password_policy = 'none'"),
                     1);
    json_decref(doc);
    tsr_store_close(st);
}

static void test_shapes(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "- a\n",
        "clients: {name: x}\n",
        "clients: [x]\n",
        "clients:\n  - app_type: spa\n",
        "clients:\n  - name: A\n  - name: A\n",
        "clientGrants:\n  - client_id: A\n",
        "tenant: [1]\n",
    };
    tsr_store *st = open_tenant();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = parse(bad[i]);
        struct tsr_doc_plan plan;
        char err[600] = "";
        assert_int_equal(tsr_tenant_doc_plan(st, "t1", doc, false, &plan, err, sizeof err),
                         TSR_EINVAL);
        assert_true(err[0] != '\0');
        json_decref(doc);
    }
    tsr_store_close(st);
}

static void test_delete_only_when_allowed(void **state)
{
    (void)state;
    tsr_store *st = open_tenant();
    json_t *doc = parse(doc_text), *fewer = parse("roles: []\nclients:\n  - name: Shop\n");
    struct tsr_doc_plan plan;
    char err[600] = "";
    assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), 0);
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(plan_apply(st, fewer, false, false, &plan, err, sizeof err), 0);
    assert_int_equal(count_op(&plan, TSR_DOC_EXTRA), 2);
    assert_int_equal(tsr_doc_plan_changes(&plan), 0);
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM roles"), 1);
    assert_int_equal(plan_apply(st, fewer, true, false, &plan, err, sizeof err), 0);
    assert_int_equal(count_op(&plan, TSR_DOC_DELETE), 2);
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM roles"), 0);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM clients"), 1);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM client_grants"), 0);
    json_decref(doc);
    json_decref(fewer);
    tsr_store_close(st);
}

/* Adds the Management API and an application granted it, as tenants create does. */
static void add_management(tsr_store *st, char client_id[128])
{
    struct tsr_api api;
    struct tsr_client c;
    struct tsr_grant g;
    assert_int_equal(tsr_api_init_new(&api, "t1"), 0);
    free(api.identifier);
    api.identifier = strdup("https://t1/api/v2/");
    api.is_system = true;
    assert_int_equal(tsr_api_insert(st, &api), 0);
    tsr_api_cleanup(&api);
    assert_int_equal(tsr_client_init_new(&c, "t1"), 0);
    free(c.name);
    c.name = strdup("Bootstrap Management Client");
    assert_int_equal(tsr_client_insert(st, &c), 0);
    snprintf(client_id, 128, "%s", c.client_id);
    assert_int_equal(tsr_grant_init_new(&g, "t1"), 0);
    free(g.client_id);
    free(g.audience);
    g.client_id = strdup(c.client_id);
    g.audience = strdup("https://t1/api/v2/");
    assert_int_equal(tsr_grant_insert(st, &g), 0);
    tsr_grant_cleanup(&g);
    tsr_client_cleanup(&c);
    /* Enabled on the default connection, as the Management API would enable it. */
    struct tsr_connection conn = {0};
    assert_int_equal(
        tsr_connection_get_by_name(st, "t1", "Username-Password-Authentication", &conn), 0);
    assert_int_equal(tsr_strlist_push(&conn.enabled_clients, client_id), 0);
    assert_int_equal(tsr_connection_update(st, &conn), 0);
    tsr_connection_cleanup(&conn);
}

static void test_management_client_left_alone(void **state)
{
    (void)state;
    tsr_store *st = open_tenant();
    char mgmt_id[128], sql[300], err[600] = "";
    add_management(st, mgmt_id);
    json_t *doc = parse(doc_text);
    struct tsr_doc_plan plan;
    assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), 0);
    tsr_doc_plan_cleanup(&plan);
    json_decref(doc);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM connection_clients WHERE client_id = '%s'",
             mgmt_id);
    assert_int_equal(fixture_count(st, sql), 1); /* kept: the document cannot name it */

    /* Not exported: neither the application, nor its grant, nor on the connection. */
    json_t *out = NULL;
    assert_int_equal(tsr_tenant_doc_export(st, "t1", &out, err, sizeof err), 0);
    char *text = json_dumps(out, JSON_COMPACT);
    assert_null(strstr(text, "Bootstrap"));
    assert_null(strstr(text, "/api/v2/"));
    free(text);
    json_decref(out);

    /* Deleting every other application and grant leaves it and its grant. */
    doc = parse("clients: []\nclientGrants: []\ndatabases: []\n");
    assert_int_equal(plan_apply(st, doc, true, false, &plan, err, sizeof err), 0);
    tsr_doc_plan_cleanup(&plan);
    json_decref(doc);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM clients WHERE client_id = '%s'", mgmt_id);
    assert_int_equal(fixture_count(st, sql), 1);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM client_grants WHERE client_id = '%s'", mgmt_id);
    assert_int_equal(fixture_count(st, sql), 1);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM clients"), 1);

    /*
     * A document that names it (as the Deploy CLI's exports do) leaves it as
     * it is: a note and no change for the application and its grant; on a
     * connection the name is skipped, so a document never enables it.
     */
    static const char *const naming[] = {
        "clients:\n  - name: Bootstrap Management Client\n    app_type: spa\n",
        "clientGrants:\n  - client_id: Bootstrap Management Client\n"
        "    audience: https://orders.example.com\n    scope: []\n",
    };
    for (size_t i = 0; i < sizeof naming / sizeof naming[0]; i++) {
        doc = parse(naming[i]);
        assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), 0);
        assert_int_equal(plan.n, 0);
        bool noted = false;
        for (size_t j = 0; j < plan.ignored.n; j++)
            noted = noted || strstr(plan.ignored.v[j], "granted the Management API") != NULL;
        assert_true(noted);
        tsr_doc_plan_cleanup(&plan);
        json_decref(doc);
    }
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM clients WHERE client_id = '%s' AND app_type <> 'spa'",
             mgmt_id);
    assert_int_equal(fixture_count(st, sql), 1);
    doc = parse("databases:\n  - name: Username-Password-Authentication\n    strategy: auth0\n"
                "    enabled_clients: [Bootstrap Management Client]\n");
    assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), 0);
    tsr_doc_plan_cleanup(&plan);
    json_decref(doc);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM connection_clients WHERE client_id = '%s'",
             mgmt_id);
    assert_int_equal(fixture_count(st, sql), 0);
    tsr_store_close(st);
}

static void test_delete_api_with_grants(void **state)
{
    (void)state;
    tsr_store *st = open_tenant();
    json_t *doc = parse(doc_text),
           *fewer = parse("tenant: {default_audience: ''}\nresourceServers: []\n"
                          "clientGrants: []\nroles: []\n");
    struct tsr_doc_plan plan;
    char err[600] = "";
    assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), 0);
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(plan_apply(st, fewer, true, false, &plan, err, sizeof err), 0);
    /* Roles and grants go before the API they refer to. */
    assert_int_equal(count_op(&plan, TSR_DOC_DELETE), 3);
    assert_string_equal(plan.v[0].section, "roles");
    assert_string_equal(plan.v[1].section, "clientGrants");
    assert_string_equal(plan.v[2].section, "resourceServers");
    tsr_doc_plan_cleanup(&plan);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM client_grants"), 0);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM roles"), 0);
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM clients"), 2);
    /* A document that keeps a grant to an API it deletes is refused. */
    assert_int_equal(plan_apply(st, doc, false, false, &plan, err, sizeof err), 0);
    tsr_doc_plan_cleanup(&plan);
    json_t *keep = parse("resourceServers: []\nclientGrants:\n  - client_id: Worker\n"
                         "    audience: https://orders.example.com\n    scope: [read:orders]\n");
    err[0] = '\0';
    assert_int_equal(plan_apply(st, keep, true, false, &plan, err, sizeof err), TSR_EINVAL);
    tsr_doc_plan_cleanup(&plan);
    assert_non_null(strstr(err, "refers to resourceServers[https://orders.example.com], which "
                                "the document deletes"));
    assert_int_equal(fixture_count(st, "SELECT COUNT(*) FROM client_grants"), 1);
    json_decref(keep);
    json_decref(doc);
    json_decref(fewer);
    tsr_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_then_nothing),
        cmocka_unit_test(test_refusal_rolls_back),
        cmocka_unit_test(test_refuses_what_the_api_refuses),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_delete_only_when_allowed),
        cmocka_unit_test(test_management_client_left_alone),
        cmocka_unit_test(test_delete_api_with_grants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
