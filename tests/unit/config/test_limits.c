/*
 * test_limits.c - the limit settings (rates, trusted proxy networks,
 * account throttle) through the settings loader, address matching, the
 * backoff, and the database counters of core/rate_limit.c and
 * core/throttle.c on an in-memory store.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_people.h"

#include "config/limits.h"
#include "config/settings.h"
#include "core/event.h"
#include "core/lockout.h"
#include "core/rate_limit.h"
#include "core/throttle.h"
#include "core/user.h"
#include "util/err.h"
#include "util/ipnet.h"

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

static int load(struct tsr_settings *s, char *err, size_t errlen, const char *a, const char *b)
{
    char *argv[2] = {(char *)a, (char *)b};
    return tsr_settings_load(s, b ? 2 : 1, argv, no_env, err, errlen);
}

static bool contains(const struct tsr_limits *l, const char *addr)
{
    struct tsr_cidr a;
    assert_int_equal(tsr_cidr_parse_addr(addr, &a), 0);
    return tsr_cidr_contains(l->proxies, l->nproxies, &a);
}

static void test_defaults(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];
    assert_int_equal(tsr_settings_load(&s, 0, NULL, no_env, err, sizeof err), 0);
    const struct tsr_limits *l = &s.limits;
    assert_int_equal(l->mgmt_per_client.count, 200);
    assert_int_equal(l->mgmt_per_client.seconds, 1);
    assert_int_equal(l->per_ip[TSR_RATE_LOGIN].count, 100);
    assert_int_equal(l->reset_per_account.count, 3);
    assert_int_equal(l->reset_per_account.seconds, 3600);
    assert_int_equal(l->throttle_failures, 10);
    assert_false(s.trusted_proxies_set);
    /* Loopback and private ranges, IPv4 and IPv6; nothing public. */
    assert_true(contains(l, "127.0.0.1"));
    assert_true(contains(l, "::1"));
    assert_true(contains(l, "10.20.30.40"));
    assert_true(contains(l, "172.31.255.255"));
    assert_false(contains(l, "172.32.0.1"));
    assert_true(contains(l, "192.168.1.1"));
    assert_true(contains(l, "fd00::1"));
    assert_true(contains(l, "::ffff:10.0.0.1"));
    assert_false(contains(l, "198.51.100.7"));
    assert_false(contains(l, "2001:db8::1"));
}

static void test_parse(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];
    assert_int_equal(load(&s, err, sizeof err, "--rate-limit-login-per-ip", "5/3600"), 0);
    assert_int_equal(s.limits.per_ip[TSR_RATE_LOGIN].count, 5);
    assert_int_equal(s.limits.per_ip[TSR_RATE_LOGIN].seconds, 3600);
    assert_int_equal(load(&s, err, sizeof err, "--rate-limit-signup-per-tenant=off", NULL), 0);
    assert_int_equal(s.limits.per_tenant[TSR_RATE_SIGNUP].count, 0);
    assert_int_equal(load(&s, err, sizeof err, "--rate-limit-reset-per-account", "1/60"), 0);
    assert_int_equal(s.limits.reset_per_account.count, 1);
    assert_int_equal(s.limits.reset_per_account.seconds, 60);
    assert_int_equal(load(&s, err, sizeof err, "--account-throttle-failures=0", NULL), 0);
    assert_int_equal(s.limits.throttle_failures, 0);
    assert_int_equal(load(&s, err, sizeof err, "--lockout-attempts", "5"), 0);
    assert_int_equal(s.limits.lockout_attempts, 5);
    assert_int_equal(s.limits.lockout_window, 900);
    assert_int_equal(
        load(&s, err, sizeof err, "--trusted-proxies", "203.0.113.0/24, 2001:db8::/32 ,192.0.2.1"),
        0);
    assert_true(s.trusted_proxies_set);
    assert_int_equal(s.limits.nproxies, 3);
    assert_true(contains(&s.limits, "203.0.113.200"));
    assert_true(contains(&s.limits, "2001:db8:ffff::1"));
    assert_true(contains(&s.limits, "192.0.2.1"));
    assert_false(contains(&s.limits, "192.0.2.2"));
    assert_false(contains(&s.limits, "127.0.0.1"));

    const char *bad[][2] = {
        {"--rate-limit-login-per-ip", "5"},
        {"--rate-limit-login-per-ip", "0/60"},
        {"--rate-limit-reset-per-ip", "5/0"},
        {"--rate-limit-reset-per-account", "-1/3600"},
        {"--rate-limit-mgmt-per-client", "x/1"},
        {"--rate-limit-mgmt-per-client", "1/999999999"},
        {"--trusted-proxies", "10.0.0.1/8"},
        {"--trusted-proxies", "10.0.0.0/33"},
        {"--trusted-proxies", "example.com"},
        {"--trusted-proxies", ","},
        {"--account-throttle-delay", "0"},
        {"--lockout-window", "59"},
        {"--account-throttle-max-delay", "-1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(load(&s, err, sizeof err, bad[i][0], bad[i][1]), TSR_EINVAL);
        if (strstr(err, bad[i][0]) == NULL)
            fail_msg("%s %s: message \"%s\" does not name the setting", bad[i][0], bad[i][1], err);
    }
}

