/*
 * test_authorize_policy.c - the decisions of /authorize as tables of
 * cases: the client and redirect_uri, web_message origins, each refusal of
 * the request itself, audience and connection, session reuse (prompt,
 * max_age, blocked users, other connections, disabled clients), the
 * outcome without a session, and consent (prompt=consent, first-party
 * skipping, loopback callbacks, remembered scopes), on a migrated
 * in-memory store with a fixed clock and store fault injection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/api.h"
#include "core/authorize_policy.h"
#include "core/catalog.h"
#include "core/consent.h"
#include "core/user.h"
#include "util/clock.h"
#include "util/err.h"

#include "fixture_people.h"

#define NOW 1700000000
#define API_SKIP "https://skip.example.com/"
#define API_ASK "https://ask.example.com/"
#define CB "https://app.example.com/callback"
#define CB_LOOPBACK "http://127.0.0.1:3000/callback"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

/* The fixture: people's tenant plus a client, two APIs, another connection and users. */
struct world {
    struct people *p;
    struct tsr_client client;    /* confidential, first-party, stored, on the default connection */
    struct tsr_connection other; /* enabled for the client too */
    char *alice;                 /* default connection */
    char *blocked;               /* default connection, blocked */
    char *carol;                 /* other connection */
    struct tsr_catalog *cat;     /* the tenant's clients and APIs, as requests read them */
};

/* The request's values; NULL members read as "". */
struct ar_spec {
    const char *redirect_uri, *response_type, *response_mode, *state, *nonce, *scope, *audience,
        *code_challenge, *code_challenge_method, *prompt, *connection, *screen_hint;
    int64_t max_age;
};

static char *dup_or_empty(const char *s)
{
    char *d = strdup(s ? s : "");
    assert_non_null(d);
    return d;
}

static void make_ar(const struct world *w, const struct ar_spec *s, struct tsr_authz_request *ar)
{
    memset(ar, 0, sizeof *ar);
    ar->client_id = dup_or_empty(w->client.client_id);
    ar->redirect_uri = dup_or_empty(s->redirect_uri);
    ar->response_type = dup_or_empty(s->response_type);
    ar->response_mode = dup_or_empty(s->response_mode);
    ar->state = dup_or_empty(s->state);
    ar->nonce = dup_or_empty(s->nonce);
    ar->scope = dup_or_empty(s->scope);
    ar->audience = dup_or_empty(s->audience);
    ar->code_challenge = dup_or_empty(s->code_challenge);
    ar->code_challenge_method = dup_or_empty(s->code_challenge_method);
    ar->prompt = dup_or_empty(s->prompt);
    ar->connection = dup_or_empty(s->connection);
    ar->screen_hint = dup_or_empty(s->screen_hint);
    ar->login_hint = dup_or_empty(NULL);
    ar->max_age = s->max_age;
}

static void add_api(struct world *w, const char *identifier, bool skip)
{
    struct tsr_api a;
    assert_int_equal(tsr_api_init_new(&a, w->p->tenant_id), 0);
    free(a.identifier);
    a.identifier = strdup(identifier);
    free(a.name);
    a.name = strdup(identifier);
    a.skip_consent_for_verifiable_first_party_clients = skip;
    assert_int_equal(tsr_api_insert(w->p->st, &a), 0);
    tsr_api_cleanup(&a);
}

static char *add_user(struct world *w, const char *conn_id, const char *email, bool blocked)
{
    struct tsr_user u;
    assert_int_equal(tsr_user_init_new(&u, w->p->tenant_id, conn_id), 0);
    u.email = strdup(email);
    u.blocked = blocked;
    assert_int_equal(tsr_user_fill_defaults(&u), 0);
    assert_int_equal(tsr_user_insert(w->p->st, &u), 0);
    char *id = strdup(u.user_id);
    tsr_user_cleanup(&u);
    return id;
}

