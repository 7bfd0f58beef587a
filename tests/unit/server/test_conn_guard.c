/*
 * test_conn_guard.c - deadlines for slow requests and room for fresh
 * clients: which connection is cut, when, and whether it gets a 408; and
 * which requests count as sent when the server stops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/conn_guard.h"
#include "util/err.h"

#define MAX_CUTS 64

struct cuts {
    size_t n;
    int fd[MAX_CUTS];
    bool with_408[MAX_CUTS];
};

static void record_cut(void *ctx, int fd, bool send_408)
{
    struct cuts *c = ctx;
    assert_true(c->n < MAX_CUTS);
    c->fd[c->n] = fd;
    c->with_408[c->n] = send_408;
    c->n++;
}

/* A table of 16 with 2 kept free, 10 s for a header, 100 bytes/s for a body, 1 s of grace. */
static tsr_conn_guard *guard_new(struct cuts *cuts)
{
    struct tsr_conn_guard_limits lim = {.max_connections = 16,
                                        .reserve = 2,
                                        .header_ms = 10000,
                                        .body_min_rate = 100,
                                        .grace_ms = 1000};
    tsr_conn_guard *g = NULL;
    memset(cuts, 0, sizeof *cuts);
    assert_int_equal(tsr_conn_guard_new(&lim, record_cut, cuts, &g), 0);
    return g;
}

static void rejects_bad_limits(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = (tsr_conn_guard *)1;
    struct tsr_conn_guard_limits lim = {
        .max_connections = 4, .reserve = 4, .header_ms = 1000, .body_min_rate = 1};
    assert_int_equal(tsr_conn_guard_new(&lim, record_cut, &cuts, &g), TSR_EINVAL);
    assert_null(g);
    lim.reserve = 1;
    lim.body_min_rate = 0;
    assert_int_equal(tsr_conn_guard_new(&lim, record_cut, &cuts, &g), TSR_EINVAL);
    lim.body_min_rate = 1;
    assert_int_equal(tsr_conn_guard_new(&lim, NULL, &cuts, &g), TSR_EINVAL);
    tsr_conn_guard_free(NULL);
}

static void header_deadline_counts_from_accept_whatever_arrives(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    struct tsr_conn *c = tsr_conn_guard_open(g, 7, 1000);
    assert_non_null(c);
    /* Bytes of the request line arriving do not move the deadline. */
    tsr_conn_guard_request_line(g, c);
    assert_int_equal(tsr_conn_guard_sweep(g, 10999), 0);
    assert_int_equal(cuts.n, 0);
    assert_int_equal(tsr_conn_guard_sweep(g, 11000), 1);
    assert_int_equal(cuts.n, 1);
    assert_int_equal(cuts.fd[0], 7);
    assert_true(cuts.with_408[0]);
    /* Cut once only; later state changes are ignored until the server closes it. */
    tsr_conn_guard_header_done(g, c, false, 11001);
    tsr_conn_guard_request_done(g, c, 11002);
    assert_int_equal(tsr_conn_guard_sweep(g, 99999), 0);
    assert_int_equal(cuts.n, 1);
    struct tsr_conn_guard_stats st;
    tsr_conn_guard_take_stats(g, &st);
    assert_int_equal(st.header_timeouts, 1);
    assert_int_equal(st.slow_bodies + st.evicted, 0);
    tsr_conn_guard_take_stats(g, &st);
    assert_int_equal(st.header_timeouts, 0);
    tsr_conn_guard_close(g, c);
    tsr_conn_guard_free(g);
}

static void busy_requests_have_no_deadline(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    struct tsr_conn *c = tsr_conn_guard_open(g, 3, 0);
    tsr_conn_guard_header_done(g, c, false, 50);
    assert_int_equal(tsr_conn_guard_sweep(g, 1000000), 0);
    /* NULL entries (an unguarded connection) are accepted everywhere. */
    tsr_conn_guard_request_line(g, NULL);
    tsr_conn_guard_header_done(g, NULL, true, 0);
    tsr_conn_guard_body_bytes(g, NULL, 1);
    tsr_conn_guard_busy(g, NULL);
    tsr_conn_guard_request_done(g, NULL, 0);
    tsr_conn_guard_close(g, NULL);
    tsr_conn_guard_close(g, c);
    assert_int_equal(cuts.n, 0);
    tsr_conn_guard_free(g);
}

