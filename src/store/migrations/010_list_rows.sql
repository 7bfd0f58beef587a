-- Tessera schema, version 10: lists that statements search become rows of
-- their own, so that no statement has to take stored JSON apart.
--
-- A connection's enabled clients move out of connections.enabled_clients.
-- position keeps the order the list had (the Management API returns it as it
-- was set, repeats included).  client_id is not a foreign key: the
-- Management API checks the ids it is given, and deleting a client takes it
-- out of every list (core/connection.c).

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

-- The origins the CORS lookup searches (a client's web_origins and
-- allowed_origins together), ASCII letters lowered as the lookup compares
-- them; the JSON columns stay what the Management API reads and writes.
CREATE TABLE client_origins (
    tenant_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (tenant_id, client_id, origin),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, client_id) ON DELETE CASCADE
);

CREATE INDEX client_origins_origin ON client_origins (tenant_id, origin);

INSERT INTO client_origins (tenant_id, client_id, origin)
SELECT c.tenant_id, c.client_id, lower(j.value)
FROM clients c, json_each(c.web_origins) j
WHERE j.type = 'text' AND length(CAST(j.value AS BLOB)) <= 256
UNION
SELECT c.tenant_id, c.client_id, lower(j.value)
FROM clients c, json_each(c.allowed_origins) j
WHERE j.type = 'text' AND length(CAST(j.value AS BLOB)) <= 256;
