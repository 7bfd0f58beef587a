/*
 * test_token_policy_refresh.c - refresh tokens at the token endpoint
 * (core/token_policy.h): the verdict table of a presentation (revoked,
 * another client's, absolute and idle expiry, reuse inside and past the
 * leeway), then on a migrated in-memory store: rotation, retries within
 * the leeway, reuse revoking the family and nothing else, the idle
 * window restarting on use, concurrent rotation, and storage failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/token_policy.h"
#include "util/clock.h"
#include "util/err.h"

#include "fixture_tokens.h"

#define T0 TOKENS_T0

/* ---- the verdict table (pure) ---- */

struct rt_case {
    const char *name;
    const char *rotation;   /* rotating, non-rotating */
    const char *expiration; /* expiring, non-expiring */
    int64_t leeway, idle;
    bool infinite_idle;
    const char *token_client;
    int64_t last_used_at, expires_at, rotated_at, revoked_at;
    int64_t now;
    enum tsr_rt_verdict want;
};

static const struct rt_case rt_cases[] = {
    {"fresh", "rotating", "expiring", 0, 100, false, "app", T0, 0, 0, 0, T0 + 1, TSR_RT_OK},
    {"revoked", "rotating", "non-expiring", 0, 0, true, "app", T0, 0, 0, T0, T0 + 1,
     TSR_RT_REVOKED},
    {"other client's token", "rotating", "non-expiring", 0, 0, true, "other", T0, 0, 0, 0, T0 + 1,
     TSR_RT_WRONG_CLIENT},
    {"revoked beats other client", "rotating", "non-expiring", 0, 0, true, "other", T0, 0, 0, T0,
     T0 + 1, TSR_RT_REVOKED},
    {"absolute expiry reached", "rotating", "expiring", 0, 0, true, "app", T0, T0 + 50, 0, 0,
     T0 + 50, TSR_RT_EXPIRED},
    {"absolute expiry not yet", "rotating", "expiring", 0, 0, true, "app", T0, T0 + 50, 0, 0,
     T0 + 49, TSR_RT_OK},
    {"absolute expiry of a non-expiring client's token", "rotating", "non-expiring", 0, 0, true,
     "app", T0, T0 + 50, 0, 0, T0 + 50, TSR_RT_EXPIRED},
    {"idle lifetime reached", "non-rotating", "expiring", 0, 100, false, "app", T0, 0, 0, 0,
     T0 + 100, TSR_RT_EXPIRED},
    {"idle lifetime not yet", "non-rotating", "expiring", 0, 100, false, "app", T0, 0, 0, 0,
     T0 + 99, TSR_RT_OK},
    {"infinite idle lifetime", "non-rotating", "expiring", 0, 100, true, "app", T0, 0, 0, 0,
     T0 + 1000, TSR_RT_OK},
    {"idle ignored when non-expiring", "non-rotating", "non-expiring", 0, 100, false, "app", T0, 0,
     0, 0, T0 + 1000, TSR_RT_OK},
    {"retry inside the leeway", "rotating", "non-expiring", 30, 0, true, "app", T0, 0, T0, 0,
     T0 + 29, TSR_RT_OK},
    {"reuse at the leeway", "rotating", "non-expiring", 30, 0, true, "app", T0, 0, T0, 0, T0 + 30,
     TSR_RT_REUSED},
    {"reuse just past the leeway", "rotating", "non-expiring", 30, 0, true, "app", T0, 0, T0, 0,
     T0 + 31, TSR_RT_REUSED},
    {"reuse without leeway", "rotating", "non-expiring", 0, 0, true, "app", T0, 0, T0, 0, T0,
     TSR_RT_REUSED},
    {"expired beats reuse", "rotating", "expiring", 0, 0, true, "app", T0, T0 + 5, T0, 0, T0 + 10,
     TSR_RT_EXPIRED},
    {"other client's rotated token", "rotating", "non-expiring", 0, 0, true, "other", T0, 0, T0, 0,
     T0 + 10, TSR_RT_WRONG_CLIENT},
};

static void test_rt_check_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rt_cases / sizeof rt_cases[0]; i++) {
        const struct rt_case *k = &rt_cases[i];
        struct tsr_client c = {.client_id = "app",
                               .token_endpoint_auth_method = "client_secret_post"};
        c.refresh_token = (struct tsr_client_rt){.rotation_type = (char *)k->rotation,
                                                 .expiration_type = (char *)k->expiration,
                                                 .leeway = k->leeway,
                                                 .idle_token_lifetime = k->idle,
                                                 .infinite_idle_token_lifetime = k->infinite_idle};
        struct tsr_refresh_token t = {.client_id = (char *)k->token_client,
                                      .last_used_at = k->last_used_at,
                                      .expires_at = k->expires_at,
                                      .rotated_at = k->rotated_at,
                                      .revoked_at = k->revoked_at};
        enum tsr_rt_verdict got = tsr_rt_check(&c, &t, k->now);
        if (got != k->want)
            fail_msg("%s: got verdict %d, want %d", k->name, (int)got, (int)k->want);
    }
}

