#include "core/consent.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"
#include "util/url.h"

/*
 * The host of url's authority (no user information, no port) into out,
 * lowercased.  A '\' ends the authority here, as browsers read http(s)
 * URLs: the host judged is the one a browser would connect to.
 */
static bool url_host(const char *url, char *out, size_t len)
{
    struct tsr_url u;
    if (tsr_url_split(url, &u) != 0 || !u.authority.present)
        return false;
    const char *p = u.authority.p;
    const char *bs = memchr(p, '\\', u.authority.n);
    size_t n = bs != NULL ? (size_t)(bs - p) : u.authority.n;
    for (const char *at = memchr(p, '@', n); at != NULL; at = memchr(p, '@', n)) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    struct tsr_url_part host, port;
    size_t h = tsr_url_hostport(p, n, &host, &port) == TSR_URL_HOSTPORT_UNCLOSED ? n : host.n;
    if (h == 0 || h >= len)
        return false;
    for (size_t i = 0; i < h; i++)
        out[i] = (char)tolower((unsigned char)p[i]);
    out[h] = '\0';
    if (h > 1 && out[h - 1] == '.')
        out[h - 1] = '\0'; /* "localhost." is localhost */
    return true;
}

/* True for a dotted-quad IPv4 address in 127.0.0.0/8. */
static bool loopback_v4(const char *host)
{
    unsigned a, b, c, d;
    char tail;
    return sscanf(host, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 &&
           c < 256 && d < 256 && strspn(host, "0123456789.") == strlen(host);
}

bool tsr_consent_loopback_url(const char *url)
{
    char host[256];
    if (!url_host(url, host, sizeof host))
        return false;
    size_t n = strlen(host);
    static const char sub[] = ".localhost";
    return strcmp(host, "localhost") == 0 ||
           (n > sizeof sub - 1 && strcmp(host + n - (sizeof sub - 1), sub) == 0) ||
           strcmp(host, "[::1]") == 0 || strcmp(host, "[0:0:0:0:0:0:0:1]") == 0 ||
           loopback_v4(host);
}

bool tsr_consent_first_party_skips(bool api_allows_skip, const char *redirect_uri)
{
    return api_allows_skip && !tsr_consent_loopback_url(redirect_uri);
}

static int read_scope(tsr_stmt *q, void *record)
{
    return tsr_strlist_from_text(record, tsr_stmt_text(q, 0)) == 0 ? 0 : TSR_ESTORE;
}

static int load(tsr_store *st, const char *tenant_id, const char *user_id, const char *client_id,
                const char *audience, struct tsr_strlist *out)
{
    return tsr_rows_one(st, read_scope, out, TSR_Q_CONSENT_GET_SCOPE, tenant_id, user_id, client_id,
                        audience);
}

int tsr_consent_get(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *client_id, const char *audience, struct tsr_strlist *out)
{
    int rc = load(st, tenant_id, user_id, client_id, audience, out);
    if (rc != 0)
        tsr_strlist_cleanup(out);
    return rc;
}

int tsr_consent_covers(tsr_store *st, const char *tenant_id, const char *user_id,
                       const char *client_id, const char *audience,
                       const struct tsr_strlist *wanted, bool *covered)
{
    struct tsr_strlist have = {0};
    *covered = false;
    int rc = load(st, tenant_id, user_id, client_id, audience, &have);
    if (rc == TSR_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    *covered = true;
    for (size_t i = 0; *covered && i < wanted->n; i++)
        *covered = tsr_strlist_contains(&have, wanted->v[i]);
    tsr_strlist_cleanup(&have);
    return 0;
}

int tsr_consent_add(tsr_store *st, const char *tenant_id, const char *user_id,
                    const char *client_id, const char *audience,
                    const struct tsr_strlist *scopes)
{
    struct tsr_strlist merged = {0};
    char *text = NULL;
    int64_t now = tsr_clock_now();
    int rc = load(st, tenant_id, user_id, client_id, audience, &merged);
    bool exists = rc == 0;
    if (rc != 0 && rc != TSR_ENOTFOUND)
        return rc;
    rc = 0;
    for (size_t i = 0; rc == 0 && i < scopes->n; i++)
        if (!tsr_strlist_contains(&merged, scopes->v[i]))
            rc = tsr_strlist_push(&merged, scopes->v[i]);
    if (rc == 0 && (text = tsr_strlist_to_text(&merged)) == NULL)
        rc = TSR_ENOMEM;
    if (rc == 0 && exists) {
        rc = tsr_store_q_run(st, NULL, TSR_Q_CONSENT_UPDATE_SCOPE, text, now, tenant_id, user_id,
                             client_id, audience);
    } else if (rc == 0) {
        char id[20] = "gr_";
        rc = tsr_random_alnum(id + 3, 16);
        if (rc == 0)
            rc = tsr_store_q_run(st, NULL, TSR_Q_CONSENT_INSERT, tenant_id, id, user_id, client_id,
                                 audience, text, now, now);
    }
    free(text);
    tsr_strlist_cleanup(&merged);
    return rc;
}

int tsr_consent_revoke(tsr_store *st, const char *tenant_id, const char *user_id,
                       const char *client_id)
{
    return tsr_store_q_run(st, NULL, TSR_Q_CONSENT_DELETE_FOR_USER, tenant_id, user_id, client_id,
                           client_id);
}

void tsr_consent_cleanup(struct tsr_consent *c)
{
    free(c->id);
    free(c->user_id);
    free(c->client_id);
    free(c->audience);
    tsr_strlist_cleanup(&c->scope);
    memset(c, 0, sizeof *c);
}

static int read_consent(tsr_stmt *q, void *record)
{
    struct tsr_consent *c = record;
    memset(c, 0, sizeof *c);
    c->id = tsr_stmt_text_dup(q, 0);
    c->user_id = tsr_stmt_text_dup(q, 1);
    c->client_id = tsr_stmt_text_dup(q, 2);
    c->audience = tsr_stmt_text_dup(q, 3);
    int rc = (!c->id || !c->user_id || !c->client_id || !c->audience) ? TSR_ENOMEM : 0;
    if (rc == 0 && tsr_strlist_from_text(&c->scope, tsr_stmt_text(q, 4)) != 0)
        rc = TSR_ESTORE;
    if (rc != 0)
        tsr_consent_cleanup(c);
    return rc;
}

static void consent_cleanup_cb(void *record)
{
    tsr_consent_cleanup(record);
}

/* A NULL filter matches everything (each is bound twice: "? IS NULL OR col = ?"). */
int tsr_consent_list(tsr_store *st, const char *tenant_id, const char *user_id,
                     const char *client_id, const char *audience, int64_t offset, int64_t limit,
                     struct tsr_consent **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    int rc = tsr_rows_count(st, total, TSR_Q_CONSENT_COUNT, tenant_id, user_id, user_id, client_id,
                            client_id, audience, audience);
    if (rc != 0)
        return rc;
    tsr_stmt *q = NULL;
    rc = tsr_store_q(st, &q, TSR_Q_CONSENT_LIST, tenant_id, user_id, user_id, client_id, client_id,
                     audience, audience, limit, offset);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_consent, consent_cleanup_cb, (void **)out, n);
    tsr_stmt_finalize(q);
    return rc;
}

void tsr_consent_list_free(struct tsr_consent *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, consent_cleanup_cb);
}

