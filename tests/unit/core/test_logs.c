/*
 * test_logs.c - the event log as /api/v2/logs reads it: q parsing (each
 * accepted form and the refusals), filters, offset pages in both orders,
 * checkpoint reads after a log_id, the JSON shape, and retention.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/logs.h"
#include "core/rows.h"
#include "util/err.h"

#include "fixture_people.h"

/* 2026-11-27T10:00:00.000Z */
#define T0 ((int64_t)1795773600000)
#define DAY ((int64_t)86400000)

static void add_event(struct people *p, int64_t ms, const char *tail, const char *type,
                      const char *user_id, const char *client_id)
{
    char id[40];
    snprintf(id, sizeof id, "%016lld%s", (long long)ms, tail);
    assert_int_equal(tsr_store_run(p->st, NULL,
                                   "INSERT INTO events (tenant_id, id, date, type, user_id, "
                                   "client_id, description, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   "ssisssss", p->tenant_id, id, ms, type, user_id, client_id,
                                   "desc", "{\"k\":1}"),
                     0);
}

static int count_events(tsr_store *st, int64_t *out)
{
    tsr_stmt *q = NULL;
    int rc = tsr_store_query(st, &q, "SELECT count(*) FROM events", "");
    if (rc == 0 && (rc = tsr_stmt_step(q)) == TSR_STORE_ROW) {
        *out = tsr_stmt_int64(q, 0);
        rc = 0;
    }
    tsr_stmt_finalize(q);
    return rc;
}

static int parse(const char *q, struct tsr_logs_filter *f, char *err)
{
    return tsr_logs_parse_q(q, f, err, 256);
}

static void expect_error(const char *q, const char *part)
{
    struct tsr_logs_filter f;
    char err[256] = "";
    assert_int_equal(parse(q, &f, err), TSR_EINVAL);
    if (strstr(err, part) == NULL)
        fail_msg("q=%s: error '%s' should name '%s'", q, err, part);
    assert_null(f.type);
    assert_null(f.user_id);
}

