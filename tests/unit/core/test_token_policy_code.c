/*
 * test_token_policy_code.c - redeeming authorization codes
 * (tsr_code_redeem) on a migrated in-memory store: each refusal (unknown,
 * another client, redirect_uri, PKCE S256 and what is not S256, expiry)
 * leaves the code unspent and revokes nothing; success spends it; a second
 * use by the rightful client revokes what the code issued, a replay by
 * anyone else revokes nothing; storage failures spend nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/opaque_token.h"
#include "core/token_policy.h"
#include "util/err.h"

#include "fixture_tokens.h"

/* RFC 7636 appendix B. */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define CB "https://app.example.com/cb"

/* Issues a code to "app" for CB with challenge ("" for none); returns it (caller frees). */
static char *new_code(struct people *p, const char *challenge)
{
    struct tsr_auth_code c = {.client_id = "app",
                              .user_id = tokens_user,
                              .sid = "sid1",
                              .redirect_uri = CB,
                              .scope = "openid offline_access",
                              .audience = "",
                              .nonce = "",
                              .code_challenge = (char *)challenge,
                              .code_challenge_method = challenge[0] ? "S256" : "",
                              .auth_time = TOKENS_T0};
    char *code = NULL;
    assert_int_equal(tsr_auth_code_create(p->st, p->tenant_id, &c, &code), 0);
    return code;
}

struct presentation {
    const char *client_id, *redirect_uri, *verifier;
};

static const struct presentation RIGHT = {"app", CB, VERIFIER};

static enum tsr_code_verdict redeem(struct people *p, const char *code,
                                    const struct presentation *k)
{
    struct tsr_auth_code c = {0};
    enum tsr_code_verdict v = TSR_CODE_OK;
    assert_int_equal(tsr_code_redeem(p->st, p->tenant_id, code, k->client_id, k->redirect_uri,
                                     k->verifier, tsr_clock_now(), &c, &v),
                     0);
    if (v != TSR_CODE_UNKNOWN) {
        assert_non_null(c.hash);
        assert_string_equal(c.user_id, tokens_user);
    }
    tsr_auth_code_cleanup(&c);
    return v;
}

/* Refresh and opaque access tokens issued from code (the family is the code's hash). */
struct issued {
    char *refresh, *access;
};

static struct issued issue_from(struct people *p, const char *code)
{
    struct tsr_auth_code c = {0};
    struct issued out = {0};
    assert_int_equal(tsr_auth_code_find(p->st, p->tenant_id, code, &c), 0);
    struct tsr_refresh_token t = {.family_id = c.hash,
                                  .client_id = "app",
                                  .user_id = tokens_user,
                                  .sid = "",
                                  .scope = "openid",
                                  .audience = "",
                                  .auth_time = TOKENS_T0};
    assert_int_equal(tsr_refresh_token_create(p->st, p->tenant_id, &t, &out.refresh), 0);
    assert_int_equal(tsr_opaque_token_create(p->st, p->tenant_id, c.hash, "app", tokens_user,
                                             "openid", &out.access),
                     0);
    tsr_auth_code_cleanup(&c);
    return out;
}

static bool refresh_revoked(struct people *p, const char *value)
{
    struct tsr_refresh_token t;
    assert_int_equal(tsr_refresh_token_find(p->st, p->tenant_id, value, &t), 0);
    bool r = t.revoked_at != 0;
    tsr_refresh_token_cleanup(&t);
    return r;
}

static bool access_revoked(struct people *p, const char *value)
{
    struct tsr_opaque_token t;
    int rc = tsr_opaque_token_find(p->st, p->tenant_id, value, &t);
    if (rc == 0)
        tsr_opaque_token_cleanup(&t);
    return rc != 0;
}

static void issued_free(struct issued *i)
{
    free(i->refresh);
    free(i->access);
}

