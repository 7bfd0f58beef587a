/*
 * seed_users.c - fills a stopped Tessera's data directory with many
 * database users, straight through the store, for the login-scaling bench.
 *
 *   tessera-seed-users DATA_DIR COUNT
 *
 * Adds COUNT users to the default tenant's Username-Password-Authentication
 * connection: emails user000000000@bench.tessera.test upwards (zero-padded,
 * so they go into the indexes in order), verified, all with the password
 * Bench!Passw0rd.  Every user carries the same argon2id hash, made once by
 * tsr_password_hash: hashing a million passwords one by one would take
 * hours at the server's parameters, and a login's cost does not depend on
 * whose hash it checks.  Rows go in through the store's named query
 * USER_INSERT (core's tsr_user_insert), BATCH rows per transaction.
 *
 * Takes the data directory's lock exclusively, so it refuses to run beside
 * a server.  Prints one JSON object on stdout.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/connection.h"
#include "core/datadir.h"
#include "core/password.h"
#include "core/tenant.h"
#include "core/user.h"
#include "store/queries.h"
#include "store/sqlite/queries.h"
#include "store/store.h"
#include "util/clock.h"

#define MAX_USERS 100000000L
#define BATCH 50000L

static const char PASSWORD[] = "Bench!Passw0rd";
static const char CONNECTION[] = "Username-Password-Authentication";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The tenant a bare `tessera serve` answers for: the default one. */
static int default_tenant(tsr_store *st, char **tenant_id)
{
    struct tsr_tenant *list = NULL;
    size_t n = 0;
    int rc = tsr_tenant_list(st, &list, &n);
    if (rc != 0)
        return rc;
    *tenant_id = NULL;
    for (size_t i = 0; i < n && *tenant_id == NULL; i++)
        if (list[i].is_default)
            *tenant_id = strdup(list[i].id);
    if (*tenant_id == NULL && n > 0)
        *tenant_id = strdup(list[0].id);
    tsr_tenant_list_free(list, n);
    return *tenant_id ? 0 : -1;
}

/* Users first..first+count-1 of one transaction. */
static int insert_batch(tsr_store *st, const struct tsr_user *tmpl, long first, long count)
{
    char user_id[64], email[64], nickname[32];
    struct tsr_user u = *tmpl;
    u.user_id = user_id;
    u.email = email;
    u.name = email; /* Auth0's default: a user without a name is called by the email */
    u.nickname = nickname;
    int rc = tsr_store_begin(st);
    for (long i = first; rc == 0 && i < first + count; i++) {
        /* "auth0|" and 24 hex characters, as tsr_user_init_new makes them. */
        snprintf(user_id, sizeof user_id, "auth0|be0c4000%016lx", (unsigned long)i);
        snprintf(nickname, sizeof nickname, "user%09ld", i);
        snprintf(email, sizeof email, "%s@bench.tessera.test", nickname);
        rc = tsr_user_insert(st, &u);
    }
    return tsr_store_finish(st, rc);
}

/*
 * SQLite's plan for the lookup a login by email runs (USER_FIND_EMAIL), its
 * steps joined by "; ", into plan: it must SEARCH an index, never SCAN.  The
 * statement is the backend's own (store/sqlite/queries.h), not a copy.
 */
