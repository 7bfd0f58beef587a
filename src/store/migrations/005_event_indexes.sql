-- Tessera schema, version 5: indexes for reading the event log by type,
-- user and client (Management API /logs filters and the brute-force
-- lockout count), newest first by id.

CREATE INDEX events_by_type ON events (tenant_id, type, id);
CREATE INDEX events_by_user ON events (tenant_id, user_id, id);
CREATE INDEX events_by_client ON events (tenant_id, client_id, id);
