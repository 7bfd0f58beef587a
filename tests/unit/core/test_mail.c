/*
 * test_mail.c - addresses, the SMTP transport rule, the queue (a message
 * goes through the mail_queue table into the outbox; a failed relay means
 * a retry later) and the outbox (no SMTP server): headers, CRLF lines,
 * file modes, refusals of header injection.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_tmp.h"

#include "core/mail.h"
#include "core/mail_queue.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

static void test_addresses(void **state)
{
    (void)state;
    assert_true(tsr_mail_address_ok("a@example.com"));
    assert_true(tsr_mail_address_ok("first.last+tag@sub.example.co"));
    assert_true(tsr_mail_address_ok("dev@localhost"));
    assert_false(tsr_mail_address_ok(NULL));
    assert_false(tsr_mail_address_ok("nobody"));
    assert_false(tsr_mail_address_ok("@example.com"));
    assert_false(tsr_mail_address_ok("a@"));
    assert_false(tsr_mail_address_ok("a@b@c.com"));
    assert_false(tsr_mail_address_ok("a@example"));
    assert_false(tsr_mail_address_ok("a@example..com"));
    assert_false(tsr_mail_address_ok("a@example.com\r\nBcc: x@y.z"));
    assert_false(tsr_mail_address_ok("a b@example.com"));
    assert_false(tsr_mail_address_ok("<a@example.com>"));
}

static int64_t queued(tsr_store *st)
{
    return fixture_count(st, "SELECT count(*) FROM mail_queue");
}

static int64_t link_stored(tsr_store *st)
{
    return fixture_count(st, "SELECT count(*) FROM mail_queue WHERE message LIKE '%ticket=%'");
}

static void test_tls_rule(void **state)
{
    (void)state;
    /* smtps:// is always TLS. */
    assert_true(tsr_mail_tls_required("smtps://mail.example.com", false));
    assert_true(tsr_mail_tls_required("smtps://127.0.0.1:465", true));
    /* smtp:// to anything but a loopback literal must use STARTTLS... */
    assert_true(tsr_mail_tls_required("smtp://mail.example.com:587", false));
    assert_true(tsr_mail_tls_required("smtp://user:pw@mail.example.com", false));
    assert_true(tsr_mail_tls_required("smtp://localhost:25", false));
    assert_true(tsr_mail_tls_required("smtp://10.0.0.5:25", false));
    assert_true(tsr_mail_tls_required("smtp://[2001:db8::1]:25", false));
    assert_true(tsr_mail_tls_required("smtp://[::ffff:127.0.0.1]:25", false));
    assert_true(tsr_mail_tls_required("smtp://127.0.0.1.example.com", false));
    assert_true(tsr_mail_tls_required("smtp://127.0.0.1@mail.example.com", false));
    assert_true(tsr_mail_tls_required("not a url", false));
    /* ...except to a loopback address literal... */
    assert_false(tsr_mail_tls_required("smtp://127.0.0.1:25", false));
    assert_false(tsr_mail_tls_required("smtp://127.8.9.10", false));
    assert_false(tsr_mail_tls_required("smtp://[::1]:2525", false));
    assert_false(tsr_mail_tls_required("smtp://mail.example.com@127.0.0.1:25", false));
    /* ...or with the explicit opt-out. */
    assert_false(tsr_mail_tls_required("smtp://mail.example.com:25", true));
}

static void test_retry_delay(void **state)
{
    (void)state;
    assert_int_equal(tsr_mail_retry_delay(1), 2);
    assert_int_equal(tsr_mail_retry_delay(2), 4);
    assert_int_equal(tsr_mail_retry_delay(11), 2048);
    assert_int_equal(tsr_mail_retry_delay(12), 3600);
    assert_int_equal(tsr_mail_retry_delay(1000), 3600);
    assert_int_equal(tsr_mail_retry_delay(0), 2);
    int64_t total = 0;
    for (int i = 1; i < TSR_MAIL_MAX_ATTEMPTS; i++)
        total += tsr_mail_retry_delay(i);
    assert_true(total > 3600 && total < 3 * 3600);
}

