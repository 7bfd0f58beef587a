/*
 * dbconnections.c - POST /dbconnections/signup and
 * /dbconnections/change_password, with Auth0's request fields, answers
 * and error shapes ({name, code, description, statusCode}, which
 * node-auth0 reads as it reads {error, error_description}).
 *
 * Bodies are JSON (what Auth0's SDKs send) or forms.  user_metadata, an
 * object of strings, exists only in JSON bodies.
 */
#include "authn/dbconnections.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authn/authn.h"
#include "authn/cors.h"
#include "core/client.h"
#include "core/connection.h"
#include "core/event.h"
#include "core/mail.h"
#include "core/password.h"
#include "core/rate_limit.h"
#include "core/ticket.h"
#include "core/user.h"
#include "http/response.h"
#include "util/err.h"
#include "util/log.h"

#define FIELD_MAX 300
#define PICTURE_MAX 2048
#define METADATA_MAX_KEYS 10
#define METADATA_MAX_VALUE 500
/* A JSON string, as Auth0 sends it. */
#define RESET_SENT "\"We've just sent you an email to reset your password.\""

/* The request's fields, borrowed from params or json (whichever was parsed). */
struct body {
    struct tsr_params params;
    json_t *json;
};

static void body_cleanup(struct body *b)
{
    tsr_params_cleanup(&b->params);
    json_decref(b->json);
}

/* Auth0's error shape for these endpoints, with a status. */
static void send_status_error(struct tsr_req *req, int status, const char *name, const char *code,
                              const char *description)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "name", name, "code", code, "description",
                          description, "statusCode", status);
    tsr_resp_json(req, (unsigned)status, o);
}

static void send_error(struct tsr_req *req, const char *name, const char *code,
                       const char *description)
{
    send_status_error(req, 400, name, code, description);
}

/*
 * Counts the request against its class's rates per address and per tenant;
 * false once a 429 (with Retry-After) or a 500 is sent.
 */
static bool rate_ok(struct tsr_req *req, enum tsr_rate_class cls)
{
    int64_t wait = 0;
    int rc = tsr_rate_limit_request(tsr_req_who(req), cls, &wait);
    if (rc == 0)
        return true;
    if (rc != TSR_EBUSY) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot count the request");
        return false;
    }
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)wait);
    tsr_resp_header(req, "Retry-After", v);
    send_status_error(req, 429, "TooManyRequestsError", "too_many_requests",
                      "Too many requests from this address; retry later.");
    return false;
}

static void bad_body(struct tsr_req *req, const char *description)
{
    send_error(req, "BadRequestError", "invalid_body", description);
}

static bool read_body(struct tsr_req *req, struct body *b)
{
    memset(b, 0, sizeof *b);
    if (!tsr_req_is_content_type(req, "application/json"))
        return tsr_authn_read_params(req, &b->params);
    char err[256];
    if (tsr_req_json_body(req, &b->json, err, sizeof err) != 0) {
        bad_body(req, err);
        return false;
    }
    return true;
}

/*
 * A string field: NULL when absent or empty.  In JSON, a non-string value
 * answers 400 (*bad set).
 */
static const char *field(struct tsr_req *req, const struct body *b, const char *name, bool *bad)
{
    const char *v = NULL;
    if (b->json == NULL) {
        v = tsr_params_get(&b->params, name);
    } else {
        const json_t *j = json_object_get(b->json, name);
        if (j != NULL && !json_is_string(j)) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s must be a string", name);
            if (!*bad)
                bad_body(req, msg);
            *bad = true;
            return NULL;
        }
        v = json_string_value(j);
    }
    if (v != NULL && strlen(v) > (strcmp(name, "picture") == 0 ? PICTURE_MAX : FIELD_MAX)) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s is too long", name);
        if (!*bad)
            bad_body(req, msg);
        *bad = true;
        return NULL;
    }
    return v && v[0] ? v : NULL;
}

static bool require(struct tsr_req *req, const char *value, const char *name, bool *bad)
{
    if (*bad)
        return false;
    if (value != NULL)
        return true;
    char msg[160];
    snprintf(msg, sizeof msg, "Missing required property: %s", name);
    bad_body(req, msg);
    *bad = true;
    return false;
}

/*
 * The client and connection of a request: the client must exist and be
 * enabled on the connection.  Sends 400 and returns false otherwise.
 */
