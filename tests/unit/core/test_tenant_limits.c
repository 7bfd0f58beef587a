/*
 * test_tenant_limits.c - a tenant's own limits (core/tenant_limits.h):
 * parsing and formatting of each key, the merge over the server's
 * settings, the attack protection switches as the readers see them
 * (config/limits.h), the lockout under them, and the rows on an in-memory
 * store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_people.h"

#include "config/limits.h"
#include "core/event.h"
#include "core/lockout.h"
#include "core/tenant_limits.h"
#include "util/err.h"

static struct tsr_cidr addr(const char *text)
{
    struct tsr_cidr a;
    assert_int_equal(tsr_cidr_parse_addr(text, &a), 0);
    return a;
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tsr_tl_name(TSR_TL_LOGIN_IP), "rate-limit-login-per-ip");
    assert_string_equal(tsr_tl_property(TSR_TL_LOGIN_IP), "login_per_ip");
    assert_string_equal(tsr_tl_name(TSR_TL_LOCKOUT_WINDOW), "lockout-window");
    assert_string_equal(tsr_tl_property(TSR_TL_LOCKOUT_WINDOW), "lockout_window");
    assert_null(tsr_tl_property(TSR_TL_BF_ALLOWLIST));
    assert_null(tsr_tl_name(TSR_TL_COUNT));
    assert_null(tsr_tl_name(-1));
    /* Every limits.h key but trusted-proxies has a stored name equal to its flag. */
    for (int k = TSR_TL_LOGIN_IP; k <= TSR_TL_LOCKOUT_WINDOW; k++) {
        bool found = false;
        for (int lk = 0; lk < TSR_LK_COUNT; lk++)
            found = found || strcmp(tsr_limits_flag(lk), tsr_tl_name(k)) == 0;
        assert_true(found);
        assert_non_null(tsr_tl_property(k));
    }
    assert_true(tsr_tl_is_rate(TSR_TL_MGMT_CLIENT));
    assert_false(tsr_tl_is_rate(TSR_TL_THROTTLE_FAILURES));
}

static void test_parse(void **state)
{
    (void)state;
    struct tsr_limits l;
    char why[192], text[32];
    tsr_limits_defaults(&l);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_LOGIN_IP, "3/60", why, sizeof why), 0);
    assert_int_equal(l.per_ip[TSR_RATE_LOGIN].count, 3);
    assert_int_equal(l.per_ip[TSR_RATE_LOGIN].seconds, 60);
    tsr_tl_format(&l, TSR_TL_LOGIN_IP, text, sizeof text);
    assert_string_equal(text, "3/60");
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_RESET_ACCOUNT, "off", why, sizeof why), 0);
    tsr_tl_format(&l, TSR_TL_RESET_ACCOUNT, text, sizeof text);
    assert_string_equal(text, "off");
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_LOCKOUT_ATTEMPTS, "4", why, sizeof why), 0);
    tsr_tl_format(&l, TSR_TL_LOCKOUT_ATTEMPTS, text, sizeof text);
    assert_string_equal(text, "4");

    /* Bad values: a reason, and for rates the value quoted. */
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_LOGIN_IP, "5/s", why, sizeof why), -1);
    assert_non_null(strstr(why, "\"5/s\""));
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_LOGIN_IP, "0/60", why, sizeof why), -1);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_LOCKOUT_WINDOW, "59", why, sizeof why), -1);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_THROTTLE_DELAY, "-1", why, sizeof why), -1);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_COUNT, "1", why, sizeof why), -1);

    /* The attack protection keys. */
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_ENABLED, "false", why, sizeof why), 0);
    assert_false(l.lockout_enabled);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_ENABLED, "no", why, sizeof why), -1);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_SHIELDS, "user_notification", why, sizeof why), 0);
    assert_false(l.lockout_block);
    assert_true(l.lockout_notify);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_SHIELDS, "", why, sizeof why), 0);
    assert_false(l.lockout_block || l.lockout_notify);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_SHIELDS, "block,block", why, sizeof why), -1);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_SHIELDS, "admin_notification", why, sizeof why),
                     -1);
    assert_int_equal(
        tsr_tl_parse(&l, TSR_TL_IP_SHIELDS, "admin_notification,block", why, sizeof why), 0);
    assert_true(l.ip_block && l.ip_notify_admin);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_IP_ALLOWLIST, "10.0.0.0/8,2001:db8::/32,192.0.2.1",
                                  why, sizeof why),
                     0);
    assert_int_equal(l.nip_allow, 3);
    tsr_cidr_format(&l.ip_allow[0], text, sizeof text);
    assert_string_equal(text, "10.0.0.0/8");
    tsr_cidr_format(&l.ip_allow[1], text, sizeof text);
    assert_string_equal(text, "2001:db8::/32");
    tsr_cidr_format(&l.ip_allow[2], text, sizeof text);
    assert_string_equal(text, "192.0.2.1");
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_IP_ALLOWLIST, "", why, sizeof why), 0);
    assert_int_equal(l.nip_allow, 0);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_IP_ALLOWLIST, "10.0.0.1/8", why, sizeof why), -1);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_ALLOWLIST, "example.com", why, sizeof why), -1);
}

