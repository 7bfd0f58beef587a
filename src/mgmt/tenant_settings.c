/*
 * tenant_settings.c - /api/v2/tenants/settings: the tenant's name, default
 * audience and directory, session lifetimes (hours, as in Auth0), allowed
 * logout URLs, login page branding, and (Tessera's own) rate_limits: the
 * tenant's rates and brute-force counts over the server's settings
 * (core/tenant_limits.h), a value null going back to the server's.  A
 * change rebuilds the tenant snapshot, so the next request already uses it.
 */
#include <stdlib.h>
#include <string.h>

#include "core/connection.h"
#include "core/tenant_rules.h"
#include "core/tenant_set.h"
#include "core/update_refusal.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/limits_edit.h"
#include "mgmt/mgmt.h"
#include "mgmt/refusal.h"
#include "mgmt/tenant_admin.h"
#include "util/err.h"
#include "util/url_check.h"

#define HOUR 3600

/*
 * Auth0 settings Tessera does not act on yet are accepted (Deploy CLI
 * exports carry them) and not stored.
 */
static const struct tsr_mgmt_prop props[] = {
    {"friendly_name", "The friendly name of the tenant", false},
    {"picture_url", "URL of logo to be shown for the tenant", false},
    {"default_audience", "Default audience for API authorization", false},
    {"default_directory", "Name of connection used for password grants", false},
    {"session_lifetime", "Number of hours a session will stay valid", false},
    {"idle_session_lifetime", "Number of hours for which a session can be inactive", false},
    {"session_lifetime_in_minutes", "Number of minutes a session will stay valid", false},
    {"idle_session_lifetime_in_minutes", "Number of minutes for which a session can be inactive",
     false},
    {"allowed_logout_urls", "URLs that are valid to redirect to after logout", false},
    {"branding", "Login page branding: colors.primary", false},
    {"rate_limits", "The tenant's rate limits and brute-force counts", false},
    {"flags", NULL, true},
    {"support_email", NULL, true},
    {"support_url", NULL, true},
    {"enabled_locales", NULL, true},
    {"sandbox_version", NULL, true},
    {"default_redirection_uri", NULL, true},
    {"error_page", NULL, true},
    {"device_flow", NULL, true},
    {"guardian_mfa_page", NULL, true},
    {"change_password", NULL, true},
    {"universal_login", NULL, true},
    {"session_cookie", NULL, true},
    {"sessions", NULL, true},
    {"ephemeral_session_lifetime", NULL, true},
    {"idle_ephemeral_session_lifetime", NULL, true},
    {"ephemeral_session_lifetime_in_minutes", NULL, true},
    {"idle_ephemeral_session_lifetime_in_minutes", NULL, true},
    {NULL, NULL, false},
};

/* rate_limits: every key of core/tenant_limits.h that has a property, in that order. */
static const struct tsr_mgmt_prop rate_props[] = {
    {"login_per_ip", "COUNT/SECONDS or off: logins per address", false},
    {"login_per_tenant", "COUNT/SECONDS or off: logins per tenant", false},
    {"signup_per_ip", "COUNT/SECONDS or off: signups per address", false},
    {"signup_per_tenant", "COUNT/SECONDS or off: signups per tenant", false},
    {"reset_per_ip", "COUNT/SECONDS or off: password reset requests per address", false},
    {"reset_per_tenant", "COUNT/SECONDS or off: password reset requests per tenant", false},
    {"reset_per_account", "COUNT/SECONDS or off: reset mails and lockout notices per account",
     false},
    {"mgmt_per_client", "COUNT/SECONDS or off: Management API requests per client", false},
    {"account_throttle_failures", "Failed logins of one account before it is slowed down; 0: never",
     false},
    {"account_throttle_delay", "Seconds of the first delay", false},
    {"account_throttle_max_delay", "Seconds of the longest delay", false},
    {"lockout_attempts", "Wrong passwords that lock an address out of a name; 0: never", false},
    {"lockout_window", "Seconds the wrong passwords count, and a lock lasts", false},
    {NULL, NULL, false},
};

