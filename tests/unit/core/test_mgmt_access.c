/*
 * test_mgmt_access.c - who may hold which Management API scope: people get
 * the current-user scopes and only their assigned Management permissions,
 * clients what their client grant holds now; current-user scopes reach
 * only the person's own record, and only its user_metadata.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mgmt_access.h"
#include "util/err.h"
#include "util/strlist.h"

static struct tsr_strlist words(const char *s)
{
    struct tsr_strlist l = {0};
    assert_int_equal(tsr_strlist_split(&l, s), 0);
    return l;
}

static char *in_force(const char *claimed, const char *allowed, bool person)
{
    struct tsr_strlist c = words(claimed), a = words(allowed), out = {0};
    assert_int_equal(tsr_mgmt_scopes_in_force(&c, &a, person, &out), 0);
    char *joined = tsr_strlist_join(&out);
    tsr_strlist_cleanup(&c);
    tsr_strlist_cleanup(&a);
    tsr_strlist_cleanup(&out);
    return joined;
}

static void current_user_scopes_are_known(void **state)
{
    (void)state;
    assert_true(tsr_mgmt_is_current_user_scope("read:current_user"));
    assert_true(tsr_mgmt_is_current_user_scope("update:current_user_metadata"));
    assert_true(tsr_mgmt_is_current_user_scope("delete:current_user_device_credentials"));
    assert_false(tsr_mgmt_is_current_user_scope("read:users"));
    assert_false(tsr_mgmt_is_current_user_scope("read:current_user "));
    assert_false(tsr_mgmt_is_current_user_scope(""));
}

static void person_holds_current_user_and_assigned_only(void **state)
{
    (void)state;
    struct tsr_strlist none = {0}, held = words("read:users");
    assert_true(tsr_mgmt_person_may_hold("read:current_user", &none));
    assert_false(tsr_mgmt_person_may_hold("read:users", &none));
    assert_false(tsr_mgmt_person_may_hold("update:tenant_settings", &none));
    assert_true(tsr_mgmt_person_may_hold("read:users", &held));
    assert_false(tsr_mgmt_person_may_hold("update:users", &held));
    tsr_strlist_cleanup(&held);
}

static void client_subject_is_exact(void **state)
{
    (void)state;
    assert_true(tsr_mgmt_is_client_subject("abc@clients", "abc"));
    assert_false(tsr_mgmt_is_client_subject("abc@clients", "ab"));
    assert_false(tsr_mgmt_is_client_subject("abc@clientsx", "abc"));
    assert_false(tsr_mgmt_is_client_subject("auth0|abc", "abc"));
    assert_false(tsr_mgmt_is_client_subject("@clients", ""));
}

static void scopes_in_force_follow_the_grant_now(void **state)
{
    (void)state;
    char *s = in_force("read:users update:users read:current_user", "", true);
    assert_string_equal(s, "read:current_user");
    free(s);
    s = in_force("read:users update:users read:current_user", "read:users", true);
    assert_string_equal(s, "read:users read:current_user");
    free(s);
    /* A client: what its grant holds now; current-user scopes mean nothing. */
    s = in_force("read:users create:clients read:current_user", "read:users read:current_user",
                 false);
    assert_string_equal(s, "read:users");
    free(s);
    s = in_force("read:users create:clients", "", false);
    assert_string_equal(s, "");
    free(s);
}

static void route_scopes_and_self(void **state)
{
    (void)state;
    struct tsr_strlist f = words("read:current_user update:current_user_metadata");
    assert_true(tsr_mgmt_scope_allows(&f, "read:users read:current_user", true));
    assert_false(tsr_mgmt_scope_allows(&f, "read:users read:current_user", false));
    assert_false(tsr_mgmt_scope_allows(&f, "read:users", true));
    assert_false(tsr_mgmt_scope_allows(&f, "", true));
    tsr_strlist_cleanup(&f);
    f = words("read:users");
    assert_true(tsr_mgmt_scope_allows(&f, " read:users read:current_user", false));
    assert_false(tsr_mgmt_scope_allows(&f, "update:users", false));
    tsr_strlist_cleanup(&f);
}

static void patch_members(void **state)
{
    (void)state;
    struct tsr_strlist f = words("update:current_user_metadata");
    assert_true(tsr_mgmt_user_member_allowed(&f, true, "user_metadata"));
    assert_false(tsr_mgmt_user_member_allowed(&f, false, "user_metadata"));
    assert_false(tsr_mgmt_user_member_allowed(&f, true, "app_metadata"));
    assert_false(tsr_mgmt_user_member_allowed(&f, true, "email"));
    assert_false(tsr_mgmt_user_member_allowed(&f, true, "password"));
    assert_false(tsr_mgmt_user_member_allowed(&f, true, "blocked"));
    tsr_strlist_cleanup(&f);
    f = words("delete:current_user_metadata read:current_user");
    assert_false(tsr_mgmt_user_member_allowed(&f, true, "user_metadata"));
    tsr_strlist_cleanup(&f);
    f = words("update:users_app_metadata");
    assert_true(tsr_mgmt_user_member_allowed(&f, false, "app_metadata"));
    assert_false(tsr_mgmt_user_member_allowed(&f, false, "user_metadata"));
    tsr_strlist_cleanup(&f);
    f = words("update:users");
    assert_true(tsr_mgmt_user_member_allowed(&f, false, "email"));
    tsr_strlist_cleanup(&f);
}