static int world_setup(void **state)
{
    people_setup(state);
    struct world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->p = *state;
    tsr_clock_set_for_tests(TSR_CLOCK_FIXED, (int64_t)NOW * 1000);
    struct tsr_client *c = &w->client;
    assert_int_equal(tsr_client_init_new(c, w->p->tenant_id), 0);
    assert_int_equal(tsr_strlist_push(&c->callbacks, CB), 0);
    assert_int_equal(tsr_strlist_push(&c->callbacks, CB_LOOPBACK), 0);
    assert_int_equal(tsr_strlist_push(&c->web_origins, "https://app.example.com"), 0);
    assert_int_equal(tsr_strlist_push(&c->grant_types, "authorization_code"), 0);
    assert_int_equal(tsr_client_insert(w->p->st, c), 0);
    assert_int_equal(tsr_connection_init_new(&w->other, w->p->tenant_id), 0);
    free(w->other.name);
    w->other.name = strdup("Other");
    assert_int_equal(tsr_connection_insert(w->p->st, &w->other), 0);
    assert_int_equal(tsr_connection_enable_client(w->p->st, w->p->tenant_id, c->client_id), 0);
    add_api(w, API_SKIP, true);
    add_api(w, API_ASK, false);
    w->alice = add_user(w, w->p->conn.id, "alice@example.com", false);
    w->blocked = add_user(w, w->p->conn.id, "bob@example.com", true);
    w->carol = add_user(w, w->other.id, "carol@example.com", false);
    assert_int_equal(tsr_catalog_load(w->p->st, w->p->tenant_id, &w->cat), 0);
    *state = w;
    return 0;
}

static int world_teardown(void **state)
{
    struct world *w = *state;
    tsr_clock_set_for_tests(TSR_CLOCK_REAL, 0);
    tsr_store_fail_after(0);
    tsr_client_cleanup(&w->client);
    tsr_connection_cleanup(&w->other);
    tsr_catalog_free(w->cat);
    free(w->alice);
    free(w->blocked);
    free(w->carol);
    *state = w->p;
    free(w);
    return people_teardown(state);
}

/* The verdict a case expects: next, error (or page title), and a prefix of the description. */
struct expect {
    enum tsr_authz_next next;
    const char *error;
    const char *description;
};

static void assert_verdict(const struct tsr_authz_verdict *v, const struct expect *e)
{
    assert_int_equal(v->next, e->next);
    if (e->error == NULL) {
        assert_null(v->error);
    } else {
        assert_non_null(v->error);
        assert_string_equal(v->error, e->error);
    }
    if (e->description != NULL &&
        strncmp(v->description, e->description, strlen(e->description)) != 0)
        fail_msg("description '%s' does not start with '%s'", v->description, e->description);
}

static void test_client_and_redirect(void **state)
{
    struct world *w = *state;
    struct tsr_authz_request ar;
    struct tsr_authz_verdict v;

    make_ar(w, &(struct ar_spec){.redirect_uri = CB}, &ar);
    assert_false(tsr_authz_check_client(NULL, &ar, &v));
    assert_verdict(&v, &(struct expect){TSR_AUTHZ_ERROR_PAGE, "Unknown application",
                                        "The application that sent you here"});
    assert_true(tsr_authz_check_client(&w->client, &ar, &v));
    assert_int_equal(v.next, TSR_AUTHZ_GO_ON);
    tsr_authz_request_cleanup(&ar);

    static const char *const mismatched[] = {
        "",                                  /* two callbacks: no default */
        "https://app.example.com/callback/", /* exact match only */
        "https://app.example.com/call",
        "https://APP.example.com/callback",
        "https://evil.example.com/callback",
    };
    for (size_t i = 0; i < sizeof mismatched / sizeof *mismatched; i++) {
        print_message("redirect_uri: '%s'\n", mismatched[i]);
        make_ar(w, &(struct ar_spec){.redirect_uri = mismatched[i]}, &ar);
        assert_false(tsr_authz_check_client(&w->client, &ar, &v));
        assert_verdict(&v, &(struct expect){TSR_AUTHZ_ERROR_PAGE, "Callback URL mismatch",
                                            "The redirect_uri of this request"});
        tsr_authz_request_cleanup(&ar);
    }

    /* One callback: a request without redirect_uri uses it. */
    struct tsr_client one = {0};
    assert_int_equal(tsr_strlist_push(&one.callbacks, CB), 0);
    make_ar(w, &(struct ar_spec){0}, &ar);
    assert_true(tsr_authz_check_client(&one, &ar, &v));
    assert_string_equal(ar.redirect_uri, CB);
    tsr_authz_request_cleanup(&ar);
    tsr_client_cleanup(&one);
}

