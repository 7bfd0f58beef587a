/* Routes of the Management API resources that change the tenant itself. */
#include "mgmt/tenant_admin.h"

const struct tsr_route tsr_mgmt_tenant_routes[] = {
    {"GET", "/api/v2/keys/signing", TSR_ROUTE_MGMT, tsr_mgmt_keys_list, "read:signing_keys"},
    {"POST", "/api/v2/keys/signing/rotate", TSR_ROUTE_MGMT, tsr_mgmt_keys_rotate,
     "create:signing_keys update:signing_keys"},
    {"GET", "/api/v2/keys/signing/:kid", TSR_ROUTE_MGMT, tsr_mgmt_keys_get, "read:signing_keys"},
    {"PUT", "/api/v2/keys/signing/:kid/revoke", TSR_ROUTE_MGMT, tsr_mgmt_keys_revoke,
     "update:signing_keys"},
    {"GET", "/api/v2/tenants/settings", TSR_ROUTE_MGMT, tsr_mgmt_tenant_settings_get,
     "read:tenant_settings"},
    {"PATCH", "/api/v2/tenants/settings", TSR_ROUTE_MGMT, tsr_mgmt_tenant_settings_update,
     "update:tenant_settings"},
    {"GET", "/api/v2/attack-protection/brute-force-protection", TSR_ROUTE_MGMT,
     tsr_mgmt_brute_force_get, "read:attack_protection"},
    {"PATCH", "/api/v2/attack-protection/brute-force-protection", TSR_ROUTE_MGMT,
     tsr_mgmt_brute_force_update, "update:attack_protection"},
    {"GET", "/api/v2/attack-protection/suspicious-ip-throttling", TSR_ROUTE_MGMT,
     tsr_mgmt_ip_throttling_get, "read:attack_protection"},
    {"PATCH", "/api/v2/attack-protection/suspicious-ip-throttling", TSR_ROUTE_MGMT,
     tsr_mgmt_ip_throttling_update, "update:attack_protection"},
    {NULL, NULL, TSR_ROUTE_MGMT, NULL, NULL},
};