/* A relay that cannot be reached: the message stays queued, due again later. */
static void test_retry_after_failure(void **state)
{
    (void)state;
    tsr_log_set_level(TSR_LOG_ERROR);
    struct tsr_app app;
    memset(&app, 0, sizeof app);
    /* Port 1 on loopback: refused at once, no TLS asked of a loopback literal. */
    snprintf(app.settings.smtp_url, sizeof app.settings.smtp_url, "smtp://127.0.0.1:1");
    tsr_store *st = NULL;
    assert_int_equal(tsr_store_open("sqlite::memory:", &st), 0);
    assert_int_equal(tsr_store_migrate(st, NULL), 0);
    assert_int_equal(tsr_mail_send(&app, st, "to@example.com", "Hi", "text\n"), 0);
    int64_t next = 0, now = tsr_clock_now(); /* the clock the queue uses; time() may lag it */
    assert_int_equal(tsr_mail_queue_run(&app, st, NULL, now, &next), 0);
    assert_int_equal(queued(st), 1);
    assert_int_equal(next, now + tsr_mail_retry_delay(1));
    assert_int_equal(fixture_count(st, "SELECT attempts FROM mail_queue"), 1);
    /* Not due yet: nothing is tried. */
    assert_int_equal(tsr_mail_queue_run(&app, st, NULL, now + 1, &next), 0);
    assert_int_equal(fixture_count(st, "SELECT attempts FROM mail_queue"), 1);
    /* The last allowed attempt drops it. */
    assert_int_equal(tsr_store_run(st, NULL, "UPDATE mail_queue SET attempts = ?", "i",
                                   (int64_t)(TSR_MAIL_MAX_ATTEMPTS - 1)),
                     0);
    assert_int_equal(tsr_mail_queue_run(&app, st, NULL, next, &next), 0);
    assert_int_equal(queued(st), 0);
    /* Sealed under another master key: dropped, never sent. */
    assert_int_equal(tsr_mail_send(&app, st, "to@example.com", "Hi", "text\n"), 0);
    app.master_key[0] ^= 1;
    assert_int_equal(tsr_mail_queue_run(&app, st, NULL, tsr_clock_now(), &next), 0);
    assert_int_equal(queued(st), 0);
    tsr_store_close(st);
}

/* The queue is bounded: a full queue refuses more until it drains. */
static void test_queue_bound(void **state)
{
    (void)state;
    tsr_log_set_level(TSR_LOG_ERROR);
    struct tsr_app app;
    memset(&app, 0, sizeof app);
    tsr_store *st = NULL;
    char sql[512];
    assert_int_equal(tsr_store_open("sqlite::memory:", &st), 0);
    assert_int_equal(tsr_store_migrate(st, NULL), 0);
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
             "INSERT INTO mail_queue (id, recipient, message, next_attempt_at, created_at) "
             "SELECT 'row' || i, 'a@example.com', '', 4000000000, 0 FROM n",
             TSR_MAIL_QUEUE_MAX - 1);
    assert_int_equal(tsr_store_exec(st, sql), 0);
    assert_int_equal(tsr_mail_send(&app, st, "to@example.com", "Hi", "one more\n"), 0);
    assert_int_equal(queued(st), TSR_MAIL_QUEUE_MAX);
    assert_int_equal(tsr_mail_send(&app, st, "to@example.com", "Hi", "too many\n"), TSR_EBUSY);
    assert_int_equal(queued(st), TSR_MAIL_QUEUE_MAX);
    tsr_store_close(st);
    tsr_log_set_level(TSR_LOG_WARN);
}

static void test_outbox(void **state)
{
    (void)state;
    tsr_log_set_level(TSR_LOG_WARN);
    struct tsr_app app;
    memset(&app, 0, sizeof app);
    fixture_mkdtemp(app.settings.data_dir, sizeof app.settings.data_dir, "tsr-mail");

    tsr_store *st = NULL;
    assert_int_equal(tsr_store_open("sqlite::memory:", &st), 0);
    assert_int_equal(tsr_store_migrate(st, NULL), 0);
    int64_t next = 0, now = 0;

    assert_int_equal(tsr_mail_send(&app, st, "to@example.com", "Hi\r\nBcc: x@y.z", "x"),
                     TSR_EINVAL);
    assert_int_equal(tsr_mail_send(&app, st, "to@example.com\n", "Hi", "x"), TSR_EINVAL);
    assert_int_equal(
        tsr_mail_send(&app, st, "to@example.com", "Reset your password",
                      "Hello,\nopen https://id.example.com/u/reset-password?ticket=abc\n"),
        0);
    /* Queued, sealed: the link is not in the table. */
    assert_int_equal(queued(st), 1);
    assert_int_equal(link_stored(st), 0);
    now = tsr_clock_now();
    assert_int_equal(tsr_mail_queue_run(&app, st, NULL, now, &next), 1);
    assert_int_equal(queued(st), 0);
    assert_true(next == INT64_MAX);
    tsr_store_close(st);

    char dir[1200], path[1500];
    snprintf(dir, sizeof dir, "%s/outbox", app.settings.data_dir);
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        files++;
        assert_non_null(strstr(e->d_name, ".eml"));
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    assert_int_equal(files, 1);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_true(strncmp(buf, "From: Tessera <no-reply@localhost>\r\nTo: to@example.com\r\n", 55) ==
                0);
    assert_non_null(strstr(buf, "\r\nSubject: Reset your password\r\n"));
    assert_non_null(strstr(buf, "\r\nDate: "));
    assert_non_null(strstr(buf, "\r\nMessage-ID: <"));
    assert_non_null(strstr(buf, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(buf, "\r\n\r\nHello,\r\nopen "));
    assert_non_null(strstr(buf, "ticket=abc\r\n"));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(rmdir(app.settings.data_dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_outbox),
        cmocka_unit_test(test_tls_rule),
        cmocka_unit_test(test_retry_delay),
        cmocka_unit_test(test_retry_after_failure),
        cmocka_unit_test(test_queue_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
