/*
 * test_consent.c - which redirect_uris are loopback, and when a
 * first-party client may skip the consent page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/consent.h"

static void test_loopback(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "http://localhost/cb",
        "http://localhost:3000/callback",
        "https://LOCALHOST:8443/",
        "http://localhost./cb",
        "http://app.localhost:3000/cb",
        "http://127.0.0.1/cb",
        "http://127.0.0.1:9/cb?x=1",
        "http://127.1.2.3:80#f",
        "http://[::1]:8080/cb",
        "http://[0:0:0:0:0:0:0:1]/cb",
        "http://user:pw@localhost:3000/cb",
        "http://evil.example@127.0.0.1/cb",
        "com.example.app://localhost/cb",
    };
    static const char *const no[] = {
        "https://app.example.com/cb",
        "https://localhost.example.com/cb",
        "https://mylocalhost/cb",
        "http://127.0.0.1.example.com/cb",
        "http://128.0.0.1/cb",
        "http://127.0.0.256/cb",
        "http://[::2]/cb",
        "https://app.example.com/localhost",
        "https://app.example.com/?r=http://localhost/",
        "https://localhost@app.example.com/cb",
        "localhost/cb",
        "",
        NULL,
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        print_message("yes: %s\n", yes[i]);
        assert_true(tsr_consent_loopback_url(yes[i]));
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        print_message("no: %s\n", no[i] ? no[i] : "(null)");
        assert_false(tsr_consent_loopback_url(no[i]));
    }
}

static void test_first_party_skips(void **state)
{
    (void)state;
    assert_true(tsr_consent_first_party_skips(true, "https://app.example.com/cb"));
    assert_false(tsr_consent_first_party_skips(false, "https://app.example.com/cb"));
    assert_false(tsr_consent_first_party_skips(true, "http://localhost:3000/callback"));
    assert_false(tsr_consent_first_party_skips(true, "http://127.0.0.1:5555/"));
    assert_false(tsr_consent_first_party_skips(true, "http://[::1]/cb"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_first_party_skips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
