/*
 * user_query.c - parsing GET /api/v2/users' q and sort (see user_query.h).
 * The query text is copied once and cut in place: every value the filter
 * names points into that copy.
 */
#include "mgmt/user_query.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"
#include "mgmt/common.h"
#include "util/err.h"

#define Q_MAX 1024

static const char Q_DESC[] = "Query in Lucene query string syntax";

/* A boolean value into *out (0 or 1); false for anything else. */
static bool read_flag(const char *v, int *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
        *out = v[0] == 't';
        return true;
    }
    return false;
}

/* Points the filter member field names at value; false for an unknown field or a repeat. */
static bool set_term(struct tsr_mgmt_user_query *uq, const char *field, char *value)
{
    struct tsr_user_filter *f = &uq->filter;
    size_t len = strlen(value);
    bool prefix = len > 0 && value[len - 1] == '*';
    const char **slot = NULL;
    if (strcmp(field, "email") == 0)
        slot = prefix ? &f->email_prefix : &f->email;
    else if (strcmp(field, "email.domain") == 0)
        slot = &f->email_domain;
    else if (strcmp(field, "user_id") == 0)
        slot = &uq->user_id;
    else if (strcmp(field, "name") == 0)
        slot = &f->name;
    else if (strcmp(field, "nickname") == 0)
        slot = &f->nickname;
    else if (strcmp(field, "username") == 0)
        slot = &f->username;
    else if (strcmp(field, "identities.connection") == 0)
        slot = &f->connection;
    else if (strcmp(field, "email_verified") == 0)
        return f->email_verified < 0 && read_flag(value, &f->email_verified);
    else if (strcmp(field, "blocked") == 0)
        return f->blocked < 0 && read_flag(value, &f->blocked);
    if (slot == NULL || *slot != NULL || (f->email && f->email_prefix))
        return false;
    /* Only name-like fields and email take a trailing '*'. */
    if (prefix && (slot == &f->email_domain || slot == &uq->user_id || slot == &f->connection))
        return false;
    *slot = value;
    return true;
}

/*
 * Cuts the value starting at *p: "quoted" (no escapes) or up to the next
 * space.  Returns it (NUL-terminated in place) or NULL when malformed.
 */
static char *cut_value(char **p)
{
    char *v = *p, *end;
    if (*v == '"') {
        v++;
        end = strchr(v, '"');
        if (end == NULL || memchr(v, '\\', (size_t)(end - v)) != NULL)
            return NULL;
        *p = end + 1;
        if (**p != '\0' && **p != ' ')
            return NULL;
    } else {
        end = v + strcspn(v, " ");
        *p = end;
        /* Ranges, groups, escapes and inner wildcards are not read. */
        if (v == end || strcspn(v, "[]{}()\\\"?") < (size_t)(end - v))
            return NULL;
        char *star = memchr(v, '*', (size_t)(end - v));
        if (star != NULL && star != end - 1)
            return NULL;
    }
    if (**p == ' ')
        (*p)++;
    *end = '\0';
    return v[0] != '\0' ? v : NULL;
}