static char *person_scopes(const char *asked, const char *held)
{
    struct tsr_strlist a = words(asked), h = words(held), out = {0};
    assert_int_equal(tsr_mgmt_person_scopes(&a, &h, &out), 0);
    char *joined = tsr_strlist_join(&out);
    tsr_strlist_cleanup(&a);
    tsr_strlist_cleanup(&h);
    tsr_strlist_cleanup(&out);
    return joined;
}

/* What /authorize asks consent for: never a Management scope the person does not hold. */
static void person_scopes_keep_oidc_current_user_and_held(void **state)
{
    (void)state;
    char *s = person_scopes("openid profile read:current_user update:users read:users", "");
    assert_string_equal(s, "openid profile read:current_user");
    free(s);
    s = person_scopes("openid offline_access update:users delete:users", "update:users");
    assert_string_equal(s, "openid offline_access update:users");
    free(s);
    s = person_scopes("", "update:users");
    assert_string_equal(s, "");
    free(s);
    assert_true(tsr_mgmt_is_oidc_scope("email"));
    assert_false(tsr_mgmt_is_oidc_scope("address"));
    assert_false(tsr_mgmt_is_oidc_scope("read:current_user"));
}

/* A third-party app's token lives only as long as the consent; a first-party one's needs none. */
static void consent_binds_third_party_and_bounds_scopes(void **state)
{
    (void)state;
    assert_true(tsr_mgmt_consent_binds(false));
    assert_false(tsr_mgmt_consent_binds(true));
    struct tsr_strlist in = words("read:current_user update:current_user_metadata read:users");
    struct tsr_strlist consented = words("openid read:current_user read:users");
    tsr_mgmt_keep_consented(&in, &consented);
    char *s = tsr_strlist_join(&in);
    assert_string_equal(s, "read:current_user read:users");
    free(s);
    struct tsr_strlist none = {0};
    tsr_mgmt_keep_consented(&in, &none);
    assert_int_equal(in.n, 0);
    tsr_strlist_cleanup(&in);
    tsr_strlist_cleanup(&consented);
}

/* A client-credentials token stands while the client could still get one. */
static void client_grant_stands_only_while_confidential_with_cc(void **state)
{
    (void)state;
    struct tsr_strlist cc = words("client_credentials"), none = {0};
    struct tsr_strlist other = words("authorization_code refresh_token");
    assert_true(tsr_mgmt_client_grant_stands(&cc, "client_secret_post"));
    assert_true(tsr_mgmt_client_grant_stands(&cc, "client_secret_basic"));
    assert_false(tsr_mgmt_client_grant_stands(&cc, "none"));
    assert_false(tsr_mgmt_client_grant_stands(&cc, NULL));
    assert_false(tsr_mgmt_client_grant_stands(&none, "client_secret_post"));
    assert_false(tsr_mgmt_client_grant_stands(&other, "client_secret_post"));
    tsr_strlist_cleanup(&cc);
    tsr_strlist_cleanup(&other);
}

/* Clients count per client; people per person within the client, with a bounded key. */
static void rate_key_per_client_or_per_person(void **state)
{
    (void)state;
    const char *azp = "abcdefghijklmnopqrstuvwxyz012345";
    char a[96], b[96], c[96], d[96], tiny[16];
    assert_int_equal(tsr_mgmt_rate_key(azp, "abc@clients", false, a, sizeof a), 0);
    assert_string_equal(a, azp);
    assert_int_equal(tsr_mgmt_rate_key(azp, "auth0|one", true, b, sizeof b), 0);
    assert_int_equal(tsr_mgmt_rate_key(azp, "auth0|two", true, c, sizeof c), 0);
    assert_int_equal(tsr_mgmt_rate_key("other", "auth0|one", true, d, sizeof d), 0);
    assert_string_not_equal(b, a);
    assert_string_not_equal(b, c);
    assert_string_not_equal(b, d);
    assert_true(strlen(b) < 64);
    char long_sub[600];
    memset(long_sub, 'x', sizeof long_sub - 1);
    long_sub[sizeof long_sub - 1] = '\0';
    assert_int_equal(tsr_mgmt_rate_key(azp, long_sub, true, c, sizeof c), 0);
    assert_true(strlen(c) < 64);
    assert_int_equal(tsr_mgmt_rate_key(azp, "auth0|one", true, tiny, sizeof tiny), TSR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(current_user_scopes_are_known),
        cmocka_unit_test(person_holds_current_user_and_assigned_only),
        cmocka_unit_test(client_subject_is_exact),
        cmocka_unit_test(scopes_in_force_follow_the_grant_now),
        cmocka_unit_test(route_scopes_and_self),
        cmocka_unit_test(patch_members),
        cmocka_unit_test(person_scopes_keep_oidc_current_user_and_held),
        cmocka_unit_test(consent_binds_third_party_and_bounds_scopes),
        cmocka_unit_test(client_grant_stands_only_while_confidential_with_cc),
        cmocka_unit_test(rate_key_per_client_or_per_person),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
