/*
 * tenant_admin.h - Management API resources that change the tenant itself:
 * signing keys (keys/signing), tenant settings (tenants/settings) and
 * attack protection (attack-protection/..., over the tenant's limits).
 * Their changes rebuild the tenant snapshot (core/tenant_set.h).
 */
#ifndef TSR_MGMT_TENANT_ADMIN_H
#define TSR_MGMT_TENANT_ADMIN_H

#include <jansson.h>
#include <stdbool.h>

#include "http/request.h"
#include "http/router.h"

void tsr_mgmt_keys_list(struct tsr_req *req);
void tsr_mgmt_keys_get(struct tsr_req *req);
void tsr_mgmt_keys_rotate(struct tsr_req *req);
void tsr_mgmt_keys_revoke(struct tsr_req *req);

void tsr_mgmt_tenant_settings_get(struct tsr_req *req);
void tsr_mgmt_tenant_settings_update(struct tsr_req *req);

void tsr_mgmt_brute_force_get(struct tsr_req *req);
void tsr_mgmt_brute_force_update(struct tsr_req *req);
void tsr_mgmt_ip_throttling_get(struct tsr_req *req);
void tsr_mgmt_ip_throttling_update(struct tsr_req *req);

/*
 * /branding's colors.primary and logo_url are the login pages' colour and
 * logo, the tenant settings' branding.colors.primary and picture_url
 * (tenant_settings.c): write_settings stores those of a PATCH body in the
 * caller's transaction, *changed saying whether it wrote (400 sent and
 * TSR_EINVAL on a bad value); show_settings puts them into an answer.
 */
int tsr_mgmt_branding_write_settings(struct tsr_req *req, const json_t *body, bool *changed);
int tsr_mgmt_branding_show_settings(const struct tsr_req *req, json_t *doc);

/* Settings kept as documents (setting_docs.c); only branding's colour and logo are acted on. */
void tsr_mgmt_branding_get(struct tsr_req *req);
void tsr_mgmt_branding_update(struct tsr_req *req);
void tsr_mgmt_prompts_get(struct tsr_req *req);
void tsr_mgmt_prompts_update(struct tsr_req *req);
void tsr_mgmt_custom_text_get(struct tsr_req *req);
void tsr_mgmt_custom_text_set(struct tsr_req *req);
void tsr_mgmt_email_provider_get(struct tsr_req *req);
void tsr_mgmt_email_provider_create(struct tsr_req *req);
void tsr_mgmt_email_provider_update(struct tsr_req *req);
void tsr_mgmt_email_template_get(struct tsr_req *req);
void tsr_mgmt_email_template_create(struct tsr_req *req);
void tsr_mgmt_email_template_update(struct tsr_req *req);
void tsr_mgmt_email_template_set(struct tsr_req *req);
void tsr_mgmt_breached_password_get(struct tsr_req *req);
void tsr_mgmt_breached_password_update(struct tsr_req *req);
void tsr_mgmt_actions_list(struct tsr_req *req);

/* Their routes, with Auth0's scopes. */
extern const struct tsr_route tsr_mgmt_tenant_routes[];

#endif
