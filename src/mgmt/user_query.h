/*
 * user_query.h - the query of GET /api/v2/users: q in the part of Auth0's
 * Lucene syntax Tessera understands, and sort.
 *
 * q is terms joined by spaces or AND: field:value or field:"quoted value",
 * or one bare text (a substring of email, name, nickname or username).
 * Fields: email (exact, or a prefix with a trailing '*'), email.domain,
 * user_id (alone: a lookup by key), name, nickname, username (exact or
 * prefix, ignoring case), email_verified and blocked (true or false), and
 * identities.connection.  Anything else (OR, NOT, ranges, other fields, a
 * field twice) answers 400 rather than a wrong result.
 */
#ifndef TSR_MGMT_USER_QUERY_H
#define TSR_MGMT_USER_QUERY_H

#include <stdbool.h>

#include "core/user.h"
#include "http/request.h"

struct tsr_mgmt_user_query {
    struct tsr_user_filter filter; /* points into buf */
    const char *user_id;           /* user_id:..., or NULL */
    char sort[32];                 /* a column tsr_user_sort_ok accepts */
    bool ascending;
    char *buf; /* owns the query's strings */
};

/* Empty: no term, newest first. */
void tsr_mgmt_user_query_init(struct tsr_mgmt_user_query *uq);

/*
 * Parses q into uq (initialised; the filter and user_id then point into
 * uq->buf).  Returns 0, TSR_ENOMEM, or TSR_EINVAL with *why saying what it
 * could not read.  Clean up either way.
 */
int tsr_mgmt_user_query_parse(const char *q, struct tsr_mgmt_user_query *uq, const char **why);

/* Reads q and sort; on a bad value sends 400 and returns false.  Clean up either way. */
bool tsr_mgmt_user_query_read(struct tsr_req *req, struct tsr_mgmt_user_query *out);
void tsr_mgmt_user_query_cleanup(struct tsr_mgmt_user_query *uq);

#endif
