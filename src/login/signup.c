/*
 * signup.c - the signup page, GET and POST /u/signup?state=H.
 *
 * Creates a database user in the transaction's connection (unless the
 * connection disables signup), logs the person in and continues the
 * /authorize transaction, as the login page does.  A taken email or
 * username gets the same vague answer as /dbconnections/signup gives
 * (Auth0's "Invalid sign up"), never "already exists".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "authn/authorize.h"
#include "core/event.h"
#include "core/password.h"
#include "core/session.h"
#include "core/ticket.h"
#include "core/user.h"
#include "http/response.h"
#include "login/login.h"
#include "login/page.h"
#include "util/err.h"
#include "util/secure.h"

#define MSG_DISABLED "This application does not allow new accounts. Ask its administrator for one."

static void show(struct tsr_req *req, const struct tsr_page_flow *f, const char *email,
                 const char *username, const char *error)
{
    char policy[256];
    tsr_page_policy_text(&f->conn, policy, sizeof policy);
    struct tsr_page p;
    tsr_page_init(&p, req, "Sign up");
    tsr_page_allow_form_target(&p, f->tx.ar.redirect_uri);
    tsr_tpl_set(&p.ctx, "client_name", f->client->name);
    tsr_tpl_set(&p.ctx, "state", f->tx.handle);
    tsr_tpl_set(&p.ctx, "csrf", f->tx.csrf);
    tsr_tpl_set(&p.ctx, "email", email);
    tsr_tpl_set(&p.ctx, "username", username);
    tsr_tpl_set(&p.ctx, "requires_username", f->conn.requires_username ? "1" : "");
    tsr_tpl_set(&p.ctx, "policy", policy);
    tsr_tpl_set(&p.ctx, "error", error);
    tsr_page_send(req, 200, "signup", &p);
}

/* Loads the transaction and refuses when its connection disables signup. */
static bool load(struct tsr_req *req, const struct tsr_params *form, struct tsr_page_flow *f)
{
    bool sent;
    const char *state = tsr_page_handle(req, form, "state", &sent);
    if (sent || !tsr_page_flow_load(req, state, f))
        return false;
    if (f->conn.disable_signup) {
        tsr_login_error_page(req, 403, "Sign-up is not available", MSG_DISABLED);
        tsr_page_flow_cleanup(f);
        return false;
    }
    return true;
}

void tsr_login_signup_get(struct tsr_req *req)
{
    struct tsr_page_flow f;
    if (!load(req, NULL, &f))
        return;
    const char *hint = f.tx.ar.login_hint;
    show(req, &f, hint != NULL && tsr_page_email_ok(hint) ? hint : "", "", NULL);
    tsr_page_flow_cleanup(&f);
}

/* True for a username a signup accepts: 1..128 bytes, no '@', no spaces or controls. */
static bool username_ok(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > TSR_LOGIN_USERNAME_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '@')
            return false;
    return true;
}

/* Replaces *field with a copy of value.  Returns 0 or TSR_ENOMEM. */
static int set_str(char **field, const char *value)
{
    char *copy = strdup(value);
    if (copy == NULL)
        return TSR_ENOMEM;
    free(*field);
    *field = copy;
    return 0;
}

/* Fills u with a new user of the connection: lowercased email, username, profile, hash. */
static int build_user(struct tsr_req *req, const struct tsr_page_flow *f, const char *email,
                      const char *username, const char *password, struct tsr_user *u)
{
    int rc = tsr_user_init_new(u, req->tenant->t.id, f->conn.id);
    if (rc != 0)
        return rc;
    char lower[TSR_LOGIN_IDENTIFIER_MAX + 1];
    size_t n = strlen(email);
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)email[i]);
    char nick[TSR_LOGIN_IDENTIFIER_MAX + 1];
    memcpy(nick, lower, strcspn(lower, "@"));
    nick[strcspn(lower, "@")] = '\0';
    char *hash = NULL;
    if ((rc = set_str(&u->email, lower)) != 0 || (rc = set_str(&u->name, lower)) != 0 ||
        (rc = set_str(&u->nickname, nick)) != 0)
        return rc;
    if (username != NULL && (rc = set_str(&u->username, username)) != 0)
        return rc;
    if ((rc = tsr_password_hash(password, &hash)) != 0)
        return rc;
    tsr_wipe_free_str(u->password_hash);
    u->password_hash = hash;
    return 0;
}

void tsr_login_signup_post(struct tsr_req *req)
{
    struct tsr_params form;
    if (!tsr_page_rate_ok(req, TSR_RATE_SIGNUP) || !tsr_page_form(req, &form))
        return;
    struct tsr_page_flow f;
    if (!load(req, &form, &f)) {
        tsr_params_cleanup(&form);
        return;
    }
    struct tsr_user u = {0};
    const char *email = tsr_params_get(&form, "email");
    const char *username = f.conn.requires_username ? tsr_params_get(&form, "username") : NULL;
    const char *password = tsr_params_get(&form, "password");
    const char *keep_email = email && tsr_page_identifier_ok(email) ? email : "";
    const char *keep_user = username && username_ok(username) ? username : "";
    char why[256];
    if (!tsr_login_tx_csrf_ok(&f.tx, tsr_params_get(&form, "csrf"))) {
        tsr_login_error_page(req, 403, "Login expired", TSR_LOGIN_MSG_TAMPERED);
        goto out;
    }
    if (!tsr_page_email_ok(email)) {
        show(req, &f, keep_email, keep_user, "Enter a valid email address.");
        goto out;
    }
    if (f.conn.requires_username && !username_ok(username)) {
        show(req, &f, keep_email, keep_user,
             "Enter a username of up to 128 characters without spaces or '@'.");
        goto out;
    }
    if (password == NULL || password[0] == '\0') {
        show(req, &f, keep_email, keep_user, "Enter a password.");
        goto out;
    }
    if (strlen(password) > TSR_PASSWORD_MAX) {
        show(req, &f, keep_email, keep_user, "Use a password of at most 512 characters.");
        goto out;
    }
    if (!tsr_password_policy_ok(&f.conn, password, why, sizeof why)) {
        tsr_page_flow_event(req, &f, "fs", why, NULL, email);
        show(req, &f, keep_email, keep_user, why);
        goto out;
    }
    int rc = build_user(req, &f, email, username, password, &u);
    if (rc == 0)
        rc = tsr_user_insert(req->store, &u);
    if (rc == TSR_ECONFLICT) {
        tsr_page_flow_event(req, &f, "fs", "The user already exists.", NULL, email);
        /* The API's invalid_signup in words: nothing says the account exists. */
        show(req, &f, keep_email, keep_user, TSR_LOGIN_MSG_SIGNUP_FAILED);
        goto out;
    }
    if (rc != 0) {
        tsr_page_server_error(req, "create user", rc);
        goto out;
    }
    tsr_page_flow_event(req, &f, "ss", "Successful signup", u.user_id, u.email);
    tsr_ticket_send_welcome(tsr_req_who(req), &u, f.client->client_id);
    tsr_page_flow_logged_in(req, &f, &u);
out:
    tsr_user_cleanup(&u);
    tsr_page_flow_cleanup(&f);
    tsr_params_cleanup(&form);
}
