/*
 * mgmt.h - Management API v2 handlers (one file per resource in src/mgmt/)
 * and what they share.
 *
 * Every handler runs after tsr_mgmt_authorize accepted the bearer token and
 * its scopes.  Errors use tsr_resp_mgmt_error: {statusCode, error, message,
 * errorCode}.
 */
#ifndef TSR_MGMT_MGMT_H
#define TSR_MGMT_MGMT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/request.h"
#include "http/router.h"

struct tsr_connection;

/* Paging parameters of a list request (page, per_page, include_totals). */
struct tsr_mgmt_paging {
    int64_t page;
    int64_t per_page;
    bool include_totals;
};

/*
 * Reads page (>= 0, default 0), per_page (1..100, default 50) and
 * include_totals from the query.  On a bad value sends 400 and returns
 * false.
 */
bool tsr_mgmt_paging_read(struct tsr_req *req, struct tsr_mgmt_paging *p);

/*
 * Sends a list: the bare array, or {start, limit, length, total, <key>: array}
 * when include_totals was asked.  items is stolen.
 */
void tsr_mgmt_send_list(struct tsr_req *req, const struct tsr_mgmt_paging *p, const char *key,
                        json_t *items, int64_t total);

/* A connection as Auth0's Management API shows it (new reference, NULL when out of memory). */
json_t *tsr_mgmt_connection_json(const struct tsr_connection *c);

/*
 * Appends item (reference stolen) to *items; when either is NULL (out of
 * memory), the array is dropped and *items becomes NULL, which
 * tsr_mgmt_send_list answers with 500.
 */
void tsr_mgmt_items_add(json_t **items, json_t *item);

/* Sends the response for a storage error code (404 for TSR_ENOTFOUND, 409, else 500). */
void tsr_mgmt_send_store_error(struct tsr_req *req, int rc, const char *what);

void tsr_mgmt_clients_list(struct tsr_req *req);
void tsr_mgmt_clients_create(struct tsr_req *req);
void tsr_mgmt_clients_get(struct tsr_req *req);
void tsr_mgmt_clients_update(struct tsr_req *req);
void tsr_mgmt_clients_delete(struct tsr_req *req);
void tsr_mgmt_clients_rotate_secret(struct tsr_req *req);

void tsr_mgmt_apis_list(struct tsr_req *req);
void tsr_mgmt_apis_create(struct tsr_req *req);
void tsr_mgmt_apis_get(struct tsr_req *req);
void tsr_mgmt_apis_update(struct tsr_req *req);
void tsr_mgmt_apis_delete(struct tsr_req *req);

void tsr_mgmt_connections_list(struct tsr_req *req);
void tsr_mgmt_connections_create(struct tsr_req *req);
void tsr_mgmt_connections_get(struct tsr_req *req);
void tsr_mgmt_connections_update(struct tsr_req *req);
void tsr_mgmt_connections_delete(struct tsr_req *req);
void tsr_mgmt_connection_clients_get(struct tsr_req *req);
void tsr_mgmt_connection_clients_update(struct tsr_req *req);

void tsr_mgmt_users_list(struct tsr_req *req);
void tsr_mgmt_users_create(struct tsr_req *req);
void tsr_mgmt_users_get(struct tsr_req *req);
void tsr_mgmt_users_update(struct tsr_req *req);
void tsr_mgmt_users_delete(struct tsr_req *req);
void tsr_mgmt_users_by_email(struct tsr_req *req);

/*
 * A permission as Auth0 lists it: {permission_name, description,
 * resource_server_name, resource_server_identifier} (NULL when out of memory).
 */
json_t *tsr_mgmt_permission_json(struct tsr_req *req, const char *audience,
                                 const char *permission);

/*
 * Reads {"permissions": [{resource_server_identifier, permission_name}]}:
 * every item must name a scope of an existing API.  Sends 400 (404 for an
 * unknown API) and returns NULL otherwise; else returns the body (caller
 * frees) and points *items at its list.
 */
