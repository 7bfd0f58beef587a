-- Tessera schema, version 3: permissions of users on APIs (RBAC).  A
-- permission is one of an API's scopes; APIs with enforce_policies grant
-- people only the scopes they hold.

CREATE TABLE user_permissions (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    permission TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, audience, permission),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, audience) REFERENCES resource_servers (tenant_id, identifier)
        ON DELETE CASCADE
);
