/*
 * setting_docs.c - Auth0 settings Tessera keeps and answers as written
 * (core/setting_doc.h), in Auth0's paths and shapes, so the Deploy CLI
 * exports and imports them.  Tessera acts only on branding's colors.primary
 * and logo_url, the login pages' colour and logo (kept in the tenant's
 * settings: tenant_settings.c); the rest is stored and echoed:
 *
 *   /branding                                  GET, PATCH (merged)
 *   /prompts                                   GET, PATCH (merged)
 *   /prompts/{prompt}/custom-text/{language}   GET, PUT (replaced)
 *   /emails/provider                           GET (404 until created), POST, PATCH
 *   /email-templates                           POST; /{name}: GET (404 until created), PATCH, PUT
 *   /attack-protection/breached-password-detection   GET, PATCH (merged)
 *   /actions/actions                           GET: always empty (Tessera has no actions)
 *
 * A merge is Auth0's: top-level members replace, null removes.  The email
 * provider's credentials keep no secret (api_key, smtp_pass, ...): they are
 * dropped before storing, as Auth0 never shows them either.
 */
#include <stdio.h>
#include <string.h>

#include "core/app.h"
#include "core/setting_doc.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "mgmt/tenant_admin.h"
#include "util/err.h"

static const char *tenant_id(const struct tsr_req *req)
{
    return req->tenant->t.id;
}

/* Auth0's template names (POST /email-templates `template`). */
static const char *const template_names[] = {
    "verify_email",       "verify_email_by_code",
    "reset_email",        "reset_email_by_code",
    "welcome_email",      "blocked_account",
    "stolen_credentials", "enrollment_email",
    "mfa_oob_code",       "user_invitation",
    "change_password",    "password_reset",
    "async_approval",     NULL,
};

/* Auth0's prompt names for custom text. */
static const char *const prompt_names[] = {
    "login",
    "login-id",
    "login-password",
    "login-passwordless",
    "login-email-verification",
    "signup",
    "signup-id",
    "signup-password",
    "phone-identifier-enrollment",
    "phone-identifier-challenge",
    "email-identifier-challenge",
    "reset-password",
    "custom-form",
    "consent",
    "customized-consent",
    "logout",
    "mfa-push",
    "mfa-otp",
    "mfa-voice",
    "mfa-phone",
    "mfa-webauthn",
    "mfa-sms",
    "mfa-email",
    "mfa-recovery-code",
    "mfa",
    "status",
    "device-flow",
    "email-verification",
    "email-otp-challenge",
    "organizations",
    "invitation",
    "common",
    "passkeys",
    "captcha",
    "brute-force-protection",
    NULL,
};

/*
 * The members of the email provider's credentials kept: those that name
 * where mail goes, never a secret.  Anything else (api_key, smtp_pass,
 * secretAccessKey, clientSecret, ... in whatever spelling) is dropped.
 */
static const char *const public_credentials[] = {
    "smtp_host", "smtp_port", "smtp_user", "region", "domain", "clientId", "tenantId", NULL,
};

/*
 * What a document shares with the tenant's settings (branding: the login
 * pages' colour and logo): write stores a PATCH body's share in the open
 * transaction (TSR_EINVAL: it sent the 400), show puts it into an answer.
 */
struct doc_settings {
    int (*write)(struct tsr_req *req, const json_t *body, bool *changed);
    int (*show)(const struct tsr_req *req, json_t *doc);
};

static const struct doc_settings branding_settings = {tsr_mgmt_branding_write_settings,
                                                      tsr_mgmt_branding_show_settings};

/*
 * Sends the stored document, or dflt (a JSON text) when none, with the
 * settings' share; 404 when dflt is NULL.
 */
static void send_doc(struct tsr_req *req, const char *name, const char *dflt, const char *what,
                     const struct doc_settings *settings)
{
    json_t *doc = NULL;
    int rc = tsr_setting_doc_get(req->store, tenant_id(req), name, &doc, NULL);
    if (rc == TSR_ENOTFOUND && dflt != NULL) {
        doc = json_loads(dflt, 0, NULL);
        rc = doc == NULL ? TSR_ENOMEM : 0;
    }
    if (rc == 0 && settings != NULL)
        rc = settings->show(req, doc);
    if (rc != 0) {
        json_decref(doc);
        tsr_mgmt_send_store_error(req, rc, what);
        return;
    }
    tsr_mgmt_send_item(req, doc);
}

/* Top-level members of patch replace those of doc; a null removes one. */
static int merge(json_t *doc, const json_t *patch)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)patch, key, v)
    {
        int rc = json_is_null(v) ? (json_object_del(doc, key), 0) : json_object_set(doc, key, v);
        if (rc != 0)
            return TSR_ENOMEM;
    }
    return 0;
}

