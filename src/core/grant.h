/*
 * grant.h - client grants: which application may get tokens for which API
 * through client credentials, and with which scopes.
 */
#ifndef TSR_CORE_GRANT_H
#define TSR_CORE_GRANT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/strlist.h"

struct tsr_api;
struct tsr_refusal;

/* Lengths in characters and list sizes, as the Management API's schema limits them. */
#define TSR_GRANT_CLIENT_ID_MAX 255
#define TSR_GRANT_AUDIENCE_MAX 600
#define TSR_GRANT_SCOPES_MAX 1000
#define TSR_GRANT_SCOPE_MAX 280

/*
 * The rule POST and PATCH /api/v2/client-grants and `tessera config
 * apply` share: each scope of a grant is one the API a defines.  Returns
 * 0, or TSR_EINVAL with why naming scope[i] (core/update_refusal.h).
 */
int tsr_grant_scopes_check(const struct tsr_api *a, const struct tsr_strlist *scope,
                           struct tsr_refusal *why);

struct tsr_grant {
    char *tenant_id;
    char *id; /* cgr_ + 16 characters */
    char *client_id;
    char *audience;
    struct tsr_strlist scope;
    int64_t created_at;
    int64_t updated_at;
};

void tsr_grant_cleanup(struct tsr_grant *g);

/* Fills g with a fresh id and timestamps. */
int tsr_grant_init_new(struct tsr_grant *g, const char *tenant_id);

int tsr_grant_get(tsr_store *st, const char *tenant_id, const char *id, struct tsr_grant *out);

/* The grant of client_id for audience.  Returns 0, TSR_ENOTFOUND or TSR_ESTORE. */
int tsr_grant_find(tsr_store *st, const char *tenant_id, const char *client_id,
                   const char *audience, struct tsr_grant *out);

/* Inserts g.  TSR_ECONFLICT when the pair exists or the client or API does not. */
int tsr_grant_insert(tsr_store *st, const struct tsr_grant *g);
int tsr_grant_update(tsr_store *st, const struct tsr_grant *g);
int tsr_grant_delete(tsr_store *st, const char *tenant_id, const char *id);

/*
 * Lists grants, optionally filtered by audience and client_id (NULL: any),
 * ordered by creation.
 */
int tsr_grant_list(tsr_store *st, const char *tenant_id, const char *audience,
                   const char *client_id, int64_t offset, int64_t limit, struct tsr_grant **out,
                   size_t *n, int64_t *total);
/*
 * Checkpoint paging: at most limit grants (same filters) whose id sorts
 * after after (NULL or "": from the first), in id order.  An id stays a
 * valid cursor even when its grant is deleted meanwhile.
 */
int tsr_grant_list_after(tsr_store *st, const char *tenant_id, const char *audience,
                         const char *client_id, const char *after, int64_t limit,
                         struct tsr_grant **out, size_t *n);
/* Every grant of tenant_id, in no particular order (the catalog's load). */
int tsr_grant_list_tenant(tsr_store *st, const char *tenant_id, struct tsr_grant **out, size_t *n,
                          size_t *skipped);
void tsr_grant_list_free(struct tsr_grant *list, size_t n);

#endif
