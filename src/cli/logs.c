/*
 * logs.c - `tessera logs list|tail`: the tenant's event log through
 * /api/v2/logs, each event's type code shown with its meaning.  tail polls
 * for the events after the last one seen until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "util/clock.h"
#include "util/strbuf.h"

#define PAGE 100
#define POLL_MS 1000
#define TICK_MS 100
#define TOKEN_MARGIN_S 60

/* Auth0's event type codes (the ones Tessera records, and common others). */
static const char *const type_names[][2] = {
    {"s", "Success Login"},
    {"f", "Failed Login"},
    {"fp", "Failed Login (wrong password)"},
    {"fu", "Failed Login (unknown user)"},
    {"ss", "Success Signup"},
    {"fs", "Failed Signup"},
    {"slo", "Success Logout"},
    {"flo", "Failed Logout"},
    {"seacft", "Success Exchange (code for token)"},
    {"feacft", "Failed Exchange (code for token)"},
    {"seccft", "Success Exchange (client credentials)"},
    {"feccft", "Failed Exchange (client credentials)"},
    {"sepft", "Success Exchange (password for token)"},
    {"fepft", "Failed Exchange (password for token)"},
    {"sertft", "Success Exchange (refresh token)"},
    {"fertft", "Failed Exchange (refresh token)"},
    {"ferrt", "Refresh token reused: family revoked"},
    {"srrt", "Success Revocation (refresh token)"},
    {"scp", "Success Change Password"},
    {"fcp", "Failed Change Password"},
    {"scpr", "Success Change Password Request"},
    {"fcpr", "Failed Change Password Request"},
    {"sv", "Success Email Verification"},
    {"fv", "Failed Email Verification"},
    {"svr", "Success Verification Email Request"},
    {"fvr", "Failed Verification Email Request"},
    {"limit_wc", "Blocked IP (too many failed logins)"},
    {"limit_mu", "Blocked IP (attempts on many users)"},
    {"ublkdu", "User login block released"},
    {"sapi", "Success API Operation"},
    {"fapi", "Failed API Operation"},
    {"du", "Deleted User"},
    {"w", "Warning"},
    {NULL, NULL},
};

/* Display columns of one event (see row()). */
static const struct tsr_cli_col event_cols[] = {
    {"DATE", "date"},     {"TYPE", "type"}, {"EVENT", "event"},
    {"CLIENT", "client"}, {"USER", "user"}, {"DESCRIPTION", "description"},
    {NULL, NULL},
};

static const struct tsr_cli_opt list_opts[] = {
    {"number", "N", "how many of the newest events, 1 to 1000 (50)", 0},
    {"filter", "QUERY", "only events matching QUERY (the API's q), e.g. type:fp", 0},
    {NULL, NULL, NULL, 0},
};

static const struct tsr_cli_opt tail_opts[] = {
    {"number", "N", "how many past events to print first, 0 to 1000 (10)", 0},
    {"filter", "QUERY", "only events matching QUERY (the API's q, without a date term)", 0},
    {NULL, NULL, NULL, 0},
};

static const char *type_name(const char *type)
{
    for (size_t i = 0; type != NULL && type_names[i][0] != NULL; i++)
        if (strcmp(type_names[i][0], type) == 0)
            return type_names[i][1];
    return "";
}

/* First of the string members a, b of o that is not empty, or NULL. */
static const char *either(const json_t *o, const char *a, const char *b)
{
    const char *v = json_string_value(json_object_get(o, a));
    if (v == NULL || v[0] == '\0')
        v = json_string_value(json_object_get(o, b));
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* The display row of one event: date to the second, the type's meaning, who. */
static json_t *row(const json_t *e)
{
    char date[32] = "";
    const char *d = json_string_value(json_object_get(e, "date"));
    if (d != NULL && strlen(d) >= 19)
        snprintf(date, sizeof date, "%.10s %.8sZ", d, d + 11);
    const char *type = json_string_value(json_object_get(e, "type"));
    const char *client = either(e, "client_name", "client_id");
    const char *user = either(e, "user_name", "user_id");
    const char *desc = json_string_value(json_object_get(e, "description"));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "date", date, "type", type ? type : "",
                     "event", type_name(type), "client", client ? client : "", "user",
                     user ? user : "", "description", desc ? desc : "");
}