static void test_warning(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];
    char warn[4][TSR_SETTINGS_WARN_LEN];
    assert_int_equal(load(&s, err, sizeof err, "--trusted-proxies=10.0.0.0/8", NULL), 0);
    assert_int_equal(tsr_settings_warnings(&s, warn, 4), 1);
    assert_non_null(strstr(warn[0], "--trust-proxy"));
}

static void test_backoff(void **state)
{
    (void)state;
    struct tsr_limits l;
    tsr_limits_defaults(&l);
    l.throttle_failures = 3;
    l.throttle_delay = 10;
    l.throttle_max_delay = 70;
    assert_int_equal(tsr_limits_throttle_delay(&l, 2), 0);
    assert_int_equal(tsr_limits_throttle_delay(&l, 3), 10);
    assert_int_equal(tsr_limits_throttle_delay(&l, 4), 20);
    assert_int_equal(tsr_limits_throttle_delay(&l, 5), 40);
    assert_int_equal(tsr_limits_throttle_delay(&l, 6), 70);
    assert_int_equal(tsr_limits_throttle_delay(&l, 1000000), 70);
    l.throttle_failures = 0;
    assert_int_equal(tsr_limits_throttle_delay(&l, 1000000), 0);
}

/* The client tsr_cidr_forwarded_client finds behind peer, as text. */
static const char *walk(const struct tsr_limits *l, const char *peer, const char *xff)
{
    static char text[64];
    struct tsr_cidr p, out;
    assert_int_equal(tsr_cidr_parse_addr(peer, &p), 0);
    tsr_cidr_forwarded_client(xff, strlen(xff), &p, l->proxies, l->nproxies, &out);
    assert_non_null(inet_ntop(out.family == 4 ? AF_INET : AF_INET6, out.addr, text, sizeof text));
    return text;
}

static void test_forwarded(void **state)
{
    (void)state;
    struct tsr_limits l;
    tsr_limits_defaults(&l);
    /* An untrusted peer: the header does not count. */
    assert_string_equal(walk(&l, "198.51.100.1", "10.0.0.1"), "198.51.100.1");
    assert_string_equal(walk(&l, "127.0.0.1", ""), "127.0.0.1");
    assert_string_equal(walk(&l, "127.0.0.1", "198.51.100.7"), "198.51.100.7");
    /* What the client wrote left of its real address never counts, trusted-looking or not. */
    assert_string_equal(walk(&l, "127.0.0.1", "10.0.0.5, 203.0.113.9, 198.51.100.8"),
                        "198.51.100.8");
    assert_string_equal(walk(&l, "10.0.0.2", "198.51.100.9 ,10.1.1.1,\t192.168.0.3"),
                        "198.51.100.9");
    /* All trusted: the leftmost. */
    assert_string_equal(walk(&l, "127.0.0.1", "10.0.0.7, 10.0.0.8"), "10.0.0.7");
    /* Not an address: the walk stops at the last good hop. */
    assert_string_equal(walk(&l, "127.0.0.1", "198.51.100.1, junk"), "127.0.0.1");
    assert_string_equal(walk(&l, "127.0.0.1", "junk, 10.0.0.3"), "10.0.0.3");
    assert_string_equal(walk(&l, "127.0.0.1", "198.51.100.1,,10.0.0.3"), "10.0.0.3");
    assert_string_equal(walk(&l, "127.0.0.1", "1.2.3.4:80"), "127.0.0.1");
    assert_string_equal(walk(&l, "::1", "2001:db8::1"), "2001:db8::1");
    assert_string_equal(walk(&l, "::ffff:127.0.0.1", "::ffff:198.51.100.3"), "198.51.100.3");
}