/*
 * The tokens a consent covers: refresh tokens of its user, client and
 * audience; opaque access tokens (issued only without an audience) of its
 * user and client when its audience is "".  The consents are named by id,
 * or by user_id when id is NULL.
 */

static int revoke_covered(tsr_store *st, const char *tenant_id, const char *id, const char *user_id)
{
    int64_t now = tsr_clock_now();
    int rc = tsr_store_q_run(st, NULL, TSR_Q_CONSENT_REVOKE_REFRESH, now, tenant_id, id, id,
                             user_id, user_id);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_CONSENT_REVOKE_ACCESS, now, tenant_id, id, id, user_id,
                             user_id);
    return rc;
}

int tsr_consent_delete(tsr_store *st, const char *tenant_id, const char *id)
{
    int rc = tsr_store_begin(st);
    if (rc != 0)
        return rc;
    rc = revoke_covered(st, tenant_id, id, NULL);
    if (rc == 0)
        rc = tsr_rows_change(st, TSR_Q_CONSENT_DELETE, tenant_id, id);
    return tsr_store_finish(st, rc);
}

int tsr_consent_delete_user(tsr_store *st, const char *tenant_id, const char *user_id)
{
    int rc = tsr_store_begin(st);
    if (rc != 0)
        return rc;
    rc = revoke_covered(st, tenant_id, NULL, user_id);
    if (rc == 0)
        rc = tsr_store_q_run(st, NULL, TSR_Q_CONSENT_DELETE_USER, tenant_id, user_id);
    return tsr_store_finish(st, rc);
}
