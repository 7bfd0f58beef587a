/*
 * test_client_authn.c - client authentication at the token, revocation
 * and introspection endpoints (core/client_authn.h), as a table over three
 * registered clients (client_secret_post, client_secret_basic, none): each
 * method right and wrong, wrong and missing secrets, unknown and missing
 * client_id, both channels at once, decided over the tenant's catalog as
 * requests do; and a storage failure while loading that catalog.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/client_authn.h"
#include "util/err.h"
#include "util/secure.h"

#include "fixture_people.h"

enum who { POST, BASIC, PUBLIC, NCLIENTS };

static const char *const methods[NCLIENTS] = {"client_secret_post", "client_secret_basic", "none"};

struct registered {
    struct people *p;
    char *id[NCLIENTS];
    char *secret[NCLIENTS]; /* NULL for the public client */
};

static int setup(void **state)
{
    people_setup(state);
    struct registered *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->p = *state;
    for (int i = 0; i < NCLIENTS; i++) {
        struct tsr_client c;
        assert_int_equal(tsr_client_init_new(&c, r->p->tenant_id), 0);
        free(c.token_endpoint_auth_method);
        c.token_endpoint_auth_method = strdup(methods[i]);
        if (i != PUBLIC)
            assert_int_equal(tsr_client_new_secret(&c, &r->secret[i]), 0);
        assert_int_equal(tsr_client_insert(r->p->st, &c), 0);
        r->id[i] = strdup(c.client_id);
        tsr_client_cleanup(&c);
    }
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct registered *r = *state;
    tsr_store_fail_after(0);
    for (int i = 0; i < NCLIENTS; i++) {
        free(r->id[i]);
        tsr_wipe_free_str(r->secret[i]);
    }
    *state = r->p;
    free(r);
    return people_teardown(state);
}

/* What a case presents: a client's id or secret, a fixed string, or nothing. */
enum val { NONE, ID, SECRET, WRONG, OTHER_ID, OTHER_SECRET, EMPTY, UNKNOWN_ID };

static const char *value(const struct registered *r, enum who w, enum val v)
{
    switch (v) {
    case ID:
        return r->id[w];
    case SECRET:
        return r->secret[w] ? r->secret[w] : "not-a-secret-of-a-public-client";
    case WRONG:
        return "wrong-secret";
    case OTHER_ID:
        return r->id[(w + 1) % NCLIENTS];
    case OTHER_SECRET: /* of the next confidential client */
        return r->secret[w == POST ? BASIC : POST];
    case EMPTY:
        return "";
    case UNKNOWN_ID:
        return "no-such-client";
    case NONE:
        break;
    }
    return NULL;
}

static const struct {
    const char *name;
    enum who client;
    enum val basic_id, basic_secret, body_id, body_secret;
    enum tsr_client_authn_verdict want;
} cases[] = {
    {"post in the body", POST, NONE, NONE, ID, SECRET, TSR_CLIENT_AUTHN_OK},
    {"post client using basic", POST, ID, SECRET, NONE, NONE, TSR_CLIENT_AUTHN_WRONG_METHOD},
    {"post client, wrong secret", POST, NONE, NONE, ID, WRONG, TSR_CLIENT_AUTHN_FAILED},
    {"post client, missing secret", POST, NONE, NONE, ID, NONE, TSR_CLIENT_AUTHN_FAILED},
    {"post client, empty secret", POST, NONE, NONE, ID, EMPTY, TSR_CLIENT_AUTHN_FAILED},
    /* The secret is checked before the method: a wrong one tells nothing about the method. */
    {"post client, basic with a wrong secret", POST, ID, WRONG, NONE, NONE,
     TSR_CLIENT_AUTHN_FAILED},
    {"basic in the header", BASIC, ID, SECRET, NONE, NONE, TSR_CLIENT_AUTHN_OK},
    {"basic with the same client_id in the body", BASIC, ID, SECRET, ID, NONE, TSR_CLIENT_AUTHN_OK},
    {"basic client using post", BASIC, NONE, NONE, ID, SECRET, TSR_CLIENT_AUTHN_WRONG_METHOD},
    {"basic client, wrong secret", BASIC, ID, WRONG, NONE, NONE, TSR_CLIENT_AUTHN_FAILED},
    {"basic client, no secret at all", BASIC, NONE, NONE, ID, NONE, TSR_CLIENT_AUTHN_FAILED},
    {"public client by id", PUBLIC, NONE, NONE, ID, NONE, TSR_CLIENT_AUTHN_OK},
    {"public client sending a secret", PUBLIC, NONE, NONE, ID, SECRET,
     TSR_CLIENT_AUTHN_WRONG_METHOD},
    {"public client using basic", PUBLIC, ID, WRONG, NONE, NONE, TSR_CLIENT_AUTHN_WRONG_METHOD},
    {"another client's secret", POST, NONE, NONE, ID, OTHER_SECRET, TSR_CLIENT_AUTHN_FAILED},
    {"another client's secret over basic", BASIC, ID, OTHER_SECRET, NONE, NONE,
     TSR_CLIENT_AUTHN_FAILED},
    {"unknown client", POST, NONE, NONE, UNKNOWN_ID, SECRET, TSR_CLIENT_AUTHN_FAILED},
    {"unknown client by id only", POST, NONE, NONE, UNKNOWN_ID, NONE, TSR_CLIENT_AUTHN_FAILED},
    {"unknown client over basic", BASIC, UNKNOWN_ID, SECRET, NONE, NONE, TSR_CLIENT_AUTHN_FAILED},
    {"no client_id", POST, NONE, NONE, NONE, SECRET, TSR_CLIENT_AUTHN_NO_CLIENT_ID},
    {"empty client_id", POST, NONE, NONE, EMPTY, SECRET, TSR_CLIENT_AUTHN_NO_CLIENT_ID},
    {"nothing at all", POST, NONE, NONE, NONE, NONE, TSR_CLIENT_AUTHN_NO_CLIENT_ID},
    {"basic and a body secret", BASIC, ID, SECRET, NONE, SECRET, TSR_CLIENT_AUTHN_TWO_METHODS},
    {"basic and another body client_id", BASIC, ID, SECRET, OTHER_ID, NONE,
     TSR_CLIENT_AUTHN_TWO_METHODS},
};