static int lookup_plan(tsr_store *st, char *plan, size_t planlen)
{
    char sql[1024];
    plan[0] = '\0';
    const char *find = tsr_sq_sql(TSR_Q_USER_FIND_EMAIL);
    if (find == NULL ||
        (size_t)snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", find) >= sizeof sql)
        return -1;
    tsr_stmt *q = NULL;
    int rc = tsr_store_query(st, &q, sql, tsr_query_types(TSR_Q_USER_FIND_EMAIL), "t", "c", "e@x");
    while (rc == 0 && (rc = tsr_stmt_step(q)) == TSR_STORE_ROW) {
        const char *detail = tsr_stmt_text(q, 3);
        size_t used = strlen(plan);
        snprintf(plan + used, planlen - used, "%s%s", used ? "; " : "", detail ? detail : "");
        rc = 0;
    }
    tsr_stmt_finalize(q);
    for (char *c = plan; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
            *c = '\''; /* printed inside a JSON string */
    return rc == TSR_STORE_DONE ? 0 : rc;
}

static int seed(const char *dir, long count, long *existing, char *plan, size_t planlen)
{
    char location[4096];
    if ((size_t)snprintf(location, sizeof location, "sqlite:%s/tessera.db", dir) >= sizeof location)
        return -1;
    tsr_store *st = NULL;
    char *tenant_id = NULL, *hash = NULL;
    struct tsr_connection conn;
    memset(&conn, 0, sizeof conn);
    int rc = tsr_store_open(location, &st);
    if (rc != 0) {
        fprintf(stderr, "cannot open %s (start `tessera serve` on it once first)\n", location);
        goto cleanup;
    }
    /* Bench data only: a crash mid-seed loses the seed, nothing else. */
    rc = tsr_store_exec(st, "PRAGMA synchronous=OFF; PRAGMA cache_size=-131072");
    if (rc == 0 && (rc = default_tenant(st, &tenant_id)) != 0)
        fprintf(stderr, "no tenant in %s\n", location);
    if (rc == 0 && (rc = tsr_connection_get_by_name(st, tenant_id, CONNECTION, &conn)) != 0)
        fprintf(stderr, "no %s connection in the default tenant\n", CONNECTION);
    if (rc == 0 && (rc = tsr_password_hash(PASSWORD, &hash)) != 0)
        fprintf(stderr, "argon2id hashing failed\n");
    if (rc != 0)
        goto cleanup;

    /* Users already seeded keep their numbers; new ones follow them. */
    tsr_stmt *q = NULL;
    rc = tsr_store_query(st, &q,
                         "SELECT COUNT(*) FROM users WHERE tenant_id = ? AND connection_id = ? AND "
                         "email LIKE 'user%@bench.tessera.test'",
                         "ss", tenant_id, conn.id);
    if (rc == 0 && tsr_stmt_step(q) == TSR_STORE_ROW)
        *existing = (long)tsr_stmt_int64(q, 0);
    else
        rc = rc ? rc : -1;
    tsr_stmt_finalize(q);
    if (rc != 0)
        goto cleanup;

    struct tsr_user tmpl = {
        .tenant_id = tenant_id,
        .connection_id = conn.id,
        .email_verified = true,
        .given_name = "",
        .family_name = "",
        .picture = "",
        .user_metadata = "{}",
        .app_metadata = "{}",
        .password_hash = hash,
        .last_ip = "",
        .created_at = tsr_clock_now(),
    };
    tmpl.updated_at = tmpl.created_at;
    for (long done = 0; rc == 0 && done < count; done += BATCH) {
        long n = count - done < BATCH ? count - done : BATCH;
        rc = insert_batch(st, &tmpl, *existing + done, n);
        if (rc != 0)
            fprintf(stderr, "inserting users %ld.. failed (%d)\n", *existing + done, rc);
    }
    if (rc == 0)
        rc = tsr_store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (rc == 0 && (rc = lookup_plan(st, plan, planlen)) != 0)
        fprintf(stderr, "EXPLAIN QUERY PLAN of USER_FIND_EMAIL failed\n");

cleanup:
    free(hash);
    free(tenant_id);
    tsr_connection_cleanup(&conn);
    tsr_store_close(st);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DATA_DIR COUNT\n", argv[0]);
        return 2;
    }
    char *end;
    errno = 0;
    long count = strtol(argv[2], &end, 10);
    if (errno != 0 || end == argv[2] || *end != '\0' || count < 0 || count > MAX_USERS) {
        fprintf(stderr, "COUNT is 0..%ld\n", MAX_USERS);
        return 2;
    }
    int lock = -1;
    long holder = 0;
    char why[256];
    if (tsr_datadir_lock(argv[1], TSR_DATADIR_EXCLUSIVE, &lock, &holder, why, sizeof why) != 0) {
        if (holder > 0)
            fprintf(stderr, "%s is in use by process %ld: stop the server first\n", argv[1],
                    holder);
        else
            fprintf(stderr, "%s: %s\n", argv[1], why);
        return 1;
    }
    long existing = 0;
    double t0 = now_s();
    char plan[512];
    int rc = seed(argv[1], count, &existing, plan, sizeof plan);
    double elapsed = now_s() - t0;
    tsr_datadir_unlock(lock);
    if (rc != 0)
        return 1;
    printf("{\"added\": %ld, \"users\": %ld, \"seconds\": %.3f, "
           "\"emails\": \"user%%09d@bench.tessera.test\", \"one_hash_for_all\": true, "
           "\"find_email_plan\": \"%s\"}\n",
           count, existing + count, elapsed, plan);
    return 0;
}