static void test_parse_forms(void **state)
{
    (void)state;
    struct tsr_logs_filter f;
    char err[256];
    assert_int_equal(parse(NULL, &f, err), 0);
    assert_null(f.type);
    assert_true(f.date_min == INT64_MIN && f.date_max == INT64_MAX);
    assert_int_equal(parse("  ", &f, err), 0);
    assert_null(f.type);

    assert_int_equal(parse("type:s", &f, err), 0);
    assert_string_equal(f.type, "s");
    tsr_logs_filter_cleanup(&f);

    assert_int_equal(parse("type:\"fp\"", &f, err), 0);
    assert_string_equal(f.type, "fp");
    tsr_logs_filter_cleanup(&f);

    assert_int_equal(parse("user_id:\"auth0|abc def\" AND client_id:cl1 AND type:s", &f, err), 0);
    assert_string_equal(f.user_id, "auth0|abc def");
    assert_string_equal(f.client_id, "cl1");
    assert_string_equal(f.type, "s");
    tsr_logs_filter_cleanup(&f);

    assert_int_equal(parse("user_id:auth0|abc", &f, err), 0);
    assert_string_equal(f.user_id, "auth0|abc");
    tsr_logs_filter_cleanup(&f);

    int64_t nov1 = T0 - 26 * DAY - 10 * 3600000;
    assert_int_equal(parse("date:[2026-11-01 TO 2026-11-30]", &f, err), 0);
    assert_true(f.date_min == nov1);
    assert_true(f.date_max == nov1 + 30 * DAY - 1);

    assert_int_equal(parse("date:{2026-11-01 TO 2026-11-30}", &f, err), 0);
    assert_true(f.date_min == nov1 + DAY);
    assert_true(f.date_max == nov1 + 29 * DAY - 1);

    assert_int_equal(parse("date:[2026-11-27T10:00:00Z TO *]", &f, err), 0);
    assert_true(f.date_min == T0);
    assert_true(f.date_max == INT64_MAX);

    assert_int_equal(parse("type:f AND date:[* TO 2026-11-27T10:00:00.250Z]", &f, err), 0);
    assert_true(f.date_min == INT64_MIN);
    assert_true(f.date_max == T0 + 250);
    tsr_logs_filter_cleanup(&f);

    assert_int_equal(parse("date:2026-11-27", &f, err), 0);
    assert_true(f.date_min == T0 - 10 * 3600000);
    assert_true(f.date_max == T0 + 14 * 3600000 - 1);

    int64_t ms;
    bool day;
    assert_true(tsr_logs_parse_date("2026-11-27T10:00", &ms, &day));
    assert_true(ms == T0 && !day);
    assert_false(tsr_logs_parse_date("2026-02-30", &ms, &day));
    assert_false(tsr_logs_parse_date("2026-11-27T25:00:00Z", &ms, &day));
    assert_false(tsr_logs_parse_date("2026-11-27T10:00:00+02:00", &ms, &day));
    assert_false(tsr_logs_parse_date("yesterday", &ms, &day));
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_error("ip:1.2.3.4", "unsupported field 'ip'");
    expect_error("type:s OR type:f", "'OR'");
    expect_error("type:s type:f", "'type:f'");
    expect_error("type:s AND", "AND");
    expect_error("type:", "missing value for field 'type'");
    expect_error("type:\"\"", "empty value");
    expect_error("type:\"s", "unterminated");
    expect_error("type:s*", "'s*'");
    expect_error("type:s AND type:f", "'type' given more than once");
    expect_error("date:[2026-11-01 TO 2026-11-30] AND date:2026-11-02", "'date' given more");
    expect_error("date:[2026-13-01 TO *]", "invalid date '2026-13-01'");
    expect_error("date:[2026-11-01 2026-11-30]", "invalid range");
    expect_error("date:[2026-11-01 TO 2026-11-30", "unterminated range");
    expect_error("date:*", "unsupported value '*'");
    expect_error("date:tomorrow", "invalid date 'tomorrow'");
    expect_error("(type:s)", "unsupported term '(type:s)'");
    expect_error("hello", "unsupported term 'hello'");
    expect_error("type:s)x", "unsupported value");
    char big[TSR_LOGS_Q_MAX + 10];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    expect_error(big, "longer than 1024");
}

