/*
 * test_keys.c - the table of settings (config/keys.h): every key is
 * complete and named by the house rule, every default parses and is what
 * runs, and every key is accepted from each of its sources.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/keys.h"
#include "config/settings.h"

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

/* One key given through the environment, nothing else. */
static const char *env_name;
static const char *env_value;
static const char *one_env(const char *name)
{
    return strcmp(name, env_name) == 0 ? env_value : NULL;
}

static void test_every_key_is_complete(void **state)
{
    (void)state;
    assert_true(TSR_SK_COUNT >= 30);
    for (int k = 0; k < TSR_SK_COUNT; k++) {
        const struct tsr_setting_key_info *i = tsr_setting_key(k);
        assert_non_null(i);
        assert_non_null(i->flag);
        assert_non_null(i->env);
        assert_non_null(i->group);
        assert_non_null(i->help);
        assert_true(strlen(i->help) > 10);
        /* One line, lower case start, no final period: help and man pages add their own. */
        assert_null(strchr(i->help, '\n'));
        assert_true(i->help[strlen(i->help) - 1] != '.');
        /* TESSERA_ + the flag in capitals, '-' as '_'. */
        char want[96] = "TESSERA_";
        size_t n = strlen(want);
        for (const char *p = i->flag; *p != '\0' && n < sizeof want - 1; p++)
            want[n++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        want[n] = '\0';
        assert_string_equal(i->env, want);
        if (k == TSR_SK_CONFIG)
            assert_null(i->file);
        else
            assert_string_equal(i->file, i->flag);
        assert_int_equal(tsr_setting_key_find(i->flag, strlen(i->flag)), k);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(tsr_setting_key(j)->flag, i->flag);
    }
    assert_null(tsr_setting_key(-1));
    assert_null(tsr_setting_key(TSR_SK_COUNT));
    assert_int_equal(tsr_setting_key_find("nope", 4), -1);
    assert_int_equal(tsr_setting_key_find_file("config"), -1);
    assert_int_equal(tsr_setting_key_find_file("listen"), TSR_SK_LISTEN);
}

/* The defaults that ran before the table held them. */
static void test_defaults_are_the_known_ones(void **state)
{
    (void)state;
    struct tsr_settings s;
    tsr_settings_defaults(&s);
    assert_string_equal(s.listen_host, "127.0.0.1");
    assert_int_equal(s.listen_port, 8080);
    assert_string_equal(s.public_url, "http://localhost:8080/");
    assert_string_equal(s.data_dir, "./data");
    assert_int_equal(s.threads, 0);
    assert_int_equal(s.max_connections, 4096);
    assert_int_equal(s.max_connections_per_ip, 512);
    assert_int_equal(s.header_timeout, 20);
    assert_int_equal(s.body_min_rate, 1024);
    assert_false(s.trust_proxy);
    assert_false(s.smtp_allow_plaintext);
    assert_false(s.trusted_proxies_set);
    assert_string_equal(s.tls_cert, "");
    assert_string_equal(s.smtp_url, "");
    assert_int_equal(s.limits.nproxies, 6);
    assert_int_equal(s.limits.per_ip[TSR_RATE_LOGIN].count, 100);
    assert_int_equal(s.limits.per_ip[TSR_RATE_LOGIN].seconds, 60);
    assert_int_equal(s.limits.mgmt_per_client.count, 200);
    assert_int_equal(s.limits.lockout_window, 900);
}

/*
 * Every default, given as its flag and then as its environment variable,
 * loads and changes nothing: the text shown is the value that runs.
 */
static void test_each_default_parses_to_itself(void **state)
{
    (void)state;
    struct tsr_settings d, s;
    char err[256];
    char flag[96];
    tsr_settings_defaults(&d);
    for (int k = 0; k < TSR_SK_COUNT; k++) {
        const struct tsr_setting_key_info *i = tsr_setting_key(k);
        if (i->def == NULL)
            continue;
        snprintf(flag, sizeof flag, "--%s=%s", i->flag, i->def);
        char *argv[] = {flag};
        if (tsr_settings_load(&s, 1, argv, no_env, err, sizeof err) != 0)
            fail_msg("%s: %s", flag, err);
        if (k == TSR_SK_LIMIT_FIRST + TSR_LK_TRUSTED_PROXIES)
            s.trusted_proxies_set = false; /* given, though to the default */
        assert_memory_equal(&s, &d, sizeof s);
        env_name = i->env;
        env_value = i->def;
        if (tsr_settings_load(&s, 0, NULL, one_env, err, sizeof err) != 0)
            fail_msg("%s: %s", i->env, err);
    }
}

/* A boolean has no placeholder: the flag alone turns it on. */
static void test_booleans(void **state)
{
    (void)state;
    char err[256];
    char flag[96];
    struct tsr_settings s;
    int seen = 0;
    for (int k = 0; k < TSR_SK_COUNT; k++) {
        const struct tsr_setting_key_info *i = tsr_setting_key(k);
        if (i->arg != NULL)
            continue;
        seen++;
        snprintf(flag, sizeof flag, "--%s", i->flag);
        char *argv[] = {flag, "--threads", "2"};
        assert_int_equal(tsr_settings_load(&s, 3, argv, no_env, err, sizeof err), 0);
        assert_int_equal(s.threads, 2);
    }
    assert_int_equal(seen, 2);
    assert_true(s.trust_proxy); /* the last of the two */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_is_complete),
        cmocka_unit_test(test_defaults_are_the_known_ones),
        cmocka_unit_test(test_each_default_parses_to_itself),
        cmocka_unit_test(test_booleans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
