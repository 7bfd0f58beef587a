/*
 * scope.h - the scope decisions of the token endpoint, as functions of
 * plain values: what client credentials get of a client grant, how far a
 * refresh may narrow its token's scope, what may be asked for an audience
 * at the password grant, and what a person keeps of the scopes of an API
 * that enforces RBAC.  Scopes are space-separated words; lists are
 * struct tsr_strlist.
 */
#ifndef TSR_CORE_SCOPE_H
#define TSR_CORE_SCOPE_H

#include <stdbool.h>

#include "core/api.h"
#include "util/strlist.h"

/* True when the space-separated scope (NULL: none) holds word. */
bool tsr_scope_has(const char *scope, const char *word);

/*
 * Client credentials: requested ∩ granted, in the order requested, into
 * an empty out.  Nothing requested (NULL or "") means everything granted;
 * a requested scope the grant lacks is dropped, not refused (Auth0's
 * answer).  Returns 0 or TSR_ENOMEM.
 */
int tsr_scope_effective(const char *requested, const struct tsr_strlist *granted,
                        struct tsr_strlist *out);

/*
 * Refresh: the scope asked (NULL or "": the token's whole scope) must lie
 * within granted (down-scoping only).  *out is a new string (caller
 * frees).  Returns 0, TSR_EINVAL (a scope outside granted: invalid_scope)
 * or TSR_ENOMEM.
 */
int tsr_scope_narrow(const char *asked, const char *granted, char **out);

/*
 * What may be asked of audience at the token endpoint (the password
 * grant): the OpenID scopes, offline_access only when offline (a refresh
 * token may be issued), and, with an API (NULL: no audience), the API's
 * scopes plus, for the Management API (mgmt), its current-user scopes.
 * Other words are dropped.  *out is a new string (caller frees).  Returns
 * 0 or TSR_ENOMEM.
 */
int tsr_scope_for_audience(const char *asked, const struct tsr_api *api, bool mgmt, bool offline,
                           char **out);

/*
 * RBAC (an API with enforce_policies): keeps in *scope (replaced) the
 * OpenID scopes and those in held (the person's permissions on the API).
 * Returns 0 or TSR_ENOMEM (*scope unchanged).
 */
int tsr_scope_keep_held(struct tsr_strlist *scope, const struct tsr_strlist *held);

#endif
