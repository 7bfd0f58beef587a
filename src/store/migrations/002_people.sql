-- Tessera schema, version 2: people log in.  Connections and users,
-- browser sessions, the /authorize transactions waiting for a login page,
-- authorization codes, refresh tokens, opaque access tokens, consents,
-- password tickets and the event log.  Every secret handle (session
-- cookie, code, token, ticket) is stored only as its hex SHA-256.

ALTER TABLE tenants ADD COLUMN session_lifetime BIGINT NOT NULL DEFAULT 604800;
ALTER TABLE tenants ADD COLUMN idle_session_lifetime BIGINT NOT NULL DEFAULT 259200;
ALTER TABLE tenants ADD COLUMN allowed_logout_urls TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tenants ADD COLUMN logo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN primary_color TEXT NOT NULL DEFAULT '#3f59e4';

-- Refresh token settings of a client (Auth0's refresh_token object).
ALTER TABLE clients ADD COLUMN rt_rotation_type TEXT NOT NULL DEFAULT 'non-rotating';
ALTER TABLE clients ADD COLUMN rt_expiration_type TEXT NOT NULL DEFAULT 'non-expiring';
ALTER TABLE clients ADD COLUMN rt_leeway BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN rt_token_lifetime BIGINT NOT NULL DEFAULT 2592000;
ALTER TABLE clients ADD COLUMN rt_idle_token_lifetime BIGINT NOT NULL DEFAULT 1296000;
ALTER TABLE clients ADD COLUMN rt_infinite_token_lifetime INTEGER NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN rt_infinite_idle_token_lifetime INTEGER NOT NULL DEFAULT 1;

-- password_policy: none, low, fair, good, excellent.  enabled_clients is a
-- JSON array of client ids allowed to log users in through it.
CREATE TABLE connections (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    strategy TEXT NOT NULL DEFAULT 'auth0',
    display_name TEXT NOT NULL DEFAULT '',
    password_policy TEXT NOT NULL DEFAULT 'good',
    password_min_length BIGINT NOT NULL DEFAULT 8,
    requires_username INTEGER NOT NULL DEFAULT 0,
    disable_signup INTEGER NOT NULL DEFAULT 0,
    brute_force_protection INTEGER NOT NULL DEFAULT 1,
    enabled_clients TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- email is stored lowercased.  password_hash: libsodium argon2id string.
CREATE TABLE users (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    email TEXT,
    email_verified INTEGER NOT NULL DEFAULT 0,
    username TEXT,
    name TEXT NOT NULL DEFAULT '',
    nickname TEXT NOT NULL DEFAULT '',
    given_name TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    picture TEXT NOT NULL DEFAULT '',
    user_metadata TEXT NOT NULL DEFAULT '{}',
    app_metadata TEXT NOT NULL DEFAULT '{}',
    blocked INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL DEFAULT '',
    last_login BIGINT,
    last_ip TEXT NOT NULL DEFAULT '',
    logins_count BIGINT NOT NULL DEFAULT 0,
    last_password_reset BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    UNIQUE (tenant_id, connection_id, email),
    UNIQUE (tenant_id, connection_id, username),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id)
        ON DELETE CASCADE
);

CREATE INDEX users_by_email ON users (tenant_id, email);

-- id: hex SHA-256 of the cookie value.  sid: the public session id that
-- ID tokens carry.
CREATE TABLE sessions (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    sid TEXT NOT NULL,
    user_id TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, sid),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- An /authorize request waiting for the login, signup or consent page.
-- id: hex SHA-256 of the state handle in the page URL.  browser: hex SHA-256
-- of the transaction cookie that binds it to the browser that started it.
-- params: the validated request as JSON.
CREATE TABLE login_transactions (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    browser TEXT NOT NULL,
    csrf TEXT NOT NULL,
    params TEXT NOT NULL,
    user_id TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- code: hex SHA-256 of the code.  scope is space-separated; audience ''
-- means none (an opaque access token for /userinfo).
CREATE TABLE authorization_codes (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    sid TEXT NOT NULL DEFAULT '',
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    nonce TEXT NOT NULL DEFAULT '',
    code_challenge TEXT NOT NULL DEFAULT '',
    code_challenge_method TEXT NOT NULL DEFAULT '',
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (tenant_id, code)
);

-- A family is every refresh token descended from one grant (one code or
-- one password login); reuse of a rotated token revokes the family.
CREATE TABLE refresh_tokens (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    family_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    sid TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    expires_at BIGINT,
    rotated_at BIGINT,
    revoked_at BIGINT,
    PRIMARY KEY (tenant_id, token),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

CREATE INDEX refresh_tokens_by_family ON refresh_tokens (tenant_id, family_id);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (tenant_id, user_id);

-- Opaque access tokens (requests without an audience): good only at /userinfo.
CREATE TABLE access_tokens (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    family_id TEXT NOT NULL DEFAULT '',
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (tenant_id, token),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

CREATE INDEX access_tokens_by_family ON access_tokens (tenant_id, family_id);

-- What a user consented to: scopes of an audience for a client.
CREATE TABLE user_grants (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id, client_id, audience),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- Password change links.  ticket: hex SHA-256 of the link's secret.
CREATE TABLE password_tickets (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    ticket TEXT NOT NULL,
    user_id TEXT NOT NULL,
    result_url TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (tenant_id, ticket),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);

-- The event log (Auth0's log event types: s, f, fp, fu, ss, fs, seacft, ...).
-- id sorts by time; date is in milliseconds.
CREATE TABLE events (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    date BIGINT NOT NULL,
    type TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    client_id TEXT NOT NULL DEFAULT '',
    client_name TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    user_id TEXT NOT NULL DEFAULT '',
    user_name TEXT NOT NULL DEFAULT '',
    connection TEXT NOT NULL DEFAULT '',
    connection_id TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX events_by_date ON events (tenant_id, date);
