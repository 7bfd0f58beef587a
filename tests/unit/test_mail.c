/*
 * test_mail.c - addresses and the outbox (no SMTP server): headers, CRLF
 * lines, file modes, refusals of header injection.
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
#include <unistd.h>

#include <cmocka.h>

#include "core/mail.h"
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

static void test_outbox(void **state)
{
    (void)state;
    tsr_log_set_level(TSR_LOG_WARN);
    struct tsr_app app;
    memset(&app, 0, sizeof app);
    const char *base = getenv("TSR_TEST_TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    if (mkdir(base, 0700) != 0)
        assert_int_equal(errno, EEXIST);
    snprintf(app.settings.data_dir, sizeof app.settings.data_dir, "%s/tsr-mail-XXXXXX", base);
    assert_non_null(mkdtemp(app.settings.data_dir));

    assert_int_equal(tsr_mail_send(&app, "to@example.com", "Hi\r\nBcc: x@y.z", "x"), TSR_EINVAL);
    assert_int_equal(tsr_mail_send(&app, "to@example.com\n", "Hi", "x"), TSR_EINVAL);
    assert_int_equal(tsr_mail_send(&app, "to@example.com", "Reset your password",
                                   "Hello,\nopen https://id.example.com/u/reset-password?ticket=abc\n"),
                     0);

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
