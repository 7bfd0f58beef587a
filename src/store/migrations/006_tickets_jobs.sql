-- Tessera schema, version 6: the Management API's tickets and jobs.
--
-- password_tickets now holds both kinds of single-use links: 'password'
-- (choose a new password) and 'email' (confirm an email address).  email
-- is the address the ticket was made for: a link verifies that address
-- only, never one the user switched to afterwards.  client_id is the
-- application named by the caller ('' for none), for the event log.

ALTER TABLE password_tickets ADD COLUMN kind TEXT NOT NULL DEFAULT 'password';
ALTER TABLE password_tickets ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE password_tickets ADD COLUMN client_id TEXT NOT NULL DEFAULT '';
ALTER TABLE password_tickets ADD COLUMN mark_email_verified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE password_tickets ADD COLUMN include_email INTEGER NOT NULL DEFAULT 0;

-- For deleting tickets long past their expiry (core/ticket.c).
CREATE INDEX password_tickets_by_expiry ON password_tickets (tenant_id, expires_at);

-- Jobs of /api/v2/jobs (verification emails).  user_id carries no foreign
-- key: a job's record outlives the user it was for.  created_at is in
-- milliseconds, as Auth0 shows it.
CREATE TABLE jobs (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX jobs_by_created ON jobs (tenant_id, created_at);