static json_t *rate_limits_json(const struct tsr_limits *l)
{
    json_t *o = json_object();
    for (int k = 0; o != NULL && tsr_tl_property(k) != NULL; k++) {
        char text[32];
        tsr_tl_format(l, k, text, sizeof text);
        json_t *v = tsr_tl_is_rate(k) ? json_string(text) : json_integer(strtoll(text, NULL, 10));
        if (json_object_set_new(o, tsr_tl_property(k), v) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

/* rate_limits of a PATCH: each property present set, or back to the server's when null. */
static bool read_rate_limits(struct tsr_mgmt_reader *rd, struct tsr_mgmt_limits *e)
{
    const json_t *obj = tsr_mgmt_get(rd, "rate_limits", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    struct tsr_mgmt_reader sub;
    bool ok = tsr_mgmt_reader_start(&sub, rd->req, obj, rate_props, "rate_limits");
    for (int k = 0; ok && tsr_tl_property(k) != NULL; k++) {
        const char *name = tsr_tl_property(k);
        const json_t *v = json_object_get(obj, name);
        char text[32];
        if (v == NULL)
            continue;
        if (json_is_null(v)) {
            tsr_mgmt_limits_unset(e, rd->req, k);
        } else if (tsr_tl_is_rate(k)) {
            ok = (json_is_string(v) ||
                  tsr_mgmt_fail(&sub, name, "Expected type string but found type %s",
                                tsr_mgmt_type_name(v))) &&
                 tsr_mgmt_check_string(&sub, name, v, 1, 32) &&
                 tsr_mgmt_limits_set(&sub, name, e, k, json_string_value(v));
        } else {
            ok = json_is_integer(v) ||
                 tsr_mgmt_fail(&sub, name, "Expected type integer but found type %s",
                               tsr_mgmt_type_name(v));
            snprintf(text, sizeof text, "%lld", ok ? (long long)json_integer_value(v) : 0LL);
            ok = ok && tsr_mgmt_limits_set(&sub, name, e, k, text);
        }
    }
    rd->failed = sub.failed;
    return ok;
}

static json_t *settings_json(const struct tsr_tenant *t, const struct tsr_limits *l)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:f, s:f, s:o, s:{s:{s:s}}, s:{}, s:[s]}", "friendly_name",
        t->friendly_name, "picture_url", t->logo_url, "default_audience", t->default_audience,
        "default_directory", t->default_directory, "session_lifetime",
        (double)t->session_lifetime / HOUR, "idle_session_lifetime",
        (double)t->idle_session_lifetime / HOUR, "allowed_logout_urls",
        tsr_strlist_to_json(&t->allowed_logout_urls), "branding", "colors", "primary",
        t->primary_color, "flags", "enabled_locales", "en");
    if (o != NULL)
        json_object_set_new(o, "rate_limits", rate_limits_json(l));
    return o;
}

void tsr_mgmt_tenant_settings_get(struct tsr_req *req)
{
    tsr_mgmt_send_item(req, settings_json(&req->tenant->t, &req->tenant->limits));
}

/*
 * A lifetime (a number, fractions allowed; core/tenant_rules.h) into
 * seconds; false after a 400.  The Deploy CLI sends both session_lifetime
 * (hours) and session_lifetime_in_minutes.
 */
static bool read_lifetime(struct tsr_mgmt_reader *rd, const char *name,
                          int (*rule)(const char *, double, int64_t *, struct tsr_refusal *),
                          int64_t *seconds)
{
    struct tsr_refusal why;
    const json_t *v = json_object_get(rd->body, name);
    if (v == NULL)
        return true;
    if (!json_is_number(v))
        return tsr_mgmt_fail(rd, name, "Expected type number but found type %s",
                             tsr_mgmt_type_name(v));
    if (rule(name, json_number_value(v), seconds, &why) != 0)
        return tsr_mgmt_fail(rd, name, "%s", why.message);
    return true;
}

/* True when a PATCH leaves the stored settings as they are: then nothing is written. */
static bool same_settings(const struct tsr_tenant *a, const struct tsr_tenant *b)
{
    if (strcmp(a->friendly_name, b->friendly_name) != 0 ||
        strcmp(a->default_audience, b->default_audience) != 0 ||
        strcmp(a->default_directory, b->default_directory) != 0 ||
        strcmp(a->logo_url, b->logo_url) != 0 || strcmp(a->primary_color, b->primary_color) != 0 ||
        a->session_lifetime != b->session_lifetime ||
        a->idle_session_lifetime != b->idle_session_lifetime ||
        a->allowed_logout_urls.n != b->allowed_logout_urls.n)
        return false;
    for (size_t i = 0; i < a->allowed_logout_urls.n; i++)
        if (strcmp(a->allowed_logout_urls.v[i], b->allowed_logout_urls.v[i]) != 0)
            return false;
    return true;
}

static bool hex_color(const char *s)
{
    return strlen(s) == 7 && s[0] == '#' && strspn(s + 1, "0123456789abcdefABCDEF") == 6;
}

static bool read_branding(struct tsr_mgmt_reader *rd, struct tsr_tenant *t)
{
    const json_t *b = tsr_mgmt_get(rd, "branding", JSON_OBJECT);
    if (b == NULL)
        return !rd->failed;
    const char *color = json_string_value(json_object_get(json_object_get(b, "colors"), "primary"));
    if (color == NULL || !hex_color(color))
        return tsr_mgmt_fail(rd, "branding", "Expected colors.primary as #rrggbb");
    char *copy = strdup(color);
    if (copy == NULL)
        return tsr_mgmt_fail(rd, "branding", "Out of memory");
    free(t->primary_color);
    t->primary_color = copy;
    return true;
}

/* A copy of the current settings, the fields PATCH may change, to edit and store. */
static int copy_settings(const struct tsr_tenant *from, struct tsr_tenant *to)
{
    memset(to, 0, sizeof *to);
    to->id = strdup(from->id);
    to->friendly_name = strdup(from->friendly_name);
    to->default_audience = strdup(from->default_audience);
    to->default_directory = strdup(from->default_directory);
    to->logo_url = strdup(from->logo_url);
    to->primary_color = strdup(from->primary_color);
    to->session_lifetime = from->session_lifetime;
    to->idle_session_lifetime = from->idle_session_lifetime;
    int rc = (!to->id || !to->friendly_name || !to->default_audience || !to->default_directory ||
              !to->logo_url || !to->primary_color)
                 ? TSR_ENOMEM
                 : 0;
    for (size_t i = 0; rc == 0 && i < from->allowed_logout_urls.n; i++)
        rc = tsr_strlist_push(&to->allowed_logout_urls, from->allowed_logout_urls.v[i]);
    return rc;
}

void tsr_mgmt_tenant_settings_update(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_tenant t = {0};
    struct tsr_mgmt_limits e;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    tsr_mgmt_limits_init(&e, req);
    if (copy_settings(&req->tenant->t, &t) != 0) {
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
        goto out;
    }
    if (!tsr_mgmt_reader_start(&rd, req, body, props, NULL) ||
        !tsr_mgmt_read_string(&rd, "friendly_name", 1, TSR_TENANT_FRIENDLY_NAME_MAX,
                              &t.friendly_name) ||
        !tsr_mgmt_read_string(&rd, "picture_url", 0, TSR_TENANT_URL_MAX, &t.logo_url) ||
        !tsr_mgmt_read_string(&rd, "default_audience", 0, TSR_TENANT_AUDIENCE_MAX,
                              &t.default_audience) ||
        !tsr_mgmt_read_string(&rd, "default_directory", 0, TSR_CONNECTION_NAME_MAX,
                              &t.default_directory) ||
        !read_lifetime(&rd, "session_lifetime", tsr_tenant_hours, &t.session_lifetime) ||
        !read_lifetime(&rd, "idle_session_lifetime", tsr_tenant_hours, &t.idle_session_lifetime) ||
        !read_lifetime(&rd, "session_lifetime_in_minutes", tsr_tenant_minutes,
                       &t.session_lifetime) ||
        !read_lifetime(&rd, "idle_session_lifetime_in_minutes", tsr_tenant_minutes,
                       &t.idle_session_lifetime) ||
        !read_branding(&rd, &t) || !read_rate_limits(&rd, &e))
        goto out;
    if (!tsr_mgmt_read_strlist(&rd, "allowed_logout_urls", TSR_TENANT_LOGOUT_URLS_MAX,
                               TSR_TENANT_URL_MAX, NULL, &t.allowed_logout_urls))
        goto out;
    struct tsr_refusal why;
    int rc = tsr_tenant_settings_check(&t, &why);
    if (rc == 0)
        rc = tsr_tenant_references_check(req->store, &t, &why);
    if (rc == TSR_EINVAL) {
        tsr_mgmt_send_refusal(req, rc, &why, props, NULL);
        goto out;
    }
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "tenant");
        goto out;
    }
    bool same = same_settings(&req->tenant->t, &t) && !tsr_mgmt_limits_differ(req, &e);
    rc = same ? 0 : tsr_store_begin(req->store);
    if (rc == 0 && !same) {
        rc = tsr_tenant_update_settings(req->store, &t);
        if (rc == 0)
            rc = tsr_mgmt_limits_changed(&e) ? tsr_mgmt_limits_write(req, &e)
                                             : tsr_tenant_touch(req->store, t.id);
        rc = tsr_store_finish(req->store, rc);
    }
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "tenant");
        goto out;
    }
    if (!same)
        tsr_app_reload(req->app, req->store);
    tsr_resp_json(req, 200, settings_json(&t, &e.l));