static void test_allowlist_bound(void **state)
{
    (void)state;
    struct tsr_limits l;
    char why[192], list[TSR_LIMITS_MAX_ALLOW * 16 + 32] = "";
    size_t len = 0;
    tsr_limits_defaults(&l);
    for (int i = 0; i < TSR_LIMITS_MAX_ALLOW; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s10.0.%d.0/24", i ? "," : "", i);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_ALLOWLIST, list, why, sizeof why), 0);
    assert_int_equal(l.nlockout_allow, TSR_LIMITS_MAX_ALLOW);
    snprintf(list + len, sizeof list - len, ",192.0.2.0/24");
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_ALLOWLIST, list, why, sizeof why), -1);
    assert_non_null(strstr(why, "at most 100"));
}

/* The merge: the server's value wherever the tenant stores none. */
static void test_apply(void **state)
{
    (void)state;
    struct tsr_limits server, eff;
    struct tsr_tenant_limits tl = {0};
    char why[256];
    tsr_limits_defaults(&server);
    server.per_ip[TSR_RATE_LOGIN] = (struct tsr_rate){1000, 1};
    server.lockout_attempts = 7;

    assert_int_equal(tsr_tenant_limits_apply(&tl, &server, &eff, why, sizeof why), 0);
    assert_memory_equal(&eff, &server, sizeof eff);

    tl.value[TSR_TL_LOGIN_IP] = strdup("3/3600");
    tl.value[TSR_TL_BF_ENABLED] = strdup("false");
    assert_int_equal(tsr_tenant_limits_apply(&tl, &server, &eff, why, sizeof why), 0);
    assert_int_equal(eff.per_ip[TSR_RATE_LOGIN].count, 3);
    assert_int_equal(eff.per_ip[TSR_RATE_LOGIN].seconds, 3600);
    assert_int_equal(eff.per_ip[TSR_RATE_SIGNUP].count, server.per_ip[TSR_RATE_SIGNUP].count);
    assert_int_equal(eff.lockout_attempts, 7);
    assert_false(eff.lockout_enabled);
    assert_true(eff.ip_enabled);
    assert_memory_equal(eff.proxies, server.proxies, sizeof eff.proxies);

    /* Back to the server's value, key by key. */
    tsr_tl_copy(&eff, &server, TSR_TL_LOGIN_IP);
    assert_int_equal(eff.per_ip[TSR_RATE_LOGIN].count, 1000);
    tsr_tl_copy(&eff, &server, TSR_TL_BF_ENABLED);
    assert_true(eff.lockout_enabled);

    /* A stored value that does not parse names its key. */
    free(tl.value[TSR_TL_LOGIN_IP]);
    tl.value[TSR_TL_LOGIN_IP] = strdup("lots");
    assert_int_equal(tsr_tenant_limits_apply(&tl, &server, &eff, why, sizeof why), TSR_EINVAL);
    assert_non_null(strstr(why, "rate-limit-login-per-ip"));
    tsr_tenant_limits_cleanup(&tl);
    for (int k = 0; k < TSR_TL_COUNT; k++)
        assert_null(tl.value[k]);
}