static void strip_secrets(json_t *doc)
{
    json_t *cred = json_object_get(doc, "credentials");
    const char *key;
    json_t *v;
    void *tmp;
    if (json_is_object(cred))
        json_object_foreach_safe(cred, tmp, key, v)
        {
            if (!tsr_mgmt_in(key, public_credentials))
                json_object_del(cred, key);
        }
}

/* The email provider's credentials and settings are objects (or null): 400 otherwise. */
static bool provider_shape_ok(struct tsr_req *req, const json_t *body)
{
    static const char *const members[] = {"credentials", "settings", NULL};
    for (size_t i = 0; members[i] != NULL; i++) {
        const json_t *v = json_object_get(body, members[i]);
        if (v != NULL && !json_is_object(v) && !json_is_null(v)) {
            tsr_resp_mgmt_error(req, 400, "invalid_body",
                                "Payload validation error: 'Expected type object but found type "
                                "%s' on property %s",
                                json_is_string(v) ? "string" : "another", members[i]);
            return false;
        }
    }
    return true;
}

enum how { REPLACE, MERGE };

/*
 * Writes the request body into the document name: replaced, or merged into
 * the stored one (or into dflt, a JSON text, when none is stored), with the
 * settings' share, in one transaction.  need: -1 the document must not
 * exist yet (409), 1 it must exist (404), 0 either.
 */
static void write_doc(struct tsr_req *req, const char *name, const char *dflt, enum how how,
                      int need, unsigned status, const char *what,
                      const struct doc_settings *settings)
{
    json_t *body = tsr_mgmt_body(req);
    json_t *doc = NULL;
    bool own = false, applied = false, provider = strcmp(name, "emails/provider") == 0;
    if (body == NULL)
        return;
    if (provider && !provider_shape_ok(req, body)) {
        json_decref(body);
        return;
    }
    int rc = tsr_store_begin_own(req->store, &own);
    if (rc == 0 && settings != NULL && (rc = settings->write(req, body, &applied)) == TSR_EINVAL)
        goto out;
    if (rc == 0)
        rc = tsr_setting_doc_get(req->store, tenant_id(req), name, &doc, NULL);
    if (rc == 0 && need < 0) {
        tsr_resp_mgmt_error(req, 409, "conflict", "The %s already exists", what);
        goto out;
    }
    if (rc == TSR_ENOTFOUND && need <= 0) {
        doc = json_loads(dflt != NULL ? dflt : "{}", 0, NULL);
        rc = doc == NULL ? TSR_ENOMEM : 0;
    }
    if (rc == 0 && how == REPLACE)
        rc = json_object_clear(doc) == 0 ? 0 : TSR_ENOMEM;
    if (rc == 0)
        rc = merge(doc, body);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, what);
        goto out;
    }
    strip_secrets(provider ? doc : NULL);
    bool changed = false;
    rc = tsr_setting_doc_put(req->store, tenant_id(req), name, doc, &changed);
    if (rc == TSR_ETOOBIG) {
        tsr_resp_mgmt_error(req, 400, "invalid_body", "The %s is larger than %d bytes", what,
                            TSR_SETTING_DOC_BODY_MAX);
        goto out;
    }
    if (rc == 0 && settings != NULL)
        rc = settings->show(req, doc);
    rc = tsr_store_finish_own(req->store, own, rc);
    own = false;
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, what);
        goto out;
    }
    if (applied)
        tsr_app_reload(req->app, req->store);
    tsr_resp_json(req, status, doc);
    doc = NULL;
out:
    if (own)
        tsr_store_finish_own(req->store, own, TSR_EINVAL); /* rolls back what a refusal left */
    json_decref(doc);
    json_decref(body);
}

#define PROMPTS_DEFAULT                                                                            \
    "{\"universal_login_experience\":\"new\",\"identifier_first\":false,"                          \
    "\"webauthn_platform_first_factor\":false}"

#define BREACHED_DEFAULT                                                                           \
    "{\"enabled\":false,\"shields\":[],\"admin_notification_frequency\":[],"                       \
    "\"method\":\"standard\",\"stage\":{\"pre-user-registration\":{\"shields\":[]},"               \
    "\"pre-change-password\":{\"shields\":[]}}}"

void tsr_mgmt_branding_get(struct tsr_req *req)
{
    send_doc(req, "branding", "{}", "branding", &branding_settings);
}

void tsr_mgmt_branding_update(struct tsr_req *req)
{
    write_doc(req, "branding", "{}", MERGE, 0, 200, "branding", &branding_settings);
}

void tsr_mgmt_prompts_get(struct tsr_req *req)
{
    send_doc(req, "prompts", PROMPTS_DEFAULT, "prompts", NULL);
}

void tsr_mgmt_prompts_update(struct tsr_req *req)
{
    write_doc(req, "prompts", PROMPTS_DEFAULT, MERGE, 0, 200, "prompts", NULL);
}

