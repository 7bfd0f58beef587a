#include "core/lockout.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event.h"
#include "core/event_writer.h"
#include "core/rows.h"
#include "core/throttle.h"
#include "core/user.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/ipnet.h"

/*
 * The failed logins that count for a lock: wrong passwords ("fp") and
 * names no account has ("fu") alike, so that a lock does not tell which
 * names exist; in the window, after the last success ("s") of the same
 * name from the same network (util/ipnet.h: an IPv6 /64) and after the
 * last release of the name's blocks ("ublkdu", from any address: DELETE
 * /api/v2/user-blocks or a new password).
 * (The statements: store/sqlite/lockout.c.)
 */

static int64_t window_start(const struct tsr_limits *l)
{
    return (tsr_clock_now() - (int64_t)l->lockout_window) * 1000;
}

/*
 * This node's failures still queued for the event log's writer count too,
 * read from the queue rather than waited for (core/event_writer.h): the
 * rows of the name that the count's SQL looks at (failures, successes
 * from the network, releases), so the sum is what the SQL would count with
 * every queued row written.  Up to QUEUED_MAX failures are kept; more (a
 * stalled database under a flood) is waited for instead.
 */
#define QUEUED_MAX 64

struct queued {
    const char *tenant_id, *identifier, *net;
    int64_t since; /* the window's start */
    int64_t reset; /* latest queued success from net, or release, of the name */
    int64_t fail[QUEUED_MAX];
    size_t n;
    bool overflow;
};

/* lower(a) = lower(b) as SQLite's lower() has it: ASCII letters only. */
static bool same_name(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
        if (x == '\0')
            return true;
    }
}

static bool visit_queued(void *ctx, const struct tsr_event *e)
{
    struct queued *q = ctx;
    bool fail = strcmp(e->type, "fp") == 0 || strcmp(e->type, "fu") == 0;
    bool release = strcmp(e->type, "ublkdu") == 0;
    if ((!fail && !release && strcmp(e->type, "s") != 0) ||
        strcmp(e->tenant_id, q->tenant_id) != 0 || !same_name(e->user_name, q->identifier))
        return false;
    if (!release) {
        char net[TSR_IP_NET_MAX];
        tsr_ip_net(e->ip, net, sizeof net);
        if (strcmp(net, q->net) != 0)
            return false;
    }
    if (!fail) {
        q->reset = e->date > q->reset ? e->date : q->reset;
    } else if (e->date > q->since) {
        if (q->n < QUEUED_MAX)
            q->fail[q->n++] = e->date;
        else
            q->overflow = true;
    }
    return true;
}

/* The queued failures after since and after the name's resets already in the database. */
static int count_queued(tsr_store *st, const struct queued *q, int64_t since, int64_t *n)
{
    *n = 0;
    size_t after = 0;
    for (size_t i = 0; i < q->n; i++)
        after += q->fail[i] > since;
    if (after == 0)
        return 0;
    int64_t reset = 0;
    int rc =
        tsr_rows_count(st, &reset, TSR_Q_LOCKOUT_RESET_NET, q->tenant_id, q->identifier, q->net);
    for (size_t i = 0; rc == 0 && i < q->n; i++)
        *n += q->fail[i] > since && q->fail[i] > reset;
    return rc;
}

/* Tries at reading past the queue before waiting for every queued row. */
#define QUEUED_TRIES 3

static int failures(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                    const char *identifier, const char *ip, int64_t *n)
{
    char net[TSR_IP_NET_MAX];
    tsr_ip_net(ip, net, sizeof net);
    *n = 0;
    for (int tries = 0; tries < QUEUED_TRIES; tries++) {
        struct queued q = {
            .tenant_id = tenant_id, .identifier = identifier, .net = net, .since = window_start(l)};
        struct tsr_event_pending p;
        tsr_event_writer_pending(visit_queued, &q, &p);
        if (!q.overflow && tsr_event_writer_unpublished(&p)) {
            int64_t since = q.since > q.reset ? q.since : q.reset, stored = 0, queued = 0;
            int rc = tsr_rows_count(st, &stored, TSR_Q_LOCKOUT_COUNT_NET, tenant_id, identifier,
                                    since, net);
            if (rc == 0)
                rc = count_queued(st, &q, since, &queued);
            if (rc != 0)
                return rc;
            /* None of the queued rows counted was committed before the reads: no row twice. */
            if (tsr_event_writer_unpublished(&p)) {
                *n = stored + queued;
                return 0;
            }
        }
        /* The writer is committing some of them: once it has, they are the database's. */
        int rc = tsr_event_writer_wait(&p);
        if (rc != 0)
            return rc;
    }
    /* Still racing the writer: every failure this node recorded so far, or fail closed. */
    int rc = tsr_event_writer_sync();
    if (rc != 0)
        return rc;
    return tsr_rows_count(st, n, TSR_Q_LOCKOUT_COUNT_NET, tenant_id, identifier, window_start(l),
                          net);
}