/* What the readers use: the per-address rates and the lockout after the switches. */
static void test_switches(void **state)
{
    (void)state;
    struct tsr_limits l;
    char why[128];
    tsr_limits_defaults(&l);
    struct tsr_cidr a = addr("198.51.100.7"), b = addr("10.1.2.3");
    assert_int_equal(tsr_limits_ip_rate(&l, TSR_RATE_LOGIN, &a).count, 100);
    assert_int_equal(tsr_limits_ip_rate(&l, TSR_RATE_SIGNUP, NULL).count, 30);
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_IP_ALLOWLIST, "10.0.0.0/8", why, sizeof why), 0);
    assert_int_equal(tsr_limits_ip_rate(&l, TSR_RATE_LOGIN, &b).count, 0);
    assert_int_equal(tsr_limits_ip_rate(&l, TSR_RATE_LOGIN, &a).count, 100);
    /* Reset requests are not suspicious IP throttling's: the allowlist and switches leave them. */
    assert_int_equal(tsr_limits_ip_rate(&l, TSR_RATE_RESET, &b).count, 20);
    l.ip_block = false;
    assert_int_equal(tsr_limits_ip_rate(&l, TSR_RATE_LOGIN, &a).count, 0);
    l.ip_block = true;
    l.ip_enabled = false;
    assert_int_equal(tsr_limits_ip_rate(&l, TSR_RATE_SIGNUP, &a).count, 0);
    assert_int_equal(tsr_limits_ip_rate(&l, TSR_RATE_RESET, &a).count, 20);

    assert_true(tsr_limits_lockout_counts(&l, "198.51.100.7"));
    assert_true(tsr_limits_lockout_counts(&l, "not an address"));
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_ALLOWLIST, "2001:db8::/32", why, sizeof why), 0);
    assert_false(tsr_limits_lockout_counts(&l, "2001:db8:1::5"));
    assert_true(tsr_limits_lockout_counts(&l, "2001:db9::5"));
    l.lockout_enabled = false;
    assert_false(tsr_limits_lockout_counts(&l, "198.51.100.7"));
    l.lockout_enabled = true;
    l.lockout_attempts = 0;
    assert_false(tsr_limits_lockout_counts(&l, "198.51.100.7"));
}

static void failed(struct people *p, const char *name, const char *ip)
{
    struct tsr_event e = {.type = "fp",
                          .description = "Wrong email or password.",
                          .user_name = name,
                          .connection = "db"};
    tsr_event_insert(p->st, p->tenant_id, ip, "test", &e);
}