static void test_rotating_and_expiry_settings(void **state)
{
    (void)state;
    struct tsr_client c = {.token_endpoint_auth_method = "client_secret_post"};
    c.refresh_token = (struct tsr_client_rt){.rotation_type = "non-rotating",
                                             .expiration_type = "expiring",
                                             .token_lifetime = 1000,
                                             .infinite_token_lifetime = false};
    assert_false(tsr_rt_rotating(&c));
    assert_int_equal(tsr_rt_family_expiry(&c, T0), T0 + 1000);
    c.refresh_token.infinite_token_lifetime = true;
    assert_int_equal(tsr_rt_family_expiry(&c, T0), 0);
    c.refresh_token.infinite_token_lifetime = false;
    c.refresh_token.expiration_type = "non-expiring";
    assert_int_equal(tsr_rt_family_expiry(&c, T0), 0);
    c.refresh_token.rotation_type = "rotating";
    assert_true(tsr_rt_rotating(&c));
    /* A public client's tokens rotate whatever its settings say. */
    c.refresh_token.rotation_type = "non-rotating";
    c.token_endpoint_auth_method = "none";
    assert_true(tsr_rt_rotating(&c));
}

/* ---- on the store ---- */

static struct tsr_client client_with(const char *rotation, const char *expiration, int64_t leeway,
                                     int64_t idle)
{
    struct tsr_client c = {.client_id = "app", .token_endpoint_auth_method = "client_secret_post"};
    c.refresh_token = (struct tsr_client_rt){.rotation_type = (char *)rotation,
                                             .expiration_type = (char *)expiration,
                                             .leeway = leeway,
                                             .idle_token_lifetime = idle,
                                             .infinite_token_lifetime = true,
                                             .infinite_idle_token_lifetime = idle == 0};
    return c;
}

/* Issues a token of family for client; returns its value (caller frees). */
static char *issue(struct people *p, const char *family, const char *client)
{
    struct tsr_refresh_token t = {.family_id = (char *)family,
                                  .client_id = (char *)client,
                                  .user_id = tokens_user,
                                  .sid = "",
                                  .scope = "openid offline_access",
                                  .audience = "",
                                  .auth_time = T0};
    char *secret = NULL;
    assert_int_equal(tsr_refresh_token_create(p->st, p->tenant_id, &t, &secret), 0);
    return secret;
}

static enum tsr_rt_verdict present(struct people *p, const struct tsr_client *c, const char *value,
                                   struct tsr_refresh_token *t)
{
    enum tsr_rt_verdict v = TSR_RT_OK;
    tsr_refresh_token_cleanup(t);
    assert_int_equal(tsr_rt_present(p->st, p->tenant_id, c, value, tsr_clock_now(), t, &v), 0);
    return v;
}

static bool revoked(struct people *p, const char *value)
{
    struct tsr_refresh_token t;
    assert_int_equal(tsr_refresh_token_find(p->st, p->tenant_id, value, &t), 0);
    bool r = t.revoked_at != 0;
    tsr_refresh_token_cleanup(&t);
    return r;
}

static void test_rotation_leeway_and_reuse(void **state)
{
    struct people *p = *state;
    struct tsr_client c = client_with("rotating", "non-expiring", 30, 0);
    struct tsr_refresh_token t = {0};
    char *first = issue(p, "fam", "app"), *sibling = issue(p, "fam", "app");
    char *stranger = issue(p, "other-fam", "app");

    assert_int_equal(present(p, &c, first, &t), TSR_RT_OK);
    assert_int_equal(tsr_rt_commit(p->st, p->tenant_id, &c, &t), 0);
    /* Rotated now; the same struct again is a concurrent request that lost. */
    assert_int_equal(tsr_rt_commit(p->st, p->tenant_id, &c, &t), TSR_ENOTFOUND);

    tokens_at(29); /* a retry inside the leeway: good, and the rotation is not written again */
    assert_int_equal(present(p, &c, first, &t), TSR_RT_OK);
    assert_int_equal(t.rotated_at, T0);
    assert_int_equal(tsr_rt_commit(p->st, p->tenant_id, &c, &t), 0);
    assert_int_equal(present(p, &c, first, &t), TSR_RT_OK);
    assert_int_equal(t.rotated_at, T0);
    assert_false(revoked(p, sibling));

    tokens_at(30); /* the leeway is over: reuse, and the whole family goes */
    assert_int_equal(present(p, &c, first, &t), TSR_RT_REUSED);
    assert_true(revoked(p, first));
    assert_true(revoked(p, sibling));
    assert_false(revoked(p, stranger));
    assert_int_equal(present(p, &c, sibling, &t), TSR_RT_REVOKED);
    assert_int_equal(present(p, &c, stranger, &t), TSR_RT_OK);

    tsr_refresh_token_cleanup(&t);
    free(first);
    free(sibling);
    free(stranger);
}

