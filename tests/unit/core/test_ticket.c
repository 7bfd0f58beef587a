/*
 * test_ticket.c - tickets: found by their secret and kind only, single
 * use, expired ones reported as such, email verification bound to the
 * address the ticket was made for, and the URLs around them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/ticket.h"
#include "core/user.h"
#include "util/err.h"
#include "util/secure.h"

#include "fixture_people.h"

static void add_user(struct people *p, struct tsr_user *u, const char *email)
{
    memset(u, 0, sizeof *u);
    assert_int_equal(tsr_user_init_new(u, p->tenant_id, p->conn.id), 0);
    u->email = strdup(email);
    assert_int_equal(tsr_user_insert(p->st, u), 0);
}

static bool email_verified(struct people *p, const char *user_id)
{
    struct tsr_user u = {0};
    assert_int_equal(tsr_user_get(p->st, p->tenant_id, user_id, &u), 0);
    bool v = u.email_verified;
    tsr_user_cleanup(&u);
    return v;
}

static void test_password_ticket(void **state)
{
    struct people *p = *state;
    struct tsr_user u;
    add_user(p, &u, "t@example.com");

    char *secret = NULL;
    struct tsr_ticket t;
    struct tsr_ticket_opts o = {.kind = TSR_TICKET_PASSWORD,
                                .email = u.email,
                                .result_url = "https://app.example.com/",
                                .client_id = "cid",
                                .mark_email_verified = true,
                                .include_email = true};
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, &o, &secret), 0);
    assert_int_equal(strlen(secret), 43);
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret, &t), 0);
    assert_int_equal(t.state, TSR_TICKET_LIVE);
    assert_string_equal(t.user_id, u.user_id);
    assert_string_equal(t.email, "t@example.com");
    assert_string_equal(t.result_url, "https://app.example.com/");
    assert_string_equal(t.client_id, "cid");
    assert_true(t.mark_email_verified);
    assert_true(t.include_email);
    tsr_ticket_cleanup(&t);
    /* Only the hash is stored. */
    int64_t n = -1;
    assert_int_equal(
        tsr_store_run(p->st, &n, "DELETE FROM password_tickets WHERE ticket = ?", "s", secret), 0);
    assert_int_equal(n, 0);

    /* The other kind's lookups do not see it. */
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_EMAIL, secret, &t),
                     TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, TSR_TICKET_EMAIL, secret),
                     TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_verify_email(p->st, p->tenant_id, secret), TSR_ENOTFOUND);
    assert_false(email_verified(p, u.user_id));

    char wrong[44];
    memcpy(wrong, secret, 44);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_PASSWORD, wrong, &t),
                     TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_PASSWORD, "short", &t),
                     TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret), 0);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret),
                     TSR_ENOTFOUND);
    /* A used ticket is still found, as used. */
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret, &t), 0);
    assert_int_equal(t.state, TSR_TICKET_USED);
    tsr_ticket_cleanup(&t);
    free(secret);

    /* Expired: reported as such, and cannot be consumed. */
    struct tsr_ticket_opts plain = {.kind = TSR_TICKET_PASSWORD, .ttl = 60};
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, &plain, &secret), 0);
    assert_int_equal(tsr_store_run(p->st, NULL, "UPDATE password_tickets SET expires_at = 1", ""),
                     0);
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret, &t), 0);
    assert_int_equal(t.state, TSR_TICKET_EXPIRED);
    assert_string_equal(t.result_url, "");
    tsr_ticket_cleanup(&t);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret),
                     TSR_ENOTFOUND);

    /* Long expired tickets go when the next one is made; recently expired ones stay. */
    char *recent = NULL, *next = NULL, hash[65];
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, &plain, &recent), 0);
    assert_int_equal(tsr_sha256_hex(recent, hash), 0);
    assert_int_equal(tsr_store_run(p->st, NULL,
                                   "UPDATE password_tickets SET expires_at = ? WHERE ticket = ?",
                                   "is", (int64_t)time(NULL) - 60, hash),
                     0);
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, &plain, &next), 0);
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret, &t),
                     TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_PASSWORD, recent, &t), 0);
    assert_int_equal(t.state, TSR_TICKET_EXPIRED);
    tsr_ticket_cleanup(&t);
    assert_int_equal(tsr_ticket_delete(p->st, p->tenant_id, next), 0);
    assert_int_equal(tsr_ticket_delete(p->st, p->tenant_id, next), TSR_ENOTFOUND);
    free(next);
    free(recent);
    free(secret);

    /* A lifetime over the maximum is refused before anything is stored. */
    plain.ttl = TSR_TICKET_MAX_TTL + 1;
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, &plain, &secret),
                     TSR_EINVAL);
    assert_null(secret);
    tsr_user_cleanup(&u);
}