static void kept_alive_connections_wait_from_their_last_response(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    struct tsr_conn *idle = tsr_conn_guard_open(g, 4, 0);
    struct tsr_conn *started = tsr_conn_guard_open(g, 5, 0);
    tsr_conn_guard_header_done(g, idle, false, 100);
    tsr_conn_guard_request_done(g, idle, 5000);
    tsr_conn_guard_header_done(g, started, false, 100);
    tsr_conn_guard_request_done(g, started, 5000);
    tsr_conn_guard_request_line(g, started);
    assert_int_equal(tsr_conn_guard_sweep(g, 14999), 0);
    assert_int_equal(tsr_conn_guard_sweep(g, 15000), 2);
    /* The idle one is closed quietly; the one with a request under way gets a 408. */
    assert_int_equal(cuts.fd[0], 4);
    assert_false(cuts.with_408[0]);
    assert_int_equal(cuts.fd[1], 5);
    assert_true(cuts.with_408[1]);
    tsr_conn_guard_close(g, idle);
    tsr_conn_guard_close(g, started);
    tsr_conn_guard_free(g);
}

static void bodies_must_keep_the_minimum_rate(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    struct tsr_conn *fast = tsr_conn_guard_open(g, 1, 0);
    struct tsr_conn *slow = tsr_conn_guard_open(g, 2, 0);
    tsr_conn_guard_header_done(g, fast, true, 1000);
    tsr_conn_guard_header_done(g, slow, true, 1000);
    /* Each gets 10 s plus 1 s per 100 bytes received. */
    tsr_conn_guard_body_bytes(g, fast, 5000); /* 50 s of credit */
    tsr_conn_guard_body_bytes(g, slow, 150);  /* 1.5 s */
    assert_int_equal(tsr_conn_guard_sweep(g, 12499), 0);
    assert_int_equal(tsr_conn_guard_sweep(g, 12500), 1);
    assert_int_equal(cuts.fd[0], 2);
    assert_true(cuts.with_408[0]);
    tsr_conn_guard_body_bytes(g, slow, 100000); /* too late: cut stays cut */
    assert_int_equal(tsr_conn_guard_sweep(g, 60999), 0);
    assert_int_equal(tsr_conn_guard_sweep(g, 61000), 1);
    assert_int_equal(cuts.fd[1], 1);
    /* Once the body is complete, the request is busy: no more deadline. */
    struct tsr_conn *done = tsr_conn_guard_open(g, 9, 0);
    tsr_conn_guard_header_done(g, done, true, 0);
    tsr_conn_guard_busy(g, done);
    assert_int_equal(tsr_conn_guard_sweep(g, 1000000), 0);
    struct tsr_conn_guard_stats st;
    tsr_conn_guard_take_stats(g, &st);
    assert_int_equal(st.slow_bodies, 2);
    tsr_conn_guard_close(g, fast);
    tsr_conn_guard_close(g, slow);
    tsr_conn_guard_close(g, done);
    tsr_conn_guard_free(g);
}

static void a_nearly_full_table_cuts_the_longest_waiting(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    struct tsr_conn *c[20] = {0};
    /* 14 fit (16 less the 2 kept free); the busy ones are never cut. */
    for (int i = 0; i < 14; i++) {
        c[i] = tsr_conn_guard_open(g, 100 + i, (uint64_t)i);
        if (i % 2 == 0)
            tsr_conn_guard_header_done(g, c[i], false, (uint64_t)i);
    }
    assert_int_equal(cuts.n, 0);
    c[14] = tsr_conn_guard_open(g, 114, 14);
    assert_int_equal(cuts.n, 1);
    assert_int_equal(cuts.fd[0], 101); /* the oldest still waiting */
    assert_true(cuts.with_408[0]);
    /* Until the server closes it, it is not counted twice. */
    c[15] = tsr_conn_guard_open(g, 115, 15);
    assert_int_equal(cuts.n, 2);
    assert_int_equal(cuts.fd[1], 103);
    tsr_conn_guard_close(g, c[1]);
    c[1] = NULL;
    c[16] = tsr_conn_guard_open(g, 116, 16);
    assert_int_equal(cuts.n, 3);
    assert_int_equal(cuts.fd[2], 105);
    struct tsr_conn_guard_stats st;
    tsr_conn_guard_take_stats(g, &st);
    assert_int_equal(st.evicted, 3);
    for (int i = 0; i < 20; i++)
        tsr_conn_guard_close(g, c[i]);
    tsr_conn_guard_free(g);
}

