/*
 * test_setting_doc.c - settings kept as documents: a write reads back
 * equal, a repeated write changes nothing (not even updated_at), names and
 * bodies outside the rules are refused without writing, a tenant never
 * reads another's document, and a damaged stored body is replaced by the
 * next write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_people.h"

#include "core/setting_doc.h"
#include "util/err.h"

static json_t *doc(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    assert_non_null(v);
    return v;
}

static void assert_stored(struct people *p, const char *name, const char *want)
{
    json_t *got = NULL, *w = doc(want);
    assert_int_equal(tsr_setting_doc_get(p->st, p->tenant_id, name, &got, NULL), 0);
    assert_true(json_equal(got, w));
    json_decref(got);
    json_decref(w);
}

static void a_write_reads_back_and_a_repeat_changes_nothing(void **state)
{
    struct people *p = *state;
    json_t *got = NULL;
    assert_int_equal(tsr_setting_doc_get(p->st, p->tenant_id, "branding", &got, NULL),
                     TSR_ENOTFOUND);
    assert_null(got);

    json_t *body =
        doc("{\"colors\": {\"primary\": \"#112233\"}, \"logo_url\": \"https://x/l.png\"}");
    bool changed = false;
    assert_int_equal(tsr_setting_doc_put(p->st, p->tenant_id, "branding", body, &changed), 0);
    assert_true(changed);
    int64_t first = 0, again = 0;
    assert_int_equal(tsr_setting_doc_get(p->st, p->tenant_id, "branding", &got, &first), 0);
    assert_true(json_equal(got, body));
    json_decref(got);

    /* The same members in another order are the same document. */
    json_t *same =
        doc("{\"logo_url\": \"https://x/l.png\", \"colors\": {\"primary\": \"#112233\"}}");
    assert_int_equal(tsr_setting_doc_put(p->st, p->tenant_id, "branding", same, &changed), 0);
    assert_false(changed);
    assert_int_equal(tsr_setting_doc_get(p->st, p->tenant_id, "branding", &got, &again), 0);
    assert_int_equal(again, first);
    json_decref(got);

    json_t *other = doc("{\"colors\": {\"primary\": \"#445566\"}}");
    assert_int_equal(tsr_setting_doc_put(p->st, p->tenant_id, "branding", other, &changed), 0);
    assert_true(changed);
    assert_stored(p, "branding", "{\"colors\": {\"primary\": \"#445566\"}}");
    json_decref(body);
    json_decref(same);
    json_decref(other);
}

static void bad_names_and_bodies_are_refused_without_writing(void **state)
{
    struct people *p = *state;
    json_t *body = doc("{\"enabled\": true}");
    bool changed = true;
    char long_name[TSR_SETTING_DOC_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const char *const bad[] = {"",           "has space",     "quote\"",
                               "semi;colon", "uml\xc3\xa4ut", long_name};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(tsr_setting_doc_put(p->st, p->tenant_id, bad[i], body, &changed),
                         TSR_EINVAL);
        assert_false(changed);
        json_t *got = NULL;
        assert_int_equal(tsr_setting_doc_get(p->st, p->tenant_id, bad[i], &got, NULL), TSR_EINVAL);
        assert_null(got);
    }
    long_name[TSR_SETTING_DOC_NAME_MAX] = '\0'; /* the longest name is fine */
    assert_int_equal(tsr_setting_doc_put(p->st, p->tenant_id, long_name, body, &changed), 0);
    assert_true(changed);

    json_t *array = doc("[1, 2]");
    assert_int_equal(tsr_setting_doc_put(p->st, p->tenant_id, "prompts", array, &changed),
                     TSR_EINVAL);
    json_decref(array);

    /* One byte over the limit as compact JSON: {"b":"..."} is 8 bytes around the string. */
    size_t n = TSR_SETTING_DOC_BODY_MAX - 8 + 1;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'x', n);
    big[n] = '\0';
    json_t *huge = json_pack("{s:s}", "b", big);
    assert_int_equal(tsr_setting_doc_put(p->st, p->tenant_id, "prompts", huge, &changed),
                     TSR_ETOOBIG);
    assert_false(changed);
    json_t *got = NULL;
    assert_int_equal(tsr_setting_doc_get(p->st, p->tenant_id, "prompts", &got, NULL),
                     TSR_ENOTFOUND);
    json_decref(huge);
    /* Exactly at the limit is kept. */
    big[n - 1] = '\0';
    huge = json_pack("{s:s}", "b", big);
    assert_int_equal(tsr_setting_doc_put(p->st, p->tenant_id, "prompts", huge, &changed), 0);
    assert_true(changed);
    json_decref(huge);
    free(big);
    json_decref(body);
}

static void a_tenant_never_reads_another_tenants_document(void **state)
{
    struct people *p = *state;
    struct tsr_tenant t = {
        .issuer = "https://other.example.com/", .friendly_name = "other", .default_audience = ""};
    assert_int_equal(tsr_tenant_insert(p->st, &t), 0);
    json_t *body = doc("{\"identifier_first\": true}");
    bool changed = false;
    assert_int_equal(tsr_setting_doc_put(p->st, t.id, "prompts", body, &changed), 0);
    json_t *got = NULL;
    assert_int_equal(tsr_setting_doc_get(p->st, p->tenant_id, "prompts", &got, NULL),
                     TSR_ENOTFOUND);
    assert_int_equal(tsr_setting_doc_get(p->st, t.id, "prompts", &got, NULL), 0);
    assert_true(json_equal(got, body));
    json_decref(got);
    json_decref(body);
    free(t.id);
}

static void a_damaged_body_reads_as_an_error_and_the_next_write_replaces_it(void **state)
{
    struct people *p = *state;
    assert_int_equal(tsr_store_run(p->st, NULL,
                                   "INSERT INTO setting_documents (tenant_id, name, body, "
                                   "updated_at) VALUES (?, 'email-provider', '[not json', 1)",
                                   "s", p->tenant_id),
                     0);
    json_t *got = NULL;
    assert_int_equal(tsr_setting_doc_get(p->st, p->tenant_id, "email-provider", &got, NULL),
                     TSR_EFORMAT);
    assert_null(got);
    json_t *body = doc("{\"name\": \"smtp\", \"enabled\": true}");
    bool changed = false;
    assert_int_equal(tsr_setting_doc_put(p->st, p->tenant_id, "email-provider", body, &changed), 0);
    assert_true(changed);
    assert_stored(p, "email-provider", "{\"name\": \"smtp\", \"enabled\": true}");
    json_decref(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_write_reads_back_and_a_repeat_changes_nothing,
                                        people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(bad_names_and_bodies_are_refused_without_writing,
                                        people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(a_tenant_never_reads_another_tenants_document, people_setup,
                                        people_teardown),
        cmocka_unit_test_setup_teardown(
            a_damaged_body_reads_as_an_error_and_the_next_write_replaces_it, people_setup,
            people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