/* The lockout under a tenant's brute-force settings. */
static void test_lockout_switches(void **state)
{
    struct people *p = *state;
    const char *tid = p->tenant_id;
    struct tsr_limits l;
    char why[128];
    bool locked = false;
    struct tsr_lockout_block *list = NULL;
    size_t n = 0;
    tsr_limits_defaults(&l);
    l.lockout_attempts = 2;
    failed(p, "fay", "203.0.113.9");
    failed(p, "fay", "203.0.113.9");
    failed(p, "fay", "2001:db8:5:6::1");
    failed(p, "fay", "2001:db8:5:6::2");
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "fay", "203.0.113.9", &locked), 0);
    assert_true(locked);
    assert_int_equal(tsr_lockout_blocks(p->st, &l, tid, "fay", &list, &n), 0);
    assert_int_equal(n, 2);
    tsr_lockout_blocks_free(list, n);

    /* Without the block shield the count goes on (the notice) but nothing is refused. */
    l.lockout_block = false;
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "fay", "203.0.113.9", &locked), 0);
    assert_false(locked);
    assert_true(tsr_lockout_just_locked(p->st, &l, tid, "fay", "203.0.113.9"));
    assert_int_equal(tsr_lockout_blocks(p->st, &l, tid, "fay", &list, &n), 0);
    assert_int_equal(n, 0);
    tsr_lockout_blocks_free(list, n);
    l.lockout_block = true;

    /* An allowlisted network is never locked, nor listed. */
    assert_int_equal(tsr_tl_parse(&l, TSR_TL_BF_ALLOWLIST, "203.0.113.0/24", why, sizeof why), 0);
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "fay", "203.0.113.9", &locked), 0);
    assert_false(locked);
    assert_false(tsr_lockout_just_locked(p->st, &l, tid, "fay", "203.0.113.9"));
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "fay", "2001:db8:5:6::3", &locked), 0);
    assert_true(locked);
    assert_int_equal(tsr_lockout_blocks(p->st, &l, tid, "fay", &list, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].ip, "2001:db8:5:6::/64");
    tsr_lockout_blocks_free(list, n);

    /* Disabled: no lock anywhere. */
    l.lockout_enabled = false;
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "fay", "2001:db8:5:6::3", &locked), 0);
    assert_false(locked);
}

/* The rows: written, read back, removed; other tenants and unknown names apart. */
static void test_store(void **state)
{
    struct people *p = *state;
    struct tsr_tenant_limits changes = {0}, got;
    bool set[TSR_TL_COUNT] = {false};
    changes.value[TSR_TL_LOGIN_IP] = strdup("3/60");
    changes.value[TSR_TL_BF_ALLOWLIST] = strdup("10.0.0.0/8");
    set[TSR_TL_LOGIN_IP] = set[TSR_TL_BF_ALLOWLIST] = true;
    assert_int_equal(tsr_tenant_limits_write(p->st, p->tenant_id, &changes, set), 0);
    assert_int_equal(tsr_tenant_limits_load(p->st, p->tenant_id, &got), 0);
    assert_string_equal(got.value[TSR_TL_LOGIN_IP], "3/60");
    assert_string_equal(got.value[TSR_TL_BF_ALLOWLIST], "10.0.0.0/8");
    assert_null(got.value[TSR_TL_SIGNUP_IP]);
    tsr_tenant_limits_cleanup(&got);

    /* A value replaced, another removed (NULL), the rest untouched. */
    free(changes.value[TSR_TL_LOGIN_IP]);
    changes.value[TSR_TL_LOGIN_IP] = strdup("off");
    free(changes.value[TSR_TL_BF_ALLOWLIST]);
    changes.value[TSR_TL_BF_ALLOWLIST] = NULL;
    assert_int_equal(tsr_tenant_limits_write(p->st, p->tenant_id, &changes, set), 0);
    assert_int_equal(tsr_tenant_limits_load(p->st, p->tenant_id, &got), 0);
    assert_string_equal(got.value[TSR_TL_LOGIN_IP], "off");
    assert_null(got.value[TSR_TL_BF_ALLOWLIST]);
    tsr_tenant_limits_cleanup(&got);

    /* A name this version does not know is skipped; another tenant sees nothing. */
    assert_int_equal(tsr_store_run(p->st, NULL,
                                   "INSERT INTO tenant_limits (tenant_id, name, value) VALUES (?, "
                                   "'from-the-future', 'x')",
                                   "s", p->tenant_id),
                     0);
    assert_int_equal(tsr_tenant_limits_load(p->st, p->tenant_id, &got), 0);
    assert_string_equal(got.value[TSR_TL_LOGIN_IP], "off");
    tsr_tenant_limits_cleanup(&got);
    assert_int_equal(tsr_tenant_limits_load(p->st, "no-such-tenant", &got), 0);
    for (int k = 0; k < TSR_TL_COUNT; k++)
        assert_null(got.value[k]);
    tsr_tenant_limits_cleanup(&changes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_allowlist_bound),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_switches),
        cmocka_unit_test_setup_teardown(test_lockout_switches, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_store, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