out:
    tsr_mgmt_limits_cleanup(&e);
    tsr_tenant_cleanup(&t);
    json_decref(body);
}

/* A 400 in the shape of Auth0's payload validation, naming the property. */
static int branding_refused(struct tsr_req *req, const char *property, const char *why)
{
    tsr_resp_mgmt_error(req, 400, "invalid_body", "Payload validation error: '%s' on property %s",
                        why, property);
    return TSR_EINVAL;
}

int tsr_mgmt_branding_write_settings(struct tsr_req *req, const json_t *body, bool *changed)
{
    *changed = false;
    const json_t *colors = json_object_get(body, "colors");
    const json_t *primary = json_is_object(colors) ? json_object_get(colors, "primary") : NULL;
    const json_t *logo = json_object_get(body, "logo_url");
    if (colors != NULL && !json_is_object(colors) && !json_is_null(colors))
        return branding_refused(req, "colors", "Expected type object but found another type");
    if (primary != NULL && !(json_is_string(primary) && hex_color(json_string_value(primary))))
        return branding_refused(req, "colors.primary", "Expected a color as #rrggbb");
    const char *url = json_is_null(logo) ? "" : json_string_value(logo);
    if (logo != NULL && (url == NULL || strlen(url) > 1024))
        return branding_refused(req, "logo_url", "Expected a URL of at most 1024 characters");
    if (logo != NULL && url[0] != '\0' && tsr_url_problem(url, TSR_URL_HTTPS) != NULL)
        return branding_refused(req, "logo_url", tsr_url_problem(url, TSR_URL_HTTPS));
    if (primary == NULL && logo == NULL)
        return 0;
    struct tsr_tenant t;
    int rc = copy_settings(&req->tenant->t, &t);
    if (rc == 0 && primary != NULL)
        rc = tsr_patch_set_str(&t.primary_color, json_string_value(primary));
    if (rc == 0 && logo != NULL)
        rc = tsr_patch_set_str(&t.logo_url, url);
    if (rc == 0 && !same_settings(&req->tenant->t, &t)) {
        rc = tsr_tenant_update_settings(req->store, &t);
        if (rc == 0)
            rc = tsr_tenant_touch(req->store, t.id);
        *changed = rc == 0;
    }
    tsr_tenant_cleanup(&t);
    return rc;
}

int tsr_mgmt_branding_show_settings(const struct tsr_req *req, json_t *doc)
{
    const struct tsr_tenant *t = &req->tenant->t;
    json_t *colors = json_object_get(doc, "colors");
    if (!json_is_object(colors)) {
        colors = json_object();
        if (colors == NULL || json_object_set_new(doc, "colors", colors) != 0)
            return TSR_ENOMEM;
    }
    int rc = json_object_set_new(colors, "primary", json_string(t->primary_color));
    if (rc == 0)
        rc = t->logo_url[0] != '\0' ? json_object_set_new(doc, "logo_url", json_string(t->logo_url))
                                    : (json_object_del(doc, "logo_url"), 0);
    return rc == 0 ? 0 : TSR_ENOMEM;
}
