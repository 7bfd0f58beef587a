/*
 * test_curldl.c - libcurl loaded on first use (curldl/curldl.h): the
 * wrappers load it, and every kind of curl_easy_setopt argument (long,
 * pointer, function, curl_off_t) reaches libcurl unchanged, shown by
 * file:// transfers whose outcome depends on each of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "curldl/curldl.h"

#include "fixture_tmp.h"

#define BODY "the body of the file, read through the curl_* wrappers\n"

struct sink {
    char buf[256];
    size_t len;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;
    if (n > sizeof s->buf - 1 - s->len)
        return 0;
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

static char file_url[4300];
static char file_path[4200];
static char dir[4096];

static int setup(void **state)
{
    (void)state;
    fixture_mkdtemp(dir, sizeof dir, "curldl");
    snprintf(file_path, sizeof file_path, "%s/body.txt", dir);
    FILE *f = fopen(file_path, "w");
    if (f == NULL || fputs(BODY, f) < 0 || fclose(f) != 0)
        return -1;
    snprintf(file_url, sizeof file_url, "file://%s", file_path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(file_path);
    rmdir(dir);
    return 0;
}

static void test_loads(void **state)
{
    (void)state;
    assert_null(tsr_curldl_error()); /* the test machine has libcurl4 */
    assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");
    curl_global_cleanup();
}

/* One transfer from byte `from` on (CURLOPT_RESUME_FROM_LARGE; 0: the whole file). */
static CURLcode fetch(curl_off_t from, struct sink *s)
{
    CURL *c = curl_easy_init();
    assert_non_null(c);
    memset(s, 0, sizeof *s);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, file_url), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEDATA, s), CURLE_OK);
    if (from > 0)
        assert_int_equal(curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, from), CURLE_OK);
    CURLcode rc = curl_easy_perform(c);
    long code = -1;
    assert_int_equal(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code), CURLE_OK);
    assert_true(code == 0 || code == 200);
    curl_easy_reset(c);
    curl_easy_cleanup(c);
    return rc;
}

static void test_transfer(void **state)
{
    (void)state;
    struct sink s;
    assert_int_equal(fetch(0, &s), CURLE_OK);
    assert_string_equal(s.buf, BODY);
    /* The offset arrives as a curl_off_t: the body from there on. */
    assert_int_equal(fetch(4, &s), CURLE_OK);
    assert_string_equal(s.buf, BODY + 4);
    assert_int_equal(fetch((curl_off_t)strlen(BODY) - 1, &s), CURLE_OK);
    assert_string_equal(s.buf, "\n");
}

static void test_url_and_lists(void **state)
{
    (void)state;
    CURLU *u = curl_url();
    assert_non_null(u);
    char *scheme = NULL, *host = NULL;
    assert_int_equal(curl_url_set(u, CURLUPART_URL, "smtp://127.0.0.1:2525/", 0), CURLUE_OK);
    assert_int_equal(curl_url_get(u, CURLUPART_SCHEME, &scheme, 0), CURLUE_OK);
    assert_int_equal(curl_url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
    assert_string_equal(scheme, "smtp");
    assert_string_equal(host, "127.0.0.1");
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);

    struct curl_slist *l = curl_slist_append(NULL, "<a@example.com>");
    assert_non_null(l);
    assert_non_null(curl_slist_append(l, "<b@example.com>"));
    assert_string_equal(l->next->data, "<b@example.com>");
    curl_slist_free_all(l);

    CURL *c = curl_easy_init();
    char *esc = curl_easy_escape(c, "a b&c", 0);
    assert_string_equal(esc, "a%20b%26c");
    curl_free(esc);
    curl_easy_cleanup(c);

    /* NULL handles and lists are no-ops, as in libcurl. */
    curl_easy_cleanup(NULL);
    curl_slist_free_all(NULL);
    curl_url_cleanup(NULL);
    curl_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads),
        cmocka_unit_test(test_transfer),
        cmocka_unit_test(test_url_and_lists),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