/* The display rows of events, in the order given (NULL when out of memory). */
static json_t *rows(const json_t *events)
{
    json_t *out = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(events, i, e)
    {
        if (out != NULL && json_array_append_new(out, row(e)) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

/* "logs?sort=date:<dir>&q=<filter>" (the q only when filter is not NULL); caller frees. */
static char *list_path(const char *sort, const char *filter, const char *date_from)
{
    struct tsr_strbuf b = {0};
    tsr_strbuf_append(&b, "logs?sort=");
    tsr_strbuf_append(&b, sort);
    if (filter != NULL || date_from != NULL) {
        tsr_strbuf_append(&b, "&q=");
        if (filter != NULL)
            tsr_strbuf_append_urlenc(&b, filter);
        if (filter != NULL && date_from != NULL)
            tsr_strbuf_append_urlenc(&b, " AND ");
        if (date_from != NULL) {
            tsr_strbuf_append_urlenc(&b, "date:[");
            tsr_strbuf_append_urlenc(&b, date_from);
            tsr_strbuf_append_urlenc(&b, " TO *]");
        }
    }
    return tsr_strbuf_take(&b, NULL);
}

/* The newest number events matching filter, oldest first. */
static int newest(const struct tsr_cli_args *a, tsr_remote *r, uint64_t number, json_t **out)
{
    json_t *items = NULL;
    char *path = list_path("date:-1", tsr_cli_opt(a, "filter"), NULL);
    int rc =
        path == NULL ? tsr_cli_fail(a, "out of memory") : tsr_remote_list(r, path, number, &items);
    free(path);
    *out = NULL;
    if (rc != 0)
        return rc;
    json_t *rev = json_array();
    for (size_t i = json_array_size(items); rev != NULL && i > 0; i--)
        json_array_append(rev, json_array_get(items, i - 1));
    json_decref(items);
    if (rev == NULL)
        return tsr_cli_fail(a, "out of memory");
    *out = rev;
    return 0;
}

static int logs_list(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *events = NULL, *table = NULL;
    uint64_t number;
    int rc = tsr_cli_opt_uint(a, "number", 1, TSR_REMOTE_LIST_MAX, 50, &number);
    if (rc == 0 && (rc = tsr_remote_open(a, &r)) == 0 &&
        (rc = newest(a, r, number, &events)) == 0) {
        if (tsr_cli_json(a))
            tsr_cli_print_json(stdout, events);
        else if ((table = rows(events)) == NULL)
            rc = tsr_cli_fail(a, "out of memory");
        else
            tsr_cli_print_table(stdout, event_cols, table);
    }
    json_decref(events);
    json_decref(table);
    tsr_remote_close(r);
    return rc;
}

/* ---- tail ---- */

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* SIGINT and SIGTERM end the tail; without SA_RESTART they cut the wait short. */
static void catch_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Waits POLL_MS, or less when a stop is requested. */
static void pause_poll(void)
{
    for (int waited = 0; waited < POLL_MS && !stop_requested; waited += TICK_MS) {
        struct timespec ts = {0, TICK_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
}

#define W_DATE 20
#define W_TYPE 8
#define W_EVENT 38
#define W_CLIENT 24
#define W_USER 28

static void print_cell(const json_t *v, int width)
{
    char cell[512];
    tsr_cli_cell(v, cell, sizeof cell);
    if (width > 0)
        printf("%-*s  ", width, cell);
    else
        printf("%s\n", cell);
}

static void print_header(void)
{
    printf("%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", W_DATE, "DATE", W_TYPE, "TYPE", W_EVENT, "EVENT",
           W_CLIENT, "CLIENT", W_USER, "USER", "DESCRIPTION");
    fflush(stdout);
}

/* One event as a line (a JSON line with --json), flushed so a pipe sees it at once. */
static void print_event(const struct tsr_cli_args *a, const json_t *e)
{
    if (tsr_cli_json(a)) {
        char *text = json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);
        if (text != NULL) {
            tsr_cli_put_json(stdout, text);
            fputc('\n', stdout);
        }
        free(text);
    } else {
        json_t *r = row(e);
        static const int widths[] = {W_DATE, W_TYPE, W_EVENT, W_CLIENT, W_USER, 0};
        for (size_t c = 0; r != NULL && event_cols[c].title != NULL; c++)
            print_cell(json_object_get(r, event_cols[c].path), widths[c]);
        json_decref(r);
    }
    fflush(stdout);
}

struct tail {
    const struct tsr_cli_args *a;
    tsr_remote *r;
    char last_id[128];  /* the newest event printed ("" before the first) */
    char last_date[64]; /* its date, for the filtered poll */
};

/* Prints e when it is newer than the last one, and makes it the last. */
static void take(struct tail *t, const json_t *e)
{
    const char *id = json_string_value(json_object_get(e, "log_id"));
    const char *date = json_string_value(json_object_get(e, "date"));
    if (id == NULL || strlen(id) >= sizeof t->last_id || strcmp(id, t->last_id) <= 0)
        return;
    print_event(t->a, e);
    snprintf(t->last_id, sizeof t->last_id, "%s", id);
    snprintf(t->last_date, sizeof t->last_date, "%s", date != NULL ? date : "");
}

/*
 * One poll.  Unfiltered: the events after the last log_id (the API's
 * checkpoint read).  Filtered: the API ignores q in a checkpoint read, so
 * the matching events dated from the last one's millisecond on, oldest
 * first, those already printed skipped.  *more: a full page came back.
 */
static int poll_once(struct tail *t, bool *more)
{
    json_t *items = NULL;
    char *path;
    const char *filter = tsr_cli_opt(t->a, "filter");
    if (filter == NULL) {
        path = t->last_id[0] != '\0' ? tsr_remote_path("logs?take=100&from=", t->last_id, "")
                                     : strdup("logs?take=100");
    } else {
        char *base = list_path("date:1", filter, t->last_date[0] != '\0' ? t->last_date : NULL);
        struct tsr_strbuf b = {0};
        tsr_strbuf_append(&b, base != NULL ? base : "");
        tsr_strbuf_append(&b, "&page=0&per_page=100");
        path = base != NULL ? tsr_strbuf_take(&b, NULL) : NULL;
        tsr_strbuf_cleanup(&b);
        free(base);
    }
    int rc = path == NULL ? tsr_cli_fail(t->a, "out of memory")
                          : tsr_remote_call(t->r, "GET", path, NULL, &items);
    free(path);
    *more = false;
    if (rc != 0)
        return rc;
    if (!json_is_array(items)) {
        json_decref(items);
        return tsr_cli_fail(t->a, "the server's answer is not a list");
    }
    char before[128];
    snprintf(before, sizeof before, "%s", t->last_id);
    size_t i;
    const json_t *e;
    json_array_foreach(items, i, e) take(t, e);
    /* A full page that brought nothing new (a hundred events in one millisecond): wait. */
    *more = json_array_size(items) == PAGE && strcmp(before, t->last_id) != 0;
    json_decref(items);
    return 0;
}

static int logs_tail(const struct tsr_cli_args *a)
{
    struct tail t = {.a = a};
    json_t *events = NULL;
    uint64_t number;
    int rc = tsr_cli_opt_uint(a, "number", 0, TSR_REMOTE_LIST_MAX, 10, &number);
    if (rc != 0)
        return rc;
    /* A stop cuts short a request the server holds, not only the wait between polls. */
    stop_requested = 0;
    catch_stop();
    tsr_remote_abort_on(&stop_requested);
    if ((rc = tsr_remote_open(a, &t.r)) != 0)
        goto out;
    /* At least one past event is read: the newest is where following starts. */
    if ((rc = newest(a, t.r, number > 0 ? number : 1, &events)) != 0)
        goto out;
    if (!tsr_cli_json(a))
        print_header();
    size_t n = json_array_size(events);
    for (size_t i = 0; i < n; i++) {
        if (number == 0) { /* only the position */
            const char *id =
                json_string_value(json_object_get(json_array_get(events, i), "log_id"));
            const char *d = json_string_value(json_object_get(json_array_get(events, i), "date"));
            snprintf(t.last_id, sizeof t.last_id, "%s", id != NULL ? id : "");
            snprintf(t.last_date, sizeof t.last_date, "%s", d != NULL ? d : "");
        } else {
            take(&t, json_array_get(events, i));
        }
    }
    while (!stop_requested) {
        bool more = false;
        time_t expires = tsr_remote_token_expires(t.r);
        if (expires != 0 && tsr_clock_now() + TOKEN_MARGIN_S >= expires) {
            /* A tail outlives its Management API token: get a new one first. */
            tsr_remote_close(t.r);
            t.r = NULL;
            if ((rc = tsr_remote_open(a, &t.r)) != 0)
                break;
        }
        if ((rc = poll_once(&t, &more)) != 0)
            break;
        if (!more)
            pause_poll();
    }
out:
    tsr_remote_abort_on(NULL);
    json_decref(events);
    tsr_remote_close(t.r);
    return stop_requested ? TSR_CLI_OK : rc;
}

const struct tsr_cli_command tsr_cli_logs_commands[] = {
    {.name = "logs list",
     .summary = "list the newest events: date, type and its meaning, client, user",
     .details = "The newest events, oldest first.  --filter takes the Management API's q:\n"
                "type:fp, user_id:\"auth0|...\", client_id:ID, date:2026-11-27,\n"
                "date:[2026-11-01 TO *], joined by AND.  --json prints the API's entries.\n",
     .opts = list_opts,
     .kind = TSR_CLI_REMOTE,
     .run = logs_list},
    {.name = "logs tail",
     .summary = "print the newest events, then each new one as it happens",
     .details = "Polls the server every second until SIGINT (Ctrl-C) or SIGTERM, which end it\n"
                "with exit status 0.  Each event is one line, written at once (--json: one\n"
                "JSON object a line).  If the server stops answering, one line says so and\n"
                "the exit status is 3.\n",
     .opts = tail_opts,
     .kind = TSR_CLI_REMOTE,
     .run = logs_tail},
    {0},
};
