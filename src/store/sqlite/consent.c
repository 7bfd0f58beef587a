/* consent.c - SQLite statements of the named queries in store/queries/consent.def. */
#include "store/sqlite/queries.h"

#define CONSENT_FILTER                                                                             \
    " FROM user_grants WHERE tenant_id = ? AND (? IS NULL OR user_id = ?) AND "                    \
    "(? IS NULL OR client_id = ?) AND (? IS NULL OR audience = ?)"
#define COVERED_BY_CONSENT(table, audience_match)                                                  \
    "UPDATE " table " SET revoked_at = ? WHERE tenant_id = ? AND revoked_at IS NULL AND EXISTS "   \
    "(SELECT 1 FROM user_grants g WHERE g.tenant_id = " table ".tenant_id AND "                    \
    "g.user_id = " table ".user_id AND g.client_id = " table ".client_id AND " audience_match      \
    " AND (? IS NULL OR g.id = ?) AND (? IS NULL OR g.user_id = ?))"

const struct tsr_sq_query tsr_sq_consent[] = {
    {TSR_Q_CONSENT_GET_SCOPE,
     "SELECT scope FROM user_grants WHERE tenant_id = ? AND user_id = ? AND "
     "client_id = ? AND audience = ?"},
    {TSR_Q_CONSENT_UPDATE_SCOPE,
     "UPDATE user_grants SET scope = ?, updated_at = ? WHERE tenant_id = ? "
     "AND user_id = ? AND client_id = ? AND audience = ?"},
    {TSR_Q_CONSENT_INSERT, "INSERT INTO user_grants (tenant_id, id, user_id, client_id, "
                           "audience, scope, created_at, updated_at) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_CONSENT_DELETE_FOR_USER,
     "DELETE FROM user_grants WHERE tenant_id = ? AND user_id = ? AND "
     "(? IS NULL OR client_id = ?)"},
    {TSR_Q_CONSENT_COUNT, "SELECT count(*)" CONSENT_FILTER},
    {TSR_Q_CONSENT_LIST, "SELECT id, user_id, client_id, audience, scope" CONSENT_FILTER
                         " ORDER BY created_at, id LIMIT ? OFFSET ?"},
    {TSR_Q_CONSENT_REVOKE_REFRESH,
     COVERED_BY_CONSENT("refresh_tokens", "g.audience = refresh_tokens.audience")},
    {TSR_Q_CONSENT_REVOKE_ACCESS, COVERED_BY_CONSENT("access_tokens", "g.audience = ''")},
    {TSR_Q_CONSENT_DELETE, "DELETE FROM user_grants WHERE tenant_id = ? AND id = ?"},
    {TSR_Q_CONSENT_DELETE_USER, "DELETE FROM user_grants WHERE tenant_id = ? AND user_id = ?"},
    {TSR_Q_COUNT, NULL},
};
