/*
 * test_verify_shared.c - linked against libtessera-verify.so alone: the
 * public header is enough, the error table, WWW-Authenticate formatting,
 * the Authorization header parser and option checks (no network).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <tessera/verify.h>

static void test_version_and_table(void **state)
{
    (void)state;
    assert_string_equal(tessera_version(), "0.1.0");
    assert_string_equal(tessera_errname(TESSERA_EEXPIRED), "TESSERA_EEXPIRED");
    assert_string_equal(tessera_strerror(TESSERA_EEXPIRED), "token expired");
    assert_string_equal(tessera_error_oauth(TESSERA_EEXPIRED), "invalid_token");
    assert_int_equal(tessera_error_http_status(TESSERA_EEXPIRED), 401);
    assert_string_equal(tessera_error_oauth(TESSERA_ESCOPE), "insufficient_scope");
    assert_int_equal(tessera_error_http_status(TESSERA_ESCOPE), 403);
    assert_string_equal(tessera_error_oauth(TESSERA_EREQUEST), "invalid_request");
    assert_int_equal(tessera_error_http_status(TESSERA_EREQUEST), 400);
    assert_string_equal(tessera_error_oauth(TESSERA_ENOTOKEN), "");
    assert_int_equal(tessera_error_http_status(TESSERA_EUNAVAILABLE), 503);
    assert_string_equal(tessera_errname(12345), "TESSERA_EUNKNOWN");
}

static void test_www_authenticate(void **state)
{
    (void)state;
    char buf[256];
    int n = tessera_www_authenticate(TESSERA_EEXPIRED, "api", "expired 3 min ago", buf,
                                     sizeof buf);
    assert_string_equal(buf, "Bearer realm=\"api\", error=\"invalid_token\", "
                             "error_description=\"expired 3 min ago\"");
    assert_int_equal(n, (int)strlen(buf));

    /* Quotes escaped in the realm, replaced in the description; CR/LF dropped. */
    tessera_www_authenticate(TESSERA_EAUDIENCE, "my \"api\"\r\n",
                             "aud is \"x\"\r\nSet-Cookie: a=b \\ end", buf, sizeof buf);
    assert_string_equal(buf, "Bearer realm=\"my \\\"api\\\"\", error=\"invalid_token\", "
                             "error_description=\"aud is 'x'Set-Cookie: a=b / end\"");
    assert_null(strchr(buf, '\r'));
    assert_null(strchr(buf, '\n'));

    tessera_www_authenticate(TESSERA_ESCOPE, NULL, "scope read:x is required", buf, sizeof buf);
    assert_string_equal(buf, "Bearer error=\"insufficient_scope\", "
                             "error_description=\"scope read:x is required\"");

    /* No token at all: no error attribute (RFC 6750 section 3.1). */
    tessera_www_authenticate(TESSERA_ENOTOKEN, "api", "no token", buf, sizeof buf);
    assert_string_equal(buf, "Bearer realm=\"api\"");

    char tiny[10];
    assert_int_equal(tessera_www_authenticate(TESSERA_EEXPIRED, "api", "x", tiny, sizeof tiny),
                     TESSERA_EINVAL);
}

static void test_bearer_header(void **state)
{
    (void)state;
    const char *t = NULL;
    size_t n = 0;
    assert_int_equal(tessera_bearer_token("Bearer abc.def.ghi", &t, &n), TESSERA_OK);
    assert_int_equal(n, 11);
    assert_memory_equal(t, "abc.def.ghi", 11);
    assert_int_equal(tessera_bearer_token("bearer xyz", &t, &n), TESSERA_OK);
    assert_int_equal(tessera_bearer_token(NULL, &t, &n), TESSERA_ENOTOKEN);
    assert_int_equal(tessera_bearer_token("", &t, &n), TESSERA_ENOTOKEN);
    assert_int_equal(tessera_bearer_token("Basic dXNlcg==", &t, &n), TESSERA_EREQUEST);
    assert_int_equal(tessera_bearer_token("Bearer ", &t, &n), TESSERA_EREQUEST);
    assert_int_equal(tessera_bearer_token("Bearer a b", &t, &n), TESSERA_EREQUEST);
    assert_int_equal(tessera_bearer_token("Bearer a\"b", &t, &n), TESSERA_EREQUEST);
}

static void test_options(void **state)
{
    (void)state;
    tessera_verify_options o;
    tessera_verify_options_init(&o);
    assert_int_equal(o.leeway, 60);
    assert_int_equal(o.jwks_refetch_interval, 60);
    tessera_verifier *v = (tessera_verifier *)1;
    char why[200];

    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_ECONFIG);
    assert_null(v);
    o.issuer = "ftp://x/";
    o.audience = "a";
    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_ECONFIG);
    o.issuer = "http://127.0.0.1:1/";
    o.audience = NULL;
    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_ECONFIG);
    assert_string_equal(why, "audience is required");
    o.audience = "a";
    const char *none[] = {"none", NULL};
    o.algorithms = none;
    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_ECONFIG);
    assert_string_equal(why, "alg none is never allowed");
    const char *hs[] = {"HS256", NULL};
    o.algorithms = hs;
    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_ECONFIG);
    assert_string_equal(why, "HS256 needs hs256_secret");
    o.hs256_secret = (const unsigned char *)"short";
    o.hs256_secret_len = 5;
    assert_int_equal(tessera_verifier_new(&o, &v, why, sizeof why), TESSERA_ECONFIG);
    tessera_verifier_free(NULL);
    tessera_claims_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_and_table),
        cmocka_unit_test(test_www_authenticate),
        cmocka_unit_test(test_bearer_header),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