static void test_email_ticket(void **state)
{
    struct people *p = *state;
    struct tsr_user u;
    add_user(p, &u, "v@example.com");
    struct tsr_ticket_opts o = {.kind = TSR_TICKET_EMAIL, .email = u.email};
    char *secret = NULL, *stale = NULL;

    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, &o, &secret), 0);
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, &o, &stale), 0);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, TSR_TICKET_PASSWORD, secret),
                     TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_verify_email(p->st, p->tenant_id, secret), 0);
    assert_true(email_verified(p, u.user_id));
    assert_int_equal(tsr_ticket_verify_email(p->st, p->tenant_id, secret), TSR_ENOTFOUND);

    /* The address changed since the ticket was made: nothing is written, the ticket stays live. */
    free(u.email);
    u.email = strdup("new@example.com");
    u.email_verified = false;
    assert_int_equal(tsr_user_update(p->st, &u), 0);
    assert_int_equal(tsr_ticket_verify_email(p->st, p->tenant_id, stale), TSR_ECONFLICT);
    assert_false(email_verified(p, u.user_id));
    struct tsr_ticket t;
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, TSR_TICKET_EMAIL, stale, &t), 0);
    assert_int_equal(t.state, TSR_TICKET_LIVE);
    tsr_ticket_cleanup(&t);

    /* A ticket made without an address verifies nothing. */
    char *blank = NULL;
    struct tsr_ticket_opts none = {.kind = TSR_TICKET_EMAIL};
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, &none, &blank), 0);
    assert_int_equal(tsr_ticket_verify_email(p->st, p->tenant_id, blank), TSR_ECONFLICT);
    assert_false(email_verified(p, u.user_id));

    /* Another tenant's lookup finds nothing. */
    assert_int_equal(tsr_ticket_verify_email(p->st, "ten_other", stale), TSR_ENOTFOUND);
    free(blank);
    free(stale);
    free(secret);
    tsr_user_cleanup(&u);
}

static void test_urls(void **state)
{
    (void)state;
    char *s = tsr_ticket_url("https://id.example.com/dev/", TSR_TICKET_EMAIL, "abc_-9");
    assert_string_equal(s, "https://id.example.com/dev/u/email-verification?ticket=abc_-9");
    free(s);
    s = tsr_ticket_url("https://id.example.com/", TSR_TICKET_PASSWORD, "x");
    assert_string_equal(s, "https://id.example.com/u/reset-password?ticket=x");
    free(s);

    s = tsr_ticket_result_url("https://app.example.com/done", true, "It worked. Yes & no", NULL);
    assert_string_equal(s, "https://app.example.com/done?success=true&message=It%20worked.%20Yes"
                           "%20%26%20no");
    free(s);
    s = tsr_ticket_result_url("https://app.example.com/done?lang=fr", false, "No", "a+b@c.com");
    assert_string_equal(s, "https://app.example.com/done?lang=fr&success=false&message=No"
                           "&email=a%2Bb%40c.com");
    free(s);
    s = tsr_ticket_result_url("https://app.example.com/#/done", true, "ok", "");
    assert_string_equal(s, "https://app.example.com/?success=true&message=ok#/done");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_password_ticket, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_email_ticket, people_setup, people_teardown),
        cmocka_unit_test(test_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
