#include "core/session.h"

#include <stdlib.h>
#include <string.h>

#include "core/rows.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/secure.h"

/* Seconds between writes of last_seen_at: the idle limit needs no finer clock. */
#define TOUCH_INTERVAL 60

void tsr_session_cleanup(struct tsr_session *s)
{
    free(s->sid);
    free(s->user_id);
    memset(s, 0, sizeof *s);
}

/* The hex SHA-256 of the browser's session cookie; false when there is none. */
static bool cookie_hash(const char *cookie, char hash[65])
{
    return cookie != NULL && tsr_sha256_hex(cookie, hash) == 0;
}

int tsr_session_start(const struct tsr_who *w, const char *cookie, const char *user_id,
                      struct tsr_session *out, char value[64])
{
    char hash[65], sid[33], old[65];
    const struct tsr_tenant *t = &w->tenant->t;
    int64_t now = tsr_clock_now();
    memset(out, 0, sizeof *out);
    if (cookie_hash(cookie, old))
        tsr_store_q_run(w->store, NULL, TSR_Q_SESSION_DELETE, t->id, old);
    int rc = tsr_random_secret(value, hash);
    if (rc == 0)
        rc = tsr_random_alnum(sid, 32);
    if (rc == 0)
        rc = tsr_store_q_run(w->store, NULL, TSR_Q_SESSION_INSERT, t->id, hash, sid, user_id, now,
                             now, now, now + t->session_lifetime);
    if (rc == 0) {
        out->sid = strdup(sid);
        out->user_id = strdup(user_id);
        out->auth_time = out->created_at = now;
        out->expires_at = now + t->session_lifetime;
        if (out->sid == NULL || out->user_id == NULL)
            rc = TSR_ENOMEM;
    }
    if (rc != 0) {
        tsr_session_cleanup(out);
        tsr_wipe(value, 64);
    }
    return rc;
}

struct session_row {
    struct tsr_session s;
    int64_t last_seen_at;
};

static int read_row(tsr_stmt *q, void *record)
{
    struct session_row *r = record;
    r->s.sid = tsr_stmt_text_dup(q, 0);
    r->s.user_id = tsr_stmt_text_dup(q, 1);
    r->s.auth_time = tsr_stmt_int64(q, 2);
    r->s.created_at = tsr_stmt_int64(q, 3);
    r->s.expires_at = tsr_stmt_int64(q, 4);
    r->last_seen_at = tsr_stmt_int64(q, 5);
    if (r->s.sid == NULL || r->s.user_id == NULL) {
        tsr_session_cleanup(&r->s);
        return TSR_ENOMEM;
    }
    return 0;
}

int tsr_session_current(const struct tsr_who *w, const char *cookie, struct tsr_session *out)
{
    char hash[65];
    struct session_row row = {0};
    const struct tsr_tenant *t = &w->tenant->t;
    int64_t now = tsr_clock_now();
    memset(out, 0, sizeof *out);
    if (!cookie_hash(cookie, hash))
        return TSR_ENOTFOUND;
    int rc = tsr_rows_one(w->store, read_row, &row, TSR_Q_SESSION_GET, t->id, hash);
    if (rc != 0)
        return rc;
    if (row.s.expires_at <= now || row.last_seen_at + t->idle_session_lifetime <= now) {
        tsr_session_cleanup(&row.s);
        return TSR_ENOTFOUND;
    }
    if (now - row.last_seen_at >= TOUCH_INTERVAL)
        tsr_store_q_run(w->store, NULL, TSR_Q_SESSION_TOUCH, now, t->id, hash);
    *out = row.s;
    return 0;
}

int tsr_session_end(const struct tsr_who *w, const char *cookie, struct tsr_session *ended,
                    bool *forget)
{
    char hash[65];
    memset(ended, 0, sizeof *ended);
    *forget = false;
    if (!cookie_hash(cookie, hash))
        return 0;
    struct session_row row = {0};
    int rc = tsr_rows_one(w->store, read_row, &row, TSR_Q_SESSION_GET, w->tenant->t.id, hash);
    if (rc == 0)
        *ended = row.s;
    else if (rc != TSR_ENOTFOUND)
        return rc;
    *forget = true;
    return tsr_store_q_run(w->store, NULL, TSR_Q_SESSION_DELETE, w->tenant->t.id, hash);
}