static void bodies_are_cut_for_room_only_after_waiting_ones(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    struct tsr_conn *c[16] = {0};
    for (int i = 0; i < 14; i++) {
        c[i] = tsr_conn_guard_open(g, 200 + i, 0);
        tsr_conn_guard_header_done(g, c[i], i < 2, 0);
    }
    tsr_conn_guard_body_bytes(g, c[0], 1000);
    tsr_conn_guard_body_bytes(g, c[1], 10); /* further behind its rate */
    /* The newcomer is the only one waiting: it is kept, and the slowest body goes. */
    c[14] = tsr_conn_guard_open(g, 214, 5000);
    assert_int_equal(cuts.n, 1);
    assert_int_equal(cuts.fd[0], 201);
    assert_true(cuts.with_408[0]);
    tsr_conn_guard_close(g, c[1]);
    c[1] = NULL;
    /* With nothing left to cut but itself, a newcomer is kept (the server's hard limit rules). */
    tsr_conn_guard_busy(g, c[0]);
    tsr_conn_guard_busy(g, c[14]);
    c[1] = tsr_conn_guard_open(g, 215, 6000);
    c[15] = tsr_conn_guard_open(g, 216, 6000);
    assert_int_equal(cuts.n, 2);
    assert_int_equal(cuts.fd[1], 215);
    for (int i = 0; i < 16; i++)
        tsr_conn_guard_close(g, c[i]);
    tsr_conn_guard_free(g);
}

/* The review's attack: silent bodies fill the table, then a client connects and is slow to send. */
static void silent_bodies_go_before_a_newer_client_still_on_its_way(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    struct tsr_conn *c[16] = {0};
    for (int i = 0; i < 13; i++) {
        c[i] = tsr_conn_guard_open(g, 300 + i, 0);
        tsr_conn_guard_header_done(g, c[i], true, 0);
    }
    /* All within their grace: the oldest goes, and a body is older than the newcomer. */
    c[13] = tsr_conn_guard_open(g, 313, 300); /* the client; fills the 14 places */
    c[14] = tsr_conn_guard_open(g, 314, 400);
    assert_int_equal(cuts.n, 1);
    assert_int_not_equal(cuts.fd[0], 313);
    /* Past the grace, bodies that received nothing are behind whatever the newcomer does. */
    c[15] = tsr_conn_guard_open(g, 315, 1250);
    assert_int_equal(cuts.n, 2);
    assert_int_not_equal(cuts.fd[1], 313);
    assert_int_not_equal(cuts.fd[1], 314);
    for (int i = 0; i < 16; i++)
        tsr_conn_guard_close(g, c[i]);
    tsr_conn_guard_free(g);
}

/* Past the grace, waiting and body connections are ranked together by how far behind they are. */
static void past_the_grace_the_furthest_behind_goes_first(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    struct tsr_conn *c[16] = {0};
    /* 0: waiting since 0 (lag 5000 at t=5000).  1: body since 0 with 200 bytes (lag 3000).
     * 2: body since 1000, header done at 1500, nothing (lag 4000: its header time counts).
     * 3: body since 0 with 1000 bytes (lag -5000).  4..13: busy. */
    c[0] = tsr_conn_guard_open(g, 400, 0);
    c[1] = tsr_conn_guard_open(g, 401, 0);
    tsr_conn_guard_header_done(g, c[1], true, 0);
    tsr_conn_guard_body_bytes(g, c[1], 200);
    c[2] = tsr_conn_guard_open(g, 402, 1000);
    tsr_conn_guard_header_done(g, c[2], true, 1500);
    c[3] = tsr_conn_guard_open(g, 403, 0);
    tsr_conn_guard_header_done(g, c[3], true, 0);
    tsr_conn_guard_body_bytes(g, c[3], 1000);
    for (int i = 4; i < 14; i++) {
        c[i] = tsr_conn_guard_open(g, 400 + i, 0);
        tsr_conn_guard_busy(g, c[i]);
    }
    assert_int_equal(cuts.n, 0);
    c[14] = tsr_conn_guard_open(g, 414, 5000);
    c[15] = tsr_conn_guard_open(g, 415, 5000);
    assert_int_equal(cuts.n, 2);
    assert_int_equal(cuts.fd[0], 400);
    assert_int_equal(cuts.fd[1], 402);
    /* The fresh ones are within their grace: the body that is ahead of its rate goes next,
     * then the one behind less, and only then the newcomers, oldest first. */
    tsr_conn_guard_close(g, c[0]);
    tsr_conn_guard_close(g, c[2]);
    c[0] = c[2] = NULL;
    struct tsr_conn *extra[4] = {0};
    for (int i = 0; i < 4; i++)
        extra[i] = tsr_conn_guard_open(g, 430 + i, 5300);
    assert_int_equal(cuts.n, 6);
    assert_int_equal(cuts.fd[2], 401); /* lag 3300 */
    assert_int_equal(cuts.fd[3], 403); /* lag -4700, but past its grace */
    assert_int_equal(cuts.fd[4], 414); /* within the grace: oldest first */
    assert_int_equal(cuts.fd[5], 415);
    for (int i = 0; i < 16; i++)
        tsr_conn_guard_close(g, c[i]);
    for (int i = 0; i < 4; i++)
        tsr_conn_guard_close(g, extra[i]);
    tsr_conn_guard_free(g);
}

