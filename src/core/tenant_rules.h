/*
 * tenant_rules.h - the values a tenant's settings may hold: session
 * lifetimes, logout URLs, the logo, and the API and connection the
 * defaults name.  PATCH /api/v2/tenants/settings (mgmt/tenant_settings.c)
 * and `tessera config apply` (core/tenant_doc_apply.c) both check with
 * these, so neither writes what the other refuses.  Each returns 0, or
 * TSR_EINVAL with why naming the property in the Management API's words.
 */
#ifndef TSR_CORE_TENANT_RULES_H
#define TSR_CORE_TENANT_RULES_H

#include <stdint.h>

#include "core/tenant.h"
#include "core/update_refusal.h"
#include "store/store.h"

/* The longest session lifetime: one year, Auth0's upper bound. */
#define TSR_TENANT_MAX_HOURS 8760

/* Lengths in characters and list sizes, as the Management API's schema limits them. */
#define TSR_TENANT_FRIENDLY_NAME_MAX 255
#define TSR_TENANT_AUDIENCE_MAX 600
#define TSR_TENANT_URL_MAX 1024
#define TSR_TENANT_LOGOUT_URLS_MAX 100

/* A lifetime of hours (fractions allowed), more than 0 and at most a year, into *seconds. */
int tsr_tenant_hours(const char *field, double hours, int64_t *seconds, struct tsr_refusal *why);

/* The same for a lifetime given in minutes. */
int tsr_tenant_minutes(const char *field, double minutes, int64_t *seconds,
                       struct tsr_refusal *why);

/*
 * The settings of t taken together: each allowed logout URL a redirect
 * URL (util/url_check.h), the logo an https URL, and the idle lifetime
 * no longer than the session lifetime.
 */
int tsr_tenant_settings_check(const struct tsr_tenant *t, struct tsr_refusal *why);

/*
 * The records t's defaults name exist in tenant t->id: an API with the
 * identifier default_audience, a connection named default_directory.
 * Returns 0, TSR_EINVAL (why says which) or the store's error.
 */
int tsr_tenant_references_check(tsr_store *st, const struct tsr_tenant *t, struct tsr_refusal *why);

#endif
