/*
 * tenant_admin.h - Management API resources that change the tenant itself:
 * signing keys (keys/signing), tenant settings (tenants/settings) and
 * attack protection (attack-protection/..., over the tenant's limits).
 * Their changes rebuild the tenant snapshot (core/tenant_set.h).
 */
#ifndef TSR_MGMT_TENANT_ADMIN_H
#define TSR_MGMT_TENANT_ADMIN_H

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

/* Their routes, with Auth0's scopes. */
extern const struct tsr_route tsr_mgmt_tenant_routes[];

#endif