/* Body bytes sent in a connection's first moments do not put it ahead of an older newcomer. */
static void within_the_grace_body_bytes_buy_no_place(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    struct tsr_conn *c[16] = {0};
    for (int i = 0; i < 12; i++) {
        c[i] = tsr_conn_guard_open(g, 500 + i, 0);
        tsr_conn_guard_busy(g, c[i]);
    }
    c[12] = tsr_conn_guard_open(g, 512, 10000); /* the client, still in its handshake */
    c[13] = tsr_conn_guard_open(g, 513, 10100);
    tsr_conn_guard_header_done(g, c[13], true, 10100);
    tsr_conn_guard_body_bytes(g, c[13], 5000); /* 50 s ahead of the minimum rate */
    c[14] = tsr_conn_guard_open(g, 514, 10200);
    c[15] = tsr_conn_guard_open(g, 515, 10200);
    assert_int_equal(cuts.n, 2);
    assert_int_equal(cuts.fd[0], 512); /* oldest of the fresh ones */
    assert_int_equal(cuts.fd[1], 513);
    for (int i = 0; i < 16; i++)
        tsr_conn_guard_close(g, c[i]);
    tsr_conn_guard_free(g);
}

static void requests_sent_but_not_read_are_pending(void **state)
{
    (void)state;
    struct cuts cuts;
    tsr_conn_guard *g = guard_new(&cuts);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct tsr_conn *c = tsr_conn_guard_open(g, sv[0], 0);
    assert_false(tsr_conn_guard_request_pending(g)); /* accepted, nothing sent */

    /* Sent, not read: pending, and peeking leaves the bytes for the server. */
    assert_int_equal(send(sv[1], "POST", 4, 0), 4);
    assert_true(tsr_conn_guard_request_pending(g));
    char buf[8];
    assert_int_equal(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), 4);
    assert_false(tsr_conn_guard_request_pending(g));

    /* A request line read, then a body arriving: pending until the request is handled. */
    tsr_conn_guard_request_line(g, c);
    assert_true(tsr_conn_guard_request_pending(g));
    tsr_conn_guard_header_done(g, c, true, 10);
    assert_true(tsr_conn_guard_request_pending(g));
    tsr_conn_guard_busy(g, c);
    assert_false(tsr_conn_guard_request_pending(g)); /* in flight: the server counts it */
    tsr_conn_guard_request_done(g, c, 20);
    assert_false(tsr_conn_guard_request_pending(g)); /* kept alive and idle */

    tsr_conn_guard_close(g, c);
    tsr_conn_guard_free(g);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rejects_bad_limits),
        cmocka_unit_test(header_deadline_counts_from_accept_whatever_arrives),
        cmocka_unit_test(busy_requests_have_no_deadline),
        cmocka_unit_test(kept_alive_connections_wait_from_their_last_response),
        cmocka_unit_test(bodies_must_keep_the_minimum_rate),
        cmocka_unit_test(a_nearly_full_table_cuts_the_longest_waiting),
        cmocka_unit_test(bodies_are_cut_for_room_only_after_waiting_ones),
        cmocka_unit_test(silent_bodies_go_before_a_newer_client_still_on_its_way),
        cmocka_unit_test(past_the_grace_the_furthest_behind_goes_first),
        cmocka_unit_test(within_the_grace_body_bytes_buy_no_place),
        cmocka_unit_test(requests_sent_but_not_read_are_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