int tsr_mgmt_user_query_parse(const char *q, struct tsr_mgmt_user_query *uq, const char **why)
{
    *why = NULL;
    if (strlen(q) > Q_MAX) {
        *why = "Too long";
        return TSR_EINVAL;
    }
    if ((uq->buf = strdup(q)) == NULL)
        return TSR_ENOMEM;
    char *p = uq->buf;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        size_t word = strcspn(p, " ");
        if (word == 3 && strncmp(p, "AND", 3) == 0) {
            p += 3;
            continue;
        }
        size_t name = strspn(p, "abcdefghijklmnopqrstuvwxyz_.");
        if (p[name] == ':' && name > 0 && name < word) {
            char *field = p;
            p[name] = '\0';
            p += name + 1;
            char *value = cut_value(&p);
            if (value == NULL)
                *why = "A value it cannot read";
            else if (!set_term(uq, field, value))
                *why = "A field it does not read, or read twice";
            if (*why != NULL)
                return TSR_EINVAL;
            continue;
        }
        if (strchr("-+(!", *p) != NULL || (word == 2 && strncmp(p, "OR", 2) == 0) ||
            (word == 3 && strncmp(p, "NOT", 3) == 0) || uq->filter.search != NULL) {
            *why = "An operator or a second bare text";
            return TSR_EINVAL;
        }
        char *text = cut_value(&p);
        if (text == NULL) {
            *why = "A text it cannot read";
            return TSR_EINVAL;
        }
        size_t len = strlen(text);
        if (text[len - 1] == '*')
            text[len - 1] = '\0';
        uq->filter.search = text;
    }
    const struct tsr_user_filter *f = &uq->filter;
    bool others = f->email || f->email_prefix || f->email_domain || f->search || f->name ||
                  f->nickname || f->username || f->connection || f->email_verified >= 0 ||
                  f->blocked >= 0;
    if (uq->user_id != NULL && others)
        *why = "user_id with other terms";
    else if (f->email_prefix != NULL && f->email_domain != NULL)
        *why = "Both a prefix and a domain of email";
    return *why ? TSR_EINVAL : 0;
}

/* Reads q into uq; sends 400 (naming what it could not read) or 500 and returns false. */
static bool read_q(struct tsr_req *req, const char *q, struct tsr_mgmt_user_query *uq)
{
    const char *why;
    int rc = tsr_mgmt_user_query_parse(q, uq, &why);
    if (rc == TSR_ENOMEM)
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
    if (rc != TSR_EINVAL)
        return rc == 0;
    char what[600];
    snprintf(what, sizeof what,
             "%s in %.200s (Tessera reads terms joined by AND: email, email.domain, user_id, "
             "name, nickname, username, email_verified, blocked, identities.connection, or one "
             "bare text)",
             why, q);
    tsr_mgmt_query_error(req, "q", Q_DESC, what);
    return false;
}

/* sort: "<field>:1" (ascending) or "<field>:-1"; the default is newest first. */
static bool read_sort(struct tsr_req *req, struct tsr_mgmt_user_query *uq)
{
    const char *s = tsr_req_query(req, "sort");
    snprintf(uq->sort, sizeof uq->sort, "created_at");
    uq->ascending = false;
    if (s == NULL || s[0] == '\0')
        return true;
    const char *colon = strrchr(s, ':');
    size_t len = colon ? (size_t)(colon - s) : 0;
    if (colon != NULL && len < sizeof uq->sort &&
        (strcmp(colon, ":1") == 0 || strcmp(colon, ":-1") == 0)) {
        snprintf(uq->sort, sizeof uq->sort, "%.*s", (int)len, s);
        uq->ascending = strcmp(colon, ":1") == 0;
        if (tsr_user_sort_ok(uq->sort))
            return true;
    }
    tsr_mgmt_query_error(req, "sort",
                         "The field to use for sorting. Use field:order where order is 1 for "
                         "ascending and -1 for descending. e.g. created_at:1",
                         "Expected created_at, updated_at, last_login, logins_count, email, "
                         "name, nickname, username or user_id, then :1 or :-1");
    return false;
}

void tsr_mgmt_user_query_init(struct tsr_mgmt_user_query *uq)
{
    memset(uq, 0, sizeof *uq);
    uq->filter.email_verified = -1;
    uq->filter.blocked = -1;
    snprintf(uq->sort, sizeof uq->sort, "created_at");
}

bool tsr_mgmt_user_query_read(struct tsr_req *req, struct tsr_mgmt_user_query *out)
{
    tsr_mgmt_user_query_init(out);
    const char *q = tsr_req_query(req, "q");
    return (q == NULL || read_q(req, q, out)) && read_sort(req, out);
}

void tsr_mgmt_user_query_cleanup(struct tsr_mgmt_user_query *uq)
{
    free(uq->buf);
    uq->buf = NULL;
}
