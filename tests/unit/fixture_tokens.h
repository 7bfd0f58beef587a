/*
 * fixture_tokens.h - fixture_people.h plus one person, with the clock
 * fixed at TOKENS_T0, for the token-endpoint policy tests.  Include after
 * <cmocka.h>.
 */
#ifndef TSR_TEST_FIXTURE_TOKENS_H
#define TSR_TEST_FIXTURE_TOKENS_H

#include <stdlib.h>
#include <string.h>

#include "core/user.h"
#include "util/clock.h"

#include "fixture_people.h"

#define TOKENS_T0 1700000000

static char *tokens_user; /* the person of the running test */

/* Sets the clock to TOKENS_T0 plus seconds. */
static inline void tokens_at(int64_t seconds)
{
    tsr_clock_set_for_tests(TSR_CLOCK_FIXED, ((int64_t)TOKENS_T0 + seconds) * 1000);
}

/* Inserts a person of the fixture's tenant; returns the user_id (caller frees). */
static inline char *tokens_add_user(struct people *p, const char *email)
{
    struct tsr_user u;
    assert_int_equal(tsr_user_init_new(&u, p->tenant_id, p->conn.id), 0);
    u.email = strdup(email);
    assert_int_equal(tsr_user_fill_defaults(&u), 0);
    assert_int_equal(tsr_user_insert(p->st, &u), 0);
    char *id = strdup(u.user_id);
    tsr_user_cleanup(&u);
    return id;
}

static inline int tokens_setup(void **state)
{
    tokens_at(0);
    people_setup(state);
    tokens_user = tokens_add_user(*state, "alice@example.com");
    return 0;
}

static inline int tokens_teardown(void **state)
{
    tsr_store_fail_after(0);
    tsr_clock_set_for_tests(TSR_CLOCK_REAL, 0);
    free(tokens_user);
    tokens_user = NULL;
    return people_teardown(state);
}

#endif
