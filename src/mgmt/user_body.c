/*
 * user_body.c - users read from Management API bodies: property tables,
 * field checks, metadata merging and the password policy.
 */
#include "mgmt/user_body.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/mail.h"
#include "core/mgmt_access.h"
#include "core/password.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/strlist.h"

#define NAME_MAX_CHARS 300
#define PART_NAME_MAX_CHARS 150
#define PICTURE_MAX_CHARS 2048
/* Auth0 caps user_metadata at 16 KB; the same bound applies to app_metadata here. */
#define METADATA_MAX_BYTES 16384

#define PROFILE_PROPS                                                                              \
    {"email", "The user's email", false}, {"username", "The user's username", false},            \
        {"email_verified", "Whether this email address is verified", false},                       \
        {"blocked", "Whether this user was blocked by an administrator", false},                   \
        {"given_name", "The user's given name(s)", false},                                         \
        {"family_name", "The user's family name(s)", false},                                       \
        {"name", "The user's full name", false}, {"nickname", "The user's nickname", false},     \
        {"picture", "A URI pointing to the user's picture", false},                                \
        {"user_metadata", "Data related to the user that does not affect the application's core " \
                          "functionality",                                                         \
         false},                                                                                   \
        {"app_metadata", "Data related to the user that does affect the application's core "      \
                         "functionality",                                                          \
         false},                                                                                   \
        {"connection", "The connection the user belongs to", false},                              \
        {"password", "The user's password (mandatory for database connections)", false},         \
        {"verify_email", "Whether the user will receive a verification email after creation "     \
                         "(true) or no email (false)",                                             \
         false}

static const struct tsr_mgmt_prop create_props[] = {
    PROFILE_PROPS,
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop patch_props[] = {
    PROFILE_PROPS,
    {"verify_password", NULL, true},
    {"client_id", NULL, true},
    {NULL, NULL, false},
};

static bool oom(struct tsr_mgmt_reader *rd)
{
    if (!rd->failed)
        tsr_resp_mgmt_error(rd->req, 500, NULL, "Internal error");
    rd->failed = true;
    return false;
}

static bool read_email(struct tsr_mgmt_reader *rd, struct tsr_user *u)
{
    char *email = NULL;
    if (!tsr_mgmt_read_string(rd, "email", 1, TSR_MAIL_ADDRESS_MAX, &email))
        return false;
    if (email == NULL)
        return true;
    bool ok = tsr_mail_address_ok(email);
    if (!ok) {
        tsr_mgmt_fail(rd, "email", "Object didn't pass validation for format email: %.254s",
                      email);
    } else {
        free(u->email);
        u->email = tsr_user_email_lower(email);
        ok = u->email != NULL || oom(rd);
    }
    free(email);
    return ok;
}

static bool read_username(struct tsr_mgmt_reader *rd, struct tsr_user *u)
{
    char *name = NULL;
    if (!tsr_mgmt_read_string(rd, "username", 1, TSR_USERNAME_MAX, &name))
        return false;
    if (name == NULL)
        return true;
    if (!tsr_user_username_ok(name)) {
        free(name);
        return tsr_mgmt_fail(rd, "username",
                             "String does not match pattern: ^[a-zA-Z0-9_+\\-.!#$'^`~]+$");
    }
    free(u->username);
    u->username = name;
    return true;
}

static bool read_picture(struct tsr_mgmt_reader *rd, struct tsr_user *u)
{
    if (!tsr_mgmt_read_string(rd, "picture", 0, PICTURE_MAX_CHARS, &u->picture))
        return false;
    const char *why = u->picture[0] ? tsr_url_problem(u->picture, TSR_URL_REDIRECT) : NULL;
    return why == NULL || tsr_mgmt_fail(rd, "picture", "%s", why);
}

/*
 * Auth0's metadata PATCH: top-level keys are merged, a null value deletes
 * its key, and an empty object clears everything.  Creating takes the
 * object as given.
 */
static bool read_metadata(struct tsr_mgmt_reader *rd, const char *name, bool merge, char **dst)
{
    const json_t *patch = tsr_mgmt_get(rd, name, JSON_OBJECT);
    if (patch == NULL)
        return !rd->failed;
    json_t *result = NULL;
    if (merge && json_object_size(patch) > 0) {
        result = *dst ? json_loads(*dst, 0, NULL) : NULL;
        if (!json_is_object(result)) {
            json_decref(result);
            result = json_object();
        }
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)patch, key, v)
        {
            if (json_is_null(v))
                json_object_del(result, key);
            else
                json_object_set(result, key, v);
        }
    } else {
        result = json_deep_copy(patch);
    }
    char *text = result ? json_dumps(result, JSON_COMPACT) : NULL;
    json_decref(result);
    if (text == NULL)
        return oom(rd);
    if (strlen(text) > METADATA_MAX_BYTES) {
        free(text);
        return tsr_mgmt_fail(rd, name, "Metadata must not be larger than %d bytes",
                             METADATA_MAX_BYTES);
    }
    free(*dst);
    *dst = text;
    return true;
}

