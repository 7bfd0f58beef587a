/*
 * test_session.c - sessions and login transactions from plain values (no
 * HTTP request): the browser's cookie goes in and the one to set comes
 * out; a login replaces the old session; a transaction is bound to the
 * browser that started it and is single use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/login_tx.h"
#include "core/session.h"
#include "core/user.h"
#include "util/err.h"

#include "fixture_people.h"

struct fixture {
    struct people *p;
    struct tsr_tenant_ctx tenant;
    struct tsr_who who;
    char *user_id;
};

static int setup(void **state)
{
    void *people = NULL;
    people_setup(&people);
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->p = people;
    f->tenant.t.id = f->p->tenant_id;
    f->tenant.t.session_lifetime = 3600;
    f->tenant.t.idle_session_lifetime = 600;
    f->who = (struct tsr_who){.tenant = &f->tenant,
                              .store = f->p->st,
                              .request_id = "test",
                              .ip = "192.0.2.1",
                              .user_agent = "test"};
    struct tsr_user u;
    assert_int_equal(tsr_user_init_new(&u, f->p->tenant_id, f->p->conn.id), 0);
    u.email = strdup("s@example.com");
    assert_int_equal(tsr_user_insert(f->p->st, &u), 0);
    f->user_id = strdup(u.user_id);
    tsr_user_cleanup(&u);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    void *people = f->p;
    free(f->user_id);
    free(f);
    return people_teardown(&people);
}

static void test_session(void **state)
{
    struct fixture *f = *state;
    struct tsr_session s = {0};
    char first[64], second[64];
    bool forget = true;

    assert_int_equal(tsr_session_current(&f->who, NULL, &s), TSR_ENOTFOUND);
    assert_int_equal(tsr_session_end(&f->who, NULL, &s, &forget), 0);
    assert_false(forget);

    assert_int_equal(tsr_session_start(&f->who, NULL, f->user_id, &s, first), 0);
    assert_int_equal(strlen(first), 43);
    assert_string_equal(s.user_id, f->user_id);
    assert_int_equal(s.expires_at - s.created_at, 3600);
    char *sid = strdup(s.sid);
    tsr_session_cleanup(&s);

    assert_int_equal(tsr_session_current(&f->who, first, &s), 0);
    assert_string_equal(s.sid, sid);
    tsr_session_cleanup(&s);
    assert_int_equal(tsr_session_current(&f->who, "not-a-session", &s), TSR_ENOTFOUND);

    /* A login with the old cookie replaces that session (no fixation). */
    assert_int_equal(tsr_session_start(&f->who, first, f->user_id, &s, second), 0);
    assert_string_not_equal(s.sid, sid);
    tsr_session_cleanup(&s);
    assert_int_equal(tsr_session_current(&f->who, first, &s), TSR_ENOTFOUND);

    assert_int_equal(tsr_session_end(&f->who, second, &s, &forget), 0);
    assert_true(forget);
    assert_non_null(s.sid);
    tsr_session_cleanup(&s);
    assert_int_equal(tsr_session_current(&f->who, second, &s), TSR_ENOTFOUND);
    free(sid);
}

static void test_login_tx(void **state)
{
    struct fixture *f = *state;
    struct tsr_authz_request ar = {.client_id = "cid", .state = "st", .max_age = -1};
    struct tsr_login_tx tx = {0};
    char *handle = NULL, *again = NULL;
    char browser[64], reused[64];

    /* A browser without the cookie gets one; one with it keeps it. */
    assert_int_equal(tsr_login_tx_create(&f->who, NULL, &ar, &handle, browser), 0);
    assert_int_equal(strlen(browser), 43);
    assert_int_equal(tsr_login_tx_create(&f->who, browser, &ar, &again, reused), 0);
    assert_string_equal(reused, "");

    assert_int_equal(tsr_login_tx_load(&f->who, NULL, handle, &tx), TSR_ENOTFOUND);
    assert_int_equal(tsr_login_tx_load(&f->who, "another-browser", handle, &tx), TSR_ENOTFOUND);
    assert_int_equal(tsr_login_tx_load(&f->who, browser, handle, &tx), 0);
    assert_string_equal(tx.ar.client_id, "cid");
    assert_string_equal(tx.ar.state, "st");
    assert_null(tx.user_id);
    assert_true(tsr_login_tx_csrf_ok(&tx, tx.csrf));
    assert_false(tsr_login_tx_csrf_ok(&tx, "wrong"));

    assert_int_equal(tsr_login_tx_set_user(&f->who, &tx, f->user_id), 0);
    tsr_login_tx_cleanup(&tx);
    assert_int_equal(tsr_login_tx_load(&f->who, browser, handle, &tx), 0);
    assert_string_equal(tx.user_id, f->user_id);

    /* Single use; the other transaction of the same browser stays. */
    assert_int_equal(tsr_login_tx_finish(&f->who, &tx), 0);
    tsr_login_tx_cleanup(&tx);
    assert_int_equal(tsr_login_tx_load(&f->who, browser, handle, &tx), TSR_ENOTFOUND);
    assert_int_equal(tsr_login_tx_load(&f->who, browser, again, &tx), 0);
    tsr_login_tx_cleanup(&tx);
    free(handle);
    free(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_tx, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
