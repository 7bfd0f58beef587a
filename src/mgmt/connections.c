/*
 * connections.c - /api/v2/connections: list, create, read, update and
 * delete database connections, in Auth0's JSON shape.
 *
 * Only the "auth0" (database) strategy exists.  Auth0's options object
 * carries many settings Tessera does not implement (custom scripts, MFA,
 * password history, ...); they are accepted and dropped so a Deploy CLI
 * export imports, and only the options below are kept.
 */
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/client.h"
#include "core/connection.h"
#include "core/password.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/etag.h"
#include "mgmt/mgmt.h"
#include "mgmt/refusal.h"
#include "util/clock.h"
#include "util/err.h"

#define WHAT "connection"
#define STRATEGIES_MAX 50

static const struct tsr_mgmt_prop create_props[] = {
    {"name", "The name of the connection", false},
    {"strategy", "The identity provider identifier for the connection", false},
    {"display_name", "Connection name used in the new universal login experience", false},
    {"options", "The connection's options (depend on the connection strategy)", false},
    {"enabled_clients", "The identifiers of the clients for which the connection is to be enabled",
     false},
    {"is_domain_connection", NULL, true},
    {"realms", NULL, true},
    {"metadata", NULL, true},
    {"show_as_button", NULL, true},
    {NULL, NULL, false},
};

/* PATCH: name and strategy are immutable, as in Auth0. */
static const struct tsr_mgmt_prop update_props[] = {
    {"display_name", "Connection name used in the new universal login experience", false},
    {"options", "The connection's options (depend on the connection strategy)", false},
    {"enabled_clients", "The identifiers of the clients for which the connection is to be enabled",
     false},
    {"is_domain_connection", NULL, true},
    {"realms", NULL, true},
    {"metadata", NULL, true},
    {"show_as_button", NULL, true},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop option_props[] = {
    {"passwordPolicy", "Password strength level", false},
    {"password_complexity_options", "Password complexity options", false},
    {"requires_username", "Whether users must have a username", false},
    {"disable_signup", "Whether sign ups are disabled", false},
    {"brute_force_protection", "Whether brute force protection is enabled", false},
    {"import_mode", NULL, true},
    {"enabledDatabaseCustomization", NULL, true},
    {"customScripts", NULL, true},
    {"mfa", NULL, true},
    {"password_history", NULL, true},
    {"password_no_personal_info", NULL, true},
    {"password_dictionary", NULL, true},
    {"configuration", NULL, true},
    {"validation", NULL, true},
    {"attributes", NULL, true},
    {"precedence", NULL, true},
    {"authentication_methods", NULL, true},
    {"passkey_options", NULL, true},
    {"strategy_version", NULL, true},
    {"disable_self_service_change_password", NULL, true},
    {"enable_script_context", NULL, true},
    {"set_user_root_attributes", NULL, true},
    {"non_persistent_attrs", NULL, true},
    {"upstream_params", NULL, true},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop complexity_props[] = {
    {"min_length", "Minimum password length", false},
    {NULL, NULL, false},
};

static const char *tenant_id(const struct tsr_req *req)
{
    return req->tenant->t.id;
}

json_t *tsr_mgmt_connection_json(const struct tsr_connection *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:I}, s:b, s:b, s:b}, s:o, s:b, s:[s]}",
                     "id", c->id, "name", c->name, "display_name", c->display_name, "strategy",
                     c->strategy, "options", "passwordPolicy", c->password_policy,
                     "password_complexity_options", "min_length",
                     (json_int_t)c->password_min_length, "requires_username",
                     c->requires_username, "disable_signup", c->disable_signup,
                     "brute_force_protection", c->brute_force_protection, "enabled_clients",
                     tsr_strlist_to_json(&c->enabled_clients), "is_domain_connection", 0,
                     "realms", c->name);
}

static bool load(struct tsr_req *req, struct tsr_connection *c)
{
    int rc = tsr_connection_get(req->store, tenant_id(req), tsr_req_param(req, 0), c);
    if (rc != 0)
        tsr_mgmt_send_store_error(req, rc, WHAT);
    return rc == 0;
}

/* The name, by core's rule (core/connection.h). */
static bool read_name(struct tsr_mgmt_reader *rd, struct tsr_connection *c)
{
    struct tsr_refusal why;
    if (!tsr_mgmt_read_string(rd, "name", 1, TSR_CONNECTION_NAME_MAX, &c->name))
        return false;
    if (tsr_connection_name_check(c->name, &why) != 0)
        return tsr_mgmt_fail(rd, "name", "%s", why.message);
    return true;
}

