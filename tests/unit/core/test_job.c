/*
 * test_job.c - Management API jobs: stored and read back per tenant, in
 * Auth0's shape, gone once past retention.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/job.h"
#include "util/err.h"

#include "fixture_people.h"

static void test_job(void **state)
{
    struct people *p = *state;
    struct tsr_job j, got;
    assert_int_equal(tsr_job_create(p->st, p->tenant_id, "verification_email", "completed",
                                    "auth0|abc", NULL, &j),
                     0);
    assert_int_equal(strlen(j.id), 20);
    assert_memory_equal(j.id, "job_", 4);
    assert_string_equal(j.client_id, "");

    assert_int_equal(tsr_job_get(p->st, p->tenant_id, j.id, &got), 0);
    assert_string_equal(got.id, j.id);
    assert_string_equal(got.type, "verification_email");
    assert_string_equal(got.status, "completed");
    assert_string_equal(got.user_id, "auth0|abc");
    assert_true(got.created_at == j.created_at);

    json_t *o = tsr_job_to_json(&got);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "id")), j.id);
    assert_string_equal(json_string_value(json_object_get(o, "type")), "verification_email");
    assert_string_equal(json_string_value(json_object_get(o, "status")), "completed");
    const char *created = json_string_value(json_object_get(o, "created_at"));
    assert_non_null(created);
    assert_int_equal(strlen(created), 24); /* 2026-01-02T03:04:05.678Z */
    assert_int_equal(json_object_size(o), 4);
    json_decref(o);
    tsr_job_cleanup(&got);

    /* Other tenants and unknown ids see nothing. */
    assert_int_equal(tsr_job_get(p->st, "ten_other", j.id, &got), TSR_ENOTFOUND);
    assert_int_equal(tsr_job_get(p->st, p->tenant_id, "job_nope", &got), TSR_ENOTFOUND);

    /* Past retention: not readable, and deleted when the next job is stored. */
    assert_int_equal(tsr_store_run(p->st, NULL, "UPDATE jobs SET created_at = 1", ""), 0);
    assert_int_equal(tsr_job_get(p->st, p->tenant_id, j.id, &got), TSR_ENOTFOUND);
    struct tsr_job next;
    assert_int_equal(tsr_job_create(p->st, p->tenant_id, "verification_email", "completed",
                                    "auth0|abc", "cid", &next),
                     0);
    int64_t n = -1;
    assert_int_equal(tsr_store_run(p->st, &n, "DELETE FROM jobs WHERE id = ?", "s", j.id), 0);
    assert_int_equal(n, 0);
    assert_int_equal(tsr_job_get(p->st, p->tenant_id, next.id, &got), 0);
    assert_string_equal(got.client_id, "cid");
    tsr_job_cleanup(&got);
    tsr_job_cleanup(&next);
    tsr_job_cleanup(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_job, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