static bool load_pair(struct tsr_req *req, const char *client_id, const char *connection,
                      struct tsr_client *cl, struct tsr_connection *c)
{
    const char *tid = req->tenant->t.id;
    int rc = tsr_client_get(req->store, tid, client_id, cl);
    if (rc == TSR_ENOTFOUND) {
        send_error(req, "BadRequestError", "invalid_client", "Unknown client");
        return false;
    }
    if (rc == 0)
        rc = tsr_connection_get_by_name(req->store, tid, connection, c);
    if (rc == TSR_ENOTFOUND) {
        send_error(req, "BadRequestError", "bad.connection", "Connection does not exist");
        return false;
    }
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Storage failure");
        return false;
    }
    if (!tsr_connection_enabled_for(c, cl->client_id)) {
        send_error(req, "BadRequestError", "unauthorized",
                   "The connection is not enabled for this client");
        return false;
    }
    return true;
}

/* user_metadata: at most 10 members, each a string (Auth0's sign-up rule). */
static bool read_metadata(struct tsr_req *req, const struct body *b, struct tsr_user *u)
{
    const json_t *m = b->json ? json_object_get(b->json, "user_metadata") : NULL;
    if (m == NULL)
        return true;
    bool ok = json_is_object(m) && json_object_size(m) <= METADATA_MAX_KEYS;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)m, key, v)
    {
        if (!json_is_string(v) || json_string_length(v) > METADATA_MAX_VALUE)
            ok = false;
    }
    char *text = ok ? json_dumps(m, JSON_COMPACT) : NULL;
    if (text == NULL) {
        bad_body(req, ok ? "Out of memory"
                         : "user_metadata must be an object of at most 10 string values");
        return false;
    }
    free(u->user_metadata);
    u->user_metadata = text;
    return true;
}

static int dup_into(char **dst, const char *s)
{
    if (s == NULL)
        return 0;
    char *copy = strdup(s);
    if (copy == NULL)
        return TSR_ENOMEM;
    free(*dst);
    *dst = copy;
    return 0;
}

/* Fills u from the body's profile fields; sends 400 and returns false on a bad one. */
static bool read_profile(struct tsr_req *req, const struct body *b,
                         const struct tsr_connection *c, struct tsr_user *u, bool *bad)
{
    const char *email = field(req, b, "email", bad);
    const char *username = field(req, b, "username", bad);
    const char *picture = field(req, b, "picture", bad);
    const char *names[4] = {field(req, b, "given_name", bad), field(req, b, "family_name", bad),
                            field(req, b, "name", bad), field(req, b, "nickname", bad)};
    if (!require(req, email, "email", bad) ||
        (c->requires_username && !require(req, username, "username", bad)))
        return false;
    if (!tsr_mail_address_ok(email)) {
        bad_body(req, "Object didn't pass validation for format email");
        return false;
    }
    if (username != NULL && !tsr_user_username_ok(username)) {
        bad_body(req, "Username may hold only letters, digits and _+-.!#$'^`~");
        return false;
    }
    if (picture != NULL && strncmp(picture, "https://", 8) != 0) {
        bad_body(req, "picture must be an https URL");
        return false;
    }
    u->email = tsr_user_email_lower(email);
    int rc = u->email ? 0 : TSR_ENOMEM;
    if (rc == 0 && c->requires_username)
        rc = dup_into(&u->username, username);
    if (rc == 0)
        rc = dup_into(&u->picture, picture);
    if (rc == 0)
        rc = dup_into(&u->given_name, names[0]);
    if (rc == 0)
        rc = dup_into(&u->family_name, names[1]);
    if (rc == 0)
        rc = dup_into(&u->name, names[2]);
    if (rc == 0)
        rc = dup_into(&u->nickname, names[3]);
    if (rc == 0)
        rc = tsr_user_fill_defaults(u);
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Out of memory");
        return false;
    }
    return read_metadata(req, b, u);
}

static void send_weak_password(struct tsr_req *req, const struct tsr_connection *c,
                               const char *why)
{
    char policy[512];
    tsr_password_policy_text(c, policy, sizeof policy);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "name", "PasswordStrengthError",
                          "message", "Password is too weak", "code", "invalid_password",
                          "description", why, "policy", policy, "statusCode", 400);
    tsr_resp_json(req, 400, o);
}

static void send_signed_up(struct tsr_req *req, const struct tsr_user *u)
{
    const char *bare = strchr(u->user_id, '|');
    json_t *o = json_pack("{s:s, s:b, s:s}", "_id", bare ? bare + 1 : u->user_id,
                          "email_verified", u->email_verified, "email", u->email);
    if (o != NULL) {
        if (u->username)
            json_object_set_new(o, "username", json_string(u->username));
        if (u->given_name[0])
            json_object_set_new(o, "given_name", json_string(u->given_name));
        if (u->family_name[0])
            json_object_set_new(o, "family_name", json_string(u->family_name));
        json_object_set_new(o, "name", json_string(u->name));
        json_object_set_new(o, "nickname", json_string(u->nickname));
        if (u->picture[0])
            json_object_set_new(o, "picture", json_string(u->picture));
        json_t *m = json_loads(u->user_metadata, 0, NULL);
        if (json_object_size(m) > 0)
            json_object_set_new(o, "user_metadata", m);
        else
            json_decref(m);
    }
    tsr_resp_json(req, 200, o);
}