static void test_ip_bucket(void **state)
{
    (void)state;
    char b[128];
    tsr_rate_ip_bucket("login", "198.51.100.7", b, sizeof b);
    assert_string_equal(b, "login ip 198.51.100.7");
    tsr_rate_ip_bucket("login", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", b, sizeof b);
    assert_string_equal(b, "login ip 2001:db8:1:2::/64");
    char n[TSR_IP_NET_MAX];
    tsr_ip_net("2001:db8:1:2::9", n, sizeof n);
    assert_string_equal(n, "2001:db8:1:2::/64");
    tsr_ip_net("198.51.100.7", n, sizeof n);
    assert_string_equal(n, "198.51.100.7");
    tsr_ip_net("unknown", n, sizeof n);
    assert_string_equal(n, "unknown");
}

static void failed(struct people *p, const char *type, const char *name, const char *ip)
{
    struct tsr_event e = {.type = type, .description = "Wrong email or password.",
                          .user_name = name, .connection = "db"};
    tsr_event_insert(p->st, p->tenant_id, ip, "test", &e);
}

/* The per-address lockout: per name and network (an IPv6 /64), failing closed. */
static void test_lockout(void **state)
{
    struct people *p = *state;
    struct tsr_limits l;
    tsr_limits_defaults(&l);
    l.lockout_attempts = 3;
    l.lockout_window = 3600;
    const char *tid = p->tenant_id;
    bool locked = true;
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "dave", "2001:db8:1:2::1", &locked), 0);
    assert_false(locked);
    /* Three addresses of one /64, and names no account has count alike. */
    failed(p, "fp", "dave", "2001:db8:1:2::1");
    failed(p, "fu", "Dave", "2001:db8:1:2::2");
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "DAVE", "2001:db8:1:2::3", &locked), 0);
    assert_false(locked);
    failed(p, "fp", "dave", "2001:db8:1:2:ffff::3");
    assert_true(tsr_lockout_just_locked(p->st, &l, tid, "dave", "2001:db8:1:2::77"));
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "dave", "2001:db8:1:2::9", &locked), 0);
    assert_true(locked);
    /* Another /64, another address, another name: not locked. */
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "dave", "2001:db8:1:3::1", &locked), 0);
    assert_false(locked);
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "dave", "198.51.100.7", &locked), 0);
    assert_false(locked);
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "erin", "2001:db8:1:2::1", &locked), 0);
    assert_false(locked);
    struct tsr_lockout_block *list = NULL;
    size_t n = 0;
    assert_int_equal(tsr_lockout_blocks(p->st, &l, tid, "dave", &list, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].ip, "2001:db8:1:2::/64");
    tsr_lockout_blocks_free(list, n);
    /* A release of the name's blocks ends the count. */
    struct tsr_event r = {.type = "ublkdu", .description = "released", .user_name = "dave"};
    tsr_event_insert(p->st, tid, "203.0.113.1", "test", &r);
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "dave", "2001:db8:1:2::9", &locked), 0);
    assert_false(locked);
    /* Turned off: never locked. */
    l.lockout_attempts = 0;
    assert_int_equal(tsr_lockout_check(p->st, &l, tid, "dave", "2001:db8:1:2::9", &locked), 0);
    assert_false(locked);
}