int tsr_lockout_check(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                      const char *identifier, const char *ip, bool *locked)
{
    *locked = false;
    if (!l->lockout_block || !tsr_limits_lockout_counts(l, ip))
        return 0;
    int64_t n = 0;
    int rc = failures(st, l, tenant_id, identifier, ip, &n);
    *locked = rc == 0 && n >= (int64_t)l->lockout_attempts;
    return rc;
}

bool tsr_lockout_just_locked(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                             const char *identifier, const char *ip)
{
    int64_t n = 0;
    return tsr_limits_lockout_counts(l, ip) &&
           failures(st, l, tenant_id, identifier, ip, &n) == 0 && n == (int64_t)l->lockout_attempts;
}

int tsr_lockout_release(const struct tsr_who *w, const char *user_id, const char *const *names,
                        size_t n, const char *why)
{
    const char *tid = w->tenant->t.id;
    int rc = user_id != NULL ? tsr_throttle_clear_user(w->store, tid, user_id) : 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char account[TSR_THROTTLE_ACCOUNT_MAX];
        tsr_throttle_name_account(names[i], account);
        rc = tsr_throttle_clear(w->store, tid, account);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct tsr_event e = {
            .type = "ublkdu", .description = why, .user_id = user_id, .user_name = names[i]};
        tsr_event_record(w, &e);
    }
    return rc;
}

int tsr_lockout_release_user(const struct tsr_who *w, const struct tsr_user *u, const char *why)
{
    const char *names[2];
    size_t n = 0;
    if (u->email != NULL && u->email[0] != '\0')
        names[n++] = u->email;
    if (u->username != NULL && u->username[0] != '\0')
        names[n++] = u->username;
    return tsr_lockout_release(w, u->user_id, names, n, why);
}

static int read_block(tsr_stmt *q, void *record)
{
    struct tsr_lockout_block *b = record;
    b->ip = tsr_stmt_text_dup(q, 0);
    b->connection = tsr_stmt_text_dup(q, 1);
    return b->ip && b->connection ? 0 : TSR_ENOMEM;
}

static void block_cleanup(void *record)
{
    struct tsr_lockout_block *b = record;
    free(b->ip);
    free(b->connection);
}

/* Leaves out the networks of the allowlist, which are never locked out. */
static void drop_allowed(const struct tsr_limits *l, struct tsr_lockout_block *list, size_t *n)
{
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        char addr[TSR_IP_NET_MAX];
        snprintf(addr, sizeof addr, "%s", list[i].ip);
        addr[strcspn(addr, "/")] = '\0'; /* an IPv6 /64 counts by its first address */
        if (tsr_limits_lockout_counts(l, addr))
            list[kept++] = list[i];
        else
            block_cleanup(&list[i]);
    }
    *n = kept;
}

int tsr_lockout_blocks(tsr_store *st, const struct tsr_limits *l, const char *tenant_id,
                       const char *identifier, struct tsr_lockout_block **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!l->lockout_block || !l->lockout_enabled || l->lockout_attempts == 0)
        return 0;
    int rc = tsr_event_writer_sync();
    if (rc != 0)
        return rc;
    tsr_stmt *q = NULL;
    rc = tsr_store_q(st, &q, TSR_Q_LOCKOUT_BLOCKED_NETS, tenant_id, identifier, window_start(l),
                     (int64_t)l->lockout_attempts);
    if (rc == 0)
        rc = tsr_rows_collect(q, sizeof **out, read_block, block_cleanup, (void **)out, n);
    tsr_stmt_finalize(q);
    if (rc == 0)
        drop_allowed(l, *out, n);
    return rc;
}

void tsr_lockout_blocks_free(struct tsr_lockout_block *list, size_t n)
{
    tsr_rows_free(list, n, sizeof *list, block_cleanup);
}