static void record(struct tsr_req *req, const char *type, const char *description,
                   const struct tsr_client *cl, const struct tsr_connection *c,
                   const struct tsr_user *u)
{
    struct tsr_event e = {
        .type = type,
        .description = description,
        .client_id = cl->client_id,
        .client_name = cl->name,
        .user_id = u->user_id,
        .user_name = u->email,
        .connection = c->name,
        .connection_id = c->id,
    };
    tsr_event_record(tsr_req_who(req), &e);
}

void tsr_authn_signup(struct tsr_req *req)
{
    struct body b;
    struct tsr_client cl = {0};
    struct tsr_connection c = {0};
    struct tsr_user u = {0};
    bool bad = false;
    char why[256];
    /* Browsers call this from the application's origin (auth0.js signup). */
    tsr_cors_allow(req);
    if (!rate_ok(req, TSR_RATE_SIGNUP) || !read_body(req, &b))
        return;
    const char *client_id = field(req, &b, "client_id", &bad);
    const char *connection = field(req, &b, "connection", &bad);
    const char *password = b.json ? json_string_value(json_object_get(b.json, "password"))
                                  : tsr_params_get(&b.params, "password");
    if (!require(req, client_id, "client_id", &bad) ||
        !require(req, connection, "connection", &bad) ||
        !require(req, password && password[0] ? password : NULL, "password", &bad) ||
        !load_pair(req, client_id, connection, &cl, &c))
        goto out;
    if (c.disable_signup) {
        send_error(req, "BadRequestError", "operation_not_supported",
                   "Public signup is disabled");
        goto out;
    }
    int rc = tsr_user_init_new(&u, req->tenant->t.id, c.id);
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot create the user");
        goto out;
    }
    if (!read_profile(req, &b, &c, &u, &bad))
        goto out;
    if (!tsr_password_policy_ok(&c, password, why, sizeof why)) {
        record(req, "fs", "Password is too weak", &cl, &c, &u);
        send_weak_password(req, &c, why);
        goto out;
    }
    free(u.password_hash);
    u.password_hash = NULL;
    if ((rc = tsr_password_hash(password, &u.password_hash)) == 0)
        rc = tsr_user_insert(req->store, &u);
    if (rc == TSR_ECONFLICT) {
        /* Auth0 answers this vaguely so sign-up does not confirm who has an account. */
        record(req, "fs", "The user already exists", &cl, &c, &u);
        send_error(req, "BadRequestError", "invalid_signup", "Invalid sign up");
        goto out;
    }
    if (rc != 0) {
        tsr_resp_oauth_error(req, 500, "server_error", "Cannot create the user");
        goto out;
    }
    record(req, "ss", "Successful signup", &cl, &c, &u);
    tsr_ticket_send_welcome(tsr_req_who(req), &u, cl.client_id);
    send_signed_up(req, &u);
out:
    tsr_user_cleanup(&u);
    tsr_connection_cleanup(&c);
    tsr_client_cleanup(&cl);
    body_cleanup(&b);
}

/*
 * The answer is the same whether or not the account exists, and so is the
 * work before it (one queued request; the mail worker looks the account
 * up), and a failure is only logged, so the endpoint cannot be used to
 * find accounts, by its answer or by its time.
 */
void tsr_authn_change_password(struct tsr_req *req)
{
    struct body b;
    struct tsr_client cl = {0};
    struct tsr_connection c = {0};
    bool bad = false;
    tsr_cors_allow(req);
    if (!rate_ok(req, TSR_RATE_RESET) || !read_body(req, &b))
        return;
    const char *client_id = field(req, &b, "client_id", &bad);
    const char *connection = field(req, &b, "connection", &bad);
    const char *email = field(req, &b, "email", &bad);
    if (!require(req, client_id, "client_id", &bad) || !require(req, email, "email", &bad) ||
        !require(req, connection, "connection", &bad) ||
        !load_pair(req, client_id, connection, &cl, &c))
        goto out;
    /* The account is looked up by the mail worker: the same work here whether it exists or not. */
    int rc = tsr_mail_address_ok(email)
                 ? tsr_ticket_queue_reset(tsr_req_who(req), &c, email, cl.client_id, cl.name)
                 : 0;
    if (rc != 0)
        tsr_log(TSR_LOG_ERROR, "cannot queue a password reset request",
                json_pack("{s:s, s:s}", "request_id", req->request_id, "error",
                          tsr_strerror(rc)));
    tsr_resp_json_text(req, 200, RESET_SENT);
out:
    tsr_connection_cleanup(&c);
    tsr_client_cleanup(&cl);
    body_cleanup(&b);
}
