/*
 * fuzz_redirect_uri.c - what decides where an authorization response goes:
 * the client's callbacks as stored (JSON text read by
 * tsr_strlist_from_text), the exact-match test of a redirect_uri against
 * them (tsr_strlist_contains, as /authorize does), the registration check
 * of URLs (tsr_url_problem) and the origin written into the login
 * pages' CSP (tsr_page_csp_source).
 *
 * Input: the callbacks' JSON text, a newline, then the redirect_uri.
 * Invariants:
 *  - stored lists survive to_text / from_text unchanged;
 *  - contains is true exactly when some item is byte-for-byte the URI;
 *  - a URL registration accepts has no whitespace, control character,
 *    fragment or banned scheme; as a web redirect it is https, or http on a
 *    loopback host, with a host and no user information; as an origin it
 *    has nothing after host[:port], and its CSP source is its scheme and
 *    authority (except for hosts with '_', a known gap);
 *  - the CSP source is the URL's scheme (lowercased) and authority, a
 *    prefix of the URL, without user information, a fixed point of
 *    tsr_page_csp_source, refused when out has no room;
 *  - scope-style word lists (tsr_strlist_split) hold unique non-empty words
 *    without spaces and survive join / split.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "core/input.h"
#include "mgmt/common.h"
#include "util/err.h"
#include "util/strlist.h"

static void check_list_roundtrip(const struct tsr_strlist *l)
{
    char *text = tsr_strlist_to_text(l);
    FUZZ_CHECK(text != NULL);
    struct tsr_strlist again = {0};
    FUZZ_CHECK(tsr_strlist_from_text(&again, text) == 0);
    FUZZ_CHECK(again.n == l->n);
    for (size_t i = 0; i < l->n; i++)
        FUZZ_CHECK(strcmp(again.v[i], l->v[i]) == 0);
    tsr_strlist_cleanup(&again);
    FUZZ_CHECK(again.n == 0);
    free(text);
}

static void check_contains(const struct tsr_strlist *l, const char *uri)
{
    bool expect = false;
    for (size_t i = 0; i < l->n; i++) {
        FUZZ_CHECK(tsr_strlist_contains(l, l->v[i]));
        if (strcmp(l->v[i], uri) == 0)
            expect = true;
    }
    FUZZ_CHECK(tsr_strlist_contains(l, uri) == expect);
}

static bool is_loopback(const char *host, size_t len)
{
    return (len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
           (len == 9 && memcmp(host, "127.0.0.1", 9) == 0) ||
           (len == 5 && memcmp(host, "[::1]", 5) == 0);
}

/* Checks what an accepted URL must look like. */
static void check_url_problem(const char *url)
{
    static const enum tsr_url_kind kinds[] = {TSR_URL_REDIRECT, TSR_URL_REDIRECT_NATIVE,
                                              TSR_URL_ORIGIN, TSR_URL_HTTPS};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (tsr_url_problem(url, kinds[k]) != NULL)
            continue;
        for (const char *p = url; *p; p++)
            FUZZ_CHECK((unsigned char)*p > 0x20 && *p != 0x7f && *p != '#');
        size_t slen = strcspn(url, ":");
        FUZZ_CHECK(slen > 0 && url[slen] == ':');
        static const char *const banned[] = {"javascript", "data", "vbscript", "file"};
        for (size_t b = 0; b < 4; b++)
            FUZZ_CHECK(!(strlen(banned[b]) == slen && strncasecmp(url, banned[b], slen) == 0));
        bool https = slen == 5 && strncasecmp(url, "https", 5) == 0;
        bool http = slen == 4 && strncasecmp(url, "http", 4) == 0;
        if (kinds[k] != TSR_URL_REDIRECT_NATIVE)
            FUZZ_CHECK(https || http);
        if (kinds[k] == TSR_URL_HTTPS)
            FUZZ_CHECK(https);
        if (!https && !http)
            continue;
        const char *a = url + slen + 1;
        FUZZ_CHECK(a[0] == '/' && a[1] == '/');
        a += 2;
        size_t alen = strcspn(a, "/?");
        FUZZ_CHECK(alen > 0 && memchr(a, '@', alen) == NULL);
        size_t hlen =
            a[0] == '[' ? (size_t)((const char *)memchr(a, ']', alen) - a) + 1 : strcspn(a, ":/?");
        FUZZ_CHECK(hlen > 0 && hlen <= alen);
        if (http)
            FUZZ_CHECK(is_loopback(a, hlen));
        if (kinds[k] == TSR_URL_ORIGIN)
            FUZZ_CHECK(a[alen] == '\0');
        /*
         * The login pages can name its origin in CSP form-action: scheme and
         * authority.  Known gap: registration accepts '_' in host names and
         * tsr_page_csp_source refuses them, so such a callback gets no
         * form-action source.
         */
        if (memchr(a, '_', alen) != NULL)
            continue;
        char out[256];
        if (slen + 3 + alen < sizeof out) {
            FUZZ_CHECK(tsr_page_csp_source(url, out, sizeof out));
            FUZZ_CHECK(strlen(out) == slen + 3 + alen &&
                       strncasecmp(out, url, slen + 3 + alen) == 0);
        }
    }
}

