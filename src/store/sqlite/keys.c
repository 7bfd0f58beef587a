/* keys.c - SQLite statements of the named queries in store/queries/keys.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_keys[] = {
    {TSR_Q_KEYS_INSERT, "INSERT INTO signing_keys (tenant_id, kid, alg, state, private_key, "
                        "public_jwk, created_at, current_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_KEYS_INSERT_CURRENT,
     "INSERT INTO signing_keys (tenant_id, kid, alg, state, private_key, "
     "public_jwk, created_at, current_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
    {TSR_Q_KEYS_COUNT, "SELECT count(*) FROM signing_keys WHERE tenant_id = ?"},
    {TSR_Q_KEYS_SIGNING,
     "SELECT kid, alg, state, private_key, public_jwk, created_at FROM signing_keys "
     "WHERE tenant_id = ? AND state <> 'revoked' ORDER BY CASE state "
     "WHEN 'current' THEN 0 WHEN 'next' THEN 1 ELSE 2 END, created_at"},
    {TSR_Q_KEYS_LIST, "SELECT kid, alg, state, public_jwk, created_at, current_since, "
                      "current_until, revoked_at FROM signing_keys WHERE tenant_id = ? "
                      "ORDER BY CASE state WHEN 'current' THEN 0 WHEN 'next' THEN 1 "
                      "WHEN 'previous' THEN 2 ELSE 3 END, created_at DESC, kid"},
    {TSR_Q_KEYS_PRIVATE, "SELECT private_key FROM signing_keys WHERE tenant_id = ? AND kid = ?"},
    {TSR_Q_KEYS_NEXT, "SELECT kid FROM signing_keys WHERE tenant_id = ? AND alg = ? AND state = 'next'"},
    {TSR_Q_KEYS_RETIRE_CURRENT,
     "UPDATE signing_keys SET state = 'previous', current_until = ? WHERE "
     "tenant_id = ? AND alg = ? AND state = 'current'"},
    {TSR_Q_KEYS_MAKE_CURRENT, "UPDATE signing_keys SET state = 'current', current_since = ? "
                              "WHERE tenant_id = ? AND kid = ?"},
    {TSR_Q_KEYS_STATE, "SELECT state FROM signing_keys WHERE tenant_id = ? AND kid = ?"},
    {TSR_Q_KEYS_REVOKE, "UPDATE signing_keys SET state = 'revoked', revoked_at = ? WHERE "
                        "tenant_id = ? AND kid = ? AND state = 'previous'"},
    {TSR_Q_KEYS_ALGS, "SELECT alg FROM signing_keys WHERE tenant_id = ? AND state = 'current' "
                      "ORDER BY CASE alg WHEN 'RS256' THEN 0 ELSE 1 END, alg"},
    {TSR_Q_KEYS_HAS_ALG, "SELECT count(*) FROM signing_keys WHERE tenant_id = ? AND alg = ? "
                         "AND state = 'current'"},
    {TSR_Q_COUNT, NULL},
};