static void test_non_rotating_idle_window(void **state)
{
    struct people *p = *state;
    struct tsr_client c = client_with("non-rotating", "expiring", 0, 100);
    struct tsr_refresh_token t = {0};
    char *value = issue(p, "fam", "app");

    tokens_at(90);
    assert_int_equal(present(p, &c, value, &t), TSR_RT_OK);
    assert_int_equal(tsr_rt_commit(p->st, p->tenant_id, &c, &t), 0); /* used at T0+90 */
    tokens_at(150); /* past T0+100, but the window restarted at the use */
    assert_int_equal(present(p, &c, value, &t), TSR_RT_OK);
    assert_int_equal(t.rotated_at, 0);
    tokens_at(190);
    assert_int_equal(present(p, &c, value, &t), TSR_RT_EXPIRED);
    assert_false(revoked(p, value)); /* expiry refuses, it does not revoke */

    tsr_refresh_token_cleanup(&t);
    free(value);
}

static void test_unknown_other_client_and_absolute_expiry(void **state)
{
    struct people *p = *state;
    struct tsr_client c = client_with("rotating", "non-expiring", 0, 0);
    struct tsr_refresh_token t = {0};
    char *theirs = issue(p, "fam", "other");

    assert_int_equal(present(p, &c, "no-such-token", &t), TSR_RT_UNKNOWN);
    assert_null(t.hash);
    assert_int_equal(present(p, &c, theirs, &t), TSR_RT_WRONG_CLIENT);
    assert_string_equal(t.client_id, "other"); /* found: the handler logs whose it was */
    assert_false(revoked(p, theirs));

    struct tsr_refresh_token e = {.family_id = "f2",
                                  .client_id = "app",
                                  .user_id = tokens_user,
                                  .sid = "",
                                  .scope = "openid",
                                  .audience = "",
                                  .auth_time = T0,
                                  .expires_at = T0 + 10};
    char *expiring = NULL;
    assert_int_equal(tsr_refresh_token_create(p->st, p->tenant_id, &e, &expiring), 0);
    tokens_at(9);
    assert_int_equal(present(p, &c, expiring, &t), TSR_RT_OK);
    tokens_at(10);
    assert_int_equal(present(p, &c, expiring, &t), TSR_RT_EXPIRED);

    tsr_refresh_token_cleanup(&t);
    free(theirs);
    free(expiring);
}

static int64_t family_size(struct people *p, const char *family)
{
    tsr_stmt *q = NULL;
    assert_int_equal(tsr_store_query(p->st, &q,
                                     "SELECT COUNT(*) FROM refresh_tokens "
                                     "WHERE tenant_id = ? AND family_id = ?",
                                     "ss", p->tenant_id, family),
                     0);
    assert_int_equal(tsr_stmt_step(q), TSR_STORE_ROW);
    int64_t n = tsr_stmt_int64(q, 0);
    tsr_stmt_finalize(q);
    return n;
}

/*
 * Spending a rotating client's token stores its successor in the same
 * commit: a fault at any step leaves the token unspent and no successor;
 * a non-rotating client's token gets none.
 */
