-- Tessera schema, version 7: counters of the rate limits and of the
-- per-account login throttle (core/rate_limit.c, core/throttle.c), kept in
-- the database so that every node sharing it counts the same requests.
--
-- A rate counter's window starts at its first request (started_at, epoch
-- seconds) and ends at expires_at; the next request after that starts a
-- new one.  bucket names what is counted: "login ip 203.0.113.7",
-- "signup tenant", ...

CREATE TABLE rate_counters (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, bucket)
);
CREATE INDEX rate_counters_by_expiry ON rate_counters (expires_at);

-- Consecutive failed logins of one account, whatever the address: account
-- is the user_id, or "?" and the lowercased name typed when no account has
-- it (so that names without an account are slowed down alike).  Logins
-- are refused until blocked_until; the count starts again after forget_at.
CREATE TABLE login_failures (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    failures BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    forget_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account)
);
CREATE INDEX login_failures_by_expiry ON login_failures (forget_at);