static void test_table(void **state)
{
    struct registered *r = *state;
    struct tsr_catalog *cat = NULL;
    assert_int_equal(tsr_catalog_load(r->p->st, r->p->tenant_id, &cat), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum who w = cases[i].client;
        struct tsr_client_creds creds = {.basic_id = value(r, w, cases[i].basic_id),
                                         .basic_secret = value(r, w, cases[i].basic_secret),
                                         .body_id = value(r, w, cases[i].body_id),
                                         .body_secret = value(r, w, cases[i].body_secret)};
        static const struct tsr_client sentinel;
        const struct tsr_client *c = &sentinel; /* always overwritten */
        enum tsr_client_authn_verdict v = tsr_client_authn_catalog(cat, &creds, &c);
        if (v != cases[i].want)
            fail_msg("%s: got verdict %d, want %d", cases[i].name, (int)v, (int)cases[i].want);
        /* The client is given when the caller is it, or holds its secret (the method's answer). */
        if (v == TSR_CLIENT_AUTHN_OK || v == TSR_CLIENT_AUTHN_WRONG_METHOD) {
            assert_non_null(c);
            assert_string_equal(c->client_id, r->id[w]);
            assert_string_equal(c->token_endpoint_auth_method, methods[w]);
        } else {
            assert_null(c);
        }
    }
    tsr_catalog_free(cat);
}

static void test_claimed_id(void **state)
{
    (void)state;
    struct tsr_client_creds both = {.basic_id = "a", .body_id = "b"}, body = {.body_id = "b"},
                            none = {0};
    assert_string_equal(tsr_client_creds_id(&both), "a");
    assert_string_equal(tsr_client_creds_id(&body), "b");
    assert_null(tsr_client_creds_id(&none));
}

/* The clients cannot be read: an error and no catalog, never a verdict; then they can. */
static void test_storage_failure(void **state)
{
    struct registered *r = *state;
    struct tsr_client_creds creds = {.body_id = r->id[POST], .body_secret = r->secret[POST]};
    struct tsr_catalog *cat = NULL;
    tsr_store_fail_after(1);
    assert_int_equal(tsr_catalog_load(r->p->st, r->p->tenant_id, &cat), TSR_ESTORE);
    tsr_store_fail_after(0);
    assert_null(cat);
    assert_int_equal(tsr_catalog_load(r->p->st, r->p->tenant_id, &cat), 0);
    const struct tsr_client *c = NULL;
    assert_int_equal(tsr_client_authn_catalog(cat, &creds, &c), TSR_CLIENT_AUTHN_OK);
    assert_non_null(c);
    assert_string_equal(c->client_id, r->id[POST]);
    tsr_catalog_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_table, setup, teardown),
        cmocka_unit_test(test_claimed_id),
        cmocka_unit_test_setup_teardown(test_storage_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