static void test_filters_and_pages(void **state)
{
    struct people *p = *state;
    /* Ten events, one a minute: even ones are "s" by u1 with client c1, odd ones "fp" by u2. */
    for (int i = 0; i < 10; i++)
        add_event(p, T0 + i * 60000, "aaaaaaaa", i % 2 ? "fp" : "s", i % 2 ? "auth0|u2" : "auth0|u1",
                  i % 2 ? "" : "c1");
    struct tsr_logs_filter f;
    char err[256];
    struct tsr_log_entry *list;
    size_t n;
    int64_t total;

    assert_int_equal(parse(NULL, &f, err), 0);
    assert_int_equal(tsr_logs_list(p->st, p->tenant_id, &f, false, 0, 4, &list, &n, &total), 0);
    assert_int_equal(total, 10);
    assert_int_equal(n, 4);
    assert_true(list[0].date == T0 + 9 * 60000); /* newest first */
    assert_true(list[3].date == T0 + 6 * 60000);
    tsr_logs_free(list, n);
    assert_int_equal(tsr_logs_list(p->st, p->tenant_id, &f, true, 8, 4, &list, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_true(list[0].date == T0 + 8 * 60000); /* oldest first, third page */
    tsr_logs_free(list, n);
    assert_int_equal(tsr_logs_list(p->st, p->tenant_id, &f, true, 40, 4, &list, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 10);
    tsr_logs_free(list, n);

    assert_int_equal(parse("type:fp", &f, err), 0);
    assert_int_equal(tsr_logs_list(p->st, p->tenant_id, &f, false, 0, 50, &list, &n, &total), 0);
    assert_int_equal(total, 5);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(list[i].user_id, "auth0|u2");
    tsr_logs_free(list, n);
    tsr_logs_filter_cleanup(&f);

    assert_int_equal(parse("user_id:\"auth0|u1\" AND client_id:c1 AND "
                           "date:[2026-11-27T10:02:00Z TO 2026-11-27T10:06:00Z]",
                           &f, err),
                     0);
    assert_int_equal(tsr_logs_list(p->st, p->tenant_id, &f, true, 0, 50, &list, &n, &total), 0);
    assert_int_equal(total, 3); /* minutes 2, 4, 6 */
    assert_true(list[0].date == T0 + 2 * 60000 && list[2].date == T0 + 6 * 60000);
    tsr_logs_free(list, n);
    tsr_logs_filter_cleanup(&f);

    assert_int_equal(parse("client_id:nobody", &f, err), 0);
    assert_int_equal(tsr_logs_list(p->st, p->tenant_id, &f, false, 0, 50, &list, &n, &total), 0);
    assert_int_equal(total, 0);
    assert_int_equal(n, 0);
    tsr_logs_free(list, n);
    tsr_logs_filter_cleanup(&f);

    /* Checkpoints: everything after an id, oldest first, take at most. */
    assert_int_equal(tsr_logs_after(p->st, p->tenant_id, NULL, 3, &list, &n), 0);
    assert_int_equal(n, 3);
    assert_true(list[0].date == T0);
    char *last = strdup(list[2].id);
    tsr_logs_free(list, n);
    assert_int_equal(tsr_logs_after(p->st, p->tenant_id, last, 100, &list, &n), 0);
    assert_int_equal(n, 7);
    assert_true(list[0].date == T0 + 3 * 60000 && list[6].date == T0 + 9 * 60000);
    free(last);
    last = strdup(list[6].id);
    tsr_logs_free(list, n);
    assert_int_equal(tsr_logs_after(p->st, p->tenant_id, last, 100, &list, &n), 0);
    assert_int_equal(n, 0);
    tsr_logs_free(list, n);

    /* One entry, and its JSON. */
    struct tsr_log_entry e;
    assert_int_equal(tsr_logs_get(p->st, p->tenant_id, last, &e), 0);
    json_t *o = tsr_log_entry_json(&e);
    assert_string_equal(json_string_value(json_object_get(o, "log_id")), last);
    assert_string_equal(json_string_value(json_object_get(o, "date")), "2026-11-27T10:09:00.000Z");
    assert_string_equal(json_string_value(json_object_get(o, "type")), "fp");
    assert_string_equal(json_string_value(json_object_get(o, "user_id")), "auth0|u2");
    assert_null(json_object_get(o, "client_id")); /* empty: omitted */
    assert_null(json_object_get(o, "ip"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "details"), "k")), 1);
    json_decref(o);
    tsr_log_entry_cleanup(&e);
    free(last);
    assert_int_equal(tsr_logs_get(p->st, p->tenant_id, "nope", &e), TSR_ENOTFOUND);

    char iso[32];
    tsr_iso8601_ms(T0 + 7, iso);
    assert_string_equal(iso, "2026-11-27T10:00:00.007Z");
}

/* Every set of type, user_id and client_id filters (one named variant each), both ways. */
static void test_filter_variants(void **state)
{
    struct people *p = *state;
    static const char *const types[] = {"s", "fp"}, *const users[] = {"auth0|u1", "auth0|u2"},
                             *const clients[] = {"c1", "c2"};
    for (int i = 0; i < 24; i++)
        add_event(p, T0 + i * 60000, "bbbbbbbb", types[i % 2], users[i / 2 % 2],
                  clients[i / 4 % 2]);
    for (unsigned fields = 0; fields < 8; fields++) {
        for (int asc = 0; asc < 2; asc++) {
            struct tsr_logs_filter f;
            tsr_logs_filter_init(&f);
            f.type = fields & 1 ? strdup("fp") : NULL;
            f.user_id = fields & 2 ? strdup("auth0|u2") : NULL;
            f.client_id = fields & 4 ? strdup("c2") : NULL;
            /* Minutes 2 through 21 only. */
            f.date_min = T0 + 2 * 60000;
            f.date_max = T0 + 21 * 60000;
            int64_t want = 0;
            for (int i = 2; i <= 21; i++)
                want += (!(fields & 1) || i % 2 == 1) && (!(fields & 2) || i / 2 % 2 == 1) &&
                        (!(fields & 4) || i / 4 % 2 == 1);
            struct tsr_log_entry *list;
            size_t n;
            int64_t total = -1;
            assert_int_equal(
                tsr_logs_list(p->st, p->tenant_id, &f, asc, 0, 50, &list, &n, &total), 0);
            assert_int_equal(total, want);
            assert_int_equal(n, (size_t)want);
            for (size_t k = 0; k < n; k++) {
                assert_true(!f.type || strcmp(list[k].type, "fp") == 0);
                assert_true(!f.user_id || strcmp(list[k].user_id, "auth0|u2") == 0);
                assert_true(!f.client_id || strcmp(list[k].client_id, "c2") == 0);
                assert_true(list[k].date >= f.date_min && list[k].date <= f.date_max);
                if (k > 0)
                    assert_true(asc ? list[k].date > list[k - 1].date
                                    : list[k].date < list[k - 1].date);
            }
            tsr_logs_free(list, n);
            tsr_logs_filter_cleanup(&f);
        }
    }
}

static void test_retention(void **state)
{
    struct people *p = *state;
    tsr_logs_purge_reset();
    int64_t now = T0 + 40 * DAY;
    add_event(p, now - 31 * DAY, "old00000", "s", "auth0|u1", "");
    add_event(p, now - 30 * DAY - 1, "old00001", "s", "auth0|u1", "");
    add_event(p, now - 29 * DAY, "new00000", "s", "auth0|u1", "");
    add_event(p, now - 1000, "new00001", "s", "auth0|u1", "");
    int64_t deleted = -1;
    assert_int_equal(tsr_logs_purge(p->st, p->tenant_id, now, 30, &deleted), 0);
    assert_int_equal(deleted, 2);
    int64_t left;
    assert_int_equal(count_events(p->st, &left), 0);
    assert_int_equal(left, 2);

    /* At most once a minute per tenant. */
    assert_true(tsr_logs_maybe_purge(p->st, p->tenant_id, now));
    add_event(p, now - 60 * DAY, "old00002", "s", "auth0|u1", "");
    assert_false(tsr_logs_maybe_purge(p->st, p->tenant_id, now + 59999));
    assert_int_equal(count_events(p->st, &left), 0);
    assert_int_equal(left, 3);
    assert_true(tsr_logs_maybe_purge(p->st, "another-tenant", now + 1));
    assert_true(tsr_logs_maybe_purge(p->st, p->tenant_id, now + 60000));
    assert_int_equal(count_events(p->st, &left), 0);
    assert_int_equal(left, 2);
    tsr_logs_purge_reset();
}

static void test_store_failures(void **state)
{
    struct people *p = *state;
    add_event(p, T0, "aaaaaaaa", "s", "auth0|u1", "c1");
    add_event(p, T0 + 1, "aaaaaaaa", "s", "auth0|u1", "c1");
    struct tsr_logs_filter f;
    tsr_logs_filter_init(&f);
    struct tsr_log_entry *list;
    size_t n;
    int64_t total;
    /* Every failing store call is reported and leaves nothing allocated. */
    for (int i = 1; i < 40; i++) {
        tsr_store_fail_after(i);
        int rc = tsr_logs_list(p->st, p->tenant_id, &f, false, 0, 50, &list, &n, &total);
        tsr_store_fail_after(0);
        if (rc == 0) {
            assert_int_equal(n, 2);
            tsr_logs_free(list, n);
            break;
        }
        assert_null(list);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test_setup_teardown(test_filters_and_pages, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_filter_variants, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_retention, people_setup, people_teardown),
        cmocka_unit_test_setup_teardown(test_store_failures, people_setup, people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
