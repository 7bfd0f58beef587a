/* The Management API's routes, with Auth0's scope names for each endpoint. */
#include "http/router.h"
#include "mgmt/mgmt.h"

const struct tsr_route tsr_mgmt_routes[] = {
    {"GET", "/api/v2/clients", TSR_ROUTE_MGMT, tsr_mgmt_clients_list, "read:clients"},
    {"POST", "/api/v2/clients", TSR_ROUTE_MGMT, tsr_mgmt_clients_create, "create:clients"},
    {"GET", "/api/v2/clients/:id", TSR_ROUTE_MGMT, tsr_mgmt_clients_get, "read:clients"},
    {"PATCH", "/api/v2/clients/:id", TSR_ROUTE_MGMT, tsr_mgmt_clients_update, "update:clients"},
    {"DELETE", "/api/v2/clients/:id", TSR_ROUTE_MGMT, tsr_mgmt_clients_delete, "delete:clients"},
    {"POST", "/api/v2/clients/:id/rotate-secret", TSR_ROUTE_MGMT, tsr_mgmt_clients_rotate_secret,
     "update:client_keys"},

    {"GET", "/api/v2/resource-servers", TSR_ROUTE_MGMT, tsr_mgmt_apis_list,
     "read:resource_servers"},
    {"POST", "/api/v2/resource-servers", TSR_ROUTE_MGMT, tsr_mgmt_apis_create,
     "create:resource_servers"},
    {"GET", "/api/v2/resource-servers/:id", TSR_ROUTE_MGMT, tsr_mgmt_apis_get,
     "read:resource_servers"},
    {"PATCH", "/api/v2/resource-servers/:id", TSR_ROUTE_MGMT, tsr_mgmt_apis_update,
     "update:resource_servers"},
    {"DELETE", "/api/v2/resource-servers/:id", TSR_ROUTE_MGMT, tsr_mgmt_apis_delete,
     "delete:resource_servers"},

    {"GET", "/api/v2/client-grants", TSR_ROUTE_MGMT, tsr_mgmt_grants_list, "read:client_grants"},
    {"POST", "/api/v2/client-grants", TSR_ROUTE_MGMT, tsr_mgmt_grants_create,
     "create:client_grants"},
    {"GET", "/api/v2/client-grants/:id", TSR_ROUTE_MGMT, tsr_mgmt_grants_get,
     "read:client_grants"},
    {"PATCH", "/api/v2/client-grants/:id", TSR_ROUTE_MGMT, tsr_mgmt_grants_update,
     "update:client_grants"},
    {"DELETE", "/api/v2/client-grants/:id", TSR_ROUTE_MGMT, tsr_mgmt_grants_delete,
     "delete:client_grants"},

    {"GET", "/api/v2/connections", TSR_ROUTE_MGMT, tsr_mgmt_connections_list, "read:connections"},
    {"POST", "/api/v2/connections", TSR_ROUTE_MGMT, tsr_mgmt_connections_create,
     "create:connections"},
    {"GET", "/api/v2/connections/:id", TSR_ROUTE_MGMT, tsr_mgmt_connections_get,
     "read:connections"},
    {"PATCH", "/api/v2/connections/:id", TSR_ROUTE_MGMT, tsr_mgmt_connections_update,
     "update:connections"},
    {"DELETE", "/api/v2/connections/:id", TSR_ROUTE_MGMT, tsr_mgmt_connections_delete,
     "delete:connections"},

    {"GET", "/api/v2/users", TSR_ROUTE_MGMT, tsr_mgmt_users_list, "read:users"},
    {"POST", "/api/v2/users", TSR_ROUTE_MGMT, tsr_mgmt_users_create, "create:users"},
    {"GET", "/api/v2/users/:id", TSR_ROUTE_MGMT, tsr_mgmt_users_get, "read:users"},
    /* update:users_app_metadata alone may change app_metadata only (checked in the handler). */
    {"PATCH", "/api/v2/users/:id", TSR_ROUTE_MGMT, tsr_mgmt_users_update,
     "update:users update:users_app_metadata"},
    {"DELETE", "/api/v2/users/:id", TSR_ROUTE_MGMT, tsr_mgmt_users_delete, "delete:users"},
    {"GET", "/api/v2/users-by-email", TSR_ROUTE_MGMT, tsr_mgmt_users_by_email, "read:users"},
    {"GET", "/api/v2/grants", TSR_ROUTE_MGMT, tsr_mgmt_user_grants_list, "read:grants"},
    {"DELETE", "/api/v2/grants/:id", TSR_ROUTE_MGMT, tsr_mgmt_user_grants_delete, "delete:grants"},
    {NULL, NULL, TSR_ROUTE_MGMT, NULL, NULL},
};