static void test_rate_hit(void **state)
{
    struct people *p = *state;
    struct tsr_rate r = {3, 100};
    bool over = true;
    int64_t wait = -1;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tsr_rate_hit(p->st, p->tenant_id, "b", &r, 1000 + i, &over, &wait), 0);
        assert_false(over);
    }
    assert_int_equal(tsr_rate_hit(p->st, p->tenant_id, "b", &r, 1010, &over, &wait), 0);
    assert_true(over);
    assert_int_equal(wait, 90); /* the window started at the first request */
    /* Another bucket is apart; the window's end starts a new one. */
    assert_int_equal(tsr_rate_hit(p->st, p->tenant_id, "c", &r, 1010, &over, &wait), 0);
    assert_false(over);
    assert_int_equal(tsr_rate_hit(p->st, p->tenant_id, "b", &r, 1100, &over, &wait), 0);
    assert_false(over);
    struct tsr_rate off = {0, 1};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tsr_rate_hit(p->st, p->tenant_id, "d", &off, 1000, &over, &wait), 0);
        assert_false(over);
    }
    /* A store failure is an error, never a pass. */
    tsr_store_fail_after(1);
    assert_int_not_equal(tsr_rate_hit(p->st, p->tenant_id, "b", &r, 1101, &over, &wait), 0);
    tsr_store_fail_after(0);
}

/* The mails a stranger causes count per account and kind, whatever address asked. */
static void test_recipient(void **state)
{
    struct people *p = *state;
    struct tsr_limits l;
    tsr_limits_defaults(&l);
    l.reset_per_account = (struct tsr_rate){2, 3600};
    for (int i = 0; i < 2; i++)
        assert_int_equal(
            tsr_rate_limit_recipient(p->st, &l, p->tenant_id, "reset", "auth0|a", 5000 + i), 0);
    assert_int_equal(tsr_rate_limit_recipient(p->st, &l, p->tenant_id, "reset", "auth0|a", 5002),
                     TSR_EBUSY);
    assert_int_equal(tsr_rate_limit_recipient(p->st, &l, p->tenant_id, "reset", "auth0|a", 8599),
                     TSR_EBUSY);
    /* Another account, another kind: their own counts; the window's end starts afresh. */
    assert_int_equal(tsr_rate_limit_recipient(p->st, &l, p->tenant_id, "reset", "auth0|b", 5003),
                     0);
    assert_int_equal(tsr_rate_limit_recipient(p->st, &l, p->tenant_id, "locked", "auth0|a", 5003),
                     0);
    assert_int_equal(tsr_rate_limit_recipient(p->st, &l, p->tenant_id, "reset", "auth0|a", 8600),
                     0);
    /* off: no limit. */
    l.reset_per_account = (struct tsr_rate){0, 1};
    for (int i = 0; i < 5; i++)
        assert_int_equal(
            tsr_rate_limit_recipient(p->st, &l, p->tenant_id, "reset", "auth0|c", 5000), 0);
    /* A name too long to count apart is refused, and so is a store failure. */
    char longid[400];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    l.reset_per_account = (struct tsr_rate){2, 3600};
    assert_int_equal(tsr_rate_limit_recipient(p->st, &l, p->tenant_id, "reset", longid, 5000),
                     TSR_EINVAL);
    tsr_store_fail_after(1);
    assert_int_not_equal(
        tsr_rate_limit_recipient(p->st, &l, p->tenant_id, "reset", "auth0|d", 5000), 0);
    tsr_store_fail_after(0);
}

