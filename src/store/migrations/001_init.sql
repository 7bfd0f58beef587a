-- Tessera schema, version 1: tenants, signing keys, applications (clients),
-- APIs (resource servers) and client grants.
-- Portable SQL: TEXT, INTEGER and BIGINT only; booleans are 0/1; JSON lists
-- are TEXT; binary values are base64url TEXT; times are Unix seconds.

CREATE TABLE tenants (
    id TEXT NOT NULL PRIMARY KEY,
    issuer TEXT NOT NULL UNIQUE,
    friendly_name TEXT NOT NULL DEFAULT '',
    default_audience TEXT NOT NULL DEFAULT '',
    default_directory TEXT NOT NULL DEFAULT '',
    is_default INTEGER NOT NULL DEFAULT 0,
    generation BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- state: 'next', 'current', 'previous' or 'revoked'.  private_key holds
-- base64url(nonce | AES-256-GCM ciphertext | tag) under the master key.
CREATE TABLE signing_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    alg TEXT NOT NULL,
    state TEXT NOT NULL,
    private_key TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    current_since BIGINT,
    current_until BIGINT,
    revoked_at BIGINT,
    PRIMARY KEY (tenant_id, kid)
);

-- secret_hash: hex SHA-256 of the client secret; the secret itself is
-- never stored.  List columns hold JSON arrays of strings.
CREATE TABLE clients (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    app_type TEXT NOT NULL DEFAULT '',
    logo_uri TEXT NOT NULL DEFAULT '',
    is_first_party INTEGER NOT NULL DEFAULT 1,
    oidc_conformant INTEGER NOT NULL DEFAULT 1,
    is_system INTEGER NOT NULL DEFAULT 0,
    secret_hash TEXT NOT NULL DEFAULT '',
    token_endpoint_auth_method TEXT NOT NULL DEFAULT 'client_secret_post',
    grant_types TEXT NOT NULL DEFAULT '[]',
    callbacks TEXT NOT NULL DEFAULT '[]',
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    web_origins TEXT NOT NULL DEFAULT '[]',
    allowed_logout_urls TEXT NOT NULL DEFAULT '[]',
    client_metadata TEXT NOT NULL DEFAULT '{}',
    jwt_lifetime_in_seconds BIGINT NOT NULL DEFAULT 36000,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, client_id)
);

-- scopes: JSON array of {"value","description"}.  signing_secret: for
-- HS256 APIs, base64url(nonce | ciphertext | tag) under the master key.
CREATE TABLE resource_servers (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    is_system INTEGER NOT NULL DEFAULT 0,
    signing_alg TEXT NOT NULL DEFAULT 'RS256',
    signing_secret TEXT NOT NULL DEFAULT '',
    token_lifetime BIGINT NOT NULL DEFAULT 86400,
    token_lifetime_for_web BIGINT NOT NULL DEFAULT 7200,
    allow_offline_access INTEGER NOT NULL DEFAULT 0,
    skip_consent_for_verifiable_first_party_clients INTEGER NOT NULL DEFAULT 1,
    enforce_policies INTEGER NOT NULL DEFAULT 0,
    token_dialect TEXT NOT NULL DEFAULT 'access_token',
    scopes TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, identifier)
);

-- scope: JSON array of scope values granted to the client for the API.
CREATE TABLE client_grants (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, client_id, audience),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, audience) REFERENCES resource_servers (tenant_id, identifier)
        ON DELETE CASCADE
);

CREATE INDEX client_grants_by_audience ON client_grants (tenant_id, audience);
