-- Tessera schema, version 13: whether /authorize may put an access token
-- in the front channel for a client (response_type token, id_token token,
-- code token).  RFC 9700 retires it, so it is off for every client, and a
-- legacy one that cannot use the code flow is allowed it one by one.
ALTER TABLE clients ADD COLUMN allow_implicit_access_tokens INTEGER NOT NULL DEFAULT 0;