static bool read_complexity(struct tsr_mgmt_reader *rd, struct tsr_connection *c)
{
    const json_t *obj = tsr_mgmt_get(rd, "password_complexity_options", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    struct tsr_mgmt_reader sub;
    bool ok = tsr_mgmt_reader_start(&sub, rd->req, obj, complexity_props,
                                    "options.password_complexity_options") &&
              tsr_mgmt_read_int(&sub, "min_length", 1, TSR_CONNECTION_MIN_LENGTH_MAX,
                                &c->password_min_length);
    rd->failed = sub.failed;
    return ok;
}

/*
 * Auth0 replaces the whole options object on PATCH, so options left out
 * go back to their defaults.
 */
static bool read_options(struct tsr_mgmt_reader *rd, struct tsr_connection *c)
{
    const json_t *obj = tsr_mgmt_get(rd, "options", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    c->password_min_length = 8;
    c->requires_username = false;
    c->disable_signup = false;
    c->brute_force_protection = true;
    char *policy = strdup("good");
    if (policy == NULL) {
        rd->failed = true;
        tsr_resp_mgmt_error(rd->req, 500, NULL, "Internal error");
        return false;
    }
    free(c->password_policy);
    c->password_policy = policy;
    struct tsr_mgmt_reader sub;
    bool ok = tsr_mgmt_reader_start(&sub, rd->req, obj, option_props, "options");
    /* Auth0 sends "passwordPolicy": null for a connection without a policy level. */
    const json_t *pp = json_object_get(obj, "passwordPolicy");
    if (ok && json_is_null(pp)) {
        free(c->password_policy);
        c->password_policy = strdup("none");
        ok = c->password_policy != NULL;
    } else if (ok) {
        ok = tsr_mgmt_read_enum(&sub, "passwordPolicy", tsr_connection_password_policies,
                                &c->password_policy);
    }
    ok = ok && read_complexity(&sub, c) &&
         tsr_mgmt_read_bool(&sub, "requires_username", &c->requires_username) &&
         tsr_mgmt_read_bool(&sub, "disable_signup", &c->disable_signup) &&
         tsr_mgmt_read_bool(&sub, "brute_force_protection", &c->brute_force_protection);
    rd->failed = sub.failed;
    if (!ok && !rd->failed) {
        rd->failed = true;
        tsr_resp_mgmt_error(rd->req, 500, NULL, "Internal error");
    }
    return ok;
}

/* enabled_clients: each one a client of this tenant. */
static bool read_enabled_clients(struct tsr_mgmt_reader *rd, struct tsr_connection *c)
{
    if (!tsr_mgmt_read_strlist(rd, "enabled_clients", TSR_CONNECTION_ENABLED_CLIENTS_MAX, 64, NULL,
                               &c->enabled_clients))
        return false;
    if (!tsr_mgmt_has(rd, "enabled_clients"))
        return true;
    for (size_t i = 0; i < c->enabled_clients.n; i++) {
        struct tsr_client cl = {0};
        int rc = tsr_client_get(rd->req->store, c->tenant_id, c->enabled_clients.v[i], &cl);
        tsr_client_cleanup(&cl);
        if (rc == TSR_ENOTFOUND)
            return tsr_mgmt_fail(rd, "enabled_clients", "The client %.64s does not exist",
                                 c->enabled_clients.v[i]);
        if (rc != 0) {
            rd->failed = true;
            tsr_mgmt_send_store_error(rd->req, rc, WHAT);
            return false;
        }
    }
    return true;
}

static bool apply(struct tsr_mgmt_reader *rd, struct tsr_connection *c)
{
    return tsr_mgmt_read_string(rd, "display_name", 0, TSR_CONNECTION_DISPLAY_NAME_MAX,
                                &c->display_name) &&
           read_options(rd, c) && read_enabled_clients(rd, c);
}

static void send_conflict(struct tsr_req *req)
{
    tsr_resp_mgmt_error(req, 409, "connection_conflict",
                        "A connection with the same name already exists");
}

/* from/take: take of the connections after from, as {connections, next?}. */
static void list_checkpoint(struct tsr_req *req, const struct tsr_strlist *strategies)
{
    int64_t take;
    if (!tsr_mgmt_take_read(req, &take))
        return;
    struct tsr_connection *list = NULL;
    size_t n = 0;
    int rc = tsr_connection_list_after(req->store, tenant_id(req), strategies,
                                       tsr_req_query(req, "name"), tsr_req_query(req, "from"),
                                       take + 1, &list, &n);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)take; i++)
        tsr_mgmt_items_add(&items, tsr_mgmt_connection_json(&list[i]));
    tsr_mgmt_send_checkpoint(req, "connections", items,
                             n > (size_t)take ? list[take - 1].id : NULL);
    tsr_connection_list_free(list, n);
}

static void list_pages(struct tsr_req *req, const struct tsr_strlist *strategies)
{
    struct tsr_mgmt_paging p;
    struct tsr_connection *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!tsr_mgmt_paging_read(req, &p))
        return;
    int rc = tsr_connection_list(req->store, tenant_id(req), strategies, tsr_req_query(req, "name"),
                                 p.page * p.per_page, p.per_page, &list, &n, &total);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        tsr_mgmt_items_add(&items, tsr_mgmt_connection_json(&list[i]));
    tsr_connection_list_free(list, n);
    tsr_mgmt_send_list(req, &p, "connections", items, total);
}