static void test_web_origin(void **state)
{
    struct world *w = *state;
    static const struct {
        const char *mode, *redirect_uri;
        bool ok;
    } cases[] = {
        {"", CB, true},
        {"query", "https://elsewhere.example.com/cb", true},
        {"form_post", "https://elsewhere.example.com/cb", true},
        {"web_message", CB, true},
        {"web_message", "https://app.example.com", true},
        {"web_message", "https://app.example.com:443/cb", false}, /* origins compare as text */
        {"web_message", "https://elsewhere.example.com/cb", false},
        {"web_message", "http://app.example.com/cb", false},
        {"web_message", "app.example.com/cb", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_authz_request ar;
        struct tsr_authz_verdict v;
        print_message("%s %s\n", cases[i].mode, cases[i].redirect_uri);
        make_ar(w,
                &(struct ar_spec){.response_mode = cases[i].mode,
                                  .redirect_uri = cases[i].redirect_uri},
                &ar);
        assert_int_equal(tsr_authz_check_web_origin(&w->client, &ar, &v), cases[i].ok);
        if (cases[i].ok)
            assert_int_equal(v.next, TSR_AUTHZ_GO_ON);
        else
            assert_verdict(&v, &(struct expect){TSR_AUTHZ_ERROR_PAGE, "Origin not allowed",
                                                "The application's address"});
        tsr_authz_request_cleanup(&ar);
    }
}

/*
 * The implicit and hybrid response types: which a client may use, what
 * each needs, and the response mode each answer travels in.
 */
static void test_response_types(void **state)
{
    struct world *w = *state;
    static const char *const E = "invalid_request";
    const struct {
        const char *name;
        bool public_client, implicit_grant, access_tokens;
        struct ar_spec ar;
        struct expect e;
        const char *mode_after; /* the response mode the answer (or error) goes back in */
    } cases[] = {
        {"id_token",
         false,
         true,
         false,
         {.response_type = "id_token", .nonce = "n1", .scope = "openid email", .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL},
         "fragment"},
        {"id_token as form_post",
         false,
         true,
         false,
         {.response_type = "id_token",
          .response_mode = "form_post",
          .nonce = "n1",
          .scope = "openid",
          .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL},
         "form_post"},
        {"id_token of a public client needs no PKCE",
         true,
         true,
         false,
         {.response_type = "id_token", .nonce = "n1", .scope = "openid", .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL},
         "fragment"},
        {"id_token code in either order",
         false,
         true,
         false,
         {.response_type = "id_token  code", .nonce = "n1", .scope = "openid", .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL},
         "fragment"},
        {"hybrid of a public client still needs PKCE",
         true,
         true,
         false,
         {.response_type = "code id_token", .nonce = "n1", .scope = "openid", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "Public clients must use PKCE"},
         "fragment"},
        {"id_token without nonce",
         false,
         true,
         false,
         {.response_type = "id_token", .scope = "openid", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "nonce is required when response_type includes id_token"},
         "fragment"},
        {"hybrid without nonce",
         false,
         true,
         false,
         {.response_type = "code id_token", .scope = "openid", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "nonce is required"},
         "fragment"},
        {"id_token without openid",
         false,
         true,
         false,
         {.response_type = "id_token", .nonce = "n1", .scope = "profile", .max_age = -1},
         {TSR_AUTHZ_ERROR, "invalid_scope", "response_type id_token needs the scope openid"},
         "fragment"},
        {"id_token in a query string",
         false,
         true,
         false,
         {.response_type = "id_token",
          .response_mode = "query",
          .nonce = "n1",
          .scope = "openid",
          .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "response_mode=query cannot carry a token"},
         "fragment"},
        {"id_token without the implicit grant",
         false,
         false,
         false,
         {.response_type = "id_token", .nonce = "n1", .scope = "openid", .max_age = -1},
         {TSR_AUTHZ_ERROR, "unauthorized_client", "Grant type 'implicit' not allowed"},
         "fragment"},
        {"token refused by default",
         false,
         true,
         false,
         {.response_type = "id_token token", .nonce = "n1", .scope = "openid", .max_age = -1},
         {TSR_AUTHZ_ERROR, "unsupported_response_type", "response_type id_token token puts an"},
         "fragment"},
        {"code token refused by default",
         false,
         true,
         false,
         {.response_type = "code token", .max_age = -1},
         {TSR_AUTHZ_ERROR, "unsupported_response_type", "response_type code token puts an"},
         "fragment"},
        {"token for a legacy client allowed it",
         false,
         true,
         true,
         {.response_type = "token", .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL},
         "fragment"},
        {"id_token token for a legacy client still needs the nonce",
         false,
         true,
         true,
         {.response_type = "id_token token", .scope = "openid", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "nonce is required"},
         "fragment"},
        {"a word twice",
         false,
         true,
         true,
         {.response_type = "code code", .max_age = -1},
         {TSR_AUTHZ_ERROR, "unsupported_response_type", "Unsupported response type: code code"},
         ""},
        {"code stays in the query",
         false,
         true,
         false,
         {.response_type = "code", .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL},
         ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_client c = {0};
        struct tsr_authz_request ar;
        struct tsr_authz_verdict v;
        print_message("case: %s\n", cases[i].name);
        c.token_endpoint_auth_method =
            strdup(cases[i].public_client ? "none" : "client_secret_post");
        c.allow_implicit_access_tokens = cases[i].access_tokens;
        assert_int_equal(tsr_strlist_push(&c.grant_types, "authorization_code"), 0);
        if (cases[i].implicit_grant)
            assert_int_equal(tsr_strlist_push(&c.grant_types, "implicit"), 0);
        make_ar(w, &cases[i].ar, &ar);
        bool ok = tsr_authz_check_request(&c, &ar, &v);
        assert_int_equal(ok, cases[i].e.next == TSR_AUTHZ_GO_ON);
        assert_verdict(&v, &cases[i].e);
        assert_string_equal(ar.response_mode, cases[i].mode_after);
        tsr_authz_request_cleanup(&ar);
        tsr_client_cleanup(&c);
    }
}

static void test_request_refusals(void **state)
{
    struct world *w = *state;
    char long_text[TSR_AUTHZ_MAX_OPAQUE_PARAM + 2];
    memset(long_text, 's', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    char just_fits[TSR_AUTHZ_MAX_OPAQUE_PARAM + 1];
    memcpy(just_fits, long_text, TSR_AUTHZ_MAX_OPAQUE_PARAM);
    just_fits[TSR_AUTHZ_MAX_OPAQUE_PARAM] = '\0';
#define CODE .response_type = "code"
    static const char *const E = "invalid_request";
    const struct {
        const char *name;
        bool public_client, no_code_grant;
        struct ar_spec ar;
        struct expect e;
    } cases[] = {
        {"plain request", false, false, {CODE, .max_age = -1}, {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {"every mode",
         false,
         false,
         {CODE, .response_mode = "form_post", .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {"bad mode",
         false,
         false,
         {CODE, .response_mode = "jwt", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "Unsupported response_mode: jwt"}},
        {"no response_type",
         false,
         false,
         {.max_age = -1},
         {TSR_AUTHZ_ERROR, E, "Missing required parameter: response_type"}},
        {"token",
         false,
         false,
         {.response_type = "token", .max_age = -1},
         {TSR_AUTHZ_ERROR, "unsupported_response_type", "response_type token puts an access"}},
        {"code id_token without the implicit grant",
         false,
         false,
         {.response_type = "code id_token", .max_age = -1},
         {TSR_AUTHZ_ERROR, "unauthorized_client", "Grant type 'implicit' not allowed"}},
        {"none",
         false,
         false,
         {.response_type = "none", .max_age = -1},
         {TSR_AUTHZ_ERROR, "unsupported_response_type", "Unsupported response type: none"}},
        {"no code grant",
         false,
         true,
         {CODE, .max_age = -1},
         {TSR_AUTHZ_ERROR, "unauthorized_client", "Grant type 'authorization_code'"}},
        {"long state",
         false,
         false,
         {CODE, .state = long_text, .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "state and nonce may be at most 2048"}},
        {"long nonce",
         false,
         false,
         {CODE, .nonce = long_text, .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "state and nonce may be at most 2048"}},
        {"2048 state",
         false,
         false,
         {CODE, .state = just_fits, .nonce = just_fits, .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {"bad max_age",
         false,
         false,
         {CODE, .max_age = -2},
         {TSR_AUTHZ_ERROR, E, "max_age must be a number of seconds"}},
        {"none+login",
         false,
         false,
         {CODE, .prompt = "none login", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "prompt=none cannot be combined"}},
        {"none+consent",
         false,
         false,
         {CODE, .prompt = "consent none", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "prompt=none cannot be combined"}},
        {"none+select",
         false,
         false,
         {CODE, .prompt = "none select_account", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "prompt=none cannot be combined"}},
        {"login+consent",
         false,
         false,
         {CODE, .prompt = "login consent", .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {"none alone",
         false,
         false,
         {CODE, .prompt = "none", .max_age = 0},
         {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {"method alone",
         false,
         false,
         {CODE, .code_challenge_method = "S256", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "code_challenge_method without code_challenge"}},
        {"public without PKCE",
         true,
         false,
         {CODE, .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "Public clients must use PKCE"}},
        {"public with PKCE",
         true,
         false,
         {CODE, .code_challenge = CHALLENGE, .code_challenge_method = "S256", .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {"confidential with PKCE",
         false,
         false,
         {CODE, .code_challenge = CHALLENGE, .code_challenge_method = "S256", .max_age = -1},
         {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {"plain method",
         true,
         false,
         {CODE, .code_challenge = CHALLENGE, .code_challenge_method = "plain", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "code_challenge_method must be S256 (got 'plain')"}},
        {"no method",
         true,
         false,
         {CODE, .code_challenge = CHALLENGE, .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "code_challenge_method must be S256 (got 'plain')"}},
        {"short challenge",
         true,
         false,
         {CODE, .code_challenge = "abc", .code_challenge_method = "S256", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "code_challenge must be the base64url SHA-256"}},
        {"challenge not base64url",
         true,
         false,
         {CODE, .code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
          .code_challenge_method = "S256", .max_age = -1},
         {TSR_AUTHZ_ERROR, E, "code_challenge must be the base64url SHA-256"}},
    };
#undef CODE
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_client c = {0};
        struct tsr_authz_request ar;
        struct tsr_authz_verdict v;
        print_message("case: %s\n", cases[i].name);
        c.token_endpoint_auth_method =
            strdup(cases[i].public_client ? "none" : "client_secret_post");
        if (!cases[i].no_code_grant)
            assert_int_equal(tsr_strlist_push(&c.grant_types, "authorization_code"), 0);
        make_ar(w, &cases[i].ar, &ar);
        bool ok = tsr_authz_check_request(&c, &ar, &v);
        assert_int_equal(ok, cases[i].e.next == TSR_AUTHZ_GO_ON);
        assert_verdict(&v, &cases[i].e);
        tsr_authz_request_cleanup(&ar);
        tsr_client_cleanup(&c);
    }
}

/* An unsupported response_mode is answered in the default mode. */
static void test_bad_mode_answers_in_query(void **state)
{
    struct world *w = *state;
    struct tsr_authz_request ar;
    struct tsr_authz_verdict v;
    make_ar(w, &(struct ar_spec){.response_type = "code", .response_mode = "fragment.jwt"}, &ar);
    assert_false(tsr_authz_check_request(&w->client, &ar, &v));
    assert_string_equal(ar.response_mode, "query");
    tsr_authz_request_cleanup(&ar);
}

static void test_audience(void **state)
{
    struct world *w = *state;
    const struct {
        const char *asked, *tenant_default;
        const char *resolved;
        struct expect e;
    } cases[] = {
        {"", NULL, "", {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {"", "", "", {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {"", API_SKIP, API_SKIP, {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {API_ASK, API_SKIP, API_ASK, {TSR_AUTHZ_GO_ON, NULL, NULL}},
        /* Identifiers match exactly, as the database's '=' did. */
        {"https://ask.example.com",
         NULL,
         NULL,
         {TSR_AUTHZ_ERROR, "access_denied", "Service not found: https://ask.example.com"}},
        {"https://nope.example.com/",
         NULL,
         NULL,
         {TSR_AUTHZ_ERROR, "access_denied", "Service not found: https://nope.example.com/"}},
        {"",
         "https://gone.example.com/",
         NULL,
         {TSR_AUTHZ_ERROR, "access_denied", "Service not found: https://gone.example.com/"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_authz_request ar;
        struct tsr_authz_verdict v;
        print_message("audience '%s' default '%s'\n", cases[i].asked,
                      cases[i].tenant_default ? cases[i].tenant_default : "(null)");
        make_ar(w, &(struct ar_spec){.audience = cases[i].asked}, &ar);
        /* The catalog is in memory: a failing store changes nothing. */
        tsr_store_fail_after(1);
        bool ok = tsr_authz_resolve_audience(w->cat, cases[i].tenant_default, &ar, &v);
        tsr_store_fail_after(0);
        assert_int_equal(ok, cases[i].e.next == TSR_AUTHZ_GO_ON);
        assert_verdict(&v, &cases[i].e);
        if (cases[i].resolved != NULL)
            assert_string_equal(ar.audience, cases[i].resolved);
        tsr_authz_request_cleanup(&ar);
    }
}

static void test_connection(void **state)
{
    struct world *w = *state;
    struct tsr_client stranger = {0};
    stranger.client_id = strdup("not_enabled_anywhere");
    const struct {
        const struct tsr_client *client;
        const char *connection;
        int fail_after;
        struct expect e;
    } cases[] = {
        {&w->client, "", 0, {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {&w->client, TSR_DEFAULT_CONNECTION, 0, {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {&w->client, "Other", 0, {TSR_AUTHZ_GO_ON, NULL, NULL}},
        {&w->client,
         "Missing",
         0,
         {TSR_AUTHZ_ERROR, "invalid_request", "Unknown connection: Missing"}},
        {&stranger,
         "",
         0,
         {TSR_AUTHZ_ERROR, "invalid_request",
          "The connection " TSR_DEFAULT_CONNECTION " is not enabled for this application"}},
        {&stranger,
         "Other",
         0,
         {TSR_AUTHZ_ERROR, "invalid_request", "The connection Other is not enabled"}},
        {&w->client, "Other", 1, {TSR_AUTHZ_ERROR, "invalid_request", "Unknown connection: Other"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_authz_request ar;
        struct tsr_authz_verdict v;
        print_message("connection '%s'\n", cases[i].connection);
        make_ar(w, &(struct ar_spec){.connection = cases[i].connection}, &ar);
        tsr_store_fail_after(cases[i].fail_after);
        bool ok = tsr_authz_check_connection(w->p->st, w->p->tenant_id, cases[i].client, &ar, &v);
        tsr_store_fail_after(0);
        assert_int_equal(ok, cases[i].e.next == TSR_AUTHZ_GO_ON);
        assert_verdict(&v, &cases[i].e);
        tsr_authz_request_cleanup(&ar);
    }
    tsr_client_cleanup(&stranger);
}

static void test_session_reuse(void **state)
{
    struct world *w = *state;
    /* A client the Other connection is not enabled for. */
    struct tsr_client solo;
    assert_int_equal(tsr_client_init_new(&solo, w->p->tenant_id), 0);
    assert_int_equal(tsr_client_insert(w->p->st, &solo), 0);
    struct tsr_connection def = {0};
    assert_int_equal(tsr_connection_get(w->p->st, w->p->tenant_id, w->p->conn.id, &def), 0);
    assert_int_equal(tsr_strlist_push(&def.enabled_clients, solo.client_id), 0);
    assert_int_equal(tsr_connection_update(w->p->st, &def), 0);
    tsr_connection_cleanup(&def);

    const char *cid = w->client.client_id;
    const struct {
        const char *name, *client_id, *user_id, *connection;
        int64_t max_age, auth_time;
        bool usable;
    } cases[] = {
        {"fresh login", cid, w->alice, "", -1, NOW - 10, true},
        {"old login, no max_age", cid, w->alice, "", -1, NOW - 86400 * 30, true},
        {"max_age=0", cid, w->alice, "", 0, NOW, false},
        {"inside max_age", cid, w->alice, "", 60, NOW - 59, true},
        {"at max_age", cid, w->alice, "", 60, NOW - 60, true},
        {"outside max_age", cid, w->alice, "", 60, NOW - 61, false},
        {"blocked user", cid, w->blocked, "", -1, NOW, false},
        {"deleted user", cid, "auth0|000000000000000000000000", "", -1, NOW, false},
        {"no user", cid, NULL, "", -1, NOW, false},
        {"named its connection", cid, w->alice, TSR_DEFAULT_CONNECTION, -1, NOW, true},
        {"named another connection", cid, w->alice, "Other", -1, NOW, false},
        {"user of another connection", cid, w->carol, "", -1, NOW, true},
        {"user of another, named", cid, w->carol, "Other", -1, NOW, true},
        {"other connection off for client", solo.client_id, w->carol, "", -1, NOW, false},
        {"default still on for client", solo.client_id, w->alice, "", -1, NOW, true},
        {"unknown client", "nobody", w->alice, "", -1, NOW, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_authz_request ar;
        print_message("session: %s\n", cases[i].name);
        make_ar(w,
                &(struct ar_spec){.connection = cases[i].connection, .max_age = cases[i].max_age},
                &ar);
        assert_int_equal(tsr_authz_session_usable(w->p->st, w->p->tenant_id, cases[i].client_id,
                                                  &ar, cases[i].user_id, cases[i].auth_time,
                                                  tsr_clock_now()),
                         cases[i].usable);
        tsr_authz_request_cleanup(&ar);
    }

    /* Failing reads say no, whichever read fails. */
    for (int n = 1; n < 30; n++) {
        struct tsr_authz_request ar;
        make_ar(w, &(struct ar_spec){.max_age = -1}, &ar);
        tsr_store_fail_after(n);
        bool ok = tsr_authz_user_may_sign_in(w->p->st, w->p->tenant_id, cid, &ar, w->alice);
        tsr_store_fail_after(0);
        tsr_authz_request_cleanup(&ar);
        if (ok)
            break;
        assert_true(n < 29);
    }
    tsr_client_cleanup(&solo);
}

static void test_prompt_and_no_session(void **state)
{
    struct world *w = *state;
    const struct {
        const char *prompt, *screen_hint;
        bool reuse;
        struct expect e;
    } cases[] = {
        {"", "", true, {TSR_AUTHZ_LOGIN_PAGE, NULL, NULL}},
        {"", "signup", true, {TSR_AUTHZ_SIGNUP_PAGE, NULL, NULL}},
        {"", "login", true, {TSR_AUTHZ_LOGIN_PAGE, NULL, NULL}},
        {"login", "", false, {TSR_AUTHZ_LOGIN_PAGE, NULL, NULL}},
        {"consent login", "signup", false, {TSR_AUTHZ_SIGNUP_PAGE, NULL, NULL}},
        {"consent", "", true, {TSR_AUTHZ_LOGIN_PAGE, NULL, NULL}},
        {"select_account", "", true, {TSR_AUTHZ_LOGIN_PAGE, NULL, NULL}},
        {"none", "", true, {TSR_AUTHZ_ERROR, "login_required", "Login required"}},
        {"none", "signup", true, {TSR_AUTHZ_ERROR, "login_required", "Login required"}},
        {"nonesuch", "", true, {TSR_AUTHZ_LOGIN_PAGE, NULL, NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_authz_request ar;
        struct tsr_authz_verdict v;
        print_message("prompt '%s' screen_hint '%s'\n", cases[i].prompt, cases[i].screen_hint);
        make_ar(w,
                &(struct ar_spec){.prompt = cases[i].prompt, .screen_hint = cases[i].screen_hint},
                &ar);
        assert_int_equal(tsr_authz_may_reuse_session(&ar), cases[i].reuse);
        tsr_authz_without_session(&ar, &v);
        assert_verdict(&v, &cases[i].e);
        tsr_authz_request_cleanup(&ar);
    }
}

static void test_consent(void **state)
{
    struct world *w = *state;
    const char *tid = w->p->tenant_id;
    struct tsr_client third = {0};
    assert_int_equal(tsr_client_init_new(&third, tid), 0);
    third.is_first_party = false;
    assert_int_equal(tsr_client_insert(w->p->st, &third), 0);
    /* alice once consented to read for API_ASK with the first-party client. */
    struct tsr_strlist granted = {0};
    assert_int_equal(tsr_strlist_split(&granted, "openid read"), 0);
    assert_int_equal(
        tsr_consent_add(w->p->st, tid, w->alice, w->client.client_id, API_ASK, &granted), 0);
    assert_int_equal(tsr_consent_add(w->p->st, tid, w->alice, third.client_id, "", &granted), 0);
    tsr_strlist_cleanup(&granted);

    const struct tsr_client *first = &w->client;
    const struct {
        const char *name;
        const struct tsr_client *client;
        const char *audience, *redirect_uri, *scope, *prompt;
        struct expect e;
    } cases[] = {
        {"first party, no API", first, "", CB, "openid", "", {TSR_AUTHZ_ISSUE_CODE, NULL, NULL}},
        {"first party, skipping API",
         first,
         API_SKIP,
         CB,
         "openid x",
         "",
         {TSR_AUTHZ_ISSUE_CODE, NULL, NULL}},
        {"first party, skipping API, loopback",
         first,
         API_SKIP,
         CB_LOOPBACK,
         "openid",
         "",
         {TSR_AUTHZ_CONSENT_PAGE, NULL, NULL}},
        {"first party, asking API, new scope",
         first,
         API_ASK,
         CB,
         "openid write",
         "",
         {TSR_AUTHZ_CONSENT_PAGE, NULL, NULL}},
        {"first party, asking API, granted",
         first,
         API_ASK,
         CB,
         "openid read",
         "",
         {TSR_AUTHZ_ISSUE_CODE, NULL, NULL}},
        {"first party, granted subset",
         first,
         API_ASK,
         CB,
         "read",
         "",
         {TSR_AUTHZ_ISSUE_CODE, NULL, NULL}},
        {"first party, granted, loopback",
         first,
         API_ASK,
         CB_LOOPBACK,
         "read",
         "",
         {TSR_AUTHZ_ISSUE_CODE, NULL, NULL}},
        {"prompt=consent beats skipping",
         first,
         API_SKIP,
         CB,
         "openid",
         "consent",
         {TSR_AUTHZ_CONSENT_PAGE, NULL, NULL}},
        {"prompt=consent beats granted",
         first,
         API_ASK,
         CB,
         "read",
         "consent",
         {TSR_AUTHZ_CONSENT_PAGE, NULL, NULL}},
        {"prompt=none, consent missing",
         first,
         API_ASK,
         CB,
         "write",
         "none",
         {TSR_AUTHZ_ERROR, "consent_required", "Consent required"}},
        {"prompt=none, granted",
         first,
         API_ASK,
         CB,
         "read",
         "none",
         {TSR_AUTHZ_ISSUE_CODE, NULL, NULL}},
        {"third party, no API, granted",
         &third,
         "",
         CB,
         "openid",
         "",
         {TSR_AUTHZ_ISSUE_CODE, NULL, NULL}},
        {"third party, no API, new scope",
         &third,
         "",
         CB,
         "openid email",
         "",
         {TSR_AUTHZ_CONSENT_PAGE, NULL, NULL}},
        {"third party, skipping API",
         &third,
         API_SKIP,
         CB,
         "openid",
         "",
         {TSR_AUTHZ_CONSENT_PAGE, NULL, NULL}},
        {"first party, unknown API",
         first,
         "https://nope.example.com/",
         CB,
         "openid",
         "",
         {TSR_AUTHZ_ERROR, "server_error", "Cannot read the consent"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tsr_authz_request ar;
        struct tsr_authz_verdict v;
        print_message("consent: %s\n", cases[i].name);
        make_ar(w,
                &(struct ar_spec){.audience = cases[i].audience,
                                  .redirect_uri = cases[i].redirect_uri,
                                  .scope = cases[i].scope,
                                  .prompt = cases[i].prompt},
                &ar);
        tsr_authz_with_session(w->p->st, w->cat, tid, cases[i].client, &ar, w->alice, &v);
        assert_verdict(&v, &cases[i].e);
        bool needed = false;
        int rc = tsr_authz_consent_needed(w->p->st, w->cat, tid, cases[i].client, &ar, w->alice,
                                          &needed);
        assert_int_equal(rc == 0, cases[i].e.next != TSR_AUTHZ_ERROR ||
                                      strcmp(cases[i].e.error, "server_error") != 0);
        if (rc == 0)
            assert_int_equal(needed, cases[i].e.next != TSR_AUTHZ_ISSUE_CODE);
        tsr_authz_request_cleanup(&ar);
    }

    /* A store failing at any read is a server_error, never a code. */
    for (int n = 1; n < 40; n++) {
        struct tsr_authz_request ar;
        struct tsr_authz_verdict v;
        make_ar(w, &(struct ar_spec){.audience = API_ASK, .redirect_uri = CB, .scope = "read"},
                &ar);
        tsr_store_fail_after(n);
        tsr_authz_with_session(w->p->st, w->cat, tid, first, &ar, w->alice, &v);
        tsr_store_fail_after(0);
        tsr_authz_request_cleanup(&ar);
        if (v.next == TSR_AUTHZ_ISSUE_CODE)
            break;
        assert_verdict(
            &v, &(struct expect){TSR_AUTHZ_ERROR, "server_error", "Cannot read the consent"});
        assert_true(n < 39);
    }
    tsr_client_cleanup(&third);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)
    const struct CMUnitTest tests[] = {
        T(test_client_and_redirect),
        T(test_web_origin),
        T(test_response_types),
        T(test_request_refusals),
        T(test_bad_mode_answers_in_query),
        T(test_audience),
        T(test_connection),
        T(test_session_reuse),
        T(test_prompt_and_no_session),
        T(test_consent),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
