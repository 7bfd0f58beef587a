/*
 * test_ticket.c - password change tickets: found by their secret only,
 * single use, expired ones refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ticket.h"
#include "core/user.h"
#include "util/err.h"

#include "fixture_people.h"

static void test_ticket(void **state)
{
    struct people *p = *state;
    struct tsr_user u = {0};
    assert_int_equal(tsr_user_init_new(&u, p->tenant_id, p->conn.id), 0);
    u.email = strdup("t@example.com");
    assert_int_equal(tsr_user_insert(p->st, &u), 0);

    char *secret = NULL, *uid = NULL, *url = NULL;
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, "https://app.example.com/",
                                       TSR_TICKET_DEFAULT_TTL, &secret),
                     0);
    assert_int_equal(strlen(secret), 43);
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, secret, &uid, &url), 0);
    assert_string_equal(uid, u.user_id);
    assert_string_equal(url, "https://app.example.com/");
    free(uid);
    free(url);
    /* Only the hash is stored. */
    int64_t n = -1;
    assert_int_equal(tsr_store_run(p->st, &n, "DELETE FROM password_tickets WHERE ticket = ?",
                                   "s", secret),
                     0);
    assert_int_equal(n, 0);

    char wrong[44];
    memcpy(wrong, secret, 44);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, wrong, &uid, &url), TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, "short", &uid, &url), TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, secret), 0);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, secret), TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, secret, &uid, &url), TSR_ENOTFOUND);
    free(secret);

    /* Expired: a ticket whose expiry has passed is not found. */
    assert_int_equal(tsr_ticket_create(p->st, p->tenant_id, u.user_id, NULL, 60, &secret), 0);
    assert_int_equal(tsr_store_run(p->st, NULL, "UPDATE password_tickets SET expires_at = 1", ""),
                     0);
    assert_int_equal(tsr_ticket_find(p->st, p->tenant_id, secret, &uid, &url), TSR_ENOTFOUND);
    assert_int_equal(tsr_ticket_consume(p->st, p->tenant_id, secret), TSR_ENOTFOUND);
    free(secret);
    tsr_user_cleanup(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ticket, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