/* "prompts/{prompt}/custom-text/{language}", or false after a 400. */
static bool custom_text_name(struct tsr_req *req, char *name, size_t cap)
{
    const char *prompt = tsr_req_param(req, 0);
    const char *lang = tsr_req_param(req, 1);
    size_t n = lang == NULL ? 0 : strlen(lang);
    bool lang_ok = n >= 2 && n <= 16 &&
                   strspn(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") == n;
    if (prompt == NULL || !tsr_mgmt_in(prompt, prompt_names)) {
        tsr_resp_mgmt_error(req, 400, "invalid_uri",
                            "Path validation error: 'Invalid value \"%.64s\"' on property prompt "
                            "(Name of the prompt).",
                            prompt != NULL ? prompt : "");
        return false;
    }
    if (!lang_ok) {
        tsr_resp_mgmt_error(req, 400, "invalid_uri",
                            "Path validation error: 'Invalid value \"%.32s\"' on property language "
                            "(Language to update.).",
                            lang != NULL ? lang : "");
        return false;
    }
    snprintf(name, cap, "prompts/%s/custom-text/%s", prompt, lang);
    return true;
}

void tsr_mgmt_custom_text_get(struct tsr_req *req)
{
    char name[TSR_SETTING_DOC_NAME_MAX + 1];
    if (custom_text_name(req, name, sizeof name))
        send_doc(req, name, "{}", "custom_text", NULL);
}

void tsr_mgmt_custom_text_set(struct tsr_req *req)
{
    char name[TSR_SETTING_DOC_NAME_MAX + 1];
    if (custom_text_name(req, name, sizeof name))
        write_doc(req, name, "{}", REPLACE, 0, 200, "custom_text", NULL);
}

void tsr_mgmt_email_provider_get(struct tsr_req *req)
{
    send_doc(req, "emails/provider", NULL, "email_provider", NULL);
}

void tsr_mgmt_email_provider_create(struct tsr_req *req)
{
    write_doc(req, "emails/provider", NULL, REPLACE, -1, 201, "email_provider", NULL);
}

void tsr_mgmt_email_provider_update(struct tsr_req *req)
{
    write_doc(req, "emails/provider", NULL, MERGE, 1, 200, "email_provider", NULL);
}

/* "email-templates/{name}" of a known template, or false after a 400. */
static bool template_doc_name(struct tsr_req *req, const char *tpl, char *name, size_t cap)
{
    if (tpl == NULL || !tsr_mgmt_in(tpl, template_names)) {
        tsr_resp_mgmt_error(req, 400, "invalid_body",
                            "Payload validation error: 'Invalid value \"%.64s\"' on property "
                            "template (Template name).",
                            tpl != NULL ? tpl : "");
        return false;
    }
    snprintf(name, cap, "email-templates/%s", tpl);
    return true;
}

void tsr_mgmt_email_template_get(struct tsr_req *req)
{
    char name[TSR_SETTING_DOC_NAME_MAX + 1];
    if (template_doc_name(req, tsr_req_param(req, 0), name, sizeof name))
        send_doc(req, name, NULL, "email_template", NULL);
}

void tsr_mgmt_email_template_create(struct tsr_req *req)
{
    char name[TSR_SETTING_DOC_NAME_MAX + 1];
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    const char *tpl = json_string_value(json_object_get(body, "template"));
    bool ok = template_doc_name(req, tpl, name, sizeof name);
    json_decref(body);
    if (ok)
        write_doc(req, name, NULL, REPLACE, -1, 201, "email_template", NULL);
}

void tsr_mgmt_email_template_update(struct tsr_req *req)
{
    char name[TSR_SETTING_DOC_NAME_MAX + 1];
    if (template_doc_name(req, tsr_req_param(req, 0), name, sizeof name))
        write_doc(req, name, NULL, MERGE, 1, 200, "email_template", NULL);
}

void tsr_mgmt_email_template_set(struct tsr_req *req)
{
    char name[TSR_SETTING_DOC_NAME_MAX + 1];
    if (template_doc_name(req, tsr_req_param(req, 0), name, sizeof name))
        write_doc(req, name, NULL, REPLACE, 0, 200, "email_template", NULL);
}

void tsr_mgmt_breached_password_get(struct tsr_req *req)
{
    send_doc(req, "attack-protection/breached-password-detection", BREACHED_DEFAULT,
             "breached_password_detection", NULL);
}

void tsr_mgmt_breached_password_update(struct tsr_req *req)
{
    write_doc(req, "attack-protection/breached-password-detection", BREACHED_DEFAULT, MERGE, 0, 200,
              "breached_password_detection", NULL);
}

/* Tessera has no actions; the list is empty (the Deploy CLI reads it for database connections). */
void tsr_mgmt_actions_list(struct tsr_req *req)
{
    tsr_resp_json(
        req, 200,
        json_pack("{s:[], s:i, s:i, s:i}", "actions", "total", 0, "page", 0, "per_page", 50));
}
