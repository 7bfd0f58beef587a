/*
 * token_policy.h - the decisions of the token endpoint, as functions of
 * plain values (a store, a tenant id, the client record, the values
 * presented and the time), so that they are unit-tested apart from HTTP.
 * The handlers in authn/ parse the request, call these, and turn each
 * verdict into the OAuth answer; a negative TSR_E* return is a failure
 * to decide (storage, memory), never a refusal.
 *
 * Divisions: grant types, client credentials and the person tokens are
 * for (token_policy_grant.c), the password grant's connection
 * (token_policy_password.c), authorization code redemption
 * (token_policy_code.c), refresh token rotation, reuse and expiry
 * (token_policy_refresh.c), and a person's scopes on an API under RBAC
 * (token_policy_rbac.c).
 */
#ifndef TSR_CORE_TOKEN_POLICY_H
#define TSR_CORE_TOKEN_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/api.h"
#include "core/auth_code.h"
#include "core/catalog.h"
#include "core/client.h"
#include "core/connection.h"
#include "core/refresh_token.h"
#include "core/user.h"
#include "store/store.h"
#include "util/strlist.h"

/* ---- grant types, client credentials ---- */

/* True when the client registered grant_type (unauthorized_client otherwise). */
bool tsr_token_grant_allowed(const struct tsr_client *client, const char *grant_type);

enum tsr_cc_verdict {
    TSR_CC_OK,                  /* issue a token for d->api with d->scope */
    TSR_CC_UNAUTHORIZED_CLIENT, /* grant type not registered, or a public client */
    TSR_CC_NO_AUDIENCE,         /* none asked and no tenant default */
    TSR_CC_UNKNOWN_API,         /* no API with that identifier */
    TSR_CC_NO_GRANT,            /* no client grant of the client for the API */
};

struct tsr_cc_decision {
    enum tsr_cc_verdict verdict;
    const char *audience;     /* borrowed: the one asked, else the default; NULL when none */
    const struct tsr_api *api; /* TSR_CC_OK: the API (borrowed from the catalog) */
    struct tsr_strlist scope; /* TSR_CC_OK: the scopes the token carries */
};

void tsr_cc_decision_cleanup(struct tsr_cc_decision *d);

/*
 * Client credentials, decided over the tenant's catalog (no SQL): may
 * client get a token for audience (NULL or "": default_audience), and with
 * which of scope (NULL: everything its grant holds).  A public client never
 * may: it cannot prove who it is.  Fills *d (cleanup after any return;
 * d->api is borrowed from cat).  Returns 0 (see d->verdict) or TSR_ENOMEM.
 */
int tsr_cc_decide_catalog(const struct tsr_catalog *cat, const char *default_audience,
                          const struct tsr_client *client, const char *audience,
                          const char *scope, struct tsr_cc_decision *d);

/* ---- the person tokens are for ---- */

enum tsr_subject_verdict {
    TSR_SUBJECT_OK,      /* issue */
    TSR_SUBJECT_GONE,    /* no such person any more: the grant is invalid */
    TSR_SUBJECT_BLOCKED, /* blocked: Auth0's "user is blocked" */
};

/*
 * Loads user_id, whom a code or refresh token is about to give tokens
 * for, into *out (filled on TSR_SUBJECT_OK only; cleanup after any
 * return).  Returns 0 (see *verdict) or TSR_ESTORE / TSR_ENOMEM.
 */
int tsr_token_subject(tsr_store *st, const char *tenant_id, const char *user_id,
                      struct tsr_user *out, enum tsr_subject_verdict *verdict);

/* ---- the password grant ---- */

enum tsr_pw_conn_verdict {
    TSR_PW_CONN_OK,
    TSR_PW_CONN_NO_DEFAULT,    /* no realm, and the tenant has no default directory */
    TSR_PW_CONN_UNKNOWN_REALM, /* no connection by that name */
    TSR_PW_CONN_NOT_ENABLED,   /* the connection does not serve the client */
};

/*
 * The connection a password grant of client_id checks the password in:
 * realm (NULL or "": default_directory).  *name receives the name looked
 * up (borrowed from realm or default_directory; NULL for
 * TSR_PW_CONN_NO_DEFAULT).  *out is filled on TSR_PW_CONN_OK only
 * (cleanup after any return).  Returns 0 (see *verdict) or TSR_ESTORE /
 * TSR_ENOMEM.
 */
int tsr_password_connection(tsr_store *st, const char *tenant_id, const char *default_directory,
                            const char *realm, const char *client_id, struct tsr_connection *out,
                            const char **name, enum tsr_pw_conn_verdict *verdict);

/* ---- authorization codes ---- */

/*
 * Redeems the code presented by client_id with redirect_uri and verifier
 * (NULL when absent) at time now: *verdict says what it amounts to
 * (TSR_CODE_UNKNOWN: no such code; the others as tsr_auth_code_check).
 * TSR_CODE_OK marks the code used, and a concurrent redemption that won
 * first turns it into TSR_CODE_REPLAYED.  TSR_CODE_REPLAYED revokes every
 * token the code issued (RFC 6749 section 4.1.2).  *code is filled when
 * the code exists (cleanup after any return).  Returns 0 or TSR_ESTORE /
 * TSR_ENOMEM (the code is then not redeemed).
 */
