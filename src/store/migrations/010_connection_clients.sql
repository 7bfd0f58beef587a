-- Tessera schema, version 10: a connection's enabled clients move from a
-- JSON array in connections.enabled_clients to rows of their own, so that
-- no statement has to take a stored list apart.  position keeps the
-- order the list had (the Management API returns it as it was set, repeats
-- included).  client_id is not a foreign key: the Management API already
-- checks the ids it is given, and deleting a client takes it out of every
-- list (core/connection.c).

CREATE TABLE connection_clients (
    tenant_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, position),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX connection_clients_client ON connection_clients (tenant_id, client_id);

INSERT INTO connection_clients (tenant_id, connection_id, position, client_id)
SELECT c.tenant_id, c.id, CAST(j.key AS INTEGER), j.value
FROM connections c, json_each(c.enabled_clients) j
WHERE j.type = 'text';

ALTER TABLE connections DROP COLUMN enabled_clients;