void tsr_mgmt_connections_list(struct tsr_req *req)
{
    struct tsr_strlist strategies = {0};
    if (tsr_mgmt_query_list(req, "strategy",
                            "Provide strategies to only retrieve connections with such strategies",
                            STRATEGIES_MAX, &strategies)) {
        if (tsr_mgmt_is_checkpoint(req))
            list_checkpoint(req, &strategies);
        else
            list_pages(req, &strategies);
    }
    tsr_strlist_cleanup(&strategies);
}

/* Loads the connection and compares it with If-Match (etag.h), answering 404, 412 or 500. */
static bool load_matching(struct tsr_req *req, const struct tsr_mgmt_precond *pc,
                          struct tsr_connection *c)
{
    if (!load(req, c))
        return false;
    if (pc->if_match == NULL)
        return true;
    json_t *current = tsr_mgmt_connection_json(c);
    bool ok = tsr_mgmt_precond_check(req, pc, current);
    json_decref(current);
    return ok;
}

void tsr_mgmt_connections_get(struct tsr_req *req)
{
    struct tsr_connection c = {0};
    if (load(req, &c))
        tsr_mgmt_send_tagged(req, 200, tsr_mgmt_connection_json(&c), true);
    tsr_connection_cleanup(&c);
}

void tsr_mgmt_connections_create(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_connection c = {0};
    char *strategy = NULL;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_reader_start(&rd, req, body, create_props, NULL) ||
        !tsr_mgmt_require(&rd, "name") || !tsr_mgmt_require(&rd, "strategy") ||
        !tsr_mgmt_read_string(&rd, "strategy", 1, 64, &strategy))
        goto out;
    struct tsr_refusal why;
    if (tsr_connection_strategy_check(strategy, &why) != 0) {
        tsr_mgmt_send_refusal(req, TSR_EINVAL, &why, create_props, NULL);
        goto out;
    }
    int rc = tsr_connection_init_new(&c, tenant_id(req));
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    if (!read_name(&rd, &c) || !apply(&rd, &c))
        goto out;
    rc = tsr_connection_insert(req->store, &c);
    if (rc == TSR_ECONFLICT) {
        send_conflict(req);
        goto out;
    }
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    tsr_resp_json(req, 201, tsr_mgmt_connection_json(&c));
out:
    free(strategy);
    tsr_connection_cleanup(&c);
    json_decref(body);
}

void tsr_mgmt_connections_update(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_mgmt_precond pc = {0};
    struct tsr_connection c = {0};
    json_t *before = NULL;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    if (!tsr_mgmt_reader_start(&rd, req, body, update_props, NULL) ||
        !tsr_mgmt_precond_begin(req, &pc) || !load_matching(req, &pc, &c))
        goto out;
    before = tsr_mgmt_connection_json(&c);
    if (!apply(&rd, &c))
        goto out;
    /* A PATCH that changes nothing writes nothing (a repeated Deploy CLI import). */
    bool same = tsr_mgmt_unchanged(before, tsr_mgmt_connection_json(&c));
    if (!same)
        c.updated_at = tsr_clock_now();
    int rc = tsr_mgmt_precond_end(req, &pc, same ? 0 : tsr_connection_update(req->store, &c));
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, WHAT);
        goto out;
    }
    tsr_mgmt_send_tagged(req, 200, tsr_mgmt_connection_json(&c), false);
out:
    tsr_mgmt_precond_end(req, &pc, TSR_EINVAL); /* rolls back what an early exit left open */
    json_decref(before);
    tsr_connection_cleanup(&c);
    json_decref(body);
}

/*
 * Its users go with it (foreign key cascade), as in Auth0.  The deletion is
 * done when the answer leaves, but the status is Auth0's 202 ("being
 * deleted"), which scripts may check.
 */
void tsr_mgmt_connections_delete(struct tsr_req *req)
{
    struct tsr_mgmt_precond pc = {0};
    struct tsr_connection c = {0};
    if (!tsr_mgmt_precond_begin(req, &pc))
        return;
    if (pc.if_match == NULL || load_matching(req, &pc, &c)) {
        int rc = tsr_mgmt_precond_end(
            req, &pc, tsr_connection_delete(req->store, tenant_id(req), tsr_req_param(req, 0)));
        if (rc != 0)
            tsr_mgmt_send_store_error(req, rc, WHAT);
        else
            tsr_resp_empty(req, 202);
    }
    tsr_mgmt_precond_end(req, &pc, TSR_EINVAL); /* rolls back what a refusal left open */
    tsr_connection_cleanup(&c);
}
