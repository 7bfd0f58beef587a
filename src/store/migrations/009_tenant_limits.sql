-- Tessera schema, version 9: each tenant's own rate limits and attack
-- protection (core/tenant_limits.h).  One row per setting the tenant
-- overrides; a setting without a row is the server's (config/limits.h).
-- name is the setting's key ("rate-limit-login-per-ip", "lockout-attempts",
-- "brute-force-allowlist", ...) and value its text in the syntax of the
-- server's flags ("100/60", "off", "10", "true", "10.0.0.0/8,::1").

CREATE TABLE tenant_limits (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- The Management API gains the attack protection scopes; the clients
-- granted the tenant settings scopes, which reach the same settings through
-- rate_limits, are granted them too.
UPDATE resource_servers
SET scopes = substr(scopes, 1, length(scopes) - 1) ||
    ',{"value":"read:attack_protection","description":"Read Attack Protection"}' ||
    ',{"value":"update:attack_protection","description":"Update Attack Protection"}]'
WHERE is_system = 1 AND scopes LIKE '[{%]' AND scopes NOT LIKE '%:attack_protection%';

UPDATE client_grants
SET scope = substr(scope, 1, length(scope) - 1) ||
    ',"read:attack_protection","update:attack_protection"]'
WHERE scope LIKE '%"update:tenant_settings"%]' AND scope NOT LIKE '%:attack_protection%'
    AND audience IN (SELECT r.identifier FROM resource_servers r
                     WHERE r.tenant_id = client_grants.tenant_id AND r.is_system = 1);