static void test_throttle(void **state)
{
    struct people *p = *state;
    struct tsr_limits l;
    tsr_limits_defaults(&l);
    l.throttle_failures = 2;
    l.throttle_delay = 60;
    l.throttle_max_delay = 600;

    struct tsr_user u;
    assert_int_equal(tsr_user_init_new(&u, p->tenant_id, p->conn.id), 0);
    u.email = tsr_user_email_lower("carol@example.com");
    u.username = strdup("carol");
    assert_int_equal(tsr_user_fill_defaults(&u), 0);
    assert_int_equal(tsr_user_insert(p->st, &u), 0);

    char by_email[TSR_THROTTLE_ACCOUNT_MAX], by_name[TSR_THROTTLE_ACCOUNT_MAX],
        nobody[TSR_THROTTLE_ACCOUNT_MAX];
    assert_int_equal(tsr_throttle_account(p->st, &p->conn, "CAROL@example.com", "192.0.2.1", by_email), 0);
    assert_int_equal(tsr_throttle_account(p->st, &p->conn, "carol", "2001:db8::1", by_name), 0);
    assert_string_equal(by_email, u.user_id);
    assert_string_equal(by_name, u.user_id);
    assert_int_equal(tsr_throttle_account(p->st, &p->conn, "Nobody@Example.com", "192.0.2.1", nobody), 0);
    assert_string_equal(nobody, "?nobody@example.com");

    int64_t wait = -1;
    const char *tid = p->tenant_id;
    /* Each attempt is reserved (counted) before its password is checked. */
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_email, 1000, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, by_name, 1000, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_name, 1001, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, by_email, 1001, &wait), 0);
    assert_int_equal(wait, 60);
    /* Refused while blocked, and the refusal counts nothing. */
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_email, 1031, &wait), 0);
    assert_int_equal(wait, 30);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_email, 1060, &wait), 0);
    assert_int_equal(wait, 1);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_name, 1061, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, by_email, 1061, &wait), 0);
    assert_int_equal(wait, 120);
    /* The doubling stops at the longest delay. */
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_name, 1181, &wait), 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, by_name, 1181, &wait), 0);
    assert_int_equal(wait, 240);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_name, 1421, &wait), 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, by_name, 1421, &wait), 0);
    assert_int_equal(wait, 480);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_name, 1901, &wait), 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, by_name, 1901, &wait), 0);
    assert_int_equal(wait, 600);
    /* Quiet for longer than the delay and max-delay: forgotten, counting starts again. */
    int64_t later = 1901 + 600 + 600;
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_name, later, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, by_email, later, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, by_name, later + 1, &wait), 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, by_email, later + 1, &wait), 0);
    assert_int_equal(wait, 60);
    /* A success (or a new password) forgets the reservations. */
    assert_int_equal(tsr_throttle_clear(p->st, tid, by_email), 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, by_email, later + 1, &wait), 0);
    assert_int_equal(wait, 0);
    /*
     * From the network of the user's last login, a count of its own: the
     * owner is not slowed down by guesses from elsewhere.  A release
     * forgets both.
     */
    assert_int_equal(tsr_user_record_login(p->st, &u, "2001:db8:5:6::1"), 0);
    char known[TSR_THROTTLE_ACCOUNT_MAX], elsewhere[TSR_THROTTLE_ACCOUNT_MAX];
    assert_int_equal(tsr_throttle_account(p->st, &p->conn, "carol", "2001:db8:5:6::99", known), 0);
    assert_int_equal(tsr_throttle_account(p->st, &p->conn, "carol", "2001:db8:5:7::1", elsewhere), 0);
    char expect[TSR_THROTTLE_ACCOUNT_MAX];
    snprintf(expect, sizeof expect, "%s 2001:db8:5:6::/64", u.user_id);
    assert_string_equal(known, expect);
    assert_string_equal(elsewhere, u.user_id);
    for (int i = 0; i < 2; i++)
        assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, elsewhere, later + 2, &wait), 0);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, elsewhere, later + 2, &wait), 0);
    assert_int_equal(wait, 60);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, known, later + 2, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, known, later + 2, &wait), 0);
    assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, known, later + 2, &wait), 0);
    assert_int_equal(wait, 60);
    assert_int_equal(tsr_throttle_clear_user(p->st, tid, u.user_id), 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, known, later + 2, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tsr_throttle_wait(p->st, tid, elsewhere, later + 2, &wait), 0);
    assert_int_equal(wait, 0);
    /* Turned off: nothing counted, never refused. */
    l.throttle_failures = 0;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tsr_throttle_reserve(p->st, &l, tid, nobody, later + 2, &wait), 0);
        assert_int_equal(wait, 0);
    }
    tsr_user_cleanup(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_warning),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_forwarded),
        cmocka_unit_test(test_ip_bucket),
        cmocka_unit_test_setup_teardown(test_rate_hit, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_recipient, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_throttle, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_lockout, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