static bool read_profile(struct tsr_mgmt_reader *rd, struct tsr_user *u, bool merge)
{
    return read_email(rd, u) && read_username(rd, u) &&
           tsr_mgmt_read_bool(rd, "email_verified", &u->email_verified) &&
           tsr_mgmt_read_bool(rd, "blocked", &u->blocked) &&
           tsr_mgmt_read_string(rd, "given_name", 0, PART_NAME_MAX_CHARS, &u->given_name) &&
           tsr_mgmt_read_string(rd, "family_name", 0, PART_NAME_MAX_CHARS, &u->family_name) &&
           tsr_mgmt_read_string(rd, "name", 0, NAME_MAX_CHARS, &u->name) &&
           tsr_mgmt_read_string(rd, "nickname", 0, NAME_MAX_CHARS, &u->nickname) &&
           read_picture(rd, u) && read_metadata(rd, "user_metadata", merge, &u->user_metadata) &&
           read_metadata(rd, "app_metadata", merge, &u->app_metadata);
}

/* Checks the password against the connection's policy and stores its hash. */
static bool read_password(struct tsr_mgmt_reader *rd, const struct tsr_connection *c,
                          struct tsr_user *u)
{
    const json_t *v = tsr_mgmt_get(rd, "password", JSON_STRING);
    if (v == NULL)
        return !rd->failed;
    char why[256];
    if (!tsr_password_policy_ok(c, json_string_value(v), why, sizeof why)) {
        rd->failed = true;
        tsr_resp_mgmt_error(rd->req, 400, "invalid_body",
                            "PasswordStrengthError: Password is too weak. %s", why);
        return false;
    }
    char *hash = NULL;
    int rc = tsr_password_hash(json_string_value(v), &hash);
    if (rc != 0)
        return oom(rd);
    free(u->password_hash);
    u->password_hash = hash;
    return true;
}

bool tsr_mgmt_user_read_new(struct tsr_req *req, const json_t *body, struct tsr_connection *c,
                            struct tsr_user *u, bool *verify_email)
{
    struct tsr_mgmt_reader rd;
    const char *tid = req->tenant->t.id;
    if (!tsr_mgmt_reader_start(&rd, req, body, create_props, NULL) ||
        !tsr_mgmt_require(&rd, "connection"))
        return false;
    const json_t *name = tsr_mgmt_get(&rd, "connection", JSON_STRING);
    if (name == NULL)
        return false;
    int rc = tsr_connection_get_by_name(req->store, tid, json_string_value(name), c);
    if (rc == TSR_ENOTFOUND) {
        tsr_resp_mgmt_error(req, 400, "inexistent_connection", "The connection does not exist.");
        return false;
    }
    if (rc == 0)
        rc = tsr_user_init_new(u, tid, c->id);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "user");
        return false;
    }
    if ((!c->requires_username && !tsr_mgmt_require(&rd, "email")) ||
        (c->requires_username && !tsr_mgmt_require(&rd, "username")) ||
        !tsr_mgmt_require(&rd, "password") || !read_profile(&rd, u, false) ||
        !read_password(&rd, c, u))
        return false;
    *verify_email = !u->email_verified;
    if (!tsr_mgmt_read_bool(&rd, "verify_email", verify_email))
        return false;
    if (tsr_user_fill_defaults(u) != 0)
        return oom(&rd);
    return true;
}

bool tsr_mgmt_user_read_patch(struct tsr_req *req, const json_t *body,
                              const struct tsr_connection *c, struct tsr_user *u)
{
    struct tsr_mgmt_reader rd;
    if (!tsr_mgmt_reader_start(&rd, req, body, patch_props, NULL))
        return false;
    const json_t *conn = tsr_mgmt_get(&rd, "connection", JSON_STRING);
    if (rd.failed)
        return false;
    if (conn != NULL && strcmp(json_string_value(conn), c->name) != 0)
        return tsr_mgmt_fail(&rd, "connection", "The user belongs to the connection %.128s",
                             c->name);
    char *old_email = u->email ? strdup(u->email) : NULL;
    if (u->email != NULL && old_email == NULL)
        return oom(&rd);
    bool ok = read_profile(&rd, u, true) && read_password(&rd, c, u);
    /* A changed address is unproven until verified again, unless the body says otherwise. */
    if (ok && u->email && (old_email == NULL || strcmp(old_email, u->email) != 0) &&
        !tsr_mgmt_has(&rd, "email_verified"))
        u->email_verified = false;
    if (ok && tsr_mgmt_has(&rd, "password"))
        u->last_password_reset = tsr_clock_now();
    free(old_email);
    return ok;
}

bool tsr_mgmt_user_patch_allowed(struct tsr_req *req, const json_t *body)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (!tsr_mgmt_user_member_allowed(&req->mgmt_scopes, req->mgmt_self, key)) {
            tsr_resp_mgmt_error(req, 403, "insufficient_scope",
                                "Insufficient scope, expected any of: update:users");
            return false;
        }
    }
    return true;
}