static void check_csp_source(const char *url)
{
    size_t len = strlen(url);
    size_t cap = len + 2;
    char *out = malloc(cap);
    FUZZ_CHECK(out != NULL);
    out[0] = 'x';
    bool ok = tsr_page_csp_source(url, out, cap);
    if (!ok) {
        FUZZ_CHECK(out[0] == '\0');
        free(out);
        return;
    }
    size_t olen = strlen(out);
    FUZZ_CHECK(olen > 0 && olen <= len);
    size_t slen = strcspn(out, ":");
    FUZZ_CHECK(slen > 0 && out[slen] == ':');
    for (size_t i = 0; i < olen; i++) {
        if (i < slen)
            FUZZ_CHECK(out[i] == (char)tolower((unsigned char)url[i]));
        else
            FUZZ_CHECK(out[i] == url[i]);
    }
    FUZZ_CHECK(strchr(out, '@') == NULL);
    /* "scheme:" or "scheme://authority", nothing after. */
    if (olen > slen + 1) {
        FUZZ_CHECK(out[slen + 1] == '/' && out[slen + 2] == '/' && olen > slen + 3);
        FUZZ_CHECK(strpbrk(out + slen + 3, "/?#") == NULL);
    }
    /* A fixed point: the source of a source is itself. */
    char *again = malloc(olen + 1);
    FUZZ_CHECK(again != NULL);
    FUZZ_CHECK(tsr_page_csp_source(out, again, olen + 1));
    FUZZ_CHECK(strcmp(again, out) == 0);
    /* No room for the NUL: refused, out left empty. */
    again[0] = 'x';
    FUZZ_CHECK(!tsr_page_csp_source(url, again, olen));
    FUZZ_CHECK(olen == 0 || again[0] == '\0');
    free(again);
    free(out);
}

static void check_split(const char *s)
{
    struct tsr_strlist words = {0};
    FUZZ_CHECK(tsr_strlist_split(&words, s) == 0);
    for (size_t i = 0; i < words.n; i++) {
        FUZZ_CHECK(words.v[i][0] != '\0' && strchr(words.v[i], ' ') == NULL);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(words.v[i], words.v[j]) != 0);
    }
    char *joined = tsr_strlist_join(&words);
    FUZZ_CHECK(joined != NULL);
    struct tsr_strlist again = {0};
    FUZZ_CHECK(tsr_strlist_split(&again, joined) == 0);
    FUZZ_CHECK(again.n == words.n);
    for (size_t i = 0; i < words.n; i++)
        FUZZ_CHECK(strcmp(again.v[i], words.v[i]) == 0);
    tsr_strlist_cleanup(&again);
    tsr_strlist_cleanup(&words);
    free(joined);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return 0;
    char *text = fuzz_strndup(data, size);
    char *nl = strchr(text, '\n');
    const char *uri = "";
    if (nl != NULL) {
        *nl = '\0';
        uri = nl + 1;
    }

    struct tsr_strlist callbacks = {0};
    int rc = tsr_strlist_from_text(&callbacks, text);
    FUZZ_CHECK(rc == 0 || rc == TSR_EFORMAT || rc == TSR_ENOMEM);
    if (rc == 0)
        check_list_roundtrip(&callbacks);
    else
        FUZZ_CHECK(callbacks.n == 0);

    check_contains(&callbacks, uri);
    check_url_problem(uri);
    check_csp_source(uri);
    for (size_t i = 0; i < callbacks.n && i < 8; i++) {
        check_url_problem(callbacks.v[i]);
        check_csp_source(callbacks.v[i]);
    }
    check_split(uri);

    tsr_strlist_cleanup(&callbacks);
    free(text);
    return 0;
}