int tsr_code_redeem(tsr_store *st, const char *tenant_id, const char *code, const char *client_id,
                    const char *redirect_uri, const char *verifier, int64_t now,
                    struct tsr_auth_code *out, enum tsr_code_verdict *verdict);

/* ---- refresh tokens ---- */

enum tsr_rt_verdict {
    TSR_RT_OK,           /* usable: rotate (or touch) it with tsr_rt_commit, then issue */
    TSR_RT_UNKNOWN,      /* no such token */
    TSR_RT_REVOKED,      /* revoked (logout, reuse, consent or client change) */
    TSR_RT_WRONG_CLIENT, /* issued to another client */
    TSR_RT_EXPIRED,      /* past its absolute or idle lifetime */
    TSR_RT_REUSED,       /* rotated more than the leeway ago: its family is revoked */
};

/* True when client's refresh tokens rotate: public clients' always. */
bool tsr_rt_rotating(const struct tsr_client *client);

/*
 * True when t is past its absolute lifetime (expires_at, 0: none) or, for
 * an expiring client, its idle lifetime since last use, at now.
 */
bool tsr_rt_expired(const struct tsr_client *client, const struct tsr_refresh_token *t,
                    int64_t now);

/*
 * Judges a found token presented by client at now, in this order:
 * revoked, another client's, expired, reused (rotated at least the
 * client's leeway ago; a retry within the leeway is TSR_RT_OK).  Pure.
 */
enum tsr_rt_verdict tsr_rt_check(const struct tsr_client *client, const struct tsr_refresh_token *t,
                                 int64_t now);

/*
 * Looks up the token value presented by client and judges it at now
 * (tsr_rt_check); TSR_RT_REUSED revokes the token's whole family.  *out
 * is filled when the token exists (cleanup after any return).  Returns 0
 * (see *verdict) or TSR_ESTORE / TSR_ENOMEM.
 */
int tsr_rt_present(tsr_store *st, const char *tenant_id, const struct tsr_client *client,
                   const char *value, int64_t now, struct tsr_refresh_token *out,
                   enum tsr_rt_verdict *verdict);

/*
 * Spends a token judged TSR_RT_OK, once every other check passed: a
 * rotating client's token is marked rotated (a retry within the leeway
 * finds it rotated already and changes nothing), a non-rotating client's
 * records its use (its idle lifetime starts again).  Returns 0,
 * TSR_ENOTFOUND (a concurrent request rotated it first) or TSR_ESTORE.
 */
int tsr_rt_commit(tsr_store *st, const char *tenant_id, const struct tsr_client *client,
                  const struct tsr_refresh_token *t);

/*
 * tsr_rt_commit and, for a rotating client, its successor in t's family
 * with scope, in one transaction (one commit per refresh, nothing spent
 * without a successor): *next receives the successor's value (caller
 * wipes and frees), NULL for a non-rotating client.  Returns what
 * tsr_rt_commit returns; on failure nothing is stored.
 */
int tsr_rt_spend(tsr_store *st, const char *tenant_id, const struct tsr_client *client,
                 const struct tsr_refresh_token *t, const char *scope, char **next);

/*
 * The absolute expiry of a new family of client's at now: now plus the
 * token lifetime for an expiring client with a finite one, else 0 (none).
 */
int64_t tsr_rt_family_expiry(const struct tsr_client *client, int64_t now);

/* ---- a person's scopes on an API (RBAC) ---- */

/*
 * True when api is the tenant's Management API (the system API, or the
 * one whose identifier is mgmt_audience), whatever its settings say.
 */
bool tsr_token_is_mgmt_api(const struct tsr_api *api, const char *mgmt_audience);

/*
 * Narrows *scope (replaced) to what user_id may be given on api now.  The
 * Management API (mgmt): the OpenID scopes, the current-user scopes and
 * the Management scopes the person holds (tsr_mgmt_person_scopes),
 * whatever enforce_policies says.  An API with enforce_policies: the
 * OpenID scopes and the person's permissions on it, all of which go into
 * perms (empty list, caller cleans up) for the permissions claim.  Other
 * APIs: *scope is left alone.  Returns 0 or TSR_ESTORE / TSR_ENOMEM.
 */
int tsr_token_person_scope(tsr_store *st, const char *tenant_id, const char *user_id,
                           const struct tsr_api *api, bool mgmt, struct tsr_strlist *scope,
                           struct tsr_strlist *perms);

/*
 * The permissions claim of a person's access token for api: its
 * permissions (perms) when the API enforces policies and is not the
 * Management API, else NULL (the token dialect then lists the scopes).
 */
const struct tsr_strlist *tsr_token_permissions_claim(const struct tsr_api *api, bool mgmt,
                                                      const struct tsr_strlist *perms);

#endif