static void test_spend_stores_the_successor_atomically(void **state)
{
    struct people *p = *state;
    struct tsr_client rot = client_with("rotating", "non-expiring", 0, 0);
    struct tsr_client touch = client_with("non-rotating", "non-expiring", 0, 0);
    struct tsr_refresh_token t = {0}, s = {0};
    char *value = issue(p, "fam", "app"), *next = NULL;
    int failures = 0, rc = TSR_ESTORE;

    assert_int_equal(present(p, &rot, value, &t), TSR_RT_OK);
    for (int n = 1; n < 50 && rc != 0; n++) {
        tsr_store_fail_after(n);
        rc = tsr_rt_spend(p->st, p->tenant_id, &rot, &t, "openid", &next);
        tsr_store_fail_after(0);
        if (rc == 0)
            break;
        assert_int_equal(rc, TSR_ESTORE);
        assert_null(next);
        failures++;
        assert_int_equal(present(p, &rot, value, &t), TSR_RT_OK);
        assert_int_equal(t.rotated_at, 0);
        assert_int_equal(family_size(p, "fam"), 1);
    }
    assert_int_equal(rc, 0);
    assert_true(failures > 1);
    assert_non_null(next);
    assert_int_equal(family_size(p, "fam"), 2);
    assert_int_equal(tsr_refresh_token_find(p->st, p->tenant_id, next, &s), 0);
    assert_string_equal(s.family_id, "fam");
    assert_string_equal(s.client_id, "app");
    assert_string_equal(s.user_id, tokens_user);
    assert_string_equal(s.scope, "openid");
    assert_int_equal(s.auth_time, T0);
    assert_int_equal(s.rotated_at, 0);
    /* The same token spent again by a request that lost the race: nothing more is stored. */
    struct tsr_refresh_token stale = {0};
    assert_int_equal(tsr_refresh_token_find(p->st, p->tenant_id, value, &stale), 0);
    assert_int_equal(stale.rotated_at, T0);
    stale.rotated_at = 0;
    char *lost = NULL;
    assert_int_equal(tsr_rt_spend(p->st, p->tenant_id, &rot, &stale, "openid", &lost),
                     TSR_ENOTFOUND);
    assert_null(lost);
    assert_int_equal(family_size(p, "fam"), 2);

    char *kept = issue(p, "fam2", "app"), *none = NULL;
    assert_int_equal(present(p, &touch, kept, &t), TSR_RT_OK);
    assert_int_equal(tsr_rt_spend(p->st, p->tenant_id, &touch, &t, "openid", &none), 0);
    assert_null(none);
    assert_int_equal(family_size(p, "fam2"), 1);

    tsr_refresh_token_cleanup(&stale);
    tsr_refresh_token_cleanup(&s);
    tsr_refresh_token_cleanup(&t);
    free(next);
    free(value);
    free(kept);
}

static void test_storage_failures(void **state)
{
    struct people *p = *state;
    struct tsr_client rot = client_with("rotating", "non-expiring", 0, 0);
    struct tsr_client touch = client_with("non-rotating", "non-expiring", 0, 0);
    struct tsr_refresh_token t = {0};
    enum tsr_rt_verdict v;
    char *value = issue(p, "fam", "app");

    tsr_store_fail_after(1);
    assert_int_equal(tsr_rt_present(p->st, p->tenant_id, &rot, value, T0, &t, &v), TSR_ESTORE);
    tsr_store_fail_after(0);
    assert_int_equal(present(p, &rot, value, &t), TSR_RT_OK);
    tsr_store_fail_after(1);
    assert_int_equal(tsr_rt_commit(p->st, p->tenant_id, &touch, &t), TSR_ESTORE);
    tsr_store_fail_after(1);
    assert_int_equal(tsr_rt_commit(p->st, p->tenant_id, &rot, &t), TSR_ESTORE);
    tsr_store_fail_after(0);
    /* Nothing was spent by the failures. */
    assert_int_equal(present(p, &rot, value, &t), TSR_RT_OK);
    assert_int_equal(t.rotated_at, 0);

    /* Reuse is refused even when the family's revocation cannot be written. */
    assert_int_equal(tsr_rt_commit(p->st, p->tenant_id, &rot, &t), 0);
    tokens_at(5);
    bool refused_unrevoked = false;
    for (int n = 1; n < 100; n++) {
        tsr_refresh_token_cleanup(&t);
        tsr_store_fail_after(n);
        int rc = tsr_rt_present(p->st, p->tenant_id, &rot, value, tsr_clock_now(), &t, &v);
        tsr_store_fail_after(0);
        if (rc == TSR_ESTORE)
            continue;
        assert_int_equal(rc, 0);
        assert_int_equal(v, TSR_RT_REUSED);
        if (revoked(p, value))
            break; /* the fault fell after the revocation: done */
        refused_unrevoked = true;
    }
    assert_true(refused_unrevoked);
    assert_true(revoked(p, value));
    tsr_refresh_token_cleanup(&t);
    free(value);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rt_check_table),
        cmocka_unit_test(test_rotating_and_expiry_settings),
        cmocka_unit_test_setup_teardown(test_rotation_leeway_and_reuse, tokens_setup,
                                        tokens_teardown),
        cmocka_unit_test_setup_teardown(test_non_rotating_idle_window, tokens_setup,
                                        tokens_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_other_client_and_absolute_expiry, tokens_setup,
                                        tokens_teardown),
        cmocka_unit_test_setup_teardown(test_spend_stores_the_successor_atomically, tokens_setup,
                                        tokens_teardown),
        cmocka_unit_test_setup_teardown(test_storage_failures, tokens_setup, tokens_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
