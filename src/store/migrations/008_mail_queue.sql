-- Tessera schema, version 8: the outgoing mail queue.
--
-- Request handlers only add rows here; a worker thread of each node sends
-- them (core/mail_queue.c), so an HTTP answer never waits for the mail
-- relay.  kind 'message': message is the whole RFC 5322 message sealed
-- under the master key (it carries single-use links) and recipient the
-- envelope address.  kind 'password_reset': a request for a reset link,
-- message is its details (JSON, sealed), recipient ''; the worker looks
-- the account up, so the request costs the same whether it exists or not.
-- next_attempt_at (seconds) is when the row is due; a node that takes a
-- row pushes it forward by a lease first, so two nodes do not send the
-- same row at once.  A sent row is deleted; a row that failed
-- TSR_MAIL_MAX_ATTEMPTS times is deleted with an error in the log.

CREATE TABLE mail_queue (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'message',
    recipient TEXT NOT NULL,
    message TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at);