json_t *tsr_mgmt_permissions_body(struct tsr_req *req, const json_t **items);

/* A change of one permission of a holder (a user or a role): core/rbac.h's, core/role.h's. */
typedef int (*tsr_mgmt_permission_step)(tsr_store *st, const char *tenant_id, const char *holder,
                                        const char *audience, const char *permission);

/*
 * Applies step to every permission of the body (tsr_mgmt_permissions_body)
 * for holder, all or nothing in one transaction, and answers ok_status
 * (empty), 400/404 for the body or the storage error.
 */
void tsr_mgmt_permissions_apply(struct tsr_req *req, const char *holder,
                                tsr_mgmt_permission_step step, unsigned ok_status);

/* The user named by the path ({id}) exists; sends 404 inexistent_user (or 500) otherwise. */
bool tsr_mgmt_user_exists(struct tsr_req *req);

void tsr_mgmt_user_permissions_list(struct tsr_req *req);
void tsr_mgmt_user_permissions_add(struct tsr_req *req);
void tsr_mgmt_user_permissions_remove(struct tsr_req *req);

void tsr_mgmt_roles_list(struct tsr_req *req);
void tsr_mgmt_roles_create(struct tsr_req *req);
void tsr_mgmt_roles_get(struct tsr_req *req);
void tsr_mgmt_roles_update(struct tsr_req *req);
void tsr_mgmt_roles_delete(struct tsr_req *req);
void tsr_mgmt_role_permissions_list(struct tsr_req *req);
void tsr_mgmt_role_permissions_add(struct tsr_req *req);
void tsr_mgmt_role_permissions_remove(struct tsr_req *req);
void tsr_mgmt_role_users_list(struct tsr_req *req);
void tsr_mgmt_role_users_assign(struct tsr_req *req);

void tsr_mgmt_user_roles_list(struct tsr_req *req);
void tsr_mgmt_user_roles_assign(struct tsr_req *req);
void tsr_mgmt_user_roles_remove(struct tsr_req *req);

void tsr_mgmt_user_grants_list(struct tsr_req *req);
void tsr_mgmt_user_grants_delete(struct tsr_req *req);
void tsr_mgmt_user_grants_delete_by_user(struct tsr_req *req);

void tsr_mgmt_user_blocks_get(struct tsr_req *req);
void tsr_mgmt_user_blocks_delete(struct tsr_req *req);
void tsr_mgmt_user_blocks_get_by_identifier(struct tsr_req *req);
void tsr_mgmt_user_blocks_delete_by_identifier(struct tsr_req *req);

void tsr_mgmt_grants_list(struct tsr_req *req);
void tsr_mgmt_grants_create(struct tsr_req *req);
void tsr_mgmt_grants_get(struct tsr_req *req);
void tsr_mgmt_grants_update(struct tsr_req *req);
void tsr_mgmt_grants_delete(struct tsr_req *req);

void tsr_mgmt_logs_list(struct tsr_req *req);
void tsr_mgmt_logs_get(struct tsr_req *req);
void tsr_mgmt_user_logs_list(struct tsr_req *req);

/* Tickets (tickets.c) and jobs (jobs.c). */
void tsr_mgmt_tickets_password_change(struct tsr_req *req);
void tsr_mgmt_tickets_email_verification(struct tsr_req *req);
void tsr_mgmt_jobs_verification_email(struct tsr_req *req);
void tsr_mgmt_jobs_get(struct tsr_req *req);
/* User imports and exports and job errors: 403 operation_not_supported. */
void tsr_mgmt_jobs_not_offered(struct tsr_req *req);

/* The Management API's routes, ended by an entry whose method is NULL. */
extern const struct tsr_route tsr_mgmt_routes[];

/*
 * Checks a Management API request's bearer token and scopes (mgmt/auth.c);
 * the router calls it before a TSR_ROUTE_MGMT handler.  On failure sends
 * 401 or 403 and returns false.
 */
bool tsr_mgmt_authorize(struct tsr_req *req, const char *scopes);

#endif