/* Each refusal of an unused code: the verdict, and nothing spent or revoked. */
static const struct {
    const char *name;
    struct presentation k;
    const char *challenge;
    int64_t at; /* seconds after issue */
    enum tsr_code_verdict want;
} refusals[] = {
    {"another client", {"evil", CB, VERIFIER}, CHALLENGE, 0, TSR_CODE_WRONG_CLIENT},
    {"no client", {NULL, CB, VERIFIER}, CHALLENGE, 0, TSR_CODE_WRONG_CLIENT},
    {"no redirect_uri", {"app", NULL, VERIFIER}, CHALLENGE, 0, TSR_CODE_WRONG_REDIRECT},
    {"other redirect_uri", {"app", CB "/x", VERIFIER}, CHALLENGE, 0, TSR_CODE_WRONG_REDIRECT},
    {"redirect_uri case",
     {"app", "https://APP.example.com/cb", VERIFIER},
     CHALLENGE,
     0,
     TSR_CODE_WRONG_REDIRECT},
    {"no verifier", {"app", CB, NULL}, CHALLENGE, 0, TSR_CODE_WRONG_VERIFIER},
    {"wrong verifier",
     {"app", CB, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx"},
     CHALLENGE,
     0,
     TSR_CODE_WRONG_VERIFIER},
    {"short verifier", {"app", CB, "abc"}, CHALLENGE, 0, TSR_CODE_WRONG_VERIFIER},
    {"verifier with a bad character",
     {"app", CB, VERIFIER "+"},
     CHALLENGE,
     0,
     TSR_CODE_WRONG_VERIFIER},
    /* plain is not S256: the challenge itself as verifier fails. */
    {"plain verifier", {"app", CB, CHALLENGE}, CHALLENGE, 0, TSR_CODE_WRONG_VERIFIER},
    {"verifier without a challenge (downgrade)",
     {"app", CB, VERIFIER},
     "",
     0,
     TSR_CODE_WRONG_VERIFIER},
    {"expired", {"app", CB, VERIFIER}, CHALLENGE, TSR_AUTH_CODE_TTL, TSR_CODE_EXPIRED},
};

static void test_refusals(void **state)
{
    struct people *p = *state;
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        tokens_at(0);
        char *code = new_code(p, refusals[i].challenge);
        struct issued before = issue_from(p, code);
        tokens_at(refusals[i].at);
        enum tsr_code_verdict v = redeem(p, code, &refusals[i].k);
        if (v != refusals[i].want)
            fail_msg("%s: got verdict %d, want %d", refusals[i].name, (int)v,
                     (int)refusals[i].want);
        assert_false(refresh_revoked(p, before.refresh));
        assert_false(access_revoked(p, before.access));
        /* Not spent: the rightful presentation, in time, still redeems it. */
        tokens_at(0);
        struct presentation right = RIGHT;
        if (refusals[i].challenge[0] == '\0')
            right.verifier = NULL;
        assert_int_equal(redeem(p, code, &right), TSR_CODE_OK);
        issued_free(&before);
        free(code);
    }
}

static void test_unknown(void **state)
{
    struct people *p = *state;
    assert_int_equal(redeem(p, "no-such-code", &RIGHT), TSR_CODE_UNKNOWN);
    assert_int_equal(redeem(p, "", &RIGHT), TSR_CODE_UNKNOWN);
}

static void test_success_then_replay(void **state)
{
    struct people *p = *state;
    char *code = new_code(p, CHALLENGE), *other = new_code(p, CHALLENGE);
    tokens_at(TSR_AUTH_CODE_TTL - 1);
    assert_int_equal(redeem(p, code, &RIGHT), TSR_CODE_OK);
    struct issued mine = issue_from(p, code), theirs = issue_from(p, other);

    /* A replay by someone without every binding: refused, nothing revoked. */
    struct presentation evil = {"evil", CB, VERIFIER}, no_pkce = {"app", CB, NULL};
    assert_int_equal(redeem(p, code, &evil), TSR_CODE_WRONG_CLIENT);
    assert_int_equal(redeem(p, code, &no_pkce), TSR_CODE_WRONG_VERIFIER);
    assert_false(refresh_revoked(p, mine.refresh));

    /* The rightful client's second use, even after expiry: what the code issued goes. */
    tokens_at(TSR_AUTH_CODE_TTL + 100);
    assert_int_equal(redeem(p, code, &RIGHT), TSR_CODE_REPLAYED);
    assert_true(refresh_revoked(p, mine.refresh));
    assert_true(access_revoked(p, mine.access));
    assert_false(refresh_revoked(p, theirs.refresh));
    assert_false(access_revoked(p, theirs.access));

    issued_free(&mine);
    issued_free(&theirs);
    free(code);
    free(other);
}

static void test_storage_failures(void **state)
{
    struct people *p = *state;
    char *code = new_code(p, CHALLENGE);
    struct tsr_auth_code c = {0};
    enum tsr_code_verdict v;
    /* Every failing call before the code is spent: an error, and the code stays good. */
    int n = 1;
    for (; n < 100; n++) {
        tsr_store_fail_after(n);
        int rc = tsr_code_redeem(p->st, p->tenant_id, code, "app", CB, VERIFIER, tsr_clock_now(),
                                 &c, &v);
        tsr_store_fail_after(0);
        tsr_auth_code_cleanup(&c);
        if (rc == 0) {
            assert_int_equal(v, TSR_CODE_OK);
            break;
        }
        assert_int_equal(rc, TSR_ESTORE);
    }
    assert_true(n > 1 && n < 100);
    /* Spent now: the replay is refused even when the revocation cannot be written. */
    struct issued mine = issue_from(p, code);
    bool refused_unrevoked = false;
    for (n = 1; n < 100; n++) {
        tsr_store_fail_after(n);
        int rc = tsr_code_redeem(p->st, p->tenant_id, code, "app", CB, VERIFIER, tsr_clock_now(),
                                 &c, &v);
        tsr_store_fail_after(0);
        tsr_auth_code_cleanup(&c);
        if (rc != 0) {
            assert_int_equal(rc, TSR_ESTORE);
            continue;
        }
        assert_int_equal(v, TSR_CODE_REPLAYED);
        if (refresh_revoked(p, mine.refresh))
            break;
        refused_unrevoked = true;
    }
    assert_true(refused_unrevoked);
    issued_free(&mine);
    free(code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals, tokens_setup, tokens_teardown),
        cmocka_unit_test_setup_teardown(test_unknown, tokens_setup, tokens_teardown),
        cmocka_unit_test_setup_teardown(test_success_then_replay, tokens_setup, tokens_teardown),
        cmocka_unit_test_setup_teardown(test_storage_failures, tokens_setup, tokens_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
